import Fluent
import Foundation
@testable import LantaiServer
import Packaging
import Storage
import XCTest

/// The SeaweedFS server the storage tests use, from LANTAI_TEST_S3_URL and its keys (scripts/test
/// starts one). Unset: the S3 tests skip, saying how to run them.
enum ReplicationS3 {
    static let howTo = "these storage tests need an S3 server: run scripts/test, or `source scripts/lib/seaweed.sh && seaweed_start` (it exports LANTAI_TEST_S3_URL, LANTAI_TEST_S3_ACCESS_KEY and LANTAI_TEST_S3_SECRET_KEY), then swift test"

    static func endpoint() throws -> String {
        let env = ProcessInfo.processInfo.environment
        guard let endpoint = env["LANTAI_TEST_S3_URL"], !endpoint.isEmpty else { throw XCTSkip(howTo) }
        guard let host = URL(string: endpoint)?.host, ["127.0.0.1", "localhost", "::1"].contains(host) else {
            throw XCTSkip("LANTAI_TEST_S3_URL=\(endpoint) is not on loopback; the storage tests create and delete buckets, so they refuse other hosts")
        }
        return endpoint
    }

    /// The node's S3 keys (LANTAI_S3_*), from the test server's.
    static var keys: [String: String] {
        let env = ProcessInfo.processInfo.environment
        return [S3Location.accessKeyVariable: env["LANTAI_TEST_S3_ACCESS_KEY"] ?? "lantaitest",
                S3Location.secretKeyVariable: env["LANTAI_TEST_S3_SECRET_KEY"] ?? "lantaitestsecret"]
    }

    static func port() throws -> Int {
        try XCTUnwrap(URL(string: try endpoint())?.port, "LANTAI_TEST_S3_URL has a port")
    }

    /// A new, empty bucket; the returned URL names it at `endpoint` (default the server itself).
    static func freshBucket(_ label: String, endpoint override: String? = nil, testCase: XCTestCase) async throws -> (url: String, store: S3BlobStore) {
        let server = try endpoint()
        let name = "lt-\(label.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(20))-\(UUID().uuidString.lowercased().prefix(12))"
        let store = try S3BlobStore(url: "s3://\(name)?endpoint=\(server)", environment: keys)
        try await store.createBucketIfMissing()
        testCase.addTeardownBlock { try? await store.deleteBucketAndContents() }
        return ("s3://\(name)?endpoint=\(override ?? server)&region=us-east-1", store)
    }
}

