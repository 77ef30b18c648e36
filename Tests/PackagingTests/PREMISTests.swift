import Foundation
import XCTest
@testable import Packaging

final class PREMISTests: XCTestCase {
    // MARK: Outside validator

    func testStandalonePREMISValidatesAgainstOfficialSchema() throws {
        let xml = try METSFixture.premis().xml()
        try METSXMLValidator.assertValid(schema: "premis", xml)
    }

    func testNegativeControlWrongElementIsRejected() throws {
        let xml = try METSFixture.premis().xml()
        // eventDateTime renamed: the schema requires eventDateTime after eventType.
        let bad = METSFixture.replaceOnce("<premis:eventDateTime>2023-11-14T22:13:21Z</premis:eventDateTime>",
                                          with: "<premis:eventDate>2023-11-14T22:13:21Z</premis:eventDate>", in: xml)
        let output = try METSXMLValidator.assertInvalid(schema: "premis", bad)
        XCTAssertTrue(output.contains("eventDate"), output)
    }

    func testNegativeControlBadSizeAndMissingVersionAreRejected() throws {
        let xml = try METSFixture.premis().xml()
        try METSXMLValidator.assertInvalid(
            schema: "premis", METSFixture.replaceOnce("<premis:size>2048</premis:size>", with: "<premis:size>2 KB</premis:size>", in: xml))
        try METSXMLValidator.assertInvalid(
            schema: "premis", METSFixture.replaceOnce(" version=\"3.0\">", with: ">", in: xml))
        // A METS document is not a PREMIS document, even though both are valid XML.
        try METSXMLValidator.assertInvalid(schema: "premis", try METSFixture.mets().xml())
    }

    // MARK: Content

    func testDocumentShape() throws {
        let xml = try METSFixture.premis().xml()
        XCTAssertTrue(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<premis:premis xmlns:premis=\"http://www.loc.gov/premis/v3\""), xml)
        XCTAssertTrue(xml.contains(" version=\"3.0\">"))
        XCTAssertTrue(xml.hasSuffix("</premis:premis>\n"))

        let doc = try METSParsedXML(xml)
        XCTAssertEqual(doc.all("premis:object").count, 2)
        XCTAssertEqual(doc.all("premis:event").count, 6)
        XCTAssertEqual(doc.all("premis:agent").count, 3)
        XCTAssertEqual(doc.attribute("xsi:type", of: "premis:object"), "premis:file")

