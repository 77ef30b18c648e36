import ArchiveKit
import Foundation
import XCTest
@testable import Ingest

/// DA/T 48 EEP packages: unpacked into a bag that passes the same transfer check as an
/// uploaded bag and the Library of Congress bagit validator; every kind of bad package refused
/// with its reason and nothing left behind.
final class EEPPackageTests: XCTestCase {
    func testGoodPackageUnpacksIntoABagThatPassesEveryCheck() throws {
        let dir = try eepScratch()
        let fixture = EEPFixture.good()
        let xml = try fixture.write(to: dir)
        let summary = try EEPPackage.unpack(xml: xml, into: dir, named: "bag")

        XCTAssertEqual(summary.bagDirectory.lastPathComponent, "bag")
        XCTAssertEqual(summary.files.map(\.path), [
            "data/关于印发2015年档案工作要点的通知.pdf", "data/附件1 2015年档案工作要点.txt", "data/发文稿纸.png",
        ])
        let documents = fixture.records[0].documents
        for (file, document) in zip(summary.files, documents) {
            let written = try Data(contentsOf: summary.bagDirectory.appendingPathComponent(file.path))
            XCTAssertEqual(Array(written), document.bytes, file.path)
            XCTAssertEqual(file.size, UInt64(document.bytes.count))
            XCTAssertEqual(file.record, 1)
        }
        XCTAssertEqual(summary.files[0].sha256, try BagMaker.sha256(summary.bagDirectory.appendingPathComponent(summary.files[0].path)))
        XCTAssertEqual(summary.totalBytes, UInt64(documents.map(\.bytes.count).reduce(0, +)))
        XCTAssertEqual(summary.version, "2009")
        XCTAssertEqual(summary.packageType, "原始型")
        XCTAssertEqual(summary.creatingUnit, "某市档案局办公室")
        XCTAssertEqual(summary.agencyName, "某市档案局")
        XCTAssertEqual(summary.recordNumbers, ["J012-2015-000001"])
        XCTAssertEqual(summary.signatureCount, 1)
        XCTAssertEqual(summary.notes, [])

        // The catalogue, as the check reads it from the bag's ead.xml.
        XCTAssertEqual(summary.sheet.format, .ead3)
        let entry = try XCTUnwrap(summary.sheet.entries.first)
        XCTAssertEqual(summary.sheet.entries.count, 1)
        XCTAssertEqual(entry.archivalCode, "J012-WS·2015-Y-BGS-0001")
        XCTAssertEqual(entry.itemNumber, "1")
        XCTAssertEqual(entry.fonds, "J012")
        XCTAssertEqual(entry.draft.title, "关于印发《2015年档案工作要点》的通知")
        XCTAssertEqual(entry.draft.creator, "某市档案局")
        XCTAssertEqual(entry.draft.documentNumber, "档发〔2015〕1号")
        XCTAssertEqual(entry.draft.date, "2015-03-15")
        XCTAssertEqual(entry.draft.year, "2015")
        XCTAssertEqual(entry.draft.retention, "永久")
        XCTAssertEqual(entry.draft.organisation, "BGS")
        XCTAssertEqual(entry.draft.pages, "3")
        XCTAssertEqual(entry.draft.classification, "非密")
        XCTAssertEqual(entry.draft.accessStatus, "开放")
        XCTAssertEqual(entry.draft.subjects, ["档案工作", "要点"])
        XCTAssertEqual(entry.draft.notes, "正文及附件")
        XCTAssertEqual(entry.draft.level, "item")
        XCTAssertNil(entry.format)   // three files of three formats: nothing one claim could say
        XCTAssertEqual(entry.paths, summary.files.map { String($0.path.dropFirst(5)) })

        let report = check(summary.bagDirectory)
        XCTAssertTrue(report.passed, describe(report))
        XCTAssertEqual(report.sheet, "ead.xml")
        XCTAssertEqual(report.records.count, 1)
        XCTAssertEqual(report.records[0].files.count, 3)
        XCTAssertEqual(report.records[0].description?.category, "WS")   // from the 档号
        XCTAssertEqual(Set(report.files.map(\.format?.mime)), ["application/pdf", "text/plain", "image/png"])
        assertItem(report, .provenance, .pass, mentioning: ["某市档案局"])
    }

