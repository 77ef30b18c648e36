import Foundation
import XCTest
@testable import Packaging

/// BagValidator against real bags, with bagit-python (`bagit.py --validate`) as the referee:
/// each corruption must be caught with the right code, and bagit.py must agree it is invalid.
final class BagItValidatorTests: BagItTestCase {

    // MARK: round trips with the outside tool

    func testBagWrittenByLantaiPassesBagitPy() throws {
        let payload = try standardPayload()
        let bag = try writerBag(payload: payload)
        let report = try validate(bag)
        XCTAssertTrue(report.isValid, report.description)
        XCTAssertEqual(report.version, "1.0")
        XCTAssertEqual(report.payloadFiles, 4)
        let total = try payload.reduce(UInt64(0)) { $0 + UInt64(try Data(contentsOf: $1.source).count) }
        XCTAssertEqual(report.payloadBytes, total)
        XCTAssertEqual(report.algorithms, [.sha512, .sha256])
        XCTAssertEqual(report.bagInfoValue("Payload-Oxum"), "\(total).4")
        XCTAssertEqual(report.bagInfoValue("Bag-Software-Agent"), "Lantai")
        XCTAssertEqual(report.bagInfo.first?.0, "Source-Organization")
        XCTAssertEqual(report.bagInfoValue("Source-Organization"), "某市档案馆")
        // A value with a line break is written as a continuation line and reads back unfolded.
        XCTAssertEqual(report.bagInfoValue("Internal-Sender-Description"), "第一行 第二行")
        XCTAssertTrue(report.warnings.isEmpty, report.description)
        let outside = try bagitPy(bag)
        XCTAssertEqual(outside.status, 0, outside.output)
    }

    func testBagMadeByBagitPythonPassesLantai() throws {
        let dir = scratch.appendingPathComponent("pybag", isDirectory: true)
        try writeFile("文书/2015/关于档案工作的通知.pdf", in: dir, bytes(5000, seed: 3))
        try writeFile("plain.txt", in: dir, Data("plain\n".utf8))
        try writeFile("100%.txt", in: dir, Data("percent\n".utf8))
        try writeFile("with space/and tab\t.txt", in: dir, Data("ws\n".utf8))
        try pythonBag(dir, info: ["Source-Organization": "某市档案馆", "Contact-Name": "张三"])
        let report = try validate(dir)
        XCTAssertTrue(report.isValid, report.description)
        XCTAssertEqual(report.payloadFiles, 4)
        XCTAssertEqual(report.algorithms, [.sha512, .sha256])
        XCTAssertEqual(report.bagInfoValue("Contact-Name"), "张三")
        XCTAssertNotNil(report.bagInfoValue("Payload-Oxum"))
        XCTAssertEqual(report.bagInfo.filter { $0.0 == "Source-Organization" }.map(\.1), ["某市档案馆"])
    }

    func testPythonBagWithOneAlgorithmAndLegacyMD5() throws {
        let dir = scratch.appendingPathComponent("pymd5", isDirectory: true)
        try writeFile("a.txt", in: dir, Data("a\n".utf8))
        try pythonBag(dir, checksums: ["md5", "sha1", "sha384"])
        let report = try validate(dir)
        XCTAssertTrue(report.isValid, report.description)
        XCTAssertEqual(report.algorithms, [.sha384, .sha1, .md5])
    }

    // MARK: corruptions — each caught with its code, and bagit.py agrees

    func testFlippedByteIsADigestMismatch() throws {
        let bag = try writerBag()
        let file = bag.appendingPathComponent("data/照片/2015/IMG_0001.jpg")
        var data = try Data(contentsOf: file)
        data[1234] ^= 0x01
        try data.write(to: file)
        try assertBothReject(bag, .manifestDigestMismatch)
        let report = try validate(bag)
        XCTAssertEqual(report.problems.map(\.code), ["manifest-digest-mismatch"], report.description)
        XCTAssertEqual(report.problems.first?.path, "data/照片/2015/IMG_0001.jpg")
        XCTAssertTrue(report.problems[0].message.contains("manifest-sha256.txt"))
        XCTAssertTrue(report.problems[0].message.contains("manifest-sha512.txt"))
    }

