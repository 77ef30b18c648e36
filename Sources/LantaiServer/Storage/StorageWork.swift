import Fluent
import Foundation
import NIOPosix
import Packaging
import Vapor

/// Shared plumbing of the storage runs (replicate, repair, restore, migrate, import): blocking
/// OCFL work on the thread pool, progress saved now and then, counts and figures.
struct StorageWork: Sendable {
    let threadPool: NIOThreadPool
    let db: any Database
    let config: LantaiConfiguration

    init(app: Application) {
        threadPool = app.threadPool
        db = app.db
        config = app.lantai
    }

    /// OCFL storage calls block their thread: they run here, never on an event loop.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threadPool.runIfActive(body)
    }

    /// Every object of a root: path and the digest its sidecar records (nil when it has none).
    func objects(in root: OCFLStorageRoot) async throws -> [(path: String, digest: String?)] {
        try await blocking {
            try root.objectPaths().map { path in (path, try StoredInventory.sidecarDigest(root.storage, directory: path)) }
        }
    }

    /// Bytes stored under each object path, from one listing of the location (progress totals).
    func sizes(of paths: [String], at location: StorageLocation) async -> [String: Int64] {
        let wanted = Set(paths)
        var sizes: [String: Int64] = [:]
        guard !wanted.isEmpty, let listing = try? await location.store.list(prefix: "") else { return sizes }
        for blob in listing.blobs {
            var prefix = ""
            for segment in blob.key.split(separator: "/").dropLast() {
                prefix += prefix.isEmpty ? String(segment) : "/" + segment
                if wanted.contains(prefix) {
                    sizes[prefix, default: 0] += blob.size
                    break
                }
            }
        }
        return sizes
    }
}

/// Saves a run's progress at most once a second (and always at the end), so that a run of
/// 100,000 objects does not write 100,000 rows of progress.
actor RunProgress {
    let run: StorageRunModel
    let db: any Database
    private var saved = Date.distantPast
    let started = Date()

    init(run: StorageRunModel, db: any Database) {
        self.run = run
        self.db = db
    }

    func update(_ change: @Sendable (StorageRunModel) -> Void) async throws {
        change(run)
        if Date().timeIntervalSince(saved) >= 1 {
            saved = Date()
            try await StorageRecords.save(run, on: db)
        }
    }

    func finish(_ status: StorageRunModel.Status, message: String) async throws {
        try await StorageRecords.finish(run, status, message: message, on: db)
    }

    var snapshot: (objectsDone: Int, objectsTotal: Int, bytesDone: Int64, bytesTotal: Int64, files: Int, failures: Int) {
        (run.objectsDone, run.objectsTotal, run.bytesDone, run.bytesTotal, run.filesCopied, run.failures)
    }

    var seconds: Double { Date().timeIntervalSince(started) }
}

enum StorageFigures {
    static func mib(_ bytes: Int64) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

    static func rate(_ bytes: Int64, _ seconds: Double) -> String {
        String(format: "%.1f MiB/s", seconds > 0 ? Double(bytes) / 1_048_576 / seconds : 0)
    }
}
