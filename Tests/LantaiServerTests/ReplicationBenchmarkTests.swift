import Foundation
@testable import LantaiServer
import Packaging
import Storage
import XCTest

/// Replication throughput to SeaweedFS, beside the raw S3 upload of the same files (the peer:
/// what the store takes without OCFL, staging and verification). A figure, not a test: runs only
/// with LANTAI_BENCH_REPLICATION_MIB=N (total MiB, e.g. 256), and asserts nothing about speed.
///
///     LANTAI_BENCH_REPLICATION_MIB=256 swift test --filter ReplicationBenchmarkTests
final class ReplicationBenchmarkTests: StorageTestCase {
    var bucket: (url: String, store: S3BlobStore)!

    override func storageEnvironment() async throws -> [String: String] {
        guard let raw = ProcessInfo.processInfo.environment["LANTAI_BENCH_REPLICATION_MIB"], Int(raw) != nil else {
            throw XCTSkip("a benchmark: set LANTAI_BENCH_REPLICATION_MIB=256 to run it")
        }
        bucket = try await ReplicationS3.freshBucket("bench", testCase: self)
        return ["LANTAI_REPLICA_URLS": "offsite=\(bucket.url)", "LANTAI_OFFSITE": "offsite"]
    }

    func testReplicationThroughputFigures() async throws {
        let total = Int(ProcessInfo.processInfo.environment["LANTAI_BENCH_REPLICATION_MIB"]!)!
        // Objects of 4 files: one of 16 MiB (multipart) and three small ones, until the total is reached.
        let source = URL(fileURLWithPath: dataDir + "/bench-src")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        func file(_ name: String, _ bytes: Int) throws -> URL {
            let url = source.appendingPathComponent(name)
            var data = Data(count: bytes)
            data.withUnsafeMutableBytes { raw in
                for i in stride(from: 0, to: raw.count, by: 8) {
                    var word = generator.next()
                    withUnsafeBytes(of: &word) { w in for j in 0..<min(8, raw.count - i) { raw[i + j] = w[j] } }
                }
            }
            try data.write(to: url)
            return url
        }
        let root = try NodeStorage.writableRoot(config)
        var objects = 0
        var written = 0
        while written < total << 20 {
            let files = [("content/scan.tif", try file("big-\(objects)", 16 << 20)), ("content/a.txt", try file("a-\(objects)", 40_000)),
                         ("content/b.txt", try file("b-\(objects)", 200_000)), ("metadata/mets.xml", try file("m-\(objects)", 12_000))]
            try root.createOrUpdate(objectID: "info:lantai/TEST/bench-\(objects)", files: files, message: "bench", user: OCFLUser(name: "bench"))
            written += (16 << 20) + 252_000
            objects += 1
        }

        let started = Date()
        let summary = try await Replication.run(.init(), app: app, agent: "bench")
        let seconds = Date().timeIntervalSince(started)
        XCTAssertTrue(summary.complete, summary.text)

        // The peer: the same content files PUT straight into another prefix of the bucket.
        let raw = try S3BlobStore(url: bucket.url.replacingOccurrences(of: "?", with: "/raw?"), environment: ReplicationS3.keys)
        let peerStarted = Date()
        var peerBytes: Int64 = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path).sorted() {
            peerBytes += try await raw.put(name, from: source.appendingPathComponent(name)).size
        }
        let peerSeconds = Date().timeIntervalSince(peerStarted)
        let mib = Double(summary.bytes) / 1_048_576
        print(String(format: "replication: %d objects, %.1f MiB in %.1f s = %.1f MiB/s (staged, digest-verified, published); raw S3 PUT of the same files: %.1f MiB in %.1f s = %.1f MiB/s",
                     objects, mib, seconds, mib / seconds, Double(peerBytes) / 1_048_576, peerSeconds, Double(peerBytes) / 1_048_576 / peerSeconds))
    }
}
