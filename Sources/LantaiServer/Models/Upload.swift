import Fluent
import Foundation

/// A resumable upload session (断点续传): a large package sent in pieces, so that a dropped
/// connection costs only the piece in flight. The bytes live in `transfers/.uploads/<id>.part`;
/// its size on disk is the offset, so nothing else has to be kept in step with the file.
final class UploadModel: Model, @unchecked Sendable {
    static let schema = "uploads"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    @Timestamp(key: "expires_at", on: .none) var expiresAt: Date?
    /// The account that opened it: only that account may add to it or finish it.
    @Field(key: "owner") var owner: String
    /// The agency's fonds number the transfer will be for (checked when the session opens).
    @Field(key: "agency") var agency: String
    @Field(key: "fonds_id") var fondsId: UUID
    /// The whole package's size, announced up front: the upload is complete at exactly this many bytes.
    @Field(key: "length") var length: Int64

    init() {}
}

struct CreateUploads: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("uploads")
            .id()
            .field("created_at", .datetime)
            .field("expires_at", .datetime)
            .field("owner", .string, .required)
            .field("agency", .string, .required)
            .field("fonds_id", .uuid, .required, .references("fonds", "id"))
            .field("length", .int64, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("uploads").delete() }
}
