import Foundation
import XCTest
@testable import Packaging

/// Damaged archives must be refused with an `ExtractionError`, never crash the server (a
/// Swift overflow trap on an attacker's 64-bit size would take the whole node down) and never
/// leave anything behind.
final class ArchiveRobustnessTests: ArchiveTestCase {
    /// LANTAI_ARCHIVE_MUTATIONS=20000 for a longer hunt; the default keeps the suite quick.
    private var rounds: Int {
        ProcessInfo.processInfo.environment["LANTAI_ARCHIVE_MUTATIONS"].flatMap { Int($0) } ?? 400
    }

    private func mutate(_ original: Data, seed: UInt64, rounds: Int, kind: ArchiveKind, minimumRefused: Int) throws {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        var refused = 0
        for round in 0..<rounds {
            var data = original
            switch round % 4 {
            case 0:  // flip a few bytes anywhere
                for _ in 0..<3 { data[Int(next() % UInt64(data.count))] ^= UInt8(truncatingIfNeeded: next() | 1) }
            case 1:  // saturate a 32-bit field (the ZIP64 marker and friends)
                let at = Int(next() % UInt64(data.count - 4))
                data.replaceSubrange(at..<(at + 4), with: [0xFF, 0xFF, 0xFF, 0xFF])
            case 2:  // truncate
                data = data.prefix(Int(next() % UInt64(data.count)))
            default:  // 0x80-prefixed bytes: tar base-256 numbers, GB18030 lead bytes
                let at = Int(next() % UInt64(data.count - 12))
                for i in 0..<12 { data[at + i] = i == 0 ? 0x80 : UInt8(truncatingIfNeeded: next()) }
            }
            let archive = url("m-\(round)")
            try data.write(to: archive)
            let dir = "r\(round)"
            do {
                let report = try ArchiveExtractor.extract(archive: archive, kind: kind, into: outDir, named: dir)
                try FileManager.default.removeItem(at: report.directory)
            } catch let error as ExtractionError {
                refused += 1
                XCTAssertNotEqual(error.code, .io, "\(error)")
            }
            assertNothingLeft()
            try FileManager.default.removeItem(at: archive)
        }
        XCTAssertGreaterThanOrEqual(refused, minimumRefused, "too few mutations were noticed")
    }

    func testMutatedZipsAreRefusedCleanly() throws {
        let zipURL = url("seed.zip")
        try py(#"""
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('bag/bagit.txt', b'BagIt-Version: 1.0\n')
            z.writestr('bag/data/文书/通知.txt', '关于档案工作的通知\n'.encode() * 30)
            z.writestr('bag/data/stored.bin', os.urandom(300), compress_type=zipfile.ZIP_STORED)
            with z.open('bag/data/z64.txt', 'w', force_zip64=True) as f:
                f.write(b'zip64 ' * 50)
        """#, zipURL.path)
        // Every byte of a zip is covered by a signature, a size or a CRC: nearly all are noticed.
        try mutate(try read(zipURL), seed: 1, rounds: rounds, kind: .zip, minimumRefused: rounds * 3 / 4)
    }

    func testMutatedTarsAreRefusedCleanly() throws {
        let tarURL = url("seed.tar")
        try py(#"""
        with tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT) as t:
            for name, data in [('bag/bagit.txt', b'BagIt-Version: 1.0\n'),
                               ('bag/data/' + '很长的文件名' * 12 + '.txt', '正文'.encode() * 100)]:
                ti = tarfile.TarInfo(name)
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
        """#, tarURL.path)
        // Most of a small tar is content and end-of-archive padding, which nothing can check.
        try mutate(try read(tarURL), seed: 2, rounds: rounds, kind: .tar, minimumRefused: rounds / 4)
    }
}
