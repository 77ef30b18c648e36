import Fluent
import Foundation
import SQLKit

/// Long work (checking a transfer, writing an archival package…) is a job: persisted, leased
/// by one worker at a time, and taken up again by another worker when a lease runs out — so a
/// crash or a kill loses no work, and several app instances can share one queue.
final class JobModel: Model, @unchecked Sendable {
    static let schema = "jobs"

    enum Status: String {
        case queued, running, done, failed
    }

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    /// What to do, e.g. `transfer.check`.
    @Field(key: "kind") var kind: String
    /// What to do it to, e.g. a transfer id.
    @Field(key: "subject") var subject: String
    @Field(key: "status") var status: String
    @OptionalField(key: "lease_owner") var leaseOwner: String?
    @OptionalField(key: "lease_until") var leaseUntil: Date?
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "error") var error: String?

    init() {}
}

struct CreateJobs: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("jobs")
            .id()
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("kind", .string, .required)
            .field("subject", .string, .required)
            .field("status", .string, .required)
            .field("lease_owner", .string)
            .field("lease_until", .datetime)
            .field("attempts", .int, .required)
            .field("error", .string)
            .create()
        try await (db as! any SQLDatabase).create(index: "jobs_queue").on("jobs").column("status").column("created_at").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("jobs").delete() }
}
