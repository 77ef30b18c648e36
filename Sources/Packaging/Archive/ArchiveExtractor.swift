import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which archive format a transfer package came in.
public enum ArchiveKind: String, Sendable, Hashable, CaseIterable {
    case zip
    case tar
    /// Decide by the file's signature (`PK\x03\x04` at 0; `ustar` at 257, or a valid
    /// pre-POSIX header checksum), never by the file name or the upload's Content-Type,
    /// which the sender controls.
    case detect
}

/// The limits an extraction enforces. They are settings, not constants: an archives bureau
/// receiving scanned books needs other numbers than one receiving office documents.
public struct ExtractionLimits: Sendable, Hashable {
    /// The most bytes the archive may expand to, counted as they are written (10 GiB).
    public var maxTotalBytes: UInt64
    /// The most entries (files and directories) the archive may hold (100,000).
    public var maxEntries: Int
    /// The most an entry, or the whole archive, may expand relative to its compressed size
    /// (200). Real office documents, scans and PDFs stay far below; zeros reach about 1,000.
    public var maxCompressionRatio: Double
    /// The longest relative path, in UTF-8 bytes (1,024). Each component is also held to the
    /// file system's 255 bytes.
    public var maxPathLength: Int
    /// Output below this size is never judged by its ratio (1 MiB): a 10 KiB file of spaces
    /// compresses 500:1 and is no threat to anyone.
    public var ratioGraceBytes: UInt64

    public init(
        maxTotalBytes: UInt64 = 10 << 30,
        maxEntries: Int = 100_000,
        maxCompressionRatio: Double = 200,
        maxPathLength: Int = 1024,
        ratioGraceBytes: UInt64 = 1 << 20
    ) {
        self.maxTotalBytes = maxTotalBytes
        self.maxEntries = maxEntries
        self.maxCompressionRatio = maxCompressionRatio
        self.maxPathLength = maxPathLength
        self.ratioGraceBytes = ratioGraceBytes
    }
}

/// One entry that was extracted.
public struct ExtractedEntry: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case file
        case directory
    }

    /// The name exactly as the archive spells it, decoded to text.
    public var name: String
    /// Where it was written, relative to the extraction directory: `name` with `\` turned
    /// into `/` and `.` and empty components dropped. Empty for the archive's own root (`./`).
    public var path: String
    public var kind: Kind
    /// Bytes written (0 for directories).
    public var size: UInt64
    /// How the name's bytes were decoded.
    public var nameEncoding: ArchiveNameEncoding
    /// The verified CRC-32 of a ZIP file entry; nil for TAR entries and directories.
    public var crc32: UInt32?
}

/// What an extraction produced.
public struct ExtractionReport: Sendable, Hashable {
    /// The fresh directory holding the content.
    public var directory: URL
    /// `.zip` or `.tar` (what `.detect` decided).
    public var kind: ArchiveKind
    /// Every entry, in the order they were written (archive order).
    public var entries: [ExtractedEntry]
    public var fileCount: Int
    public var directoryCount: Int
    /// Bytes of content written.
    public var totalBytes: UInt64
    /// Size of the archive file itself.
    public var archiveBytes: UInt64

    /// When every entry lies inside one top-level directory — a bag zipped together with its
    /// folder, the way Windows' "Send to → Compressed folder" does it — that directory's name.
    /// The bag is then `directory/<it>`, not `directory`.
    public var soleTopLevelDirectory: String? {
        var top: String?
        var nested = false
        for e in entries where !e.path.isEmpty {
            let parts = e.path.split(separator: "/", maxSplits: 1)
            let first = String(parts[0])
            if let t = top, t != first { return nil }
            top = first
            if parts.count > 1 { nested = true } else if e.kind == .file { return nil }
        }
        return nested ? top : nil
    }
}

/// Unpacks a transfer package (ZIP or TAR) safely.
///
/// Agencies send BagIt bags as zips made on Chinese Windows and tars made on servers; an
/// archive is also the easiest way to attack the archives' own disk. So the extractor:
///
/// - streams: the ZIP central directory is read from the end of the file, each entry is read
///   and inflated in 1 MiB chunks into a temporary file, and TAR entries are copied the same
///   way, so neither the archive nor any entry is ever held in memory;
/// - counts every byte as it comes out of the inflater and stops the moment an entry exceeds
///   its declared size or the ratio limit, or the archive exceeds the size limits — a 10 GB
///   bomb is refused after a few megabytes, whatever its headers claim;
/// - refuses links, devices, encrypted entries, unknown compression, duplicate names and any
///   name that could land outside the extraction directory (zip-slip), naming the entry;
/// - verifies each ZIP entry's CRC-32;
/// - decodes names the way the agency's computer meant them: UTF-8 when flagged, the Info-ZIP
///   Unicode Path field, else GB18030 (see `ArchiveNameDecoder`);
/// - writes into a fresh directory it creates under the given one, building it under a
///   temporary name and renaming it into place only when everything succeeded: a refused
///   archive leaves nothing behind.
///
/// Not supported, and refused with their own codes: split/spanned zips, Deflate64 (method 9,
/// which some Windows tools write for large files), bzip2/LZMA/zstd, GNU sparse tar entries,
/// compressed tars (.tar.gz: uncompress first).
public enum ArchiveExtractor {
    /// The name of the fresh directory when the caller does not choose one.
    public static let defaultDirectoryName = "extracted"

