import ArchiveKit
import Fluent
import Foundation
@testable import LantaiServer
import Packaging
import SQLKit
import XCTest
import XCTVapor

/// Shared by the preservation tests: a catalogue built through the API (a 案卷 with its items,
/// records with no digital object, a batch, an edit, a custom category, an accepted transfer),
/// a second node to rebuild into, and a table comparison that reads every column the database
/// itself lists.
class PreservationTestCase: TransferTestCase {
    var otherApps: [Application] = []
    var otherPGDatabases: [String] = []

    override func tearDown() async throws {
        for other in otherApps { try? await other.asyncShutdown() }
        otherApps = []
        if let url = Self.postgresURL {
            for db in otherPGDatabases { try? PostgresTestDatabases.psql(url, "DROP DATABASE IF EXISTS \(db)") }
        }
        otherPGDatabases = []
        try await super.tearDown()
    }

    var storageRoot: OCFLStorageRoot {
        get throws { try OCFLStorageRoot.open(at: URL(fileURLWithPath: config.storagePath)) }
    }

    struct Built {
        var archivist: String
        var fonds: UUID
        var file: UUID
        var transfer: String
    }

    /// Fonds J020 (created through the API) with a 案卷 of two items, two stand-alone records
    /// and a batch of three — none with a digital object — one of them edited; a custom
    /// category and an edited standard one; and in J012 an accepted transfer of two records
    /// with archival packages. Every job run.
    @discardableResult
    func buildCatalogue() async throws -> Built {
        let archivist = try await token("archivist", role: .archivist, clearance: .topSecret)
        let fonds = try await call(.POST, "api/v1/fonds", token: archivist,
                                   json: ["code": "J020", "name": "江临市档案局", "agency": "江临市档案局",
                                          "history": "1958 年设立。\n2019 年机构改革后保留。", "startYear": 1958, "endYear": 2024])
        XCTAssertEqual(fonds.status, .created, fonds.body)
        let fondsId = try XCTUnwrap(fonds.object["id"] as? String)
        let category = try await call(.POST, "api/v1/categories", token: archivist,
                                      json: ["code": "MZ", "nameZh": "民生档案", "nameEn": "Civil records"])
        XCTAssertEqual(category.status, .created, category.body)
        let edited = try await call(.PATCH, "api/v1/categories/WS", token: archivist, json: ["nameEn": "Documents and records"])
        XCTAssertEqual(edited.status, .ok, edited.body)

        func item(_ title: String, _ extra: [String: Any]) -> [String: Any] {
            var j: [String: Any] = ["fondsId": fondsId, "category": "WS", "title": title, "creator": "江临市档案局",
                                    "year": 2015, "retention": "permanent", "organisation": "BGS", "pages": 2,
                                    "classification": "none", "accessStatus": "open", "carrier": "纸质",
                                    "subjects": ["档案", "目录"], "notes": "第一行\n第二行", "location": "3-2-15"]
            for (k, v) in extra { j[k] = v }
            return j
        }
        let file = try await call(.POST, "api/v1/items", token: archivist,
                                  json: item("2015年机构沿革文件汇集", ["level": "file", "date": ""]))
        XCTAssertEqual(file.status, .created, file.body)
        let fileId = try XCTUnwrap(file.object["id"] as? String)
        for title in ["关于成立江临市档案局的通知", "江临市档案局印章启用通知"] {
            let r = try await call(.POST, "api/v1/items", token: archivist,
                                   json: item(title, ["parentId": fileId, "date": "2015-05-01", "documentNumber": "江委发〔2015〕7号"]))
            XCTAssertEqual(r.status, .created, r.body)
        }
        var editable = ""
        for (title, extra) in [("档案工作会议纪要", ["date": "2015-06-30", "classification": "confidential", "accessStatus": "controlled"]),
                               ("馆藏档案统计年报", ["date": "2015-12-31", "retention": "30y"])] as [(String, [String: Any])] {
            let r = try await call(.POST, "api/v1/items", token: archivist, json: item(title, extra))
            XCTAssertEqual(r.status, .created, r.body)
            editable = r.object["id"] as? String ?? ""
        }
        let batch = try await call(.POST, "api/v1/items/batch", token: archivist, json: ["items": [
            item("市民婚姻登记档案目录（一）", ["category": "MZ", "year": 1990, "organisation": "", "date": "1990-01-05"]),
            item("市民婚姻登记档案目录（二）", ["category": "MZ", "year": 1990, "organisation": "", "date": "1990-02-05"]),
            item("知青档案目录", ["category": "MZ", "year": 1978, "retention": "10y", "date": "1978-09-01", "subjects": []]),
        ]])
        XCTAssertEqual(batch.status, .created, batch.body)
        let patched = try await call(.PATCH, "api/v1/items/\(editable)", token: archivist,
                                     json: ["title": "馆藏档案统计年报（修订）", "pages": 5, "subjects": ["统计"]])
        XCTAssertEqual(patched.status, .ok, patched.body)
        let renamed = try await call(.PATCH, "api/v1/fonds/\(fondsId)", token: archivist, json: ["name": "江临市档案馆"])
        XCTAssertEqual(renamed.status, .ok, renamed.body)

        await app.jobWorker.drain(app)  // the snapshots, so that the transfer check is the only job submitAndCheck sees
        let (transfer, stored) = try await submitAndCheck(try makeZip(rows: goodRows(), files: goodFiles))
        XCTAssertEqual(stored["passed"] as? Bool, true, "\(stored)")
        let tid = try XCTUnwrap(transfer["id"] as? String)
        let accepted = try await call(.POST, "api/v1/transfers/\(tid)/accept", token: archivist)
        XCTAssertEqual(accepted.status, .ok, accepted.body)
        await app.jobWorker.drain(app)
        let left = try await JobModel.query(on: app.db).filter(\.$status != "done").count()
        XCTAssertEqual(left, 0, "every job ran")
        return Built(archivist: archivist, fonds: UUID(uuidString: fondsId)!, file: UUID(uuidString: fileId)!, transfer: tid)
    }

