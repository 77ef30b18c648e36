import Fluent
import Foundation
@testable import LantaiServer
import Packaging
import SQLKit
import Storage
import XCTest
import XCTVapor

/// Damage and loss, found and mended from a good copy: a flipped byte at the primary, a
/// flipped byte at the replica, an object deleted from the primary, the whole primary gone.
/// A good copy is never overwritten by a bad one; a file bad everywhere is an alert.
final class ReplicationRepairTests: StorageTestCase {
    var offsite: S3BlobStore!

    override func storageEnvironment() async throws -> [String: String] {
        let bucket = try await ReplicationS3.freshBucket("repair", testCase: self)
        offsite = bucket.store
        return ["LANTAI_REPLICA_URLS": "offsite=\(bucket.url)", "LANTAI_OFFSITE": "offsite"]
    }

    func flipByte(in path: String) throws -> Data {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        return bytes
    }

    func testAFlippedByteAndADeletedObjectAreFoundAndRepairedFromAGoodCopy() async throws {
        try await acceptTransfer()
        let items = try await preservedItems()
        XCTAssertEqual(items.count, 2)
        // Damage: a flipped byte in a primary content file; the other record's whole object
        // deleted from the primary; and a flipped byte in another file of the replica.
        let flipped = try contentFile(items[0])
        let primaryFile = config.storagePath + "/" + flipped.objectPath + "/" + flipped.path
        let original = try Data(contentsOf: URL(fileURLWithPath: primaryFile))
        _ = try flipByte(in: primaryFile)
        let deleted = try contentFile(items[1])
        try FileManager.default.removeItem(atPath: config.storagePath + "/" + deleted.objectPath)
        let replicaKey = flipped.objectPath + "/v1/content/metadata/mets.xml"
        var mets = try await offsite.data(replicaKey)
        let goodMETS = mets
        mets[mets.count / 2] ^= 0x01
        try await offsite.put(replicaKey, data: mets)

        // The preservation audit finds the primary's damage and raises alerts.
        let audit = try await FixityAudits.run(.init(), root: try NodeStorage.existingRoot(config), agent: "test",
                                               threadPool: app.threadPool, on: app.db)
        XCTAssertEqual(audit.failed.count, 1, audit.summary)  // the deleted object is no longer in the walk
        let alertsBefore = try await PreservationAlertModel.query(on: app.db).filter(\.$resolvedAt == nil).count()
        XCTAssertGreaterThan(alertsBefore, 0)

        let repair = try await StorageRepair.run(app: app, agent: "test")
        XCTAssertTrue(repair.passed, repair.text)
        XCTAssertEqual(repair.repairedCopies, 3, "primary file, primary object, replica METS: \(repair.text)")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: primaryFile)), original, "the primary's file is whole again")
        let replicaMETS = try await offsite.data(replicaKey)
        XCTAssertEqual(replicaMETS, goodMETS, "the replica's METS is whole again")
        XCTAssertTrue(FileManager.default.fileExists(atPath: config.storagePath + "/" + deleted.objectPath + "/" + deleted.path),
                      "the deleted object is back at the primary")
        try assertValidRoot("primary", objects: 3)
        try assertValidRoot("offsite", objects: 3)
        XCTAssertEqual(try inventories("primary"), try inventories("offsite"))
        let ocflPy = try PreservationOCFLPy.validate(root: URL(fileURLWithPath: config.storagePath), python: python)
        XCTAssertEqual(ocflPy.valid, 3, ocflPy.output)

        // Recorded: events naming the good copy used, audit-trail entries, the alerts resolved,
        // and the next audit passes.
        let events = try await StorageEventModel.query(on: app.db).filter(\.$eventType == "repair").all()
        XCTAssertEqual(events.count, 3)
        let fileRepair = try XCTUnwrap(events.first { $0.objectID == flipped.id && $0.location == "primary" })
        XCTAssertEqual(fileRepair.source, "offsite")
        XCTAssertTrue(fileRepair.detail.contains("mismatch"), fileRepair.detail)
        let restore = try XCTUnwrap(events.first { $0.objectID == deleted.id })
        XCTAssertTrue(restore.detail.contains("created"), restore.detail)
        let trail = try await AuditTrail.entries(on: app.db, after: 0, limit: 1000)
        XCTAssertEqual(trail.filter { $0.action == "storage.repair" }.count, 3)
        let open = try await PreservationAlertModel.query(on: app.db).filter(\.$resolvedAt == nil).count()
        XCTAssertEqual(open, 0, "repairs resolve the alerts of what they mended")
        let after = try await FixityAudits.run(.init(), root: try NodeStorage.existingRoot(config), agent: "test",
                                               threadPool: app.threadPool, on: app.db)
        XCTAssertTrue(after.passed, after.summary)
        let copies = try await StorageCopyModel.query(on: app.db).filter(\.$objectID == flipped.id).all()
        XCTAssertEqual(copies.count, 2)
        XCTAssertTrue(copies.allSatisfy { $0.status == "current" && $0.verifiedAt != nil }, "\(copies.map(\.status))")
    }

    func testAFileDamagedInEveryCopyIsReportedAndNoCopyIsOverwritten() async throws {
        try await acceptTransfer()
        let item = try await preservedItems()[0]
        let file = try contentFile(item)
        let primaryFile = config.storagePath + "/" + file.objectPath + "/" + file.path
        let badPrimary = try flipByte(in: primaryFile)
        let key = file.objectPath + "/" + file.path
        var replica = try await offsite.data(key)
        replica[0] ^= 0x20
        try await offsite.put(key, data: replica)

        let repair = try await StorageRepair.run(object: file.id, app: app, agent: "test")
        XCTAssertFalse(repair.passed, repair.text)
        XCTAssertEqual(repair.problems.count, 2, repair.text)
        XCTAssertTrue(repair.problems.allSatisfy { $0.contains("no good copy of \(file.path)") }, "\(repair.problems)")
        // Neither bad copy was written over with the other's bad bytes.
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: primaryFile)), badPrimary)
        let replicaNow = try await offsite.data(key)
        XCTAssertEqual(replicaNow, replica)
        let alerts = try await PreservationAlertModel.query(on: app.db).filter(\.$kind == "copies").all()
        XCTAssertEqual(Set(alerts.map(\.location)), ["primary", "offsite"])
        let copies = try await StorageCopyModel.query(on: app.db).filter(\.$objectID == file.id).all()
        XCTAssertTrue(copies.allSatisfy { $0.status == "damaged" }, "\(copies.map(\.status))")
    }

    func testRestoreBringsBackAPrimaryThatIsGoneAndSaysToRebuildAnEmptyCatalogue() async throws {
        try await acceptTransfer()
        let before = try inventories("primary")
        try FileManager.default.removeItem(atPath: config.storagePath)

        // A new node on the same storage settings, with an empty database (it was lost too).
        let dir = dataDir + "/rebuilt"
        var env = StorageTestCase.pendingEnvironment
        env["LANTAI_DATA_DIR"] = dir
        env["LANTAI_STORAGE_URL"] = config.storagePath
        env["LANTAI_NODE_CODE"] = "TEST"
        env["LANTAI_BCRYPT_COST"] = "4"
        if let url = Self.postgresURL {
            let name = "lantai_s_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try await PostgresTestDatabases.shared.create(name, adminURL: url)
            env["LANTAI_DATABASE_URL"] = PostgresTestDatabases.url(url, database: String(name))
            addTeardownBlock { try? PostgresTestDatabases.psql(url, "DROP DATABASE IF EXISTS \(name)") }
        }
        let other = try await Application.make(.testing)
        do {
            try await configure(other, try LantaiConfiguration.fromEnvironment(env))
            try await other.autoMigrate()
            let summary = try await StorageRestore.run(from: "offsite", app: other, agent: "test")
            XCTAssertTrue(summary.passed, summary.text)
            XCTAssertEqual(summary.restored, 3, summary.text)
            XCTAssertGreaterThan(summary.filesVerified, 0, "every restored file was read back")
            XCTAssertTrue(summary.catalogueEmpty)
            XCTAssertTrue(summary.text.contains("lantai rebuild-catalog"), summary.text)
            XCTAssertEqual(try inventories("primary"), before)
            try assertValidRoot("primary", objects: 3)
            let ocflPy = try PreservationOCFLPy.validate(root: URL(fileURLWithPath: config.storagePath), python: python)
            XCTAssertEqual(ocflPy.valid, 3, ocflPy.output)
            // And the catalogue comes back from storage, as the message says.
            _ = try await PreservationTasks.rebuildCatalogue(other, node: nil, actor: "test") { _ in }
            let items = try await ItemModel.query(on: other.db).filter(\.$objectID != nil).count()
            XCTAssertEqual(items, 2)
        } catch {
            try? await other.asyncShutdown()
            throw error
        }
        try await other.asyncShutdown()
    }
}
