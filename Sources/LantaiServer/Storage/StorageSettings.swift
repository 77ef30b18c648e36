import Foundation
import Storage

/// One place where the node keeps its OCFL objects: the primary storage root or a replica.
///
/// Parsed from configuration once; opening it (``NodeStorage/open(_:config:)``) does no I/O.
public struct StorageLocationSpec: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case directory
        case s3
    }

    /// The primary location's name in tables, events and the API.
    public static let primaryName = "primary"

    /// `primary`, or the operator's name from `LANTAI_REPLICA_URLS`.
    public var name: String
    public var kind: Kind
    /// A directory path, or the `s3://` URL as configured (it carries no secrets: S3Location refuses them).
    public var url: String
    /// Kept in another building or city (异地备份), from `LANTAI_OFFSITE`.
    public var offsite: Bool
    /// For S3: where and how to sign in (credentials included: never printed).
    public var s3: S3Location?

    public var isPrimary: Bool { name == Self.primaryName }

    /// Directory path (for `.directory`).
    public var path: String { url }

    public var description: String {
        let shown = s3.map { $0.description } ?? url
        return "\(name)=\(shown)\(offsite ? " (off-site 异地)" : "")"
    }

    /// What makes two specs the same place, whatever their spelling: the absolute directory,
    /// or endpoint + bucket + key prefix.
    public var identity: String {
        switch kind {
        case .directory:
            return "dir:" + URL(fileURLWithPath: url).standardizedFileURL.path
        case .s3:
            guard let s3 else { return "s3:" + url }
            return "s3:\(s3.endpoint.absoluteString.lowercased())/\(s3.bucket)/\(s3.keyPrefix)"
        }
    }

    /// Parses a location URL: `file:///path`, `/path`, `./path`, `../path`, or
    /// `s3://bucket[/prefix]?endpoint=…&region=…`. S3 credentials come from `LANTAI_S3_ACCESS_KEY`
    /// and `LANTAI_S3_SECRET_KEY`, or — so that an off-site store of another provider can have
    /// keys of its own — from `LANTAI_S3_ACCESS_KEY_<NAME>` / `LANTAI_S3_SECRET_KEY_<NAME>`
    /// (NAME upper-cased, `-` as `_`), which win when set.
    public static func parse(name: String, url text: String, offsite: Bool = false,
                             environment: [String: String]) throws -> StorageLocationSpec {
        if text.lowercased().hasPrefix("s3://") {
            do {
                let location = try S3Location.parse(text, environment: credentials(for: name, in: environment))
                return StorageLocationSpec(name: name, kind: .s3, url: text, offsite: offsite, s3: location)
            } catch let e as StorageError {
                throw LantaiError(.badRequest, code: "invalid_storage_url", zh: "存储地址无效：\(e.detail)",
                                  en: "invalid storage URL \(text): \(e.detail)")
            }
        }
        var path = text
        if path.hasPrefix("file://") { path = String(path.dropFirst("file://".count)) }
        guard path.hasPrefix("/") || path.hasPrefix("./") || path.hasPrefix("../") else {
            throw LantaiError(.badRequest, code: "invalid_storage_url",
                              zh: "存储地址 \(text) 应为目录（/path 或 file:///path）或 s3://bucket?endpoint=…",
                              en: "storage URL \(text) must be a directory (/path or file:///path) or s3://bucket?endpoint=…")
        }
        return StorageLocationSpec(name: name, kind: .directory, url: path, offsite: offsite, s3: nil)
    }

    /// The environment S3Location reads, with this location's own keys (if any) in place of the shared ones.
    static func credentials(for name: String, in env: [String: String]) -> [String: String] {
        var out = env
        let suffix = "_" + String(name.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
        for variable in [S3Location.accessKeyVariable, S3Location.secretKeyVariable, S3Location.sessionTokenVariable] {
            if let own = env[variable + suffix], !own.isEmpty { out[variable] = own }
        }
        return out
    }

    /// Location names: short, lower-case, safe in tables, URLs and environment variable names.
    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty || name.count > 32 { return "must be 1–32 characters" }
        if !name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) {
            return "only lower-case letters, digits and - are allowed"
        }
        return nil
    }
}

