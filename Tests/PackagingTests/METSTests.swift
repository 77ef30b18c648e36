import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Packaging

final class METSTests: XCTestCase {
    // MARK: Outside validator

    func testItemWithTwoFilesValidatesAgainstOfficialSchema() throws {
        let xml = try METSFixture.mets().xml()
        // The METS check also loads PREMIS 3 and oai_dc, so the wrapped PREMIS and Dublin Core
        // are validated strictly too (xmlData is processContents="lax").
        try METSXMLValidator.assertValid(schema: "mets", xml)
    }

    func testNegativeControlWrongElementIsRejected() throws {
        let xml = try METSFixture.mets().xml()
        let bad = METSFixture.replaceOnce("<mets:structMap ", with: "<mets:structureMap ", in: xml)
            .replacingOccurrences(of: "</mets:structMap>", with: "</mets:structureMap>")
        let output = try METSXMLValidator.assertInvalid(schema: "mets", bad)
        XCTAssertTrue(output.contains("structureMap"), output)
    }

    func testNegativeControlsInAttributesReferencesAndEmbeddedMetadata() throws {
        let xml = try METSFixture.mets().xml()
        // A checksum type outside the METS vocabulary.
        try METSXMLValidator.assertInvalid(
            schema: "mets", xml.replacingOccurrences(of: "CHECKSUMTYPE=\"SHA-512\"", with: "CHECKSUMTYPE=\"SM3\""))
        // A wrong element inside the wrapped PREMIS: caught because the PREMIS schema is loaded.
        try METSXMLValidator.assertInvalid(
            schema: "mets", METSFixture.replaceOnce("<premis:size>2048</premis:size>",
                                                    with: "<premis:bytes>2048</premis:bytes>", in: xml))
        // A wrong element inside the wrapped Dublin Core.
        try METSXMLValidator.assertInvalid(
            schema: "mets", METSFixture.replaceOnce("<dc:language>zh</dc:language>",
                                                    with: "<dc:lang>zh</dc:lang>", in: xml))
        // Not well-formed: a raw control character.
        try METSXMLValidator.assertInvalid(
            schema: "mets", METSFixture.replaceOnce("<mets:name>王芳</mets:name>", with: "<mets:name>王\u{1}芳</mets:name>", in: xml))
    }

    // MARK: Content