    func testUnpackedBagValidatesWithBagitPython() throws {
        let dir = try eepScratch()
        let summary = try EEPPackage.unpack(xml: try EEPFixture.good().write(to: dir), into: dir, named: "bag")
        let python = try BagMaker.python()
        let r = try BagMaker.run(python, ["-c", "import bagit, sys; b = bagit.Bag(sys.argv[1]); b.validate(); print(b.info['Source-Organization'])",
                                          summary.bagDirectory.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(String(decoding: r.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "某市档案局")
        let info = try String(contentsOf: summary.bagDirectory.appendingPathComponent("bag-info.txt"), encoding: .utf8)
        XCTAssertTrue(info.contains("Lantai-Source-Format: DA/T 48-2009 EEP"), info)
        XCTAssertTrue(info.contains("External-Identifier: J012-2015-000001"), info)
        XCTAssertTrue(info.contains("Payload-Oxum: \(summary.totalBytes).3"), info)
    }

    func testGeneratedCatalogueValidatesAgainstEAD3Schema() throws {
        let dir = try eepScratch()
        let summary = try EEPPackage.unpack(xml: try EEPFixture.good().write(to: dir), into: dir, named: "bag")
        let r = try AIPXMLValidator.run(schema: "ead3", files: [summary.bagDirectory.appendingPathComponent("ead.xml")])
        XCTAssertEqual(r.status, 0, "validate-xml.py --schema ead3:\n\(r.output)")
    }

    func testSeveralRecordsSameNamesReferencesAndMissingCategory() throws {
        var fixture = EEPFixture.good()
        var second = EEPFixture.Record()
        second.recordNumber = "J012-2015-000002"
        second.archivalCode = nil          // 档号 only as its parts: 门类 must come from the options
        second.itemNumber = "2"
        second.title = "关于做好2015年档案移交工作的通知"
        second.creators = ["某市档案局", "某市财政局"]
        second.date = "2015-03-20T09:00:00"
        second.classification = "非涉密"
        second.control = "内部使用"        // not a status this catalogue knows: left out
        second.documents = [
            // Same name as the first record's 正文, no extension: 反编码关键字 restores it.
            .init(title: "正文", name: "关于印发2015年档案工作要点的通知", bytes: Samples.pdf(title: "Two"), format: "application/pdf",
                  keyword: "base64-pdf", dataID: "second-body"),
            // Same content as the one before, by reference.
            .init(title: "副本", name: "副本.pdf", bytes: [], format: "application/pdf", declaredSize: "\(Samples.pdf(title: "Two").count)",
                  encodedOverride: "", referenceID: "second-body"),
        ]
        fixture.records.append(second)
        let dir = try eepScratch()
        let summary = try EEPPackage.unpack(xml: try fixture.write(to: dir), into: dir, named: "bag", options: .init(category: "WS"))
        XCTAssertEqual(summary.files.map(\.path).suffix(2), ["data/4/关于印发2015年档案工作要点的通知.pdf", "data/副本.pdf"])
        XCTAssertEqual(summary.files.map(\.record), [1, 1, 1, 2, 2])
        XCTAssertEqual(summary.files[3].sha256, summary.files[4].sha256)
        XCTAssertEqual(try Data(contentsOf: summary.bagDirectory.appendingPathComponent("data/副本.pdf")), Data(Samples.pdf(title: "Two")))
        XCTAssertEqual(summary.notes.count, 2, "\(summary.notes)")   // extension restored, moved to a folder
        let entry = summary.sheet.entries[1]
        XCTAssertEqual(entry.row, 2)
        XCTAssertNil(entry.archivalCode)
        XCTAssertEqual(entry.draft.category, "WS")
        XCTAssertEqual(entry.draft.creator, "某市档案局；某市财政局")
        XCTAssertEqual(entry.draft.date, "2015-03-20")
        XCTAssertEqual(entry.draft.classification, "非密")
        XCTAssertNil(entry.draft.accessStatus)
        XCTAssertEqual(entry.format, "application/pdf")   // both files agree on a format the check can judge
        let report = check(summary.bagDirectory)
        XCTAssertTrue(report.passed, describe(report))
        XCTAssertEqual(report.records.map(\.itemNumber), [1, 2])
    }

    func testLooksLikeEEPByContent() throws {
        let dir = try eepScratch()
        let eep = try EEPFixture.good().write(to: dir)
        XCTAssertTrue(EEPPackage.looksLikeEEP(at: eep))
        let prefixed = dir.appendingPathComponent("prefixed.xml")
        try Data("\u{FEFF}<?xml version=\"1.0\"?>\n<!-- 导出 -->\n<!DOCTYPE x>\n<eep:电子文件封装包 xmlns:eep=\"\(EEPPackage.namespace)\"/>".utf8)
            .write(to: prefixed)
        XCTAssertTrue(EEPPackage.looksLikeEEP(at: prefixed))
        let ead = dir.appendingPathComponent("ead.xml")
        try Data(CatalogueEAD3Tests.goodTransferEAD.utf8).write(to: ead)
        XCTAssertFalse(EEPPackage.looksLikeEEP(at: ead))
        XCTAssertFalse(EEPPackage.looksLikeEEP(at: dir.appendingPathComponent("missing.xml")))
    }

    // MARK: Refusals

    func testNotAnEEP() throws {
        var f = EEPFixture.good()
        f.rootName = "records"
        XCTAssertEqual(try eepRefusal(f), .notEEP(root: "records"))
    }

    func testBrokenBase64NamesTheFile() throws {
        var f = EEPFixture.good()
        f.records[0].documents[1].encodedOverride = "5YWz5LqO5YGa5aW9\n5YWz@5LqO"
        let error = try eepRefusal(f)
        guard case .badBase64(let file, let offset, let reason)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "附件1 2015年档案工作要点.txt")
        XCTAssertEqual(offset, 22)   // the text starts with the line break after <编码数据>
        XCTAssertTrue(reason.contains("'@'"), reason)
        XCTAssertTrue(error!.reasonZh.contains("Base64"))
    }

    func testUnsafeNamesAreRefused() throws {
        for (name, reason) in [("../x.pdf", EEPNames.Reason.dotdot), ("a/../../x.pdf", EEPNames.Reason.dotdot),
                               ("/etc/passwd", EEPNames.Reason.absolute), ("C:\\Windows\\x.dll", EEPNames.Reason.absolute),
                               ("..\\x.pdf", EEPNames.Reason.dotdot), ("a\tb.pdf", EEPNames.Reason.control),
                               ("a\u{9B}b.pdf", EEPNames.Reason.control), ("a//b.pdf", EEPNames.Reason.empty)] {
            var f = EEPFixture.good()
            f.records[0].documents[0].name = name
            XCTAssertEqual(try eepRefusal(f), .unsafeName(name: name, reason: reason), name)
        }
    }

    func testSizeMismatchIsRefused() throws {
        var f = EEPFixture.good()
        f.records[0].documents[0].declaredSize = "99999"
        let error = try eepRefusal(f)
        guard case .sizeMismatch(let file, "99999", let actual)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "关于印发2015年档案工作要点的通知.pdf")
        XCTAssertEqual(actual, UInt64(Samples.pdf(title: "EEP").count))
        // A size in KB within its precision is fine.
        var ok = EEPFixture.good()
        ok.records[0].documents[0].declaredSize = "\(Samples.pdf(title: "EEP").count / 1024)KB"
        XCTAssertNoThrow(try EEPPackage.unpack(xml: try ok.write(to: try eepScratch()), into: try eepScratch(), named: "bag"))
    }

    func testTruncatedPackageIsRefused() throws {
        let dir = try eepScratch()
        let full = Data(EEPFixture.good().xml.utf8)
        let marker = try XCTUnwrap(full.range(of: Data("<编码数据".utf8)))
        let xml = dir.appendingPathComponent("cut.xml")
        try full.prefix(marker.upperBound + 200).write(to: xml)
        let error = eepRefusal(xml, in: dir)
        guard case .truncated? = error else { return XCTFail("\(String(describing: error))") }
        // Cut between elements too, and an empty file.
        let close = try XCTUnwrap(full.range(of: Data("</文件实体块>".utf8)))
        try full.prefix(close.upperBound).write(to: xml)
        guard case .truncated? = eepRefusal(xml, in: dir) else { return XCTFail("cut after </文件实体块>") }
        try Data().write(to: xml)
        XCTAssertEqual(eepRefusal(xml, in: dir), .notEEP(root: ""))
    }

    func testMalformedXMLIsRefused() throws {
        let dir = try eepScratch()
        let xml = dir.appendingPathComponent("bad.xml")
        try Data(EEPFixture.good().xml.replacingOccurrences(of: "</题名>", with: "</标题>").utf8).write(to: xml)
        guard case .malformedXML(let line, let reason)? = eepRefusal(xml, in: dir) else { return XCTFail() }
        XCTAssertGreaterThan(line, 1)
        XCTAssertTrue(reason.contains("end tag"), reason)
    }

    func testDigestOnlyMissingAndDanglingReferencesAreRefused() throws {
        var digest = EEPFixture.good()
        digest.records[0].documents[0].keyword = "sha256-base64Binary"
        guard case .notContent(_, "sha256-base64Binary")? = try eepRefusal(digest) else { return XCTFail() }

        var empty = EEPFixture.good()
        empty.records[0].documents[2].encodedOverride = "  "
        XCTAssertEqual(try eepRefusal(empty), .missingData(file: "发文稿纸.png"))

        var dangling = EEPFixture.good()
        dangling.records[0].documents[2].encodedOverride = ""
        dangling.records[0].documents[2].referenceID = "nowhere"
        XCTAssertEqual(try eepRefusal(dangling), .unknownReference(file: "发文稿纸.png", id: "nowhere"))
    }

    func testModifiedAndEmptyPackagesAreRefused() throws {
        var modified = EEPFixture.good()
        modified.modified = true
        modified.packageType = "修改型"
        XCTAssertEqual(try eepRefusal(modified), .modifiedPackage)
        var empty = EEPFixture.good()
        empty.records[0].documents = []
        XCTAssertEqual(try eepRefusal(empty), .noContent)
    }

    func testLimitsAreEnforcedWhileDecoding() throws {
        let f = EEPFixture.good()
        guard case .limitExceeded? = try eepRefusal(f, limits: .init(maxFileBytes: 100)) else { return XCTFail("file size") }
        guard case .limitExceeded? = try eepRefusal(f, limits: .init(maxTotalBytes: 300)) else { return XCTFail("total") }
        guard case .limitExceeded? = try eepRefusal(f, limits: .init(maxFiles: 2)) else { return XCTFail("files") }
        guard case .limitExceeded? = try eepRefusal(f, limits: .init(maxTextBytes: 20)) else { return XCTFail("text") }
    }

    func testExistingDestinationAndMissingFile() throws {
        let dir = try eepScratch()
        let xml = try EEPFixture.good().write(to: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("bag"), withIntermediateDirectories: false)
        XCTAssertThrowsError(try EEPPackage.unpack(xml: xml, into: dir, named: "bag")) { error in
            XCTAssertEqual((error as? EEPError)?.code, "destination-exists")
            XCTAssertEqual((error as? EEPError)?.isPackageFault, false)
        }
        XCTAssertThrowsError(try EEPPackage.unpack(xml: dir.appendingPathComponent("none.xml"), into: dir, named: "other")) { error in
            XCTAssertEqual((error as? EEPError)?.code, "unreadable")
        }
    }

    /// A 48 MiB file decoded from an 65 MB package: the bytes arrive intact, and the process does
    /// not grow by anything like the file's size (the parser streams, the decoder writes as it goes).
    func testLargeFileIsStreamedNotHeldInMemory() throws {
        let dir = try eepScratch()
        let python = try BagMaker.python()
        let script = """
        import base64, hashlib, sys
        path, size = sys.argv[1], int(sys.argv[2])
        h = hashlib.sha256()
        with open(path, "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\\n<电子文件封装包 xmlns="http://www.saac.gov.cn/standards/ERM/encapsulation">')
            f.write('<版本>2009</版本><被签名对象 eep版本="2009"><封装内容><文件实体块><文件实体><档号>J012-WS·2015-Y-BGS-0001</档号>')
            f.write('<内容描述><题名>大文件</题名><日期>2015-01-01</日期></内容描述><文件数据><文档><文档数据><编码>')
            f.write('<电子属性><计算机文件名>scan.bin</计算机文件名><计算机文件大小>%d</计算机文件大小></电子属性><编码数据>' % size)
            block = bytes(range(256)) * 4095   # a multiple of 3, so chunks concatenate
            written = 0
            while written < size:
                chunk = block[: size - written]
                h.update(chunk)
                f.write(base64.encodebytes(chunk).decode())
                written += len(chunk)
            f.write('</编码数据></编码></文档数据></文档></文件数据></文件实体></文件实体块></封装内容></被签名对象></电子文件封装包>')
        print(h.hexdigest())
        """
        let size = 48 << 20
        let xml = dir.appendingPathComponent("large.xml")
        let r = try BagMaker.run(python, ["-c", script, xml.path, String(size)])
        XCTAssertEqual(r.status, 0, r.stderr)
        let expected = String(decoding: r.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        // The peak is measured from here (Linux lets a process reset its high-water mark), so
        // what earlier tests in this process used does not hide what unpacking uses.
        let peakReset = Self.resetPeakMemory()
        let before = Self.memoryStatus("VmRSS") ?? 0
        let summary = try EEPPackage.unpack(xml: xml, into: dir, named: "bag")
        let peak = Self.memoryStatus("VmHWM") ?? 0
        XCTAssertEqual(summary.files.first?.size, UInt64(size))
        XCTAssertEqual(summary.files.first?.sha256, expected)
        guard peakReset else { throw XCTSkip("cannot reset the peak memory figure (/proc/self/clear_refs): memory not measured") }
        XCTAssertLessThan(peak - before, 24 << 20, "peak memory grew by \((peak - before) >> 20) MiB for a \(size >> 20) MiB file")
    }

    /// Resets VmHWM (the resident-set high-water mark) to the current size.
    static func resetPeakMemory() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// A figure from /proc/self/status, in bytes.
    static func memoryStatus(_ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int($0) }.first.map { $0 * 1024 }
    }
}

/// The streaming base64 decoder against Foundation's, at every chunk boundary.
final class Base64StreamDecoderTests: XCTestCase {
    func decode(_ text: String, chunk: Int) throws -> [UInt8] {
        var d = Base64StreamDecoder()
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let piece = Array(bytes[i ..< min(bytes.count, i + chunk)])
            try piece.withUnsafeBufferPointer { try d.decode($0, into: &out) }
            i += chunk
        }
        try d.finish(into: &out)
        return out
    }

