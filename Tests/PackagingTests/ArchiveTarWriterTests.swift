import Foundation
@testable import Packaging
import XCTest

/// What `lantai transfer submit` packs, GNU tar and our own extractor both read back exactly.
final class ArchiveTarWriterTests: XCTestCase {
    func testGNUTarAndOurExtractorReadWhatWeWrite() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-tarw-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let src = base.appendingPathComponent("src")
        let longName = "文书/" + String(repeating: "关于进一步加强档案安全工作的通知", count: 4) + ".txt"
        let files: [String: Data] = [
            "bagit.txt": Data("BagIt-Version: 1.0\n".utf8),
            longName: Data("档案".utf8),
            "data/big.bin": Data((0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }),
            "data/empty": Data(),
        ]
        for (name, data) in files {
            let url = src.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        let tar = base.appendingPathComponent("out.tar")
        try TarWriter.write(directory: src, to: tar)

        let gnu = base.appendingPathComponent("gnu")
        try FileManager.default.createDirectory(at: gnu, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/tar")
        p.arguments = ["-xf", tar.path, "-C", gnu.path]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "GNU tar reads the archive")
        let ours = try ArchiveExtractor.extract(archive: tar, kind: .tar, into: base, named: "ours")
        for (name, data) in files {
            XCTAssertEqual(FileManager.default.contents(atPath: gnu.appendingPathComponent(name).path), data, "GNU tar: \(name)")
            XCTAssertEqual(FileManager.default.contents(atPath: ours.directory.appendingPathComponent(name).path), data, "ours: \(name)")
        }
    }

    func testLinksAreRefused() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-tarw-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let src = base.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: src.appendingPathComponent("link").path, withDestinationPath: "/etc/passwd")
        XCTAssertThrowsError(try TarWriter.write(directory: src, to: base.appendingPathComponent("out.tar")))
    }
}
