import Fluent

/// Links a record to its archival package (OCFL object) and to the transfer it came in with.
/// One column per step: SQLite adds one column per ALTER TABLE.
struct AddItemsObjectID: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("items").field("object_id", .string).update()
    }
    func revert(on db: any Database) async throws { try await db.schema("items").deleteField("object_id").update() }
}

struct AddItemsTransferID: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("items").field("transfer_id", .uuid).update()
    }
    func revert(on db: any Database) async throws { try await db.schema("items").deleteField("transfer_id").update() }
}

/// The catalogue-sheet row a record came from, so preservation pairs each record with the files
/// of its own row even when two rows describe alike.
struct AddItemsSourceRow: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("items").field("source_row", .int).update()
    }
    func revert(on db: any Database) async throws { try await db.schema("items").deleteField("source_row").update() }
}
