import Fluent
import Foundation
@testable import LantaiServer
import Packaging
import Storage
import XCTest

/// `lantai storage migrate` from the file system to S3 while the node keeps writing: every
/// digest verified, an object changed mid-way copied again, then the switch — which the running
/// node follows at once and a restart keeps — and new records go to S3.
final class StorageMigrationTests: StorageTestCase {
    var target: (url: String, store: S3BlobStore)!

    override func storageEnvironment() async throws -> [String: String] {
        target = try await ReplicationS3.freshBucket("migrate", testCase: self)
        return [:]
    }

    func testMigrationFromTheFileSystemToS3VerifiesEveryDigestAndSwitches() async throws {
        let archivist = try await acceptTransfer()
        let before = try inventories("primary")
        XCTAssertEqual(before.count, 3)
        let snapshotID = CatalogueSnapshotFormat.objectID(node: "TEST", fondsCode: "J012")
        let extra = URL(fileURLWithPath: dataDir + "/extra.txt")
        try Data("迁移期间写入\n".utf8).write(to: extra)
        let primaryRoot = try root("primary")
        let wrote = Counter()
        // The node keeps working: a new version of an object is written while the first pass runs.
        let summary = try await StorageMigration.run(from: "primary", to: target.url, app: app, agent: "test") { line in
            if line.hasPrefix("created \(snapshotID)"), wrote.next() == 1 {
                _ = try? primaryRoot.object(snapshotID).createOrUpdate(files: [("notes/extra.txt", extra)], message: "edit during migration",
                                                                       user: OCFLUser(name: "test"), options: .init(mode: .merge(removing: [])))
            }
        }
        XCTAssertTrue(summary.problems.isEmpty, summary.text)
        XCTAssertGreaterThanOrEqual(summary.passes, 2, "the changed object was copied again: \(summary.text)")
        XCTAssertTrue(summary.switched, summary.text)
        XCTAssertEqual(summary.objects, 3)
        let fileCount = try before.keys.reduce(0) { n, id in n + (try primaryRoot.object(id).inventory().manifest.values.reduce(0) { $0 + $1.count }) }
        XCTAssertEqual(summary.filesVerified, fileCount, "every content file read back and checked: \(summary.text)")
        XCTAssertTrue(summary.text.contains("LANTAI_STORAGE_URL=\(target.url)"), summary.text)

        // The copy: identical inventories (the edited object at v2), a valid root.
        let migrated = BlobOCFLStorage(store: target.store)
        let report = OCFLValidator(storage: migrated).validateStorageRoot()
        XCTAssertTrue(report.isValid, report.description)
        XCTAssertEqual(report.objectsChecked, 3)
        let targetRoot = try OCFLStorageRoot.open(storage: migrated)
        XCTAssertEqual(try targetRoot.object(snapshotID).data(logicalPath: "notes/extra.txt"), Data("迁移期间写入\n".utf8),
                       "the version written during the migration was copied too")
        for (id, data) in try inventories("primary") {
            XCTAssertEqual(try migrated.readData(targetRoot.objectPath(for: id) + "/inventory.json"), data, id)
        }

        // The switch: recorded, followed by this running node, honoured by a restart.
        XCTAssertTrue(FileManager.default.fileExists(atPath: dataDir + "/storage-switch.json"))
        XCTAssertEqual(NodeStorage.primarySpec(config).kind, .s3)
        var env = StorageTestCase.pendingEnvironment
        env["LANTAI_DATA_DIR"] = dataDir
        let restarted = try LantaiConfiguration.fromEnvironment(env)
        XCTAssertEqual(restarted.storage.primary.kind, .s3)
        XCTAssertTrue(restarted.summary.contains { $0.contains("switched from") }, "\(restarted.summary)")
        env["LANTAI_STORAGE_URL"] = dataDir + "/elsewhere"
        XCTAssertEqual(try LantaiConfiguration.fromEnvironment(env).storage.primary.kind, .directory,
                       "once the environment names another place, the environment wins")

        // New records now go to S3, not to the old directory.
        let oldCount = try root("primary").objectPaths().count
        XCTAssertEqual(oldCount, 3, "through the switch, the primary is the S3 copy")
        var rows = goodRows()
        rows[1][0] = "迁移后的通知"
        rows[2][0] = "迁移后的总结"
        try await acceptTransfer(rows: rows, files: ["文书/通知.txt": "新\n", "文书/总结.txt": "新总结\n"], archivist: archivist)
        XCTAssertEqual(try OCFLStorageRoot.open(storage: migrated).objectPaths().count, 5)
        XCTAssertEqual(try OCFLStorageRoot.open(at: URL(fileURLWithPath: config.storagePath)).objectPaths().count, 3,
                       "the old directory is left as it was")
        let events = try await StorageEventModel.query(on: app.db).filter(\.$eventType == "migration").count()
        XCTAssertGreaterThanOrEqual(events, 3)
        let trail = try await AuditTrail.entries(on: app.db, after: 0, limit: 1000)
        XCTAssertTrue(trail.contains { $0.action == "storage.migrate" })
    }
}