    /// Extracts `archive` into a new directory `directory/name` (which must not exist yet;
    /// `directory` is created if needed).
    ///
    /// - Throws: `ExtractionError`, after removing everything it wrote.
    @discardableResult
    public static func extract(
        archive: URL,
        kind: ArchiveKind = .detect,
        into directory: URL,
        named name: String = defaultDirectoryName,
        limits: ExtractionLimits = ExtractionLimits()
    ) throws -> ExtractionReport {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.contains("\0") else {
            throw ExtractionError.unsafePath(entry: name, reason: "the destination name must be one plain path component")
        }
        let input = try ArchiveInput(path: archive.path)
        let resolved: ArchiveKind
        if kind == .detect {
            guard let k = try detectKind(input) else { throw ExtractionError.unknownFormat }
            resolved = k
        } else {
            resolved = kind
        }
        try makeDirectories(directory.path)
        let staging = try ExtractionStaging(parent: directory.path, name: name)
        do {
            var report = ExtractionReport(
                directory: directory.appendingPathComponent(name, isDirectory: true),
                kind: resolved, entries: [], fileCount: 0, directoryCount: 0,
                totalBytes: 0, archiveBytes: input.size)
            let run = ExtractionRun(input: input, staging: staging, limits: limits)
            switch resolved {
            case .zip: try ZipExtraction.extract(run)
            case .tar: try TarExtraction.extract(run)
            case .detect: throw ExtractionError.unknownFormat
            }
            report.entries = run.entries
            report.fileCount = run.entries.filter { $0.kind == .file }.count
            report.directoryCount = run.entries.count - report.fileCount
            report.totalBytes = run.budget.totalBytes
            report.directory = URL(fileURLWithPath: try staging.finish(), isDirectory: true)
            return report
        } catch {
            staging.abandon()
            throw error
        }
    }

    /// Removes the `.<name>.partial-XXXXXX` directories that extractions killed mid-way (a
    /// crash, SIGKILL) left in `directory`; returns how many. Call it only when no extraction
    /// with that name is running there — a job system that leases the transfer guarantees that.
    @discardableResult
    public static func removeAbandonedExtractions(in directory: URL, named name: String = defaultDirectoryName) -> Int {
        let prefix = "." + name + ".partial-"
        let children = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var removed = 0
        for child in children where child.hasPrefix(prefix) && child.count == prefix.count + 6 {
            if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(child))) != nil { removed += 1 }
        }
        return removed
    }

    /// `mkdir -p`, keeping the system's reason when it fails.
    static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw ExtractionError.io(operation: "cannot create directory", path: prefix, errno: errno)
            }
        }
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & 0o170000 == 0o040000 else {
            throw ExtractionError.io(operation: "not a directory", path: path, errno: ENOTDIR)
        }
    }

    /// The archive format by signature, or nil if it is neither ZIP nor TAR.
    public static func detectKind(of archive: URL) throws -> ArchiveKind? {
        try detectKind(ArchiveInput(path: archive.path))
    }

    static func detectKind(_ input: ArchiveInput) throws -> ArchiveKind? {
        let head = try input.bytes(at: 0, count: Int(min(input.size, 512)), entry: nil)
        if head.count >= 4, head[0] == 0x50, head[1] == 0x4B,
           [(3, 4), (5, 6), (7, 8)].contains(where: { head[2] == $0.0 && head[3] == $0.1 }) {
            return .zip
        }
        if head.count == 512 {
            if Array(head[257..<262]) == Array("ustar".utf8) { return .tar }
            if TarExtraction.checksumMatches(head) { return .tar }
        }
        return nil
    }
}

/// The state one extraction carries through its format's reader.
final class ExtractionRun {
    let input: ArchiveInput
    let staging: ExtractionStaging
    let limits: ExtractionLimits
    var budget: ExtractionBudget
    var registry: ArchivePathRegistry
    let names = ArchiveNameDecoder()
    var entries: [ExtractedEntry] = []
    /// One input and one output chunk, reused for every entry.
    let inBuffer: UnsafeMutableRawBufferPointer
    let outBuffer: UnsafeMutableRawBufferPointer
    private let buffers: ChunkBuffers

    static let chunkSize = 1 << 20

    init(input: ArchiveInput, staging: ExtractionStaging, limits: ExtractionLimits) {
        self.input = input
        self.staging = staging
        self.limits = limits
        budget = ExtractionBudget(limits: limits, archiveSize: input.size)
        registry = ArchivePathRegistry(maxPathLength: limits.maxPathLength)
        buffers = ChunkBuffers(size: Self.chunkSize)
        inBuffer = buffers.input
        outBuffer = buffers.output
    }
}

/// Owns the two chunk buffers so they are freed when the run ends.
final class ChunkBuffers {
    let input: UnsafeMutableRawBufferPointer
    let output: UnsafeMutableRawBufferPointer

    init(size: Int) {
        input = .allocate(byteCount: size, alignment: 64)
        output = .allocate(byteCount: size, alignment: 64)
    }

    deinit {
        input.deallocate()
        output.deallocate()
    }
}