    func testMissingFile() throws {
        let bag = try writerBag()
        try FileManager.default.removeItem(at: bag.appendingPathComponent("data/readme.txt"))
        try assertBothReject(bag, .missingFile)
        let report = try validate(bag)
        XCTAssertEqual(report.problems.first { $0.code == "missing-file" }?.path, "data/readme.txt")
        XCTAssertTrue(report.hasProblem(.payloadOxumMismatch))
    }

    func testExtraUnlistedFile() throws {
        let bag = try writerBag()
        try writeFile("data/文书/夹带.txt", in: bag, Data("smuggled\n".utf8))
        try assertBothReject(bag, .unlistedFile)
        let report = try validate(bag)
        XCTAssertEqual(report.problems.first { $0.code == "unlisted-file" }?.path, "data/文书/夹带.txt")
    }

    func testWrongPayloadOxum() throws {
        let bag = try writerBag()
        let info = bag.appendingPathComponent("bag-info.txt")
        let oxum = try validate(bag).bagInfoValue("Payload-Oxum")!
        try replace("Payload-Oxum: \(oxum)", with: "Payload-Oxum: 1.4", in: info)
        try assertBothReject(bag, .payloadOxumMismatch)
    }

    func testMalformedPayloadOxum() throws {
        let bag = try writerBag()
        let info = bag.appendingPathComponent("bag-info.txt")
        let oxum = try validate(bag).bagInfoValue("Payload-Oxum")!
        try replace("Payload-Oxum: \(oxum)", with: "Payload-Oxum: lots.4", in: info)
        try assertBothReject(bag, .badBagInfo)
    }

    func testMalformedBagInfoLine() throws {
        let bag = try writerBag()
        try append("this line has no colon\n", to: bag.appendingPathComponent("bag-info.txt"))
        try assertBothReject(bag, .badBagInfo)
        let problem = try validate(bag).problems.first { $0.code == "bad-bag-info" }
        XCTAssertEqual(problem?.path, "bag-info.txt")
        XCTAssertTrue(problem?.message.contains("line 8") ?? false, problem?.message ?? "")
    }

    func testMissingBagitTxt() throws {
        let bag = try writerBag()
        try FileManager.default.removeItem(at: bag.appendingPathComponent("bagit.txt"))
        try assertBothReject(bag, .missingBagitTxt)
    }

    func testEscapingPathInManifest() throws {
        let bag = try writerBag()
        let outside = try writeFile("escape.txt", in: scratch, Data("outside\n".utf8))
        let digest = sha(.sha256, try Data(contentsOf: outside))
        try append("\(digest)  ../escape.txt\n", to: bag.appendingPathComponent("manifest-sha256.txt"))
        try assertBothReject(bag, .unsafePath)
        XCTAssertEqual(try validate(bag).problems.first { $0.code == "unsafe-path" }?.path, "../escape.txt")
    }

    func testEscapingPathThroughData() throws {
        let bag = try writerBag()
        try append("\(String(repeating: "0", count: 64))  data/../../escape.txt\n", to: bag.appendingPathComponent("manifest-sha256.txt"))
        try assertBothReject(bag, .unsafePath)
    }

    func testAbsolutePathInManifest() throws {
        let bag = try writerBag()
        try append("\(String(repeating: "0", count: 64))  /etc/passwd\n", to: bag.appendingPathComponent("manifest-sha256.txt"))
        try assertBothReject(bag, .unsafePath)
    }

