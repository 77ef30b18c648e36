import ArchiveKit
import Fluent
import Foundation
import Search
import SQLKit
import Vapor

/// Keeps the full-text index in step with the catalogue. Called inside the same transaction as
/// the change, so the index never shows a record the catalogue does not have (or misses one).
enum SearchIndex {
    /// What one record contributes to the index, before tokenising.
    struct Document: Sendable {
        var itemId: UUID
        var fondsCode: String
        var record: RecordDescription
        var title: String
        var creator: String
        var documentNumber: String
        var archivalCode: String
        /// Subjects, notes and the extracted text of the digital objects.
        var body: String
        /// The extracted full text alone, kept for snippets.
        var fullText: String

        init(itemId: UUID, fondsCode: String, description d: RecordDescription, archivalCode: String, fullText: String = "") {
            self.itemId = itemId
            self.fondsCode = fondsCode
            record = d
            title = d.title
            creator = d.creator
            documentNumber = d.documentNumber
            self.archivalCode = archivalCode
            body = ([d.subjects.joined(separator: " "), d.notes, d.organisation, d.carrier, fullText])
                .filter { !$0.isEmpty }.joined(separator: "\n")
            self.fullText = fullText
        }

        /// The body is indexed up to its first 16,000 tokens on both engines: a PostgreSQL tsvector
        /// keeps positions only up to 16,383, past which phrases would match on SQLite alone.
        var tokens: [String] {
            [title, creator, documentNumber, archivalCode].map(SearchTokenizer.indexText)
                + [SearchTokenizer.indexTextChunks(body, maxTokens: 16_000, overlap: 0).first ?? ""]
        }
    }

    static func isSQLite(_ sql: any SQLDatabase) -> Bool { sql.dialect.name == "sqlite" }

    static let docColumns = ["item_id", "body_text", "fonds_code", "category", "year", "retention", "carrier",
                             "access_status", "classification", "date", "archival_code"]

    static func docValues(_ doc: Document) -> [any Encodable & Sendable] {
        let d = doc.record
        return [doc.itemId, doc.fullText, doc.fondsCode, d.category, d.year, d.retention.rawValue, d.carrier,
                d.accessStatus.rawValue, d.classification.rawValue, d.date, doc.archivalCode]
    }

    /// Adds or replaces the documents, many rows a statement. Tokenising happens before any SQL:
    /// it is the slow part. `fresh` says the records are new (no old tokens to delete).
    static func upsert(_ documents: [Document], fresh: Bool = false, on db: any Database) async throws {
        guard !documents.isEmpty else { return }
        let sql = db as! any SQLDatabase
        let tokenised = documents.map { ($0, $0.tokens) }
        let updates = docColumns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        if isSQLite(sql) {
            for chunk in tokenised.chunked(500) {
                var q: SQLQueryString = "INSERT INTO search_docs (\(unsafeRaw: docColumns.joined(separator: ", "))) VALUES "
                for (n, (doc, _)) in chunk.enumerated() {
                    q += n == 0 ? "(\(binds: docValues(doc)))" : ", (\(binds: docValues(doc)))"
                }
                q += " ON CONFLICT (item_id) DO UPDATE SET \(unsafeRaw: updates) RETURNING doc, item_id"
                var rowids: [UUID: Int64] = [:]
                for row in try await sql.raw(q).all() {
                    rowids[try row.decode(column: "item_id", as: UUID.self)] = try row.decode(column: "doc", as: Int64.self)
                }
                if !fresh {
                    try await sql.raw("DELETE FROM search_fts WHERE rowid IN (\(binds: rowids.values.map { $0 as any Encodable & Sendable }))").run()
                }
                var ins: SQLQueryString = "INSERT INTO search_fts (rowid, title, creator, documentNumber, archivalCode, body) VALUES "
                for (n, (doc, tokens)) in chunk.enumerated() {
                    let values: [any Encodable & Sendable] = [rowids[doc.itemId]!] + tokens
                    ins += n == 0 ? "(\(binds: values))" : ", (\(binds: values))"
                }
                try await sql.raw(ins).run()
            }
        } else {
            for chunk in tokenised.chunked(200) {
                var q: SQLQueryString = """
                    INSERT INTO search_docs (\(unsafeRaw: docColumns.joined(separator: ", ")), search_title, search_creator,
                        search_document_number, search_archival_code, search_body) VALUES
                    """
                for (n, (doc, t)) in chunk.enumerated() {
                    q += n == 0 ? " " : ", "
                    q += """
                        (\(binds: docValues(doc)), to_tsvector('simple', \(bind: t[0])), to_tsvector('simple', \(bind: t[1])),
                         to_tsvector('simple', \(bind: t[2])), to_tsvector('simple', \(bind: t[3])), to_tsvector('simple', \(bind: t[4])))
                        """
                }
                q += """
                     ON CONFLICT (item_id) DO UPDATE SET \(unsafeRaw: updates), search_title = excluded.search_title,
                        search_creator = excluded.search_creator, search_document_number = excluded.search_document_number,
                        search_archival_code = excluded.search_archival_code, search_body = excluded.search_body
                    """
                try await sql.raw(q).run()
            }
        }
    }

