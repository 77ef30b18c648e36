import ArchiveKit
import Foundation
import XCTest
@testable import Ingest

/// EAD3 finding aids as catalogue sheets: the documented mapping, the writer that reads back
/// unchanged, both checked against the official ead3.xsd, and a bag with `ead.xml` through the
/// transfer check.
final class CatalogueEAD3Tests: XCTestCase {
    /// The standard good transfer (GoodTransfer) described in EAD3 the way an archivist would:
    /// fonds and 门类 on the fonds, 保管期限 and 机构 on the file (案卷), the rest on each item.
    static let goodTransferEAD = """
    <?xml version="1.0" encoding="UTF-8"?>
    <ead xmlns="http://ead3.archivists.org/schema/">
      <control>
        <recordid>J012-2015-001</recordid>
        <filedesc><titlestmt><titleproper>某市档案局 2015 年文书档案移交目录</titleproper></titlestmt></filedesc>
        <maintenancestatus value="new"/>
        <maintenanceagency><agencyname>某市档案局</agencyname></maintenanceagency>
        <maintenancehistory><maintenanceevent><eventtype value="created"/>
          <eventdatetime standarddatetime="2015-12-01">2015-12-01</eventdatetime>
          <agenttype value="human"/><agent>张伟</agent></maintenanceevent></maintenancehistory>
      </control>
      <archdesc level="fonds">
        <did><unitid localtype="fonds">J012</unitid><unittitle>某市档案局</unittitle></did>
        <odd localtype="门类"><p>WS</p></odd>
        <dsc>
          <c01 level="file">
            <did><unittitle>2015 年办公室文件</unittitle></did>
            <appraisal localtype="retention"><head>保管期限</head><p>永久</p></appraisal>
            <odd localtype="organisation"><p>BGS</p></odd>
            <c02 level="item">
              <did>
                <unitid localtype="archivalCode">J012-WS·2015-Y-BGS-0001</unitid>
                <unitid localtype="文号">档发〔2015〕1号</unitid>
                <unittitle>关于印发《2015年档案工作要点》的通知</unittitle>
                <origination><corpname><part>市档案局</part></corpname></origination>
                <unitdate normal="2015-03-15">2015年3月15日</unitdate>
                <physdescstructured physdescstructuredtype="materialtype" coverage="whole">
                  <quantity>1</quantity><unittype>页</unittype>
                </physdescstructured>
                <dao daotype="derived" href="通知/2015-001%20关于档案工作要点的通知.pdf"/>
              </did>
              <accessrestrict><head>开放状态</head><p>开放</p></accessrestrict>
              <accessrestrict localtype="classification"><p>非密</p></accessrestrict>
              <controlaccess>
                <subject><part>档案工作</part></subject>
                <subject><part>要点</part></subject>
              </controlaccess>
            </c02>
            <c02 level="item">
              <did>
                <unitid>J012-WS·2015-Y-BGS-0002</unitid>
                <unittitle>“档案日”活动合影</unittitle>
                <unitdatestructured><datesingle standarddate="2015-06-09">2015年6月9日</datesingle></unitdatestructured>
                <physdesc>1页</physdesc>
                <dao daotype="derived" href="\(GoodTransfer.photoInSheet)"/>
              </did>
              <accessrestrict><p>open</p></accessrestrict>
              <odd><p>拍摄：李明</p><p>地点：档案馆一楼</p></odd>
            </c02>
            <c02 level="otherlevel" otherlevel="件">
              <did>
                <unitid>J012-WS·2015-Y-BGS-0003</unitid>
                <unittitle>关于做好2015年档案移交工作的通知</unittitle>
                <origination><persname><part>张</part><part>伟</part></persname></origination>
                <unitdate>20150320</unitdate>
                <dao daotype="derived" href="data/通知/2015-003.txt"/>
              </did>
            </c02>
            <c02 level="item">
              <did>
                <unitid>J012-WS·2015-Y-BGS-0004</unitid>
                <unittitle>局务会议纪要</unittitle>
                <unitdatestructured><daterange><fromdate standarddate="2015-05-20"/><todate standarddate="2015-05-20"/></daterange></unitdatestructured>
                <physdesc localtype="pages">2</physdesc>
                <dao daotype="derived" href="纪要/会议纪要.xml"/>
              </did>
              <accessrestrict><p>控制</p></accessrestrict>
            </c02>
          </c01>
        </dsc>
      </archdesc>
    </ead>
    """

