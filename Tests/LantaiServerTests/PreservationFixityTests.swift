import ArchiveKit
import Fluent
import Foundation
@testable import LantaiServer
import Packaging
import XCTest

/// Fixity audits: a flipped byte and a deleted file are found, named and recorded (a row per
/// object, an alert, an audit-trail entry; the command exits 1); an intact root passes; audits
/// can be asked for over the API and run by the worker; reading can be throttled.
final class PreservationFixityTests: PreservationTestCase {
    /// The content file of a record's package, as a path on disk.
    func contentFile(of item: ItemModel) throws -> (objectID: String, path: String) {
        let objectID = try XCTUnwrap(item.objectID)
        let root = try storageRoot
        let object = root.object(objectID)
        let inventory = try object.inventory()
        let contentPath = try XCTUnwrap(inventory.manifest.values.flatMap { $0 }.first { $0.contains("/content/content/") })
        return (objectID, config.storagePath + "/" + object.path + "/" + contentPath)
    }

    func testAFlippedByteAndADeletedFileAreFoundAndAnIntactRootPasses() async throws {
        let built = try await buildCatalogue()
        let intact = try await lantaiCLI("fixity", "audit")
        XCTAssertEqual(intact.status, 0, "\(intact)")
        XCTAssertTrue(intact.stdout.contains("4 objects"), "two packages and two description objects: \(intact)")
        XCTAssertTrue(intact.stdout.contains("all intact"), "\(intact)")

        let items = try await ItemModel.query(on: app.db).filter(\.$objectID != nil).sort(\.$archivalCode).all()
        XCTAssertEqual(items.count, 2)
        let flipped = try contentFile(of: items[0])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: flipped.path))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: flipped.path))
        let deleted = try contentFile(of: items[1])
        try FileManager.default.removeItem(atPath: deleted.path)

        let run = try await lantaiCLI("fixity", "audit")
        XCTAssertEqual(run.status, 1, "\(run)")
        let fileName = (flipped.path as NSString).lastPathComponent
        let flippedLine = run.stdout.split(separator: "\n").first { $0.contains("FAIL \(flipped.objectID)") }.map(String.init) ?? ""
        XCTAssertTrue(flippedLine.contains(fileName) && flippedLine.contains("mismatch"), "\(run)")
        for algorithm in ["sha512", "sha256", "sm3"] {
            XCTAssertTrue(flippedLine.contains(algorithm), "\(algorithm) is checked: \(flippedLine)")
        }
        let deletedLine = run.stdout.split(separator: "\n").first { $0.contains("FAIL \(deleted.objectID)") }.map(String.init) ?? ""
        XCTAssertTrue(deletedLine.contains((deleted.path as NSString).lastPathComponent) && deletedLine.contains("missing"), "\(run)")
        XCTAssertTrue(run.stdout.contains("2 objects FAILED"), "\(run)")

        // The archivist sees it through the API: outcomes and alerts.
        let failed = try await call(.GET, "api/v1/preservation/audits?outcome=fail", token: built.archivist)
        XCTAssertEqual(failed.status, .ok, failed.body)
        let audits = failed.object["audits"] as? [[String: Any]] ?? []
        XCTAssertEqual(Set(audits.compactMap { $0["objectId"] as? String }), [flipped.objectID, deleted.objectID], failed.body)
        let flippedAudit = try XCTUnwrap(audits.first { $0["objectId"] as? String == flipped.objectID })
        XCTAssertEqual(flippedAudit["eventType"] as? String, "fixity check")
        let failure = try XCTUnwrap((flippedAudit["failures"] as? [[String: Any]])?.first)
        XCTAssertEqual(failure["problem"] as? String, "mismatch")
        XCTAssertEqual((failure["digests"] as? [[String: Any]])?.compactMap { $0["algorithm"] as? String }.sorted(), ["sha256", "sha512", "sm3"])
        XCTAssertTrue((failure["logicalPaths"] as? [String] ?? []).contains { $0.hasSuffix(fileName) }, "\(failure)")
        let deletedAudit = try XCTUnwrap(audits.first { $0["objectId"] as? String == deleted.objectID })
        XCTAssertEqual((deletedAudit["failures"] as? [[String: Any]])?.first?["problem"] as? String, "missing")
        let alerts = try await call(.GET, "api/v1/preservation/alerts", token: built.archivist)
        XCTAssertEqual((alerts.object["alerts"] as? [[String: Any]])?.count, 2, alerts.body)
        let trail = try await AuditTrail.entries(on: app.db, after: 0, limit: 1000)
        XCTAssertEqual(Set(trail.filter { $0.action == "fixity.failure" }.map(\.subject)), [flipped.objectID, deleted.objectID])
        XCTAssertEqual(trail.filter { $0.action == "fixity.audit" }.count, 2, "one entry per run")

        // One object alone; a description object is untouched, so it passes.
        let description = CatalogueSnapshotFormat.objectID(node: "TEST", fondsCode: "J020")
        let one = try await lantaiCLI("fixity", "audit", "--object", description)
        XCTAssertEqual(one.status, 0, "\(one)")
        XCTAssertTrue(one.stdout.contains("1 objects"), "\(one)")
        let damaged = try await lantaiCLI("fixity", "audit", "--object", flipped.objectID)
        XCTAssertEqual(damaged.status, 1, "\(damaged)")
    }

    func testTheAPIQueuesAnAuditThatTheWorkerRuns() async throws {
        let built = try await buildCatalogue()
        let citizen = try await token("citizen", role: .citizen)
        let refused = try await call(.POST, "api/v1/preservation/audits", token: citizen)
        XCTAssertEqual(refused.status, .forbidden)
        let anonymous = try await call(.GET, "api/v1/preservation/audits")
        XCTAssertEqual(anonymous.status, .unauthorized)
        let typo = try await call(.POST, "api/v1/preservation/audits", token: built.archivist, json: ["objectId": "info:lantai/TEST/nope"])
        XCTAssertEqual(typo.status, .notFound, typo.body)
        let unknownField = try await call(.POST, "api/v1/preservation/audits", token: built.archivist, json: ["objectID": "x"])
        XCTAssertEqual(unknownField.status, .badRequest, unknownField.body)
        let badThrottle = try await call(.POST, "api/v1/preservation/audits", token: built.archivist, json: ["throttle": -1])
        XCTAssertEqual(badThrottle.status, .unprocessableEntity, badThrottle.body)

        let queued = try await call(.POST, "api/v1/preservation/audits", token: built.archivist, json: ["throttle": 500])
        XCTAssertEqual(queued.status, .accepted, queued.body)
        XCTAssertEqual(queued.object["alreadyQueued"] as? Bool, false)
        let again = try await call(.POST, "api/v1/preservation/audits", token: built.archivist, json: ["throttle": 500])
        XCTAssertEqual(again.object["alreadyQueued"] as? Bool, true, "the same audit is not queued twice")
        XCTAssertEqual(again.object["jobId"] as? String, queued.object["jobId"] as? String)
        let ran = await app.jobWorker.drain(app)
        XCTAssertEqual(ran, 1)
        let listed = try await call(.GET, "api/v1/preservation/audits?limit=3", token: built.archivist)
        let page = listed.object["audits"] as? [[String: Any]] ?? []
        XCTAssertEqual(page.count, 3, listed.body)
        XCTAssertEqual(listed.object["nextOffset"] as? Int, 3)
        XCTAssertTrue(page.allSatisfy { $0["outcome"] as? String == "pass" && $0["agent"] as? String == "worker" }, listed.body)
        let rest = try await call(.GET, "api/v1/preservation/audits?limit=3&offset=3", token: built.archivist)
        XCTAssertEqual((rest.object["audits"] as? [Any])?.count, 1)
        XCTAssertNil(rest.object["nextOffset"])
        let alerts = try await call(.GET, "api/v1/preservation/alerts", token: built.archivist)
        XCTAssertEqual((alerts.object["alerts"] as? [Any])?.count, 0)

        // One known object on its own.
        let item = try await ItemModel.query(on: app.db).filter(\.$objectID != nil).first()
        let objectID = try XCTUnwrap(item?.objectID)
        let single = try await call(.POST, "api/v1/preservation/audits", token: built.archivist, json: ["objectId": objectID])
        XCTAssertEqual(single.status, .accepted, single.body)
        await app.jobWorker.drain(app)
        let mine = try await call(.GET, "api/v1/preservation/audits?objectId=\(objectID.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
                                  token: built.archivist)
        XCTAssertEqual((mine.object["audits"] as? [Any])?.count, 2, mine.body)
    }

    func testTheThrottleKeepsUnderItsRate() {
        final class Clock: @unchecked Sendable {
            var now = Date(timeIntervalSince1970: 1000)
            var slept: [TimeInterval] = []
        }
        let clock = Clock()
        let throttle = FixityThrottle(bytesPerSecond: 1_000_000, now: { clock.now },
                                      sleep: { clock.slept.append($0); clock.now = clock.now.addingTimeInterval($0) })
        for _ in 0..<10 { throttle.consumed(500_000) }   // 5 MB at 1 MB/s
        XCTAssertEqual(clock.now.timeIntervalSince(Date(timeIntervalSince1970: 1000)), 5, accuracy: 0.01)
        // A long idle gap earns at most a second of credit.
        clock.now = clock.now.addingTimeInterval(3600)
        clock.slept = []
        for _ in 0..<4 { throttle.consumed(1_000_000) }
        XCTAssertEqual(clock.slept.reduce(0, +), 3, accuracy: 0.01)
        XCTAssertNil(FixityThrottle(mebibytesPerSecond: 0))
        XCTAssertEqual(FixityThrottle(mebibytesPerSecond: 2)?.bytesPerSecond, 2 * 1_048_576)
    }

    func lantaiCLI(_ args: String...) async throws -> CLITests.Run {
        try await CLITests.run(try CLITests.executable(), args, environment: cliEnvironment, stdin: nil, timeout: 180)
    }
}