    // MARK: Another node to rebuild into

    enum Target {
        case sqlite
        case postgres
    }

    /// A fresh, migrated node sharing this test's storage root: a new SQLite file, or a new
    /// PostgreSQL database from the test template.
    func freshNode(_ target: Target) async throws -> Application {
        let dir = dataDir + "/rebuilt-\(UUID().uuidString.prefix(8))"
        var env = ["LANTAI_DATA_DIR": dir, "LANTAI_BCRYPT_COST": "4", "LANTAI_NODE_CODE": "TEST",
                   "LANTAI_STORAGE_URL": config.storagePath]
        switch target {
        case .sqlite:
            env["LANTAI_DATABASE_URL"] = dir + "/catalogue.sqlite"
        case .postgres:
            guard let url = Self.postgresURL else { throw XCTSkip("LANTAI_TEST_DATABASE_URL is not set") }
            let name = "lantai_r_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try await PostgresTestDatabases.shared.create(name, adminURL: url)
            otherPGDatabases.append(String(name))
            env["LANTAI_DATABASE_URL"] = PostgresTestDatabases.url(url, database: String(name))
        }
        let other = try await Application.make(.testing)
        otherApps.append(other)
        try await configure(other, try LantaiConfiguration.fromEnvironment(env))
        try await other.autoMigrate()
        return other
    }

    func rebuild(into other: Application, node: String = "TEST") async throws -> CatalogueRebuildSummary {
        try await CatalogueRebuild.rebuild(from: try storageRoot, node: node, into: other.db, actor: "test", threadPool: other.threadPool)
    }

    // MARK: Comparing tables

    /// Every row of `table`, every column the database lists for it, as text: times in
    /// microseconds, ids in lower case. Sorted, so engines' row orders do not matter.
    static func rows(_ table: String, on db: any Database) async throws -> [[String: String]] {
        let sql = db as! any SQLDatabase
        let columns = try await Self.columns(table, on: sql)
        let rows = try await sql.select().columns(columns.map { SQLIdentifier($0) }).from(table).all()
        var out: [[String: String]] = []
        for row in rows {
            var values: [String: String] = [:]
            for c in columns { values[c] = try text(row, c, isTime: c.hasSuffix("_at") || (table == "item_history" && c == "at")) }
            out.append(values)
        }
        return out.sorted { key($0) < key($1) }
    }

    static func key(_ row: [String: String]) -> String {
        row["id"] ?? row["code"] ?? row["group_key"] ?? ""
    }