/// A TCP proxy in front of the S3 server that a test can kill (SIGKILL: every connection
/// dropped, the port closed — as a crashed server) and start again on the same port.
final class KillableProxy: @unchecked Sendable {
    static let script = #"""
    import socket, sys, threading
    port, target = int(sys.argv[1]), int(sys.argv[2])
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(64)
    print(srv.getsockname()[1], flush=True)
    def pipe(a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
    while True:
        c, _ = srv.accept()
        try:
            u = socket.create_connection(("127.0.0.1", target))
        except OSError:
            c.close()
            continue
        threading.Thread(target=pipe, args=(c, u), daemon=True).start()
        threading.Thread(target=pipe, args=(u, c), daemon=True).start()
    """#

    let python: String
    let target: Int
    private(set) var port = 0
    private var process: Process?
    private let lock = NSLock()

    init(python: String, target: Int) {
        self.python = python
        self.target = target
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", Self.script, String(port), String(target)]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        // The first line is the port it listens on.
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let text = String(data: line, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), let bound = Int(text) else {
            p.terminate()
            throw NSError(domain: "proxy", code: 1, userInfo: [NSLocalizedDescriptionKey: "the proxy did not start"])
        }
        lock.withLock {
            port = bound
            process = p
        }
    }

    /// SIGKILL, and wait until it is gone.
    func kill() {
        let p = lock.withLock { () -> Process? in
            defer { process = nil }
            return process
        }
        guard let p, p.isRunning else { return }
        Foundation.kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    deinit { kill() }
}

/// Counts calls across threads (hooks run on the thread pool).
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
    var count: Int { lock.withLock { value } }
}

/// A node with storage locations: tests describe them in `storageEnvironment()` (called before
/// the node is built, so buckets and proxies can be made first).
class StorageTestCase: TransferTestCase {
    nonisolated(unsafe) static var pendingEnvironment: [String: String] = [:]
    override class var environmentOverrides: [String: String] { pendingEnvironment }

    /// LANTAI_STORAGE_URL, LANTAI_REPLICA_URLS … for this test's node.
    func storageEnvironment() async throws -> [String: String] { [:] }

    override func setUp() async throws {
        StorageTestCase.pendingEnvironment = try await storageEnvironment().merging(ReplicationS3.keys) { a, _ in a }
        try await super.setUp()
    }

    override func tearDown() async throws {
        StorageTestCase.pendingEnvironment = [:]
        try await super.tearDown()
    }

    /// A directory for a location, inside this test's data directory.
    func directory(_ name: String) -> String { dataDir + "/" + name }

    /// Submits, checks and accepts a transfer of the two good records, then runs every job
    /// (preservation, the fonds' catalogue snapshot, replication). Returns the archivist's token.
    @discardableResult
    func acceptTransfer(rows: [[String]]? = nil, files: [String: String]? = nil, archivist existing: String? = nil) async throws -> String {
        let archivist: String
        if let existing { archivist = existing } else { archivist = try await token("archivist", role: .archivist, clearance: .topSecret) }
        let (transfer, stored) = try await submitAndCheck(try makeZip(rows: rows ?? goodRows(), files: files ?? goodFiles))
        XCTAssertEqual(stored["passed"] as? Bool, true, "\(stored)")
        let id = try XCTUnwrap(transfer["id"] as? String)
        let accepted = try await call(.POST, "api/v1/transfers/\(id)/accept", token: archivist)
        XCTAssertEqual(accepted.status, .ok, accepted.body)
        await app.jobWorker.drain(app)
        return archivist
    }

    /// The OCFL view of a location as the node opens it.
    func location(_ name: String) throws -> StorageLocation {
        try NodeStorage.resolve(name, config: config)
    }

    func root(_ name: String) throws -> OCFLStorageRoot {
        try XCTUnwrap(try location(name).existingRoot(), "\(name) has a storage root")
    }

    /// Our validator over a location's root; errors fail the test (warnings, e.g. W016 for
    /// staging left by an interrupted write, are allowed).
    func assertValidRoot(_ name: String, objects expected: Int? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let report = OCFLValidator(storage: try location(name).storage).validateStorageRoot()
        XCTAssertTrue(report.isValid, "\(name): \(report.description)", file: file, line: line)
        if let expected { XCTAssertEqual(report.objectsChecked, expected, "\(name): objects", file: file, line: line) }
    }

    /// Object id → root inventory bytes, at a location.
    func inventories(_ name: String) throws -> [String: Data] {
        let root = try root(name)
        var out: [String: Data] = [:]
        for path in try root.objectPaths() {
            let data = try root.storage.readData(path + "/inventory.json")
            out[try OCFLInventory.decode(data).id] = data
        }
        return out
    }

    /// The first content file (under v1/content/content/) of a record's package: (object id, object path, content path).
    func contentFile(_ item: ItemModel, in name: String = "primary") throws -> (id: String, objectPath: String, path: String) {
        let id = try XCTUnwrap(item.objectID)
        let object = try root(name).object(id)
        let inventory = try object.inventory()
        let path = try XCTUnwrap(inventory.manifest.values.flatMap { $0 }.sorted().first { $0.contains("/content/content/") })
        return (id, object.path, path)
    }

    func preservedItems() async throws -> [ItemModel] {
        try await ItemModel.query(on: app.db).filter(\.$objectID != nil).sort(\.$archivalCode).all()
    }
}
