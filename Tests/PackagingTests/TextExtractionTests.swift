import Foundation
import XCTest
@testable import Packaging

/// Full-text extraction: documents made by other writers (Python's zipfile for DOCX and OFD
/// packages, Python's codecs for GB18030 and UTF-16), PDF through poppler's pdftotext.
final class TextExtractionTests: ArchiveTestCase {
    // MARK: Plain text

    func testPlainTextInTheEncodingsAgenciesUse() throws {
        let text = "关于做好2015年档案移交工作的通知\n各科室：请于三月底前完成移交。𠀀\n"
        for (encoding, expectBOMStripped) in [("utf-8", false), ("utf-8-sig", true), ("utf-16", true), ("gb18030", false)] {
            let file = url("notice-\(encoding).txt")
            try py("open(sys.argv[1], 'wb').write(sys.argv[2].encode(sys.argv[3]))", file.path, text, encoding)
            let r = TextExtractor.extract(file: file, format: .plainText)
            XCTAssertEqual(r.text, text.trimmingCharacters(in: .whitespacesAndNewlines), "\(encoding) (BOM stripped: \(expectBOMStripped))")
            XCTAssertFalse(r.truncated)
            XCTAssertNil(r.reason)
        }
        // GB18030 really is different bytes from UTF-8 here, so the decoder did work.
        XCTAssertNotEqual(try read(url("notice-gb18030.txt")), try read(url("notice-utf-8.txt")))
    }

    func testPlainTextIsCappedAtACharacterBoundary() throws {
        let file = url("long.txt")
        try py("open(sys.argv[1], 'wb').write(('档案' * 1000).encode('gb18030'))", file.path)
        let r = TextExtractor.extract(file: file, format: .plainText, options: .init(maxTextBytes: 100))
        XCTAssertTrue(r.truncated)
        XCTAssertEqual(r.text, String(repeating: "档案", count: 16) + "档")   // 33 characters of 3 bytes
        XCTAssertLessThanOrEqual(r.text?.utf8.count ?? 0, 100)
    }

    func testBinaryIsNotText() throws {
        let file = url("noise.bin")
        try Data([0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00, 0xFF, 0xFF, 0x80, 0x80]).dropFirst(2).write(to: file)
        let r = TextExtractor.extract(file: file, format: .plainText)
        XCTAssertNil(r.text)
        XCTAssertNotNil(r.reason)
    }

    // MARK: DOCX

