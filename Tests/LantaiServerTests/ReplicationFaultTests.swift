import Fluent
import Foundation
import Ingest
@testable import LantaiServer
import Packaging
import SQLKit
import Storage
import XCTest

/// The interpreter for the killable proxy: any python3 will do.
func proxyPython() throws -> String {
    var candidates = ["/usr/bin/python3", "/usr/local/bin/python3"]
    if let venv = ProcessInfo.processInfo.environment["LANTAI_TEST_VENV"] { candidates.insert(venv + "/bin/python3", at: 0) }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw XCTSkip("python3 is needed for the TCP proxy these fault tests kill")
    }
    return found
}

/// Checks, on the store itself (not through the node), that no object is half there: the root
/// validates and every inventory's content is present.
func assertNoPartialObject(_ store: S3BlobStore, file: StaticString = #filePath, line: UInt = #line) async throws -> Int {
    let storage = BlobOCFLStorage(store: store)
    let report = OCFLValidator(storage: storage).validateStorageRoot()
    XCTAssertTrue(report.isValid, report.description, file: file, line: line)
    let keys = Set(try await store.list(prefix: "").blobs.map(\.key))
    for key in keys where key.hasSuffix("/inventory.json") && !key.hasPrefix("extensions/") {
        let objectPath = String(key.dropLast("/inventory.json".count))
        guard keys.contains(objectPath + "/" + OCFLObject.declarationName) || objectPath.split(separator: "/").last?.hasPrefix("v") == true else {
            XCTFail("\(key): an inventory without its object declaration", file: file, line: line)
            continue
        }
        let inventory = try OCFLInventory.decode(try await store.data(key))
        for path in inventory.manifest.values.flatMap({ $0 }) {
            let root = objectPath.split(separator: "/").last?.hasPrefix("v") == true ? String(objectPath.split(separator: "/").dropLast().joined(separator: "/")) : objectPath
            XCTAssertTrue(keys.contains(root + "/" + path), "\(key) lists \(path), which is not there", file: file, line: line)
        }
    }
    return report.objectsChecked
}

/// The S3 server killed in the middle of a replication: the run stops for that location with
/// the reason, the replica shows no partial object, and the next run (as the serving node's
/// periodic one would queue it) completes the copy once the server is back.
final class ReplicationInterruptionTests: StorageTestCase {
    var proxy: KillableProxy!
    var direct: S3BlobStore!

    override func storageEnvironment() async throws -> [String: String] {
        proxy = KillableProxy(python: try proxyPython(), target: try ReplicationS3.port())
        try proxy.start()
        let bucket = try await ReplicationS3.freshBucket("interrupt", endpoint: proxy.endpoint, testCase: self)
        direct = bucket.store
        return ["LANTAI_REPLICA_URLS": "offsite=\(bucket.url)", "LANTAI_OFFSITE": "offsite"]
    }

    override func tearDown() async throws {
        Replication.jobHooks = nil
        proxy?.kill()
        try await super.tearDown()
    }

    func testTheS3ServerKilledMidReplicationLeavesNoPartialObjectAndTheJobResumesWhenItIsBack() async throws {
        let files = Counter()
        let proxy = self.proxy!
        Replication.jobHooks = .init(afterFile: { _, _ in
            // Killed after the third file reached the replica: inside the first object's copy.
            if files.next() == 3 { proxy.kill() }
        })
        try await acceptTransfer()
        Replication.jobHooks = nil
        XCTAssertGreaterThanOrEqual(files.count, 3)

        let firstRun = try await StorageRunModel.query(on: app.db).filter(\.$kind == "replicate").first()
        let interrupted = try XCTUnwrap(firstRun)
        XCTAssertEqual(interrupted.status, "interrupted", interrupted.message)
        XCTAssertTrue(interrupted.message.contains("INTERRUPTED offsite"), interrupted.message)
        let primaryObjects = try inventories("primary").count
        XCTAssertEqual(primaryObjects, 3)
        let visible = try await assertNoPartialObject(direct)
        XCTAssertLessThan(visible, primaryObjects, "the copy was cut short")
        let unreachable = try await StorageCopyModel.query(on: app.db).filter(\.$location == "offsite").filter(\.$status == "unreachable").count()
        XCTAssertGreaterThan(unreachable, 0, "the copy's row says why")

        // Back again: the next queued run (as LANTAI_REPLICATION_INTERVAL queues it) completes it.
        try proxy.start()
        let queued = try await ReplicationJob.enqueue(on: app.db)
        XCTAssertFalse(queued.alreadyQueued)
        await app.jobWorker.drain(app)
        let resumedRun = try await StorageRunModel.find(queued.jobID, on: app.db)
        let resumed = try XCTUnwrap(resumedRun)
        XCTAssertEqual(resumed.status, "done", resumed.message)
        XCTAssertEqual(resumed.objectsDone, resumed.objectsTotal)
        let complete = try await assertNoPartialObject(direct)
        XCTAssertEqual(complete, 3)
        XCTAssertEqual(try inventories("offsite"), try inventories("primary"))
        try assertValidRoot("offsite", objects: 3)
    }
}

