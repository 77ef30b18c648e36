import Fluent
import Foundation
import SQLKit

/// What the node last knew of one object's copy at one location: the API's "copies" of a
/// record. Storage stays the truth; this row is what was found there, and when.
final class StorageCopyModel: Model, @unchecked Sendable {
    static let schema = "storage_copies"

    enum Status: String, CaseIterable {
        /// Same inventory as the primary (and, when `verified_at` is set, every file checked then).
        case current
        /// The location is missing versions or the object (replication has not reached it yet).
        case behind
        /// A file or inventory failed its digest and no good copy could mend it.
        case damaged
        /// The copy's history differs from the primary's: an operator must decide.
        case diverged
        /// The location could not be reached when last tried.
        case unreachable
    }

    // Managed fields
    @ID(key: .id) var id: UUID?

    // What, where
    @Field(key: "object_id") var objectID: String
    @Field(key: "location") var location: String
    @Field(key: "object_path") var objectPath: String

    // What was found
    /// The head version number of this copy (0 when there is none).
    @Field(key: "head") var head: Int
    @OptionalField(key: "inventory_digest") var inventoryDigest: String?
    @Field(key: "status") var status: String
    @Field(key: "checked_at") var checkedAt: Date
    /// When bytes were last written to this copy (replicated or repaired).
    @OptionalField(key: "copied_at") var copiedAt: Date?
    /// When every file of this copy was last read back and matched its digest.
    @OptionalField(key: "verified_at") var verifiedAt: Date?
    @Field(key: "detail") var detail: String

    init() {}
}

/// A PREMIS-like event of archival storage: `replication`, `repair`, `restore`, `migration`,
/// `import` — one per object and location, with its outcome. Fixity checks proper are the
/// preservation audits' (`fixity_audits`); these are the copies' history.
final class StorageEventModel: Model, @unchecked Sendable {
    static let schema = "storage_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @OptionalField(key: "run_id") var runID: UUID?
    @Field(key: "object_id") var objectID: String
    /// The location written to (or found wanting).
    @Field(key: "location") var location: String
    /// PREMIS eventType: replication, repair, restore, migration, import.
    @Field(key: "event_type") var eventType: String
    /// success or failure.
    @Field(key: "outcome") var outcome: String
    /// Where the good bytes came from.
    @OptionalField(key: "source") var source: String?
    @Field(key: "files") var files: Int
    @Field(key: "bytes") var bytes: Int64
    /// JSON: repaired files, unrecoverable files, versions copied, the reason of a failure.
    @Field(key: "detail") var detail: String
    @Field(key: "agent") var agent: String

    init() {}
}

/// One run of replication, repair, restore, migration or import, with the progress the API and
/// the CLI show. A replication job's run has the job's id, so a job taken up again after a crash
/// continues the same row.
final class StorageRunModel: Model, @unchecked Sendable {
    static let schema = "storage_runs"

    enum Status: String { case running, interrupted, done, failed }

    @ID(key: .id) var id: UUID?
    /// replicate, repair, restore, migrate, import
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    /// The locations worked on, comma-separated.
    @Field(key: "locations") var locations: String
    @Field(key: "objects_total") var objectsTotal: Int
    @Field(key: "objects_done") var objectsDone: Int
    @Field(key: "bytes_total") var bytesTotal: Int64
    @Field(key: "bytes_done") var bytesDone: Int64
    @Field(key: "files_copied") var filesCopied: Int
    @Field(key: "failures") var failures: Int
    @Field(key: "started_at") var startedAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?
    @Field(key: "message") var message: String
    @Field(key: "agent") var agent: String

    init() {}
}

struct CreateStorageCopies: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("storage_copies")
            .id()
            .field("object_id", .string, .required)
            .field("location", .string, .required)
            .field("object_path", .string, .required)
            .field("head", .int, .required)
            .field("inventory_digest", .string)
            .field("status", .string, .required)
            .field("checked_at", .datetime, .required)
            .field("copied_at", .datetime)
            .field("verified_at", .datetime)
            .field("detail", .string, .required)
            .unique(on: "object_id", "location")
            .create()
        try await (db as! any SQLDatabase).create(index: "storage_copies_path").on("storage_copies")
            .column("location").column("object_path").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("storage_copies").delete() }
}

struct CreateStorageEvents: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("storage_events")
            .id()
            .field("at", .datetime, .required)
            .field("run_id", .uuid)
            .field("object_id", .string, .required)
            .field("location", .string, .required)
            .field("event_type", .string, .required)
            .field("outcome", .string, .required)
            .field("source", .string)
            .field("files", .int, .required)
            .field("bytes", .int64, .required)
            .field("detail", .string, .required)
            .field("agent", .string, .required)
            .create()
        try await (db as! any SQLDatabase).create(index: "storage_events_object").on("storage_events")
            .column("object_id").column("at").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("storage_events").delete() }
}

struct CreateStorageRuns: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("storage_runs")
            .id()
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("locations", .string, .required)
            .field("objects_total", .int, .required)
            .field("objects_done", .int, .required)
            .field("bytes_total", .int64, .required)
            .field("bytes_done", .int64, .required)
            .field("files_copied", .int, .required)
            .field("failures", .int, .required)
            .field("started_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("finished_at", .datetime)
            .field("message", .string, .required)
            .field("agent", .string, .required)
            .create()
        try await (db as! any SQLDatabase).create(index: "storage_runs_started").on("storage_runs").column("started_at").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("storage_runs").delete() }
}
