import Foundation
import NIOPosix
import Packaging
@testable import Storage
import XCTest

/// Packaging's OCFL writer and validator, unchanged, on a BlobStore: a directory and an S3 bucket.
final class BlobOCFLStorageTests: StorageTestCase {
    let user = OCFLUser(name: "张档案", address: "mailto:archivist@lantai.example")
    let objectID = "urn:lantai:aip:J012-WS·2015-Y-BGS-0001"
    let day1 = Date(timeIntervalSince1970: 1_714_550_400)
    let day2 = Date(timeIntervalSince1970: 1_714_636_800)

    func source(_ name: String, _ text: String) throws -> URL {
        let url = scratch.appendingPathComponent("sources/\(UUID().uuidString)/\(name)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Two versions of one object (Chinese logical paths, an unchanged file, a changed one, a copy
    /// under a new name, and `big` as a large file), written through `storage`; then the checks
    /// that must hold on any storage.
    func writeAndCheckReferenceObject(on storage: any OCFLStorage, big: URL) throws -> (root: OCFLStorageRoot, object: OCFLObject) {
        let root = try OCFLStorageRoot.create(storage: storage)
        XCTAssertEqual(try root.createOrUpdate(objectID: objectID, files: [
            (logicalPath: "说明.txt", source: try source("a", "卷内备考表：本卷共三件。\n")),
            (logicalPath: "正文/关于档案数字化的通知.pdf", source: try source("b", "%PDF-1.7 first draft\n")),
            (logicalPath: "metadata/mets.xml", source: try source("c", "<mets/>\n")),
        ], message: "初次接收 ingest", user: user, created: day1), 1)
        XCTAssertEqual(try root.createOrUpdate(objectID: objectID, files: [
            (logicalPath: "说明.txt", source: try source("a", "卷内备考表：本卷共三件。\n")),
            (logicalPath: "正文/关于档案数字化的通知.pdf", source: try source("b", "%PDF-1.7 signed final\n")),
            (logicalPath: "metadata/mets.xml", source: try source("c", "<mets/>\n")),
            (logicalPath: "副本/说明（副本）.txt", source: try source("e", "卷内备考表：本卷共三件。\n")),
            (logicalPath: "扫描件/第001页.tif", source: big),
        ], message: "替换签章版本 replace with signed copy", user: user, created: day2), 2)

        let reopened = try OCFLStorageRoot.open(storage: storage)
        let object = reopened.object(objectID)
        XCTAssertEqual(try reopened.objectPaths(), [object.path])
        XCTAssertEqual(try object.versions().map(\.name), ["v1", "v2"])
        XCTAssertEqual(String(decoding: try object.data(logicalPath: "正文/关于档案数字化的通知.pdf", version: 1), as: UTF8.self), "%PDF-1.7 first draft\n")
        XCTAssertEqual(String(decoding: try object.data(logicalPath: "副本/说明（副本）.txt"), as: UTF8.self), "卷内备考表：本卷共三件。\n")
        XCTAssertEqual(try object.inventory().contentPath(for: try object.state()["副本/说明（副本）.txt"]!), "v1/content/说明.txt",
                       "content already stored is not stored again")
        XCTAssertFalse(try storage.exists(OCFLStorageRoot.stagingDirectory), "no staging left behind")

        let report = OCFLValidator(storage: storage).validateStorageRoot()
        XCTAssertEqual(report.issues, [], report.description)
        XCTAssertEqual(report.objectsChecked, 1)
        XCTAssertEqual(report.validObjects, 1)
        return (reopened, object)
    }

    func testOCFLRootOnFileSystemBlobStore() throws {
        let directory = scratch.appendingPathComponent("root")
        let storage = BlobOCFLStorage(store: FileSystemBlobStore(root: directory), spoolDirectory: scratch.appendingPathComponent("spool"),
                                      memorySpoolLimit: 64 << 10)
        let big = try makeFile("big.tif", size: 3 << 20, seed: 11)
        let (_, object) = try writeAndCheckReferenceObject(on: storage, big: big.url)
        // The directory is an ordinary OCFL root: the file-system storage validates it as well.
        XCTAssertEqual(OCFLValidator.validate(at: directory).issues, [])
        XCTAssertEqual(files(under: directory.appendingPathComponent(object.path)), [
            "0=ocfl_object_1.1", "inventory.json", "inventory.json.sha512",
            "v1/content/metadata/mets.xml", "v1/content/正文/关于档案数字化的通知.pdf", "v1/content/说明.txt",
            "v1/inventory.json", "v1/inventory.json.sha512",
            "v2/content/扫描件/第001页.tif", "v2/content/正文/关于档案数字化的通知.pdf",
            "v2/inventory.json", "v2/inventory.json.sha512",
        ].sorted())
        XCTAssertEqual(try sha256(of: directory.appendingPathComponent(object.path + "/v2/content/扫描件/第001页.tif")), big.sha256)
        XCTAssertEqual(files(under: scratch.appendingPathComponent("spool")), [], "spool files are removed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("extensions/lantai-staging").path),
                       "no empty staging directories either")
        try validateWithOCFLPy(directory.appendingPathComponent(object.path))
    }

    func testOCFLRootOnS3() async throws {
        // Small parts so that the 20 MiB scan goes up as a multipart upload and is renamed by
        // copy, like a real scan would be.
        let store = try await TestS3.freshStore(#function, prefix: "ocfl", testCase: self)
        let big = try makeFile("big.tif", size: 20 << 20, seed: 5)
        let spool = scratch.appendingPathComponent("spool")
        let storage = BlobOCFLStorage(store: store, spoolDirectory: spool)
        // The OCFL code is synchronous: run it on a thread of its own, as callers should.
        nonisolated(unsafe) let test = self
        let object = try await Self.onThread { try test.writeAndCheckReferenceObject(on: storage, big: big.url).object }
        XCTAssertEqual(files(under: spool), [])

        let keys = try await store.list().blobs.map(\.key)
        XCTAssertTrue(keys.contains("0=ocfl_1.1"))
        XCTAssertTrue(keys.contains(object.path + "/v2/content/扫描件/第001页.tif"))
        XCTAssertFalse(keys.contains { $0.hasPrefix("extensions/lantai-staging") }, "staged keys were moved, not left")
        let scanSize = try await store.head(object.path + "/v2/content/扫描件/第001页.tif")?.size
        XCTAssertEqual(scanSize, 20 << 20)

        // Download the object and let ocfl-py, which we did not write, judge it.
        let local = scratch.appendingPathComponent("download")
        for key in keys where key.hasPrefix(object.path + "/") {
            try await store.get(key, to: local.appendingPathComponent(String(key.dropFirst(object.path.count + 1))))
        }
        XCTAssertEqual(try sha256(of: local.appendingPathComponent("v2/content/扫描件/第001页.tif")), big.sha256)
        XCTAssertEqual(OCFLValidator.validate(at: local).issues, [])
        try validateWithOCFLPy(local)
    }

    /// The directory operations' semantics, as OCFL relies on them.
    func testDirectorySemanticsOnBlobs() throws {
        let storage = BlobOCFLStorage(store: FileSystemBlobStore(root: scratch.appendingPathComponent("s")))
        try storage.createDirectory("stage/one")
        XCTAssertFalse(try storage.exists("stage"), "a directory exists only while something is in it")
        try storage.write("stage/one/a.txt", data: Data("a".utf8))
        try storage.write("stage/one/sub/b.txt", data: Data("b".utf8))
        XCTAssertTrue(try storage.exists("stage"))
        XCTAssertTrue(try storage.exists("stage/one/a.txt"))
        XCTAssertEqual(Set(try storage.list("stage/one")), [OCFLStorageEntry(name: "a.txt", kind: .file), OCFLStorageEntry(name: "sub", kind: .directory)])
        XCTAssertThrowsError(try storage.list("nothing")) { XCTAssertEqual(($0 as? OCFLStorageError)?.kind, .notFound) }
        XCTAssertEqual(try storage.list(""), [OCFLStorageEntry(name: "stage", kind: .directory)])

        try storage.write("dest/x.txt", data: Data("x".utf8))
        XCTAssertThrowsError(try storage.rename(from: "stage/one", to: "dest")) { error in
            XCTAssertEqual((error as? OCFLStorageError)?.kind, .alreadyExists, "\(error)")
        }
        try storage.rename(from: "stage/one", to: "published")
        XCTAssertFalse(try storage.exists("stage"))
        XCTAssertEqual(try storage.readData("published/sub/b.txt"), Data("b".utf8))
        try storage.rename(from: "published/a.txt", to: "dest/x.txt") // a file replaces a file
        XCTAssertEqual(try storage.readData("dest/x.txt"), Data("a".utf8))
        XCTAssertThrowsError(try storage.rename(from: "gone", to: "elsewhere")) { XCTAssertEqual(($0 as? OCFLStorageError)?.kind, .notFound) }

        try storage.remove("published")
        try storage.remove("published") // nothing there: no error
        XCTAssertFalse(try storage.exists("published"))
        XCTAssertThrowsError(try storage.readData("published/sub/b.txt")) { XCTAssertEqual(($0 as? OCFLStorageError)?.kind, .notFound) }
        for bad in ["/abs", "a/../b", "a//b", "a\u{0}"] {
            XCTAssertThrowsError(try storage.exists(bad)) { XCTAssertEqual(($0 as? OCFLStorageError)?.kind, .invalidPath) }
        }

        // A failing producer stores nothing; a failing reader stops the read.
        struct Stop: Error {}
        XCTAssertThrowsError(try storage.write("dest/x.txt") { sink in try sink(Data("partial".utf8)); throw Stop() }) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(try storage.readData("dest/x.txt"), Data("a".utf8))
        let big = try makeFile("read.bin", size: 2 << 20)
        try storage.write("big.bin") { sink in try sink(try Data(contentsOf: big.url)) }
        var chunks = 0
        XCTAssertThrowsError(try storage.read("big.bin", chunkSize: 64 << 10) { _ in chunks += 1; if chunks == 3 { throw Stop() } }) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(chunks, 3)
    }

    /// Several storage roots in one store, each under its own prefix, do not see each other.
    func testRootsUnderPrefixesShareAStore() throws {
        let store = FileSystemBlobStore(root: scratch.appendingPathComponent("shared"))
        let rootA = try OCFLStorageRoot.create(storage: BlobOCFLStorage(store: store, prefix: "roots/a"))
        try rootA.createOrUpdate(objectID: "甲", files: [(logicalPath: "a.txt", source: try source("a", "a"))], message: "m", user: user)
        let rootB = try OCFLStorageRoot.create(storage: BlobOCFLStorage(store: store, prefix: "roots/b/"))
        XCTAssertEqual(try rootB.objectPaths(), [])
        XCTAssertEqual(try OCFLStorageRoot.open(storage: BlobOCFLStorage(store: store, prefix: "roots/a")).objectPaths(), [rootA.objectPath(for: "甲")])
        XCTAssertTrue(OCFLValidator(storage: BlobOCFLStorage(store: store, prefix: "roots/a")).validateStorageRoot().isValid)
        XCTAssertTrue(OCFLValidator.validate(at: scratch.appendingPathComponent("shared/roots/a")).isValid)
        XCTAssertThrowsError(try OCFLStorageRoot.create(storage: BlobOCFLStorage(store: store, prefix: "roots")),
                             "a prefix holding other roots is not empty, so no root is made there")
    }

    /// Blocking calls from many more tasks than there are cooperative threads: if the bridge
    /// needed a cooperative thread to make progress, this would hang (the expectation fails
    /// after 60 s instead).
    func testBlockingFromEveryCooperativeThreadDoesNotDeadlock() throws {
        let storage = BlobOCFLStorage(store: FileSystemBlobStore(root: scratch.appendingPathComponent("s")), memorySpoolLimit: 16 << 10)
        try assertNoDeadlock(storage, tasks: ProcessInfo.processInfo.activeProcessorCount * 8)
    }

    /// The same over the network: S3 requests, back-pressured reads and retries' timers all run
    /// on NIO's threads and the bridge's, never on the blocked cooperative ones.
    func testBlockingOnS3FromEveryCooperativeThreadDoesNotDeadlock() async throws {
        let store = try await TestS3.freshStore(#function, testCase: self)
        let storage = BlobOCFLStorage(store: store, memorySpoolLimit: 16 << 10)
        nonisolated(unsafe) let test = self
        try await Self.onThread { try test.assertNoDeadlock(storage, tasks: ProcessInfo.processInfo.activeProcessorCount * 8) }
    }

    /// `tasks` tasks each write, read back and look up a file with the blocking calls, all at once.
    func assertNoDeadlock(_ storage: BlobOCFLStorage, tasks: Int) throws {
        let done = expectation(description: "all blocking calls returned")
        let results = TaskResults()
        Task {
            await withTaskGroup(of: Bool.self) { group in
                for i in 0..<tasks {
                    group.addTask {
                        // Synchronous, blocking calls from a cooperative thread.
                        let data = Data(repeating: UInt8(i % 256), count: 100_000)
                        guard (try? storage.write("t/\(i).bin", data: data)) != nil,
                              (try? storage.readData("t/\(i).bin")) == data,
                              (try? storage.exists("t/\(i).bin")) == true else { return false }
                        return true
                    }
                }
                for await ok in group { results.add(ok) }
            }
            done.fulfill()
        }
        wait(for: [done], timeout: 60)
        XCTAssertEqual(results.outcomes.count, tasks)
        XCTAssertTrue(results.outcomes.allSatisfy { $0 }, "every task's write, read and lookup worked")
    }

    /// Blocking an event loop thread would stall the loop the request needs: refused, not hung.
    func testCallsOnAnEventLoopAreRefused() throws {
        let storage = BlobOCFLStorage(store: FileSystemBlobStore(root: scratch.appendingPathComponent("s")))
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let outcome = try loop.submit { () -> String in
            do {
                _ = try storage.exists("x")
                return "returned"
            } catch {
                return String(describing: error)
            }
        }.wait()
        XCTAssertTrue(outcome.contains("event loop"), outcome)
    }

    // MARK: - Helpers

    final class TaskResults: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Bool] = []
        func add(_ value: Bool) { lock.lock(); values.append(value); lock.unlock() }
        var outcomes: [Bool] { lock.lock(); defer { lock.unlock() }; return values }
    }

    /// Runs synchronous work on a new thread and awaits it.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// ocfl-py's validator on an object directory, when .venv-test has it (scripts/test installs it).
    func validateWithOCFLPy(_ objectDirectory: URL) throws {
        let env = ProcessInfo.processInfo.environment
        let candidates = [env["LANTAI_TEST_VENV"].map { $0 + "/bin/ocfl-validate.py" },
                          FileManager.default.currentDirectoryPath + "/.venv-test/bin/ocfl-validate.py"].compactMap { $0 }
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("ocfl-validate.py not found; the outside check of \(objectDirectory.lastPathComponent) was not run")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [objectDirectory.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "ocfl-validate.py: \(output)")
        XCTAssertTrue(output.contains("is VALID"), output)
    }
}
