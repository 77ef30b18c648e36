import ArchiveKit
import Fluent
import Foundation
import SQLKit

/// Collects the audit entries of one write transaction.
final class AuditRecorder: @unchecked Sendable {
    struct Pending {
        var actor, action, subject, detail: String
    }
    private(set) var pending: [Pending] = []
    let actor: String

    init(actor: String) { self.actor = actor }

    func record(_ action: String, subject: String, _ detail: [String: String] = [:]) {
        pending.append(Pending(actor: actor, action: action, subject: subject, detail: AuditTrail.json(detail)))
    }
}

/// The append-only, hash-chained audit trail (审计日志).
public enum AuditTrail {
    /// Runs `body` in one transaction that first takes the node's write lock (the chain head)
    /// and then appends what `body` recorded: the change and its audit entries commit together
    /// or not at all, and concurrent writers queue instead of forking the chain.
    static func write<T: Sendable>(on db: any Database, actor: String,
                                   _ body: @escaping @Sendable (any Database, AuditRecorder) async throws -> T) async throws -> T {
        try await db.transaction { tx in
            let sql = tx as! any SQLDatabase
            if sql.dialect.name == "sqlite" {
                // Per-connection settings, set where we know which connection writes: statement
                // journals in memory instead of temp files, and a larger page cache for the
                // indexes of big batches. Neither reads the database, so the write lock below is
                // still the transaction's first access.
                try await sql.raw("PRAGMA temp_store = MEMORY").run()
                try await sql.raw("PRAGMA cache_size = -32768").run()
            }
            // A write as the first statement: SQLite takes its write lock here (a read first
            // could fail with SQLITE_BUSY_SNAPSHOT later), PostgreSQL locks the head row.
            guard let head = try await sql.raw("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash").first()
            else { throw LantaiError(.internalServerError, code: "internal", zh: "审计链头缺失", en: "audit head missing") }
            var seq = try head.decode(column: "seq", as: Int64.self)
            var hash = try head.decode(column: "hash", as: String.self)
            let recorder = AuditRecorder(actor: actor)
            let result = try await body(tx, recorder)
            guard !recorder.pending.isEmpty else { return result }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let insert = sql.insert(into: "audit_log").columns("seq", "at", "actor", "action", "subject", "detail", "prev_hash", "hash")
            for p in recorder.pending {
                seq += 1
                let e = AuditEntry.make(seq: seq, at: now, actor: p.actor, action: p.action, subject: p.subject,
                                        detail: p.detail, prevHash: hash)
                hash = e.hash
                insert.values(e.seq, e.at, e.actor, e.action, e.subject, e.detail, e.prevHash, e.hash)
            }
            try await insert.run()
            try await sql.update("audit_head").set("seq", to: seq).set("hash", to: hash).where("id", .equal, 1).run()
            return result
        }
    }

    /// Appends one entry on its own (sign-ins, failed sign-ins, exports).
    static func record(on db: any Database, actor: String, action: String, subject: String,
                       _ detail: [String: String] = [:]) async throws {
        _ = try await write(on: db, actor: actor) { _, rec in rec.record(action, subject: subject, detail) }
    }

    static func json(_ detail: [String: String]) -> String {
        guard !detail.isEmpty else { return "{}" }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: enc.encode(detail), as: UTF8.self)) ?? "{}"
    }

    struct Row: Decodable {
        var seq: Int64
        var at: Int64
        var actor, action, subject, detail: String
        var prev_hash, hash: String
        var entry: AuditEntry {
            AuditEntry(seq: seq, at: at, actor: actor, action: action, subject: subject, detail: detail,
                       prevHash: prev_hash, hash: hash)
        }
    }

    /// Entries after `afterSeq`, oldest first.
    static func entries(on db: any Database, after afterSeq: Int64, limit: Int) async throws -> [AuditEntry] {
        try await (db as! any SQLDatabase).select().columns("*").from("audit_log")
            .where("seq", .greaterThan, afterSeq).orderBy("seq").limit(limit)
            .all(decoding: Row.self).map(\.entry)
    }

    /// Walks the whole chain a page at a time and compares its end with the recorded head.
    public static func verify(on db: any Database) async throws -> AuditChain.Verdict {
        let sql = db as! any SQLDatabase
        guard let head = try await sql.raw("SELECT seq, hash FROM audit_head WHERE id = 1").first() else {
            return .broken(seq: 0, reason: "the chain head row is missing")
        }
        var verifier = AuditChain.Verifier()
        // Page by position, not by seq, so a missing entry is seen as a gap rather than skipped.
        var offset = 0
        paging: while true {
            let page = try await sql.select().columns("*").from("audit_log").orderBy("seq").limit(2000).offset(offset)
                .all(decoding: Row.self)
            if page.isEmpty { break }
            for r in page {
                if !verifier.feed(r.entry) { break paging }
            }
            offset += page.count
        }
        return verifier.finish(headSeq: try head.decode(column: "seq", as: Int64.self),
                               headHash: try head.decode(column: "hash", as: String.self))
    }
}