    func testDOCXParagraphsTabsAndBreaksWithoutFallbackDuplicates() throws {
        let file = url("通知.docx")
        try py(#"""
        W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'
        body = f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:document xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
          xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml">
         <w:body>
          <w:p><w:r><w:t>关于印发</w:t></w:r><w:r><w:t xml:space="preserve">《档案工作要点》</w:t></w:r><w:r><w:t>的通知</w:t></w:r></w:p>
          <w:p><w:r><w:t>各科室：</w:t><w:tab/><w:t>请遵照执行。</w:t><w:br/><w:t>第二行</w:t></w:r>
               <w:del><w:r><w:delText>删除的文字</w:delText></w:r></w:del></w:p>
          <w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>
               <w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>
               <mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback>
               </mc:AlternateContent></w:r></w:p>
          <w:sectPr/>
         </w:body>
        </w:document>'''
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
            z.writestr('_rels/.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>')
            z.writestr('word/document.xml', body)
            z.writestr('word/media/image1.png', os.urandom(300000), compress_type=zipfile.ZIP_STORED)
        """#, file.path)
        let r = TextExtractor.extract(file: file, format: .docx)
        XCTAssertEqual(r.text, "关于印发《档案工作要点》的通知\n各科室：\t请遵照执行。\n第二行\n文本框")
        XCTAssertNil(r.reason)

        let capped = TextExtractor.extract(file: file, format: .docx, options: .init(maxTextBytes: 10))
        XCTAssertEqual(capped.text, "关于印")
        XCTAssertTrue(capped.truncated)

        // A part that would inflate past the cap is refused, not read.
        let big = TextExtractor.extract(file: file, format: .docx, options: .init(maxPartBytes: 200))
        XCTAssertNil(big.text)
        XCTAssertTrue(big.reason?.contains("word/document.xml") == true, big.reason ?? "")
    }

    func testNotADOCX() throws {
        let zip = url("other.zip")
        try py("zipfile.ZipFile(sys.argv[1], 'w').writestr('a.txt', 'x')", zip.path)
        XCTAssertEqual(TextExtractor.extract(file: zip, format: .docx).reason, "no word/document.xml: not a word processing document")
        let text = url("plain.txt")
        try Data("not a zip".utf8).write(to: text)
        XCTAssertNil(TextExtractor.extract(file: text, format: .docx).text)
        XCTAssertNil(TextExtractor.extract(file: text, format: .ofd).text)
    }

    // MARK: OFD

    func testOFDPagesInDocumentOrderWithLines() throws {
        let file = url("通知.ofd")
        try py(#"""
        NS = 'http://www.ofdspec.org/2016'
        def page(objects):
            body = ''.join(f'<ofd:TextObject ID="{i}" Boundary="20 {y} 170 8" Font="1" Size="4">'
                           f'<ofd:TextCode X="0" Y="6">{t}</ofd:TextCode></ofd:TextObject>' for i, (y, t) in enumerate(objects))
            return f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer ID="9">{body}</ofd:Layer></ofd:Content></ofd:Page>'
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('OFD.xml', f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD">'
                                  f'<ofd:DocBody><ofd:DocInfo><ofd:DocID>1</ofd:DocID></ofd:DocInfo><ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
            z.writestr('Doc_0/Document.xml', f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID></ofd:CommonData>'
                                             f'<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_1/Content.xml"/><ofd:Page ID="2" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>')
            # The first page in the document's order is stored as Page_1: order comes from Document.xml.
            z.writestr('Doc_0/Pages/Page_1/Content.xml', page([(30, '某市档案局'), (30, '文件'), (40, '关于档案移交的通知')]))
            z.writestr('Doc_0/Pages/Page_0/Content.xml', page([(30, '第二页正文')]))
        """#, file.path)
        let r = TextExtractor.extract(file: file, format: .ofd)
        XCTAssertEqual(r.text, "某市档案局文件\n关于档案移交的通知\n第二页正文")
        XCTAssertNil(r.reason)
    }

    func testOFDResolvesLocations() {
        XCTAssertEqual(OFDText.resolve("/Doc_0/Document.xml", base: "x"), "Doc_0/Document.xml")
        XCTAssertEqual(OFDText.resolve("Pages/Page_0/Content.xml", base: "Doc_0"), "Doc_0/Pages/Page_0/Content.xml")
        XCTAssertEqual(OFDText.resolve("../Res/p.xml", base: "Doc_0/Pages"), "Doc_0/Res/p.xml")
    }

    // MARK: XML

    func testXMLTextNodes() throws {
        let file = url("纪要.xml")
        try Data("""
        <?xml version="1.0" encoding="UTF-8"?>
        <公文><题名>会议纪要</题名><日期>2015-05-20</日期><正文><段>会议决定：</段><段>一、<![CDATA[加强档案工作]]>。</段></正文></公文>
        """.utf8).write(to: file)
        XCTAssertEqual(TextExtractor.text(of: file, format: .xml), "会议纪要\n2015-05-20\n会议决定：\n一、加强档案工作。")
        try Data("<a><b>kept</b><c>".utf8).write(to: file)
        let partial = TextExtractor.extract(file: file, format: .xml)
        XCTAssertEqual(partial.text, "kept")
        XCTAssertTrue(partial.reason?.hasPrefix("partial text") == true, partial.reason ?? "")
    }

    // MARK: PDF

    func testPDFThroughPdftotext() throws {
        guard PDFText.findTool("pdftotext") != nil else {
            throw XCTSkip("pdftotext is not installed (apt-get install poppler-utils)")
        }
        let file = url("notice.pdf")
        try Data(Self.pdf(lines: ["Archives transfer notice", "Second page"])).write(to: file)
        let r = TextExtractor.extract(file: file, format: .pdf)
        XCTAssertEqual(r.text?.split(whereSeparator: \.isNewline).map(String.init), ["Archives transfer notice", "Second page"])
        XCTAssertNil(r.reason)

        let capped = TextExtractor.extract(file: file, format: .pdf, options: .init(maxTextBytes: 8))
        XCTAssertEqual(capped.text, "Archives")
        XCTAssertTrue(capped.truncated)

        let broken = url("broken.pdf")
        try Data("%PDF-1.4\nthis is not a PDF body".utf8).write(to: broken)
        let b = TextExtractor.extract(file: broken, format: .pdf)
        XCTAssertNil(b.text)
        XCTAssertNotNil(b.reason)
    }

    func testPDFWithoutTheTool() throws {
        let file = url("x.pdf")
        try Data(Self.pdf(lines: ["x"])).write(to: file)
        let r = TextExtractor.extract(file: file, format: .pdf, options: .init(pdftotextPath: scratch.appendingPathComponent("no-such-tool").path))
        XCTAssertNil(r.text)
        XCTAssertTrue(r.reason?.contains("cannot run") == true, r.reason ?? "")
    }

    func testFormatFromMIME() {
        XCTAssertEqual(TextExtractor.Format(mime: "application/pdf"), .pdf)
        XCTAssertEqual(TextExtractor.Format(mime: "text/xml"), .xml)
        XCTAssertEqual(TextExtractor.Format(mime: "application/ofd"), .ofd)
        XCTAssertEqual(TextExtractor.Format(mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), .docx)
        XCTAssertEqual(TextExtractor.Format(mime: "TEXT/PLAIN"), .plainText)
        XCTAssertNil(TextExtractor.Format(mime: "image/png"))
    }

    /// A PDF 1.4 with one page per line of Helvetica text and a correct cross-reference table.
    static func pdf(lines: [String]) -> [UInt8] {
        var objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
        var kids: [String] = []
        for line in lines {
            let page = objects.count + 1
            kids.append("\(page) 0 R")
            let stream = "BT /F1 18 Tf 72 720 Td (\(line)) Tj ET"
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 \(page + 2) 0 R >> >> /Contents \(page + 1) 0 R >>")
            objects.append("<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream")
            objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        }
        objects[1] = "<< /Type /Pages /Kids [\(kids.joined(separator: " "))] /Count \(lines.count) >>"
        var bytes = Array("%PDF-1.4\n".utf8)
        var offsets: [Int] = []
        for (i, body) in objects.enumerated() {
            offsets.append(bytes.count)
            bytes += Array("\(i + 1) 0 obj\n\(body)\nendobj\n".utf8)
        }
        let xref = bytes.count
        var tail = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets { tail += String(repeating: "0", count: 10 - String(o).count) + "\(o) 00000 n \n" }
        tail += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return bytes + Array(tail.utf8)
    }
}
