import ArchiveKit
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Ingest
import Packaging
import XCTest

/// Fixtures for the AIP tests: a scratch directory, source files, and a storage root holding
/// three records as ArchivalPackage writes them.
class AIPTestCase: XCTestCase {
    var scratch: URL!

    let node = AIPNode(code: "320100", name: "南京市档案馆")
    let user = (name: "王芳", address: "mailto:wang.fang@320100.lantai.example")
    let archivist = AIPAgent.person(account: "wang.fang", name: "王芳")
    let day1 = Date(timeIntervalSince1970: 1_714_550_400)  // 2024-05-01T08:00:00Z
    let day2 = Date(timeIntervalSince1970: 1_717_228_800)  // 2024-06-01T08:00:00Z

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-aip-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        // LANTAI_KEEP_SCRATCH=1 keeps the trees for a look with other tools.
        if let scratch, ProcessInfo.processInfo.environment["LANTAI_KEEP_SCRATCH"] == nil {
            try? FileManager.default.removeItem(at: scratch)
        }
    }

    /// Writes a source file (as an unpacked transfer would hold it) and returns its URL.
    func source(_ name: String, _ content: String) throws -> URL {
        let url = scratch.appendingPathComponent("transfer").appendingPathComponent(UUID().uuidString).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
        return url
    }

    func file(_ name: String, _ content: String, _ format: AIPFormat) throws -> AIPFile {
        try AIPFile.measuring(name: name, source: try source(name.replacingOccurrences(of: "/", with: "_"), content), format: format)
    }

    static let pdfA = AIPFormat(puid: "fmt/354", mimeType: "application/pdf", name: "Acrobat PDF/A - Portable Document Format", version: "1b")
    static let ofd = AIPFormat(puid: nil, mimeType: "application/ofd", name: "OFD")
    static let jpeg = AIPFormat(puid: "fmt/43", mimeType: "image/jpeg", name: "JPEG File Interchange Format", version: "1.01")

    // MARK: - The three records

    /// An electronic item with two files; its description exercises every character XML must
    /// escape or keep: `&<>"'`, CR LF and LF, tabs, spaces at the ends, a CJK compatibility
    /// ideograph (which NFC would fold) and a supplementary-plane ideograph.
    var recordA: AIPRecord {
        AIPRecord(
            fonds: "J012", archivalCode: "J012-WS·2015-Y-BGS-0001",
            itemID: UUID(uuidString: "6F1C2D3E-4B5A-4C6D-8E7F-901A2B3C4D5E")!,
            description: RecordDescription(
                level: .item, category: "WS", title: "关于印发《档案数字化规范》的通知 & <附件> \"一\" '二'",
                creator: "南京市档案局", documentNumber: "宁档〔2015〕12号", date: "2015-03-18", year: 2015,
                retention: .permanent, organisation: "BGS", pages: 12, classification: .confidential,
                accessStatus: .controlled, carrier: "电子", subjects: ["档案工作", "A&B <c>", "  前后空格  "],
                notes: "第一行\n第二行 & <b>粗</b>\r\n第三行：兼容汉字 \u{F900} 与扩展B \u{20000}\t制表 ]]>",
                location: "3号库 12架 "))
    }

    var recordAFiles: [AIPFile] {
        get throws {
            [
                try file("关于印发《档案数字化规范》的通知.pdf", "%PDF-1.7\n%PDF/A 正文 body\n%%EOF\n", Self.pdfA),
                try file("附件/附件 1 & 2（扫描件）#50%.ofd", "PK\u{3}\u{4} OFD 版式文件\n", Self.ofd),
            ]
        }
    }

    func eventsA(_ files: [AIPFile]) -> [AIPEvent] {
        let names = files.map(\.name)
        return [
            AIPEvent(id: UUID(uuidString: "00000000-0000-4000-8000-000000000001")!, type: .ingestion, date: day1,
                     detail: "接收移交包 transfer T-2024-0001", agent: .lantai()),
            AIPEvent(id: UUID(uuidString: "00000000-0000-4000-8000-000000000002")!, type: .fixityCheck,
                     date: day1.addingTimeInterval(1.5), detail: "SHA-256 manifest of the bag",
                     outcomeDetail: "2 of 2 files match", agent: .lantai(), files: names),
            AIPEvent(id: UUID(uuidString: "00000000-0000-4000-8000-000000000003")!, type: .formatIdentification,
                     date: Date(timeIntervalSince1970: 1_714_550_402.123), outcome: .warning, detail: "signature identification",
                     outcomeDetail: "附件 1 & 2（扫描件）#50%.ofd: OFD has no PRONOM PUID", agent: .lantai(), files: [names[1]]),
            AIPEvent(id: UUID(uuidString: "00000000-0000-4000-8000-000000000004")!, type: .virusCheck,
                     date: day1.addingTimeInterval(3), detail: "signature list 2024-05-01",
                     outcomeDetail: "no signature found", agent: .software(name: "Lantai malware check", version: "2024.05"),
                     files: names),
            AIPEvent(id: UUID(uuidString: "00000000-0000-4000-8000-000000000005")!, type: .accession,
                     date: day1.addingTimeInterval(3600), detail: "移交接收 accepted", agent: archivist),
        ]
    }

    /// An item inside a 案卷 (so it has a parent 档号), one photograph.
    var recordB: AIPRecord {
        AIPRecord(
            fonds: "J012", archivalCode: "J012-ZP·2016-D30-XCK-0002-001",
            itemID: UUID(uuidString: "A0B1C2D3-E4F5-4A6B-8C7D-8E9FA0B1C2D3")!,
            description: RecordDescription(
                level: .item, category: "ZP", title: "新馆奠基仪式", creator: "宣传科", date: "2016-09-09", year: 2016,
                retention: .thirtyYears, organisation: "XCK", pages: 1, classification: .none, accessStatus: .open,
                carrier: "照片", subjects: ["新馆"], notes: "", location: ""),
            parentArchivalCode: "J012-ZP·2016-D30-XCK-0002")
    }

    /// A paper 案卷 described but not digitised: a description-only package.
    var recordC: AIPRecord {
        AIPRecord(
            fonds: "J012", archivalCode: "J012-WS·2016-D10-0003",
            itemID: UUID(uuidString: "11111111-2222-4333-8444-555555555555")!,
            description: RecordDescription(
                level: .file, category: "WS", title: "2016年度会议记录", creator: "办公室", date: "", year: 2016,
                retention: .tenYears, pages: 48, carrier: "纸质", location: "1号库 3架 5层"))
    }

    /// Record A's description as edited for version 2.
    var recordA2: AIPRecord {
        var r = recordA
        r.description.title = "关于印发《档案数字化规范》的通知（修订题名）"
        r.description.notes = "著录修改：\n题名更正"
        r.description.accessStatus = .open
        r.description.subjects = ["档案工作", "数字化"]
        return r
    }

    var editEvent: AIPEvent {
        AIPEvent(id: UUID(uuidString: "00000000-0000-4000-8000-000000000006")!, type: .metadataModification, date: day2,
                 detail: "题名 title, 附注 notes, 开放状态 access status, 主题词 subjects", agent: archivist)
    }

    struct Archive {
        var url: URL
        var root: OCFLStorageRoot
        var filesA: [AIPFile]
        var filesB: [AIPFile]
        var idA: String
        var idB: String
        var idC: String
    }

    /// A fresh storage root with A (v1, then v2 after a description edit), B and C.
    func makeArchive() throws -> Archive {
        let url = scratch.appendingPathComponent("ocfl-root")
        let root = try OCFLStorageRoot.create(at: url)
        let filesA = try recordAFiles
        let a1 = try ArchivalPackage.preserve(recordA, files: filesA, events: eventsA(filesA), node: node, in: root,
                                              message: "移交接收 accession of transfer T-2024-0001", user: user,
                                              options: AIPWriteOptions(date: day1))
        XCTAssertEqual(a1.version, 1)
        let filesB = [try file("照片.jpg", "\u{FF}\u{D8}\u{FF}\u{E0} JFIF 照片\n", Self.jpeg)]
        let b = try ArchivalPackage.preserve(
            recordB, files: filesB,
            events: [AIPEvent(id: UUID(uuidString: "00000000-0000-4000-8000-0000000000b1")!, type: .ingestion, date: day1,
                              agent: .lantai(), files: ["照片.jpg"])],
            node: node, in: root, message: "accession", user: user, options: AIPWriteOptions(date: day1))
        let c = try ArchivalPackage.preserve(
            recordC, files: [],
            events: [AIPEvent(id: UUID(uuidString: "00000000-0000-4000-8000-0000000000c1")!, type: .accession, date: day1,
                              detail: "纸质档案著录 paper record described", agent: archivist)],
            node: node, in: root, message: "paper record described", user: user, options: AIPWriteOptions(date: day1))
        // Version 2 of A: the same files again (as a re-ingest would give them), a new description.
        let a2 = try ArchivalPackage.preserve(recordA2, files: filesA, events: [editEvent], node: node, in: root,
                                              message: "著录修改 description edited", user: user,
                                              options: AIPWriteOptions(date: day2))
        XCTAssertEqual(a2.version, 2)
        XCTAssertEqual(a2.objectID, a1.objectID)
        return Archive(url: url, root: root, filesA: filesA, filesB: filesB, idA: a1.objectID, idB: b.objectID, idC: c.objectID)
    }

    func objectURL(_ archive: Archive, _ id: String) -> URL {
        archive.url.appendingPathComponent(archive.root.objectPath(for: id))
    }

    /// Every regular file under a directory, relative to it, sorted.
    func files(under url: URL) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: url.path) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.appendingPathComponent(p).path, isDirectory: &isDir), !isDir.boolValue {
                out.append(p)
            }
        }
        return out.sorted()
    }
}