    func testDocumentShape() throws {
        let xml = try METSFixture.mets().xml()
        let doc = try METSParsedXML(xml)
        let root = try XCTUnwrap(doc.doc.rootElement())
        XCTAssertEqual(root.name, "mets:mets")
        XCTAssertEqual(root.uri, "http://www.loc.gov/METS/")
        XCTAssertEqual(root.attribute(forName: "OBJID")?.stringValue, "J012-WS·2015-Y-BGS-0001")

        // metsHdr
        XCTAssertEqual(doc.attribute("CREATEDATE", of: "mets:metsHdr"), "2023-11-14T22:13:20Z")
        XCTAssertEqual(doc.attributes("ROLE", of: "mets:agent"), ["CREATOR", "CUSTODIAN", "ARCHIVIST"])
        XCTAssertEqual(doc.attributes("OTHERTYPE", of: "mets:agent"), ["SOFTWARE", nil, nil])
        XCTAssertEqual(doc.texts("mets:name"), ["Lantai 1.0.0", "南京市档案馆", "王芳"])

        // dmdSec: DC, then DA/T 18.
        XCTAssertEqual(doc.attributes("ID", of: "mets:dmdSec"), ["DMD-DC-1", "DMD-DAT18-1"])
        XCTAssertEqual(doc.attributes("MDTYPE", of: "mets:mdWrap"), ["DC", "OTHER", "PREMIS"])
        XCTAssertEqual(doc.attributes("OTHERMDTYPE", of: "mets:mdWrap"), [nil, "DA-T-18", nil])
        XCTAssertEqual(doc.texts("dc:title"), ["关于2015年档案工作的通知"])
        XCTAssertEqual(doc.texts("dc:identifier"), ["J012-WS·2015-Y-BGS-0001", "宁档〔2015〕12号"])
        XCTAssertEqual(doc.texts("dc:subject"), ["档案工作", "通知"])
        XCTAssertEqual(doc.texts("dc:date"), ["2015-03-18"])
        XCTAssertEqual(doc.texts("dc:rights"), ["开放 open", "非密 unclassified"])

        let record = try XCTUnwrap(doc.all("lantai:record").first)
        XCTAssertEqual(record.uri, METSDescription.namespace)
        XCTAssertEqual(record.attribute(forName: "level")?.stringValue, "item")
        let fields = (record.children ?? []).compactMap { $0.localName }
        XCTAssertEqual(fields, ["fonds", "category", "archivalCode", "title", "creator", "documentNumber", "date", "year",
                                "retention", "organisation", "pages", "classification", "accessStatus", "carrier",
                                "subjects", "notes", "location"])
        XCTAssertEqual(doc.texts("lantai:documentNumber"), ["宁档〔2015〕12号"])
        XCTAssertEqual(doc.texts("lantai:year"), ["2015"])
        XCTAssertEqual(doc.texts("lantai:pages"), ["12"])
        XCTAssertEqual(doc.texts("lantai:subject"), ["档案工作", "通知"])
        XCTAssertEqual(doc.texts("lantai:location"), ["3号库 12架"])

        // amdSec with the PREMIS document.
        XCTAssertEqual(doc.attribute("ID", of: "mets:digiprovMD"), "DIGIPROV-PREMIS-1")
        XCTAssertEqual(doc.attribute("version", of: "premis:premis"), "3.0")
        XCTAssertEqual(doc.all("premis:event").count, 6)

        // fileSec: SHA-512 in lower case, relative href, IRI-encoded.
        XCTAssertEqual(doc.attributes("ID", of: "mets:file"), ["FILE-1", "FILE-2"])
        XCTAssertEqual(doc.attributes("CHECKSUMTYPE", of: "mets:file"), ["SHA-512", "SHA-512"])
        XCTAssertEqual(doc.attributes("CHECKSUM", of: "mets:file"), [METSFixture.sha512A, METSFixture.sha512B])
        XCTAssertEqual(doc.attributes("SIZE", of: "mets:file"), ["123456", "2048"])
        XCTAssertEqual(doc.attributes("MIMETYPE", of: "mets:file"), ["application/pdf", "application/ofd"])
        XCTAssertEqual(doc.attributes("LOCTYPE", of: "mets:FLocat"), ["URL", "URL"])
        XCTAssertEqual(doc.attributes("xlink:href", of: "mets:FLocat"), ["data/会议纪要.pdf", "data/附件%201%20&%202.ofd"])
        XCTAssertEqual(doc.attribute("USE", of: "mets:fileGrp"), "original")

        // structMap: the item div (described, with the PREMIS) and a div per file.
        let divs = doc.all("mets:div")
        guard divs.count == 3 else { return XCTFail("expected 3 divs, got \(divs.count)") }
        XCTAssertEqual(divs[0].attribute(forName: "TYPE")?.stringValue, "item")
        XCTAssertEqual(divs[0].attribute(forName: "DMDID")?.stringValue, "DMD-DC-1 DMD-DAT18-1")
        XCTAssertEqual(divs[0].attribute(forName: "ADMID")?.stringValue, "DIGIPROV-PREMIS-1")
        XCTAssertEqual(divs[0].attribute(forName: "LABEL")?.stringValue, "关于2015年档案工作的通知")
        XCTAssertEqual(divs[1].attribute(forName: "LABEL")?.stringValue, "会议纪要.pdf")
        XCTAssertEqual(divs[2].attribute(forName: "LABEL")?.stringValue, "附件 1 & 2.ofd")
        XCTAssertEqual(doc.attributes("FILEID", of: "mets:fptr"), ["FILE-1", "FILE-2"])
    }

