import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Identifies a file's format from its own bytes (its signature, or "magic"), the way DROID and
/// siegfried do for PRONOM, for the formats an archive meets in transfers: PDF and PDF/A, OFD,
/// TIFF, JPEG, PNG, JPEG 2000, GIF, MP3, WAV and Broadcast WAVE, MP4 and QuickTime, DOCX, XLSX,
/// PPTX and the older OLE2 Office files, XML, HTML, plain text (UTF-8, UTF-16, GB18030) and the
/// common archives (ZIP, gzip, 7z, tar).
///
/// It reads little: the first 8 KiB, and where a format keeps what matters at its end, the end
/// (a PDF's trailer, a ZIP's central directory found through its end record, a JPEG's last
/// marker). A multi-gigabyte video costs a few small reads. File extensions are never consulted:
/// an archive must not believe a `.pdf` that is really a renamed Word file.
///
/// The result also carries flags the usability check needs: encrypted, password-protected,
/// truncated. It is not a validator: a file identified as PDF/A-2b claims PDF/A-2b in its
/// metadata; whether it conforms is veraPDF's question.
public enum FormatIdentifier {
    /// Bytes read from the start of every file.
    static let headLength = 8 * 1024

    /// Identifies the file at `url`. Throws only when the file cannot be opened or read; a file
    /// that is simply not recognised gives `FormatIdentification.unknown`.
    public static func identify(fileAt url: URL) throws -> FormatIdentification {
        let source = try FormatFileSource(path: url.path)
        return try identify(source)
    }

    /// Identifies bytes already in memory (an upload not yet written anywhere).
    public static func identify<D: DataProtocol>(bytes: D) -> FormatIdentification {
        // In memory nothing can fail to read.
        (try? identify(FormatMemorySource(bytes: Array(bytes)))) ?? .unknown
    }

    static func identify(_ source: any FormatSource) throws -> FormatIdentification {
        let size = source.size
        if size == 0 {
            var result = FormatIdentification.unknown
            result.warnings.append("the file is empty")
            return result
        }
        let head = FormatBytes(try source.read(at: 0, count: Int(min(size, Int64(headLength)))))

        // Signatures at fixed offsets first; the PDF header, which readers accept anywhere in
        // the first 1024 bytes, is looked for there only once nothing else matched, so that a
        // ZIP or tar whose first member is a PDF is still a ZIP or a tar.
        let checks: [(any FormatSource, FormatBytes) throws -> FormatIdentification?] = [
            { source, head in head.has("%PDF-", at: 0) ? try identifyPDF(source, head) : nil },
            identifyZIP,
            identifyOLE2,
            identifyImage,
            identifyRIFF,
            identifyISOMedia,
            identifyMP3,
            identifyArchive,
            identifyPDF,
            identifyMarkupOrText,
        ]
        for check in checks {
            if let found = try check(source, head) { return found }
        }
        return .unknown
    }
}

// MARK: - Where the bytes come from

/// Random access to the bytes being identified: a file (read with `pread`, nothing else
/// touched) or memory.
protocol FormatSource {
    var size: Int64 { get }
    /// Up to `count` bytes at `offset`; fewer only at the end of the data.
    func read(at offset: Int64, count: Int) throws -> [UInt8]
}

extension FormatSource {
    /// The last `count` bytes (all of them if there are fewer), with the offset they start at.
    func tail(_ count: Int) throws -> (offset: Int64, bytes: FormatBytes) {
        let start = max(0, size - Int64(count))
        return (start, FormatBytes(try read(at: start, count: Int(size - start))))
    }
}