    func testAgreesWithFoundationAtEveryChunkSize() throws {
        for length in [0, 1, 2, 3, 4, 5, 56, 57, 58, 200] {
            let data = Data((0 ..< length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) })
            let text = data.base64EncodedString(options: .lineLength64Characters)
            for chunk in [1, 2, 3, 5, 7, 64, 1000] {
                XCTAssertEqual(try decode(text, chunk: chunk), Array(data), "length \(length) chunk \(chunk)")
            }
            // Without padding, too.
            let bare = text.replacingOccurrences(of: "=", with: "")
            XCTAssertEqual(try decode(bare, chunk: 3), Array(data), "unpadded \(length)")
        }
    }

    func testRejectsWhatIsNotBase64() {
        for (text, offset) in [("QUJD@", 4), ("QQ==QQ==", 4), ("Q===", 1), ("QQ=Q", 3), ("=QQQ", 0), ("QUJD\u{4E00}", 4)] {
            XCTAssertThrowsError(try decode(text, chunk: 2), text) { error in
                XCTAssertEqual((error as? Base64StreamDecoder.Failure)?.offset, UInt64(offset), text)
            }
        }
        XCTAssertThrowsError(try decode("QUJDQ", chunk: 4))      // one character left over
        XCTAssertThrowsError(try decode("QQ=", chunk: 4))        // padding incomplete
    }
}