    func testFileLevelUnitWithItemsAndFileGroups() throws {
        var itemA = METSFixture.description(title: "通知")
        itemA.archivalCode = "J012-WS·2015-Y-BGS-0001-001"
        var itemB = METSFixture.description(title: "附件")
        itemB.archivalCode = "J012-WS·2015-Y-BGS-0001-002"
        var dossier = METSFixture.description(title: "2015年档案工作文件")
        dossier.level = "file"
        let root = METSDivision(description: dossier, children: [
            METSDivision(description: itemA, files: [
                METSFixture.fileA,
                METSFile(path: "access/会议纪要.pdf", mimeType: "application/pdf", size: 10, checksum: METSFixture.sha512B, use: "access"),
            ]),
            METSDivision(description: itemB, files: [METSFixture.fileB]),
        ])
        let mets = METSDocument(objectID: dossier.archivalCode, createDate: METSFixture.created,
                                lastModified: METSFixture.created.addingTimeInterval(60), root: root)
        let xml = try mets.xml()
        try METSXMLValidator.assertValid(schema: "mets", xml)

        let doc = try METSParsedXML(xml)
        XCTAssertEqual(doc.attributes("ID", of: "mets:dmdSec"),
                       ["DMD-DC-1", "DMD-DAT18-1", "DMD-DC-2", "DMD-DAT18-2", "DMD-DC-3", "DMD-DAT18-3"])
        XCTAssertEqual(doc.attributes("USE", of: "mets:fileGrp"), ["original", "access"])
        XCTAssertEqual(doc.all("mets:amdSec").count, 0)
        let divs = doc.all("mets:div")
        guard divs.count == 6 else { return XCTFail("expected 6 divs, got \(divs.count)") }
        XCTAssertEqual(divs.compactMap { $0.attribute(forName: "TYPE")?.stringValue },
                       ["file", "item", "digital-file", "digital-file", "item", "digital-file"])
        XCTAssertEqual(divs[1].attribute(forName: "DMDID")?.stringValue, "DMD-DC-2 DMD-DAT18-2")
        XCTAssertEqual(divs[4].attribute(forName: "ORDER")?.stringValue, "2")
        // fptrs point at the right files whatever group they are in.
        XCTAssertEqual(doc.attributes("FILEID", of: "mets:fptr"), ["FILE-1", "FILE-2", "FILE-3"])
        let groups = doc.all("mets:fileGrp")
        XCTAssertEqual(groups.dropFirst().first?.children?.compactMap { ($0 as? XMLElement)?.attribute(forName: "ID")?.stringValue }, ["FILE-2"])
        XCTAssertEqual(doc.attribute("LASTMODDATE", of: "mets:metsHdr"), "2023-11-14T22:14:20Z")
    }

    // MARK: Escaping

