import Fluent
import Foundation
import SQLKit
import Vapor

/// The `storage.replicate` job: a ``Replication`` run under the queue's lease. Its run row has
/// the job's id, so a job taken up again after a crash continues the same progress record.
///
/// Queued after each accession (in the same transaction as the packages' catalogue rows, so the
/// new objects — and the fonds' catalogue snapshots queued beside it, which run first — are
/// replicated next), by `POST /api/v1/preservation/replication`, by `lantai replicate --queue`,
/// and every `LANTAI_REPLICATION_INTERVAL` seconds by a serving node (``ReplicationScheduler``),
/// which is also what resumes a run that a lost location interrupted.
enum ReplicationJob {
    static let kind = "storage.replicate"

    static func register(on worker: JobWorker) {
        worker.register(kind) { job, app in
            guard !NodeStorage.replicas(app.lantai).isEmpty else { return }
            let scope = (try? JSONDecoder().decode(Replication.Scope.self, from: Data(job.subject.utf8))) ?? Replication.Scope()
            do {
                let summary = try await Replication.run(scope, app: app, runID: job.id, agent: "worker", hooks: Replication.jobHooks ?? .init())
                app.logger.notice("replication \(job.id): \(summary.text)")
            } catch let e as LantaiError where e.code == "no_storage_root" {
                app.logger.notice("replication: nothing to replicate yet (\(e.en))")
            }
        }
    }

    /// Queues a replication unless the same one is already waiting. Returns the job id.
    @discardableResult
    static func enqueue(_ scope: Replication.Scope = .init(), on db: any Database) async throws -> (jobID: UUID, alreadyQueued: Bool) {
        let subject = scope.subject
        if let queued = try await queuedJob(subject, on: db) { return (queued, true) }
        try await JobQueue.enqueue(kind, subject: subject, on: db)
        guard let id = try await queuedJob(subject, on: db) else {
            throw LantaiError(.internalServerError, code: "internal", zh: "排队失败", en: "the replication could not be queued")
        }
        return (id, false)
    }

    /// After objects were written: queue a replication when the node has replicas. Call it in
    /// the transaction that records the new objects.
    static func enqueueAfterWrite(config: LantaiConfiguration, on db: any Database) async throws {
        guard !config.storage.replicas.isEmpty else { return }
        try await enqueue(on: db)
    }

    private static func queuedJob(_ subject: String, on db: any Database) async throws -> UUID? {
        try await (db as! any SQLDatabase).select().column("id").from("jobs").where("kind", .equal, kind)
            .where("subject", .equal, subject).where("status", .equal, JobModel.Status.queued.rawValue)
            .orderBy("created_at", .descending).first()?.decode(column: "id", as: UUID.self)
    }
}

/// Queues a replication every `LANTAI_REPLICATION_INTERVAL` seconds on a serving node with
/// replicas: catalogue snapshots written outside an accession get copied, and a run that a
/// lost location interrupted is resumed once the location is back. Started beside the job
/// worker (`lantai serve` only).
final class ReplicationScheduler: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?

    func didBootAsync(_ app: Application) async throws {
        let config = app.lantai
        let interval = config.storage.replicationInterval
        guard interval > 0, !config.storage.replicas.isEmpty else { return }
        task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval) * 1_000_000_000)
                if Task.isCancelled { break }
                do {
                    if try await !ReplicationJob.enqueue(on: app.db).alreadyQueued { app.jobWorker.nudge() }
                } catch {
                    app.logger.warning("could not queue the periodic replication: \(error)")
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        task?.cancel()
    }
}
