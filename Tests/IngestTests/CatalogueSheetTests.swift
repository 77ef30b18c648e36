import ArchiveKit
import Foundation
import XCTest
@testable import Ingest

/// The catalogue sheet reader on its own: RFC 4180, encodings, headers, Dublin Core; and the
/// streaming signature scanner.
final class CatalogueSheetTests: XCTestCase {
    func testRFC4180QuotedFieldsNewlinesAndCRLF() throws {
        let csv = "title,path,notes\r\n"
            + "\"Minutes, part \"\"one\"\"\",a.pdf,\"line 1\r\nline 2\"\r\n"
            + "\r\n"                                   // a blank row: skipped but counted
            + "plain,b.pdf;c.pdf,\r\n"
            + "\"last\",d.pdf,\"no line end\""
        let sheet = try CatalogueSheet.read(csvBytes: Array(csv.utf8))
        XCTAssertEqual(sheet.encoding, .utf8)
        XCTAssertEqual(sheet.problems, [])
        XCTAssertEqual(sheet.entries.map(\.row), [2, 4, 5])
        XCTAssertEqual(sheet.entries[0].draft.title, "Minutes, part \"one\"")
        XCTAssertEqual(sheet.entries[0].draft.notes, "line 1\r\nline 2")
        XCTAssertEqual(sheet.entries[1].paths, ["b.pdf", "c.pdf"])
        XCTAssertNil(sheet.entries[1].draft.notes)
        XCTAssertEqual(sheet.entries[2].draft.title, "last")
        XCTAssertEqual(sheet.entries[2].draft.notes, "no line end")
    }

    func testLoneCRAndLFLineEnds() throws {
        let sheet = try CatalogueSheet.read(csvBytes: Array("title,path\ra,a.pdf\nb,b.pdf\n".utf8))
        XCTAssertEqual(sheet.entries.map(\.draft.title), ["a", "b"])
    }

    func testUTF8BOMIsStripped() throws {
        let sheet = try CatalogueSheet.read(csvBytes: [0xEF, 0xBB, 0xBF] + Array("题名,文件路径\n通知,a.pdf\n".utf8))
        XCTAssertEqual(sheet.encoding, .utf8WithBOM)
        XCTAssertEqual(sheet.columns, [.title, .path])
        XCTAssertEqual(sheet.entries.first?.draft.title, "通知")
    }

    func testGB18030IsDecodedWithIconv() throws {
        let text = "题名,保管期限,文件路径,主题词\n关于𠀀字的通知,永久,通知/甲.pdf,档案；移交\n"
        let bytes = try BagMaker.encode(text, as: "gb18030")
        XCTAssertNotEqual(bytes, Array(text.utf8))
        let sheet = try CatalogueSheet.read(csvBytes: bytes)
        XCTAssertEqual(sheet.encoding, .gb18030)
        // A four-byte GB18030 character (outside the BMP) survives.
        XCTAssertEqual(sheet.entries.first?.draft.title, "关于𠀀字的通知")
        XCTAssertEqual(sheet.entries.first?.paths, ["通知/甲.pdf"])
        XCTAssertEqual(sheet.entries.first?.draft.subjects, ["档案", "移交"])
    }

    func testUndecodableAndUTF16SheetsThrow() {
        XCTAssertThrowsError(try CatalogueSheet.read(csvBytes: [0x61, 0xFF, 0xFE, 0xFF])) { error in
            guard case CatalogueSheet.ReadError.undecodable(let e) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(e.reasonEn.contains("GB18030"))
        }
        XCTAssertThrowsError(try CatalogueSheet.read(csvBytes: [0xFF, 0xFE, 0x61, 0x00])) { error in
            XCTAssertTrue("\(error)".contains("UTF-16"))
        }
    }

