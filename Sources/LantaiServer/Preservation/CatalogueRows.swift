import Fluent
import Foundation
import SQLKit

/// Reads and writes the catalogue tables as snapshot rows, column by column, with SQLKit: the
/// snapshot must carry exactly what the table holds (Fluent models would fill timestamps in),
/// and a rebuild must put back exactly that.
enum CatalogueRows {
    struct Corrupt: Error, CustomStringConvertible {
        var description: String
    }

    // MARK: Reading

    static func fonds(_ id: UUID, on sql: any SQLDatabase) async throws -> SnapshotFonds? {
        guard let r = try await sql.select().columns("*").from("fonds").where("id", .equal, id).first() else { return nil }
        return SnapshotFonds(id: try r.decode(column: "id", as: UUID.self),
                        createdAt: SnapshotTime.formatIfPresent(try r.decode(column: "created_at", as: Date?.self)),
                        updatedAt: SnapshotTime.formatIfPresent(try r.decode(column: "updated_at", as: Date?.self)),
                        code: try r.decode(column: "code", as: String.self), name: try r.decode(column: "name", as: String.self),
                        agency: try r.decode(column: "agency", as: String.self),
                        history: try r.decode(column: "history", as: String.self),
                        startYear: try r.decode(column: "start_year", as: Int?.self),
                        endYear: try r.decode(column: "end_year", as: Int?.self))
    }

    static func categories(on sql: any SQLDatabase) async throws -> [SnapshotCategory] {
        try await sql.select().columns("*").from("categories").orderBy("code").all().map { r in
            SnapshotCategory(code: try r.decode(column: "code", as: String.self), nameZh: try r.decode(column: "name_zh", as: String.self),
                        nameEn: try r.decode(column: "name_en", as: String.self),
                        createdAt: SnapshotTime.formatIfPresent(try r.decode(column: "created_at", as: Date?.self)))
        }.sorted { Array($0.code.utf8).lexicographicallyPrecedes(Array($1.code.utf8)) }
    }

    /// The fonds' counters: `J012-…` for items numbered in a group, `file:J012-…` inside a 案卷.
    /// A fonds code is capitals and digits, so neither LIKE pattern matches another fonds.
    static func counters(fondsCode: String, on sql: any SQLDatabase) async throws -> [SnapshotCounter] {
        try await sql.select().columns("group_key", "last_number").from("code_counters")
            .where("group_key", .like, "\(fondsCode)-%").orWhere("group_key", .like, "file:\(fondsCode)-%")
            .all().map { r in
                SnapshotCounter(groupKey: try r.decode(column: "group_key", as: String.self),
                           lastNumber: try r.decode(column: "last_number", as: Int.self))
            }.sorted { Array($0.groupKey.utf8).lexicographicallyPrecedes(Array($1.groupKey.utf8)) }
    }

