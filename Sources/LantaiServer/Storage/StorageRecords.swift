import Fluent
import Foundation
import SQLKit

/// Writes what storage work found and did: copy rows, events, runs' progress.
enum StorageRecords {
    struct CopyNote: Sendable {
        var objectID: String
        var location: String
        var objectPath: String
        var head: Int
        var inventoryDigest: String?
        var status: StorageCopyModel.Status
        var copied = false
        var verified = false
        var detail = ""
    }

    /// Creates or updates the (object, location) row. `copied_at` and `verified_at` move only
    /// when this note says bytes were written or every file was read back.
    static func note(_ n: CopyNote, on db: any Database) async throws {
        let now = Date()
        func apply(_ row: StorageCopyModel) {
            row.objectPath = n.objectPath
            row.head = n.head
            row.inventoryDigest = n.inventoryDigest
            row.status = n.status.rawValue
            row.checkedAt = now
            if n.copied { row.copiedAt = now }
            if n.verified { row.verifiedAt = now }
            row.detail = String(n.detail.prefix(2000))
        }
        if let row = try await StorageCopyModel.query(on: db).filter(\.$objectID == n.objectID).filter(\.$location == n.location).first() {
            apply(row)
            try await row.update(on: db)
            return
        }
        let row = StorageCopyModel()
        row.id = UUID.timeOrdered()
        row.objectID = n.objectID
        row.location = n.location
        apply(row)
        do {
            try await row.create(on: db)
        } catch {
            // Another run noted the same copy at the same moment: update theirs.
            guard let theirs = try await StorageCopyModel.query(on: db).filter(\.$objectID == n.objectID)
                .filter(\.$location == n.location).first() else { throw error }
            apply(theirs)
            try await theirs.update(on: db)
        }
    }

    /// The copy rows of one location, by object path (replication's "what changed since?").
    static func copies(at location: String, on db: any Database) async throws -> [String: StorageCopyModel] {
        let rows = try await StorageCopyModel.query(on: db).filter(\.$location == location).all()
        return Dictionary(rows.map { ($0.objectPath, $0) }, uniquingKeysWith: { a, _ in a })
    }

    static func event(_ type: String, objectID: String, location: String, success: Bool, source: String? = nil,
                      files: Int = 0, bytes: Int64 = 0, detail: [String: String] = [:], runID: UUID?, agent: String,
                      on db: any Database) async throws {
        let e = StorageEventModel()
        e.id = UUID.timeOrdered()
        e.at = Date()
        e.runID = runID
        e.objectID = objectID
        e.location = location
        e.eventType = type
        e.outcome = success ? "success" : "failure"
        e.source = source
        e.files = files
        e.bytes = bytes
        e.detail = AuditTrail.json(detail)
        e.agent = agent
        try await e.create(on: db)
    }

    /// Starts a run, or takes up the one with this id (a job retried after a crash).
    static func startRun(id: UUID, kind: String, locations: [String], agent: String, on db: any Database) async throws -> StorageRunModel {
        let now = Date()
        if let run = try await StorageRunModel.find(id, on: db) {
            run.status = StorageRunModel.Status.running.rawValue
            run.updatedAt = now
            run.finishedAt = nil
            run.message = "resumed"
            try await run.update(on: db)
            return run
        }
        let run = StorageRunModel()
        run.id = id
        run.kind = kind
        run.status = StorageRunModel.Status.running.rawValue
        run.locations = locations.joined(separator: ",")
        run.objectsTotal = 0
        run.objectsDone = 0
        run.bytesTotal = 0
        run.bytesDone = 0
        run.filesCopied = 0
        run.failures = 0
        run.startedAt = now
        run.updatedAt = now
        run.message = ""
        run.agent = agent
        try await run.create(on: db)
        return run
    }

    static func save(_ run: StorageRunModel, on db: any Database) async throws {
        run.updatedAt = Date()
        try await run.update(on: db)
    }

    static func finish(_ run: StorageRunModel, _ status: StorageRunModel.Status, message: String, on db: any Database) async throws {
        run.status = status.rawValue
        run.message = String(message.prefix(4000))
        run.finishedAt = Date()
        try await save(run, on: db)
    }

    /// Marks the open alerts of an object at a location resolved, after a repair mended it.
    static func resolveAlerts(objectID: String, location: String, by agent: String, on db: any Database) async throws {
        try await (db as! any SQLDatabase).update("preservation_alerts").set("resolved_at", to: Date()).set("resolved_by", to: agent)
            .where("object_id", .equal, objectID).where("location", .equal, location).where("resolved_at", .is, SQLLiteral.null).run()
    }

    /// An alert for the archivist: a copy that could not be mended, or copies that disagree.
    static func alert(objectID: String, location: String, zh: String, en: String, on db: any Database) async throws {
        let a = PreservationAlertModel()
        a.id = UUID.timeOrdered()
        a.createdAt = Date()
        a.kind = "copies"
        a.objectID = objectID
        a.location = location
        a.auditID = nil
        a.messageZh = zh
        a.messageEn = en
        try await a.create(on: db)
    }
}