    /// The extracted text already indexed for these records (so a description edit keeps it).
    static func fullTexts(_ ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let sql = db as! any SQLDatabase
        var out: [UUID: String] = [:]
        for chunk in ids.chunked(500) {
            for row in try await sql.raw("SELECT item_id, body_text FROM search_docs WHERE item_id IN (\(binds: chunk.map { $0 as any Encodable & Sendable }))").all() {
                out[try row.decode(column: "item_id", as: UUID.self)] = try row.decode(column: "body_text", as: String.self)
            }
        }
        return out
    }

    /// Re-indexes these records from the catalogue, keeping their extracted text.
    static func refresh(_ items: [ItemModel], on db: any Database) async throws {
        let texts = try await fullTexts(items.compactMap(\.id), on: db)
        try await upsert(items.map { Document(itemId: $0.id!, fondsCode: $0.fondsCode, description: $0.description_,
                                             archivalCode: $0.archivalCode, fullText: texts[$0.id!] ?? "") }, on: db)
    }

    /// Sets a record's extracted full text (after preservation) and re-indexes it.
    static func setFullText(_ text: String, for item: ItemModel, on db: any Database) async throws {
        try await upsert([Document(itemId: item.id!, fondsCode: item.fondsCode, description: item.description_,
                                   archivalCode: item.archivalCode, fullText: text)], on: db)
    }

    /// Rebuilds the whole index from the catalogue (`lantai index rebuild`), in pages, keeping
    /// extracted texts; reports progress as (done, total).
    static func rebuild(on db: any Database, progress: @Sendable (Int, Int) -> Void) async throws -> Int {
        let total = try await ItemModel.query(on: db).count()
        var done = 0
        var after: UUID?
        let sql = db as! any SQLDatabase
        if isSQLite(sql) {
            // Contentless FTS5 is emptied with its 'delete-all' command.
            try await sql.raw("INSERT INTO search_fts (search_fts) VALUES ('delete-all')").run()
        }
        while true {
            let q = ItemModel.query(on: db).sort(\.$id).limit(1000)
            if let after { q.filter(\.$id > after) }
            let page = try await q.all()
            if page.isEmpty { break }
            try await db.transaction { tx in
                if isSQLite(tx as! any SQLDatabase) {
                    // The rowids change with delete-all: renumber the pages' documents.
                    let texts = try await fullTexts(page.compactMap(\.id), on: tx)
                    try await (tx as! any SQLDatabase).raw("DELETE FROM search_docs WHERE item_id IN (\(binds: page.map { $0.id! as any Encodable & Sendable }))").run()
                    try await upsert(page.map { Document(itemId: $0.id!, fondsCode: $0.fondsCode, description: $0.description_,
                                                        archivalCode: $0.archivalCode, fullText: texts[$0.id!] ?? "") },
                                     fresh: true, on: tx)
                } else {
                    try await refresh(page, on: tx)
                }
            }
            done += page.count
            after = page.last?.id
            progress(done, total)
        }
        return done
    }
}

/// `lantai index rebuild`, and the first start after an upgrade that added the index.
public enum SearchMaintenance {
    /// Rebuilds the full-text index from the catalogue; returns the number of records indexed.
    public static func rebuild(_ app: Application, progress: @escaping @Sendable (Int, Int) -> Void) async throws -> Int {
        try await SearchIndex.rebuild(on: app.db, progress: progress)
    }

    /// True when records exist that the index does not hold (a node upgraded from before the index).
    public static func needsRebuild(_ app: Application) async throws -> Bool {
        let sql = app.db as! any SQLDatabase
        let items = try await sql.raw("SELECT count(*) AS n FROM items").first()?.decode(column: "n", as: Int.self) ?? 0
        let docs = try await sql.raw("SELECT count(*) AS n FROM search_docs").first()?.decode(column: "n", as: Int.self) ?? 0
        return items > docs
    }
}
