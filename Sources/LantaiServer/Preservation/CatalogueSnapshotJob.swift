import Fluent
import Foundation
import NIOPosix
import Packaging
import SQLKit
import Vapor

/// The `catalogue.snapshot` job: rewrites a fonds' description object (see
/// ``CatalogueSnapshotFormat``) after its catalogue changed. Queued in the transaction of the
/// change, so a committed change always has a snapshot coming; at most one is queued per fonds
/// at a time, so a batch import of 50,000 records costs one snapshot, not 50,000.
enum CatalogueSnapshotJob {
    static let kind = "catalogue.snapshot"

    static func register(on worker: JobWorker) {
        worker.register(kind) { job, app in
            guard let id = UUID(uuidString: job.subject) else { return }
            _ = try await run(fondsId: id, app: app)
        }
    }

    /// Queues a snapshot of each fonds that has none queued yet. Call it inside the change's
    /// transaction: inside a write transaction (which holds the node's write lock) the check
    /// and the insert cannot interleave with another writer's.
    static func enqueue(fonds ids: some Sequence<UUID>, on db: any Database) async throws {
        let wanted = Set(ids.map { $0.uuidString })
        guard !wanted.isEmpty else { return }
        let sql = db as! any SQLDatabase
        let queued = try await sql.select().column("subject").from("jobs").where("kind", .equal, kind)
            .where("status", .equal, JobModel.Status.queued.rawValue).where("subject", .in, Array(wanted)).all()
            .map { try $0.decode(column: "subject", as: String.self) }
        for subject in wanted.subtracting(queued).sorted() {
            try await JobQueue.enqueue(kind, subject: subject, on: db)
        }
    }

    /// After a category changes: every fonds.json lists the categories.
    static func enqueueEveryFonds(on db: any Database) async throws {
        let ids = try await (db as! any SQLDatabase).select().column("id").from("fonds").all()
            .map { try $0.decode(column: "id", as: UUID.self) }
        try await enqueue(fonds: ids, on: db)
    }

    enum Outcome: Equatable, Sendable {
        case written(objectID: String, version: Int, items: Int)
        case unchanged(objectID: String)
        case noSuchFonds
    }

    static func run(fondsId: UUID, app: Application) async throws -> Outcome {
        let root = try TransferPreserveJob.storageRoot(app.lantai)
        return try await write(fondsId: fondsId, node: app.lantai.nodeCode, root: root, on: app.db, threadPool: app.threadPool)
    }

    /// Builds the snapshot and adds it to the object as a new version, unless the head already
    /// holds exactly these bytes (compared by SHA-512, the object's own content addresses).
    static func write(fondsId: UUID, node: String, root: OCFLStorageRoot, on db: any Database,
                      threadPool: NIOThreadPool) async throws -> Outcome {
        guard let built = try await CatalogueSnapshotBuilder().build(fondsId: fondsId, node: node, on: db) else {
            return .noSuchFonds
        }
        defer { try? FileManager.default.removeItem(at: built.directory) }
        let objectID = CatalogueSnapshotFormat.objectID(node: node, fondsCode: built.fondsCode)
        return try await threadPool.runIfActive {
            let object = root.object(objectID)
            let digests = try FileDigest.digests(of: built.files.map(\.source), algorithms: [.sha512])
            var wanted: [String: String] = [:]
            for (file, d) in zip(built.files, digests) { wanted[file.logicalPath] = d[.sha512] }
            if try object.exists() {
                let head = try object.state().mapValues { $0.lowercased() }
                if head == wanted { return .unchanged(objectID: objectID) }
            }
            let version = try object.createOrUpdate(
                files: built.files, message: "catalogue of fonds \(built.fondsCode): \(built.itemCount) records",
                user: OCFLUser(name: "Lantai catalogue snapshot", address: "urn:lantai:node:\(node)"),
                options: OCFLWriteOptions(mode: .replace, fixityAlgorithms: [.sha256]))
            return .written(objectID: objectID, version: version, items: built.itemCount)
        }
    }
}
