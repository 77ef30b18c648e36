import ArchiveKit
import Fluent
import SQLKit

/// Migrations in order. Shipped migrations are never edited: a change is a new migration.
enum LantaiMigrations {
    static var all: [any AsyncMigration] {
        [CreateFonds(), CreateCategories(), CreateItems(), CreateItemHistory(), CreateUsers(), CreateAPITokens(),
         CreateLoginFailures(), CreateAuditLog(), CreateCodeCounters(), CreateTransfers(), CreateJobs(), AddItemsObjectID(), AddItemsTransferID(), AddTransfersReceipt(),
         AddTransfersReceiptSignature(), AddItemsSourceRow(), CreateUploads(),
         CreateAccessRequests(), CreateUses(), CreateDeliveries(),
         CreateFixityAudits(), CreatePreservationAlerts(), CreateSearchIndex(), AddItemsCodeByteOrderIndex(),
         CreateStorageCopies(), CreateStorageEvents(), CreateStorageRuns()]
    }
}

struct CreateFonds: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("fonds")
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("agency", .string, .required)
            .field("history", .string, .required)
            .field("start_year", .int)
            .field("end_year", .int)
            .unique(on: "code")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("fonds").delete() }
}

struct CreateCategories: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("categories")
            .field("code", .string, .identifier(auto: false))
            .field("name_zh", .string, .required)
            .field("name_en", .string, .required)
            .field("created_at", .datetime)
            .create()
        for c in CategoryCode.standard {
            try await CategoryModel(code: c.code, nameZh: c.chinese, nameEn: c.english).create(on: db)
        }
    }
    func revert(on db: any Database) async throws { try await db.schema("categories").delete() }
}

struct CreateItems: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("items")
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("created_by", .string, .required)
            .field("updated_by", .string, .required)
            .field("version", .int, .required)
            .field("fonds_id", .uuid, .required, .references("fonds", "id"))
            .field("fonds_code", .string, .required)
            .field("parent_id", .uuid, .references("items", "id"))
            .field("archival_code", .string, .required)
            .field("level", .string, .required)
            .field("category", .string, .required)
            .field("title", .string, .required)
            .field("creator", .string, .required)
            .field("document_number", .string, .required)
            .field("date", .string, .required)
            .field("year", .int, .required)
            .field("retention", .string, .required)
            .field("organisation", .string, .required)
            .field("pages", .int, .required)
            .field("classification", .string, .required)
            .field("access_status", .string, .required)
            .field("carrier", .string, .required)
            .field("subjects", .string, .required)
            .field("notes", .string, .required)
            .field("location", .string, .required)
            .unique(on: "archival_code")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "items_browse").on("items").column("fonds_id").column("category").column("year").run()
        try await sql.create(index: "items_parent").on("items").column("parent_id").run()
        try await sql.create(index: "items_access").on("items").column("access_status").column("classification").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("items").delete() }
}

struct CreateItemHistory: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("item_history")
            .id()
            .field("item_id", .uuid, .required, .references("items", "id"))
            .field("at", .datetime, .required)
            .field("actor", .string, .required)
            .field("action", .string, .required)
            .field("changes", .string, .required)
            .create()
        try await (db as! any SQLDatabase).create(index: "item_history_item").on("item_history").column("item_id").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("item_history").delete() }
}

struct CreateUsers: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("users")
            .id()
            .field("created_at", .datetime)
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("agency", .string)
            .field("clearance", .string, .required)
            .field("must_change_password", .bool, .required)
            .field("disabled", .bool, .required)
            .unique(on: "username")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("users").delete() }
}

struct CreateAPITokens: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("api_tokens")
            .id()
            .field("created_at", .datetime)
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("prefix", .string, .required)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("api_tokens").delete() }
}

struct CreateLoginFailures: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("login_failures")
            .id()
            .field("username", .string, .required)
            .field("address", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await (db as! any SQLDatabase).create(index: "login_failures_user").on("login_failures").column("username").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("login_failures").delete() }
}

/// The audit trail and its head. The head row is also the node's write lock: every write
/// transaction starts by bumping it, so writers serialise on both engines and the chain
/// never forks.
struct CreateAuditLog: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.create(table: "audit_log")
            .column("seq", type: .bigint, .primaryKey(autoIncrement: false))
            .column("at", type: .bigint, .notNull)
            .column("actor", type: .text, .notNull)
            .column("action", type: .text, .notNull)
            .column("subject", type: .text, .notNull)
            .column("detail", type: .text, .notNull)
            .column("prev_hash", type: .text, .notNull)
            .column("hash", type: .text, .notNull)
            .run()
        try await sql.create(table: "audit_head")
            .column("id", type: .int, .primaryKey(autoIncrement: false))
            .column("seq", type: .bigint, .notNull)
            .column("hash", type: .text, .notNull)
            .run()
        try await sql.insert(into: "audit_head").columns("id", "seq", "hash").values(1, Int64(0), AuditChain.genesis).run()
    }
    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.drop(table: "audit_head").run()
        try await sql.drop(table: "audit_log").run()
    }
}

/// Gap-free counters for 档号 item numbers, one row per numbering group (and per file).
struct CreateCodeCounters: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).create(table: "code_counters")
            .column("group_key", type: .text, .primaryKey(autoIncrement: false))
            .column("last_number", type: .bigint, .notNull)
            .run()
    }
    func revert(on db: any Database) async throws { try await (db as! any SQLDatabase).drop(table: "code_counters").run() }
}
