import Foundation
import XCTest
@testable import Ingest

/// Real bags for the transfer checks, made by the Library of Congress `bagit` Python package the
/// way agencies make them: payload bagged with `bagit.make_bag`, then the catalogue sheet
/// written as a tag file at the top and the manifests regenerated with `Bag.save(manifests=True)`.
///
/// scripts/test installs bagit into .venv-test (LANTAI_TEST_VENV); without it these tests skip,
/// saying so, rather than testing against bags we made ourselves.
enum BagMaker {
    static let script = #"""
import sys, json, base64, os, hashlib
import bagit
spec = json.load(sys.stdin)
d = spec["dir"]
mode = spec.get("mode", "make")

def retag(d):
    names = sorted(f for f in os.listdir(d)
                   if os.path.isfile(os.path.join(d, f)) and not f.startswith("tagmanifest-"))
    for alg in ("sha256", "sha512"):
        with open(os.path.join(d, "tagmanifest-%s.txt" % alg), "w", encoding="utf-8") as out:
            for n in names:
                with open(os.path.join(d, n), "rb") as f:
                    out.write("%s %s\n" % (hashlib.new(alg, f.read()).hexdigest(), n))

if mode == "make":
    os.makedirs(d, exist_ok=True)
    for rel, b64 in spec["files"].items():
        p = os.path.join(d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(base64.b64decode(b64))
    bagit.make_bag(d, spec.get("bagInfo", {}), checksums=["sha256", "sha512"])
    if spec.get("sheet") is not None:
        with open(os.path.join(d, spec["sheetName"]), "wb") as f:
            f.write(spec["sheet"].encode(spec["sheetEncoding"]))
        bag = bagit.Bag(d)
        bag.save(manifests=True)
    bagit.Bag(d).validate()
    print("ok")
elif mode == "retag":
    retag(d)
    print("ok")
elif mode == "sha256":
    with open(spec["file"], "rb") as f:
        print(hashlib.sha256(f.read()).hexdigest())
elif mode == "encode":
    sys.stdout.buffer.write(spec["text"].encode(spec["encoding"]))
"""#

    static func python() throws -> String {
        var candidates: [String] = []
        if let venv = ProcessInfo.processInfo.environment["LANTAI_TEST_VENV"] { candidates.append(venv + "/bin/python3") }
        candidates.append(FileManager.default.currentDirectoryPath + "/.venv-test/bin/python3")
        candidates.append("/work/main/.venv-test/bin/python3")
        candidates.append("/usr/bin/python3")
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
            if (try? run(c, ["-c", "import bagit"]))?.status == 0 { return c }
        }
        throw XCTSkip("the bagit Python package is not installed: run scripts/test (it installs it into .venv-test)")
    }

    struct Output {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: data, stderr: String(decoding: errors, as: UTF8.self))
    }

    @discardableResult
    static func python(_ spec: [String: Any]) throws -> Data {
        let py = try python()
        let json = try JSONSerialization.data(withJSONObject: spec)
        let r = try run(py, ["-c", script], stdin: json)
        guard r.status == 0 else {
            XCTFail("bagit helper failed (\(r.status)): \(r.stderr)")
            throw CocoaError(.fileWriteUnknown)
        }
        return r.stdout
    }

    /// Makes a bag in a fresh temporary directory and returns it.
    static func make(files: [String: [UInt8]], sheet: String?, sheetName: String = "catalogue.csv",
                     sheetEncoding: String = "utf-8", bagInfo: [String: String] = defaultBagInfo) throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("lantai-ingest-\(UUID().uuidString)", isDirectory: true)
        var spec: [String: Any] = [
            "dir": dir.path,
            "files": files.mapValues { Data($0).base64EncodedString() },
            "bagInfo": bagInfo,
            "sheetName": sheetName,
            "sheetEncoding": sheetEncoding,
        ]
        if let sheet { spec["sheet"] = sheet }
        try python(spec)
        return dir
    }

    /// Rewrites the tag manifests after a tag file was changed on purpose (a malformed
    /// bag-info.txt must fail as malformed, not as a digest mismatch).
    static func retag(_ dir: URL) throws {
        try python(["dir": dir.path, "mode": "retag"])
    }

    /// SHA-256 by Python's hashlib, so the receipt digest in the test does not come from the
    /// code under test.
    static func sha256(_ file: URL) throws -> String {
        let out = try python(["dir": "", "mode": "sha256", "file": file.path])
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Text in another encoding (GB18030), encoded by Python's codec rather than ours.
    static func encode(_ text: String, as encoding: String) throws -> [UInt8] {
        Array(try python(["dir": "", "mode": "encode", "text": text, "encoding": encoding]))
    }

    static let defaultBagInfo = [
        "Source-Organization": "某市档案局办公室",
        "Contact-Name": "张伟",
        "External-Description": "2015年文书档案移交",
    ]
}

/// Small files that look like what agencies send: each is recognised by its real signature.
enum Samples {
    /// A one-page PDF 1.4 with a correct cross-reference table and `%%EOF`.
    static func pdf(title: String = "Notice", encrypted: Bool = false) -> [UInt8] {
        var objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            "<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 720 Td (\(title.prefix(10))) Tj ET\nendstream",
        ]
        if encrypted {
            objects.append("<< /Filter /Standard /V 1 /R 2 /O (0123456789abcdef0123456789abcdef) /U (0123456789abcdef0123456789abcdef) /P -44 >>")
        }
        var out = "%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n"
        var bytes = Array(out.utf8)
        var offsets: [Int] = []
        for (i, body) in objects.enumerated() {
            offsets.append(bytes.count)
            bytes += Array("\(i + 1) 0 obj\n\(body)\nendobj\n".utf8)
        }
        let xref = bytes.count
        out = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets { out += String(repeating: "0", count: 10 - String(o).count) + "\(o) 00000 n \n" }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R"
        if encrypted { out += " /Encrypt 5 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]" }
        out += " >>\nstartxref\n\(xref)\n%%EOF\n"
        bytes += Array(out.utf8)
        return bytes
    }

    /// A 1×1 PNG.
    static let png: [UInt8] = Array(Data(base64Encoded:
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")!)

    static let text: [UInt8] = Array("关于做好2015年档案移交工作的通知\n各科室：\n请于三月底前完成移交。\n".utf8)

    static let xml: [UInt8] = Array("""
    <?xml version="1.0" encoding="UTF-8"?>
    <公文><题名>会议纪要</题名><日期>2015-05-20</日期><正文>会议决定……</正文></公文>

    """.utf8)

    /// Bytes with no signature: a damaged or mislabelled file.
    static func noise(count: Int = 4096) -> [UInt8] {
        var x: UInt32 = 0x1234_5678
        return (0 ..< count).map { _ in
            x = x &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: x >> 24)
        }
    }

    /// The EICAR test file, assembled so this source does not carry the string whole.
    static let eicar: [UInt8] = Array(("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-FILE!$H+H*").utf8)
}

/// A catalogue sheet built row by row and written as RFC 4180 CSV.
struct SheetBuilder {
    var headers: [String]
    var rows: [[String]] = []
    var lineEnd = "\r\n"

    init(_ headers: [String]) { self.headers = headers }

    mutating func add(_ values: [String: String]) {
        rows.append(headers.map { values[$0] ?? "" })
    }

    static func quote(_ cell: String) -> String {
        if cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return cell
    }

    var csv: String {
        ([headers] + rows).map { $0.map(SheetBuilder.quote).joined(separator: ",") }.joined(separator: lineEnd) + lineEnd
    }
}

/// The standard good transfer: four items of fonds J012, 文书 2015 永久 办公室, numbered 1–4,
/// a PDF, a PNG (with a decomposed name, as a Mac writes it), a text file and an XML file.
struct GoodTransfer {
    /// Decomposed (NFD) on disk; the sheet writes it composed (NFC).
    static let photoOnDisk = "照片/cafe\u{301} 合影.png"
    static let photoInSheet = "照片/café 合影.png"

    var files: [String: [UInt8]] = [
        "通知/2015-001 关于档案工作要点的通知.pdf": Samples.pdf(title: "Notice"),
        GoodTransfer.photoOnDisk: Samples.png,
        "通知/2015-003.txt": Samples.text,
        "纪要/会议纪要.xml": Samples.xml,
    ]

    static let headers = ["title", "creator", "documentNumber", "date", "year", "retention", "classification",
                          "accessStatus", "category", "organisation", "pages", "archivalCode", "itemNumber", "path",
                          "subjects", "notes"]

    var rows: [[String: String]] = [
        ["title": "关于印发《2015年档案工作要点》的通知", "creator": "市档案局", "documentNumber": "档发〔2015〕1号",
         "date": "2015-03-15", "year": "2015", "retention": "permanent", "classification": "none", "accessStatus": "open",
         "category": "WS", "organisation": "BGS", "pages": "1", "archivalCode": "J012-WS·2015-Y-BGS-0001", "itemNumber": "1",
         "path": "通知/2015-001 关于档案工作要点的通知.pdf", "subjects": "档案工作;要点"],
        // RFC 4180: a comma, doubled quotes and a line break inside quoted cells.
        ["title": "“档案日”活动合影, 含\"开放日\"嘉宾", "creator": "市档案局", "date": "2015-06-09", "retention": "永久",
         "classification": "非密", "accessStatus": "开放", "category": "WS", "organisation": "BGS", "pages": "1",
         "archivalCode": "J012-WS·2015-Y-BGS-0002", "itemNumber": "2", "path": GoodTransfer.photoInSheet,
         "notes": "拍摄：李明\n地点：档案馆一楼"],
        ["title": "关于做好2015年档案移交工作的通知", "creator": "市档案局", "documentNumber": "档发〔2015〕3号",
         "date": "20150320", "retention": "Y", "classification": "none", "accessStatus": "unreviewed", "category": "文书",
         "organisation": "BGS", "pages": "1", "archivalCode": "J012-WS·2015-Y-BGS-0003", "itemNumber": "3",
         "path": "通知/2015-003.txt", "subjects": "移交；通知"],
        ["title": "局务会议纪要", "creator": "市档案局办公室", "date": "2015/5/20", "retention": "permanent",
         "classification": "none", "accessStatus": "controlled", "category": "WS", "organisation": "BGS", "pages": "2",
         "archivalCode": "J012-WS·2015-Y-BGS-0004", "itemNumber": "4", "path": "纪要/会议纪要.xml"],
    ]

    var headers = GoodTransfer.headers

    var sheet: String {
        var b = SheetBuilder(headers)
        for r in rows { b.add(r) }
        return b.csv
    }

    func make(sheetEncoding: String = "utf-8", bagInfo: [String: String] = BagMaker.defaultBagInfo) throws -> URL {
        try BagMaker.make(files: files, sheet: sheet, sheetEncoding: sheetEncoding, bagInfo: bagInfo)
    }
}

extension XCTestCase {
    func context(taken: Set<String> = [], uploadDigest: String? = nil, archive: URL? = nil) -> TransferContext {
        TransferContext(agency: "J012", officer: "zhang.wei", receivedAt: Date(), uploadDigest: uploadDigest,
                        uploadedArchive: archive, takenArchivalCodes: taken)
    }

    func check(_ bag: URL, _ context: TransferContext? = nil) -> TransferReport {
        TransferChecker.check(bagDirectory: bag, context: context ?? self.context())
    }

    /// Asserts the item's status and that some finding of that status (on `row`, when given)
    /// mentions every given text in its Chinese or English reason or its path.
    @discardableResult
    func assertItem(_ report: TransferReport, _ id: CheckItemID, _ status: CheckStatus, mentioning texts: [String] = [],
                    row: Int? = nil, file: StaticString = #filePath, line: UInt = #line) -> CheckItem? {
        guard let item = report.item(id) else {
            XCTFail("no item \(id.rawValue) in the report", file: file, line: line)
            return nil
        }
        XCTAssertEqual(item.status, status, "\(id.rawValue): \(describe(item))", file: file, line: line)
        if !texts.isEmpty || row != nil {
            let matching = item.findings.filter { f in
                f.status == status && (row == nil || f.row == row) && texts.allSatisfy { t in
                    f.reasonZh.contains(t) || f.reasonEn.contains(t) || f.path?.contains(t) == true
                }
            }
            XCTAssertFalse(matching.isEmpty, "\(id.rawValue): no \(status) finding mentions \(texts) (row \(row.map(String.init) ?? "any")): \(describe(item))",
                           file: file, line: line)
        }
        return item
    }

    func describe(_ item: CheckItem) -> String {
        item.findings.map { "[\($0.status.rawValue)] \($0.path ?? "-") row \($0.row.map(String.init) ?? "-"): \($0.reasonZh) / \($0.reasonEn)" }
            .joined(separator: "\n  ")
    }

    func describe(_ report: TransferReport) -> String {
        report.items.filter { $0.status != .pass }.map { "\($0.id) \($0.status.rawValue):\n  \(describe($0))" }
            .joined(separator: "\n")
    }

    func removeLater(_ url: URL) {
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    }
}