/// Where the node keeps its objects and how many copies it wants: the primary, the replicas and
/// the replication policy, read from the environment with the rest of ``LantaiConfiguration``.
///
///     LANTAI_STORAGE_URL     the primary: a directory (default <data dir>/ocfl) or s3://…
///     LANTAI_REPLICA_URLS    name=url pairs separated by ; — e.g. "offsite=s3://lantai-b?endpoint=…;tape=/mnt/export"
///     LANTAI_OFFSITE         names (comma-separated) of the locations in another place (异地); may include primary
///     LANTAI_MIN_COPIES      copies each object must have (default 2 with replicas, else 1)
///     LANTAI_MIN_COPIES_FONDS  per-fonds overrides, e.g. "J012=3,J001=2"
///     LANTAI_REPLICATION_INTERVAL  seconds between automatic replication runs of a serving node (default 3600; 0 = never)
///
/// Replication copies every object to every replica; the policy (copies, off-site) is what an
/// object's copies are judged against (GET /api/v1/items/{id}/copies), so a shortfall is visible.
public struct StorageSettings: Sendable {
    /// The primary in force at start-up: `LANTAI_STORAGE_URL`, or where a migration switched it.
    public var primary: StorageLocationSpec
    /// The primary `LANTAI_STORAGE_URL` names (what a switch record is compared with).
    public var environmentPrimary: StorageLocationSpec
    public var replicas: [StorageLocationSpec]
    public var minCopies: Int
    public var minCopiesByFonds: [String: Int]
    /// Whether one copy must be off-site: yes as soon as replicas are configured.
    public var requireOffsite: Bool
    public var replicationInterval: Int
    /// Set when the primary in force is the one `lantai storage migrate` switched to.
    public var switched: StorageSwitch?
    /// The `LANTAI_S3_*` variables, for opening locations named later (a migration's target,
    /// a switch made while serving). Never printed.
    var credentials: [String: String]

    public var locations: [StorageLocationSpec] { [primary] + replicas }

    public func location(named name: String) -> StorageLocationSpec? {
        locations.first { $0.name == name }
    }

    /// The copies the policy asks for, for objects of this fonds (nil: the default).
    public func minCopies(fonds: String?) -> Int {
        fonds.flatMap { minCopiesByFonds[$0] } ?? minCopies
    }