    /// A column's value as text, decoded by what its name says it holds.
    static func text(_ row: any SQLRow, _ c: String, isTime: Bool) throws -> String {
        if isTime {
            guard let d = try row.decode(column: c, as: Date?.self) else { return "NULL" }
            return String(Int64((d.timeIntervalSince1970 * 1e6).rounded()))
        }
        if c == "id" || (c.hasSuffix("_id") && c != "object_id") {
            return try row.decode(column: c, as: UUID?.self)?.uuidString.lowercased() ?? "NULL"
        }
        // try? flattens: a NULL and a text column both fall through to the String decode.
        if let i = try? row.decode(column: c, as: Int?.self) { return String(i) }
        return try row.decode(column: c, as: String?.self) ?? "NULL"
    }

    /// The columns of a table as the database knows them (not as our code believes).
    static func columns(_ table: String, on sql: any SQLDatabase) async throws -> [String] {
        struct Name: Decodable { var name: String }
        if sql.dialect.name == "sqlite" {
            return try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all(decoding: Name.self).map(\.name).sorted()
        }
        return try await sql.raw("SELECT column_name AS name FROM information_schema.columns WHERE table_name = \(bind: table) AND table_schema = current_schema()")
            .all(decoding: Name.self).map(\.name).sorted()
    }

    func assertSameRows(_ table: String, _ a: any Database, _ b: any Database, file: StaticString = #filePath, line: UInt = #line) async throws {
        let left = try await Self.rows(table, on: a)
        let right = try await Self.rows(table, on: b)
        XCTAssertEqual(left.count, right.count, "\(table): row counts", file: file, line: line)
        XCTAssertFalse(left.isEmpty, "\(table) has rows to compare", file: file, line: line)
        for (l, r) in zip(left, right) where l != r {
            let differing = l.keys.filter { l[$0] != r[$0] }.sorted()
            XCTFail("\(table) row \(l["id"] ?? l["code"] ?? l["group_key"] ?? "?") differs in \(differing): \(differing.map { "\(l[$0] ?? "-") ≠ \(r[$0] ?? "-")" })",
                    file: file, line: line)
        }
    }
}

/// ocfl-py's `ocfl-validate.py` over a storage root, with the 0004-layout plug-in IngestTests'
/// `AIPOCFLPy` uses (ocfl-py 2.1 does not know extension 0004); that helper is in another test
/// target, so its few lines are repeated here.
enum PreservationOCFLPy {
    static let plugin = #"""
    import hashlib, runpy, sys
    from ocfl.layout import Layout
    from ocfl.layout_registry import add_layout
    import ocfl.storage_root

    class Layout0004(Layout):
        def __init__(self):
            super().__init__()
            self.NAME = "0004-hashed-n-tuple-storage-layout"
            self.DESCRIPTION = "Extension 0004"
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
        for dirpath, messages in self.errors:
            print(messages)
        print("OCFL Storage Root %s: %d objects, %d valid, %s" % (self.root, self.num_objects, self.good_objects, "VALID" if ok else "INVALID"))
        return ok
    StorageRoot.__init__, StorageRoot.validate = _patched_init, _patched_validate
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    runpy.run_path(script, run_name="__main__")
    """#

    /// (exit status, output, objects, valid objects).
    static func validate(root: URL, python: String) throws -> (status: Int32, output: String, objects: Int, valid: Int) {
        let tool = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("ocfl-validate.py").path
        guard FileManager.default.isExecutableFile(atPath: tool) else { throw XCTSkip("ocfl-validate.py is not in \(tool)") }
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-pres-ocfl-\(UUID().uuidString).py")
        try plugin.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script.path, tool, root.path]
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-pres-ocfl-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        let handle = try FileHandle(forWritingTo: out)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        p.waitUntilExit()
        try? handle.close()
        let output = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        if output.contains("No module named") { throw XCTSkip("ocfl-py is not installed: \(output)") }
        var objects = -1, valid = -1
        if let range = output.range(of: #"(\d+) objects, (\d+) valid"#, options: .regularExpression) {
            let numbers = output[range].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            if numbers.count == 2 { (objects, valid) = (numbers[0], numbers[1]) }
        }
        return (p.terminationStatus, output, objects, valid)
    }
}
