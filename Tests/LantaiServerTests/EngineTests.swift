import Fluent
@testable import LantaiServer
import SQLKit
import XCTest

/// Says which database engine the server tests ran on, so a plain `swift test` reports that
/// the PostgreSQL run was skipped instead of passing silently.
final class EngineTests: LantaiTestCase {
    func testRunsOnTheConfiguredEngine() async throws {
        struct V: Decodable { var v: String }
        if isPostgres {
            let v = try await sql.raw("SELECT version() AS v").first(decoding: V.self)
            XCTAssertTrue(v?.v.hasPrefix("PostgreSQL") ?? false, v?.v ?? "")
        } else {
            let v = try await sql.raw("SELECT sqlite_version() AS v").first(decoding: V.self)
            XCTAssertNotNil(v)
            struct M: Decodable { var journal_mode: String }
            let mode = try await sql.raw("PRAGMA journal_mode").first(decoding: M.self)
            XCTAssertEqual(mode?.journal_mode.lowercased(), "wal", "the catalogue runs in WAL mode")
        }
    }

    func testPostgreSQLRunIsConfigured() throws {
        if !isPostgres {
            throw XCTSkip("PostgreSQL run skipped: LANTAI_TEST_DATABASE_URL is not set, so the server tests ran on SQLite only. scripts/test starts PostgreSQL and runs them again.")
        }
    }
}
