import ArchiveKit
import Foundation
import Packaging
import XCTest
@testable import Ingest

/// The four-property checks over real bags made by bagit-python: a good transfer passes every
/// item; each bad input of the issue fails on its own item with a reason naming the file or row.
final class TransferCheckerTests: XCTestCase {
    // MARK: The good transfer

    func testGoodBagPassesEveryItem() throws {
        let bag = try GoodTransfer().make()
        removeLater(bag)
        // Receipt: the upload as a tar, its digest recorded by someone else's code.
        let archive = bag.deletingLastPathComponent().appendingPathComponent(bag.lastPathComponent + ".tar")
        removeLater(archive)
        let tar = try BagMaker.run("/usr/bin/tar", ["-cf", archive.path, "-C", bag.deletingLastPathComponent().path,
                                                    bag.lastPathComponent])
        XCTAssertEqual(tar.status, 0, tar.stderr)
        let receiptDigest = try BagMaker.sha256(archive)

        let phases = PhaseLog()
        var options = TransferChecker.Options()
        options.progress = { phases.add($0) }
        let report = TransferChecker.check(
            bagDirectory: bag, context: context(uploadDigest: receiptDigest, archive: archive), options: options)

        XCTAssertTrue(report.passed, describe(report))
        for id in CheckItemID.allCases {
            assertItem(report, id, .pass)
        }
        XCTAssertEqual(report.items.map(\.id), CheckItemID.allCases.map(\.rawValue))
        XCTAssertEqual(Set(report.items.map(\.property)), Set(ArchivalProperty.allCases))
        XCTAssertEqual(report.item(.fixity)?.propertyZh, "真实性")
        XCTAssertEqual(report.sheet, "catalogue.csv")
        XCTAssertEqual(report.sheetEncoding, .utf8)

        // Files: names exactly as sent (the decomposed one stays decomposed), digests equal to
        // bagit-python's manifest, formats by signature.
        XCTAssertEqual(report.files.count, 4)
        let photo = try XCTUnwrap(report.files.first { $0.path.hasPrefix("data/照片/") })
        XCTAssertEqual(Array(photo.path.unicodeScalars), Array(("data/" + GoodTransfer.photoOnDisk).unicodeScalars))
        let manifest = try String(contentsOf: bag.appendingPathComponent("manifest-sha256.txt"), encoding: .utf8)
        for file in report.files {
            XCTAssertNotNil(file.sha512)
            XCTAssertEqual(file.sm3?.count, 64)
            let sha = try XCTUnwrap(file.sha256)
            XCTAssertTrue(manifest.contains(sha), "\(file.path) sha256 \(sha) not in bagit's manifest")
        }
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: report.files.map { ($0.path.split(separator: ".").last.map(String.init) ?? "", $0.mime ?? "") }),
                       ["pdf": "application/pdf", "png": "image/png", "txt": "text/plain", "xml": "application/xml"])
        XCTAssertEqual(report.files.first { $0.path.hasSuffix(".pdf") }?.puid, "fmt/18")
        XCTAssertEqual(report.files.first { $0.path.hasSuffix(".png") }?.puid?.hasPrefix("fmt/"), true)

        // Records: every row validated by RecordDraft, Chinese values read as codes.
        XCTAssertEqual(report.records.count, 4)
        XCTAssertEqual(report.records.map(\.row), [2, 3, 4, 5])
        XCTAssertEqual(report.records.map(\.itemNumber), [1, 2, 3, 4])
        XCTAssertEqual(report.records[0].archivalCode, "J012-WS·2015-Y-BGS-0001")
        let second = try XCTUnwrap(report.records[1].description)
        XCTAssertEqual(second.title, "“档案日”活动合影, 含\"开放日\"嘉宾")
        XCTAssertEqual(second.notes, "拍摄：李明\n地点：档案馆一楼")
        XCTAssertEqual(second.retention, .permanent)
        XCTAssertEqual(second.accessStatus, .open)
        XCTAssertEqual(second.year, 2015)
        XCTAssertEqual(report.records[1].files.map { Array($0.unicodeScalars) }, [Array(("data/" + GoodTransfer.photoOnDisk).unicodeScalars)])
        XCTAssertEqual(report.records[2].description?.date, "2015-03-20")
        XCTAssertEqual(report.records[2].description?.subjects, ["移交", "通知"])
        XCTAssertEqual(report.records[3].description?.date, "2015-05-20")
        XCTAssertEqual(report.records[0].description?.subjects, ["档案工作", "要点"])

        // The receipt digest was re-checked, and progress went through every phase.
        assertItem(report, .unchangedSinceReceipt, .pass, mentioning: [receiptDigest])
        XCTAssertEqual(phases.phases, [.bag, .digests, .contents, .done])

        // JSON round trip, as the API serves it.
        let json = try JSONEncoder().encode(report)
        let back = try JSONDecoder().decode(TransferReport.self, from: json)
        XCTAssertEqual(back.items, report.items)
        XCTAssertEqual(back.files, report.files)
        XCTAssertEqual(back.records, report.records)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        XCTAssertEqual(object["passed"] as? Bool, true)
    }

    // MARK: Authenticity

    func testDigestMismatchFailsFixity() throws {
        let bag = try GoodTransfer().make()
        removeLater(bag)
        // Same size, one byte changed: only the digest can tell.
        let target = bag.appendingPathComponent("data/通知/2015-003.txt")
        var bytes = try Data(contentsOf: target)
        bytes[0] ^= 0x01
        try bytes.write(to: target)

        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .fixity, .fail, mentioning: ["data/通知/2015-003.txt"])
        XCTAssertEqual(report.item(.fixity)?.findings.first { $0.status == .fail }?.code, "manifest-digest-mismatch")
        assertItem(report, .counts, .pass)
    }

    func testImpossibleDateFailsMetadataOnItsRow() throws {
        var t = GoodTransfer()
        t.rows[1]["date"] = "2015-02-30"
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        let item = assertItem(report, .metadata, .fail, mentioning: ["2015-02-30"], row: 3)
        XCTAssertEqual(item?.findings.first { $0.status == .fail }?.field, "date")
        XCTAssertTrue(item?.findings.contains { $0.reasonZh.hasPrefix("第 3 行") && $0.reasonEn.hasPrefix("row 3") } == true)
        XCTAssertNil(report.records[1].description)
        XCTAssertEqual(report.records[1].errors.first?.field, "date")
    }

    func testInvalidRetentionFailsMetadata() throws {
        var t = GoodTransfer()
        t.rows[3]["retention"] = "forever"
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        let item = assertItem(report, .metadata, .fail, mentioning: ["forever"], row: 5)
        XCTAssertEqual(item?.findings.first { $0.status == .fail }?.field, "retention")
        // Invalid is not missing: required metadata is still complete.
        assertItem(report, .requiredMetadata, .pass)
    }

    func testMissingRequiredMetadataFailsIntegrity() throws {
        var t = GoodTransfer()
        t.rows[0]["title"] = ""
        t.rows[2]["retention"] = ""
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        let item = assertItem(report, .requiredMetadata, .fail, mentioning: ["题名"], row: 2)
        assertItem(report, .requiredMetadata, .fail, mentioning: ["保管期限"], row: 4)
        XCTAssertEqual(item?.findings.filter { $0.status == .fail }.compactMap(\.field), ["title", "retention"])
        XCTAssertEqual(report.records[2].errors.map(\.rule), ["required"])
    }

    func testArchivalCodeAlreadyTakenFails() throws {
        let bag = try GoodTransfer().make()
        removeLater(bag)
        let taken = "J012-WS·2015-Y-BGS-0002"
        let asked = AskedCodes()
        let ctx = TransferContext(agency: "J012", officer: "zhang.wei", isArchivalCodeTaken: { code in
            asked.add(code)
            return code == taken
        })
        let report = check(bag, ctx)
        XCTAssertFalse(report.passed)
        assertItem(report, .archivalCode, .fail, mentioning: [taken], row: 3)
        XCTAssertTrue(asked.codes.contains("J012-WS·2015-Y-BGS-0001"))
    }

    func testMalformedForeignAndRepeatedArchivalCodes() throws {
        var t = GoodTransfer()
        t.rows[0]["archivalCode"] = "J012-WS-2015-Y-BGS-1"          // hyphen for ·, unpadded
        t.rows[1]["archivalCode"] = "J099-WS·2015-Y-BGS-0002"       // another agency's fonds
        t.rows[3]["archivalCode"] = "J012-WS·2015-Y-BGS-0003"       // repeats row 4
        t.rows[3]["itemNumber"] = "3"
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .archivalCode, .fail, mentioning: ["J012-WS-2015-Y-BGS-1"], row: 2)
        assertItem(report, .archivalCode, .fail, mentioning: ["J099"], row: 3)
        assertItem(report, .archivalCode, .fail, mentioning: ["J012-WS·2015-Y-BGS-0003"])
        XCTAssertTrue(report.item(.archivalCode)!.findings.contains { $0.code == "repeated" })
    }

    func testArchivalCodeDisagreeingWithDescriptionFails() throws {
        var t = GoodTransfer()
        t.rows[2]["retention"] = "30y"  // the code says Y (永久)
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        assertItem(report, .archivalCode, .fail, mentioning: ["J012-WS·2015-Y-BGS-0003", "D30"], row: 4)
    }

    func testFormatAndSizeClaimsMustAgreeWithFiles() throws {
        var t = GoodTransfer()
        t.headers += ["format", "size"]
        let pdfSize = Samples.pdf(title: "Notice").count
        t.rows[0]["format"] = "OFD"                 // it is a PDF
        t.rows[0]["size"] = "\(pdfSize)"
        t.rows[1]["format"] = "image/png"
        t.rows[1]["size"] = "\(Samples.png.count + 100)"   // wrong
        t.rows[2]["format"] = "TXT"
        t.rows[3]["format"] = "XML"
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .fileAgreement, .fail, mentioning: ["OFD", "data/通知/2015-001 关于档案工作要点的通知.pdf"], row: 2)
        assertItem(report, .fileAgreement, .fail, mentioning: ["\(Samples.png.count)"], row: 3)
        XCTAssertEqual(report.item(.fileAgreement)?.findings.filter { $0.status == .fail }.count, 2)
    }

    func testMalformedBagInfoFailsBagStructure() throws {
        let bag = try GoodTransfer().make()
        removeLater(bag)
        let info = bag.appendingPathComponent("bag-info.txt")
        var text = try String(contentsOf: info, encoding: .utf8)
        text += "this line has no label and no colon\nPayload-Oxum: lots\n"
        try text.write(to: info, atomically: true, encoding: .utf8)
        try BagMaker.retag(bag)

        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .bagStructure, .fail, mentioning: ["bag-info.txt"])
        XCTAssertTrue(report.item(.bagStructure)!.findings.contains { $0.code == "bad-bag-info" })
        // The tag manifests were rewritten, so this is not a fixity failure.
        assertItem(report, .fixity, .pass)
    }

    func testProvenanceWarnsWithoutSourceOrganization() throws {
        let bag = try GoodTransfer().make(bagInfo: [:])
        removeLater(bag)
        let report = check(bag)
        XCTAssertTrue(report.passed, describe(report))
        assertItem(report, .provenance, .warning, mentioning: ["Source-Organization"])
        let noOfficer = check(bag, TransferContext(agency: "J012", officer: " "))
        assertItem(noOfficer, .provenance, .fail)
        XCTAssertFalse(noOfficer.passed)
    }

    // MARK: Integrity

    func testMissingFileFailsManifestComplete() throws {
        let bag = try GoodTransfer().make()
        removeLater(bag)
        try FileManager.default.removeItem(at: bag.appendingPathComponent("data/纪要/会议纪要.xml"))
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .manifestComplete, .fail, mentioning: ["data/纪要/会议纪要.xml"])
        assertItem(report, .rowsToFiles, .fail, mentioning: ["纪要/会议纪要.xml"], row: 5)
        assertItem(report, .counts, .fail)
    }

    func testExtraFileFailsNoUnlistedFiles() throws {
        let bag = try GoodTransfer().make()
        removeLater(bag)
        try Data("不在清单中".utf8).write(to: bag.appendingPathComponent("data/通知/补充.txt"))
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .noUnlistedFiles, .fail, mentioning: ["data/通知/补充.txt"])
        assertItem(report, .rowsToFiles, .fail, mentioning: ["data/通知/补充.txt"])
        assertItem(report, .counts, .fail)
    }

    func testRowPointingAtMissingFileFails() throws {
        var t = GoodTransfer()
        t.rows[2]["path"] = "通知/2015-003.txt;通知/2015-003附件.pdf"
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .rowsToFiles, .fail, mentioning: ["通知/2015-003附件.pdf"], row: 4)
        assertItem(report, .fileAgreement, .fail, mentioning: ["通知/2015-003附件.pdf"], row: 4)
        assertItem(report, .counts, .fail, mentioning: ["5", "4"])
        // The file that exists is still linked to its record.
        XCTAssertEqual(report.records[2].files, ["data/通知/2015-003.txt"])
    }

    func testPayloadFileClaimedByNoRowFails() throws {
        var t = GoodTransfer()
        t.files["纪要/附件一.pdf"] = Samples.pdf(title: "Annex")
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .rowsToFiles, .fail, mentioning: ["data/纪要/附件一.pdf"])
        assertItem(report, .counts, .fail, mentioning: ["4", "5"])
        // The bag itself is fine: it is the sheet that does not cover it.
        assertItem(report, .noUnlistedFiles, .pass)
        assertItem(report, .bagStructure, .pass)
    }

    func testFileClaimedByTwoRowsFails() throws {
        var t = GoodTransfer()
        t.rows[3]["path"] = "纪要/会议纪要.xml;通知/2015-003.txt"
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        assertItem(report, .rowsToFiles, .fail, mentioning: ["data/通知/2015-003.txt", "4", "5"])
    }

    func testDuplicateItemNumbersAndGapFail() throws {
        var t = GoodTransfer()
        t.headers.removeAll { $0 == "archivalCode" }
        t.rows[1]["itemNumber"] = "1"   // repeats row 2
        t.rows[2]["itemNumber"] = "4"   // 1, 1, 4, 5: 2 and 3 missing
        t.rows[3]["itemNumber"] = "5"
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        let item = assertItem(report, .itemNumbers, .fail, mentioning: ["J012-WS·2015-Y-BGS", "1", "2", "3"])
        XCTAssertTrue(item?.findings.contains { $0.code == "duplicate" && $0.reasonZh.contains("件号 1 重复") && $0.reasonEn.contains("row 2, row 3") } == true,
                      describe(item!))
        XCTAssertTrue(item?.findings.contains { $0.code == "gap" && $0.reasonZh.contains("缺少 2–3") && $0.reasonEn.contains("missing 2–3") } == true,
                      describe(item!))
    }

    func testItemNumberOfAnInvalidRowIsFlaggedNotSkipped() throws {
        var t = GoodTransfer()
        t.headers.removeAll { $0 == "archivalCode" }
        t.rows[2]["retention"] = "forever"   // row 4: group unknown
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        assertItem(report, .itemNumbers, .warning, mentioning: ["3"], row: 4)
        assertItem(report, .metadata, .fail, mentioning: ["forever"], row: 4)
    }

    func testItemNumbersMayContinueTheCatalogue() throws {
        var t = GoodTransfer()
        t.headers.removeAll { $0 == "archivalCode" }
        for i in t.rows.indices { t.rows[i]["itemNumber"] = String(i + 11) }
        let bag = try t.make()
        removeLater(bag)
        // 1–10 are in the catalogue already: 11–14 continue them.
        let taken = Set((1 ... 10).map { ArchivalCode(parsing: "J012-WS·2015-Y-BGS-\(String(format: "%04d", $0))")!.description })
        let report = check(bag, context(taken: taken))
        XCTAssertTrue(report.passed, describe(report))
        assertItem(report, .itemNumbers, .pass, mentioning: ["J012-WS·2015-Y-BGS-0010"])
        // Without them in the catalogue, 1–10 are a gap.
        let alone = check(bag)
        assertItem(alone, .itemNumbers, .fail, mentioning: ["1–10"])
    }

    func testSheetWithUnknownColumnsAndNoPathColumnFails() throws {
        var t = GoodTransfer()
        t.headers = t.headers.filter { $0 != "path" } + ["Colour", "title"]
        t.rows[0]["Colour"] = "red"
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .metadata, .fail, mentioning: ["Colour"])
        XCTAssertTrue(report.item(.metadata)!.findings.contains { $0.code == "duplicate-column" && $0.field == "title" })
        let rows = assertItem(report, .rowsToFiles, .fail, mentioning: ["文件路径"])
        XCTAssertTrue(rows?.findings.contains { $0.code == "missing-path-column" } == true)
        // Every payload file is then unclaimed.
        XCTAssertEqual(rows?.findings.filter { $0.code == "unclaimed-file" }.count, 4)
    }

    // MARK: Usability

    func testUnknownFormatFails() throws {
        var t = GoodTransfer()
        t.files["通知/2015-001 关于档案工作要点的通知.pdf"] = Samples.noise()
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .format, .fail, mentioning: ["data/通知/2015-001 关于档案工作要点的通知.pdf", ".pdf"])
        XCTAssertEqual(report.files.first { $0.path.hasSuffix(".pdf") }?.format?.isIdentified, false)
    }

    func testEncryptedPDFFailsReadable() throws {
        var t = GoodTransfer()
        t.files["通知/2015-001 关于档案工作要点的通知.pdf"] = Samples.pdf(title: "Secret", encrypted: true)
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .readable, .fail, mentioning: ["data/通知/2015-001 关于档案工作要点的通知.pdf"])
        XCTAssertTrue(report.item(.readable)!.findings.contains { $0.code == "encrypted" })
        XCTAssertTrue(report.files.first { $0.path.hasSuffix(".pdf") }!.flags.contains(.encrypted))
        assertItem(report, .format, .pass)
    }

    func testGB18030SheetWithChineseHeadersReads() throws {
        var t = GoodTransfer()
        let chinese = ["title": "题名", "creator": "责任者", "documentNumber": "文号", "date": "日期", "year": "年度",
                       "retention": "保管期限", "classification": "密级", "accessStatus": "开放状态", "category": "门类",
                       "organisation": "机构或问题", "pages": "页数", "archivalCode": "档号", "itemNumber": "件号",
                       "path": "文件路径", "subjects": "主题词", "notes": "附注"]
        t.headers = t.headers.map { chinese[$0]! }
        t.rows = t.rows.map { row in
            var r: [String: String] = [:]
            for (k, v) in row { r[chinese[k]!] = v }
            r["保管期限"] = "永久"
            r["密级"] = "非密"
            return r
        }
        let bag = try t.make(sheetEncoding: "gb18030")
        removeLater(bag)
        // Really GB18030 on disk, not UTF-8.
        let raw = try Data(contentsOf: bag.appendingPathComponent("catalogue.csv"))
        XCTAssertNil(String(data: raw, encoding: .utf8))

        let report = check(bag)
        XCTAssertTrue(report.passed, describe(report))
        XCTAssertEqual(report.sheetEncoding, .gb18030)
        assertItem(report, .sheetEncoding, .pass, mentioning: ["GB18030"])
        XCTAssertEqual(report.records.compactMap(\.description?.title), t.rows.map { $0["题名"]! })
        XCTAssertEqual(report.records[1].description?.notes, "拍摄：李明\n地点：档案馆一楼")
        XCTAssertEqual(report.records.map(\.files.count), [1, 1, 1, 1])
    }

    func testUndecodableSheetFailsSheetEncoding() throws {
        // Neither UTF-8 nor GB18030: 0xFF never occurs in GB18030.
        let bag = try BagMaker.make(files: GoodTransfer().files, sheet: nil)
        removeLater(bag)
        try Data([0x74, 0x69, 0x74, 0x6C, 0x65, 0x0A, 0xFF, 0xFF, 0xFF, 0x0A]).write(to: bag.appendingPathComponent("catalogue.csv"))
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .sheetEncoding, .fail, mentioning: ["GB18030"])
        assertItem(report, .requiredMetadata, .fail)
        // Not in the tag manifest either: the fixity item says so.
        assertItem(report, .fixity, .warning, mentioning: ["catalogue.csv"])
    }

    func testMissingSheetFails() throws {
        let bag = try BagMaker.make(files: GoodTransfer().files, sheet: nil)
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .sheetEncoding, .fail, mentioning: ["catalogue.csv"])
        assertItem(report, .requiredMetadata, .fail)
    }

    // MARK: Security

    func testEICARIsCaught() throws {
        var t = GoodTransfer()
        t.files["通知/附件/eicar.txt"] = Samples.eicar
        t.rows[2]["path"] = "通知/2015-003.txt; 通知/附件/eicar.txt"
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .malware, .fail, mentioning: ["data/通知/附件/eicar.txt", "EICAR-Test-File"])
        XCTAssertEqual(report.files.first { $0.path.hasSuffix("eicar.txt") }?.malware,
                       [MalwareMatch(signature: "EICAR-Test-File", offset: 0)])
        // Everything else about the package is in order.
        XCTAssertEqual(report.items.filter { $0.status == .fail }.map(\.id), [CheckItemID.malware.rawValue])
    }

    func testExtraSignatureFromOptions() throws {
        var t = GoodTransfer()
        t.files["通知/2015-003.txt"] = Array("通知正文……<?php eval($_POST['x']); ?>……".utf8)
        let bag = try t.make()
        removeLater(bag)
        var options = TransferChecker.Options()
        options.malwareSignatures.add(MalwareSignature(name: "PHP-Eval-WebShell", text: "eval($_POST"))
        let report = TransferChecker.check(bagDirectory: bag, context: context(), options: options)
        assertItem(report, .malware, .fail, mentioning: ["data/通知/2015-003.txt", "PHP-Eval-WebShell"])
        // The default list does not know it.
        assertItem(check(bag), .malware, .pass)
    }

    func testSymlinkInPayloadFailsLinksAndDevices() throws {
        let bag = try GoodTransfer().make()
        removeLater(bag)
        try FileManager.default.createSymbolicLink(atPath: bag.appendingPathComponent("data/通知/passwd").path,
                                                   withDestinationPath: "/etc/passwd")
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .linksDevices, .fail, mentioning: ["data/通知/passwd"])
        // The link is never read: no digest, no format, no file result for it.
        XCTAssertFalse(report.files.contains { $0.path.hasSuffix("passwd") })
    }

    func testEscapingPathsInSheetFail() throws {
        var t = GoodTransfer()
        t.rows[0]["path"] = "../../etc/passwd"
        t.rows[1]["path"] = "/etc/shadow;" + GoodTransfer.photoInSheet
        let bag = try t.make()
        removeLater(bag)
        let report = check(bag)
        XCTAssertFalse(report.passed)
        assertItem(report, .paths, .fail, mentioning: ["../../etc/passwd"], row: 2)
        assertItem(report, .paths, .fail, mentioning: ["/etc/shadow"], row: 3)
    }

    func testUploadChangedSinceReceiptFails() throws {
        let bag = try GoodTransfer().make()
        removeLater(bag)
        let archive = bag.appendingPathComponent("../\(bag.lastPathComponent).tar").standardizedFileURL
        removeLater(archive)
        try Data("the upload as it is now".utf8).write(to: archive)
        let recorded = String(repeating: "ab", count: 32)
        let report = check(bag, context(uploadDigest: recorded, archive: archive))
        XCTAssertFalse(report.passed)
        assertItem(report, .unchangedSinceReceipt, .fail, mentioning: [recorded])
        // Digest recorded but archive gone: cannot prove it, so a warning.
        let gone = check(bag, context(uploadDigest: recorded))
        assertItem(gone, .unchangedSinceReceipt, .warning)
    }

    func testNotADirectoryFailsEveryItem() throws {
        let report = check(URL(fileURLWithPath: "/nonexistent/lantai-transfer"))
        XCTAssertFalse(report.passed)
        XCTAssertTrue(report.items.allSatisfy { $0.status == .fail })
        XCTAssertEqual(report.items.count, CheckItemID.allCases.count)
    }

    func testDublinCoreSheetInBag() throws {
        let dc = """
        <?xml version="1.0" encoding="UTF-8"?>
        <records xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:lantai="https://lantai.example/ns/catalogue">
          <record><dc:title>关于档案工作要点的通知</dc:title><dc:creator>市档案局</dc:creator><dc:date>2015-03-15</dc:date>
            <dc:identifier>J012-WS·2015-Y-BGS-0001</dc:identifier><dc:subject>档案工作</dc:subject>
            <lantai:retention>永久</lantai:retention><lantai:机构>BGS</lantai:机构>
            <dc:source>通知/2015-001 关于档案工作要点的通知.pdf</dc:source></record>
          <record><dc:title>档案日合影</dc:title><dc:date>2015-06-09</dc:date><dc:identifier>J012-WS·2015-Y-BGS-0002</dc:identifier>
            <lantai:retention>permanent</lantai:retention><lantai:organisation>BGS</lantai:organisation>
            <lantai:path>\(GoodTransfer.photoInSheet)</lantai:path></record>
          <record><dc:title>关于做好2015年档案移交工作的通知</dc:title><dc:date>2015-03-20</dc:date>
            <dc:identifier>J012-WS·2015-Y-BGS-0003</dc:identifier><lantai:retention>Y</lantai:retention>
            <lantai:organisation>BGS</lantai:organisation><dc:source>通知/2015-003.txt</dc:source></record>
          <record><dc:title>局务会议纪要</dc:title><dc:date>2015-05-20</dc:date><dc:identifier>J012-WS·2015-Y-BGS-0004</dc:identifier>
            <lantai:retention>permanent</lantai:retention><lantai:organisation>BGS</lantai:organisation>
            <dc:source>纪要/会议纪要.xml</dc:source></record>
        </records>
        """
        let bag = try BagMaker.make(files: GoodTransfer().files, sheet: dc, sheetName: "catalogue.xml")
        removeLater(bag)
        let report = check(bag)
        XCTAssertTrue(report.passed, describe(report))
        XCTAssertEqual(report.sheet, "catalogue.xml")
        XCTAssertEqual(report.records.count, 4)
        XCTAssertEqual(report.records[0].description?.category, "WS")  // from the 档号
        XCTAssertEqual(report.records[0].description?.subjects, ["档案工作"])
    }
}

/// Progress phases in the order first seen (callbacks come from worker threads).
final class PhaseLog: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [TransferCheckProgress.Phase] = []
    func add(_ p: TransferCheckProgress) {
        lock.lock()
        if seen.last != p.phase { seen.append(p.phase) }
        lock.unlock()
    }
    var phases: [TransferCheckProgress.Phase] {
        lock.lock()
        defer { lock.unlock() }
        return seen
    }
}

final class AskedCodes: @unchecked Sendable {
    private let lock = NSLock()
    private var asked: [String] = []
    func add(_ code: String) {
        lock.lock()
        asked.append(code)
        lock.unlock()
    }
    var codes: [String] {
        lock.lock()
        defer { lock.unlock() }
        return asked
    }
}