/// Offline media: every object as a BagIt bag (bagit.py agrees), in volumes with a manifest;
/// imported into an empty location, the objects come back whole; a damaged bag is refused.
final class StorageOfflineMediaTests: StorageTestCase {
    func testExportedBagsValidateAndImportIntoAnEmptyLocationRestoresTheObjects() async throws {
        try await acceptTransfer()
        let out = URL(fileURLWithPath: dataDir + "/media")
        // Volumes of 2 KB: each bag gets one of its own (and says it needs a larger medium).
        let export = try await OfflineMedia.export(to: out, fonds: nil, volumeSize: 2000, app: app, agent: "test")
        XCTAssertEqual(export.manifest.bagCount, 3, export.text)
        XCTAssertEqual(export.manifest.volumes.count, 3, export.text)
        XCTAssertEqual(export.manifest.totalBytes, export.manifest.volumes.reduce(0) { $0 + $1.bytes })
        let large = try await OfflineMedia.export(to: URL(fileURLWithPath: dataDir + "/media-one"), fonds: "J012",
                                                  volumeSize: OfflineMedia.parseSize("4.7GB")!, app: app, agent: "test")
        XCTAssertEqual(large.manifest.volumes.count, 1)
        XCTAssertEqual(large.manifest.bagCount, 3, "J012's two packages and its catalogue")
        XCTAssertEqual(OfflineMedia.parseSize("25GB"), 25_000_000_000)
        XCTAssertEqual(OfflineMedia.parseSize("4GiB"), 4 << 30)

        let manifest = try JSONDecoder().decode(OfflineMedia.Manifest.self, from: Data(contentsOf: out.appendingPathComponent("manifest.json")))
        XCTAssertEqual(manifest.format, OfflineMedia.manifestFormat)
        let text = try String(contentsOf: out.appendingPathComponent("manifest.txt"), encoding: .utf8)
        for volume in manifest.volumes {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(volume.name + "/lantai-volume.json").path))
            for bag in volume.bags {
                XCTAssertTrue(text.contains(bag.tagmanifestSHA256), "manifest.txt lists \(bag.bag)")
                // The Library of Congress validator agrees.
                let run = try runBagitPy(out.appendingPathComponent(bag.bag))
                XCTAssertEqual(run.status, 0, run.output)
            }
        }

        // Import into an empty directory: every object back, whole; then again: nothing to do.
        let fresh = dataDir + "/restored-root"
        let imported = try await OfflineMedia.import(from: out, into: fresh, app: app, agent: "test")
        XCTAssertTrue(imported.passed, imported.text)
        XCTAssertEqual(imported.restored, 3, imported.text)
        let restored = FileSystemOCFLStorage(root: URL(fileURLWithPath: fresh))
        let report = OCFLValidator(storage: restored).validateStorageRoot()
        XCTAssertTrue(report.isValid, report.description)
        XCTAssertEqual(report.objectsChecked, 3)
        let ocflPy = try PreservationOCFLPy.validate(root: URL(fileURLWithPath: fresh), python: python)
        XCTAssertEqual(ocflPy.valid, 3, ocflPy.output)
        let freshRoot = try OCFLStorageRoot.open(storage: restored)
        for (id, data) in try inventories("primary") {
            XCTAssertEqual(try restored.readData(freshRoot.objectPath(for: id) + "/inventory.json"), data, id)
        }
        let again = try await OfflineMedia.import(from: out, into: fresh, app: app, agent: "test")
        XCTAssertEqual(again.alreadyPresent, 3, again.text)

        // A damaged bag is refused, and nothing of it is written.
        let victim = manifest.volumes[0].bags[0]
        let bagDir = out.appendingPathComponent(victim.bag)
        let payload = try OfflineMedia.files(under: bagDir.appendingPathComponent("data")).first { $0.relativePath.contains("/content/") }!
        var bytes = try Data(contentsOf: payload.url)
        bytes[0] ^= 0x01
        try bytes.write(to: payload.url)
        let other = dataDir + "/restored-other"
        let refused = try await OfflineMedia.import(from: out.appendingPathComponent(manifest.volumes[0].name), into: other, app: app, agent: "test")
        XCTAssertFalse(refused.passed)
        XCTAssertEqual(refused.restored, 0)
        XCTAssertTrue(refused.problems[0].contains("not a valid bag"), "\(refused.problems)")
        let leftover = try OCFLStorageRoot.open(at: URL(fileURLWithPath: other)).objectPaths()
        XCTAssertTrue(leftover.isEmpty)
    }

    func runBagitPy(_ bag: URL) throws -> (status: Int32, output: String) {
        let tool = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("bagit.py").path
        guard FileManager.default.isExecutableFile(atPath: tool) else { throw XCTSkip("bagit.py is not in \(tool)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [tool, "--validate", bag.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