    func testHeaderProblemsAreReportedNotThrown() throws {
        let csv = "题名,Title,Colour,,日期\n通知,again,red,,2015-01-01\n"
        let sheet = try CatalogueSheet.read(csvBytes: Array(csv.utf8))
        let kinds = sheet.problems.map(\.kind)
        XCTAssertTrue(kinds.contains(.duplicateColumn))
        XCTAssertTrue(kinds.contains(.unknownColumn))
        XCTAssertTrue(kinds.contains(.missingPathColumn))
        XCTAssertEqual(sheet.problems.first { $0.kind == .unknownColumn }?.column, "Colour")
        // The empty header over an empty column is harmless.
        XCTAssertEqual(sheet.problems.filter { $0.kind == .unknownColumn }.count, 1)
        XCTAssertFalse(sheet.hasPathColumn)
        XCTAssertEqual(sheet.entries.first?.draft.title, "通知")
        XCTAssertEqual(sheet.entries.first?.draft.date, "2015-01-01")
    }

    func testEnglishAndChineseHeaderSpellings() {
        XCTAssertEqual(CatalogueField(header: "Archival Code"), .archivalCode)
        XCTAssertEqual(CatalogueField(header: "archival_code"), .archivalCode)
        XCTAssertEqual(CatalogueField(header: "accessStatus"), .accessStatus)
        XCTAssertEqual(CatalogueField(header: "机构"), .organisation)
        XCTAssertEqual(CatalogueField(header: "机构或问题"), .organisation)
        XCTAssertEqual(CatalogueField(header: " 文件路径 "), .path)
        XCTAssertEqual(CatalogueField(header: "路径"), .path)
        XCTAssertEqual(CatalogueField(header: "件号"), .itemNumber)
        XCTAssertEqual(CatalogueField(header: "序号"), .sequence)
        XCTAssertNil(CatalogueField(header: "颜色"))
        for field in CatalogueField.allCases {
            XCTAssertEqual(CatalogueField(header: field.rawValue), field)
            XCTAssertEqual(CatalogueField(header: field.chinese), field)
        }
    }

    func testCellsPastTheHeaderAreAProblem() throws {
        let sheet = try CatalogueSheet.read(csvBytes: Array("title,path\na,a.pdf,stray\nb\n".utf8))
        XCTAssertEqual(sheet.problems.map(\.kind), [.extraCells, .missingCells])
        XCTAssertEqual(sheet.problems.map(\.row), [2, 3])
        XCTAssertEqual(sheet.problems.map(\.isError), [true, false])
    }

    func testUnterminatedQuoteIsReported() throws {
        let sheet = try CatalogueSheet.read(csvBytes: Array("title,path\n\"never closed,a.pdf\nb,b.pdf\n".utf8))
        XCTAssertEqual(sheet.problems.first?.kind, .unterminatedQuote)
        XCTAssertEqual(sheet.problems.first?.row, 2)
    }

    func testDateSpellingsAreNormalisedButNotJudged() {
        XCTAssertEqual(CatalogueEntry.normalisedDate("20150315"), "2015-03-15")
        XCTAssertEqual(CatalogueEntry.normalisedDate("2015/3/5"), "2015-03-05")
        XCTAssertEqual(CatalogueEntry.normalisedDate("2015.03.15"), "2015-03-15")
        XCTAssertEqual(CatalogueEntry.normalisedDate("2015年3月15日"), "2015-03-15")
        XCTAssertEqual(CatalogueEntry.normalisedDate("2015-02-30"), "2015-02-30")   // RecordDraft's to refuse
        XCTAssertEqual(CatalogueEntry.normalisedDate("March 2015"), "March 2015")
        XCTAssertEqual(CatalogueEntry.normalisedYear("2015年"), "2015")
        var draft = RecordDraft()
        draft.title = "t"
        draft.category = "WS"
        draft.retention = "永久"
        draft.date = CatalogueEntry.normalisedDate("20150230")
        guard case .failure(let f) = draft.validated() else { return XCTFail("2015-02-30 accepted") }
        XCTAssertEqual(f.errors.map(\.field), ["date"])
    }

