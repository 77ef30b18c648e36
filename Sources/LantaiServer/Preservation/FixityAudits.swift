import Fluent
import Foundation
import NIOPosix
import Packaging
import SQLKit
import Vapor

/// Fixity audits of the storage root: run by `lantai fixity audit`, by the `fixity.audit` job
/// (queued by the API, by `lantai fixity audit --queue`, or by a scheduler such as cron), and
/// recorded — one `fixity_audits` row per object, an alert and an audit-trail entry for each
/// object that failed, and one audit-trail entry for the run.
public enum FixityAudits {
    static let jobKind = "fixity.audit"

    /// What to audit: one object or all of them, and how fast. Also the job's subject (JSON).
    public struct Scope: Codable, Sendable, Equatable {
        public var objectId: String?
        /// MiB/s; nil for no limit.
        public var throttle: Double?

        public init(objectId: String? = nil, throttle: Double? = nil) {
            self.objectId = objectId
            self.throttle = throttle
        }

        var subject: String {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: (try? e.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
        }
    }

    /// A finished run.
    public struct Run: Sendable {
        public var runID: UUID
        public var objects = 0
        public var files = 0
        public var bytes: Int64 = 0
        /// The objects that failed, with every failure.
        public var failed: [FixityOutcome] = []
        public var seconds = 0.0

        public var passed: Bool { failed.isEmpty }

        public var summary: String {
            let mib = Double(bytes) / 1_048_576
            let rate = seconds > 0 ? mib / seconds : 0
            let head = "\(objects) objects, \(files) files, \(String(format: "%.1f", mib)) MiB in \(String(format: "%.1f", seconds)) s (\(String(format: "%.1f", rate)) MiB/s)"
            return passed ? "\(head): all intact / 全部完好"
                : "\(head): \(failed.count) objects FAILED / \(failed.count) 个对象未通过"
        }
    }

    static func register(on worker: JobWorker) {
        worker.register(jobKind) { job, app in
            let scope = (try? JSONDecoder().decode(Scope.self, from: Data(job.subject.utf8))) ?? Scope()
            let root: OCFLStorageRoot
            do {
                root = try PreservationStorage.existingRoot(app.lantai)
            } catch let e as LantaiError where e.code == "no_storage_root" {
                app.logger.notice("fixity audit: nothing to audit yet (\(e.en))")
                return
            }
            let run = try await run(scope, root: root, agent: "worker", threadPool: app.threadPool, on: app.db)
            app.logger.notice("fixity audit \(run.runID): \(run.summary)")
        }
    }

    /// Queues an audit unless the same one is already waiting. Returns the job's id.
    public static func enqueue(_ scope: Scope, by actor: String, on db: any Database) async throws -> (jobID: UUID, alreadyQueued: Bool) {
        let subject = scope.subject
        return try await AuditTrail.write(on: db, actor: actor) { tx, audit in
            if let queued = try await queuedJob(subject, on: tx) { return (queued, true) }
            try await JobQueue.enqueue(jobKind, subject: subject, on: tx)
            guard let id = try await queuedJob(subject, on: tx) else {
                throw LantaiError(.internalServerError, code: "internal", zh: "排队失败", en: "the audit could not be queued")
            }
            audit.record("fixity.request", subject: scope.objectId ?? "storage root",
                         ["job": id.uuidString, "throttle": scope.throttle.map { String($0) } ?? ""])
            return (id, false)
        }
    }

    private static func queuedJob(_ subject: String, on db: any Database) async throws -> UUID? {
        try await (db as! any SQLDatabase).select().column("id").from("jobs").where("kind", .equal, jobKind)
            .where("subject", .equal, subject).where("status", .equal, JobModel.Status.queued.rawValue)
            .orderBy("created_at", .descending).first()?.decode(column: "id", as: UUID.self)
    }