// MARK: - Outside validators

/// Runs an outside validator the suite relies on (a copy of PackagingTests' OutsideTool, which
/// this test target cannot see). scripts/test installs them into .venv-test; without them the
/// test is skipped, naming the missing tool.
enum AIPOutsideTool {
    struct Result {
        var status: Int32
        var output: String
    }

    static func path(_ name: String) -> String? {
        var dirs: [String] = []
        if let venv = ProcessInfo.processInfo.environment["LANTAI_TEST_VENV"] { dirs.append(venv + "/bin") }
        dirs.append(FileManager.default.currentDirectoryPath + "/.venv-test/bin")
        dirs += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return dirs.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func require(_ name: String) throws -> String {
        guard let p = path(name) else {
            throw XCTSkip("\(name) is not installed: run scripts/test, or pip install ocfl-py xmlschema into .venv-test")
        }
        return p
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    static func python(with module: String) throws -> String {
        for candidate in [path("python3")].compactMap({ $0 }) + ["/usr/bin/python3"] {
            if let r = try? run(candidate, ["-c", "import \(module)"]), r.status == 0 { return candidate }
        }
        throw XCTSkip("python module \(module) is not installed: run scripts/test (it installs it into .venv-test)")
    }
}

/// ocfl-py's `ocfl-validate.py` over a storage root, with the same 0004-layout plug-in as
/// PackagingTests' `OCFLPy` (ocfl-py 2.1 does not know community extension 0004 and would stop
/// at E071 "unknown layout"; the plug-in registers it and prints the root's object count).
enum AIPOCFLPy {
    struct Outcome {
        var status: Int32
        var output: String
        var usedLayoutPlugin: Bool
        /// ocfl-validate.py exits 0 for a root whose objects are invalid as long as the hierarchy
        /// is sound, so the plug-in's "N objects, M valid" line decides too.
        var valid: Bool {
            guard status == 0 else { return false }
            guard let range = output.range(of: #"(\d+) objects, (\d+) valid"#, options: .regularExpression) else { return true }
            let numbers = output[range].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            return numbers.count == 2 && numbers[0] == numbers[1]
        }
        var objectCount: Int? {
            guard let range = output.range(of: #"(\d+) objects, (\d+) valid"#, options: .regularExpression) else { return nil }
            return output[range].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }.first
        }
    }

    static let plugin = #"""
    import hashlib, runpy, sys
    from ocfl.layout import Layout
    from ocfl.layout_registry import add_layout
    import ocfl.storage_root

    class Layout0004(Layout):
        """Community extension 0004: hashed n-tuple storage layout."""
        def __init__(self):
            super().__init__()
            self.NAME = "0004-hashed-n-tuple-storage-layout"
            self.DESCRIPTION = "Extension 0004: Hashed N-tuple Storage Layout"
            self.digest_algorithm, self.tuple_size, self.number_of_tuples, self.short_object_root = "sha256", 3, 3, False
            self.PARAMS = {
                "digestAlgorithm": lambda v: setattr(self, "digest_algorithm", v or "sha256"),
                "tupleSize": lambda v: setattr(self, "tuple_size", 3 if v is None else int(v)),
                "numberOfTuples": lambda v: setattr(self, "number_of_tuples", 3 if v is None else int(v)),
                "shortObjectRoot": lambda v: setattr(self, "short_object_root", bool(v)),
            }

        def identifier_to_path(self, identifier):
            d = hashlib.new(self.digest_algorithm, identifier.encode("utf-8")).hexdigest()
            n, t = self.number_of_tuples, self.tuple_size
            return "/".join([d[i * t:(i + 1) * t] for i in range(n)] + [d[n * t:] if self.short_object_root else d])

    add_layout("0004-hashed-n-tuple-storage-layout", Layout0004)
    StorageRoot = ocfl.storage_root.StorageRoot
    _init, _validate = StorageRoot.__init__, StorageRoot.validate
    def _patched_init(self, *args, **kwargs):
        _init(self, *args, **kwargs)
        self.registered_extensions.append("0004-hashed-n-tuple-storage-layout")
    def _patched_validate(self, *args, **kwargs):
        ok = _validate(self, *args, **kwargs)
        if str(self.log):
            print(str(self.log))
        for dirpath, messages in self.errors:
            print(messages)
        print("OCFL Storage Root %s: %d objects, %d valid, %s" % (self.root, self.num_objects, self.good_objects, "VALID" if ok else "INVALID"))
        return ok
    StorageRoot.__init__, StorageRoot.validate = _patched_init, _patched_validate

    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    runpy.run_path(script, run_name="__main__")
    """#

    static func knows0004() throws -> Bool {
        let python = try AIPOutsideTool.python(with: "ocfl")
        let r = try AIPOutsideTool.run(python, ["-c", "import sys; from ocfl.layout_registry import layout_is_supported as s; sys.exit(0 if s('0004-hashed-n-tuple-storage-layout') else 1)"])
        return r.status == 0
    }

    /// Validates a storage root or an object directory.
    static func validate(_ url: URL) throws -> Outcome {
        let tool = try AIPOutsideTool.require("ocfl-validate.py")
        let isRoot = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).contains { $0.hasPrefix("0=ocfl_1.") }
        guard isRoot, try !knows0004() else {
            let r = try AIPOutsideTool.run(tool, [url.path])
            return Outcome(status: r.status, output: r.output, usedLayoutPlugin: false)
        }
        let python = try AIPOutsideTool.python(with: "ocfl")
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-aip-ocfl-0004-\(UUID().uuidString).py")
        try plugin.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let r = try AIPOutsideTool.run(python, [script.path, tool, url.path])
        return Outcome(status: r.status, output: r.output, usedLayoutPlugin: true)
    }
}

/// scripts/validate-xml.py (xmlschema with the official XSDs in the shared schemas folder).
enum AIPXMLValidator {
    /// The script of this checkout, found through this file's real path (so a package that
    /// symlinks Tests/ still finds it), else of the current directory.
    static func script() throws -> String {
        let here = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let fromSource = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/validate-xml.py").path
        for candidate in [fromSource, FileManager.default.currentDirectoryPath + "/scripts/validate-xml.py"]
        where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        throw XCTSkip("scripts/validate-xml.py not found")
    }

    static func run(schema: String, files: [URL]) throws -> AIPOutsideTool.Result {
        let python = try AIPOutsideTool.python(with: "xmlschema")
        let result = try AIPOutsideTool.run(python, [try script(), "--schema", schema] + files.map(\.path))
        if result.status == 2, result.output.contains("no schemas folder found") {
            throw XCTSkip("validate-xml.py found no shared schemas folder: \(result.output)")
        }
        return result
    }
}

/// Reads METS back with libxml2's tree API (FoundationXML's XMLDocument), independent of the
/// reader under test.
struct AIPParsedXML {
    let doc: XMLDocument

    init(_ data: Data) throws {
        doc = try XMLDocument(data: data, options: [])
    }

    func all(_ qname: String) -> [XMLElement] {
        var out: [XMLElement] = []
        func walk(_ node: XMLNode) {
            if node.kind == .element, node.name == qname, let e = node as? XMLElement { out.append(e) }
            for c in node.children ?? [] { walk(c) }
        }
        if let root = doc.rootElement() { walk(root) }
        return out
    }

    func texts(_ qname: String) -> [String] { all(qname).map { $0.stringValue ?? "" } }

    func attributes(_ name: String, of qname: String) -> [String?] {
        all(qname).map { $0.attribute(forName: name)?.stringValue }
    }
}
