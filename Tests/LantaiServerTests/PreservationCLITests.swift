import Foundation
@testable import LantaiServer
import XCTest

/// `lantai rebuild-catalog` and `lantai fixity audit` as an operator runs them: help, exit
/// codes, messages.
final class PreservationCLITests: PreservationTestCase {
    func lantai(_ args: String...) async throws -> CLITests.Run {
        try await CLITests.run(try CLITests.executable(), args, environment: cliEnvironment, stdin: nil, timeout: 180)
    }

    func testHelpNamesThePreservationCommands() async throws {
        let top = try await lantai("--help")
        XCTAssertTrue(top.stdout.contains("rebuild-catalog") && top.stdout.contains("fixity"), "\(top)")
        let rebuild = try await lantai("rebuild-catalog", "--help")
        XCTAssertEqual(rebuild.status, 0, "\(rebuild)")
        XCTAssertTrue(rebuild.stdout.contains("--into") && rebuild.stdout.contains("--node"), "\(rebuild)")
        let audit = try await lantai("fixity", "audit", "--help")
        XCTAssertEqual(audit.status, 0, "\(audit)")
        for option in ["--object", "--throttle", "--queue"] {
            XCTAssertTrue(audit.stdout.contains(option), "\(option): \(audit)")
        }
        let bad = try await lantai("fixity", "audit", "--throttle", "0")
        XCTAssertNotEqual(bad.status, 0, "\(bad)")
        XCTAssertTrue(bad.stderr.contains("throttle"), "\(bad)")
    }

    func testRebuildCatalogExitCodes() async throws {
        let empty = try await lantai("rebuild-catalog", "--into", dataDir + "/before-anything.sqlite")
        XCTAssertEqual(empty.status, 1, "no storage root yet: \(empty)")
        XCTAssertTrue(empty.stderr.contains("no OCFL storage root"), "\(empty)")

        try await buildCatalogue()
        let refused = try await lantai("rebuild-catalog")
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertTrue(refused.stderr.contains("already has a catalogue"), "\(refused)")

        let fresh = dataDir + "/recovered/catalogue.sqlite"
        try FileManager.default.createDirectory(atPath: dataDir + "/recovered", withIntermediateDirectories: true)
        let rebuilt = try await lantai("rebuild-catalog", "--into", fresh)
        XCTAssertEqual(rebuilt.status, 0, "\(rebuilt)")
        XCTAssertTrue(rebuilt.stdout.contains("catalogue rebuilt for node TEST"), "\(rebuilt)")
        XCTAssertTrue(rebuilt.stdout.contains("records 条目: 10 (10 from description objects, 0 from archival packages only)"), "\(rebuilt)")
        XCTAssertTrue(rebuilt.stdout.contains("warnings 警告: 0"), "\(rebuilt)")

        let twice = try await lantai("rebuild-catalog", "--into", fresh)
        XCTAssertEqual(twice.status, 1, "a rebuilt database is not rebuilt over: \(twice)")

        let otherNode = try await lantai("rebuild-catalog", "--into", dataDir + "/recovered/other.sqlite", "--node", "NOPE")
        XCTAssertEqual(otherNode.status, 1, "\(otherNode)")
        XCTAssertTrue(otherNode.stderr.contains("TEST"), "names the node the root does hold: \(otherNode)")
    }

    func testFixityAuditQueueHandsTheAuditToTheWorker() async throws {
        try await buildCatalogue()
        let queued = try await lantai("fixity", "audit", "--queue", "--throttle", "100")
        XCTAssertEqual(queued.status, 0, "\(queued)")
        XCTAssertTrue(queued.stdout.contains("queued fixity audit as job"), "\(queued)")
        let again = try await lantai("fixity", "audit", "--queue", "--throttle", "100")
        XCTAssertTrue(again.stdout.contains("already queued"), "\(again)")
        let ran = await app.jobWorker.drain(app)
        XCTAssertEqual(ran, 1)
        let rows = try await FixityAuditModel.query(on: app.db).all()
        XCTAssertEqual(rows.count, 4)
        XCTAssertTrue(rows.allSatisfy { $0.outcome == "pass" && $0.location == "primary" })

        let typo = try await lantai("fixity", "audit", "--object", "info:lantai/TEST/no-such-record")
        XCTAssertEqual(typo.status, 1, "\(typo)")
        XCTAssertTrue(typo.stderr.contains("not found"), "an unknown id is a mistake, not a loss: \(typo)")
        let alerts = try await PreservationAlertModel.query(on: app.db).count()
        XCTAssertEqual(alerts, 0, "and raises no alert")
    }
}
