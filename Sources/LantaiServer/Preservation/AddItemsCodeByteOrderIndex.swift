import Fluent
import SQLKit

/// PostgreSQL: an index on the 档号 in byte order (`COLLATE "C"`), which description-object
/// snapshots page through (`CatalogueRows.itemPage`); the unique index follows the database's
/// collation, which may order punctuation differently and then cannot serve that walk.
/// SQLite compares bytes already (its unique index serves), so nothing is added there.
struct AddItemsCodeByteOrderIndex: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw(#"CREATE INDEX items_code_bytes ON items (archival_code COLLATE "C")"#).run()
    }
    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("DROP INDEX IF EXISTS items_code_bytes").run()
    }
}
