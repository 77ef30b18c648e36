import Foundation
@testable import Packaging
import XCTest

final class OCFLWriterTests: OCFLTestCase {
    func testLayout0004MatchesTheExtensionsOwnExamples() {
        let layout = OCFLHashedNTupleLayout()
        XCTAssertEqual(layout.objectPath(for: "object-01"),
                       "3c0/ff4/240/3c0ff4240c1e116dba14c7627f2319b58aa3d77606d0d90dfc6161608ac987d4")
        XCTAssertEqual(layout.objectPath(for: "..hor/rib:le-$id"),
                       "487/326/d8c/487326d8c2a3c0b885e23da1469b4d6671fd4e76978924b4443e9e3c316cda6d")
        let md5 = OCFLHashedNTupleLayout(digestAlgorithm: "md5", tupleSize: 2, numberOfTuples: 15, shortObjectRoot: true)
        XCTAssertEqual(md5.objectPath(for: "object-01"), "ff/75/53/44/92/48/5e/ab/b3/9f/86/35/67/28/88/4e")
    }

    func testStorageRootFilesAndReopen() throws {
        let url = scratch.appendingPathComponent("root")
        _ = try OCFLStorageRoot.create(at: url)
        XCTAssertEqual(try String(contentsOf: url.appendingPathComponent("0=ocfl_1.1"), encoding: .utf8), "ocfl_1.1\n")
        let layout = try JSONSerialization.jsonObject(with: Data(contentsOf: url.appendingPathComponent("ocfl_layout.json"))) as? [String: Any]
        XCTAssertEqual(layout?["extension"] as? String, "0004-hashed-n-tuple-storage-layout")
        XCTAssertNotNil(layout?["description"] as? String)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: url.appendingPathComponent("extensions/0004-hashed-n-tuple-storage-layout/config.json"))) as? [String: Any]
        XCTAssertEqual(config?["extensionName"] as? String, "0004-hashed-n-tuple-storage-layout")
        XCTAssertEqual(config?["digestAlgorithm"] as? String, "sha256")
        XCTAssertEqual(config?["tupleSize"] as? Int, 3)
        XCTAssertEqual(config?["numberOfTuples"] as? Int, 3)

        let reopened = try OCFLStorageRoot.open(at: url)
        XCTAssertEqual(reopened.layout, OCFLHashedNTupleLayout())
        _ = try OCFLStorageRoot.create(at: url) // idempotent: opens

        let notEmpty = scratch.appendingPathComponent("busy")
        try FileManager.default.createDirectory(at: notEmpty, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: notEmpty.appendingPathComponent("stray.txt"))
        XCTAssertThrowsError(try OCFLStorageRoot.create(at: notEmpty))
        XCTAssertThrowsError(try OCFLStorageRoot.open(at: notEmpty))
    }

    /// File-system storage streams through the shared read loop; its failures stay storage errors.
    func testFileSystemStorageReadsInChunksAndNamesFailures() throws {
        let url = scratch.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("dir"), withIntermediateDirectories: true)
        let content = Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try content.write(to: url.appendingPathComponent("f.bin"))
        let storage = FileSystemOCFLStorage(root: url)
        var chunks: [Data] = []
        try storage.read("f.bin", chunkSize: 4096) { chunks.append($0) }
        XCTAssertEqual(chunks.map(\.count), [4096, 4096, 1808])
        XCTAssertEqual(Data(chunks.joined()), content)
        XCTAssertThrowsError(try storage.read("dir", chunkSize: 4096) { _ in }) { error in
            let e = error as? OCFLStorageError
            XCTAssertEqual(e?.kind, .notFound)
            XCTAssertEqual(e?.message, "is a directory, not a file")
        }
        XCTAssertThrowsError(try storage.read("missing", chunkSize: 4096) { _ in }) { error in
            let e = error as? OCFLStorageError
            XCTAssertEqual(e?.kind, .notFound)
            XCTAssertEqual(e?.message, "cannot open: \(String(cString: strerror(ENOENT)))")
        }
    }

    func testTwoVersionsDeduplicateAndReadBack() throws {
        let ref = try makeReference()
        let object = ref.object
        XCTAssertEqual(object.path, OCFLHashedNTupleLayout().objectPath(for: objectID))

        // Object root and version layout on disk.
        XCTAssertEqual(try String(contentsOf: ref.objectURL.appendingPathComponent("0=ocfl_object_1.1"), encoding: .utf8), "ocfl_object_1.1\n")
        XCTAssertEqual(files(under: ref.objectURL), [
            "0=ocfl_object_1.1", "inventory.json", "inventory.json.sha512",
            "v1/content/metadata/mets.xml", "v1/content/正文/关于档案数字化的通知.pdf", "v1/content/说明.txt",
            "v1/inventory.json", "v1/inventory.json.sha512",
            // Only the changed and the new file are stored again; unchanged content and the
            // copy of existing content under a new name are not.
            "v2/content/metadata/premis.xml", "v2/content/正文/关于档案数字化的通知.pdf",
            "v2/inventory.json", "v2/inventory.json.sha512",
        ].sorted())
        XCTAssertEqual(try Data(contentsOf: ref.objectURL.appendingPathComponent("inventory.json")),
                       try Data(contentsOf: ref.objectURL.appendingPathComponent("v2/inventory.json")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: ref.url.appendingPathComponent("extensions/lantai-staging").path),
                       "staging is cleaned up after a successful write")

        let inventory = try object.inventory()
        XCTAssertEqual(inventory.id, objectID)
        XCTAssertEqual(inventory.type, "https://ocfl.io/1.1/spec/#inventory")
        XCTAssertEqual(inventory.digestAlgorithm, "sha512")
        XCTAssertEqual(inventory.head, "v2")
        XCTAssertEqual(inventory.manifest.count, 5)
        XCTAssertEqual(inventory.fixity?["sha256"]?.count, 5, "a SHA-256 fixity value for every stored file")

        let versions = try object.versions()
        XCTAssertEqual(versions.map(\.name), ["v1", "v2"])
        XCTAssertEqual(versions.map(\.fileCount), [3, 5])
        XCTAssertEqual(versions[0].message, "初次接收 ingest")
        XCTAssertEqual(versions[0].user, user)
        XCTAssertEqual(versions[0].created, "2024-05-01T08:00:00Z")
        XCTAssertEqual(versions[1].createdDate, day2)

        let v1 = try object.state(version: 1)
        let v2 = try object.state()
        XCTAssertEqual(Set(v1.keys), ["说明.txt", "正文/关于档案数字化的通知.pdf", "metadata/mets.xml"])
        XCTAssertEqual(Set(v2.keys), ["说明.txt", "正文/关于档案数字化的通知.pdf", "metadata/mets.xml", "metadata/premis.xml", "副本/说明（副本）.txt"])
        XCTAssertEqual(v1["说明.txt"], v2["说明.txt"])
        XCTAssertEqual(v2["说明.txt"], v2["副本/说明（副本）.txt"])
        XCTAssertNotEqual(v1["正文/关于档案数字化的通知.pdf"], v2["正文/关于档案数字化的通知.pdf"])
        XCTAssertEqual(inventory.contentPath(for: v2["说明.txt"]!), "v1/content/说明.txt")

        // Chinese logical paths round-trip, per version.
        XCTAssertEqual(String(decoding: try object.data(logicalPath: "正文/关于档案数字化的通知.pdf", version: 1), as: UTF8.self), "%PDF-1.7 first draft\n")
        XCTAssertEqual(String(decoding: try object.data(logicalPath: "正文/关于档案数字化的通知.pdf"), as: UTF8.self), "%PDF-1.7 signed final\n")
        XCTAssertEqual(String(decoding: try object.data(logicalPath: "副本/说明（副本）.txt"), as: UTF8.self), "卷内备考表：本卷共三件。\n")
        XCTAssertThrowsError(try object.data(logicalPath: "metadata/premis.xml", version: 1)) { error in
            XCTAssertEqual((error as? OCFLError)?.kind, .notFound)
        }
        XCTAssertThrowsError(try object.state(version: 3))

        // The root lists the object; our validator is happy with both root and object, without warnings.
        XCTAssertEqual(try ref.root.objectPaths(), [object.path])
        let rootReport = OCFLValidator(storage: ref.root.storage).validateStorageRoot()
        XCTAssertEqual(rootReport.issues, [], rootReport.description)
        XCTAssertEqual(rootReport.objectsChecked, 1)
        XCTAssertEqual(rootReport.validObjects, 1)
        let objectReport = OCFLValidator.validate(at: ref.objectURL)
        XCTAssertEqual(objectReport.issues, [], objectReport.description)
        XCTAssertTrue(OCFLValidator.validate(at: ref.url).isValid)
    }

    func testUnchangedResubmissionStoresNothingNew() throws {
        let ref = try makeReference()
        let before = files(under: ref.objectURL).filter { $0.contains("/content/") }
        let state = try ref.object.state()
        let v3 = try ref.root.createOrUpdate(objectID: objectID, files: try state.keys.sorted().map { path in
            var data = Data()
            try ref.object.read(logicalPath: path) { data.append($0) }
            return (logicalPath: path, source: try source("same", data))
        }, message: "no change", user: user, created: day2)
        XCTAssertEqual(v3, 3)
        XCTAssertEqual(files(under: ref.objectURL).filter { $0.contains("/content/") }, before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ref.objectURL.appendingPathComponent("v3/content").path),
                       "a version with no new content has no content directory (W003)")
        XCTAssertEqual(try ref.object.state(), state)
        XCTAssertEqual(OCFLValidator.validate(at: ref.url).issues, [])
    }

    func testMergeModeCarriesOverAndRemoves() throws {
        let ref = try makeReference()
        let v3 = try ref.root.createOrUpdate(objectID: objectID, files: [
            (logicalPath: "metadata/事件/2024-05-03.xml", source: try source("event", "<event/>\n")),
        ], message: "add event", user: user, created: day2,
           options: OCFLWriteOptions(mode: .merge(removing: ["副本/说明（副本）.txt"])))
        XCTAssertEqual(v3, 3)
        XCTAssertEqual(Set(try ref.object.state().keys), ["说明.txt", "正文/关于档案数字化的通知.pdf", "metadata/mets.xml",
                                                          "metadata/premis.xml", "metadata/事件/2024-05-03.xml"])
        XCTAssertEqual(Set(try ref.object.state(version: 2).keys).count, 5, "earlier versions are untouched")
        XCTAssertTrue(OCFLValidator.validate(at: ref.url).isValid)
    }

    func testUnsafeLogicalPathsAreRefusedBeforeAnythingIsWritten() throws {
        let url = scratch.appendingPathComponent("root")
        let root = try OCFLStorageRoot.create(at: url)
        let file = try source("x", "x")
        let bad: [[String]] = [["../escape.txt"], ["/etc/passwd"], ["a//b.txt"], ["a/./b.txt"], ["dir/"], [""],
                               ["a", "a/b"], ["same.txt", "same.txt"], [String(repeating: "档", count: 90)],
                               ["caf\u{E9}.txt", "cafe\u{301}.txt"]]
        for paths in bad {
            XCTAssertThrowsError(try root.createOrUpdate(objectID: "bad", files: paths.map { (logicalPath: $0, source: file) },
                                                         message: "m", user: user)) { error in
                XCTAssertEqual((error as? OCFLError)?.kind, .invalidLogicalPath, "\(paths): \(error)")
            }
        }
        XCTAssertEqual(try root.objectPaths(), [])
        XCTAssertEqual(files(under: url).filter { !$0.hasPrefix("extensions/0004") }, ["0=ocfl_1.1", "ocfl_layout.json"])
    }

    func testMissingSourceFailsCleanlyAndKeepsThePreviousVersion() throws {
        let ref = try makeReference()
        let before = files(under: ref.url)
        XCTAssertThrowsError(try ref.root.createOrUpdate(objectID: objectID, files: [
            (logicalPath: "new.txt", source: try source("n", "new")),
            (logicalPath: "gone.txt", source: scratch.appendingPathComponent("does-not-exist")),
        ], message: "m", user: user)) { error in
            XCTAssertEqual((error as? OCFLError)?.kind, .notFound)
        }
        XCTAssertEqual(files(under: ref.url), before, "nothing left behind, not even staging")
        XCTAssertEqual(try ref.object.inventory().head, "v2")
    }

    func testStreamingAFileLargerThanTheChunkSize() throws {
        // 3 MiB + a ragged tail of pseudo-random bytes, against the 1 MiB default chunk.
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 3 * (1 << 20) + 12_345)
        for i in stride(from: 0, to: bytes.count, by: 8) {
            let r = generator.next()
            for j in 0..<min(8, bytes.count - i) { bytes[i + j] = UInt8(truncatingIfNeeded: r >> (8 * j)) }
        }
        let big = try source("big.tif", Data(bytes))
        let url = scratch.appendingPathComponent("root")
        let root = try OCFLStorageRoot.create(at: url)
        try root.createOrUpdate(objectID: "big", files: [(logicalPath: "扫描件/第001页.tif", source: big)], message: "scan", user: user)

        // The digest recorded agrees with coreutils, computed independently over the source.
        let sha512sum = try OutsideTool.run("/bin/sh", ["-c", "sha512sum \"$0\" 2>/dev/null || shasum -a 512 \"$0\"", big.path])
        let expected = String(sha512sum.output.prefix(128))
        let object = root.object("big")
        XCTAssertEqual(try object.state()["扫描件/第001页.tif"], expected)
        let stored = url.appendingPathComponent(object.path).appendingPathComponent("v1/content/扫描件/第001页.tif")
        XCTAssertEqual(try Data(contentsOf: stored), Data(bytes))

        // Reading streams it back in chunks, never more than the chunk size at once.
        var chunks: [Int] = []
        var copy = Data()
        try object.read(logicalPath: "扫描件/第001页.tif") { chunk in
            chunks.append(chunk.count)
            copy.append(chunk)
        }
        XCTAssertEqual(chunks.count, 4)
        XCTAssertLessThanOrEqual(chunks.max() ?? 0, 1 << 20)
        XCTAssertEqual(copy, Data(bytes))

        // A small chunk size exercises many chunk boundaries on the write side too.
        try root.createOrUpdate(objectID: "small-chunks", files: [(logicalPath: "a.tif", source: big)], message: "scan", user: user,
                                options: OCFLWriteOptions(chunkSize: 4093))
        XCTAssertEqual(try root.object("small-chunks").state()["a.tif"], expected)
        XCTAssertTrue(OCFLValidator(storage: root.storage).validateStorageRoot().isValid)
    }

    func testReadDetectsCorruptContent() throws {
        let ref = try makeReference()
        let file = ref.objectURL.appendingPathComponent("v1/content/metadata/mets.xml")
        try Data("<mets>tampered</mets>\n".utf8).write(to: file)
        XCTAssertThrowsError(try ref.object.data(logicalPath: "metadata/mets.xml")) { error in
            XCTAssertEqual((error as? OCFLError)?.kind, .fixityMismatch)
        }
    }

    func testConcurrentWritersInOneProcessTakeTurns() throws {
        let ref = try makeReference()
        let sources = try (0..<6).map { try source("w\($0)", "writer \($0)\n") }
        let root = ref.root
        let user = self.user
        let objectID = self.objectID
        let results = OCFLTestResults()
        DispatchQueue.concurrentPerform(iterations: sources.count) { i in
            do {
                let v = try root.createOrUpdate(objectID: objectID, files: [(logicalPath: "w.txt", source: sources[i])],
                                                message: "writer \(i)", user: user, options: OCFLWriteOptions(mode: .merge(removing: [])))
                results.add(.success(v))
            } catch {
                results.add(.failure(error))
            }
        }
        let versions = results.all.compactMap { try? $0.get() }
        XCTAssertEqual(versions.sorted(), Array(3...8), "every writer gets its own version: \(results.all)")
        XCTAssertEqual(try ref.object.inventory().headNumber, 8)
        let report = OCFLValidator(storage: root.storage).validateStorageRoot()
        XCTAssertEqual(report.issues, [], report.description)
    }

    /// Another process committing while we stage: our publish step notices and refuses.
    func testAnotherProcessCommittingFirstIsAConflictNotACorruption() throws {
        let ref = try makeReference()
        let inventoryURL = ref.objectURL.appendingPathComponent("inventory.json")
        let v2 = try Data(contentsOf: inventoryURL)
        let file = try source("n", "new\n")

        // (1) The root inventory changed under us.
        var object = ref.root.object(objectID)
        object.commitHook = { step in
            if step == .staged { try (v2 + Data(" ".utf8)).write(to: inventoryURL) }
        }
        XCTAssertThrowsError(try object.createOrUpdate(files: [(logicalPath: "n.txt", source: file)], message: "m", user: user)) { error in
            XCTAssertEqual((error as? OCFLError)?.kind, .conflict, "\(error)")
        }
        try v2.write(to: inventoryURL)

        // (2) Someone else's v3 directory appeared first.
        let v3 = ref.objectURL.appendingPathComponent("v3")
        object.commitHook = { step in
            if step == .staged {
                try FileManager.default.createDirectory(at: v3, withIntermediateDirectories: true)
                try Data("theirs".utf8).write(to: v3.appendingPathComponent("inventory.json"))
            }
        }
        XCTAssertThrowsError(try object.createOrUpdate(files: [(logicalPath: "n.txt", source: file)], message: "m", user: user)) { error in
            XCTAssertEqual((error as? OCFLError)?.kind, .conflict, "\(error)")
        }
        XCTAssertEqual(try String(contentsOf: v3.appendingPathComponent("inventory.json"), encoding: .utf8), "theirs", "their version is untouched")
        XCTAssertEqual(try ref.object.inventory().head, "v2")
        XCTAssertFalse(FileManager.default.fileExists(atPath: ref.url.appendingPathComponent("extensions/lantai-staging").path))
    }
}

/// Collects results from concurrent writers.
final class OCFLTestResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<Int, Error>] = []

    func add(_ result: Result<Int, Error>) {
        lock.lock()
        results.append(result)
        lock.unlock()
    }

    var all: [Result<Int, Error>] {
        lock.lock()
        defer { lock.unlock() }
        return results
    }
}
