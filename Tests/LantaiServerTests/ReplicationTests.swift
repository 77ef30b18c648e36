import Fluent
import Foundation
@testable import LantaiServer
import Packaging
import SQLKit
import Storage
import XCTest

/// A node whose primary is a directory, with an off-site S3 replica (SeaweedFS, a fresh bucket
/// per test) and a second replica in another directory (an export disk): accepted records are
/// replicated to both, every copy validates, and the copies are visible through the API.
final class ReplicationTests: StorageTestCase {
    var offsite: S3BlobStore!

    override func storageEnvironment() async throws -> [String: String] {
        let bucket = try await ReplicationS3.freshBucket("offsite", testCase: self)
        offsite = bucket.store
        return ["LANTAI_REPLICA_URLS": "offsite=\(bucket.url);tape=\(NSTemporaryDirectory())lantai-tape-\(UUID().uuidString)",
                "LANTAI_OFFSITE": "offsite"]
    }

    override func tearDown() async throws {
        if let tape = config?.storage.replicas.first(where: { $0.name == "tape" }) { try? FileManager.default.removeItem(atPath: tape.path) }
        try await super.tearDown()
    }

    func testAnAcceptedTransferIsReplicatedToEveryLocationAndEachCopyValidates() async throws {
        try await acceptTransfer()
        // Two record packages and the fonds' catalogue snapshot, at all three places, identical.
        let primary = try inventories("primary")
        XCTAssertEqual(primary.count, 3, "\(primary.keys.sorted())")
        for name in ["offsite", "tape"] {
            XCTAssertEqual(try inventories(name), primary, "\(name) holds the same objects, byte for byte")
            try assertValidRoot(name, objects: 3)
        }
        try assertValidRoot("primary", objects: 3)
        // The outside validator agrees for the directory replica.
        let ocflPy = try PreservationOCFLPy.validate(root: URL(fileURLWithPath: try location("tape").spec.path), python: python)
        XCTAssertEqual(ocflPy.status, 0, ocflPy.output)
        XCTAssertEqual(ocflPy.valid, 3, ocflPy.output)

        // The job's run, its progress and one event per copy.
        let runs = try await StorageRunModel.query(on: app.db).filter(\.$kind == "replicate").all()
        let run = try XCTUnwrap(runs.first { $0.objectsTotal > 0 }, "a run copied something")
        XCTAssertEqual(run.status, "done", run.message)
        XCTAssertEqual(run.objectsDone, run.objectsTotal)
        XCTAssertEqual(run.bytesDone, run.bytesTotal, "progress counts the bytes of every object copied")
        let events = try await StorageEventModel.query(on: app.db).filter(\.$eventType == "replication").all()
        XCTAssertEqual(events.count, 6, "3 objects × 2 replicas")
        XCTAssertTrue(events.allSatisfy { $0.outcome == "success" })

        // A second run finds nothing to do.
        let again = try await Replication.run(.init(), app: app, agent: "test")
        XCTAssertEqual(again.created + again.updated, 0, again.text)
        XCTAssertEqual(again.current, 3, again.text)

        // A new version at the primary (a catalogue edit rewrites the snapshot) goes out as one version.
        let snapshotID = CatalogueSnapshotFormat.objectID(node: "TEST", fondsCode: "J012")
        let extra = URL(fileURLWithPath: dataDir + "/extra.txt")
        try Data("补充说明\n".utf8).write(to: extra)
        let version = try root("primary").object(snapshotID).createOrUpdate(files: [("notes/extra.txt", extra)], message: "test",
                                                                       user: OCFLUser(name: "test"), options: .init(mode: .merge(removing: [])))
        XCTAssertGreaterThanOrEqual(version, 2, "a new version on top of the snapshots")
        let update = try await Replication.run(.init(location: "offsite"), app: app, agent: "test")
        XCTAssertEqual(update.updated, 1, update.text)
        XCTAssertEqual(try inventories("offsite")[snapshotID], try inventories("primary")[snapshotID])
        XCTAssertEqual(try root("offsite").object(snapshotID).data(logicalPath: "notes/extra.txt"), Data("补充说明\n".utf8))
        try assertValidRoot("offsite", objects: 3)
    }