/// The primary (S3) unreachable: records are read from the replica, and a new preservation
/// write fails with a clear 503 before anything is written; once it is back, the write goes through.
final class StoragePrimaryOutageTests: StorageTestCase {
    var proxy: KillableProxy!
    var direct: S3BlobStore!

    override func storageEnvironment() async throws -> [String: String] {
        proxy = KillableProxy(python: try proxyPython(), target: try ReplicationS3.port())
        try proxy.start()
        let bucket = try await ReplicationS3.freshBucket("primary", endpoint: proxy.endpoint, testCase: self)
        direct = bucket.store
        return ["LANTAI_STORAGE_URL": bucket.url,
                "LANTAI_REPLICA_URLS": "mirror=\(NSTemporaryDirectory())lantai-mirror-\(UUID().uuidString)"]
    }

    override func tearDown() async throws {
        proxy?.kill()
        if let mirror = config?.storage.replicas.first { try? FileManager.default.removeItem(atPath: mirror.path) }
        try await super.tearDown()
    }

    func testReadsComeFromTheReplicaAndWritesFailWithAClearMessage() async throws {
        let archivist = try await acceptTransfer()
        XCTAssertEqual(try inventories("mirror").count, 3)
        let items = try await preservedItems()
        proxy.kill()

        // Reads: an export and a delivery take the replica's copy.
        let out = URL(fileURLWithPath: dataDir + "/export")
        let exported = try await BagExport.export(items[0].id!.uuidString, to: out, config: config, actor: "test", on: app.db)
        XCTAssertGreaterThan(exported.files, 0)
        let bag = try BagValidator.validate(directory: exported.bag)
        XCTAssertTrue(bag.isValid, bag.description)
        let original = try root("mirror").object(items[0].objectID!).state()
        XCTAssertEqual(exported.files, original.count)
        let delivered = try await Task.detached { [config] in try Deliveries.makeCopies(items, reference: "TEST-1", config: config!) }.value
        XCTAssertTrue(delivered.isEmpty, "text records have nothing to watermark, but reading them did not fail")

        // Writes: a clear 503, in Chinese and English.
        XCTAssertThrowsError(try NodeStorage.writableRoot(config)) { error in
            let e = error as? LantaiError
            XCTAssertEqual(e?.status, .serviceUnavailable)
            XCTAssertEqual(e?.code, "storage_unavailable")
            XCTAssertTrue(e?.zh.contains("不可用") == true && e?.en.contains("unavailable; nothing was written") == true, "\(String(describing: e))")
        }
        var rows = goodRows()
        rows[1][0] = "关于开展消防安全检查的通知"
        rows[2][0] = "2016年教育工作总结"
        let (transfer, stored) = try await submitAndCheck(try makeZip(rows: rows, files: ["文书/通知.txt": "消防\n", "文书/总结.txt": "2016\n"]))
        XCTAssertEqual(stored["passed"] as? Bool, true, "\(stored)")
        let id = try XCTUnwrap(transfer["id"] as? String)
        let accepted = try await call(.POST, "api/v1/transfers/\(id)/accept", token: archivist)
        XCTAssertEqual(accepted.status, .ok, accepted.body)
        await app.jobWorker.drain(app)
        let preserveJob = try await JobModel.query(on: app.db).filter(\.$kind == TransferPreserveJob.kind).filter(\.$subject == id).first()
        let job = try XCTUnwrap(preserveJob)
        XCTAssertEqual(job.status, "failed")
        XCTAssertTrue((job.error ?? "").contains("storage_unavailable") && (job.error ?? "").contains("存储位置 primary"), job.error ?? "")
        let shown = try await call(.GET, "api/v1/transfers/\(id)", token: archivist)
        XCTAssertEqual(shown.object["status"] as? String, "accepting", "the records wait for their packages")
        let waiting = try await ItemModel.query(on: app.db).filter(\.$transferID == UUID(uuidString: id)!).all()
        XCTAssertEqual(waiting.count, 2)
        XCTAssertTrue(waiting.allSatisfy { $0.objectID == nil })
        // Nothing half-written at the primary.
        let objects = try await assertNoPartialObject(direct)
        XCTAssertEqual(objects, 3)

        // Back again: the preservation job, run once more, writes the packages.
        try proxy.start()
        try await JobQueue.enqueue(TransferPreserveJob.kind, subject: id, on: app.db)
        await app.jobWorker.drain(app)
        let done = try await call(.GET, "api/v1/transfers/\(id)", token: archivist)
        XCTAssertEqual(done.object["status"] as? String, "accepted")
        let after = try await assertNoPartialObject(direct)
        XCTAssertEqual(after, 5)
    }
}

