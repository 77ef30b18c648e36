import Crypto
import Foundation
import XCTest
@testable import Packaging

/// BagWriter: what it writes, what it refuses, and that it never leaves half a bag.
final class BagItWriterTests: BagItTestCase {

    func testLayoutAndTagFiles() throws {
        let payload = try standardPayload()
        let bag = try writerBag(payload: payload)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: bag.path))
        XCTAssertEqual(names, ["bagit.txt", "bag-info.txt", "data", "manifest-sha256.txt", "manifest-sha512.txt",
                               "tagmanifest-sha256.txt", "tagmanifest-sha512.txt"])
        XCTAssertEqual(try read(bag.appendingPathComponent("bagit.txt")),
                       "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
        let info = try read(bag.appendingPathComponent("bag-info.txt"))
        XCTAssertTrue(info.hasPrefix("Source-Organization: 某市档案馆\n"))
        XCTAssertTrue(info.contains("Internal-Sender-Description: 第一行\n 第二行\n"))
        XCTAssertTrue(info.contains("Bag-Software-Agent: Lantai\n"))
        XCTAssertNotNil(info.range(of: #"Bagging-Date: \d{4}-\d{2}-\d{2}\n"#, options: .regularExpression))
        // Payload copied byte for byte, and the manifest digest is the real one.
        for item in payload {
            let copy = try Data(contentsOf: bag.appendingPathComponent("data/" + item.relativePath))
            XCTAssertEqual(copy, try Data(contentsOf: item.source))
            let line = "\(SHA256.hash(data: copy).map { String(format: "%02x", $0) }.joined())  data/\(item.relativePath)\n"
            XCTAssertTrue(try read(bag.appendingPathComponent("manifest-sha256.txt")).contains(line), line)
        }
        let tagLines = try read(bag.appendingPathComponent("tagmanifest-sha512.txt")).split(separator: "\n")
        XCTAssertEqual(tagLines.map { $0.split(separator: " ").last! }, ["bagit.txt", "bag-info.txt", "manifest-sha512.txt", "manifest-sha256.txt"])
    }

    func testGivenOxumIsReplacedAndGivenDateKept() throws {
        let src = try writeFile("x", in: scratch, Data("12345".utf8))
        let bag = scratch.appendingPathComponent("b")
        try BagWriter.write(bagAt: bag, payload: [("x", src)],
                            bagInfo: [("Payload-Oxum", "999.9"), ("Bagging-Date", "2015-06-30")], algorithms: [.sha512])
        let report = try validate(bag)
        XCTAssertTrue(report.isValid, report.description)
        XCTAssertEqual(report.bagInfo.filter { $0.0 == "Payload-Oxum" }.map(\.1), ["5.1"])
        XCTAssertEqual(report.bagInfoValue("Bagging-Date"), "2015-06-30")
        XCTAssertEqual(report.algorithms, [.sha512])
        try assertBothAccept(bag)
    }

    func testEveryAlgorithm() throws {
        let src = try writeFile("x", in: scratch, bytes(70_000, seed: 9))
        let bag = scratch.appendingPathComponent("all")
        try BagWriter.write(bagAt: bag, payload: [("x.bin", src)], bagInfo: [], algorithms: BagAlgorithm.allCases)
        let report = try validate(bag)
        XCTAssertTrue(report.isValid, report.description)
        XCTAssertEqual(report.algorithms, [.sha512, .sha384, .sha256, .sha1, .md5])
        try assertBothAccept(bag)
    }

    func testEmptyPayload() throws {
        let bag = scratch.appendingPathComponent("empty")
        try BagWriter.write(bagAt: bag, payload: [], bagInfo: [])
        let report = try validate(bag)
        XCTAssertTrue(report.isValid, report.description)
        XCTAssertEqual(report.bagInfoValue("Payload-Oxum"), "0.0")
        try assertBothAccept(bag)
    }

    func testRejectsUnsafeAndConflictingPaths() throws {
        let src = try writeFile("x", in: scratch, Data("x".utf8))
        let bad = ["../x", "a/../../x", "/etc/passwd", "", "a//b", "./a", "~/x", "a/./b", "data/x", "C:\\x", "a\\..\\..\\x"]
        for path in bad {
            let bag = scratch.appendingPathComponent("bad-\(UUID().uuidString)")
            XCTAssertThrowsError(try BagWriter.write(bagAt: bag, payload: [(path, src)], bagInfo: []), path) { error in
                guard case BagWriter.Failure.unsafePath = error else { return XCTFail("\(path): \(error)") }
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: bag.path))
        }
        let conflicts: [[String]] = [["a.txt", "a.txt"], ["caf\u{E9}.txt", "cafe\u{301}.txt"], ["a", "a/b"], ["a/b/c", "a/b"]]
        for pair in conflicts {
            let bag = scratch.appendingPathComponent("conflict")
            XCTAssertThrowsError(try BagWriter.write(bagAt: bag, payload: pair.map { ($0, src) }, bagInfo: [])) { error in
                guard case BagWriter.Failure.conflictingPaths = error else { return XCTFail("\(pair): \(error)") }
            }
        }
    }

    func testRejectsBadBagInfoLabels() throws {
        let src = try writeFile("x", in: scratch, Data("x".utf8))
        for label in ["", "Has:Colon", " Leading", "Trailing ", "Line\nBreak"] {
            XCTAssertThrowsError(try BagWriter.write(bagAt: scratch.appendingPathComponent("i"), payload: [("x", src)],
                                                     bagInfo: [(label, "v")]), label)
        }
    }

    func testFailureLeavesNothingBehind() throws {
        let good = try writeFile("good", in: scratch, bytes(10_000, seed: 4))
        let missing = scratch.appendingPathComponent("does-not-exist")
        let bag = scratch.appendingPathComponent("half")
        XCTAssertThrowsError(try BagWriter.write(bagAt: bag, payload: [("good", good), ("gone", missing)], bagInfo: []))
        XCTAssertFalse(FileManager.default.fileExists(atPath: bag.path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.contains("partial") }
        XCTAssertEqual(leftovers, [])
    }

    func testDirectoryAsSourceIsRefused() throws {
        let dir = scratch.appendingPathComponent("adir", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let bag = scratch.appendingPathComponent("d")
        XCTAssertThrowsError(try BagWriter.write(bagAt: bag, payload: [("x", dir)], bagInfo: []))
        XCTAssertFalse(FileManager.default.fileExists(atPath: bag.path))
    }

    func testExistingDestination() throws {
        let src = try writeFile("x", in: scratch, Data("x".utf8))
        let bag = try writerBag()
        XCTAssertThrowsError(try BagWriter.write(bagAt: bag, payload: [("x", src)], bagInfo: [])) { error in
            guard case BagWriter.Failure.destinationExists = error else { return XCTFail("\(error)") }
        }
        XCTAssertTrue(try validate(bag).isValid, "the existing bag is untouched")
        // An empty directory (made by a caller beforehand) is fine.
        let empty = scratch.appendingPathComponent("made-before", isDirectory: true)
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try BagWriter.write(bagAt: empty, payload: [("x", src)], bagInfo: [])
        XCTAssertTrue(try validate(empty).isValid)
    }

    func testBigFileUsesBothCoresAndStaysCorrect() throws {
        // 9 MiB alone in a bag takes the path that hashes its algorithms side by side.
        let data = bytes(9 << 20, seed: 5)
        let src = try writeFile("big.bin", in: scratch, data)
        let bag = scratch.appendingPathComponent("big")
        try BagWriter.write(bagAt: bag, payload: [("big.bin", src)], bagInfo: [], algorithms: [.sha256, .sha512], concurrency: 2)
        let m = try read(bag.appendingPathComponent("manifest-sha512.txt"))
        XCTAssertEqual(m, "\(sha(.sha512, data))  data/big.bin\n")
        XCTAssertTrue(try validate(bag).isValid)
        try assertBothAccept(bag)
    }
}