    func testTheRecordsCopiesAndTheirPolicyAreShownAndReplicationCanBeRequested() async throws {
        let archivist = try await acceptTransfer()
        let item = try await preservedItems()[0]
        let copies = try await call(.GET, "api/v1/items/\(item.id!.uuidString)/copies", token: archivist)
        XCTAssertEqual(copies.status, .ok, copies.body)
        let list = copies.object["copies"] as? [[String: Any]] ?? []
        XCTAssertEqual(list.compactMap { $0["location"] as? String }, ["primary", "offsite", "tape"], copies.body)
        for copy in list {
            XCTAssertEqual(copy["status"] as? String, "current", "\(copy)")
            XCTAssertEqual(copy["version"] as? Int, 1, "\(copy)")
        }
        XCTAssertEqual(list.first { $0["location"] as? String == "offsite" }?["offsite"] as? Bool, true)
        let policy = copies.object["policy"] as? [String: Any] ?? [:]
        XCTAssertEqual(policy["met"] as? Bool, true, "\(policy)")
        XCTAssertEqual(policy["currentCopies"] as? Int, 3)
        XCTAssertEqual(policy["offsiteCopies"] as? Int, 1)

        // The same by object id, a fonds' description object included.
        let snapshot = CatalogueSnapshotFormat.objectID(node: "TEST", fondsCode: "J012")
        let byObject = try await call(.GET, "api/v1/preservation/copies?object=\(snapshot.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: archivist)
        XCTAssertEqual(byObject.status, .ok, byObject.body)
        XCTAssertEqual(byObject.object["fonds"] as? String, "J012")

        // Archivists only; unknown records are 404.
        let citizen = try await token("citizen", role: .citizen)
        let refused = try await call(.GET, "api/v1/items/\(item.id!.uuidString)/copies", token: citizen)
        XCTAssertEqual(refused.status, .forbidden)
        let missing = try await call(.GET, "api/v1/items/\(UUID().uuidString)/copies", token: archivist)
        XCTAssertEqual(missing.status, .notFound)

        // A replication on request, run by the worker; progress is listed.
        let unknown = try await call(.POST, "api/v1/preservation/replication", token: archivist, json: ["location": "nowhere"])
        XCTAssertEqual(unknown.status, .unprocessableEntity, unknown.body)
        let queued = try await call(.POST, "api/v1/preservation/replication", token: archivist, json: ["location": "offsite"])
        XCTAssertEqual(queued.status, .accepted, queued.body)
        await app.jobWorker.drain(app)
        let runs = try await call(.GET, "api/v1/preservation/replication", token: archivist)
        XCTAssertEqual(runs.status, .ok, runs.body)
        let latest = try XCTUnwrap((runs.object["runs"] as? [[String: Any]])?.first)
        XCTAssertEqual(latest["kind"] as? String, "replicate")
        XCTAssertEqual(latest["status"] as? String, "done", "\(latest)")
        XCTAssertEqual(latest["locations"] as? [String], ["offsite"])
    }

    func testTheReplicateCommandRunsWithProgressAndTheStatusCommandListsLocations() async throws {
        try await acceptTransfer()
        // Lose the tape copy of everything: the command puts it back.
        try FileManager.default.removeItem(atPath: try location("tape").spec.path)
        var env = cliEnvironment
        env["LANTAI_REPLICA_URLS"] = config.storage.replicas.map { "\($0.name)=\($0.url)" }.joined(separator: ";")
        env["LANTAI_OFFSITE"] = "offsite"
        for (k, v) in ReplicationS3.keys { env[k] = v }
        let exe = try CLITests.executable()
        let run = try await CLITests.run(exe, ["replicate", "--repair"], environment: env, stdin: nil, timeout: 300)
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertTrue(run.stdout.contains("copied info:lantai/TEST/"), run.stdout)
        XCTAssertTrue(run.stdout.contains("3 copied new"), run.stdout)
        XCTAssertTrue(run.stdout.contains("copies intact"), run.stdout)
        try assertValidRoot("tape", objects: 3)
        let status = try await CLITests.run(exe, ["storage", "status"], environment: env, stdin: nil, timeout: 120)
        XCTAssertEqual(status.status, 0, "\(status)")
        XCTAssertTrue(status.stdout.contains("offsite (off-site): reachable, OCFL storage root present; copies: current 3"), status.stdout)
        XCTAssertFalse(status.stdout.contains(ReplicationS3.keys[S3Location.secretKeyVariable]!), "the secret is never printed")
    }
}