    func testDublinCoreOAIResponse() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
          <ListRecords>
            <record>
              <header><identifier>oai:lantai:1</identifier><datestamp>2024-01-01</datestamp></header>
              <metadata>
                <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
                  <dc:title>会议纪要</dc:title>
                  <dc:creator>办公室</dc:creator>
                  <dc:date>2015</dc:date>
                  <dc:identifier>https://example.org/item/1</dc:identifier>
                  <dc:subject>会议；纪要</dc:subject>
                  <dc:subject>办公</dc:subject>
                  <dc:type>文书</dc:type>
                  <dc:source>纪要/a.pdf; 纪要/b.pdf</dc:source>
                </oai_dc:dc>
              </metadata>
            </record>
          </ListRecords>
        </OAI-PMH>
        """
        let sheet = try CatalogueSheet.read(dublinCoreData: Data(xml.utf8))
        XCTAssertEqual(sheet.format, .dublinCore)
        XCTAssertEqual(sheet.entries.count, 1)
        let e = sheet.entries[0]
        XCTAssertEqual(e.row, 1)
        XCTAssertEqual(e.draft.title, "会议纪要")
        XCTAssertEqual(e.draft.year, "2015")
        XCTAssertNil(e.draft.date)
        XCTAssertNil(e.archivalCode)           // a URL is not a 档号
        XCTAssertEqual(e.draft.subjects, ["会议", "纪要", "办公"])
        XCTAssertEqual(e.draft.category, "文书")
        XCTAssertEqual(e.paths, ["纪要/a.pdf", "纪要/b.pdf"])
        XCTAssertEqual(sheet.problems, [])
    }

    func testMalformedXMLThrows() {
        XCTAssertThrowsError(try CatalogueSheet.read(dublinCoreData: Data("<record><dc:title>x</record>".utf8))) { error in
            guard case CatalogueSheet.ReadError.malformedXML = error else { return XCTFail("\(error)") }
        }
    }

    // MARK: Signature scanning

    func testScannerFindsPatternAcrossChunkBoundaries() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        removeLater(dir)
        let file = dir.appendingPathComponent("f.bin")
        let prefix = Samples.noise(count: 1000).map { $0 == UInt8(ascii: "X") ? 0 : $0 }
        try Data(prefix + Samples.eicar + Samples.noise(count: 50)).write(to: file)
        // Every chunk size from 1 byte up, so the pattern lands on every possible boundary.
        for chunk in [1, 2, 7, 13, 64, 67, 500, 1001, 4096] {
            let scanner = MalwareScanner(signatures: .default, chunkSize: chunk)
            XCTAssertEqual(try scanner.scan(fileAt: file), [MalwareMatch(signature: "EICAR-Test-File", offset: 1000)],
                           "chunk \(chunk)")
        }
        let clean = dir.appendingPathComponent("clean.bin")
        try Data(Samples.eicar.dropLast()).write(to: clean)
        XCTAssertEqual(try MalwareScanner(chunkSize: 5).scan(fileAt: clean), [])
    }

    func testScannerRefusesLinks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        removeLater(dir)
        let link = dir.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/etc/hostname")
        XCTAssertThrowsError(try MalwareScanner().scan(fileAt: link))
    }

    func testSizeClaims() {
        XCTAssertEqual(FormatNames.parseSize("102400")?.matches(102_400), true)
        XCTAssertEqual(FormatNames.parseSize("102,400")?.matches(102_401), false)
        XCTAssertEqual(FormatNames.parseSize("100KB")?.matches(102_400), true)   // Windows KB
        XCTAssertEqual(FormatNames.parseSize("1.5 MB")?.matches(1_500_000), true)
        XCTAssertEqual(FormatNames.parseSize("1.5 MB")?.matches(2_000_000), false)
        XCTAssertEqual(FormatNames.parseSize("102400字节")?.matches(102_400), true)
        XCTAssertNil(FormatNames.parseSize("big"))
        XCTAssertNil(FormatNames.parseSize("10.5"))
    }
}
