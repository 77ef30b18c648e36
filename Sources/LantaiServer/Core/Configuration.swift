import Foundation

/// The node's configuration, read once at start-up from `LANTAI_*` environment variables.
/// Every malformed variable is reported at once, and secrets are masked when printed.
public struct LantaiConfiguration: Sendable {
    public enum DatabaseKind: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    /// LANTAI_DATA_DIR — where the SQLite catalogue and the OCFL storage root live.
    public var dataDirectory: String
    /// LANTAI_DATABASE_URL — `postgres://…`, `sqlite:///path` or a file path; default a SQLite file in the data dir.
    public var database: DatabaseKind
    /// LANTAI_NODE_CODE — this centre's code in the network (e.g. JL-CITY).
    public var nodeCode: String
    /// LANTAI_NODE_NAME — the archives' name, written into every archival package.
    public var nodeName: String
    /// LANTAI_STORAGE_URL — the OCFL storage root; default `<data dir>/ocfl`: the directory, or the `s3://` URL.
    /// Open it with `NodeStorage` (Storage/NodeStorage.swift), never from this string.
    public var storagePath: String
    /// The primary (a directory or S3), the replicas and the replication policy: see `StorageSettings`.
    public var storage: StorageSettings
    /// LANTAI_HOSTNAME / LANTAI_PORT — listen address when `serve` is not given one.
    public var hostname: String
    public var port: Int
    /// LANTAI_BCRYPT_COST — work factor of password hashes (4…31, default 12).
    public var bcryptCost: Int
    /// LANTAI_MAX_BODY — the largest JSON request body accepted (default 16mb).
    public var maxBodySize: String
    /// LANTAI_MAX_TRANSFER_BYTES — the largest transfer package accepted (default 20 GiB).
    public var maxTransferBytes: Int64
    /// LANTAI_JOB_LEASE_SECONDS — how long a worker holds a job before another may take it up
    /// (renewed while the job runs; after a crash, the job waits this long).
    public var jobLeaseSeconds: Int
    /// LANTAI_LOGIN_MAX_FAILURES / LANTAI_LOGIN_WINDOW_SECONDS — login throttling.
    public var loginMaxFailures: Int
    public var loginWindowSeconds: Int
    /// LANTAI_RESOURCES_DIR — the folder holding Resources/Views and Public.
    public var resourcesDirectory: String?
    /// LANTAI_SYSTEM_ADMIN_PASSWORD, LANTAI_SECURITY_ADMIN_PASSWORD, LANTAI_AUDITOR_PASSWORD —
    /// first-start passwords of the three administrators; random one-time passwords when unset.
    public var initialPasswords: [String: String]
    /// LANTAI_SQL_LOG — log every SQL statement (debug).
    public var logSQL: Bool
    /// LANTAI_SECURE_COOKIES — mark the session cookie Secure (behind HTTPS).
    public var secureCookies: Bool

    public struct Invalid: Error, CustomStringConvertible {
        public var problems: [String]
        public var description: String { "配置错误 / configuration errors:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> LantaiConfiguration {
        var problems: [String] = []
        func int(_ key: String, _ def: Int, _ range: ClosedRange<Int>) -> Int {
            guard let raw = env[key], !raw.isEmpty else { return def }
            guard let v = Int(raw), range.contains(v) else {
                problems.append("\(key)=\(raw): 应为 \(range.lowerBound)–\(range.upperBound) 的整数 / must be an integer in \(range)")
                return def
            }
            return v
        }
        func bool(_ key: String) -> Bool { ["1", "true", "yes", "on"].contains((env[key] ?? "").lowercased()) }

        let dataDir = env["LANTAI_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "./lantai-data"
        var database = DatabaseKind.sqlite(path: dataDir + "/catalogue.sqlite")
        if let url = env["LANTAI_DATABASE_URL"], !url.isEmpty {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                database = .postgres(url: url)
            } else if url.hasPrefix("sqlite://") {
                database = .sqlite(path: String(url.dropFirst("sqlite://".count)))
            } else if url.hasPrefix("/") || url.hasPrefix("./") {
                database = .sqlite(path: url)
            } else {
                problems.append("LANTAI_DATABASE_URL: 应为 postgres://… 或 sqlite:///path / must be postgres://… or sqlite:///path")
            }
        }
        let storage = StorageSettings.parse(env, dataDirectory: dataDir, problems: &problems)
        let nodeCode = env["LANTAI_NODE_CODE"].flatMap { $0.isEmpty ? nil : $0 } ?? "LOCAL"
        if !nodeCode.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) || nodeCode.count > 32 {
            problems.append("LANTAI_NODE_CODE=\(nodeCode): 只能含字母、数字和连字符 / letters, digits and hyphens only")
        }
        var passwords: [String: String] = [:]
        for (role, key) in [("system-admin", "LANTAI_SYSTEM_ADMIN_PASSWORD"), ("security-admin", "LANTAI_SECURITY_ADMIN_PASSWORD"),
                            ("auditor", "LANTAI_AUDITOR_PASSWORD")] {
            if let p = env[key], !p.isEmpty {
                if p.count < 8 { problems.append("\(key): 至少 8 个字符 / at least 8 characters") }
                passwords[role] = p
            }
        }
        let config = LantaiConfiguration(
            dataDirectory: dataDir, database: database, nodeCode: nodeCode,
            nodeName: env["LANTAI_NODE_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "兰台数字档案馆（\(nodeCode)）",
            storagePath: storage.primary.url, storage: storage,
            hostname: env["LANTAI_HOSTNAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1",
            port: int("LANTAI_PORT", 8080, 1...65535),
            bcryptCost: int("LANTAI_BCRYPT_COST", 12, 4...31),
            maxBodySize: env["LANTAI_MAX_BODY"].flatMap { $0.isEmpty ? nil : $0 } ?? "16mb",
            maxTransferBytes: Int64(int("LANTAI_MAX_TRANSFER_BYTES", 20 << 30, 1...(1 << 50))),
            jobLeaseSeconds: int("LANTAI_JOB_LEASE_SECONDS", 60, 1...86400),
            loginMaxFailures: int("LANTAI_LOGIN_MAX_FAILURES", 5, 1...1000),
            loginWindowSeconds: int("LANTAI_LOGIN_WINDOW_SECONDS", 900, 1...86400),
            resourcesDirectory: env["LANTAI_RESOURCES_DIR"].flatMap { $0.isEmpty ? nil : $0 },
            initialPasswords: passwords,
            logSQL: bool("LANTAI_SQL_LOG"),
            secureCookies: bool("LANTAI_SECURE_COOKIES"))
        if !problems.isEmpty { throw Invalid(problems: problems) }
        return config
    }

    /// Lines for the start-up log, secrets masked.
    public var summary: [String] {
        let db: String
        switch database {
        case .sqlite(let path): db = "sqlite \(path)"
        case .postgres(let url): db = Self.maskPassword(url)
        }
        return ["LANTAI_DATA_DIR=\(dataDirectory)", "LANTAI_DATABASE_URL=\(db)", "LANTAI_NODE_CODE=\(nodeCode)",
                "LANTAI_BCRYPT_COST=\(bcryptCost)", "LANTAI_MAX_BODY=\(maxBodySize)",
                "LANTAI_MAX_TRANSFER_BYTES=\(maxTransferBytes)"] + storage.summary
            + initialPasswords.keys.sorted().map { "initial password for \($0)=****" }
    }

    static func maskPassword(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://") else { return url }
        let creds = url[scheme.upperBound..<at]
        guard let colon = creds.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":****" + String(url[at...])
    }
}
