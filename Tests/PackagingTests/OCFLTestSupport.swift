import Foundation
@testable import Packaging
import XCTest

/// Shared fixtures for the OCFL tests: a scratch directory, source files, and the reference
/// storage root with one object in two versions.
class OCFLTestCase: XCTestCase {
    var scratch: URL!

    let user = OCFLUser(name: "张档案", address: "mailto:archivist@lantai.example")
    let objectID = "urn:lantai:aip:J012-WS·2015-Y-BGS-0001"
    let day1 = Date(timeIntervalSince1970: 1_714_550_400) // 2024-05-01T08:00:00Z
    let day2 = Date(timeIntervalSince1970: 1_714_636_800)

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-ocfl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        // LANTAI_KEEP_SCRATCH=1 keeps the trees for a look with other tools.
        if let scratch, ProcessInfo.processInfo.environment["LANTAI_KEEP_SCRATCH"] == nil {
            try? FileManager.default.removeItem(at: scratch)
        }
    }

    /// Writes a source file under scratch/sources and returns its URL.
    func source(_ name: String, _ content: String) throws -> URL {
        try source(name, Data(content.utf8))
    }

    func source(_ name: String, _ data: Data) throws -> URL {
        let url = scratch.appendingPathComponent("sources").appendingPathComponent(UUID().uuidString).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        return url
    }

    struct Reference {
        var url: URL
        var root: OCFLStorageRoot
        var object: OCFLObject
        /// The object root as a file URL.
        var objectURL: URL
    }

    /// The reference storage root: v1 has three files (Chinese names included); v2 keeps one
    /// unchanged, changes one, adds one, and adds a copy of existing content under a new name.
    func makeReference(named name: String = "root") throws -> Reference {
        let url = scratch.appendingPathComponent(name)
        let root = try OCFLStorageRoot.create(at: url)
        let v1 = try root.createOrUpdate(objectID: objectID, files: [
            (logicalPath: "说明.txt", source: try source("a", "卷内备考表：本卷共三件。\n")),
            (logicalPath: "正文/关于档案数字化的通知.pdf", source: try source("b", "%PDF-1.7 first draft\n")),
            (logicalPath: "metadata/mets.xml", source: try source("c", "<mets/>\n")),
        ], message: "初次接收 ingest", user: user, created: day1)
        XCTAssertEqual(v1, 1)
        let v2 = try root.createOrUpdate(objectID: objectID, files: [
            (logicalPath: "说明.txt", source: try source("a", "卷内备考表：本卷共三件。\n")),
            (logicalPath: "正文/关于档案数字化的通知.pdf", source: try source("b", "%PDF-1.7 signed final\n")),
            (logicalPath: "metadata/mets.xml", source: try source("c", "<mets/>\n")),
            (logicalPath: "metadata/premis.xml", source: try source("d", "<premis/>\n")),
            (logicalPath: "副本/说明（副本）.txt", source: try source("e", "卷内备考表：本卷共三件。\n")),
        ], message: "替换签章版本 replace with signed copy", user: user, created: day2)
        XCTAssertEqual(v2, 2)
        let object = root.object(objectID)
        return Reference(url: url, root: root, object: object, objectURL: url.appendingPathComponent(object.path))
    }

    /// A copy of a directory tree for a corruption test.
    func copy(_ url: URL, as name: String) throws -> URL {
        let target = scratch.appendingPathComponent(name)
        try FileManager.default.copyItem(at: url, to: target)
        return target
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

    /// Rewrites an object's inventory.json (root, and the head version's copy when `alsoHead`)
    /// through `edit`, then recomputes the sidecars, so that only the edited fault remains.
    func rewriteInventory(_ objectURL: URL, alsoHead: Bool = true, resign: Bool = true, _ edit: (inout [String: Any]) -> Void) throws {
        let inventoryURL = objectURL.appendingPathComponent("inventory.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: inventoryURL)) as! [String: Any]
        let head = json["head"] as! String
        edit(&json)
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        var targets = [objectURL]
        if alsoHead { targets.append(objectURL.appendingPathComponent(head)) }
        for dir in targets {
            try data.write(to: dir.appendingPathComponent("inventory.json"))
            if resign {
                try OCFLSidecar.body(DigestAlgorithm.sha512.hexDigest(of: data)).write(to: dir.appendingPathComponent("inventory.json.sha512"))
            }
        }
    }
}

/// Runs ocfl-py's `ocfl-validate.py`, the outside validator.
///
/// ocfl-py 2.1 does not know community extension 0004, although it is registered (ocfl-py's own
/// object validator lists it): a storage root using it stops at E071 "unknown layout". So while
/// ocfl-py lacks it, storage roots are validated by a short plug-in that registers 0004 in
/// ocfl-py's layout registry and then runs the unmodified ocfl-validate.py. The plug-in also
/// prints the root's findings, which ocfl-validate.py computes for roots but does not print.
enum OCFLPy {
    struct Outcome {
        var status: Int32
        var output: String
        /// Whether the 0004 plug-in was used.
        var usedLayoutPlugin: Bool
        /// ocfl-validate.py exits 0 for a storage root whose objects are invalid as long as the
        /// hierarchy itself is sound (ocfl-py 2.1 counts only traversal errors), so for roots
        /// the plug-in's "N objects, M valid" line decides too.
        var valid: Bool {
            guard status == 0 else { return false }
            guard let range = output.range(of: #"(\d+) objects, (\d+) valid"#, options: .regularExpression) else { return true }
            let numbers = output[range].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            return numbers.count == 2 && numbers[0] == numbers[1]
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

    /// Whether the installed ocfl-py knows the 0004 layout itself.
    static func knows0004() throws -> Bool {
        let python = try OutsideTool.python(with: "ocfl")
        let r = try OutsideTool.run(python, ["-c", "import sys; from ocfl.layout_registry import layout_is_supported as s; sys.exit(0 if s('0004-hashed-n-tuple-storage-layout') else 1)"])
        return r.status == 0
    }

    static func validate(_ url: URL) throws -> Outcome {
        let tool = try OutsideTool.require("ocfl-validate.py")
        let isRoot = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).contains { $0.hasPrefix("0=ocfl_1.") }
        guard isRoot, try !knows0004() else {
            let r = try OutsideTool.run(tool, [url.path])
            return Outcome(status: r.status, output: r.output, usedLayoutPlugin: false)
        }
        let python = try OutsideTool.python(with: "ocfl")
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-ocfl-0004-\(UUID().uuidString).py")
        try plugin.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let r = try OutsideTool.run(python, [script.path, tool, url.path])
        return Outcome(status: r.status, output: r.output, usedLayoutPlugin: true)
    }
}
