import Foundation
import XCTest
@testable import Packaging

/// Scratch space and archive fixtures for the extractor tests. Archives are made by Python's
/// own zipfile and tarfile (the venv's python3, else the system one), so the reader is tested
/// against a writer it does not share code with; the hostile ones are Python archives with
/// bytes patched the way an attacker (or a Chinese Windows zip tool) would write them.
class ArchiveTestCase: XCTestCase {
    var scratch: URL!
    var python: String!

    /// Where extractions go; must be empty again after any refusal.
    var outDir: URL { scratch.appendingPathComponent("out", isDirectory: true) }

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("lantai-archive-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        python = try OutsideTool.python(with: "zipfile, tarfile, zlib")
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    /// Helpers every fixture script starts with: finding each entry's local and central
    /// headers, and patching their fields.
    static let preamble = #"""
    import sys, os, io, struct, zlib, zipfile, tarfile, unicodedata, hashlib

    def layout(path):
        """[(local header offset, central header offset, name length, extra length)] in CD order."""
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            start = z.start_dir
        data = open(path, 'rb').read()
        out, p = [], start
        for zi in infos:
            assert data[p:p+4] == b'PK\x01\x02', 'central header expected'
            n, e, c = struct.unpack('<HHH', data[p+28:p+34])
            ln, le = struct.unpack('<HH', data[zi.header_offset+26:zi.header_offset+30])
            out.append((zi.header_offset, p, ln, le))
            p += 46 + n + e + c
        return out

    def patch(path, edits):
        """edits: [(offset, struct format, value)]"""
        data = bytearray(open(path, 'rb').read())
        for off, fmt, val in edits:
            struct.pack_into(fmt, data, off, val)
        open(path, 'wb').write(bytes(data))

    def set_sizes(path, index, uncompressed):
        lh, cd, _, _ = layout(path)[index]
        patch(path, [(lh + 22, '<I', uncompressed), (cd + 24, '<I', uncompressed)])

    def or_flags(path, index, bits):
        lh, cd, _, _ = layout(path)[index]
        data = open(path, 'rb').read()
        lf = struct.unpack_from('<H', data, lh + 6)[0]
        cf = struct.unpack_from('<H', data, cd + 8)[0]
        patch(path, [(lh + 6, '<H', lf | bits), (cd + 8, '<H', cf | bits)])

    def set_method(path, index, method):
        lh, cd, _, _ = layout(path)[index]
        patch(path, [(lh + 8, '<H', method), (cd + 10, '<H', method)])

    def set_crc(path, index, crc):
        lh, cd, _, _ = layout(path)[index]
        patch(path, [(lh + 14, '<I', crc), (cd + 16, '<I', crc)])

    def data_offset(path, index):
        lh, _, ln, le = layout(path)[index]
        return lh + 30 + ln + le

    def replace_bytes(path, old, new, count):
        data = open(path, 'rb').read()
        assert data.count(old) == count, (old, data.count(old))
        assert len(old) == len(new)
        open(path, 'wb').write(data.replace(old, new))

    """#

    /// Runs a fixture script (after `preamble`) with `args`; fails the test on a non-zero exit.
    @discardableResult
    func py(_ script: String, _ args: String...) throws -> String {
        let r = try OutsideTool.run(python, ["-c", Self.preamble + script] + args)
        guard r.status == 0 else { throw FixtureError(message: "fixture script failed (\(r.status)):\n\(r.output)") }
        return r.output
    }

    struct FixtureError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    func url(_ name: String) -> URL { scratch.appendingPathComponent(name) }

    func extract(_ archive: URL, kind: ArchiveKind = .detect, limits: ExtractionLimits = ExtractionLimits()) throws -> ExtractionReport {
        try ArchiveExtractor.extract(archive: archive, kind: kind, into: outDir, limits: limits)
    }

    /// Extraction must fail with `code` (naming `entry` when given) and leave `outDir` empty.
    @discardableResult
    func assertRefused(
        _ archive: URL, _ code: ExtractionError.Code, entry: String? = nil,
        kind: ArchiveKind = .detect, limits: ExtractionLimits = ExtractionLimits(),
        file: StaticString = #filePath, line: UInt = #line
    ) -> ExtractionError? {
        do {
            let report = try extract(archive, kind: kind, limits: limits)
            XCTFail("expected \(code.rawValue), but extracted \(report.entries.map(\.path))", file: file, line: line)
            return nil
        } catch let error as ExtractionError {
            XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
            if let entry { XCTAssertEqual(error.entry, entry, "\(error)", file: file, line: line) }
            assertNothingLeft(file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    func assertNothingLeft(file: StaticString = #filePath, line: UInt = #line) {
        let left = (try? FileManager.default.contentsOfDirectory(atPath: outDir.path)) ?? []
        XCTAssertEqual(left, [], "a refused archive left files behind", file: file, line: line)
    }

    /// `diff -r` between the source tree and the extracted one: byte-identical content and
    /// identical names, empty directories included.
    func assertSameTree(_ a: URL, _ b: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try OutsideTool.run("/usr/bin/diff", ["-r", a.path, b.path])
        XCTAssertEqual(r.status, 0, "trees differ:\n\(r.output)", file: file, line: line)
    }

    func read(_ url: URL) throws -> Data { try Data(contentsOf: url) }
}