    /// `archival_code` compared byte by byte on both engines (PostgreSQL's default collation
    /// may ignore punctuation), so pages and files come out in the same order everywhere.
    static func codeColumn(_ sql: any SQLDatabase) -> SQLRaw {
        sql.dialect.name == "postgresql" ? SQLRaw(#"archival_code COLLATE "C""#) : SQLRaw("archival_code")
    }

    /// A page of the fonds' items in 档号 byte order, after `after`.
    ///
    /// Selected by 档号 range, not by `fonds_id`: every 档号 of fonds F starts with `F-` (DA/T 13,
    /// enforced when records are numbered), so the range walks the 档号 index (SQLite's unique
    /// index; on PostgreSQL `items_code_bytes`) in order and each page costs its own rows. A
    /// `fonds_id` condition would let the planner pick the browse index and sort the whole fonds
    /// for every page. Rows of another fonds cannot match; they are dropped all the same, and the
    /// builder compares its count with the fonds' so nothing is ever silently left out.
    static func itemPage(fondsCode: String, fondsId: UUID, after: String?, limit: Int,
                         on sql: any SQLDatabase) async throws -> (items: [SnapshotItem], last: String?) {
        let q = sql.select().columns(SnapshotItem.columns.map { SQLIdentifier($0) }).from("items")
        if let after {
            q.where(codeColumn(sql), .greaterThan, SQLBind(after))
        } else {
            q.where(codeColumn(sql), .greaterThanOrEqual, SQLBind("\(fondsCode)-"))
        }
        q.where(codeColumn(sql), .lessThan, SQLBind("\(fondsCode)."))  // "." follows "-" in every byte order
        let rows = try await q.orderBy(codeColumn(sql)).limit(limit).all().map(item)
        return (rows.filter { $0.fondsId == fondsId }, rows.last?.archivalCode)
    }

    static func itemCount(fondsId: UUID, on sql: any SQLDatabase) async throws -> Int {
        try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("items")
            .where("fonds_id", .equal, fondsId).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    static func item(_ r: any SQLRow) throws -> SnapshotItem {
        func s(_ c: String) throws -> String { try r.decode(column: c, as: String.self) }
        func i(_ c: String) throws -> Int { try r.decode(column: c, as: Int.self) }
        return SnapshotItem(id: try r.decode(column: "id", as: UUID.self),
                       createdAt: SnapshotTime.formatIfPresent(try r.decode(column: "created_at", as: Date?.self)),
                       updatedAt: SnapshotTime.formatIfPresent(try r.decode(column: "updated_at", as: Date?.self)),
                       createdBy: try s("created_by"), updatedBy: try s("updated_by"), version: try i("version"),
                       fondsId: try r.decode(column: "fonds_id", as: UUID.self), fondsCode: try s("fonds_code"),
                       parentId: try r.decode(column: "parent_id", as: UUID?.self), archivalCode: try s("archival_code"),
                       objectId: try r.decode(column: "object_id", as: String?.self),
                       transferId: try r.decode(column: "transfer_id", as: UUID?.self),
                       sourceRow: try r.decode(column: "source_row", as: Int?.self),
                       level: try s("level"), category: try s("category"), title: try s("title"), creator: try s("creator"),
                       documentNumber: try s("document_number"), date: try s("date"), year: try i("year"),
                       retention: try s("retention"), organisation: try s("organisation"), pages: try i("pages"),
                       classification: try s("classification"), accessStatus: try s("access_status"),
                       carrier: try s("carrier"), subjects: try s("subjects"), notes: try s("notes"), location: try s("location"))
    }

    /// The edit history of some items, each item's oldest first.
    static func history(of itemIds: [UUID], on sql: any SQLDatabase) async throws -> [UUID: [SnapshotHistory]] {
        var out: [UUID: [SnapshotHistory]] = [:]
        for chunk in itemIds.chunked(500) where !chunk.isEmpty {
            let rows = try await sql.select().columns("id", "item_id", "at", "actor", "action", "changes").from("item_history")
                .where("item_id", .in, Array(chunk)).all()
            for r in rows {
                let h = SnapshotHistory(id: try r.decode(column: "id", as: UUID.self), itemId: try r.decode(column: "item_id", as: UUID.self),
                                   at: SnapshotTime.format(try r.decode(column: "at", as: Date.self)),
                                   actor: try r.decode(column: "actor", as: String.self),
                                   action: try r.decode(column: "action", as: String.self),
                                   changes: try r.decode(column: "changes", as: String.self))
                out[h.itemId, default: []].append(h)
            }
        }
        // Same-instant edits are ordered by id, so the line is the same whatever order the engine returned.
        for (k, v) in out {
            out[k] = v.sorted { ($0.at, $0.id.uuidString) < ($1.at, $1.id.uuidString) }
        }
        return out
    }

    // MARK: Writing (rebuild)

    static func time(_ text: String?, _ what: String) throws -> Date? {
        guard let text else { return nil }
        guard let d = SnapshotTime.parse(text) else { throw Corrupt(description: "\(what): \(text) is not a snapshot time") }
        return d
    }

    static func insert(_ f: SnapshotFonds, on sql: any SQLDatabase) async throws {
        try await sql.insert(into: "fonds")
            .columns("id", "created_at", "updated_at", "code", "name", "agency", "history", "start_year", "end_year")
            .values([f.id, try time(f.createdAt, "fonds \(f.code) created_at"), try time(f.updatedAt, "fonds \(f.code) updated_at"),
                     f.code, f.name, f.agency, f.history, f.startYear, f.endYear] as [any Encodable & Sendable])
            .run()
    }

    /// Puts a category back as it was, over the standard row a fresh database's migration made.
    static func upsert(_ c: SnapshotCategory, on sql: any SQLDatabase) async throws {
        let created = try time(c.createdAt, "category \(c.code) created_at")
        let exists = try await sql.select().column("code").from("categories").where("code", .equal, c.code).first() != nil
        if exists {
            try await sql.update("categories").set("name_zh", to: c.nameZh).set("name_en", to: c.nameEn)
                .set("created_at", to: created).where("code", .equal, c.code).run()
        } else {
            try await sql.insert(into: "categories").columns("code", "name_zh", "name_en", "created_at")
                .values([c.code, c.nameZh, c.nameEn, created] as [any Encodable & Sendable]).run()
        }
    }

    /// Multi-row inserts of 400 (30 columns: well under SQLite's limit of bound values).
    static func insert(_ items: [SnapshotItem], on sql: any SQLDatabase) async throws {
        for chunk in items.chunked(400) where !chunk.isEmpty {
            let ins = sql.insert(into: "items").columns(SnapshotItem.columns)
            for r in chunk {
                let values: [String: any Encodable & Sendable] = [
                    "id": r.id, "created_at": try time(r.createdAt, "\(r.archivalCode) created_at"),
                    "updated_at": try time(r.updatedAt, "\(r.archivalCode) updated_at"), "created_by": r.createdBy,
                    "updated_by": r.updatedBy, "version": r.version, "fonds_id": r.fondsId, "fonds_code": r.fondsCode,
                    "parent_id": r.parentId, "archival_code": r.archivalCode, "object_id": r.objectId,
                    "transfer_id": r.transferId, "source_row": r.sourceRow, "level": r.level, "category": r.category,
                    "title": r.title, "creator": r.creator, "document_number": r.documentNumber, "date": r.date,
                    "year": r.year, "retention": r.retention, "organisation": r.organisation, "pages": r.pages,
                    "classification": r.classification, "access_status": r.accessStatus, "carrier": r.carrier,
                    "subjects": r.subjects, "notes": r.notes, "location": r.location,
                ]
                ins.values(SnapshotItem.columns.map { values[$0]! })
            }
            try await ins.run()
        }
    }

    static func insert(_ history: [SnapshotHistory], on sql: any SQLDatabase) async throws {
        for chunk in history.chunked(500) where !chunk.isEmpty {
            let ins = sql.insert(into: "item_history").columns("id", "item_id", "at", "actor", "action", "changes")
            for h in chunk {
                guard let at = SnapshotTime.parse(h.at) else { throw Corrupt(description: "history \(h.id): \(h.at) is not a snapshot time") }
                ins.values([h.id, h.itemId, at, h.actor, h.action, h.changes] as [any Encodable & Sendable])
            }
            try await ins.run()
        }
    }
}
