import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system call that failed while reading or writing a bag, with the path and the
/// system's own reason, so an operator can tell a permissions problem from a full disk.
public struct BagIOError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var path: String
    public var errno: Int32

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno)))"
    }
}

/// What `lstat` says a directory entry is. Kept apart from Foundation's FileManager because
/// we need the raw byte names (to detect non-UTF-8 names) and must never follow a link.
enum BagEntryKind: Equatable {
    case regular
    case directory
    case symlink
    /// FIFOs, sockets, block and character devices: never legitimate content in a transfer.
    case special(String)
}

struct BagEntry {
    /// Path relative to the bag root, exactly as the file system spells it (no normalisation).
    var path: String
    var kind: BagEntryKind
    var size: UInt64
}

/// Thin POSIX layer for bags. Everything goes through file descriptors opened with
/// `O_NOFOLLOW`, so a symlink planted in a bag can neither be read through nor written through.
enum BagFileIO {
    private static let modeMask: mode_t = 0o170000
    private static let modeRegular: mode_t = 0o100000
    private static let modeDirectory: mode_t = 0o040000
    private static let modeSymlink: mode_t = 0o120000
    private static let modeFIFO: mode_t = 0o010000
    private static let modeSocket: mode_t = 0o140000
    private static let modeChar: mode_t = 0o020000
    private static let modeBlock: mode_t = 0o060000

    static func kind(of mode: mode_t) -> BagEntryKind {
        switch mode & modeMask {
        case modeRegular: return .regular
        case modeDirectory: return .directory
        case modeSymlink: return .symlink
        case modeFIFO: return .special("FIFO")
        case modeSocket: return .special("socket")
        case modeChar: return .special("character device")
        case modeBlock: return .special("block device")
        default: return .special("unknown file type")
        }
    }

