import ArchiveKit
import Fluent
import Foundation
@testable import LantaiServer
import SQLKit
import XCTest
import XCTVapor

/// Every server test gets a fresh node: a new SQLite file, or — when LANTAI_TEST_DATABASE_URL
/// names a PostgreSQL server on loopback — a new database copied from a migrated template.
class LantaiTestCase: XCTestCase {
    var app: Application!
    var config: LantaiConfiguration!
    var dataDir = ""
    private var pgDatabase: String?

    static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["LANTAI_TEST_DATABASE_URL"], !url.isEmpty else { return nil }
        return url
    }

    var isPostgres: Bool { Self.postgresURL != nil }

    /// Settings a test class needs beyond the defaults (e.g. a small transfer limit).
    class var environmentOverrides: [String: String] { [:] }

    override func setUp() async throws {
        try await super.setUp()
        dataDir = NSTemporaryDirectory() + "lantai-test-" + UUID().uuidString
        var env = ["LANTAI_DATA_DIR": dataDir, "LANTAI_BCRYPT_COST": "4", "LANTAI_NODE_CODE": "TEST"]
        env.merge(Self.environmentOverrides) { _, new in new }
        if let url = Self.postgresURL {
            let name = "lantai_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try await PostgresTestDatabases.shared.create(name, adminURL: url)
            pgDatabase = String(name)
            env["LANTAI_DATABASE_URL"] = PostgresTestDatabases.url(url, database: String(name))
        }
        config = try LantaiConfiguration.fromEnvironment(env)
        app = try await Application.make(.testing)
        try await configure(app, config)
        if !isPostgres { try await app.autoMigrate() }
    }

    override func tearDown() async throws {
        try await app?.asyncShutdown()
        app = nil
        if let db = pgDatabase, let url = Self.postgresURL {
            try? PostgresTestDatabases.psql(url, "DROP DATABASE IF EXISTS \(db)")
        }
        try? FileManager.default.removeItem(atPath: dataDir)
        try await super.tearDown()
    }

    var sql: any SQLDatabase { app.db as! any SQLDatabase }

    /// The environment of a CLI run: the node of this test, nothing inherited from LANTAI_* of the caller.
    var cliEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LANTAI_") }
        env["LANTAI_DATA_DIR"] = dataDir
        env["LANTAI_BCRYPT_COST"] = "4"
        env["LANTAI_NODE_CODE"] = "TEST"
        switch config.database {
        case .sqlite(let path): env["LANTAI_DATABASE_URL"] = path
        case .postgres(let url): env["LANTAI_DATABASE_URL"] = url
        }
        return env
    }


    // MARK: Factories

    @discardableResult
    func makeFonds(_ code: String = "J001", name: String = "测试市人民政府办公室") async throws -> FondsModel {
        let f = FondsModel()
        f.code = code
        f.name = name
        f.agency = name
        f.history = ""
        f.startYear = 1950
        f.endYear = 2024
        try await f.create(on: app.db)
        return f
    }

    /// Creates an account and returns a bearer token for it.
    func token(_ username: String, role: Role, agency: String? = nil, clearance: Classification = .none) async throws -> String {
        try await Accounts.create(.init(username: username, role: role, agency: agency, clearance: clearance, password: "password-\(username)"),
                                  by: "test", cost: 4, on: app.db)
        return try await Accounts.createToken(username: username, name: "test", by: "test", on: app.db).token
    }

    struct APIResponse {
        var status: HTTPStatus
        var body: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var error: [String: Any] { object["error"] as? [String: Any] ?? [:] }
    }

    /// One API call through the in-memory responder.
    func call(_ method: HTTPMethod, _ path: String, token: String? = nil, json: Any? = nil, raw: String? = nil,
              headers extra: [(String, String)] = [], file: StaticString = #filePath, line: UInt = #line) async throws -> APIResponse {
        var result: APIResponse?
        try await app.test(method, path, beforeRequest: { (req: inout XCTHTTPRequest) async throws in
            if let token { req.headers.bearerAuthorization = .init(token: token) }
            for (k, v) in extra { req.headers.replaceOrAdd(name: k, value: v) }
            if let json {
                req.headers.contentType = .json
                req.body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
            } else if let raw {
                req.headers.contentType = .json
                req.body = ByteBuffer(string: raw)
            }
        }, afterResponse: { (res: XCTHTTPResponse) async throws in
            result = APIResponse(status: res.status, body: res.body.string)
        })
        let r = result!
        XCTAssertLessThan(r.status.code, 500, "\(method) \(path) answered \(r.status): \(r.body)", file: file, line: line)
        return r
    }

    func itemJSON(fonds: FondsModel, title: String = "关于加强档案工作的通知", year: Int = 2015, date: String? = "2015-03-02",
                  category: String = "WS", retention: String = "permanent", organisation: String = "BGS",
                  classification: String = "none", accessStatus: String = "open", extra: [String: Any] = [:]) -> [String: Any] {
        var j: [String: Any] = ["fondsId": fonds.id!.uuidString, "category": category, "title": title, "creator": "测试市人民政府办公室",
                                "documentNumber": "测政发〔\(year)〕1号", "year": year, "retention": retention,
                                "organisation": organisation, "pages": 3, "classification": classification,
                                "accessStatus": accessStatus, "carrier": "纸质", "subjects": ["档案工作"]]
        if let date { j["date"] = date }
        for (k, v) in extra { j[k] = v }
        return j
    }

    func count(_ table: String) async throws -> Int {
        struct N: Decodable { var n: Int }
        return try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first(decoding: N.self)?.n ?? -1
    }
}

/// Creates per-test PostgreSQL databases from a template migrated once per test run.
actor PostgresTestDatabases {
    static let shared = PostgresTestDatabases()
    private var template: String?

    func create(_ name: some StringProtocol, adminURL: String) async throws {
        guard let host = URLComponents(string: adminURL)?.host, ["127.0.0.1", "localhost", "::1"].contains(host) else {
            throw XCTSkip("refusing to run tests against a non-loopback PostgreSQL (\(adminURL))")
        }
        if template == nil {
            let t = "lantai_tpl_\(ProcessInfo.processInfo.processIdentifier)"
            try Self.psql(adminURL, "DROP DATABASE IF EXISTS \(t)")
            try Self.psql(adminURL, "CREATE DATABASE \(t)")
            let config = try LantaiConfiguration.fromEnvironment([
                "LANTAI_DATA_DIR": NSTemporaryDirectory() + "lantai-tpl", "LANTAI_DATABASE_URL": Self.url(adminURL, database: t)])
            let app = try await Application.make(.testing)
            try await configure(app, config)
            try await app.autoMigrate()
            try await app.asyncShutdown()
            template = t
        }
        try Self.psql(adminURL, "CREATE DATABASE \(name) TEMPLATE \(template!)")
    }

    static func url(_ base: String, database: String) -> String {
        var c = URLComponents(string: base)!
        c.path = "/" + database
        return c.string!
    }

    static func psql(_ url: String, _ command: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", command]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            let msg = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw NSError(domain: "psql", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "psql \(command): \(msg)"])
        }
    }
}
