import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The archive file, read by position with `pread`. Transfer packages run to many gigabytes,
/// so nothing here ever holds more than one caller-sized chunk of it.
final class ArchiveInput {
    let path: String
    let size: UInt64
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ExtractionError.io(operation: "cannot open", path: path, errno: errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw ExtractionError.io(operation: "cannot stat", path: path, errno: e)
        }
        guard st.st_mode & 0o170000 == 0o100000 else {
            close(fd)
            throw ExtractionError.io(operation: "not a regular file", path: path, errno: EINVAL)
        }
        self.fd = fd
        self.size = UInt64(max(0, st.st_size))
    }

    deinit { close(fd) }

    /// Fills as much of `buffer` as the file has from `offset`; returns the bytes read
    /// (fewer than asked only at the end of the file).
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + UInt64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw ExtractionError.io(operation: "cannot read", path: path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Exactly `buffer.count` bytes from `offset`, or `corrupt`: a structure that runs past the
    /// end of the file means the archive was truncated.
    func readFully(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer, entry: String?) throws {
        let n = try read(at: offset, into: buffer)
        if n < buffer.count {
            throw ExtractionError.corrupt(entry: entry, reason: "the archive ends early (truncated?) at byte \(offset + UInt64(n)) of \(offset + UInt64(buffer.count)) needed")
        }
    }

    /// A small structure (a header, a name) as bytes.
    func bytes(at offset: UInt64, count: Int, entry: String?) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 {
            try out.withUnsafeMutableBytes { try readFully(at: offset, into: $0, entry: entry) }
        }
        return out
    }
}

/// Reads a region of the archive front to back through one buffer: the ZIP central directory,
/// which for 100,000 entries is megabytes and is parsed field by field.
struct ArchiveCursor {
    let input: ArchiveInput
    private(set) var position: UInt64
    let end: UInt64
    private var buffer: [UInt8] = []
    private var bufferStart: UInt64 = 0
    private static let chunk = 1 << 20

    init(input: ArchiveInput, start: UInt64, end: UInt64) {
        self.input = input
        self.position = start
        self.end = end
        self.bufferStart = start
    }

    var atEnd: Bool { position >= end }

    mutating func read(_ count: Int) throws -> [UInt8] {
        guard position + UInt64(count) <= end else {
            throw ExtractionError.corrupt(entry: nil, reason: "the central directory is shorter than its entries need")
        }
        let offsetInBuffer = Int(position - bufferStart)
        if offsetInBuffer + count > buffer.count {
            bufferStart = position
            let length = Int(min(UInt64(max(count, Self.chunk)), end - position))
            buffer = try input.bytes(at: position, count: length, entry: nil)
            position += UInt64(count)
            return Array(buffer[0..<count])
        }
        position += UInt64(count)
        return Array(buffer[offsetInBuffer..<(offsetInBuffer + count)])
    }
}

/// Little-endian fields of ZIP and the numeric fields of TAR headers.
enum ArchiveBytes {
    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 {
        UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32
    }
}

/// The directory an extraction builds, kept out of sight until it is complete.
///
/// Layout: `<parent>/.<name>.partial-XXXXXX/content/…` holds the entries, and `…/scratch/`
/// the file being written, so a temporary name can never collide with an entry's name.
/// Each file is streamed to scratch, checked (size, CRC), and only then renamed to its
/// name; the whole tree is renamed to `<parent>/<name>` at the very end. A refusal removes
/// the partial directory, so a rejected package leaves nothing behind, and a crash leaves
/// only a `.partial-` directory that is obviously not a result.
///
/// Files are not fsynced one by one: the extracted tree is a working copy that can always be
/// made again from the archive, which is the thing the caller keeps, and an fsync per file
/// would make 10,000-file transfers crawl.
final class ExtractionStaging {
    let finalPath: String
    let stagingRoot: String
    let contentRoot: String
    private let scratch: String
    private var made: Set<String> = []
    private var counter = 0
    private var finished = false

