import Fluent
import Foundation
import SQLKit

/// One object's audit: the PREMIS `fixity check` event of that object, kept in the database
/// rather than as a new OCFL version (an event per object per audit would add a version to
/// every object every month and churn the storage being protected).
final class FixityAuditModel: Model, @unchecked Sendable {
    static let schema = "fixity_audits"

    enum Outcome: String { case pass, fail }

    // Managed fields
    @ID(key: .id) var id: UUID?
    /// The audit run (one command or job) this object's check was part of.
    @Field(key: "run_id") var runID: UUID

    // What was checked, where
    @Field(key: "object_id") var objectID: String
    @Field(key: "object_path") var objectPath: String
    /// Which copy: `primary` until replication adds locations; a repair reads another copy's rows.
    @Field(key: "location") var location: String

    // The event
    @Field(key: "started_at") var startedAt: Date
    @Field(key: "finished_at") var finishedAt: Date
    @Field(key: "outcome") var outcome: String
    @Field(key: "files_checked") var filesChecked: Int
    @Field(key: "bytes_checked") var bytesChecked: Int64
    /// JSON array of ``FixityFailure``.
    @Field(key: "failures") var failures: String
    /// JSON array of strings.
    @Field(key: "warnings") var warnings: String
    /// Who ran it: `cli:<user>`, an archivist's account, or `worker` for a queued audit.
    @Field(key: "agent") var agent: String

    init() {}
}

/// Something an archivist must look at: an object that failed its audit (`fixity`), or copies
/// that disagree or could not be mended (`copies`, from replication).
final class PreservationAlertModel: Model, @unchecked Sendable {
    static let schema = "preservation_alerts"

    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    /// `fixity`, `copies`
    @Field(key: "kind") var kind: String
    @Field(key: "object_id") var objectID: String
    @Field(key: "location") var location: String
    @OptionalField(key: "audit_id") var auditID: UUID?
    @Field(key: "message_zh") var messageZh: String
    @Field(key: "message_en") var messageEn: String
    /// Set once the loss is repaired or explained (repair comes with replication).
    @OptionalField(key: "resolved_at") var resolvedAt: Date?
    @OptionalField(key: "resolved_by") var resolvedBy: String?

    init() {}
}

struct CreateFixityAudits: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("fixity_audits")
            .id()
            .field("run_id", .uuid, .required)
            .field("object_id", .string, .required)
            .field("object_path", .string, .required)
            .field("location", .string, .required, .sql(.default("primary")))
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime, .required)
            .field("outcome", .string, .required)
            .field("files_checked", .int, .required)
            .field("bytes_checked", .int64, .required)
            .field("failures", .string, .required)
            .field("warnings", .string, .required)
            .field("agent", .string, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "fixity_audits_object").on("fixity_audits").column("object_id").column("finished_at").run()
        try await sql.create(index: "fixity_audits_outcome").on("fixity_audits").column("outcome").column("finished_at").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("fixity_audits").delete() }
}

struct CreatePreservationAlerts: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("preservation_alerts")
            .id()
            .field("created_at", .datetime, .required)
            .field("kind", .string, .required)
            .field("object_id", .string, .required)
            .field("location", .string, .required)
            .field("audit_id", .uuid, .references("fixity_audits", "id"))
            .field("message_zh", .string, .required)
            .field("message_en", .string, .required)
            .field("resolved_at", .datetime)
            .field("resolved_by", .string)
            .create()
        try await (db as! any SQLDatabase).create(index: "preservation_alerts_open").on("preservation_alerts")
            .column("resolved_at").column("created_at").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("preservation_alerts").delete() }
}