    static func parse(_ env: [String: String], dataDirectory: String, problems: inout [String]) -> StorageSettings {
        func value(_ key: String) -> String? { env[key].flatMap { $0.isEmpty ? nil : $0 } }
        let offsiteNames = Set((value("LANTAI_OFFSITE") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty })

        var primary = StorageLocationSpec(name: StorageLocationSpec.primaryName, kind: .directory, url: dataDirectory + "/ocfl",
                                          offsite: offsiteNames.contains(StorageLocationSpec.primaryName), s3: nil)
        if let url = value("LANTAI_STORAGE_URL") {
            do {
                primary = try StorageLocationSpec.parse(name: primary.name, url: url, offsite: primary.offsite, environment: env)
            } catch let e as LantaiError {
                problems.append("LANTAI_STORAGE_URL: \(e.zh) / \(e.en)")
            } catch {
                problems.append("LANTAI_STORAGE_URL: \(error)")
            }
        }
        // A finished `lantai storage migrate` moved the primary: honoured while the environment
        // still names the old place (see StorageSwitch).
        let environmentPrimary = primary
        var switched: StorageSwitch?
        if let record = StorageSwitch.load(dataDirectory: dataDirectory), record.applies(to: primary) {
            do {
                primary = try StorageLocationSpec.parse(name: primary.name, url: record.to, offsite: primary.offsite, environment: env)
                switched = record
            } catch {
                problems.append("\(StorageSwitch.fileName): 迁移后的存储地址无效 / the migrated-to storage URL \(record.to) is unusable: \(error)")
            }
        }

        var replicas: [StorageLocationSpec] = []
        for pair in (value("LANTAI_REPLICA_URLS") ?? "").split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
            where !pair.isEmpty {
            guard let eq = pair.firstIndex(of: "=") else {
                problems.append("LANTAI_REPLICA_URLS: \"\(pair)\" 应为 名称=地址 / must be name=url")
                continue
            }
            let name = String(pair[..<eq]).trimmingCharacters(in: .whitespaces)
            let url = String(pair[pair.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            if let problem = StorageLocationSpec.nameProblem(name) {
                problems.append("LANTAI_REPLICA_URLS: 位置名 \"\(name)\" 无效 / location name \"\(name)\" \(problem)")
                continue
            }
            if name == StorageLocationSpec.primaryName || replicas.contains(where: { $0.name == name }) {
                problems.append("LANTAI_REPLICA_URLS: 位置名 \(name) 重复或保留 / location name \(name) is reserved or used twice")
                continue
            }
            do {
                let spec = try StorageLocationSpec.parse(name: name, url: url, offsite: offsiteNames.contains(name), environment: env)
                if spec.identity == primary.identity || replicas.contains(where: { $0.identity == spec.identity }) {
                    problems.append("LANTAI_REPLICA_URLS: \(name) 与另一位置相同 / \(name) is the same place as another location")
                    continue
                }
                replicas.append(spec)
            } catch let e as LantaiError {
                problems.append("LANTAI_REPLICA_URLS \(name): \(e.zh) / \(e.en)")
            } catch {
                problems.append("LANTAI_REPLICA_URLS \(name): \(error)")
            }
        }
        let known = Set([StorageLocationSpec.primaryName] + replicas.map(\.name))
        for name in offsiteNames.subtracting(known).sorted() {
            problems.append("LANTAI_OFFSITE: 没有名为 \(name) 的存储位置 / there is no storage location named \(name)")
        }

        let locationCount = 1 + replicas.count
        func copies(_ raw: String, _ key: String) -> Int? {
            guard let n = Int(raw.trimmingCharacters(in: .whitespaces)), (1...locationCount).contains(n) else {
                problems.append("\(key)=\(raw): 应为 1–\(locationCount) 的整数（已配置 \(locationCount) 个存储位置）/ must be 1–\(locationCount): \(locationCount) storage locations are configured")
                return nil
            }
            return n
        }
        var minCopies = replicas.isEmpty ? 1 : 2
        if let raw = value("LANTAI_MIN_COPIES"), let n = copies(raw, "LANTAI_MIN_COPIES") { minCopies = n }
        var byFonds: [String: Int] = [:]
        for pair in (value("LANTAI_MIN_COPIES_FONDS") ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                problems.append("LANTAI_MIN_COPIES_FONDS: \"\(pair)\" 应为 全宗号=份数 / must be FONDS=copies")
                continue
            }
            if let n = copies(parts[1], "LANTAI_MIN_COPIES_FONDS \(parts[0])") { byFonds[parts[0]] = n }
        }
        var interval = 3600
        if let raw = value("LANTAI_REPLICATION_INTERVAL") {
            if let n = Int(raw), (0...(30 * 86400)).contains(n) {
                interval = n
            } else {
                problems.append("LANTAI_REPLICATION_INTERVAL=\(raw): 应为 0–2592000 秒 / must be 0–2592000 seconds (0 = never)")
            }
        }
        return StorageSettings(primary: primary, environmentPrimary: environmentPrimary, replicas: replicas, minCopies: minCopies, minCopiesByFonds: byFonds,
                               requireOffsite: !replicas.isEmpty, replicationInterval: interval, switched: switched,
                               credentials: env.filter { $0.key.hasPrefix("LANTAI_S3_") })
    }

    /// Start-up lines: locations without secrets (S3: endpoint, bucket and access key only).
    var summary: [String] {
        var lines = ["LANTAI_STORAGE_URL=\(primary.s3.map { $0.description } ?? primary.url)"
                     + (switched.map { " (switched from \($0.from) by `lantai storage migrate` at \($0.at); set LANTAI_STORAGE_URL to make it permanent)" } ?? "")]
        if !replicas.isEmpty {
            lines.append("LANTAI_REPLICA_URLS=" + replicas.map(\.description).joined(separator: "; "))
            lines.append("replication policy: at least \(minCopies) copies"
                         + (minCopiesByFonds.isEmpty ? "" : " (" + minCopiesByFonds.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")")
                         + ", one off-site; automatic run every \(replicationInterval == 0 ? "— (off)" : "\(replicationInterval) s")")
            if !locations.contains(where: \.offsite) {
                lines.append("warning: no storage location is marked off-site (LANTAI_OFFSITE): the policy's off-site copy cannot be met")
            }
        }
        if locations.contains(where: { $0.kind == .s3 }) {
            lines.append("LANTAI_S3_SECRET_KEY=****")
        }
        return lines
    }
}
