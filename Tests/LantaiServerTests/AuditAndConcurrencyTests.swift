import ArchiveKit
import Fluent
@testable import LantaiServer
import SQLKit
import XCTest
import XCTVapor

final class AuditTrailTests: LantaiTestCase {
    func makeActivity() async throws {
        let fonds = try await makeFonds()
        let archivist = try await token("archivist", role: .archivist)
        for i in 0..<5 {
            _ = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, title: "条目\(i)"))
        }
        _ = try await call(.POST, "api/v1/auth/token", json: ["username": "archivist", "password": "wrong"])
    }

    func testWritesAndSignInsAreChainedAndVerified() async throws {
        try await makeActivity()
        let entries = try await AuditTrail.entries(on: app.db, after: 0, limit: 100)
        XCTAssertEqual(entries.map(\.seq), Array(1...Int64(entries.count)))
        XCTAssertEqual(entries.filter { $0.action == "item.create" }.count, 5)
        XCTAssertTrue(entries.contains { $0.action == "auth.login.failed" && $0.subject == "archivist" })
        let v1 = try await AuditTrail.verify(on: app.db)
        XCTAssertEqual(v1, .intact(entries: Int64(entries.count)))
    }

    func testChangingARowIsCaught() async throws {
        try await makeActivity()
        try await sql.raw("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4").run()
        let v2 = try await AuditTrail.verify(on: app.db)
        XCTAssertEqual(v2, .broken(seq: 4, reason: "content does not match its hash (entry was changed)"))
    }

    func testDeletingARowIsCaught() async throws {
        try await makeActivity()
        try await sql.raw("DELETE FROM audit_log WHERE seq = 3").run()
        guard case .broken(let seq, _) = try await AuditTrail.verify(on: app.db) else { return XCTFail("deletion not caught") }
        XCTAssertEqual(seq, 3)
    }

    func testDeletingTheNewestRowIsCaught() async throws {
        try await makeActivity()
        let last = try await AuditTrail.entries(on: app.db, after: 0, limit: 1000).last!.seq
        try await sql.raw("DELETE FROM audit_log WHERE seq = \(bind: last)").run()
        guard case .broken(let seq, _) = try await AuditTrail.verify(on: app.db) else { return XCTFail("truncation not caught") }
        XCTAssertEqual(seq, last)
    }

    func testRewritingARowWithAFreshHashIsCaughtAtTheNextEntry() async throws {
        try await makeActivity()
        var e = try await AuditTrail.entries(on: app.db, after: 1, limit: 1)[0]
        e.detail = "{\"forged\":\"yes\"}"
        let forged = AuditEntry.make(seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, detail: e.detail, prevHash: e.prevHash)
        try await sql.raw("UPDATE audit_log SET detail = \(bind: forged.detail), hash = \(bind: forged.hash) WHERE seq = \(bind: e.seq)").run()
        guard case .broken(let seq, _) = try await AuditTrail.verify(on: app.db) else { return XCTFail("forgery not caught") }
        XCTAssertEqual(seq, e.seq + 1)
    }

    func testAFailedWriteLeavesNoAuditEntry() async throws {
        let fonds = try await makeFonds()
        let archivist = try await token("archivist", role: .archivist)
        _ = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds))
        let before = try await count("audit_log")
        let dup = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, extra: ["archivalCode": "J001-WS·2015-Y-BGS-0001"]))
        XCTAssertEqual(dup.status, .conflict)
        let v3 = try await count("audit_log")
        XCTAssertEqual(v3, before)
        let v4 = try await AuditTrail.verify(on: app.db)
        XCTAssertEqual(v4, .intact(entries: Int64(before)))
    }
}

final class ConcurrentNumberingTests: LantaiTestCase {
    /// Many archivists creating records in the same group at once get distinct, gap-free numbers.
    func testConcurrentCreationIsGapFree() async throws {
        let fonds = try await makeFonds()
        let principal = Principal(system: "tester", actor: Actor(role: .archivist, clearance: .topSecret))
        let db = app.db
        let fondsId = fonds.id!
        func record(_ i: Int) -> NewRecord {
            var d = RecordDraft()
            d.category = "WS"
            d.title = "并发\(i)"
            d.year = "2020"
            d.date = "2020-01-0\(i % 9 + 1)"
            d.retention = "permanent"
            d.organisation = "BGS"
            return NewRecord(fondsId: fondsId, draft: d)
        }
        let codes = try await withThrowingTaskGroup(of: [String].self) { group in
            for i in 0..<40 {
                group.addTask {
                    // Every fifth task creates a small batch, the others one record.
                    let recs = i % 5 == 0 ? (0..<5).map { record(i * 10 + $0) } : [record(i)]
                    return try await Catalogue.create(recs, actor: principal, on: db, batch: recs.count > 1).map(\.archivalCode)
                }
            }
            var all: [String] = []
            for try await c in group { all += c }
            return all
        }
        XCTAssertEqual(codes.count, 72)
        let numbers = codes.compactMap { ArchivalCode(parsing: $0)?.number }.sorted()
        XCTAssertEqual(numbers, Array(1...72), "numbers are distinct and without gaps")
        let v5 = try await AuditTrail.verify(on: app.db)
        XCTAssertEqual(v5, .intact(entries: 40 + 0))
    }
}
