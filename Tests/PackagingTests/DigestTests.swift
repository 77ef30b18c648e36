import Foundation
import XCTest
@testable import Packaging

#if canImport(Glibc)
import Glibc
#endif

final class DigestTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-digest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var x = seed | 1
        return (0 ..< count).map { _ in
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return UInt8(truncatingIfNeeded: x)
        }
    }

    @discardableResult
    private func write(_ name: String, _ content: [UInt8]) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(content).write(to: url)
        return url
    }

    /// `sha256sum`-style tools print `HEX  PATH` per file; returns the hex column.
    private func coreutils(_ tool: String, _ files: [URL]) throws -> [String] {
        let path = try OutsideTool.require(tool)
        let r = try OutsideTool.run(path, files.map(\.path))
        XCTAssertEqual(r.status, 0, r.output)
        return r.output.split(separator: "\n").map { String($0.prefix { $0 != " " }) }
    }

    // MARK: Names

    func testAlgorithmNamesAsPeopleWriteThem() {
        XCTAssertEqual(DigestAlgorithm(name: "sha256"), .sha256)
        XCTAssertEqual(DigestAlgorithm(name: "SHA-256"), .sha256)
        XCTAssertEqual(DigestAlgorithm(name: "sha_512"), .sha512)
        XCTAssertEqual(DigestAlgorithm(name: "SM3"), .sm3)
        XCTAssertEqual(DigestAlgorithm(name: "MD5"), .md5)
        XCTAssertEqual(DigestAlgorithm(name: "SHA-1"), .sha1)
        XCTAssertEqual(DigestAlgorithm(name: "SHA-384"), .sha384)
        XCTAssertNil(DigestAlgorithm(name: "blake2b-512"))
        XCTAssertNil(DigestAlgorithm(name: ""))
        // sha384 joined when BagIt's own engine was merged into this one (BagIt manifests use it).
        XCTAssertEqual(DigestAlgorithm.allCases.map(\.name).sorted(), ["md5", "sha1", "sha256", "sha384", "sha512", "sm3"])
        XCTAssertEqual(DigestAlgorithm.sm3.premisName, "SM3")
        XCTAssertEqual(DigestAlgorithm.sha256.premisName, "SHA-256")
        XCTAssertEqual(DigestAlgorithm.sha384.premisName, "SHA-384")
        XCTAssertEqual(DigestAlgorithm.allCases.sorted(), [.sha512, .sha384, .sm3, .sha256, .sha1, .md5])
        XCTAssertEqual(DigestAlgorithm.allCases.sorted().first, .sha512)
        XCTAssertEqual(DigestAlgorithm.allCases.sorted().last, .md5)
        XCTAssertFalse(DigestAlgorithm.md5.isCollisionResistant)
        XCTAssertTrue(DigestAlgorithm.sm3.isCollisionResistant)
    }

    func testHexLengthsMatchWhatHashersProduce() {
        for algorithm in DigestAlgorithm.allCases {
            let hex = DigestHasher(algorithm).finalizeHex()
            XCTAssertEqual(hex.count, algorithm.hexLength, algorithm.name)
            XCTAssertTrue(hex.allSatisfy { "0123456789abcdef".contains($0) })
        }
    }

    // MARK: One file

    /// Sizes around the 1 MiB read chunk: every algorithm in one pass must equal what the
    /// coreutils tools (and our in-memory path) compute for the same file.
    func testAllAlgorithmsInOnePassAgreeWithCoreutilsAcrossChunkBoundaries() throws {
        let chunk = FileDigest.chunkSize
        let sizes = [0, 1, 64, chunk - 1, chunk, chunk + 1, 2 * chunk + 12_345]
        var files: [URL] = []
        var contents: [[UInt8]] = []
        for (i, size) in sizes.enumerated() {
            let content = bytes(size, seed: UInt64(i + 1))
            files.append(try write("f\(i)", content))
            contents.append(content)
        }
        let all = Set(DigestAlgorithm.allCases)
        let ours = try files.map { try FileDigest.digests(of: $0, algorithms: all) }
        for (i, digests) in ours.enumerated() {
            XCTAssertEqual(Set(digests.keys), all)
            XCTAssertEqual(digests, FileDigest.digests(ofBytes: contents[i], algorithms: all), "size \(sizes[i])")
            XCTAssertEqual(digests[.sm3], SM3.hexDigest(of: contents[i]))
        }
        for (tool, algorithm) in [("sha256sum", DigestAlgorithm.sha256), ("sha384sum", .sha384), ("sha512sum", .sha512), ("sha1sum", .sha1), ("md5sum", .md5)] {
            let theirs = try coreutils(tool, files)
            XCTAssertEqual(ours.map { $0[algorithm] ?? "" }, theirs, tool)
        }
    }

    func testParallelAndSerialHashersAgree() throws {
        let content = bytes(3 * FileDigest.chunkSize + 777, seed: 42)
        let url = try write("big", content)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileDigest.chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        let all = Set(DigestAlgorithm.allCases)
        let serial = try FileDigest.digest(path: url.path, algorithms: all, buffer: buffer, parallelAlgorithms: false)
        let parallel = try FileDigest.digest(path: url.path, algorithms: all, buffer: buffer, parallelAlgorithms: true)
        XCTAssertEqual(serial, parallel)
    }

    func testEmptyAlgorithmSetGivesNoDigests() throws {
        let url = try write("x", [1, 2, 3])
        XCTAssertEqual(try FileDigest.digests(of: url, algorithms: []), [:])
    }

    func testDigestHasherStreamsLikeOneShot() {
        let content = bytes(10_000, seed: 9)
        for algorithm in DigestAlgorithm.allCases {
            var h = DigestHasher(algorithm)
            var i = 0
            for step in [1, 63, 64, 65, 1000, 4096] where i < content.count {
                let end = min(content.count, i + step)
                h.update(content[i ..< end])
                i = end
            }
            h.update(content[i...])
            XCTAssertEqual(h.finalizeHex(), FileDigest.digests(ofBytes: content, algorithms: [algorithm])[algorithm], algorithm.name)
        }
    }

    // MARK: Many files

    func testManyFilesConcurrentlyKeepInputOrder() throws {
        var files: [URL] = []
        // Mixed sizes, largest in the middle, so largest-first scheduling reorders the work.
        let sizes = [10, 0, 5000, 3 * FileDigest.chunkSize, 1, 200_000, FileDigest.chunkSize + 3, 77, 4096, 65_536, 12, 1_000_000]
        for (i, size) in sizes.enumerated() {
            files.append(try write("m\(i).bin", bytes(size, seed: UInt64(100 + i))))
        }
        let algorithms: Set<DigestAlgorithm> = [.sha256, .sm3]
        let oneByOne = try files.map { try FileDigest.digests(of: $0, algorithms: algorithms) }
        for concurrency in [1, 2, 4, 16] {
            let together = try FileDigest.digests(of: files, algorithms: algorithms, concurrency: concurrency)
            XCTAssertEqual(together, oneByOne, "concurrency \(concurrency)")
        }
        XCTAssertEqual(try FileDigest.digests(of: files, algorithms: [.sha256]).map { $0[.sha256]! },
                       try coreutils("sha256sum", files))
        XCTAssertEqual(try FileDigest.digests(of: [], algorithms: [.sha256]), [])
    }

    // MARK: Errors

    func testMissingFileAndDirectoryGiveClearErrors() throws {
        let missing = dir.appendingPathComponent("nope.bin")
        XCTAssertThrowsError(try FileDigest.digests(of: missing, algorithms: [.sha256])) { error in
            guard let e = error as? FileDigestError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.errno, ENOENT)
            XCTAssertEqual(e.path, missing.path)
            XCTAssertTrue(e.description.contains("nope.bin"), e.description)
            XCTAssertTrue(e.description.contains("No such file"), e.description)
        }
        XCTAssertThrowsError(try FileDigest.digests(of: dir, algorithms: [.sha256])) { error in
            XCTAssertEqual((error as? FileDigestError)?.errno, EISDIR)
        }
    }

    /// The default follows links like sha256sum; `insideTree` (what BagIt uses) refuses links and
    /// anything that is not a regular file, without blocking on a FIFO.
    func testInsideTreeRefusesLinksAndSpecialFilesTheDefaultFollowsLinks() throws {
        let target = try write("target", Array("target".utf8))
        let link = dir.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        XCTAssertEqual(try FileDigest.digests(of: link, algorithms: [.sha256]),
                       try FileDigest.digests(of: target, algorithms: [.sha256]))
        XCTAssertThrowsError(try FileDigest.digests(of: link, algorithms: [.sha256], options: .insideTree)) { error in
            XCTAssertEqual(error as? FileDigestError, FileDigestError(operation: "open", path: link.path, errno: ELOOP))
        }
        XCTAssertEqual(try FileDigest.digests(of: target, algorithms: [.sha256], options: .insideTree),
                       try FileDigest.digests(of: target, algorithms: [.sha256]))

        let fifo = dir.appendingPathComponent("fifo")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        for path in [fifo, dir!] {
            XCTAssertThrowsError(try FileDigest.digests(of: path, algorithms: [.sha256], options: .insideTree)) { error in
                XCTAssertEqual(error as? FileDigestError, FileDigestError(operation: "not a regular file", path: path.path, errno: EINVAL))
            }
        }

        let results = FileDigest.results(of: [target, link], algorithms: [.sha256, .sha512], options: .insideTree)
        XCTAssertEqual(try results[0].get(), try FileDigest.digests(of: target, algorithms: [.sha256, .sha512]))
        if case .failure(let e) = results[1] { XCTAssertEqual(e.errno, ELOOP) } else { XCTFail("a link inside the tree was followed") }
    }

    func testOneUnreadableFileDoesNotStopTheOthers() throws {
        let a = try write("a", Array("alpha".utf8))
        let b = dir.appendingPathComponent("missing")
        let c = try write("c", Array("gamma".utf8))
        let results = FileDigest.results(of: [a, b, c], algorithms: [.sha256])
        XCTAssertEqual(results.count, 3)
        XCTAssertEqual(try results[0].get()[.sha256], "8ed3f6ad685b959ead7022518e1af76cd816f8e8ec7ccdda1ed4018e8f2223f8")
        if case .failure(let e) = results[1] { XCTAssertEqual(e.errno, ENOENT) } else { XCTFail("expected a failure") }
        XCTAssertNoThrow(try results[2].get())
        XCTAssertThrowsError(try FileDigest.digests(of: [a, b, c], algorithms: [.sha256]))
    }
}