    /// An id is worth auditing if storage has it or a record points at it (then its absence is
    /// the finding); anything else is a typo, answered with "not found" rather than a false alarm.
    static func requireKnownObject(_ id: String, config: LantaiConfiguration, threadPool: NIOThreadPool,
                                   on db: any Database) async throws {
        let referenced = try await (db as! any SQLDatabase).select().column("id").from("items")
            .where("object_id", .equal, id).first() != nil
        if referenced { return }
        let stored = try? await threadPool.runIfActive {
            try PreservationStorage.existingRoot(config).object(id).exists()
        }
        guard stored == true else { throw LantaiError.notFound("object \(id)", zh: "对象 \(id)") }
    }

    /// Audits the scope's objects one by one on the thread pool, recording results a hundred
    /// objects at a time, and calls `report` with each outcome as it comes.
    public static func run(_ scope: Scope, root: OCFLStorageRoot, agent: String, threadPool: NIOThreadPool, on db: any Database,
                           report: @escaping @Sendable (FixityOutcome) -> Void = { _ in }) async throws -> Run {
        let started = Date()
        var run = Run(runID: UUID.timeOrdered())
        let auditor = FixityAuditor(root: root, throttle: FixityThrottle(mebibytesPerSecond: scope.throttle))
        let targets: [(path: String, id: String?)]
        if let id = scope.objectId {
            targets = [(root.objectPath(for: id), id)]
        } else {
            targets = try await threadPool.runIfActive { try PreservationStorage.objects(in: root) }
        }
        var pending: [FixityOutcome] = []
        for target in targets {
            let outcome = try await threadPool.runIfActive { auditor.audit(path: target.path, id: target.id) }
            run.objects += 1
            run.files += outcome.filesChecked
            run.bytes += outcome.bytesChecked
            if !outcome.passed { run.failed.append(outcome) }
            report(outcome)
            pending.append(outcome)
            if pending.count >= 100 {
                try await record(pending, runID: run.runID, agent: agent, on: db)
                pending.removeAll()
            }
        }
        try await record(pending, runID: run.runID, agent: agent, on: db)
        run.seconds = Date().timeIntervalSince(started)
        let finished = run
        try await AuditTrail.record(on: db, actor: agent, action: "fixity.audit", subject: scope.objectId ?? "storage root",
                                    ["run": finished.runID.uuidString, "objects": String(finished.objects),
                                     "files": String(finished.files), "bytes": String(finished.bytes),
                                     "failed": String(finished.failed.count)])
        return finished
    }

    /// One transaction per batch: the rows, and for each failed object an alert and an entry.
    static func record(_ outcomes: [FixityOutcome], runID: UUID, agent: String, on db: any Database) async throws {
        guard !outcomes.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try await AuditTrail.write(on: db, actor: agent) { tx, audit in
            for o in outcomes {
                let row = FixityAuditModel()
                row.id = UUID.timeOrdered()
                row.runID = runID
                row.objectID = o.objectID
                row.objectPath = o.objectPath
                row.location = o.location
                row.startedAt = o.startedAt
                row.finishedAt = o.finishedAt
                row.outcome = (o.passed ? FixityAuditModel.Outcome.pass : .fail).rawValue
                row.filesChecked = o.filesChecked
                row.bytesChecked = o.bytesChecked
                row.failures = String(decoding: try encoder.encode(o.failures), as: UTF8.self)
                row.warnings = String(decoding: try encoder.encode(o.warnings), as: UTF8.self)
                row.agent = agent
                try await row.create(on: tx)
                guard !o.passed else { continue }
                let first = o.failures[0].summary
                let alert = PreservationAlertModel()
                alert.id = UUID.timeOrdered()
                alert.createdAt = o.finishedAt
                alert.kind = "fixity"
                alert.objectID = o.objectID
                alert.location = o.location
                alert.auditID = row.id
                alert.messageZh = "对象 \(o.objectID) 固定性检查未通过（\(o.failures.count) 处）：\(first)"
                alert.messageEn = "object \(o.objectID) failed its fixity check (\(o.failures.count) problems): \(first)"
                try await alert.create(on: tx)
                audit.record("fixity.failure", subject: o.objectID,
                             ["location": o.location, "failures": String(o.failures.count), "first": String(first.prefix(300))])
            }
        }
    }
}
