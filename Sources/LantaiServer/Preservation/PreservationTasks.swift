import Foundation
import NIOConcurrencyHelpers
import Vapor

/// What the preservation commands do, for the thin `lantai` shell: open the storage root of the
/// node's configuration, call the service, turn the result into lines for the operator.
public enum PreservationTasks {
    /// `lantai rebuild-catalog`.
    public static func rebuildCatalogue(_ app: Application, node: String?, actor: String = "rebuild-catalog",
                                        progress: @escaping @Sendable (String) -> Void) async throws -> CatalogueRebuildSummary {
        let root = try PreservationStorage.existingRoot(app.lantai)
        let summary = try await CatalogueRebuild.rebuild(from: root, node: node ?? app.lantai.nodeCode, into: app.db, actor: actor,
                                                         threadPool: app.threadPool, progress: progress)
        // Search works at once (texts extracted from digital objects come back when they are re-extracted).
        let indexed = try await SearchMaintenance.rebuild(app) { _, _ in }
        progress("full-text index rebuilt: \(indexed) records")
        return summary
    }

    /// `lantai fixity audit --queue`.
    public static func queueAudit(_ app: Application, object: String?, throttle: Double?, actor: String) async throws -> String {
        let queued = try await FixityAudits.enqueue(.init(objectId: object, throttle: throttle), by: actor, on: app.db)
        return queued.alreadyQueued
            ? "the same audit is already queued as job \(queued.jobID.uuidString) / 相同的检查已在队列中"
            : "queued fixity audit as job \(queued.jobID.uuidString) / 已排队"
    }

    /// `lantai fixity audit`: prints each failure as it is found, progress now and then, and the
    /// summary. Returns whether everything passed.
    public static func audit(_ app: Application, object: String?, throttle: Double?, actor: String,
                             output: @escaping @Sendable (String) -> Void) async throws -> Bool {
        let root = try PreservationStorage.existingRoot(app.lantai)
        if let object {
            try await FixityAudits.requireKnownObject(object, config: app.lantai, threadPool: app.threadPool, on: app.db)
        }
        let seen = NIOLockedValueBox(0)
        let started = Date()
        let run = try await FixityAudits.run(.init(objectId: object, throttle: throttle), root: root, agent: actor,
                                             threadPool: app.threadPool, on: app.db) { outcome in
            for failure in outcome.failures {
                output("FAIL \(outcome.objectID): \(failure.summary)")
            }
            for warning in outcome.warnings {
                output("warning \(outcome.objectID): \(warning)")
            }
            let n = seen.withLockedValue { $0 += 1; return $0 }
            if n % 1000 == 0 {
                output("… \(n) objects checked in \(Int(Date().timeIntervalSince(started))) s")
            }
        }
        output(run.summary)
        output("recorded as audit run \(run.runID.uuidString.lowercased()) (GET /api/v1/preservation/audits)")
        return run.passed
    }
}
