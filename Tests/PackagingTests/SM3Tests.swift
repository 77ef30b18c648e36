import Foundation
import XCTest
@testable import Packaging

final class SM3Tests: XCTestCase {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    private func sm3Hex(_ bytes: [UInt8]) -> String { hex(SM3.hash(data: bytes)) }

    /// A small deterministic generator, so a failure names an input that can be rebuilt.
    private struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private func randomBytes(_ count: Int, _ rng: inout SplitMix64) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        for i in out.indices { out[i] = UInt8(truncatingIfNeeded: rng.next()) }
        return out
    }

    // MARK: GB/T 32905-2016 Appendix A

    func testStandardExampleABC() {
        XCTAssertEqual(
            sm3Hex(Array("abc".utf8)),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    }

    func testStandardExample512Bits() {
        let message = Array(String(repeating: "abcd", count: 16).utf8)
        XCTAssertEqual(message.count, 64)
        XCTAssertEqual(
            sm3Hex(message),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
    }

    func testEmptyMessage() {
        XCTAssertEqual(
            sm3Hex([]),
            "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b")
        XCTAssertEqual(SM3().finalize().count, 32)
    }

    func testHexDigestAndDataOverloadsAgree() {
        let bytes = Array("兰台 digital archives".utf8)
        let expected = sm3Hex(bytes)
        XCTAssertEqual(SM3.hexDigest(of: bytes), expected)
        XCTAssertEqual(hex(SM3.hash(data: Data(bytes))), expected)
        XCTAssertEqual(hex(bytes.withUnsafeBytes { SM3.hash(bufferPointer: $0) }), expected)
        var h = SM3()
        h.update(data: Data(bytes))
        XCTAssertEqual(hex(h.finalize()), expected)
    }

    // MARK: Padding and streaming

    /// Lengths either side of the 56-byte padding limit and of one and two blocks: a wrong
    /// length field or a missing extra padding block shows up exactly here.
    func testBlockBoundaryLengthsAgreeWithIncrementalHashing() {
        var rng = SplitMix64(state: 0x5_33)
        let lengths = [1, 55, 56, 57, 63, 64, 65, 119, 120, 121, 127, 128, 129, 191, 192, 1000]
        for length in lengths {
            let message = randomBytes(length, &rng)
            let oneShot = sm3Hex(message)
            // Byte by byte.
            var h = SM3()
            for b in message { h.update([b]) }
            XCTAssertEqual(hex(h.finalize()), oneShot, "byte-wise, length \(length)")
            // Odd chunk sizes, including ones that straddle block boundaries.
            for chunk in [3, 7, 13, 31, 33, 63, 65, 100] {
                var h = SM3()
                var i = 0
                while i < message.count {
                    let end = min(i + chunk, message.count)
                    message[i ..< end].withUnsafeBytes { h.update($0) }
                    i = end
                }
                XCTAssertEqual(hex(h.finalize()), oneShot, "chunks of \(chunk), length \(length)")
            }
        }
    }

    func testFinalizeLeavesTheHasherUsable() {
        var h = SM3()
        h.update(Array("ab".utf8))
        _ = h.finalize()
        h.update(Array("c".utf8))
        XCTAssertEqual(hex(h.finalize()), sm3Hex(Array("abc".utf8)))
    }

    func testNonContiguousDataProtocolInput() {
        // DispatchData with several regions exercises the region-by-region update.
        var rng = SplitMix64(state: 99)
        let parts = [randomBytes(10, &rng), randomBytes(70, &rng), randomBytes(1, &rng), randomBytes(200, &rng)]
        var dd = DispatchData.empty
        for p in parts { p.withUnsafeBytes { dd.append($0) } }
        XCTAssertEqual(hex(SM3.hash(data: dd)), sm3Hex(parts.flatMap { $0 }))
    }

    // MARK: Agreement with outside implementations

    /// Our digests against the gmssl Python package over a few hundred random messages of
    /// lengths 0…4096 plus a few larger ones. The messages go over stdin as hex lines.
    func testAgreesWithGmsslOnRandomInputs() throws {
        let python = try OutsideTool.python(with: "gmssl")
        var rng = SplitMix64(state: 0x9_1AD)
        var messages: [[UInt8]] = []
        for length in 0 ... 130 { messages.append(randomBytes(length, &rng)) }
        for _ in 0 ..< 200 { messages.append(randomBytes(Int(rng.next() % 4097), &rng)) }
        for length in [8191, 8192, 8193, 65_537] { messages.append(randomBytes(length, &rng)) }

        let script = """
            import sys
            from gmssl import sm3, func
            for line in sys.stdin:
                data = bytes.fromhex(line.strip())
                print(sm3.sm3_hash(func.bytes_to_list(data)))
            """
        let input = messages.map(hex).joined(separator: "\n") + "\n"
        let result = try OutsideTool.run(python, ["-c", script], stdin: Data(input.utf8))
        XCTAssertEqual(result.status, 0, result.output)
        let theirs = result.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(theirs.count, messages.count, result.output.prefix(500).description)
        var mismatches = 0
        for (i, message) in messages.enumerated() where i < theirs.count {
            if sm3Hex(message) != theirs[i] {
                mismatches += 1
                if mismatches <= 5 { XCTFail("length \(message.count): ours \(sm3Hex(message)), gmssl \(theirs[i])") }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }

    /// Our streaming file digest against `openssl dgst -sm3`, on files of a few sizes including
    /// one larger than the 1 MiB read chunk.
    func testAgreesWithOpenSSLWhenAvailable() throws {
        let openssl = try OutsideTool.require("openssl")
        let probe = try OutsideTool.run(openssl, ["dgst", "-sm3"], stdin: Data("abc".utf8))
        guard probe.status == 0, probe.output.contains("66c7f0f462eeedd9") else {
            throw XCTSkip("this openssl has no SM3: \(probe.output.prefix(200))")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sm3-openssl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        var rng = SplitMix64(state: 7)
        var files: [URL] = []
        for (i, size) in [0, 1, 63, 64, 65, 4096, (1 << 20) - 1, (1 << 20) + 17, 3 * (1 << 20) + 5].enumerated() {
            let url = dir.appendingPathComponent("f\(i).bin")
            try Data(randomBytes(size, &rng)).write(to: url)
            files.append(url)
        }
        let ours = try FileDigest.digests(of: files, algorithms: [.sm3])
        for (url, digests) in zip(files, ours) {
            let r = try OutsideTool.run(openssl, ["dgst", "-sm3", "-r", url.path])
            XCTAssertEqual(r.status, 0, r.output)
            let theirs = r.output.split(separator: " ").first.map(String.init) ?? ""
            XCTAssertEqual(digests[.sm3], theirs, url.lastPathComponent)
        }
    }
}
