import Foundation
import XCTest
@testable import Packaging

/// TAR transfer packages: pax and GNU long names, and the entry types that must never land
/// on the archives' disk.
final class ArchiveTarTests: ArchiveTestCase {

    /// Makes `<src>` with the given files and tars it with Python's tarfile in `format`.
    @discardableResult
    private func makeTar(_ tar: URL, src: URL, format: String, files: [String: String]) throws -> String {
        let spec = String(decoding: try JSONSerialization.data(withJSONObject: files), as: UTF8.self)
        return try py(#"""
        out, src, fmt, spec = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
        with tarfile.open(out, 'w', format=getattr(tarfile, fmt)) as t:
            for rel, content in __import__('json').loads(spec).items():
                p = os.path.join(src, rel)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                open(p, 'wb').write(content.encode())
            t.add(src, arcname='bag')
        with tarfile.open(out) as t:
            for m in t.getmembers():
                print(m.name, 'pax' if m.pax_headers else '-')
        """#, tar.path, src.path, format, spec)
    }

    func testPaxLongChineseNamesExtractByteIdentical() throws {
        let src = url("src")
        let tar = url("bag.tar")
        let long = "全宗J012/文书档案/2015年/永久/办公室/关于进一步加强和改进新形势下档案工作的若干意见的通知（正式印发稿）.pdf"
        XCTAssertGreaterThan(long.utf8.count, 100)
        let listing = try makeTar(tar, src: src, format: "PAX_FORMAT", files: [
            "data/" + long: "%PDF-1.4 正文",
            "data/照片/IMG_0001.jpg": "JPEG",
            "bagit.txt": "BagIt-Version: 1.0\n",
        ])
        XCTAssertTrue(listing.contains("bag/data/\(long) pax"), listing)

        let report = try extract(tar)
        XCTAssertEqual(report.kind, .tar)
        XCTAssertEqual(report.soleTopLevelDirectory, "bag")
        try assertSameTree(src, report.directory.appendingPathComponent("bag"))
        XCTAssertTrue(report.entries.contains { $0.path == "bag/data/" + long && $0.nameEncoding == .utf8 })
    }

    func testGNULongNames() throws {
        let src = url("src")
        let tar = url("gnu.tar")
        let long = String(repeating: "very-long-directory-name/", count: 6) + "会议纪要-第一次会议-讨论稿.docx"
        try makeTar(tar, src: src, format: "GNU_FORMAT", files: ["data/" + long: "minutes"])
        XCTAssertNotNil(try read(tar).range(of: Data("././@LongLink".utf8)), "no GNU long-name header")
        let report = try extract(tar)
        try assertSameTree(src, report.directory.appendingPathComponent("bag"))
    }

    /// A Chinese tar tool writing GBK into plain ustar name fields: not UTF-8, so GB18030.
    func testUstarGB18030NamesAreDecoded() throws {
        let tar = url("gbk.tar")
        try py(#"""
        with tarfile.open(sys.argv[1], 'w', format=tarfile.USTAR_FORMAT, encoding='gb18030') as t:
            data = '通知正文'.encode('utf-8')
            ti = tarfile.TarInfo('文书/关于档案工作的通知.txt')
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        assert '文书'.encode('gb18030') in open(sys.argv[1], 'rb').read()
        """#, tar.path)
        let report = try extract(tar)
        XCTAssertEqual(report.entries.map(\.name), ["文书/关于档案工作的通知.txt"])
        XCTAssertEqual(report.entries.first?.nameEncoding, .gb18030)
        XCTAssertEqual(try String(contentsOf: report.directory.appendingPathComponent("文书/关于档案工作的通知.txt"), encoding: .utf8), "通知正文")
    }

    /// `tar -C bag -cf x.tar .` names everything `./…`, including the root itself.
    func testDotSlashPrefixIsStripped() throws {
        let tar = url("dot.tar")
        try py(#"""
        src = sys.argv[2]
        os.makedirs(os.path.join(src, 'data'))
        open(os.path.join(src, 'data', 'a.txt'), 'w').write('a')
        with tarfile.open(sys.argv[1], 'w') as t:
            t.add(src, arcname='.')
        """#, tar.path, url("src").path)
        let report = try extract(tar)
        XCTAssertEqual(Set(report.entries.map(\.path)), ["", "data", "data/a.txt"])
        XCTAssertEqual(try String(contentsOf: report.directory.appendingPathComponent("data/a.txt"), encoding: .utf8), "a")
    }

    // MARK: - Refused entries

    /// One tar per hostile entry, each after a harmless file, so refusal must also undo that file.
    private func hostileTar(_ name: String, type: String, linkname: String = "", path: String = "data/x") throws -> URL {
        let tar = url("\(name).tar")
        try py(#"""
        out, kind, link, path = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
        with tarfile.open(out, 'w', format=tarfile.PAX_FORMAT) as t:
            good = tarfile.TarInfo('data/good.txt')
            good.size = 4
            t.addfile(good, io.BytesIO(b'good'))
            ti = tarfile.TarInfo(path)
            ti.type = getattr(tarfile, kind)
            ti.linkname = link
            if kind == 'REGTYPE':
                ti.size = 5
                t.addfile(ti, io.BytesIO(b'pwned'))
            else:
                ti.devmajor, ti.devminor = 8, 0
                t.addfile(ti)
        """#, tar.path, type, linkname, path)
        return tar
    }

    func testLinksAreRefused() throws {
        assertRefused(try hostileTar("symlink", type: "SYMTYPE", linkname: "/etc/passwd", path: "data/passwd"), .symlink, entry: "data/passwd")
        assertRefused(try hostileTar("hardlink", type: "LNKTYPE", linkname: "data/good.txt", path: "data/again.txt"), .symlink, entry: "data/again.txt")
    }

    func testDevicesAndFIFOsAreRefused() throws {
        assertRefused(try hostileTar("chr", type: "CHRTYPE", path: "dev/null"), .device, entry: "dev/null")
        assertRefused(try hostileTar("blk", type: "BLKTYPE", path: "dev/sda"), .device, entry: "dev/sda")
        assertRefused(try hostileTar("fifo", type: "FIFOTYPE", path: "data/pipe"), .device, entry: "data/pipe")
    }

    func testTraversalAndAbsoluteNamesAreRefused() throws {
        assertRefused(try hostileTar("dotdot", type: "REGTYPE", path: "../evil.txt"), .unsafePath, entry: "../evil.txt")
        assertRefused(try hostileTar("deep", type: "REGTYPE", path: "a/../../b"), .unsafePath, entry: "a/../../b")
        assertRefused(try hostileTar("abs", type: "REGTYPE", path: "/etc/cron.d/x"), .absolutePath, entry: "/etc/cron.d/x")
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("evil.txt").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: outDir.appendingPathComponent("evil.txt").path))
    }

    func testSparseAndUnknownTypesAreRefused() throws {
        assertRefused(try hostileTar("sparse", type: "GNUTYPE_SPARSE", path: "data/sparse.img"), .unsupportedEntryType)
    }

    func testDuplicateEntriesAreRefused() throws {
        let tar = url("dup.tar")
        try py(#"""
        with tarfile.open(sys.argv[1], 'w') as t:
            for content in (b'first', b'second'):
                ti = tarfile.TarInfo('data/报告.pdf')
                ti.size = len(content)
                t.addfile(ti, io.BytesIO(content))
        """#, tar.path)
        assertRefused(tar, .duplicateName, entry: "data/报告.pdf")
    }

    // MARK: - Damage and limits

    func testTruncatedTarIsCorrupt() throws {
        let tar = url("full.tar")
        try py(#"""
        with tarfile.open(sys.argv[1], 'w') as t:
            for name in ('a.bin', 'b.bin'):
                data = os.urandom(10_000)
                ti = tarfile.TarInfo(name)
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
        """#, tar.path)
        let data = try read(tar)
        // Inside b.bin's data; and exactly after it, without the end-of-archive blocks.
        let endOfB = 512 + 10_240 + 512 + 10_240
        for keep in [endOfB - 3000, endOfB] {
            let cut = url("cut-\(keep).tar")
            try data.prefix(keep).write(to: cut)
            assertRefused(cut, .corrupt, kind: .tar)
        }
        // A damaged header.
        var damaged = data
        damaged[10] ^= 0x01
        let bad = url("bad-checksum.tar")
        try damaged.write(to: bad)
        assertRefused(bad, .corrupt, kind: .tar)
    }

    func testTarSizeAndEntryLimits() throws {
        let tar = url("sized.tar")
        try py(#"""
        with tarfile.open(sys.argv[1], 'w') as t:
            for i in range(4):
                data = bytes(300_000)
                ti = tarfile.TarInfo(f'part-{i}.bin')
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
        """#, tar.path)
        assertRefused(tar, .tooLarge, entry: "part-3.bin", limits: ExtractionLimits(maxTotalBytes: 1_000_000))
        assertRefused(tar, .tooManyEntries, limits: ExtractionLimits(maxEntries: 2))
        XCTAssertEqual(try extract(tar).totalBytes, 1_200_000)
    }

    /// A 64 MiB tar member streams through the one chunk buffer, like a ZIP entry.
    func testLargeTarEntryStreams() throws {
        let tar = url("large.tar")
        try py(#"""
        with tarfile.open(sys.argv[1], 'w') as t:
            ti = tarfile.TarInfo('video/录像.mp4')
            ti.size = 64 << 20
            class Source(io.RawIOBase):
                def __init__(self): self.left = 64 << 20
                def readable(self): return True
                def readinto(self, b):
                    n = min(len(b), self.left); b[:n] = bytes([7]) * n; self.left -= n; return n
            t.addfile(ti, io.BufferedReader(Source()))
        """#, tar.path)
        let baseline = ArchiveZipTests.resetPeakMemory()
        let report = try extract(tar)
        let peak = ArchiveZipTests.memoryStatus("VmHWM")
        XCTAssertEqual(report.totalBytes, 64 << 20)
        if let baseline, let peak {
            print("tar 64 MiB entry: peak memory growth \((peak - baseline) >> 10) KiB")
            XCTAssertLessThan(peak - baseline, 32 << 20, "peak memory grew by \((peak - baseline) >> 20) MiB")
        }
    }
}
