import Fluent
import Foundation
import Packaging
import SQLKit
import Vapor

/// `lantai restore --from LOCATION`: brings the node's primary back from a replica when the
/// primary is gone (a lost disk, a deleted bucket) or damaged.
///
/// Every object of the replica is copied to the primary (a new root, and for S3 a new bucket,
/// when there is none), then every file of the primary's copy is read back and checked against
/// its inventory. Objects the primary still holds are checked the same way and mended where
/// damaged; a primary copy that is newer or tells another history is left alone and reported.
/// Storage is the source of truth, so if the catalogue database was lost as well, the operator
/// is told to run `lantai rebuild-catalog` next.
public enum StorageRestore {
    public struct Summary: Sendable {
        public var objects = 0
        public var restored = 0
        public var files = 0
        public var bytes: Int64 = 0
        public var filesVerified = 0
        public var bytesVerified: Int64 = 0
        public var seconds = 0.0
        public var catalogueEmpty = false
        public var problems: [String] = []

        public var passed: Bool { problems.isEmpty }

        public var text: String {
            var s = "\(objects) objects: \(restored) restored or mended (\(files) files, \(StorageFigures.mib(bytes))); "
                + "\(filesVerified) files, \(StorageFigures.mib(bytesVerified)) verified at the primary in \(String(format: "%.1f", seconds)) s"
            if !problems.isEmpty { s += "\n\(problems.count) objects could NOT be restored / 未能恢复" }
            if catalogueEmpty {
                s += "\n目录数据库是空的：请运行 `lantai rebuild-catalog` 从已恢复的存储重建目录 / "
                    + "the catalogue database is empty: run `lantai rebuild-catalog` to rebuild it from the restored storage"
            }
            return s
        }
    }

    static func run(from: String, app: Application, agent: String,
                    output: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Summary {
        let work = StorageWork(app: app)
        let config = work.config
        let source = try NodeStorage.resolve(from, config: config)
        let primary = NodeStorage.primary(config)
        guard source.spec.identity != primary.spec.identity else {
            throw LantaiError.badRequest(zh: "恢复的来源不能是主存储本身", en: "restore copies from a replica to the primary, not from the primary",
                                         field: "from")
        }
        guard let sourceRoot = try await work.blocking({ try source.existingRoot() }) else {
            throw LantaiError(.notFound, code: "no_storage_root", zh: "\(source.spec.url) 没有 OCFL 存储根，无从恢复",
                              en: "there is no OCFL storage root at \(source.spec.url) to restore from")
        }
        if try await primary.createBucketIfMissing() { output("created bucket for \(primary.spec.url)") }
        let primaryRoot = try await work.blocking { try primary.root(creatingWith: sourceRoot.layout) }
        var fallbacks: [(StorageLocation, OCFLStorageRoot)] = []
        for other in NodeStorage.replicas(config) where other.spec.identity != source.spec.identity {
            if let root = try? await work.blocking({ try other.existingRoot() }) { fallbacks.append((other, root)) }
        }
        let runID = UUID.timeOrdered()
        let run = try await StorageRecords.startRun(id: runID, kind: "restore", locations: [source.name, primary.name], agent: agent, on: work.db)
        let progress = RunProgress(run: run, db: work.db)
        var copier = BulkCopy(work: work, source: source, sourceRoot: sourceRoot, target: primary, targetRoot: primaryRoot,
                              eventType: "restore", runID: runID, agent: agent, progress: progress, output: output)
        copier.fallbacks = fallbacks
        let paths = try await work.objects(in: sourceRoot).map(\.path)
        try await progress.update { $0.objectsTotal = paths.count }
        output("restoring \(paths.count) objects from \(source.name) to the primary (\(primary.spec.url))")
        var tally = BulkCopy.Tally()
        do {
            try await copier.copy(paths, verify: true, into: &tally)
        } catch let failure as TargetFailure {
            try await progress.finish(.interrupted, message: Replication.reason(failure.underlying))
            throw NodeStorage.unavailable(primary.spec, failure.underlying)
        }
        var summary = Summary(objects: tally.objects, restored: tally.copied, files: tally.files, bytes: tally.bytes,
                              filesVerified: tally.filesVerified, bytesVerified: tally.bytesVerified, problems: tally.problems)
        let sql = work.db as! any SQLDatabase
        let fonds = try await sql.raw("SELECT COUNT(*) AS n FROM fonds").first()?.decode(column: "n", as: Int.self) ?? 0
        let items = try await sql.raw("SELECT COUNT(*) AS n FROM items").first()?.decode(column: "n", as: Int.self) ?? 0
        summary.catalogueEmpty = fonds == 0 && items == 0 && summary.objects > 0
        summary.seconds = await progress.seconds
        try await progress.finish(summary.passed ? .done : .failed, message: summary.text)
        let finished = summary
        try await AuditTrail.record(on: work.db, actor: agent, action: "storage.restore", subject: source.spec.url,
                                    ["objects": String(finished.objects), "restored": String(finished.restored),
                                     "filesVerified": String(finished.filesVerified), "problems": String(finished.problems.count)])
        return summary
    }
}