    func testSymlinkInPayload() throws {
        // The attack: a link in data/ to a file outside, listed with its true digest so a
        // naive checker that follows links calls the bag valid — and ingests /etc/shadow.
        let bag = try writerBag()
        let secret = try writeFile("secret.txt", in: scratch, Data("not yours\n".utf8))
        let link = bag.appendingPathComponent("data/secret.txt")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: secret)
        let data = try Data(contentsOf: secret)
        for algorithm in [BagAlgorithm.sha256, .sha512] {
            try append("\(sha(algorithm, data))  data/secret.txt\n", to: bag.appendingPathComponent(algorithm.manifestFileName))
        }
        try assertBothReject(bag, .symlink)
        let report = try validate(bag)
        XCTAssertEqual(report.problems.first { $0.code == "symlink" }?.path, "data/secret.txt")
        XCTAssertFalse(report.hasProblem(.missingFile), "a listed symlink is reported once, as a symlink")
    }

    func testSymlinkedDirectoryIsReported() throws {
        let bag = try writerBag()
        try FileManager.default.createSymbolicLink(
            at: bag.appendingPathComponent("data/etc"), withDestinationURL: URL(fileURLWithPath: "/etc"))
        let report = try validate(bag)
        XCTAssertTrue(report.hasProblem(.symlink), report.description)
    }

    func testFIFOIsASpecialFile() throws {
        // bagit.py would block forever opening the FIFO, so only Lantai is asked here.
        let bag = try writerBag()
        let path = bag.appendingPathComponent("data/pipe").path
        XCTAssertEqual(mkfifo(path, 0o644), 0)
        let report = try validate(bag)
        XCTAssertTrue(report.hasProblem(.specialFile), report.description)
    }

    func testEveryReasonIsReported() throws {
        let bag = try writerBag()
        let photo = bag.appendingPathComponent("data/照片/2015/IMG_0001.jpg")
        var data = try Data(contentsOf: photo)
        data[0] ^= 0xFF
        try data.write(to: photo)
        try FileManager.default.removeItem(at: bag.appendingPathComponent("data/readme.txt"))
        try writeFile("data/extra.bin", in: bag, Data([1, 2, 3]))
        let report = try validate(bag)
        let codes = Set(report.problems.map(\.code))
        XCTAssertTrue(codes.isSuperset(of: ["manifest-digest-mismatch", "missing-file", "unlisted-file"]), report.description)
        let outside = try bagitPy(bag)
        XCTAssertNotEqual(outside.status, 0)
    }

    func testUnsupportedBagitVersion() throws {
        let bag = try writerBag()
        try replace("BagIt-Version: 1.0", with: "BagIt-Version: 2.0", in: bag.appendingPathComponent("bagit.txt"))
        try assertBothReject(bag, .badBagitVersion)
    }

    func testByteOrderMarkInBagitTxt() throws {
        let bag = try writerBag()
        let url = bag.appendingPathComponent("bagit.txt")
        try (Data([0xEF, 0xBB, 0xBF]) + Data(contentsOf: url)).write(to: url)
        try assertBothReject(bag, .encoding)
    }

    func testTagFileChangedIsATagmanifestMismatch() throws {
        let bag = try writerBag()
        try replace("某市档案馆", with: "另一个档案馆", in: bag.appendingPathComponent("bag-info.txt"))
        try assertBothReject(bag, .tagmanifestDigestMismatch)
        XCTAssertEqual(try validate(bag).problems.map(\.path), ["bag-info.txt"])
    }

    func testTagFileListedButMissing() throws {
        let bag = try writerBag()
        try FileManager.default.removeItem(at: bag.appendingPathComponent("bag-info.txt"))
        try assertBothReject(bag, .missingFile)
    }

    func testNoPayloadManifest() throws {
        let bag = try writerBag()
        for name in ["manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-sha512.txt"] {
            try FileManager.default.removeItem(at: bag.appendingPathComponent(name))
        }
        try assertBothReject(bag, .noPayloadManifest)
    }

    func testMissingPayloadDirectory() throws {
        let bag = try writerBag()
        try FileManager.default.removeItem(at: bag.appendingPathComponent("data"))
        try assertBothReject(bag, .missingPayloadDirectory)
    }

    func testFetchedFilesAreUnsupported() throws {
        let bag = try writerBag()
        let digest256 = String(repeating: "a", count: 64), digest512 = String(repeating: "b", count: 128)
        try append("\(digest256)  data/remote.bin\n", to: bag.appendingPathComponent("manifest-sha256.txt"))
        try append("\(digest512)  data/remote.bin\n", to: bag.appendingPathComponent("manifest-sha512.txt"))
        try writeFile("fetch.txt", in: bag, Data("https://example.org/remote.bin 1024 data/remote.bin\n".utf8))
        try assertBothReject(bag, .fetchUnsupported)
        XCTAssertFalse(try validate(bag).hasProblem(.missingFile))
    }

    func testBadManifestLines() throws {
        let bag = try writerBag()
        let m = bag.appendingPathComponent("manifest-sha256.txt")
        try append("justonefield\n", to: m)
        try append("nothex!!  data/readme.txt\n", to: m)
        try append("\(String(repeating: "0", count: 64))  bag-info.txt\n", to: m)
        let report = try validate(bag)
        let bad = report.problems.filter { $0.code == "bad-manifest-line" }.map(\.message)
        for line in ["line 5: not \"DIGEST PATH\"", "line 6: \"nothex!!\" is not a sha256 digest",
                     "line 7: a payload manifest must list only files under data/"] {
            XCTAssertTrue(bad.contains { $0.contains(line) }, "\(line) not in\n\(report)")
        }
        // bagit.py only logs malformed lines; it rejects this bag because the tag manifest
        // no longer matches the edited manifest.
        let outside = try bagitPy(bag)
        XCTAssertNotEqual(outside.status, 0)
    }

    func testFileListedTwice() throws {
        let bag = try writerBag()
        let m = bag.appendingPathComponent("manifest-sha256.txt")
        let line = try read(m).split(separator: "\n").first { $0.hasSuffix("data/readme.txt") }!
        try append(line + "\n", to: m)
        let report = try validate(bag)
        XCTAssertTrue(report.hasProblem(.badManifestLine), report.description)
        let outside = try bagitPy(bag)
        XCTAssertNotEqual(outside.status, 0)
    }

    func testUnknownAlgorithm() throws {
        let bag = try writerBag()
        // With a checkable manifest beside it, an unknown one is only a warning…
        try FileManager.default.copyItem(
            at: bag.appendingPathComponent("manifest-sha256.txt"), to: bag.appendingPathComponent("manifest-whirlpool.txt"))
        var report = try validate(bag)
        XCTAssertTrue(report.isValid, report.description)
        XCTAssertTrue(report.warnings.contains { $0.code == "unknown-algorithm" })
        // …alone, nothing can be checked.
        for name in ["manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-sha512.txt"] {
            try FileManager.default.removeItem(at: bag.appendingPathComponent(name))
        }
        report = try validate(bag)
        XCTAssertTrue(report.hasProblem(.unknownAlgorithm), report.description)
    }

    func testFastValidationChecksOxumAndCompletenessOnly() throws {
        let bag = try writerBag()
        let photo = bag.appendingPathComponent("data/照片/2015/IMG_0001.jpg")
        var data = try Data(contentsOf: photo)
        data[7] ^= 0x10
        try data.write(to: photo)
        let fast = try validate(bag, fast: true)
        XCTAssertTrue(fast.isValid, fast.description)
        XCTAssertFalse(fast.digestsChecked)
        XCTAssertFalse(try validate(bag).isValid)
        let outside = try OutsideTool.run(try OutsideTool.require("bagit.py"), ["--validate", "--fast", bag.path])
        XCTAssertEqual(outside.status, 0, outside.output)

        try writeFile("data/extra.txt", in: bag, Data())
        let incomplete = try validate(bag, fast: true)
        XCTAssertTrue(incomplete.hasProblem(.unlistedFile), incomplete.description)
    }

    func testFastValidationNeedsPayloadOxum() throws {
        let bag = try writerBag()
        let info = bag.appendingPathComponent("bag-info.txt")
        let oxum = try validate(bag).bagInfoValue("Payload-Oxum")!
        try replace("Payload-Oxum: \(oxum)\n", with: "", in: info)
        XCTAssertTrue(try validate(bag, fast: true).hasProblem(.missingPayloadOxum))
        let outside = try OutsideTool.run(try OutsideTool.require("bagit.py"), ["--validate", "--fast", bag.path])
        XCTAssertNotEqual(outside.status, 0)
    }

    // MARK: names

    func testChineseFileNameRoundTrips() throws {
        let src = try writeFile("n.pdf", in: scratch, Data("%PDF-1.7\n通知\n".utf8))
        let bag = try writerBag(payload: [("文书/关于档案工作的通知.pdf", src)])
        XCTAssertEqual(try Data(contentsOf: bag.appendingPathComponent("data/文书/关于档案工作的通知.pdf")), try Data(contentsOf: src))
        XCTAssertTrue(try read(bag.appendingPathComponent("manifest-sha256.txt")).contains("  data/文书/关于档案工作的通知.pdf\n"))
        try assertBothAccept(bag)
    }

    func testNFCManifestMatchesNFDNameOnDisk() throws {
        let nfc = "data/caf\u{E9}/r\u{E9}sum\u{E9}.txt"
        let nfd = "data/cafe\u{301}/re\u{301}sume\u{301}.txt"
        XCTAssertNotEqual(Array(nfc.utf8), Array(nfd.utf8))
        let src = try writeFile("r.txt", in: scratch, Data("résumé\n".utf8))
        let bag = try writerBag(payload: [(String(nfc.dropFirst(5)), src)])
        // Rename on disk to NFD, as a copy through macOS does.
        XCTAssertEqual(rename(bag.path + "/data/caf\u{E9}", bag.path + "/data/cafe\u{301}"), 0)
        XCTAssertEqual(rename(bag.path + "/data/cafe\u{301}/r\u{E9}sum\u{E9}.txt", bag.path + "/" + nfd), 0)
        let entries = try FileManager.default.contentsOfDirectory(atPath: bag.path + "/data")
        XCTAssertTrue(entries.contains { Array($0.utf8) == Array("cafe\u{301}".utf8) }, "\(entries.map { Array($0.utf8) })")
        try assertBothAccept(bag)
    }

    func testNFDManifestMatchesNFCNameOnDisk() throws {
        let dir = scratch.appendingPathComponent("pynfd", isDirectory: true)
        try writeFile("cafe\u{301}-档案.txt", in: dir, Data("x\n".utf8))
        try pythonBag(dir)
        let nfd = dir.path + "/data/cafe\u{301}-档案.txt"
        let nfc = dir.path + "/data/caf\u{E9}-档案.txt"
        XCTAssertEqual(rename(nfd, nfc), 0)
        XCTAssertTrue(try read(dir.appendingPathComponent("manifest-sha256.txt")).utf8.contains(0xCC), "manifest keeps NFD")
        let report = try validate(dir)
        XCTAssertTrue(report.isValid, report.description)
        // bagit-python 1.9 agrees the bag is complete but then opens the manifest's NFD
        // spelling to hash it (its lookup is keyed by NFC), so it cannot read the file. Its
        // completeness check is the comparison that matters here.
        let complete = try OutsideTool.run(try OutsideTool.require("bagit.py"), ["--validate", "--completeness-only", dir.path])
        XCTAssertEqual(complete.status, 0, complete.output)
    }

    func testNonUTF8FileNameIsAnEncodingProblem() throws {
        // A GBK-encoded name (档 = B5 B5) straight from an old Windows share.
        let bag = try writerBag()
        let path: [UInt8] = Array((bag.path + "/data/").utf8) + [0xB5, 0xB5, 0x2E, 0x74, 0x78, 0x74, 0]
        let fd = path.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { open($0, O_CREAT | O_WRONLY, 0o644) }
        }
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)
        try assertBothReject(bag, .encoding)
    }

    func testVersion097IsRead() throws {
        let bag = try writerBag()
        try replace("BagIt-Version: 1.0", with: "BagIt-Version: 0.97", in: bag.appendingPathComponent("bagit.txt"))
        for name in ["tagmanifest-sha256.txt", "tagmanifest-sha512.txt"] {
            try FileManager.default.removeItem(at: bag.appendingPathComponent(name))
        }
        let report = try validate(bag)
        XCTAssertEqual(report.version, "0.97")
        try assertBothAccept(bag)
    }

    func testTwoNamesDifferingOnlyInNormalisationConflict() throws {
        let bag = try writerBag()
        try writeFile("data/caf\u{E9}.txt", in: bag, Data("1".utf8))
        try writeFile("data/cafe\u{301}.txt", in: bag, Data("2".utf8))
        XCTAssertTrue(try validate(bag).hasProblem(.normalizationConflict))
    }

    func testPercentEncodedNewlineFromBagitPython() throws {
        let dir = scratch.appendingPathComponent("pynl", isDirectory: true)
        try writeFile("line\nbreak.txt", in: dir, Data("nl\n".utf8))
        try pythonBag(dir)
        XCTAssertTrue(try read(dir.appendingPathComponent("manifest-sha256.txt")).contains("data/line%0Abreak.txt"))
        let report = try validate(dir)
        XCTAssertTrue(report.isValid, report.description)
        XCTAssertEqual(report.payloadFiles, 1)
    }

    func testPercentEncodedNamesFromLantai() throws {
        let a = try writeFile("a", in: scratch, Data("a".utf8))
        let b = try writeFile("b", in: scratch, Data("b".utf8))
        let bag = try writerBag(payload: [("line\nbreak.txt", a), ("carriage\rreturn.txt", b)])
        let manifest = try read(bag.appendingPathComponent("manifest-sha256.txt"))
        XCTAssertTrue(manifest.contains("data/line%0Abreak.txt"))
        XCTAssertTrue(manifest.contains("data/carriage%0Dreturn.txt"))
        XCTAssertEqual(manifest.split(separator: "\n").count, 2)
        try assertBothAccept(bag)
    }

    func testUnicodeLineSeparatorInNameIsOneManifestLine() throws {
        // RFC 8493 splits lines at CR and LF only, so U+2028 is an ordinary character in a
        // path. (bagit-python splits there, which is why BagWriter refuses to write such names.)
        let a = try writeFile("a", in: scratch, Data("a".utf8))
        let bag = try writerBag(payload: [("sep.txt", a)])
        XCTAssertEqual(rename(bag.path + "/data/sep.txt", bag.path + "/data/分隔\u{2028}符.txt"), 0)
        for name in ["manifest-sha256.txt", "manifest-sha512.txt"] {
            try replace("data/sep.txt", with: "data/分隔\u{2028}符.txt", in: bag.appendingPathComponent(name))
        }
        for name in ["tagmanifest-sha256.txt", "tagmanifest-sha512.txt"] {
            try FileManager.default.removeItem(at: bag.appendingPathComponent(name))
        }
        let report = try validate(bag)
        XCTAssertTrue(report.isValid, report.description)
        XCTAssertThrowsError(try BagWriter.write(bagAt: scratch.appendingPathComponent("u2028"),
                                                 payload: [("分隔\u{2028}符.txt", a)], bagInfo: []))
    }

    func testPercentSignIsEncodedAsRFC8493Requires() throws {
        // RFC 8493 §2.1.3 says % MUST be written %25. bagit-python 1.9 neither writes nor
        // reads %25, so this one is checked against the RFC only.
        let a = try writeFile("a", in: scratch, Data("a".utf8))
        let bag = try writerBag(payload: [("50%25 off.txt", a)])
        XCTAssertTrue(try read(bag.appendingPathComponent("manifest-sha256.txt")).contains("data/50%2525 off.txt"))
        let report = try validate(bag)
        XCTAssertTrue(report.isValid, report.description)
    }

    // MARK: tag file syntax

    func testContinuationLinesCRLFAndBOM() throws {
        let bag = try writerBag()
        for name in ["tagmanifest-sha256.txt", "tagmanifest-sha512.txt"] {
            try FileManager.default.removeItem(at: bag.appendingPathComponent(name))
        }
        let info = bag.appendingPathComponent("bag-info.txt")
        try append("External-Description: 关于档案工作\n  的通知\n\tand more\n", to: info)
        // CRLF line ends everywhere, and a BOM on a manifest: both read (bagit.py agrees).
        for name in ["bag-info.txt", "manifest-sha256.txt"] {
            let url = bag.appendingPathComponent(name)
            try Data(try read(url).replacingOccurrences(of: "\n", with: "\r\n").utf8).write(to: url)
        }
        let m = bag.appendingPathComponent("manifest-sha512.txt")
        try (Data([0xEF, 0xBB, 0xBF]) + Data(contentsOf: m)).write(to: m)
        let report = try validate(bag)
        XCTAssertTrue(report.isValid, report.description)
        XCTAssertEqual(report.bagInfoValue("External-Description"), "关于档案工作  的通知\tand more")
        XCTAssertTrue(report.warnings.contains { $0.code == "encoding" && $0.path == "manifest-sha512.txt" })
        let outside = try bagitPy(bag)
        XCTAssertEqual(outside.status, 0, outside.output)
    }

    func testRepeatedLabelsKeepTheirOrder() throws {
        let src = try writeFile("x", in: scratch, Data("x".utf8))
        let bag = scratch.appendingPathComponent("rep")
        try BagWriter.write(bagAt: bag, payload: [("x", src)], bagInfo: [
            ("Contact-Name", "张三"), ("Organization-Address", "某市"), ("Contact-Name", "李四"),
        ])
        let report = try validate(bag)
        XCTAssertEqual(report.bagInfo.filter { $0.0 == "Contact-Name" }.map(\.1), ["张三", "李四"])
        XCTAssertEqual(Array(report.bagInfo.prefix(3).map(\.0)), ["Contact-Name", "Organization-Address", "Contact-Name"])
        try assertBothAccept(bag)
    }

    func testSameVerdictWithOneCoreOrTwo() throws {
        var payload: [(relativePath: String, source: URL)] = []
        for i in 0..<40 {
            payload.append(("batch/\(i).bin", try writeFile("many/\(i).bin", in: scratch, bytes(1000 * i + 1, seed: UInt64(i)))))
        }
        let bag = try writerBag(payload: payload)
        for i in [3, 17, 39] {
            let url = bag.appendingPathComponent("data/batch/\(i).bin")
            var d = try Data(contentsOf: url)
            d[0] ^= 1
            try d.write(to: url)
        }
        let one = try BagValidator.validate(directory: bag, options: .init(concurrency: 1))
        let two = try BagValidator.validate(directory: bag, options: .init(concurrency: 2))
        XCTAssertEqual(one.problems, two.problems)
        XCTAssertEqual(one.problems.map(\.path), ["data/batch/17.bin", "data/batch/3.bin", "data/batch/39.bin"])
    }

    func testNotADirectoryThrows() {
        XCTAssertThrowsError(try BagValidator.validate(directory: scratch.appendingPathComponent("nope")))
    }
}
