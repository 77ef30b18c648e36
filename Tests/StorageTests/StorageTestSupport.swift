import Crypto
import Foundation
@testable import Storage
import XCTest

/// A scratch directory per test, removed afterwards (LANTAI_KEEP_SCRATCH=1 keeps it).
class StorageTestCase: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-storage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let scratch, ProcessInfo.processInfo.environment["LANTAI_KEEP_SCRATCH"] == nil {
            try? FileManager.default.removeItem(at: scratch)
        }
    }

    /// A file of `size` pseudo-random bytes (fast, reproducible per seed); returns its URL and hex SHA-256.
    func makeFile(_ name: String, size: Int, seed: UInt64 = 1) throws -> (url: URL, sha256: String) {
        let url = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var remaining = size
        while remaining > 0 {
            let count = min(remaining, 1 << 20)
            var chunk = [UInt8](repeating: 0, count: count)
            chunk.withUnsafeMutableBytes { raw in
                var index = 0
                while index < count {
                    // xorshift64*: cheap bytes that no compressor or dedup will shortcut.
                    state ^= state >> 12
                    state ^= state << 25
                    state ^= state >> 27
                    var word = state &* 0x2545_F491_4F6C_DD1D
                    let n = min(8, count - index)
                    withUnsafeBytes(of: &word) { raw.baseAddress!.advanced(by: index).copyMemory(from: $0.baseAddress!, byteCount: n) }
                    index += n
                }
            }
            hasher.update(data: chunk)
            try handle.write(contentsOf: chunk)
            remaining -= count
        }
        return (url, hex(hasher.finalize()))
    }

    func sha256(of url: URL) throws -> String {
        var hasher = SHA256()
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hex(hasher.finalize())
    }

    func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Every regular file under a directory, relative to it, sorted.
    func files(under url: URL) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: url.path) else { return [] }
        var out: [String] = []
        while let name = e.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isDirectory), !isDirectory.boolValue {
                out.append(name)
            }
        }
        return out.sorted()
    }

    /// Asserts that `body` throws a ``StorageError`` of `kind`, and returns it.
    @discardableResult
    func assertStorageError<T>(_ kind: StorageError.Kind, file: StaticString = #filePath, line: UInt = #line,
                               _ body: () async throws -> T) async -> StorageError? {
        do {
            _ = try await body()
            XCTFail("expected a \(kind) error, got success", file: file, line: line)
        } catch let error as StorageError {
            XCTAssertEqual(error.kind, kind, error.description, file: file, line: line)
            return error
        } catch {
            XCTFail("expected a StorageError(\(kind)), got \(error)", file: file, line: line)
        }
        return nil
    }
}

/// The SeaweedFS (or other S3) server the S3 tests run against, from the environment:
///
///     LANTAI_TEST_S3_URL=http://127.0.0.1:8333      the S3 endpoint (loopback only)
///     LANTAI_TEST_S3_ACCESS_KEY, LANTAI_TEST_S3_SECRET_KEY
///
/// `source scripts/lib/seaweed.sh && seaweed_start` installs and starts one and exports all three
/// (scripts/test does it). Unset: the S3 tests skip, saying how to run them.
enum TestS3 {
    static let howTo = "S3 tests need a SeaweedFS server: run scripts/test, or `source scripts/lib/seaweed.sh && seaweed_start` (it exports LANTAI_TEST_S3_URL, LANTAI_TEST_S3_ACCESS_KEY and LANTAI_TEST_S3_SECRET_KEY), then swift test"

    struct Server {
        var endpoint: String
        var accessKey: String
        var secretKey: String
    }

    static func server() throws -> Server {
        let env = ProcessInfo.processInfo.environment
        guard let endpoint = env["LANTAI_TEST_S3_URL"], !endpoint.isEmpty else { throw XCTSkip(howTo) }
        guard let host = URL(string: endpoint)?.host, ["127.0.0.1", "localhost", "::1"].contains(host) else {
            throw XCTSkip("LANTAI_TEST_S3_URL=\(endpoint) is not on loopback; the S3 tests create and delete buckets, so they refuse other hosts")
        }
        return Server(endpoint: endpoint, accessKey: env["LANTAI_TEST_S3_ACCESS_KEY"] ?? "lantaitest",
                      secretKey: env["LANTAI_TEST_S3_SECRET_KEY"] ?? "lantaitestsecret")
    }

    /// The environment S3Location.parse reads credentials from.
    static func environment(_ server: Server, secret: String? = nil) -> [String: String] {
        [S3Location.accessKeyVariable: server.accessKey, S3Location.secretKeyVariable: secret ?? server.secretKey]
    }

    /// A fresh bucket name: 3–63 lowercase characters, unique per call.
    static func bucketName(_ label: String) -> String {
        let clean = label.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return "lt-\(clean.prefix(30))-\(UUID().uuidString.lowercased().prefix(12))"
    }

    /// A store on a new, empty bucket; `cleanup` deletes the bucket and everything in it.
    static func freshStore(_ label: String, prefix: String = "", configuration: S3BlobStore.Configuration = .init(),
                           testCase: XCTestCase) async throws -> S3BlobStore {
        let server = try server()
        let path = prefix.isEmpty ? "" : "/" + prefix
        let store = try S3BlobStore(url: "s3://\(bucketName(label))\(path)?endpoint=\(server.endpoint)&region=us-east-1",
                                    environment: environment(server), configuration: configuration)
        let created = try await store.createBucketIfMissing()
        XCTAssertTrue(created)
        testCase.addTeardownBlock {
            // The bucket-level store (no prefix) deletes the bucket too.
            let bucketStore = S3BlobStore(location: S3Location(endpoint: store.location.endpoint, bucket: store.location.bucket,
                                                               accessKey: server.accessKey, secretKey: server.secretKey))
            try? await bucketStore.deleteBucketAndContents()
        }
        return store
    }
}

/// Chunks from an array, optionally pausing between them, optionally failing after `failAfter`.
struct TestChunks: AsyncSequence {
    typealias Element = Data
    var chunks: [Data]
    var pause: Duration = .zero
    var failAfter: Int?
    var onYield: (@Sendable (Int) async -> Void)?

    struct ChunkFailure: Error {}

    struct AsyncIterator: AsyncIteratorProtocol {
        var source: TestChunks
        var index = 0
        mutating func next() async throws -> Data? {
            if let failAfter = source.failAfter, index >= failAfter { throw ChunkFailure() }
            guard index < source.chunks.count else { return nil }
            if source.pause > .zero { try await Task.sleep(for: source.pause) }
            defer { index += 1 }
            await source.onYield?(index)
            return source.chunks[index]
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: self) }
}
