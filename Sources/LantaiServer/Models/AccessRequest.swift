import Fluent
import SQLKit
import Foundation

/// 利用申请 as stored: the domain's `ArchiveKit.AccessRequest` plus who registered it. The
/// identity number itself is never stored — only its masked form and a keyed hash.
final class AccessRequestModel: Model, @unchecked Sendable {
    static let schema = "access_requests"

    @ID(key: .id) var id: UUID?
    /// `LY-20261127-7K3F9Q…`: what the requester keeps to follow the request.
    @Field(key: "reference") var reference: String
    @Field(key: "channel") var channel: String
    @Field(key: "purpose") var purpose: String
    @Field(key: "requester_name") var requesterName: String
    @Field(key: "identity_kind") var identityKind: String
    @Field(key: "identity_masked") var identityMasked: String
    @Field(key: "identity_hash") var identityHash: String
    /// Telephone or e-mail for the archives to reach the requester.
    @Field(key: "contact") var contact: String
    /// Item ids asked for, joined by a newline.
    @Field(key: "item_ids") var itemIDs: String
    @Field(key: "sought") var sought: String
    @Field(key: "status") var status: String
    @OptionalField(key: "refusal_reason") var refusalReason: String?
    /// The account that registered it (a service-point operator, an archivist), or "" online.
    @Field(key: "registered_by") var registeredBy: String
    @Timestamp(key: "submitted_at", on: .none) var submittedAt: Date?
    @Timestamp(key: "accepted_at", on: .none) var acceptedAt: Date?
    @Timestamp(key: "decided_at", on: .none) var decidedAt: Date?
    @Timestamp(key: "delivered_at", on: .none) var deliveredAt: Date?
    @Timestamp(key: "withdrawn_at", on: .none) var withdrawnAt: Date?

    init() {}
}

struct CreateAccessRequests: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("access_requests")
            .id()
            .field("reference", .string, .required)
            .field("channel", .string, .required)
            .field("purpose", .string, .required)
            .field("requester_name", .string, .required)
            .field("identity_kind", .string, .required)
            .field("identity_masked", .string, .required)
            .field("identity_hash", .string, .required)
            .field("contact", .string, .required)
            .field("item_ids", .string, .required)
            .field("sought", .string, .required)
            .field("status", .string, .required)
            .field("refusal_reason", .string)
            .field("registered_by", .string, .required)
            .field("submitted_at", .datetime)
            .field("accepted_at", .datetime)
            .field("decided_at", .datetime)
            .field("delivered_at", .datetime)
            .field("withdrawn_at", .datetime)
            .unique(on: "reference")
            .create()
        try await (db as! any SQLDatabase).raw("CREATE INDEX access_requests_identity ON access_requests (identity_hash)").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("access_requests").delete() }
}

/// 利用登记: one use of the holdings — a delivered copy, a view of a controlled record — for the
/// statistics of use the plan reports.
final class UseModel: Model, @unchecked Sendable {
    static let schema = "uses"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "at", on: .none) var at: Date?
    /// delivery | view
    @Field(key: "kind") var kind: String
    @Field(key: "item_id") var itemId: UUID
    @Field(key: "fonds_code") var fondsCode: String
    @OptionalField(key: "request_reference") var requestReference: String?
    @Field(key: "actor") var actor: String
    @Field(key: "purpose") var purpose: String

    init() {}
}

struct CreateUses: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("uses")
            .id()
            .field("at", .datetime)
            .field("kind", .string, .required)
            .field("item_id", .uuid, .required)
            .field("fonds_code", .string, .required)
            .field("request_reference", .string)
            .field("actor", .string, .required)
            .field("purpose", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("uses").delete() }
}

/// An access copy handed out for an approved request: a watermarked file behind an unguessable
/// link, with a download limit and an expiry.
final class DeliveryModel: Model, @unchecked Sendable {
    static let schema = "deliveries"

    @ID(key: .id) var id: UUID?
    @Field(key: "request_id") var requestId: UUID
    @Field(key: "item_id") var itemId: UUID
    /// The random part of the download link, shown to whoever holds the request reference.
    @Field(key: "token") var token: String
    @Field(key: "file_name") var fileName: String
    /// Relative to the data directory.
    @Field(key: "path") var path: String
    @Field(key: "media_type") var mediaType: String
    @Field(key: "downloads_left") var downloadsLeft: Int
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    @Timestamp(key: "expires_at", on: .none) var expiresAt: Date?

    init() {}
}

struct CreateDeliveries: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("deliveries")
            .id()
            .field("request_id", .uuid, .required, .references("access_requests", "id"))
            .field("item_id", .uuid, .required)
            .field("token", .string, .required)
            .field("file_name", .string, .required)
            .field("path", .string, .required)
            .field("media_type", .string, .required)
            .field("downloads_left", .int, .required)
            .field("created_at", .datetime)
            .field("expires_at", .datetime)
            .unique(on: "token")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("deliveries").delete() }
}