    func testMappingOfTheDocumentedElements() throws {
        let sheet = try CatalogueSheet.read(ead3Data: Data(Self.goodTransferEAD.utf8))
        XCTAssertEqual(sheet.format, .ead3)
        XCTAssertTrue(sheet.countsRecords)
        XCTAssertEqual(sheet.problems, [])
        // The file-level <c01> holds items and no digital object: it is not an entry.
        XCTAssertEqual(sheet.entries.map(\.row), [1, 2, 3, 4])
        let first = sheet.entries[0]
        XCTAssertEqual(first.draft.title, "关于印发《2015年档案工作要点》的通知")
        XCTAssertEqual(first.archivalCode, "J012-WS·2015-Y-BGS-0001")
        XCTAssertEqual(first.draft.documentNumber, "档发〔2015〕1号")
        XCTAssertEqual(first.draft.creator, "市档案局")
        XCTAssertEqual(first.draft.date, "2015-03-15")
        XCTAssertEqual(first.draft.pages, "1")
        XCTAssertEqual(first.draft.accessStatus, "开放")     // <head> is a label, not the value
        XCTAssertEqual(first.draft.classification, "非密")
        XCTAssertEqual(first.draft.subjects, ["档案工作", "要点"])
        XCTAssertEqual(first.draft.level, "item")
        XCTAssertEqual(first.paths, ["通知/2015-001 关于档案工作要点的通知.pdf"])   // %20 decoded
        // Inherited from the fonds and the file.
        XCTAssertEqual(first.fonds, "J012")
        XCTAssertEqual(first.draft.category, "WS")
        XCTAssertEqual(first.draft.retention, "永久")
        XCTAssertEqual(first.draft.organisation, "BGS")

        let second = sheet.entries[1]
        XCTAssertEqual(second.archivalCode, "J012-WS·2015-Y-BGS-0002")   // a bare unitid that is a 档号
        XCTAssertEqual(second.draft.date, "2015-06-09")
        XCTAssertEqual(second.draft.pages, "1")
        XCTAssertEqual(second.draft.notes, "拍摄：李明\n地点：档案馆一楼")
        XCTAssertEqual(second.paths, [GoodTransfer.photoInSheet])

        let third = sheet.entries[2]
        XCTAssertEqual(third.draft.level, "item")                       // otherlevel="件"
        XCTAssertEqual(third.draft.creator, "张伟")                      // parts joined without a space
        XCTAssertEqual(third.draft.date, "2015-03-20")                   // text normalised
        XCTAssertEqual(third.paths, ["data/通知/2015-003.txt"])
        XCTAssertNil(third.draft.accessStatus)

        let fourth = sheet.entries[3]
        XCTAssertEqual(fourth.draft.date, "2015-05-20")                  // a one-day range
        XCTAssertEqual(fourth.draft.pages, "2")                          // localtype names the column
        XCTAssertEqual(fourth.draft.accessStatus, "控制")
        for entry in sheet.entries {
            guard case .success = entry.draft.validated() else { return XCTFail("record \(entry.row): \(entry.draft.validated())") }
        }
    }

    func testFixtureAndWriterOutputValidateAgainstEAD3Schema() throws {
        let dir = try scratch()
        let fixture = dir.appendingPathComponent("fixture.xml")
        try Data(Self.goodTransferEAD.utf8).write(to: fixture)
        let written = dir.appendingPathComponent("written.xml")
        try Data(CatalogueSheet.ead3Document(entries: try writerSample(), heading: heading()).utf8).write(to: written)
        let r = try AIPXMLValidator.run(schema: "ead3", files: [fixture, written])
        XCTAssertEqual(r.status, 0, "validate-xml.py --schema ead3:\n\(r.output)")
    }

    func testWriterReadsBackToTheSameEntries() throws {
        let entries = try writerSample()
        let text = CatalogueSheet.ead3Document(entries: entries, heading: heading())
        let back = try CatalogueSheet.read(ead3Data: Data(text.utf8))
        XCTAssertEqual(back.problems, [])
        XCTAssertEqual(back.entries.count, entries.count)
        for (a, b) in zip(entries, back.entries) {
            var expected = a
            expected.row = b.row
            if expected.draft.level == nil { expected.draft.level = "item" }
            expected.fonds = expected.fonds ?? "J012"
            XCTAssertEqual(b, expected)
        }
    }