    static func lstatInfo(path: String) -> (kind: BagEntryKind, size: UInt64)? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return (kind(of: st.st_mode), UInt64(max(0, st.st_size)))
    }

    static func error(_ operation: String, _ path: String) -> BagIOError {
        BagIOError(operation: operation, path: path, errno: errno)
    }

    struct Walk {
        var entries: [BagEntry] = []
        /// Names that are not valid UTF-8 cannot appear in a UTF-8 manifest, so they are
        /// returned separately instead of being silently mangled.
        var undecodable: [String] = []
        /// Subdirectories and entries that could not be read; reported, not thrown, so one
        /// unreadable folder does not hide every other reason a bag is invalid.
        var unreadable: [(path: String, error: BagIOError)] = []
    }

    /// Lists every entry under `root` (recursively, not following links), with paths relative
    /// to `root`. Throws only if `root` itself cannot be opened.
    static func walk(root: String) throws -> Walk {
        var result = Walk()
        var stack: [String] = [""]
        while let relDir = stack.popLast() {
            let absDir = relDir.isEmpty ? root : root + "/" + relDir
            guard let dir = opendir(absDir) else {
                let failure = error("cannot open directory", absDir)
                if relDir.isEmpty { throw failure }
                result.unreadable.append((relDir, failure))
                continue
            }
            defer { closedir(dir) }
            var names: [[UInt8]] = []
            while let ent = readdir(dir) {
                let bytes: [UInt8] = withUnsafePointer(to: &ent.pointee.d_name) { tuple in
                    let capacity = MemoryLayout.size(ofValue: ent.pointee.d_name)
                    return tuple.withMemoryRebound(to: UInt8.self, capacity: capacity) { p in
                        var n = 0
                        while n < capacity && p[n] != 0 { n += 1 }
                        return Array(UnsafeBufferPointer(start: p, count: n))
                    }
                }
                if bytes == [46] || bytes == [46, 46] { continue }
                names.append(bytes)
            }
            for raw in names {
                let name = String(decoding: raw, as: UTF8.self)
                let rel = relDir.isEmpty ? name : relDir + "/" + name
                if Array(name.utf8) != raw {
                    result.undecodable.append(rel)
                    continue
                }
                guard let info = lstatInfo(path: root + "/" + rel) else {
                    result.unreadable.append((rel, error("cannot stat", root + "/" + rel)))
                    continue
                }
                result.entries.append(BagEntry(path: rel, kind: info.kind, size: info.size))
                if info.kind == .directory { stack.append(rel) }
            }
        }
        return result
    }

    /// Reads a (small) tag file whole. Tag files are metadata, read once and parsed; payload
    /// files never go through here.
    static func readSmallFile(path: String) throws -> [UInt8] {
        var out: [UInt8] = []
        try reading {
            try FileDigest.readChunks(path: path, options: .insideTree, chunkSize: 64 * 1024) {
                out.append(contentsOf: $0)
            }
        }
        return out
    }

    /// Streams the file at `path` through every algorithm in one pass (`FileDigest`'s engine,
    /// links refused, regular files only).
    ///
    /// `parallelAlgorithms` hashes each chunk with the algorithms side by side on several
    /// cores; it is worth its small dispatch cost only when one big file would otherwise keep
    /// a single core busy while the others sit idle.
    static func digest(
        path: String, algorithms: [BagAlgorithm], buffer: UnsafeMutableRawBufferPointer, parallelAlgorithms: Bool
    ) throws -> BagFileDigest {
        try reading {
            BagFileDigest(try FileDigest.hash(
                path: path, algorithms: algorithms.map(\.digestAlgorithm), buffer: buffer,
                parallelAlgorithms: parallelAlgorithms, options: .insideTree))
        }
    }

    /// Like ``digest(path:algorithms:buffer:parallelAlgorithms:)`` for any engine algorithms
    /// (SM3 included), with the byte count of the same pass.
    static func digests(
        path: String, algorithms: [DigestAlgorithm], buffer: UnsafeMutableRawBufferPointer, parallelAlgorithms: Bool
    ) throws -> (byteCount: UInt64, digests: [DigestAlgorithm: String]) {
        try reading {
            let hashers = try FileDigest.hash(path: path, algorithms: algorithms, buffer: buffer,
                                              parallelAlgorithms: parallelAlgorithms, options: .insideTree)
            return (hashers.byteCount, hashers.finalizeHex())
        }
    }

    /// Copies `source` to a new file `destination` (which must not exist), hashing the bytes
    /// as they pass so the manifest describes exactly what was written, then flushes it to
    /// disk: a bag that has been renamed into place must survive a power cut.
    ///
    /// The source is the agency's own file, not yet inside a bag: a link to it is followed,
    /// but only a regular file is copied.
    static func copyAndDigest(
        from source: String, to destination: String, algorithms: [BagAlgorithm],
        buffer: UnsafeMutableRawBufferPointer, parallelAlgorithms: Bool
    ) throws -> BagFileDigest {
        let src = try reading {
            try FileDigest.openForReading(path: source, options: FileDigest.Options(regularFilesOnly: true))
        }
        defer { close(src) }
        let dst = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard dst >= 0 else { throw error("cannot create", destination) }
        var closed = false
        defer { if !closed { close(dst) } }
        var hashers = DigestHashers(algorithms.map(\.digestAlgorithm))
        try reading {
            try FileDigest.readChunks(fd: src, path: source, buffer: buffer) { chunk in
                try writeAll(dst, chunk, path: destination)
                hashers.update(chunk, parallel: parallelAlgorithms)
            }
        }
        guard fsync(dst) == 0 else { throw error("cannot flush", destination) }
        closed = true
        guard close(dst) == 0 else { throw error("cannot close", destination) }
        return BagFileDigest(hashers)
    }

    /// Runs `body`, putting the engine's read failures in the words bag reports use
    /// (`cannot open PATH: …`, `not a regular file PATH: …`).
    private static func reading<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as FileDigestError {
            let words = [FileDigestError.open: "cannot open", FileDigestError.stat: "cannot stat",
                         FileDigestError.read: "cannot read"]
            throw BagIOError(operation: words[e.operation] ?? e.operation, path: e.path, errno: e.errno)
        }
    }

    /// Writes a new file whole (tag files) and flushes it.
    static func writeNewFile(path: String, bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw error("cannot create", path) }
        var closed = false
        defer { if !closed { close(fd) } }
        try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
        guard fsync(fd) == 0 else { throw error("cannot flush", path) }
        closed = true
        guard close(fd) == 0 else { throw error("cannot close", path) }
    }

    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw error("cannot create directory", path) }
        guard lstatInfo(path: path)?.kind == .directory else {
            throw BagIOError(operation: "not a directory", path: path, errno: ENOTDIR)
        }
    }

    /// Makes a directory's entries durable (new files, a rename) — without it a crash can
    /// lose a file whose own data was flushed.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func renameItem(_ from: String, _ to: String) throws {
        guard rename(from, to) == 0 else { throw error("cannot rename to \(to)", from) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw error("cannot write", path)
            }
            offset += n
        }
    }

    /// Runs `body` for every file on up to `concurrency` workers (`FileDigest`'s scheduler,
    /// biggest files first), each worker with its own `chunkSize` buffer; results in file order.
    ///
    /// A file bigger than a worker's fair share would leave the other cores idle at the end;
    /// such files get their algorithms hashed side by side instead (`parallelAlgorithms`).
    static func map<T>(
        weights: [UInt64], concurrency: Int, chunkSize: Int,
        _ body: (_ index: Int, _ parallelAlgorithms: Bool, _ buffer: UnsafeMutableRawBufferPointer) -> T
    ) -> [T] {
        let total = weights.reduce(0, +)
        return FileDigest.map(count: weights.count, weights: weights, concurrency: concurrency, bufferSize: chunkSize) {
            index, buffer in
            let weight = weights[index]
            let bigFile = concurrency > 1 && weight >= 8 << 20 && weight * UInt64(concurrency) > total
            return body(index, bigFile, buffer)
        }
    }
}
