import Foundation
import XCTest
@testable import Packaging

/// ZIP transfer packages: what agencies really send, and what attackers do.
final class ArchiveZipTests: ArchiveTestCase {

    // MARK: - Names

    func testChineseNamesWithUTF8FlagExtractByteIdentical() throws {
        let src = url("src")
        let zipURL = url("bag.zip")
        let flags = try py(#"""
        src, out = sys.argv[1], sys.argv[2]
        files = {
            '关于档案工作的通知.pdf': b'%PDF-1.4\n' + os.urandom(3000),
            '文书/2015年/会议纪要.docx': b'PK\x03\x04' + bytes(range(256)) * 40,
            '照片/2015/IMG_0001.jpg': os.urandom(300_000),
            'readme.txt': '兰台 Lantai test bag\n'.encode(),
            'empty.txt': b'',
        }
        for rel, data in files.items():
            p = os.path.join(src, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            open(p, 'wb').write(data)
        os.makedirs(os.path.join(src, '空目录'))
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
            for rel in files:
                z.write(os.path.join(src, rel), rel)
            z.write(os.path.join(src, '空目录'), '空目录/')
        with zipfile.ZipFile(out) as z:
            print(' '.join(f'{zi.filename}={zi.flag_bits & 0x800}' for zi in z.infolist()))
        """#, src.path, zipURL.path)
        XCTAssertTrue(flags.contains("关于档案工作的通知.pdf=2048"), flags)

        let report = try extract(zipURL)
        XCTAssertEqual(report.kind, .zip)
        XCTAssertEqual(report.directory.standardizedFileURL, outDir.appendingPathComponent("extracted").standardizedFileURL)
        try assertSameTree(src, report.directory)
        XCTAssertEqual(report.fileCount, 5)
        XCTAssertEqual(report.directoryCount, 1)
        XCTAssertEqual(report.totalBytes, report.entries.reduce(0) { $0 + $1.size })
        let byPath = Dictionary(uniqueKeysWithValues: report.entries.map { ($0.path, $0) })
        XCTAssertEqual(byPath["文书/2015年/会议纪要.docx"]?.nameEncoding, .utf8Flag)
        XCTAssertEqual(byPath["readme.txt"]?.nameEncoding, .ascii)
        XCTAssertEqual(byPath["空目录"]?.kind, .directory)
        XCTAssertNotNil(byPath["照片/2015/IMG_0001.jpg"]?.crc32)
        // Only the result is left in the parent: no staging directory.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outDir.path), ["extracted"])
    }

    /// What Chinese Windows writes: GBK/GB18030 bytes, bit 11 clear. Python's zipfile always
    /// flags non-ASCII names, so the names are written as same-length ASCII placeholders and the
    /// bytes swapped afterwards — exactly the bytes a Windows zip tool would have written.
    func testGB18030NamesWithoutUTF8FlagAreDecoded() throws {
        let zipURL = url("windows.zip")
        let names = [
            "关于档案工作的通知.pdf",
            "文书/2015年/会议纪要.docx",
            // GBK C4 BF C2 BC is also valid UTF-8 ("Ŀ¼"): the trap a UTF-8-first rule falls into.
            "目录.xls",
            // U+3400 is a four-byte GB18030 sequence (81 39 EE 39), beyond GBK.
            "档案/㐀.txt",
        ]
        let out = try py(#"""
        out, names = sys.argv[1], sys.argv[2:]
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
            for i, name in enumerate(names):
                raw = name.encode('gb18030')
                placeholder = (f'@{i}@' + '#' * len(raw))[:len(raw)].encode()
                z.writestr(placeholder.decode(), ('内容 %d ' % i).encode() * 50)
        for i, name in enumerate(names):
            raw = name.encode('gb18030')
            replace_bytes(out, (f'@{i}@' + '#' * len(raw))[:len(raw)].encode(), raw, 2)
        with zipfile.ZipFile(out) as z:
            for zi in z.infolist():
                assert zi.flag_bits & 0x800 == 0, zi.flag_bits
                print(zi.orig_filename.encode('cp437').hex())
        """#, zipURL.path, names[0], names[1], names[2], names[3])
        // Hex dump of the archive's name bytes: GB18030, no UTF-8.
        XCTAssertTrue(out.contains("b9d8d3dab5b5b0b8b9a4d7f7b5c4cda8d6aa2e706466"), out)  // 关于档案工作的通知.pdf
        XCTAssertTrue(out.contains("c4bfc2bc2e786c73"), out)  // 目录.xls
        let raw = try read(zipURL)
        XCTAssertNil(raw.range(of: Data("关于".utf8)))
        // The local headers themselves: general purpose bit 11 clear, name bytes GB18030.
        let bytes = [UInt8](raw)
        var headers: [(flags: UInt16, name: [UInt8])] = []
        var i = 0
        while i + 30 <= bytes.count {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 3, bytes[i + 3] == 4 {
                let flags = UInt16(bytes[i + 6]) | UInt16(bytes[i + 7]) << 8
                let n = Int(bytes[i + 26]) | Int(bytes[i + 27]) << 8
                headers.append((flags, Array(bytes[(i + 30)..<(i + 30 + n)])))
                i += 30 + n
            } else {
                i += 1
            }
        }
        XCTAssertEqual(headers.count, names.count)
        for h in headers { XCTAssertEqual(h.flags & 0x0800, 0, "UTF-8 flag set") }
        XCTAssertEqual(headers.first?.name, [0xB9, 0xD8, 0xD3, 0xDA, 0xB5, 0xB5, 0xB0, 0xB8, 0xB9, 0xA4, 0xD7, 0xF7,
                                              0xB5, 0xC4, 0xCD, 0xA8, 0xD6, 0xAA, 0x2E, 0x70, 0x64, 0x66])

        let report = try extract(zipURL)
        for (i, name) in names.enumerated() {
            let file = report.directory.appendingPathComponent(name)
            XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), String(repeating: "内容 \(i) ", count: 50), name)
        }
        XCTAssertEqual(Set(report.entries.map(\.name)), Set(names))
        XCTAssertEqual(Set(report.entries.map(\.nameEncoding)), [.gb18030])
    }

    /// Old Windows tools also write `\` as the separator. The name is decoded before it is
    /// split: 淺 is `9C 5C` in GBK, and its second byte must not be taken for a backslash.
    func testLegacyBackslashSeparatorsAfterDecoding() throws {
        let zipURL = url("backslash.zip")
        let name = "文书\\2015年\\淺析档案工作.txt"
        try py(#"""
        out, name = sys.argv[1], sys.argv[2]
        raw = name.encode('gbk')
        assert raw.count(b'\\') == 3, raw
        placeholder = b'#' * len(raw)
        with zipfile.ZipFile(out, 'w') as z:
            z.writestr(placeholder.decode(), b'content')
        replace_bytes(out, placeholder, raw, 2)
        """#, zipURL.path, name)
        let report = try extract(zipURL)
        XCTAssertEqual(report.entries.map(\.name), [name])
        XCTAssertEqual(report.entries.map(\.path), ["文书/2015年/淺析档案工作.txt"])
        XCTAssertEqual(try String(contentsOf: report.directory.appendingPathComponent("文书/2015年/淺析档案工作.txt"), encoding: .utf8), "content")
    }

    func testInfoZipUnicodePathExtraFieldIsHonoured() throws {
        let zipURL = url("unicode-path.zip")
        try py(#"""
        out = sys.argv[1]
        def unicode_path(header_name, real):
            u = real.encode('utf-8')
            return struct.pack('<HHBI', 0x7075, 5 + len(u), 1, zlib.crc32(header_name)) + u
        with zipfile.ZipFile(out, 'w') as z:
            zi = zipfile.ZipInfo('oem-name.txt')
            zi.extra = unicode_path(b'oem-name.txt', '统一命名/名称.txt')
            z.writestr(zi, b'one')
            # The CRC does not match this header name: a later tool renamed the entry, so the
            # header name wins.
            zi = zipfile.ZipInfo('renamed.txt')
            zi.extra = unicode_path(b'original.txt', '旧名称.txt')
            z.writestr(zi, b'two')
        """#, zipURL.path)
        let report = try extract(zipURL)
        XCTAssertEqual(try String(contentsOf: report.directory.appendingPathComponent("统一命名/名称.txt"), encoding: .utf8), "one")
        XCTAssertEqual(try String(contentsOf: report.directory.appendingPathComponent("renamed.txt"), encoding: .utf8), "two")
        XCTAssertEqual(report.entries.map(\.nameEncoding), [.unicodePathExtra, .ascii])
    }

    func testCP437TableMatchesPython() throws {
        let expected = try py(#"print(bytes(range(128, 256)).decode('cp437'), end='')"#)
        XCTAssertEqual(ArchiveNameDecoder.cp437(Array(128...255)), expected)
    }

    func testLegacyNameThatIsNotGB18030FallsBackToUTF8ThenCP437() throws {
        let decoder = ArchiveNameDecoder()
        // "é" in UTF-8 is C3 A9, which is valid GB18030 too (as 脙): GB18030 wins, by the rule.
        XCTAssertEqual(try decoder.decodeLegacyZipName([0xC3, 0xA9]).1, .gb18030)
        // A lone 0x80 is neither GB18030 nor UTF-8: CP437 (Ç).
        XCTAssertEqual(try decoder.decodeLegacyZipName([0x41, 0x80]).0, "AÇ")
        // 中 in UTF-8 (E4 B8 AD) leaves a lone AD for GB18030, which is invalid: UTF-8 it is.
        XCTAssertEqual(try decoder.decodeLegacyZipName(Array("中.txt".utf8)).1, .utf8)
        XCTAssertEqual(try decoder.decodeLegacyZipName(Array("中.txt".utf8)).0, "中.txt")
    }

    // MARK: - Layout variants

    /// Zips written to a pipe (web uploads zipped on the fly, Java's ZipOutputStream) put the
    /// sizes in a data descriptor after the data (bit 3); the central directory is still right.
    func testDataDescriptorEntries() throws {
        let zipURL = url("streamed.zip")
        try py(#"""
        class Pipe(io.RawIOBase):
            def __init__(self, f): self.f = f
            def writable(self): return True
            def seekable(self): return False
            def write(self, b): return self.f.write(b)
        with open(sys.argv[1], 'wb') as raw:
            with zipfile.ZipFile(Pipe(raw), 'w', zipfile.ZIP_DEFLATED) as z:
                z.writestr('文书/通知.txt', '通知\n'.encode() * 1000)
                z.writestr('stored.bin', os.urandom(5000), compress_type=zipfile.ZIP_STORED)
        with zipfile.ZipFile(sys.argv[1]) as z:
            assert all(zi.flag_bits & 0x08 for zi in z.infolist())
        """#, zipURL.path)
        let report = try extract(zipURL)
        XCTAssertEqual(try String(contentsOf: report.directory.appendingPathComponent("文书/通知.txt"), encoding: .utf8),
                       String(repeating: "通知\n", count: 1000))
        XCTAssertEqual(report.entries.first { $0.path == "stored.bin" }?.size, 5000)
    }

    /// An archive comment that itself contains an end-of-central-directory signature.
    func testFakeEndRecordInCommentIsSkipped() throws {
        let zipURL = url("comment.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.writestr('a.txt', b'real content')
            z.comment = b'PK\x05\x06' + bytes(18)
        """#, zipURL.path)
        let report = try extract(zipURL)
        XCTAssertEqual(report.entries.map(\.path), ["a.txt"])
    }

    /// A "directory" that carries data hides bytes no check would look at.
    func testDirectoryEntryWithContentIsCorrupt() throws {
        let zipURL = url("dir-data.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.writestr('data/', b'hidden payload')
        """#, zipURL.path)
        assertRefused(zipURL, .corrupt, entry: "data/")
    }

    // MARK: - Zip-slip and other unsafe names

    func testZipSlipPathsAreRefusedWithNothingWritten() throws {
        let cases: [(String, ExtractionError.Code)] = [
            ("../../evil.txt", .unsafePath),
            ("/etc/x", .absolutePath),
            ("a/../../b", .unsafePath),
            ("a/../b.txt", .unsafePath),
            ("..\\..\\evil.txt", .unsafePath),
            ("\\\\server\\share\\x.txt", .absolutePath),
            ("C:/Windows/evil.txt", .absolutePath),
            ("C:\\evil.txt", .absolutePath),
            ("d:evil.txt", .absolutePath),
            ("ok/evil\u{1}.txt", .unsafePath),
        ]
        for (i, (name, code)) in cases.enumerated() {
            let zipURL = url("slip-\(i).zip")
            try py(#"""
            with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
                z.writestr('good/first.txt', b'harmless')
                z.writestr(zipfile.ZipInfo(sys.argv[2]), b'pwned')
            """#, zipURL.path, name)
            assertRefused(zipURL, code, entry: name)
        }
        for escaped in ["evil.txt", "b", "b.txt", "../evil.txt"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent(escaped).path), escaped)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outDir.deletingLastPathComponent().appendingPathComponent("evil.txt").path))
    }

    func testSymlinkEntryIsRefused() throws {
        let zipURL = url("link.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.writestr('data/ok.txt', b'ok')
            zi = zipfile.ZipInfo('data/passwd')
            zi.create_system = 3
            zi.external_attr = (0o120777 << 16)
            z.writestr(zi, b'/etc/passwd')
        """#, zipURL.path)
        assertRefused(zipURL, .symlink, entry: "data/passwd")
    }

    func testDeviceEntryIsRefused() throws {
        let zipURL = url("device.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            zi = zipfile.ZipInfo('dev/sda')
            zi.create_system = 3
            zi.external_attr = (0o060660 << 16)
            z.writestr(zi, b'')
        """#, zipURL.path)
        assertRefused(zipURL, .device, entry: "dev/sda")
    }

    func testDuplicateNamesAfterNFCAreRefused() throws {
        let zipURL = url("dup.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.writestr(unicodedata.normalize('NFC', '档案/é.txt'), b'composed')
            z.writestr(unicodedata.normalize('NFD', '档案/é.txt'), b'decomposed')
        """#, zipURL.path)
        assertRefused(zipURL, .duplicateName)

        let clashURL = url("file-and-dir.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.writestr('data/报告', b'a file')
            z.writestr('data/报告/附件.pdf', b'under it')
        """#, clashURL.path)
        assertRefused(clashURL, .duplicateName, entry: "data/报告/附件.pdf")
    }

    func testPathLimits() throws {
        let zipURL = url("long.zip")
        let longComponent = String(repeating: "档", count: 90)  // 270 UTF-8 bytes
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.writestr('a/' + sys.argv[2] + '.txt', b'x')
        """#, zipURL.path, longComponent)
        assertRefused(zipURL, .pathTooLong)

        let deepURL = url("deep.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.writestr('/'.join(['目录'] * 10) + '/x.txt', b'x')
        """#, deepURL.path)
        assertRefused(deepURL, .pathTooLong, limits: ExtractionLimits(maxPathLength: 40))
        XCTAssertNoThrow(try extract(deepURL))
    }

    // MARK: - Bombs and limits

    /// The classic: headers claim 1,000 bytes; the deflate stream holds 200 MB of zeros.
    /// Refused after the first chunk, well before the 50 MB limit, and nothing remains.
    func testBombWithUnderstatedSizesIsRefusedQuickly() throws {
        let zipURL = url("bomb.zip")
        try py(#"""
        out = sys.argv[1]
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.writestr('readme.txt', b'hello')
            with z.open('data/zeros.bin', 'w') as f:
                chunk = bytes(1 << 20)
                for _ in range(200):
                    f.write(chunk)
        set_sizes(out, 1, 1000)
        """#, zipURL.path)
        XCTAssertLessThan(try FileManager.default.attributesOfItem(atPath: zipURL.path)[.size] as! Int, 1 << 20)
        let limits = ExtractionLimits(maxTotalBytes: 50_000_000)
        let started = Date()
        let error = assertRefused(zipURL, .bomb, entry: "data/zeros.bin", limits: limits)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "a bomb must be refused after reading a little")
        XCTAssertTrue(error?.description.contains("declares") ?? false, "\(String(describing: error))")
    }

    /// Same bomb with honest headers but a huge ratio allowance: the size limit refuses it
    /// before a byte is inflated.
    func testHonestOversizedArchiveIsRefusedBeforeInflating() throws {
        let zipURL = url("big.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            with z.open('zeros.bin', 'w') as f:
                for _ in range(60):
                    f.write(bytes(1 << 20))
        """#, zipURL.path)
        assertRefused(zipURL, .tooLarge, limits: ExtractionLimits(maxTotalBytes: 50_000_000, maxCompressionRatio: 1e9))
    }

    func testRatioBombIsRefused() throws {
        // One entry: 20 MiB of zeros, about 1,000:1, honestly declared.
        let zipURL = url("ratio.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.writestr('ok.txt', b'fine')
            z.writestr('zeros.bin', bytes(20 << 20))
        """#, zipURL.path)
        assertRefused(zipURL, .bomb, entry: "zeros.bin")

        // Many entries each under the 1 MiB grace size: only the whole archive's ratio shows it.
        let manyURL = url("ratio-many.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            for i in range(40):
                z.writestr(f'part-{i:03}.bin', bytes(1_000_000))
        """#, manyURL.path)
        let error = assertRefused(manyURL, .bomb)
        XCTAssertNil(error?.entry)

        // A small highly compressible file is not a bomb.
        let smallURL = url("small-zeros.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('blank.txt', b' ' * 500_000)
        """#, smallURL.path)
        XCTAssertEqual(try extract(smallURL).totalBytes, 500_000)
    }

    /// Thousands of central directory entries pointing at one compressed kernel (Fifield's
    /// non-recursive bomb): refused because entries share data.
    func testOverlappingEntriesAreRefused() throws {
        let zipURL = url("overlap.zip")
        try py(#"""
        out = sys.argv[1]
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('kernel.bin', bytes(100_000))
        data = open(out, 'rb').read()
        lh, cd, _, _ = layout(out)[0]
        n, e, c = struct.unpack('<HHH', data[cd+28:cd+34])
        central = data[cd:cd + 46 + n + e + c]
        entries = [central] + [central[:46] + ('k%05d.bin' % i).encode() + central[46+n:] for i in range(1, 50)]
        body = data[:cd]
        cdir = b''.join(entries)
        eocd = struct.pack('<4sHHHHIIH', b'PK\x05\x06', 0, 0, len(entries), len(entries), len(cdir), len(body), 0)
        open(out, 'wb').write(body + cdir + eocd)
        """#, zipURL.path)
        assertRefused(zipURL, .bomb, limits: ExtractionLimits(maxCompressionRatio: 1e9))
    }

    func testTooManyEntries() throws {
        let zipURL = url("many.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            for i in range(5):
                z.writestr(f'f{i}.txt', b'x')
        """#, zipURL.path)
        assertRefused(zipURL, .tooManyEntries, limits: ExtractionLimits(maxEntries: 3))
        XCTAssertEqual(try extract(zipURL, limits: ExtractionLimits(maxEntries: 5)).fileCount, 5)
    }

    // MARK: - Integrity

    func testCRCMismatchIsRefused() throws {
        // A stored entry with one byte flipped: the content itself is wrong.
        let storedURL = url("crc-stored.zip")
        try py(#"""
        out = sys.argv[1]
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_STORED) as z:
            z.writestr('data/scan.tif', b'II*\x00' + bytes(range(256)) * 20)
        off = data_offset(out, 0) + 100
        data = bytearray(open(out, 'rb').read())
        data[off] ^= 0xFF
        open(out, 'wb').write(bytes(data))
        """#, storedURL.path)
        assertRefused(storedURL, .crcMismatch, entry: "data/scan.tif")

        // A deflated entry whose recorded CRC is wrong.
        let deflatedURL = url("crc-deflated.zip")
        try py(#"""
        out = sys.argv[1]
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('文书/通知.txt', '关于档案工作的通知\n'.encode() * 100)
        set_crc(out, 0, 0xDEADBEEF)
        """#, deflatedURL.path)
        assertRefused(deflatedURL, .crcMismatch, entry: "文书/通知.txt")

        // A flipped byte inside deflate data: either the stream breaks or the CRC catches it.
        let flippedURL = url("crc-flipped.zip")
        try py(#"""
        out = sys.argv[1]
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('a.txt', os.urandom(2000) + b'text ' * 2000)
        off = data_offset(out, 0) + 500
        data = bytearray(open(out, 'rb').read())
        data[off] ^= 0x10
        open(out, 'wb').write(bytes(data))
        """#, flippedURL.path)
        do {
            _ = try extract(flippedURL)
            XCTFail("a flipped byte was not noticed")
        } catch let e as ExtractionError {
            XCTAssertTrue([.crcMismatch, .corrupt, .bomb].contains(e.code), "\(e)")
            assertNothingLeft()
        }
    }

    func testEncryptedEntryIsRefused() throws {
        let zipURL = url("encrypted.zip")
        try py(#"""
        out = sys.argv[1]
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('open.txt', b'readable')
            z.writestr('密件.pdf', b'%PDF-1.4 ' * 100)
        or_flags(out, 1, 0x0001)
        """#, zipURL.path)
        assertRefused(zipURL, .encrypted, entry: "密件.pdf")

        let aesURL = url("aes.zip")
        try py(#"""
        out = sys.argv[1]
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('secret.docx', b'x' * 100)
        set_method(out, 0, 99)
        """#, aesURL.path)
        assertRefused(aesURL, .encrypted, entry: "secret.docx")

        // A real ZipCrypto archive from Info-ZIP, when it is installed.
        if let zip = OutsideTool.path("zip") {
            let src = url("plain.txt")
            try Data("password protected".utf8).write(to: src)
            let real = url("zipcrypto.zip")
            let r = try OutsideTool.run(zip, ["-j", "-P", "secret", real.path, src.path])
            XCTAssertEqual(r.status, 0, r.output)
            assertRefused(real, .encrypted, entry: "plain.txt")
        }
    }

    func testUnsupportedCompressionIsRefused() throws {
        let zipURL = url("bzip2.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_BZIP2) as z:
            z.writestr('a.txt', b'bzip2 ' * 100)
        """#, zipURL.path)
        let error = assertRefused(zipURL, .unsupportedCompression, entry: "a.txt")
        XCTAssertEqual(error, .unsupportedCompression(entry: "a.txt", method: 12))
    }

    func testTruncatedZipIsCorrupt() throws {
        let zipURL = url("full.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('a.bin', os.urandom(200_000))
            z.writestr('b.bin', os.urandom(200_000))
        """#, zipURL.path)
        let data = try read(zipURL)
        for keep in [data.count / 2, data.count - 10, 100] {
            let cut = url("cut-\(keep).zip")
            try data.prefix(keep).write(to: cut)
            assertRefused(cut, .corrupt)
        }
        // The central directory intact but an entry's data gone from the middle.
        let holed = url("holed.zip")
        try (data.prefix(1000) + data.suffix(from: 150_000)).write(to: holed)
        assertRefused(holed, .corrupt)
    }

    // MARK: - ZIP64

    func testZip64LocalHeadersFromForceZip64() throws {
        let zipURL = url("force64.zip")
        let src = url("force64-src")
        let out = try py(#"""
        out, src = sys.argv[1], sys.argv[2]
        os.makedirs(os.path.join(src, '文书'))
        payload = '关于档案工作的通知\n'.encode() * 1000
        open(os.path.join(src, '文书', '通知.txt'), 'wb').write(payload)
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
            with z.open('文书/通知.txt', 'w', force_zip64=True) as f:
                f.write(payload)
        lh, _, ln, le = layout(out)[0]
        extra = open(out, 'rb').read()[lh + 30 + ln: lh + 30 + ln + le]
        print('zip64-extra' if struct.unpack_from('<H', extra, 0)[0] == 1 else 'none')
        """#, zipURL.path, src.path)
        XCTAssertTrue(out.contains("zip64-extra"), out)
        let report = try extract(zipURL)
        try assertSameTree(src, report.directory)
    }

    /// ZIP64 everywhere: central directory sizes and offsets in the 0x0001 extra field, and the
    /// ZIP64 end record and locator — what a package over 4 GiB looks like, made small by
    /// lowering Python's thresholds.
    func testZip64CentralDirectoryAndEndRecord() throws {
        let zipURL = url("zip64.zip")
        let src = url("zip64-src")
        let out = try py(#"""
        out, src = sys.argv[1], sys.argv[2]
        zipfile.ZIP64_LIMIT = 0
        zipfile.ZIP_FILECOUNT_LIMIT = 0
        files = {'bag/bagit.txt': b'BagIt-Version: 1.0\n', 'bag/data/照片.jpg': os.urandom(70_000),
                 'bag/data/空.txt': b'', 'bag/data/说明.txt': '说明\n'.encode() * 500}
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
            for rel, data in files.items():
                p = os.path.join(src, rel)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                open(p, 'wb').write(data)
                with z.open(rel, 'w', force_zip64=True) as f:
                    f.write(data)
        data = open(out, 'rb').read()
        print('eocd64' if b'PK\x06\x06' in data and b'PK\x06\x07' in data else 'no-eocd64')
        _, cd, _, _ = layout(out)[1]
        print('cd-offset-64' if struct.unpack_from('<I', data, cd + 42)[0] == 0xFFFFFFFF else 'cd-offset-32')
        with zipfile.ZipFile(out) as z:
            assert z.testzip() is None
        """#, zipURL.path, src.path)
        XCTAssertTrue(out.contains("eocd64"), out)
        XCTAssertTrue(out.contains("cd-offset-64"), out)
        let report = try extract(zipURL)
        try assertSameTree(src, report.directory)
        XCTAssertEqual(report.soleTopLevelDirectory, "bag")
    }

    // MARK: - Streaming

    /// A 64 MiB entry extracts while the process's peak resident memory grows by far less
    /// than 64 MiB: nothing holds the archive or the entry.
    func testLargeEntryStreamsWithoutHoldingItInMemory() throws {
        let zipURL = url("large.zip")
        let digest = try py(#"""
        out = sys.argv[1]
        h = hashlib.sha256()
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            with z.open('video/录像.mp4', 'w') as f:
                for i in range(64):
                    chunk = os.urandom(1 << 19) + bytes([i]) * (1 << 19)
                    h.update(chunk)
                    f.write(chunk)
        print(h.hexdigest())
        """#, zipURL.path).trimmingCharacters(in: .whitespacesAndNewlines)

        let baseline = Self.resetPeakMemory()
        let report = try extract(zipURL)
        let peak = Self.memoryStatus("VmHWM")
        XCTAssertEqual(report.totalBytes, 64 << 20)
        if let baseline, let peak {
            print("zip 64 MiB entry: peak memory growth \((peak - baseline) >> 10) KiB")
            XCTAssertLessThan(peak - baseline, 32 << 20, "peak memory grew by \((peak - baseline) >> 20) MiB extracting a 64 MiB entry")
        }
        let check = try py(#"""
        h = hashlib.sha256()
        with open(sys.argv[1], 'rb') as f:
            for chunk in iter(lambda: f.read(1 << 20), b''):
                h.update(chunk)
        print(h.hexdigest())
        """#, report.directory.appendingPathComponent("video/录像.mp4").path)
        XCTAssertEqual(check.trimmingCharacters(in: .whitespacesAndNewlines), digest)
    }

    /// Bytes from /proc/self/status (Linux), e.g. VmHWM, the peak resident set.
    static func memoryStatus(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
            return kb.map { $0 * 1024 }
        }
        return nil
    }

    /// Resets the peak (writing 5 to clear_refs, Linux ≥ 4.0) and returns the current resident
    /// set to measure growth from; if the reset is not allowed, the old peak is the baseline.
    static func resetPeakMemory() -> Int? {
        if let fh = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            fh.write(Data("5".utf8))
            try? fh.close()
            return memoryStatus("VmRSS")
        }
        return memoryStatus("VmHWM")
    }

    // MARK: - Format detection and the destination

    func testDetectionAndUnknownFormat() throws {
        let pdf = url("x.pdf")
        try Data("%PDF-1.7\n".utf8 + Data(repeating: 0x41, count: 2000)).write(to: pdf)
        assertRefused(pdf, .unknownFormat)
        XCTAssertNil(try ArchiveExtractor.detectKind(of: pdf))

        let zipURL = url("named.tar")  // a zip whatever its name says
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.writestr('a.txt', b'a')
        """#, zipURL.path)
        XCTAssertEqual(try ArchiveExtractor.detectKind(of: zipURL), .zip)
        // Told it is a tar, the reader finds no tar in it.
        assertRefused(zipURL, .corrupt, kind: .tar)
        XCTAssertEqual(try extract(zipURL).kind, .zip)

        // An archive with no entries at all is a valid, empty zip.
        let emptyURL = url("empty.zip")
        try py(#"zipfile.ZipFile(sys.argv[1], 'w').close()"#, emptyURL.path)
        let empty = try ArchiveExtractor.extract(archive: emptyURL, into: outDir, named: "empty")
        XCTAssertEqual(empty.entries, [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: empty.directory.path), [])
    }

    func testDestinationMustBeFresh() throws {
        let zipURL = url("a.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.writestr('a.txt', b'a')
        """#, zipURL.path)
        let first = try ArchiveExtractor.extract(archive: zipURL, into: outDir, named: "transfer-1")
        XCTAssertEqual(first.directory.lastPathComponent, "transfer-1")
        XCTAssertThrowsError(try ArchiveExtractor.extract(archive: zipURL, into: outDir, named: "transfer-1")) {
            XCTAssertEqual(($0 as? ExtractionError)?.code, .destinationExists)
        }
        XCTAssertThrowsError(try ArchiveExtractor.extract(archive: zipURL, into: outDir, named: "../escape")) {
            XCTAssertEqual(($0 as? ExtractionError)?.code, .unsafePath)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outDir.path), ["transfer-1"])

        // What a SIGKILL mid-extraction leaves, and its removal.
        let leftover = outDir.appendingPathComponent(".transfer-2.partial-Ab12Cd/content/x")
        try FileManager.default.createDirectory(at: leftover, withIntermediateDirectories: true)
        XCTAssertEqual(ArchiveExtractor.removeAbandonedExtractions(in: outDir, named: "transfer-1"), 0)
        XCTAssertEqual(ArchiveExtractor.removeAbandonedExtractions(in: outDir, named: "transfer-2"), 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outDir.path), ["transfer-1"])
    }
}
