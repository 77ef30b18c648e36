import Foundation
import XCTest
@testable import Packaging

/// Scratch space and fixtures for the BagIt tests: real files in a temporary directory,
/// real bags written by BagWriter or by bagit-python, and the outside validator's verdict.
class BagItTestCase: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("lantai-bagit-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    /// Deterministic pseudo-random bytes, so a failing digest can be reproduced.
    func bytes(_ count: Int, seed: UInt64) -> Data {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        var out = Data(count: count)
        out.withUnsafeMutableBytes { raw in
            let p = raw.bindMemory(to: UInt8.self)
            for i in 0..<count {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                p[i] = UInt8(truncatingIfNeeded: state >> 33)
            }
        }
        return out
    }

    @discardableResult
    func writeFile(_ relative: String, in dir: URL, _ data: Data) throws -> URL {
        let url = dir.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        return url
    }

    /// The payload most tests start from: Chinese directory and file names, a nested photo,
    /// an empty file — what an agency's transfer (移交) really looks like.
    func standardPayload() throws -> [(relativePath: String, source: URL)] {
        let src = scratch.appendingPathComponent("src", isDirectory: true)
        let files: [(String, Data)] = [
            ("文书/关于档案工作的通知.pdf", Data("%PDF-1.4\n".utf8) + bytes(3000, seed: 1)),
            ("照片/2015/IMG_0001.jpg", bytes(200_000, seed: 2)),
            ("readme.txt", Data("兰台 Lantai test bag\n".utf8)),
            ("empty.txt", Data()),
        ]
        return try files.map { (rel, data) in (rel, try writeFile(rel, in: src, data)) }
    }

    let standardInfo: [(String, String)] = [
        ("Source-Organization", "某市档案馆"),
        ("External-Identifier", "J012-WS·2015-Y-BGS-0001"),
        ("Internal-Sender-Description", "第一行\n第二行"),
    ]

    /// A fresh bag written by BagWriter.
    func writerBag(_ name: String = "bag", payload: [(relativePath: String, source: URL)]? = nil) throws -> URL {
        let bag = scratch.appendingPathComponent(name, isDirectory: true)
        try BagWriter.write(bagAt: bag, payload: payload ?? standardPayload(), bagInfo: standardInfo)
        return bag
    }

    /// A bag made in place by the bagit-python library from the files in `dir`.
    func pythonBag(_ dir: URL, info: [String: String] = [:], checksums: [String] = ["sha256", "sha512"]) throws {
        let python = try OutsideTool.python(with: "bagit")
        let script = """
        import sys, json, bagit
        bagit.make_bag(sys.argv[1], json.loads(sys.argv[2]), checksums=json.loads(sys.argv[3]))
        """
        let infoJSON = String(decoding: try JSONSerialization.data(withJSONObject: info), as: UTF8.self)
        let checksumsJSON = String(decoding: try JSONSerialization.data(withJSONObject: checksums), as: UTF8.self)
        let r = try OutsideTool.run(python, ["-c", script, dir.path, infoJSON, checksumsJSON])
        XCTAssertEqual(r.status, 0, "bagit.make_bag failed: \(r.output)")
    }

    /// bagit.py --validate's verdict (exit status 0 = valid).
    func bagitPy(_ bag: URL) throws -> OutsideTool.Result {
        let tool = try OutsideTool.require("bagit.py")
        return try OutsideTool.run(tool, ["--validate", bag.path])
    }

    func validate(_ bag: URL, fast: Bool = false) throws -> BagReport {
        try BagValidator.validate(directory: bag, options: .init(fast: fast))
    }

    /// The corruption is caught by us with `code`, and bagit.py rejects the same bag.
    func assertBothReject(_ bag: URL, _ code: BagProblemCode, file: StaticString = #filePath, line: UInt = #line) throws {
        let report = try validate(bag)
        XCTAssertFalse(report.isValid, "Lantai accepted a corrupt bag", file: file, line: line)
        XCTAssertTrue(report.hasProblem(code), "expected \(code.rawValue), got:\n\(report)", file: file, line: line)
        let outside = try bagitPy(bag)
        XCTAssertNotEqual(outside.status, 0, "bagit.py accepted what Lantai rejected:\n\(outside.output)", file: file, line: line)
    }

    /// Both validators accept the bag.
    func assertBothAccept(_ bag: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let report = try validate(bag)
        XCTAssertTrue(report.isValid, "Lantai rejected a valid bag:\n\(report)", file: file, line: line)
        let outside = try bagitPy(bag)
        XCTAssertEqual(outside.status, 0, "bagit.py rejected what Lantai accepted:\n\(outside.output)", file: file, line: line)
    }

    func read(_ url: URL) throws -> String { String(decoding: try Data(contentsOf: url), as: UTF8.self) }

    func append(_ text: String, to url: URL) throws {
        let h = try FileHandle(forWritingTo: url)
        try h.seekToEnd()
        try h.write(contentsOf: Data(text.utf8))
        try h.close()
    }

    func replace(_ old: String, with new: String, in url: URL) throws {
        let text = try read(url)
        XCTAssertTrue(text.contains(old), "\(old) not in \(url.lastPathComponent)")
        try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: url)
    }

    func sha(_ algorithm: BagAlgorithm, _ data: Data) -> String {
        BagDigest.digests(of: Array(data), algorithms: [algorithm])[algorithm]!
    }
}
