import Crypto
import Foundation
import XCTest
@testable import Packaging

/// The streaming digest engine: chunked reads must give exactly the one-shot digest.
final class BagItDigestTests: BagItTestCase {

    func testStreamingDigestOfFileLargerThanChunk() throws {
        // 2.5 MiB + a ragged tail: three full 1 MiB reads would miss the last part if the
        // loop stopped on a short read.
        let data = bytes(5 * BagDigest.defaultChunkSize / 2 + 12_345, seed: 42)
        let url = try writeFile("large.bin", in: scratch, data)
        let streamed = try BagDigest.digests(ofFileAt: url, algorithms: BagAlgorithm.allCases)
        XCTAssertEqual(streamed.byteCount, UInt64(data.count))
        func hex<D: Digest>(_ d: D) -> String { d.map { String(format: "%02x", $0) }.joined() }
        XCTAssertEqual(streamed.digests[.sha256], hex(SHA256.hash(data: data)))
        XCTAssertEqual(streamed.digests[.sha384], hex(SHA384.hash(data: data)))
        XCTAssertEqual(streamed.digests[.sha512], hex(SHA512.hash(data: data)))
        XCTAssertEqual(streamed.digests[.sha1], hex(Insecure.SHA1.hash(data: data)))
        XCTAssertEqual(streamed.digests[.md5], hex(Insecure.MD5.hash(data: data)))
        // An odd chunk size that straddles every block boundary gives the same answer.
        let tiny = try BagDigest.digests(ofFileAt: url, algorithms: BagAlgorithm.allCases, chunkSize: 4097)
        XCTAssertEqual(tiny, streamed)
        // And so does the system's own tool.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum") {
            let out = try OutsideTool.run("/usr/bin/sha256sum", [url.path]).output
            XCTAssertEqual(out.split(separator: " ").first.map(String.init), streamed.digests[.sha256])
        }
    }

    func testKnownVectors() throws {
        let empty = try writeFile("empty", in: scratch, Data())
        let abc = try writeFile("abc", in: scratch, Data("abc".utf8))
        XCTAssertEqual(try BagDigest.digests(ofFileAt: empty, algorithms: [.sha256]).digests[.sha256],
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(try BagDigest.digests(ofFileAt: abc, algorithms: [.md5]).digests[.md5],
                       "900150983cd24fb0d6963f7d28e17f72")
    }

    func testConcurrentDigestsMatchSequential() throws {
        var urls: [URL] = []
        for i in 0..<25 { urls.append(try writeFile("f\(i)", in: scratch, bytes(i * 7919 + 3, seed: UInt64(i)))) }
        urls.append(try writeFile("big", in: scratch, bytes(9 << 20, seed: 99)))
        let parallel = try BagDigest.digests(ofFilesAt: urls, algorithms: [.sha256, .sha512], concurrency: 2)
        let sequential = try urls.map { try BagDigest.digests(ofFileAt: $0, algorithms: [.sha256, .sha512]) }
        XCTAssertEqual(parallel, sequential)
    }

    func testSymlinkIsNotFollowed() throws {
        let target = try writeFile("t", in: scratch, Data("t".utf8))
        let link = scratch.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        XCTAssertThrowsError(try BagDigest.digests(ofFileAt: link, algorithms: [.sha256]))
    }

    /// Reasons read failures give in bag reports keep BagIt's wording.
    func testReadFailuresSayWhatWentWrong() throws {
        let target = try writeFile("t", in: scratch, Data("t".utf8))
        let link = scratch.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        XCTAssertThrowsError(try BagDigest.digests(ofFileAt: link, algorithms: [.sha256])) { error in
            XCTAssertEqual((error as? BagIOError)?.description, "cannot open \(link.path): \(String(cString: strerror(ELOOP)))")
        }
        let fifo = scratch.appendingPathComponent("fifo")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        XCTAssertThrowsError(try BagDigest.digests(ofFileAt: fifo, algorithms: [.sha256])) { error in
            XCTAssertEqual((error as? BagIOError)?.description, "not a regular file \(fifo.path): \(String(cString: strerror(EINVAL)))")
        }
        let missing = scratch.appendingPathComponent("missing")
        XCTAssertThrowsError(try BagFileIO.readSmallFile(path: missing.path)) { error in
            XCTAssertEqual((error as? BagIOError)?.description, "cannot open \(missing.path): \(String(cString: strerror(ENOENT)))")
        }
        XCTAssertThrowsError(try BagFileIO.readSmallFile(path: link.path))
        XCTAssertEqual(try BagFileIO.readSmallFile(path: target.path), Array("t".utf8))
    }

    func testPercentEncodingRoundTrip() {
        for name in ["plain", "a\nb", "c\rd", "e\r\nf", "50%", "%0A literally", "新\u{2028}行"] {
            XCTAssertEqual(BagPath.decode(Substring(BagPath.encode(name))), name)
        }
        XCTAssertEqual(BagPath.decode("data/a%0ab%0dc%25"), "data/a\nb\rc%")
        XCTAssertEqual(BagPath.decode("data/100%.txt"), "data/100%.txt")
    }
}