    /// Every kind of troublesome character in every kind of place: element text, attributes,
    /// paths, the DA/T 18 block, the wrapped PREMIS.
    func testNastyStringsStayValidAndRoundTrip() throws {
        let specials = "A&B <c> \"d\" 'e' ]]> &amp; &#1;"
        let whitespace = "tab\there\r\nCRLF\rCR\nLF"
        let controls = "nul\u{0}bel\u{7}bs\u{8}vt\u{B}ff\u{C}esc\u{1B}us\u{1F}nonchar\u{FFFE}\u{FFFF}end"
        let c1 = "del\u{7F}nel\u{85}csi\u{9B}"
        let unicode = "豈更車 (U+F900…) 𠀀𪚥 👩‍👩‍👧 e\u{301} \u{202E}rtl\u{202C} \u{FEFF}bom 〔2015〕"
        let title = [specials, whitespace, controls, c1, unicode].joined(separator: " | ")

        var description = METSFixture.description(title: title, notes: controls + whitespace)
        description.subjects = [specials, unicode]
        description.creator = c1
        let files = [
            METSFile(path: "data/#1 ?q=1 %20 [x] {y} <z> \"q\" 'a'.pdf", mimeType: "application/pdf", size: 1,
                     checksum: METSFixture.sha512A, label: title),
            METSFile(path: "data/a:b\\c\u{7F}\u{85}\u{202E}\u{E000}𠀀.txt", mimeType: "text/plain; charset=\"utf-8\"", size: 2,
                     checksum: METSFixture.sha512B),
        ]
        var mets = METSFixture.mets(description: description, files: files)
        mets.agents.append(.individual(specials + whitespace))
        mets.premis?.objects[0].originalName = title
        mets.premis?.events[0].detail = title
        mets.premis?.events[0].outcomeDetails = [controls, specials]
        mets.premis?.agents[2].name = unicode
        let xml = try mets.xml()

        // Nothing XML 1.0 forbids is in the output, as a character or as a reference.
        XCTAssertNil(XMLMarkup.firstDisallowedScalar(in: xml))
        for ref in ["&#0;", "&#1;", "&#x1;", "&#7;", "&#x1B;", "&#xFFFE;"] {
            XCTAssertFalse(xml.contains(ref), ref)  // the literal "&#1;" in the input is written as "&amp;#1;"
        }
        try METSXMLValidator.assertValid(schema: "mets", xml)
        try METSXMLValidator.assertValid(schema: "premis", try mets.premis!.xml())

        // Read back by libxml2: everything allowed survives exactly (CR, tab and LF included,
        // in text and in attributes); forbidden characters became U+FFFD.
        let expectedControls = "nul\u{FFFD}bel\u{FFFD}bs\u{FFFD}vt\u{FFFD}ff\u{FFFD}esc\u{FFFD}us\u{FFFD}nonchar\u{FFFD}\u{FFFD}end"
        let expectedTitle = [specials, whitespace, expectedControls, c1, unicode].joined(separator: " | ")
        let doc = try METSParsedXML(xml)
        XCTAssertEqual(scalars(doc.texts("dc:title").first), scalars(expectedTitle))
        XCTAssertEqual(scalars(doc.texts("lantai:title").first), scalars(expectedTitle))
        XCTAssertEqual(scalars(doc.texts("lantai:notes").first), scalars(expectedControls + whitespace))
        XCTAssertEqual(scalars(doc.texts("lantai:creator").first), scalars(c1))
        XCTAssertEqual(doc.texts("lantai:subject").map(scalars), [specials, unicode].map(scalars))
        XCTAssertEqual(scalars(doc.attribute("LABEL", of: "mets:mets")), scalars(expectedTitle))
        XCTAssertEqual(scalars(doc.all("mets:div").dropFirst().first?.attribute(forName: "LABEL")?.stringValue), scalars(expectedTitle))
        XCTAssertEqual(scalars(doc.texts("mets:name").last), scalars(specials + whitespace))
        XCTAssertEqual(scalars(doc.texts("premis:originalName").first), scalars(expectedTitle))
        XCTAssertEqual(doc.texts("premis:eventOutcomeDetailNote").prefix(2).map(scalars), [expectedControls, specials].map(scalars))
        XCTAssertEqual(doc.attributes("MIMETYPE", of: "mets:file").last, "text/plain; charset=\"utf-8\"")

        // Paths: URI-unsafe ASCII percent-encoded, CJK kept, C1/bidi/private-use encoded.
        XCTAssertEqual(doc.attributes("xlink:href", of: "mets:FLocat"), [
            "data/%231%20%3Fq=1%20%2520%20%5Bx%5D%20%7By%7D%20%3Cz%3E%20%22q%22%20'a'.pdf",
            "data/a%3Ab%5Cc%7F%C2%85%E2%80%AE%EE%80%80𠀀.txt",
        ])
        // Whitespace and quotes in attributes are written as references, so they survive.
        XCTAssertTrue(xml.contains("tab&#9;here&#13;&#10;CRLF&#13;CR&#10;LF"))
        XCTAssertTrue(xml.contains("&quot;d&quot; &apos;e&apos; ]]&gt; &amp;amp; &amp;#1;"))
    }

