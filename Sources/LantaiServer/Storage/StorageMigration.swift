import Fluent
import Foundation
import Packaging
import Vapor

/// `lantai storage migrate FROM TO`: moves every object to another location while the node
/// keeps serving, verifies every copied file, then switches.
///
/// 1. Copy: every object of FROM, all versions, version by version (``ObjectSync``).
/// 2. Catch up: objects whose FROM sidecar changed meanwhile (the node kept accepting) are
///    copied again, pass after pass, until a pass finds nothing new (at most 5 passes, or the
///    migration stops without switching: try again at a quieter hour).
/// 3. Verify: every file of every object at TO is read back and its digest compared with the
///    inventory, and TO's inventory must be byte-identical to FROM's.
/// 4. Switch, when FROM is the primary: `<data dir>/storage-switch.json` records FROM → TO
///    (see ``StorageSwitch``). Every opening of the primary reads it, so the serving node writes
///    to TO from that moment, and a restart keeps it while `LANTAI_STORAGE_URL` still names
///    FROM. The operator is told to set `LANTAI_STORAGE_URL` to TO to make it permanent.
///    A replica is not switched automatically: the new `LANTAI_REPLICA_URLS` entry is printed.
/// 5. After the switch, one more catch-up pass copies what a writer that opened FROM just
///    before the switch added there. FROM is left as it was: removing it is the operator's call.
public enum StorageMigration {
    public struct Summary: Sendable {
        public var objects = 0
        public var passes = 0
        public var files = 0
        public var bytes: Int64 = 0
        public var filesVerified = 0
        public var bytesVerified: Int64 = 0
        public var seconds = 0.0
        public var switched = false
        public var lateObjects = 0
        public var instruction = ""
        public var problems: [String] = []

        public var text: String {
            var s = "\(objects) objects in \(passes) passes: \(files) files, \(StorageFigures.mib(bytes)) copied; "
                + "\(filesVerified) files, \(StorageFigures.mib(bytesVerified)) verified by digest, in \(String(format: "%.1f", seconds)) s"
            if lateObjects > 0 { s += "\n\(lateObjects) objects written during the switch were copied after it" }
            if !problems.isEmpty { s += "\nNOT switched: \(problems.count) problems / 有问题，未切换" }
            if !instruction.isEmpty { s += "\n" + instruction }
            return s
        }
    }

    static let maximumPasses = 5

