import Fluent
import Foundation

/// A transfer (移交): a package an agency sends to the archives, from receipt through the
/// four-property checks to acceptance or rejection.
final class TransferModel: Model, @unchecked Sendable {
    static let schema = "transfers"

    enum Status: String, Codable, CaseIterable {
        /// The upload is stored and its digest recorded (已接收).
        case received
        /// Being unpacked and checked (检测中).
        case checking
        /// The report is ready for the archivist (待审核).
        case checked
        /// Accepted: records numbered, archival packages being written (入馆处理中).
        case accepting
        /// Accepted into the catalogue and preserved (已接收入馆).
        case accepted
        /// Returned to the agency with reasons (已退回).
        case rejected
    }

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "received_at", on: .none) var receivedAt: Date?
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    /// The agency's fonds number (立档单位).
    @Field(key: "agency") var agency: String
    @Field(key: "fonds_id") var fondsId: UUID
    @Field(key: "submitted_by") var submittedBy: String
    @Field(key: "status") var status: String
    /// zip | tar | directory
    @Field(key: "package_kind") var packageKind: String
    @Field(key: "upload_bytes") var uploadBytes: Int64
    /// SHA-256 of the package as received: the security check proves it unchanged later.
    @Field(key: "upload_sha256") var uploadSHA256: String
    /// Where the package is kept, relative to the data directory.
    @Field(key: "upload_path") var uploadPath: String
    @Field(key: "files_total") var filesTotal: Int
    @Field(key: "files_done") var filesDone: Int
    @Field(key: "bytes_total") var bytesTotal: Int64
    @Field(key: "bytes_done") var bytesDone: Int64
    /// The check report as JSON, once checked.
    @OptionalField(key: "report") var report: String?
    @OptionalField(key: "decided_by") var decidedBy: String?
    @OptionalField(key: "decision_note") var decisionNote: String?
    /// 移交接收单 as canonical JSON, and the node's Ed25519 signature over those bytes.
    @OptionalField(key: "receipt") var receipt: String?
    @OptionalField(key: "receipt_signature") var receiptSignature: String?

    init() {}
}

struct CreateTransfers: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("transfers")
            .id()
            .field("received_at", .datetime)
            .field("updated_at", .datetime)
            .field("agency", .string, .required)
            .field("fonds_id", .uuid, .required, .references("fonds", "id"))
            .field("submitted_by", .string, .required)
            .field("status", .string, .required)
            .field("package_kind", .string, .required)
            .field("upload_bytes", .int64, .required)
            .field("upload_sha256", .string, .required)
            .field("upload_path", .string, .required)
            .field("files_total", .int, .required)
            .field("files_done", .int, .required)
            .field("bytes_total", .int64, .required)
            .field("bytes_done", .int64, .required)
            .field("report", .string)
            .field("decided_by", .string)
            .field("decision_note", .string)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("transfers").delete() }
}