    private func scalars(_ s: String?) -> [UInt32] { (s ?? "<nil>").unicodeScalars.map(\.value) }

    // MARK: Determinism

    func testSameInputGivesSameBytes() throws {
        let a = try METSFixture.mets().xmlData()
        let b = try METSFixture.mets().xmlData()
        XCTAssertEqual(a, b)
        XCTAssertEqual(try METSFixture.premis().xmlData(), try METSFixture.premis().xmlData())
        // Across copies and repeated rendering of one value too.
        let doc = METSFixture.mets()
        let copy = doc
        XCTAssertEqual(try doc.xml(), try copy.xml())
        // And the bytes track the content: a one-character change changes the document.
        XCTAssertNotEqual(a, try METSFixture.mets(description: METSFixture.description(title: "关于2015年档案工作的通知。")).xmlData())
        // Independent digests agree (sha256sum of two separate writes).
        if let sha = OutsideTool.path("sha256sum") {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-mets-det-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try a.write(to: dir.appendingPathComponent("a.xml"))
            try b.write(to: dir.appendingPathComponent("b.xml"))
            let r = try OutsideTool.run(sha, [dir.appendingPathComponent("a.xml").path, dir.appendingPathComponent("b.xml").path])
            let sums = r.output.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" }
            XCTAssertEqual(sums.count, 2, r.output)
            XCTAssertEqual(sums.first, sums.last, r.output)
        }
    }

    // MARK: Refused input

    func testRefusesWhatCannotBeValid() {
        func refuses(_ files: [METSFile], _ field: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try METSFixture.mets(files: files).xml(), file: file, line: line) { error in
                let e = error as? PreservationMetadataError
                XCTAssertNotNil(e, "\(error)", file: file, line: line)
                XCTAssertTrue(e?.field.hasPrefix(field) ?? false, "\(error)", file: file, line: line)
            }
        }
        let a = METSFixture.fileA
        refuses([METSFile(path: "/etc/passwd")], "mets.files[0].path")
        refuses([METSFile(path: "data/../../escape.pdf")], "mets.files[0].path")
        refuses([METSFile(path: "data//x.pdf")], "mets.files[0].path")
        refuses([METSFile(path: "")], "mets.files[0].path")
        refuses([a, a], "mets.files[1].path")
        refuses([METSFile(path: "a.pdf", checksum: "abc")], "mets.files[0].checksum")
        refuses([METSFile(path: "a.pdf", checksum: METSFixture.sha256A)], "mets.files[0].checksum")  // SHA-256 length, SHA-512 type
        refuses([METSFile(path: "a.pdf", size: -5)], "mets.files[0].size")
        XCTAssertNoThrow(try METSFixture.mets(files: [METSFile(path: "a.pdf", checksum: METSFixture.sha256A, checksumType: .sha256)]).xml())

        var mets = METSFixture.mets()
        mets.objectID = "J012\u{0}"
        XCTAssertThrowsError(try mets.xml())
        mets = METSFixture.mets()
        mets.premis?.objects = []
        XCTAssertThrowsError(try mets.xml()) { XCTAssertEqual(($0 as? PreservationMetadataError)?.field, "premis.objects") }
    }

    func testMinimalDocumentValidates() throws {
        // No description, no files, no PREMIS: still a valid METS document (structMap is required).
        let mets = METSDocument(objectID: "x", createDate: METSFixture.created, root: METSDivision())
        let xml = try mets.xml()
        XCTAssertTrue(xml.contains("<mets:div ID=\"DIV-1\" TYPE=\"item\"/>"), xml)
        try METSXMLValidator.assertValid(schema: "mets", xml)
    }
}

