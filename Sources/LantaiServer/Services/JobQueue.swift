import Fluent
import Foundation
import SQLKit
import NIOConcurrencyHelpers
import Vapor

/// The database-backed job queue.
enum JobQueue {
    /// Adds a job. Call it inside the transaction that makes the job necessary, so the two
    /// commit together.
    static func enqueue(_ kind: String, subject: String, on db: any Database) async throws {
        let j = JobModel()
        j.id = UUID.timeOrdered()
        j.createdAt = Date()
        j.updatedAt = j.createdAt
        j.kind = kind
        j.subject = subject
        j.status = JobModel.Status.queued.rawValue
        j.attempts = 0
        try await j.create(on: db)
    }

    struct Leased: Decodable, Sendable {
        var id: UUID
        var kind: String
        var subject: String
        var attempts: Int
    }

    /// Takes the oldest job that is queued, or running under a lease that has run out, in one
    /// statement: no two workers ever hold the same job. PostgreSQL skips rows another worker
    /// is taking right now; SQLite serialises writers anyway.
    static func lease(owner: String, for duration: TimeInterval, now: Date = Date(), on db: any Database) async throws -> Leased? {
        let sql = db as! any SQLDatabase
        let skipLocked = sql.dialect.name == "postgresql" ? SQLRaw(" FOR UPDATE SKIP LOCKED") : SQLRaw("")
        return try await sql.raw("""
            UPDATE jobs SET status = 'running', lease_owner = \(bind: owner), lease_until = \(bind: now.addingTimeInterval(duration)),
                attempts = attempts + 1, updated_at = \(bind: now)
            WHERE id = (SELECT id FROM jobs WHERE status = 'queued' OR (status = 'running' AND lease_until < \(bind: now))
                        ORDER BY created_at LIMIT 1\(skipLocked))
            RETURNING id, kind, subject, attempts
            """).first(decoding: Leased.self)
    }

    /// Extends the lease while a long job is still working.
    static func renew(_ id: UUID, owner: String, for duration: TimeInterval, on db: any Database) async throws {
        try await (db as! any SQLDatabase).update("jobs").set("lease_until", to: Date().addingTimeInterval(duration))
            .where("id", .equal, id).where("lease_owner", .equal, owner).run()
    }

    static func finish(_ id: UUID, owner: String, error: String? = nil, on db: any Database) async throws {
        try await (db as! any SQLDatabase).update("jobs")
            .set("status", to: error == nil ? JobModel.Status.done.rawValue : JobModel.Status.failed.rawValue)
            .set("error", to: error).set("updated_at", to: Date()).set("lease_until", to: Optional<Date>.none)
            .where("id", .equal, id).where("lease_owner", .equal, owner).run()
    }
}

/// Runs jobs in the background of a serving node: polls the queue, runs each job's handler
/// under a renewed lease, records the outcome. A job whose handler throws is retried up to
/// `maxAttempts` times (a crash counts as an attempt), then marked failed with the reason.
final class JobWorker: LifecycleHandler, @unchecked Sendable {
    typealias Handler = @Sendable (JobQueue.Leased, Application) async throws -> Void

    let owner = "worker-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    let lease: TimeInterval
    let pollInterval: TimeInterval
    let maxAttempts: Int
    private var handlers: [String: Handler] = [:]
    private var task: Task<Void, Never>?
    /// Set when a request has just committed a job: the idle loop looks at the queue at once
    /// instead of at the end of its poll interval (the interval stays for other instances' jobs).
    private let nudged = NIOLockedValueBox(false)

    /// Tells the worker that a job was just committed.
    func nudge() { nudged.withLockedValue { $0 = true } }

    init(lease: TimeInterval = 60, pollInterval: TimeInterval = 1, maxAttempts: Int = 3) {
        self.lease = lease
        self.pollInterval = pollInterval
        self.maxAttempts = maxAttempts
    }

    func register(_ kind: String, _ handler: @escaping Handler) { handlers[kind] = handler }

    /// Runs jobs until the queue is empty; returns how many ran. Used by the loop and by tests.
    @discardableResult
    func drain(_ app: Application) async -> Int {
        var ran = 0
        while let job = try? await JobQueue.lease(owner: owner, for: lease, on: app.db) {
            ran += 1
            await run(job, app)
        }
        return ran
    }

    func run(_ job: JobQueue.Leased, _ app: Application) async {
        let logger = app.logger
        guard let handler = handlers[job.kind] else {
            try? await JobQueue.finish(job.id, owner: owner, error: "no handler for \(job.kind)", on: app.db)
            return
        }
        if job.attempts > maxAttempts {
            try? await JobQueue.finish(job.id, owner: owner, error: "gave up after \(maxAttempts) attempts", on: app.db)
            return
        }
        let renewal = Task { [owner, lease] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(lease / 3 * 1_000_000_000))
                if Task.isCancelled { break }
                try? await JobQueue.renew(job.id, owner: owner, for: lease, on: app.db)
            }
        }
        defer { renewal.cancel() }
        do {
            try await handler(job, app)
            try await JobQueue.finish(job.id, owner: owner, on: app.db)
        } catch {
            logger.warning("job \(job.kind) \(job.subject) failed (attempt \(job.attempts)): \(error)")
            if job.attempts >= maxAttempts {
                try? await JobQueue.finish(job.id, owner: owner, error: String(describing: error), on: app.db)
            } else {
                // Back to the queue for another attempt.
                try? await (app.db as! any SQLDatabase).update("jobs").set("status", to: JobModel.Status.queued.rawValue)
                    .set("error", to: String(describing: error)).where("id", .equal, job.id).run()
            }
        }
    }

    func didBootAsync(_ app: Application) async throws {
        task = Task { [weak self] in
            while !Task.isCancelled {
                guard let self else { return }
                await self.drain(app)
                var waited: TimeInterval = 0
                while waited < self.pollInterval, !Task.isCancelled,
                      !self.nudged.withLockedValue({ let was = $0; $0 = false; return was }) {
                    try? await Task.sleep(nanoseconds: 20_000_000)
                    waited += 0.02
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        task?.cancel()
    }
}
