import Fluent

/// The signed receipt (移交接收单) of an accepted transfer: the canonical JSON and its signature.
struct AddTransfersReceipt: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("transfers").field("receipt", .string).update()
    }
    func revert(on db: any Database) async throws { try await db.schema("transfers").deleteField("receipt").update() }
}

struct AddTransfersReceiptSignature: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("transfers").field("receipt_signature", .string).update()
    }
    func revert(on db: any Database) async throws { try await db.schema("transfers").deleteField("receipt_signature").update() }
}
