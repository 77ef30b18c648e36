import Fluent
import SQLKit

/// The full-text index (检索索引): one document per record, five columns of pre-tokenised text
/// (`Search.SearchTokenizer`), kept beside the catalogue. SQLite and PostgreSQL differ only
/// here: an FTS5 table on SQLite, tsvector columns with GIN indexes on PostgreSQL.
///
/// `search_docs` also keeps the extracted full text of the record's digital objects as written
/// (`body_text`), from which result snippets are cut; the index itself holds only tokens.
struct CreateSearchIndex: AsyncMigration {
    /// The record's access and facet columns, copied beside its tokens: counting hits, applying
    /// the access rule and computing facets then read the index alone, and the catalogue is
    /// visited only for the page of hits shown. Kept in step by the same writes as the tokens.
    static let recordColumns = """
        fonds_code TEXT NOT NULL, category TEXT NOT NULL, year INTEGER NOT NULL, retention TEXT NOT NULL,
        carrier TEXT NOT NULL, access_status TEXT NOT NULL, classification TEXT NOT NULL, date TEXT NOT NULL,
        archival_code TEXT NOT NULL
        """

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "sqlite" {
            // `doc` is the FTS5 rowid: contentless FTS5 needs an integer key, records have UUIDs.
            try await sql.raw("""
                CREATE TABLE search_docs (doc INTEGER PRIMARY KEY, item_id BLOB NOT NULL UNIQUE,
                                          body_text TEXT NOT NULL DEFAULT '', \(unsafeRaw: Self.recordColumns))
                """).run()
            // Contentless (the tokens are not stored twice) with deletes allowed; `ascii` keeps
            // every non-ASCII character as part of a token, so the CJK bigrams stay whole;
            // `prefix='1'` indexes one-character prefixes for one-character queries.
            try await sql.raw("""
                CREATE VIRTUAL TABLE search_fts USING fts5(title, creator, documentNumber, archivalCode, body,
                    content='', contentless_delete=1, tokenize='ascii', prefix='1')
                """).run()
        } else {
            try await sql.raw("""
                CREATE TABLE search_docs (item_id uuid PRIMARY KEY, body_text text NOT NULL DEFAULT '', \(unsafeRaw: Self.recordColumns),
                    search_title tsvector NOT NULL, search_creator tsvector NOT NULL,
                    search_document_number tsvector NOT NULL, search_archival_code tsvector NOT NULL,
                    search_body tsvector NOT NULL)
                """).run()
            for column in ["search_title", "search_creator", "search_document_number", "search_archival_code", "search_body"] {
                try await sql.raw("CREATE INDEX \(unsafeRaw: column)_gin ON search_docs USING gin (\(unsafeRaw: column))").run()
            }
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "sqlite" { try await sql.raw("DROP TABLE search_fts").run() }
        try await sql.raw("DROP TABLE search_docs").run()
    }
}