final class METSXMLMarkupTests: XCTestCase {
    func testExactSerialisation() throws {
        var root = XMLMarkup.Element("a:root", ["xmlns:a": "urn:x", "k": "v&\"<", "skipped": nil])
        root.append("a:text", text: "x < y & z > w \"q\" 'a'")
        root.append(XMLMarkup.Element("a:empty"))
        root.append("a:blank", text: "")
        var nested = XMLMarkup.Element("a:nested")
        nested.append("a:leaf", ["n": "1"], text: "叶")
        root.append(nested)
        root.append(XMLMarkup.Element("a:mixed", children: [.text("t1 "), .element(XMLMarkup.Element("a:b", text: "bold")), .text(" t2")]))
        let expected = """
        <?xml version="1.0" encoding="UTF-8"?>
        <a:root xmlns:a="urn:x" k="v&amp;&quot;&lt;">
          <a:text>x &lt; y &amp; z &gt; w "q" 'a'</a:text>
          <a:empty/>
          <a:blank/>
          <a:nested>
            <a:leaf n="1">叶</a:leaf>
          </a:nested>
          <a:mixed>t1 <a:b>bold</a:b> t2</a:mixed>
        </a:root>

        """
        XCTAssertEqual(try XMLMarkup.document(root), expected)
    }

    func testEscaping() {
        XCTAssertEqual(XMLMarkup.escapeText("a\u{0}b\u{1F}c\u{FFFE}d\u{FFFF}"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}")
        XCTAssertEqual(XMLMarkup.escapeText("\t\n\r"), "\t\n&#13;")
        XCTAssertEqual(XMLMarkup.escapeAttribute("\t\n\r"), "&#9;&#10;&#13;")
        XCTAssertEqual(XMLMarkup.escapeText("\u{7F}\u{85}\u{9F}"), "&#x7F;&#x85;&#x9F;")
        XCTAssertEqual(XMLMarkup.escapeText("]]>"), "]]&gt;")
        XCTAssertEqual(XMLMarkup.escapeAttribute("'\""), "&apos;&quot;")
        XCTAssertEqual(XMLMarkup.escapeText("兰台 𠀀 豈"), "兰台 𠀀 豈")  // untouched, not normalised
        XCTAssertEqual(XMLMarkup.escapeText("e\u{301}").unicodeScalars.count, 2)
        XCTAssertTrue(XMLMarkup.isAllowed("\u{10FFFF}"))
        XCTAssertFalse(XMLMarkup.isAllowed("\u{FFFE}"))
        XCTAssertFalse(XMLMarkup.isAllowed("\u{B}"))
    }

    func testRejectsBadNames() {
        XCTAssertThrowsError(try XMLMarkup.document(XMLMarkup.Element("1bad")))
        XCTAssertThrowsError(try XMLMarkup.document(XMLMarkup.Element("a:b:c")))
        XCTAssertThrowsError(try XMLMarkup.document(XMLMarkup.Element("ok", ["bad name": "v"])))
        var dup = XMLMarkup.Element("ok", ["x": "1"])
        dup.attributes.append(.init("x", "2"))
        XCTAssertThrowsError(try XMLMarkup.document(dup))
        XCTAssertTrue(XMLMarkup.isNCName("FILE-1"))
        XCTAssertFalse(XMLMarkup.isNCName("-x"))
    }

    func testHrefEncoding() {
        XCTAssertEqual(METSFile.hrefEncode("content/会议 纪要.pdf"), "content/会议%20纪要.pdf")
        XCTAssertEqual(METSFile.hrefEncode("100%.txt"), "100%25.txt")
        XCTAssertEqual(METSFile.hrefEncode("c:x"), "c%3Ax")
        XCTAssertEqual(METSFile.hrefEncode("a\nb"), "a%0Ab")
        XCTAssertEqual(METSFile.hrefEncode("\u{3000}"), "\u{3000}")  // ideographic space is an IRI ucschar
    }
}
