import Fluent
import Foundation
import SQLKit
import Vapor

/// What the storage commands do, for the thin `lantai` shell: call the service, print lines for
/// the operator, and say whether all went well (the exit status).
public enum StorageTasks {
    /// `lantai replicate [--location NAME] [--object ID] [--repair] [--queue]`.
    public static func replicate(_ app: Application, location: String?, object: String?, repair: Bool, queue: Bool, actor: String,
                                 output: @escaping @Sendable (String) -> Void) async throws -> Bool {
        if queue {
            let scope = Replication.Scope(location: location, objects: object.map { [$0] })
            let queued = try await ReplicationJob.enqueue(scope, on: app.db)
            output(queued.alreadyQueued ? "the same replication is already queued as job \(queued.jobID.uuidString) / 相同的复制已在队列中"
                                        : "queued replication as job \(queued.jobID.uuidString) / 已排队")
            return true
        }
        for line in app.lantai.storage.summary { output(line) }
        let summary = try await Replication.run(Replication.Scope(location: location, objects: object.map { [$0] }), app: app,
                                                agent: actor, output: output)
        output(summary.text)
        output("recorded as run \(summary.runID.uuidString.lowercased()) (GET /api/v1/preservation/replication)")
        var ok = summary.complete
        if repair {
            ok = try await self.repair(app, object: object, actor: actor, output: output) && ok
        }
        return ok
    }

    /// `lantai storage repair [--object ID]`.
    public static func repair(_ app: Application, object: String?, actor: String,
                              output: @escaping @Sendable (String) -> Void) async throws -> Bool {
        let summary = try await StorageRepair.run(object: object, app: app, agent: actor, output: output)
        output(summary.text)
        return summary.passed
    }

    /// `lantai storage migrate FROM TO`.
    public static func migrate(_ app: Application, from: String, to: String, actor: String,
                               output: @escaping @Sendable (String) -> Void) async throws -> Bool {
        let summary = try await StorageMigration.run(from: from, to: to, app: app, agent: actor, output: output)
        output(summary.text)
        return summary.problems.isEmpty
    }

    /// `lantai restore --from LOCATION`.
    public static func restore(_ app: Application, from: String, actor: String,
                               output: @escaping @Sendable (String) -> Void) async throws -> Bool {
        let summary = try await StorageRestore.run(from: from, app: app, agent: actor, output: output)
        output(summary.text)
        return summary.passed
    }

    /// `lantai storage export --to DIR [--fonds CODE] [--volume-size 25GB]`.
    public static func export(_ app: Application, to: String, fonds: String?, volumeSize: String, actor: String,
                              output: @escaping @Sendable (String) -> Void) async throws -> Bool {
        guard let size = OfflineMedia.parseSize(volumeSize) else {
            throw LantaiError.badRequest(zh: "卷大小 \(volumeSize) 无效（如 4.7GB、25GB、700MB）", en: "volume size \(volumeSize) is not a size like 4.7GB, 25GB or 700MB",
                                         field: "volume-size")
        }
        let summary = try await OfflineMedia.export(to: URL(fileURLWithPath: to), fonds: fonds, volumeSize: size, app: app,
                                                    agent: actor, output: output)
        output(summary.text)
        return summary.warnings.isEmpty
    }

    /// `lantai storage import --from DIR [--into LOCATION]`.
    public static func importMedia(_ app: Application, from: String, into: String?, actor: String,
                                   output: @escaping @Sendable (String) -> Void) async throws -> Bool {
        let summary = try await OfflineMedia.import(from: URL(fileURLWithPath: from), into: into, app: app, agent: actor, output: output)
        output(summary.text)
        return summary.passed
    }

    /// `lantai storage status`: the locations, whether each answers, and what the copies table says.
    public static func status(_ app: Application, output: @escaping @Sendable (String) -> Void) async throws -> Bool {
        let config = app.lantai
        for line in config.storage.summary { output(line) }
        var ok = true
        for location in NodeStorage.all(config) {
            let state: String
            do {
                let root = try await app.threadPool.runIfActive { try location.existingRoot() }
                state = root == nil ? "reachable, no storage root yet" : "reachable, OCFL storage root present"
            } catch {
                state = "UNREACHABLE: \(Replication.reason(error))"
                ok = false
            }
            struct Count: Decodable { var status: String; var n: Int }
            let counts = try await (app.db as! any SQLDatabase)
                .raw("SELECT status, COUNT(*) AS n FROM storage_copies WHERE location = \(bind: location.name) GROUP BY status ORDER BY status")
                .all(decoding: Count.self).map { "\($0.status) \($0.n)" }.joined(separator: ", ")
            output("\(location.name)\(location.spec.offsite ? " (off-site)" : ""): \(state); copies: \(counts.isEmpty ? "none recorded" : counts)")
        }
        return ok
    }
}