    func testBagWithEAD3SheetPassesLikeOneWithCSV() throws {
        let bag = try BagMaker.make(files: GoodTransfer().files, sheet: Self.goodTransferEAD, sheetName: "ead.xml")
        removeLater(bag)
        let report = check(bag)
        XCTAssertTrue(report.passed, describe(report))
        XCTAssertEqual(report.sheet, "ead.xml")
        XCTAssertEqual(report.records.count, 4)
        XCTAssertEqual(report.records.map(\.archivalCode), (1 ... 4).map { "J012-WS·2015-Y-BGS-000\($0)" })
        XCTAssertEqual(report.records[0].description?.retention, .permanent)
        XCTAssertEqual(report.records[0].files, ["data/通知/2015-001 关于档案工作要点的通知.pdf"])
    }

    func testProblemsNameTheRecordNotARow() throws {
        var ead = Self.goodTransferEAD.replacingOccurrences(of: "纪要/会议纪要.xml", with: "纪要/不存在.xml")
        ead = ead.replacingOccurrences(of: "<unitdate>20150320</unitdate>", with: "<unitdate>20150230</unitdate>")
        let bag = try BagMaker.make(files: GoodTransfer().files, sheet: ead, sheetName: "ead.xml")
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .rowsToFiles, .fail, mentioning: ["第 4 条记录", "纪要/不存在.xml"], row: 4)
        assertItem(report, .rowsToFiles, .fail, mentioning: ["纪要/会议纪要.xml"])
        assertItem(report, .metadata, .fail, mentioning: ["record 3"], row: 3)
    }

    func testNotEADAndMalformedXMLThrow() {
        XCTAssertThrowsError(try CatalogueSheet.read(ead3Data: Data("<records><record/></records>".utf8))) { error in
            guard case CatalogueSheet.ReadError.malformedXML(_, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("<ead>"), reason)
        }
        XCTAssertThrowsError(try CatalogueSheet.read(ead3Data: Data("<ead><archdesc level=\"fonds\"><did>".utf8))) { error in
            guard case CatalogueSheet.ReadError.malformedXML = error else { return XCTFail("\(error)") }
        }
        let empty = try? CatalogueSheet.read(ead3Data: Data("<ead xmlns=\"http://ead3.archivists.org/schema/\"><archdesc level=\"fonds\"><did><unittitle>x</unittitle></did></archdesc></ead>".utf8))
        XCTAssertEqual(empty?.problems.map(\.kind), [.empty])
    }

    func testUnknownUnitidAndExternalLinksAreWarnings() throws {
        let ead = """
        <ead xmlns="http://ead3.archivists.org/schema/"><archdesc level="fonds"><did><unittitle>x</unittitle></did><dsc>
        <c><did><unitid>ABC/2015</unitid><unittitle>t</unittitle><dao daotype="derived" href="https://example.org/a.pdf"/>
        <dao daotype="derived" href="a%25b.pdf"/></did></c></dsc></archdesc></ead>
        """
        let sheet = try CatalogueSheet.read(ead3Data: Data(ead.utf8))
        XCTAssertEqual(sheet.entries.first?.paths, ["a%b.pdf"])
        XCTAssertEqual(sheet.problems.map(\.column), ["unitid", "dao"])
        XCTAssertTrue(sheet.problems.allSatisfy { !$0.isError && $0.row == 1 })
    }

    // MARK: Helpers

    /// The standard good transfer's rows as read from its CSV, plus 件号, 全宗号, 格式 and 大小,
    /// so every field the writer knows is exercised.
    private func writerSample() throws -> [CatalogueEntry] {
        var entries = try CatalogueSheet.read(csvBytes: Array(GoodTransfer().sheet.utf8)).entries
        entries[0].fonds = "J012"
        entries[0].format = "PDF"
        entries[0].size = "1234"
        entries[0].draft.location = "A区 3 排"
        entries[0].draft.carrier = "电子"
        entries[1].paths.append("照片/50%.png")
        entries[2].draft.level = "file"
        entries[3].draft.year = "2015"
        entries[3].draft.pages = "约2"
        return entries
    }

    private func heading() -> CatalogueSheet.EAD3Heading {
        .init(recordID: "J012-test", title: "某市档案局 <测试> & 目录", agencyName: "某市档案局", fonds: "J012")
    }

    private func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-ead3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        removeLater(dir)
        return dir
    }
}