    static func run(from: String, to: String, app: Application, agent: String,
                    output: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Summary {
        let work = StorageWork(app: app)
        let config = work.config
        let source = try NodeStorage.resolve(from, config: config)
        let target = try NodeStorage.resolve(to, config: config)
        guard source.spec.identity != target.spec.identity else {
            throw LantaiError.badRequest(zh: "迁移的来源和目标是同一位置", en: "FROM and TO are the same place", field: "to")
        }
        var summary = Summary()
        guard let sourceRoot = try await work.blocking({ try source.existingRoot() }) else {
            throw LantaiError(.notFound, code: "no_storage_root", zh: "\(source.spec.url) 没有 OCFL 存储根，无可迁移",
                              en: "there is no OCFL storage root at \(source.spec.url): nothing to migrate")
        }
        if try await target.createBucketIfMissing() { output("created bucket for \(target.spec.url)") }
        let targetRoot = try await work.blocking { try target.root(creatingWith: sourceRoot.layout) }
        let runID = UUID.timeOrdered()
        let run = try await StorageRecords.startRun(id: runID, kind: "migrate", locations: [source.name, target.name], agent: agent, on: work.db)
        let progress = RunProgress(run: run, db: work.db)
        let copier = BulkCopy(work: work, source: source, sourceRoot: sourceRoot, target: target, targetRoot: targetRoot,
                              eventType: "migration", runID: runID, agent: agent, progress: progress, output: output)
        var tally = BulkCopy.Tally()
        do {
            // 1–2. Copy, then catch up until nothing changed under us.
            var pending = try await work.objects(in: sourceRoot).map(\.path)
            while !pending.isEmpty {
                summary.passes += 1
                guard summary.passes <= maximumPasses else {
                    tally.problems.append("objects kept changing after \(maximumPasses) passes")
                    break
                }
                output("pass \(summary.passes): \(pending.count) objects")
                let count = pending.count
                try await progress.update { $0.objectsTotal += count }
                try await copier.copy(pending, verify: false, into: &tally)
                if !tally.problems.isEmpty { break }
                pending = try await changed(since: tally.digests, in: sourceRoot, work: work)
            }
            // 3. Verify every file at TO (a bad one is rewritten from FROM, and reported).
            if tally.problems.isEmpty {
                output("verifying every file at \(target.name)")
                var check = BulkCopy.Tally()
                let all = try await work.objects(in: sourceRoot).map(\.path)
                let count = all.count
                try await progress.update { $0.objectsTotal += count }
                try await copier.copy(all, verify: true, into: &check)
                summary.objects = check.objects
                summary.filesVerified = check.filesVerified
                summary.bytesVerified = check.bytesVerified
                tally.problems += check.problems
                for (path, digest) in check.digests { tally.digests[path] = digest }
                if check.copied > 0 { output("\(check.copied) objects changed or needed mending during verification") }
            }
        } catch let failure as TargetFailure {
            try await progress.finish(.interrupted, message: Replication.reason(failure.underlying))
            throw NodeStorage.unavailable(target.spec, failure.underlying)
        }
        summary.files = tally.files
        summary.bytes = tally.bytes
        summary.problems = tally.problems
        guard summary.problems.isEmpty else {
            summary.seconds = await progress.seconds
            try await progress.finish(.failed, message: summary.text)
            return summary
        }

        // 4. Switch.
        let primary = NodeStorage.primarySpec(config)
        if source.spec.identity == primary.identity {
            // Recorded against what the environment names, so that a restart keeps the switch.
            let record = StorageSwitch(from: config.storage.environmentPrimary.url, to: target.spec.url,
                                       fromIdentity: config.storage.environmentPrimary.identity,
                                       at: ISO8601DateFormatter().string(from: Date()), objects: summary.objects,
                                       files: summary.filesVerified, bytes: summary.bytesVerified)
            if target.spec.identity == config.storage.environmentPrimary.identity {
                // Back to where the environment points: no switch to record any more.
                try? FileManager.default.removeItem(at: StorageSwitch.url(dataDirectory: config.dataDirectory))
            } else {
                try record.save(dataDirectory: config.dataDirectory)
            }
            summary.switched = true
            summary.instruction = "switched: the node now keeps its objects at \(target.spec.url) (recorded in \(StorageSwitch.url(dataDirectory: config.dataDirectory).path)).\n"
                + "已切换；请把节点环境改为 / make it permanent in the node's environment:\n  LANTAI_STORAGE_URL=\(target.spec.url)\n"
                + "\(source.spec.url) is left untouched; remove it when you no longer need it."
            // 5. What a writer that opened FROM just before the switch put there.
            let late = try await changed(since: tally.digests, in: sourceRoot, work: work)
            if !late.isEmpty {
                var after = BulkCopy.Tally()
                try await copier.copy(late, verify: true, into: &after)
                summary.lateObjects = after.objects
                summary.files += after.files
                summary.bytes += after.bytes
                summary.problems += after.problems
            }
        } else {
            summary.instruction = "copied and verified. \(source.name) is not the primary, so nothing was switched: replace it in LANTAI_REPLICA_URLS with\n  \(source.name)=\(target.spec.url)"
        }
        summary.seconds = await progress.seconds
        try await progress.finish(summary.problems.isEmpty ? .done : .failed, message: summary.text)
        let finished = summary
        try await AuditTrail.record(on: work.db, actor: agent, action: "storage.migrate", subject: "\(source.spec.url) → \(target.spec.url)",
                                    ["objects": String(finished.objects), "filesVerified": String(finished.filesVerified),
                                     "bytes": String(finished.bytes), "switched": String(finished.switched)])
        return summary
    }

    /// Object paths whose sidecar digest differs from the one copied (new objects included).
    static func changed(since copied: [String: String], in root: OCFLStorageRoot, work: StorageWork) async throws -> [String] {
        try await work.objects(in: root).filter { copied[$0.path] == nil || copied[$0.path] != $0.digest }.map(\.path)
    }
}