    init(parent: String, name: String) throws {
        finalPath = parent + "/" + name
        var st = stat()
        if lstat(finalPath, &st) == 0 { throw ExtractionError.destinationExists(path: finalPath) }
        var template = Array((parent + "/." + name + ".partial-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            throw ExtractionError.io(operation: "cannot create directory", path: parent + "/." + name + ".partial-XXXXXX", errno: errno)
        }
        stagingRoot = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        contentRoot = stagingRoot + "/content"
        scratch = stagingRoot + "/scratch"
        for dir in [contentRoot, scratch] where mkdir(dir, 0o755) != 0 {
            let e = errno
            abandon()
            throw ExtractionError.io(operation: "cannot create directory", path: dir, errno: e)
        }
    }

    /// Creates the directory at `components` (and its parents) inside the content root.
    func ensureDirectory(_ components: [String]) throws {
        var rel = ""
        for c in components {
            rel = rel.isEmpty ? c : rel + "/" + c
            if made.contains(rel) { continue }
            let path = contentRoot + "/" + rel
            if mkdir(path, 0o755) != 0 {
                let e = errno
                var st = stat()
                // Only a directory this run made may already be there; anything else is a bug
                // in the name registry and must not be written through.
                guard e == EEXIST, lstat(path, &st) == 0, st.st_mode & 0o170000 == 0o040000 else {
                    throw ExtractionError.io(operation: "cannot create directory", path: path, errno: e)
                }
            }
            made.insert(rel)
        }
    }

    /// A new, empty file in scratch for the next entry's content.
    func createTemporaryFile() throws -> ArchiveOutputFile {
        counter += 1
        let path = scratch + "/" + String(counter)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExtractionError.io(operation: "cannot create", path: path, errno: errno) }
        return ArchiveOutputFile(fd: fd, path: path)
    }

    /// Moves a finished, verified file to its name.
    func commit(_ file: ArchiveOutputFile, to components: [String]) throws {
        try file.close()
        try ensureDirectory(Array(components.dropLast()))
        let target = contentRoot + "/" + components.joined(separator: "/")
        guard rename(file.path, target) == 0 else {
            throw ExtractionError.io(operation: "cannot rename to \(target)", path: file.path, errno: errno)
        }
    }

    /// Puts the complete tree in place as `<parent>/<name>` and removes the scaffolding.
    func finish() throws -> String {
        var st = stat()
        // rename(2) would silently replace an empty directory; someone else's is not ours to take.
        if lstat(finalPath, &st) == 0 { throw ExtractionError.destinationExists(path: finalPath) }
        guard rename(contentRoot, finalPath) == 0 else {
            throw ExtractionError.io(operation: "cannot rename to \(finalPath)", path: contentRoot, errno: errno)
        }
        finished = true
        rmdir(scratch)
        rmdir(stagingRoot)
        return finalPath
    }

    /// Removes everything this extraction wrote.
    func abandon() {
        guard !finished else { return }
        try? FileManager.default.removeItem(atPath: stagingRoot)
    }
}

/// One file being written. Writes go straight to the descriptor: the caller's chunk buffer is
/// the only buffer.
final class ArchiveOutputFile {
    let path: String
    private var fd: Int32

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { if fd >= 0 { _ = systemClose(fd) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw ExtractionError.io(operation: "cannot write", path: path, errno: errno)
            }
            offset += n
        }
    }

    func close() throws {
        guard fd >= 0 else { return }
        let rc = systemClose(fd)
        fd = -1
        if rc != 0 { throw ExtractionError.io(operation: "cannot close", path: path, errno: errno) }
    }
}

/// Counts what the extraction has produced and enforces `ExtractionLimits` as bytes come
/// out — never on the headers' word alone.
struct ExtractionBudget {
    let limits: ExtractionLimits
    let archiveSize: UInt64
    private(set) var totalBytes: UInt64 = 0
    private(set) var entries = 0

    init(limits: ExtractionLimits, archiveSize: UInt64) {
        self.limits = limits
        self.archiveSize = archiveSize
    }

    mutating func countEntry() throws {
        entries += 1
        if entries > limits.maxEntries { throw ExtractionError.tooManyEntries(limit: limits.maxEntries) }
    }

    /// Called for every chunk written, before it is written.
    mutating func add(_ count: Int, entry: String) throws {
        totalBytes += UInt64(count)
        if totalBytes > limits.maxTotalBytes {
            throw ExtractionError.bomb(entry: entry, reason: "the content expanded past the \(limits.maxTotalBytes)-byte limit while being extracted")
        }
        if totalBytes > limits.ratioGraceBytes && totalBytes > limits.ratioCeiling(forCompressed: archiveSize) {
            throw ExtractionError.bomb(entry: nil, reason: "the archive expanded to more than \(limits.maxCompressionRatio) times its own size of \(archiveSize) bytes")
        }
    }
}

extension ExtractionLimits {
    /// The largest output `compressed` bytes may honestly produce under the ratio limit.
    func ratioCeiling(forCompressed compressed: UInt64) -> UInt64 {
        let c = Double(compressed) * maxCompressionRatio
        guard c.isFinite, c < Double(UInt64.max) else { return c > 0 ? .max : 0 }
        return c <= 0 ? 0 : UInt64(c)
    }
}

// The C calls under names that the methods `write` and `close` above do not shadow.
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