/// A file opened read-only; closed when the source goes away.
final class FormatFileSource: FormatSource {
    let path: String
    let size: Int64
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileDigestError(operation: "open", path: path, errno: errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw FileDigestError(operation: "stat", path: path, errno: e)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw FileDigestError(operation: "read", path: path, errno: EISDIR)
        }
        size = Int64(st.st_size)
    }

    deinit { close(fd) }

    func read(at offset: Int64, count: Int) throws -> [UInt8] {
        guard count > 0, offset >= 0, offset < size else { return [] }
        let wanted = Int(min(Int64(count), size - offset))
        var out = [UInt8](repeating: 0, count: wanted)
        var done = 0
        while done < wanted {
            let n = out.withUnsafeMutableBytes { buf in
                pread(fd, buf.baseAddress! + done, wanted - done, off_t(offset) + off_t(done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileDigestError(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break } // shrank while we looked
            done += n
        }
        if done < wanted { out.removeSubrange(done...) }
        return out
    }
}

struct FormatMemorySource: FormatSource {
    let bytes: [UInt8]
    var size: Int64 { Int64(bytes.count) }

    func read(at offset: Int64, count: Int) throws -> [UInt8] {
        guard count > 0, offset >= 0, offset < size else { return [] }
        let start = Int(offset)
        return Array(bytes[start ..< min(bytes.count, start + count)])
    }
}

// MARK: - Byte helpers

/// Bounds-checked reads from a byte array: every accessor returns nil (or false) past the end,
/// so a short or hostile file can never trap the identifier.
struct FormatBytes {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var count: Int { bytes.count }

    subscript(_ i: Int) -> UInt8? { i >= 0 && i < bytes.count ? bytes[i] : nil }

    func has(_ pattern: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset + pattern.count <= bytes.count else { return false }
        for (i, b) in pattern.enumerated() where bytes[offset + i] != b { return false }
        return true
    }

    func has(_ ascii: String, at offset: Int) -> Bool { has(Array(ascii.utf8), at: offset) }

    func u16le(_ o: Int) -> UInt16? {
        guard o >= 0, o + 2 <= bytes.count else { return nil }
        return UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8
    }

    func u16be(_ o: Int) -> UInt16? {
        guard o >= 0, o + 2 <= bytes.count else { return nil }
        return UInt16(bytes[o]) << 8 | UInt16(bytes[o + 1])
    }

    func u32le(_ o: Int) -> UInt32? {
        guard let lo = u16le(o), let hi = u16le(o + 2) else { return nil }
        return UInt32(lo) | UInt32(hi) << 16
    }

    func u32be(_ o: Int) -> UInt32? {
        guard let hi = u16be(o), let lo = u16be(o + 2) else { return nil }
        return UInt32(hi) << 16 | UInt32(lo)
    }

    func u64le(_ o: Int) -> UInt64? {
        guard let lo = u32le(o), let hi = u32le(o + 4) else { return nil }
        return UInt64(lo) | UInt64(hi) << 32
    }

    /// Four bytes as ASCII (a RIFF chunk or an ISO box type), nil past the end.
    func fourCC(_ o: Int) -> String? {
        guard o >= 0, o + 4 <= bytes.count else { return nil }
        return String(decoding: bytes[o ..< o + 4], as: UTF8.self)
    }

    /// First offset of `pattern` within `range` (clamped to the data), or nil.
    func find(_ pattern: [UInt8], in range: Range<Int>? = nil) -> Int? {
        guard let first = pattern.first else { return nil }
        let lower = max(0, range?.lowerBound ?? 0)
        let upper = min(bytes.count, range?.upperBound ?? bytes.count) - pattern.count
        guard lower <= upper else { return nil }
        var i = lower
        while i <= upper {
            if bytes[i] == first && has(pattern, at: i) { return i }
            i += 1
        }
        return nil
    }

    func find(_ ascii: String, in range: Range<Int>? = nil) -> Int? { find(Array(ascii.utf8), in: range) }

    /// Last offset of `pattern`, or nil.
    func findLast(_ pattern: [UInt8]) -> Int? {
        guard !pattern.isEmpty, pattern.count <= bytes.count else { return nil }
        var i = bytes.count - pattern.count
        while i >= 0 {
            if bytes[i] == pattern[0] && has(pattern, at: i) { return i }
            i -= 1
        }
        return nil
    }

    func findLast(_ ascii: String) -> Int? { findLast(Array(ascii.utf8)) }

    func slice(_ range: Range<Int>) -> [UInt8] {
        let lower = max(0, min(range.lowerBound, bytes.count))
        let upper = max(lower, min(range.upperBound, bytes.count))
        return Array(bytes[lower ..< upper])
    }
}