        // Fixity: SHA-256 and SHA-512 with LoC URIs, SM3 plain; digests in lower case.
        XCTAssertEqual(doc.texts("premis:messageDigestAlgorithm").prefix(3), ["SHA-256", "SHA-512", "SM3"])
        XCTAssertTrue(xml.contains(#"valueURI="http://id.loc.gov/vocabulary/preservation/cryptographicHashFunctions/sha512">SHA-512<"#))
        XCTAssertTrue(xml.contains("<premis:messageDigestAlgorithm>SM3</premis:messageDigestAlgorithm>"))
        XCTAssertEqual(doc.texts("premis:messageDigest").first, METSFixture.sha256A)
        XCTAssertEqual(doc.texts("premis:messageDigestOriginator"), ["Lantai"])
        XCTAssertEqual(doc.texts("premis:size"), ["123456", "2048"])

        // Format: name + PRONOM key for the PDF/A, name only for the OFD.
        XCTAssertEqual(doc.texts("premis:formatName"), ["Acrobat PDF/A - Portable Document Format", "OFD"])
        XCTAssertEqual(doc.texts("premis:formatRegistryName"), ["PRONOM"])
        XCTAssertEqual(doc.texts("premis:formatRegistryKey"), ["fmt/354"])
        XCTAssertEqual(doc.texts("premis:originalName"), ["会议纪要.pdf", "附件 1 & 2.ofd"])
        XCTAssertTrue(xml.contains("<premis:originalName>附件 1 &amp; 2.ofd</premis:originalName>"))

        // Events: LoC URIs for vocabulary types, plain string otherwise.
        XCTAssertEqual(doc.texts("premis:eventType"), ["ingestion", "fixity check", "format identification",
                                                       "virus check", "accession", "replication to district node"])
        for code in ["ing", "fix", "for", "vir", "acc"] {
            XCTAssertTrue(xml.contains("valueURI=\"http://id.loc.gov/vocabulary/preservation/eventType/\(code)\""), code)
        }
        XCTAssertTrue(xml.contains("<premis:eventType>replication to district node</premis:eventType>"))
        XCTAssertEqual(doc.texts("premis:eventIdentifierType"), Array(repeating: "UUID", count: 6))
        XCTAssertEqual(doc.texts("premis:eventIdentifierValue").first, "00000000-0000-4000-8000-000000000001")
        XCTAssertEqual(doc.texts("premis:eventDateTime").first, "2023-11-14T22:13:21Z")
        XCTAssertEqual(doc.texts("premis:eventOutcome"), ["success", "success", "warning", "success", "success", "fail"])
        XCTAssertTrue(xml.contains(#"valueURI="http://id.loc.gov/vocabulary/preservation/eventOutcome/fai">fail<"#))
        XCTAssertTrue(doc.texts("premis:eventOutcomeDetailNote").contains("附件 1 & 2.ofd: OFD has no PRONOM PUID"))
        XCTAssertEqual(doc.texts("premis:linkingAgentRole").first, "executing program")
        XCTAssertEqual(doc.texts("premis:linkingObjectRole").first, "source")

        // Agents: software with version, organisation, person.
        XCTAssertEqual(doc.texts("premis:agentName"), ["Lantai", "南京市档案馆", "王芳"])
        XCTAssertEqual(doc.texts("premis:agentType"), ["software", "organization", "person"])
        XCTAssertEqual(doc.texts("premis:agentVersion"), ["1.0.0"])
    }

    func testEventTypeVocabulary() {
        XCTAssertEqual(PREMISEventType(loc: "vir"), .virusCheck)
        XCTAssertEqual(PREMISEventType(loc: "fixity check"), .fixityCheck)
        XCTAssertEqual(PREMISEventType(loc: "mig")?.value, "migration")
        XCTAssertEqual(PREMISEventType.deletion.term.valueURI, "http://id.loc.gov/vocabulary/preservation/eventType/del")
        XCTAssertEqual(PREMISEventType.replication.term.valueURI, "http://id.loc.gov/vocabulary/preservation/eventType/rep")
        XCTAssertNil(PREMISEventType(loc: "bogus"))
        let plain: PREMISEventType = "四性检测"
        XCTAssertNil(plain.term.valueURI)
        XCTAssertEqual(Set(PREMISEventType.locTerms.map(\.0)).count, PREMISEventType.locTerms.count)
    }

    func testDateTimes() {
        XCTAssertEqual(XMLDateTime.string(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00Z")
        XCTAssertEqual(XMLDateTime.string(Date(timeIntervalSince1970: 1_700_000_000.25)), "2023-11-14T22:13:20.250Z")
        XCTAssertEqual(XMLDateTime.string(Date(timeIntervalSince1970: -0.5)), "1969-12-31T23:59:59.500Z")
        XCTAssertEqual(XMLDateTime.string(Date(timeIntervalSince1970: 1_709_251_199)), "2024-02-29T23:59:59Z")
        XCTAssertEqual(XMLDateTime.string(Date(timeIntervalSince1970: 951_825_600)), "2000-02-29T12:00:00Z")
        // Proleptic Gregorian, as xs:dateTime: no Julian dates before 1582.
        XCTAssertEqual(XMLDateTime.string(Date(timeIntervalSince1970: -14_826_672_000)), "1500-03-01T00:00:00Z")
        XCTAssertEqual(XMLDateTime.string(Date(timeIntervalSince1970: -62_135_596_800)), "0001-01-01T00:00:00Z")
        // Out of range or not finite: clamped to a valid value rather than crashing.
        XCTAssertEqual(XMLDateTime.string(Date(timeIntervalSince1970: -1e15)), "0001-01-01T00:00:00Z")
        XCTAssertEqual(XMLDateTime.string(Date(timeIntervalSince1970: .infinity)), "9999-12-31T23:59:59.999Z")
        // Agrees with Foundation's formatter over a spread of modern dates.
        let iso = ISO8601DateFormatter()
        iso.timeZone = TimeZone(identifier: "UTC")
        for t in stride(from: 0.0, to: 4_102_444_800.0, by: 86_400.0 * 37.3 + 3_601.0) {
            let date = Date(timeIntervalSince1970: t.rounded(.down))
            XCTAssertEqual(XMLDateTime.string(date), iso.string(from: date))
        }
    }

    // MARK: Refused input

    func testRefusesWhatCannotBeValid() {
        func refuses(_ doc: PREMISDocument, _ field: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try doc.xml(), file: file, line: line) { error in
                let e = error as? PreservationMetadataError
                XCTAssertNotNil(e, "\(error)", file: file, line: line)
                XCTAssertTrue(e?.field.hasPrefix(field) ?? false, "\(error)", file: file, line: line)
            }
        }
        let good = METSFixture.premis()
        XCTAssertNoThrow(try good.xml())

        refuses(PREMISDocument(objects: [], events: good.events, agents: good.agents), "premis.objects")
        var d = good
        d.objects[0].fixity[1].digest = "abc"
        refuses(d, "premis.objects[0].fixity[1]")
        d = good
        d.objects[0].fixity[2].digest = String(repeating: "g", count: 64)
        refuses(d, "premis.objects[0].fixity[2]")
        d = good
        d.objects[1].size = -1
        refuses(d, "premis.objects[1].size")
        d = good
        d.objects[1].identifier = d.objects[0].identifier
        refuses(d, "premis.objects[1].identifier")
        d = good
        d.objects[0].format.puid = "PDF/A"
        refuses(d, "premis.objects[0].format.puid")
        d = good
        d.objects[0].identifier = .local("a\u{1}b")
        refuses(d, "premis.objects[0].identifier")
        d = good
        d.events[2].identifier = d.events[1].identifier
        refuses(d, "premis.events[2].identifier")
        d = good
        d.agents[0].identifier.value = "  "
        refuses(d, "premis.agents[0].identifier")
        XCTAssertTrue(PREMISFormat.isPUID("x-fmt/111"))
        XCTAssertTrue(PREMISFormat.isPUID("fmt/1234"))
        XCTAssertFalse(PREMISFormat.isPUID("fmt/"))
        XCTAssertFalse(PREMISFormat.isPUID("FMT/12"))
    }

    func testUnidentifiedFormatStillValid() throws {
        var doc = METSFixture.premis()
        doc.objects[1].format = PREMISFormat(name: "")
        doc.objects[0].format = PREMISFormat(name: "", puid: "fmt/354")  // registry only
        let xml = try doc.xml()
        XCTAssertTrue(xml.contains("<premis:formatName>Unknown</premis:formatName>"))
        try METSXMLValidator.assertValid(schema: "premis", xml)
    }
}