/// A node whose primary is an S3 bucket: a transfer goes in end to end, the root validates,
/// the fixity audit and exports read it, and a record's copies show it.
final class StorageS3PrimaryTests: StorageTestCase {
    var direct: S3BlobStore!

    override func storageEnvironment() async throws -> [String: String] {
        let bucket = try await ReplicationS3.freshBucket("s3primary", testCase: self)
        direct = bucket.store
        return ["LANTAI_STORAGE_URL": bucket.url]
    }

    func testATransferIsAcceptedIntoAnS3StorageRootThatValidates() async throws {
        XCTAssertEqual(config.storage.primary.kind, .s3)
        XCTAssertTrue(config.summary.contains { $0.hasPrefix("LANTAI_STORAGE_URL=s3://") && !$0.contains("lantaitestsecret") }, "\(config.summary)")
        let archivist = try await acceptTransfer()
        let done = try await call(.GET, "api/v1/transfers", token: archivist)
        XCTAssertEqual(done.status, .ok)
        let preserved = try await preservedItems()
        XCTAssertEqual(preserved.count, 2)
        let objects = try await assertNoPartialObject(direct)
        XCTAssertEqual(objects, 3, "two packages and the fonds' catalogue snapshot")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dataDir + "/ocfl"), "nothing went to the default directory")

        let audit = try await FixityAudits.run(.init(), root: try NodeStorage.existingRoot(config), agent: "test",
                                               threadPool: app.threadPool, on: app.db)
        XCTAssertTrue(audit.passed, audit.summary)
        XCTAssertEqual(audit.objects, 3)
        let item = try await preservedItems()[0]
        let exported = try await BagExport.export(item.id!.uuidString, to: URL(fileURLWithPath: dataDir + "/export"), config: config,
                                                  actor: "test", on: app.db)
        XCTAssertTrue(try BagValidator.validate(directory: exported.bag).isValid)
        let copies = try await call(.GET, "api/v1/items/\(item.id!.uuidString)/copies", token: archivist)
        XCTAssertEqual(copies.status, .ok, copies.body)
        let primary = (copies.object["copies"] as? [[String: Any]])?.first
        XCTAssertEqual(primary?["kind"] as? String, "s3")
        XCTAssertEqual(primary?["version"] as? Int, 1, copies.body)
        XCTAssertEqual(primary?["status"] as? String, "current")
        XCTAssertEqual((copies.object["policy"] as? [String: Any])?["met"] as? Bool, true, "one copy asked for without replicas")
    }
}
