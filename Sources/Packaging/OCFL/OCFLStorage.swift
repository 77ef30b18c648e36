import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a directory listing found at a name.
public enum OCFLEntryKind: Sendable, Hashable {
    case file
    case directory
    /// A symbolic link, device or anything else. OCFL forbids links in a storage
    /// hierarchy (E090), so the validator reports these rather than following them.
    case other
}

/// One entry of a directory listing.
public struct OCFLStorageEntry: Sendable, Hashable {
    public var name: String
    public var kind: OCFLEntryKind

    public init(name: String, kind: OCFLEntryKind) {
        self.name = name
        self.kind = kind
    }
}

/// A storage failure, with the storage-relative path it concerns.
public struct OCFLStorageError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case notFound
        /// The destination of a rename is a non-empty directory: someone else got there first.
        case alreadyExists
        /// The path is not a clean relative path (empty element, `.`, `..`, leading `/`, NUL).
        case invalidPath
        case io
    }

    public var kind: Kind
    public var path: String
    public var message: String

    public init(_ kind: Kind, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// The few operations OCFL needs from where its bytes live.
///
/// This is the seam between the OCFL logic (layout, inventories, versions, validation) and a
/// concrete store: the file system now, an S3 bucket later. Paths are relative, `/`-separated,
/// and `""` is the storage root. Implementations must be safe to share between threads.
///
/// Why these operations and no more: OCFL only ever reads whole files front to back (streamed,
/// so a 40 GB scan never sits in memory), lists directories to discover objects and content,
/// writes files that must never be seen half-written, and publishes a version by renaming a
/// fully staged directory and then the inventory into place. A store that cannot rename
/// atomically (S3) may implement ``rename(from:to:)`` as copy-then-delete: readers only ever
/// trust the root inventory, which is written last, so the rename need not be atomic for
/// correctness — only for keeping a crashed write invisible to validators.
public protocol OCFLStorage: Sendable {
    /// Streams the file at `path` to `body` in chunks of at most `chunkSize` bytes.
    /// Throws ``OCFLStorageError/Kind/notFound`` if it does not exist.
    func read(_ path: String, chunkSize: Int, _ body: (Data) throws -> Void) throws

    /// The entries directly inside the directory at `path` (not recursive), in no particular order.
    /// Throws ``OCFLStorageError/Kind/notFound`` if there is no such directory.
    func list(_ path: String) throws -> [OCFLStorageEntry]

    /// Writes a file atomically: `produce` is handed a sink to push chunks into; the bytes go to a
    /// temporary name beside `path`, are flushed to stable storage, and only then renamed onto
    /// `path`. If `produce` throws, the temporary file is removed and `path` is untouched.
    /// Parent directories are created as needed.
    func write(_ path: String, _ produce: (_ sink: (Data) throws -> Void) throws -> Void) throws

    /// Creates the directory at `path` and any missing parents; no error if it exists.
    func createDirectory(_ path: String) throws

    /// Removes the file or the whole directory tree at `path`; no error if nothing is there.
    /// Used to clean up failed temporary writes and abandoned staging areas.
    func remove(_ path: String) throws

    /// Removes the directory at `path` only if it is empty; silently does nothing otherwise
    /// (or if it does not exist). Lets concurrent writers share a staging parent without
    /// one of them deleting another's work.
    func removeDirectoryIfEmpty(_ path: String) throws

    /// Moves a file or directory. Replaces an existing file at `to`; fails with
    /// ``OCFLStorageError/Kind/alreadyExists`` if `to` is a non-empty directory, which is how two
    /// writers racing for the same version number are told apart. Parents of `to` must exist.
    func rename(from: String, to: String) throws

    /// Whether anything (file or directory) exists at `path`.
    func exists(_ path: String) throws -> Bool

    /// The same storage, but its writes and renames need not be durable one by one: they become
    /// durable at the next ``synchronize()``. For writers of many small files (an ingest of
    /// thousands of records), where a flush per file costs more than the writing. Whoever uses
    /// it must call ``synchronize()`` before anything may depend on what it wrote — in
    /// particular before publishing staged content by rename, so that after a power cut a
    /// published file is still either absent or complete. A storage whose every write is
    /// durable anyway (a bucket) returns itself.
    func deferringDurability() -> any OCFLStorage

    /// Makes every write and rename done so far through this storage (or a deferring view of
    /// it) durable. Nothing to do where each write is durable when it returns.
    func synchronize() throws
}

extension OCFLStorage {
    public func deferringDurability() -> any OCFLStorage { self }
    public func synchronize() throws {}
}

extension OCFLStorage {
    /// Reads a whole (small) file: inventories, sidecars, declarations, configs.
    /// `limit` guards against a hostile or corrupt multi-gigabyte "inventory".
    public func readData(_ path: String, limit: Int = 256 << 20) throws -> Data {
        var data = Data()
        try read(path, chunkSize: 1 << 20) { chunk in
            data.append(chunk)
            if data.count > limit {
                throw OCFLStorageError(.io, path: path, "larger than \(limit) bytes")
            }
        }
        return data
    }

    /// Writes a small in-memory file atomically.
    public func write(_ path: String, data: Data) throws {
        try write(path) { sink in try sink(data) }
    }
}

/// Joins storage-relative path pieces with `/`, skipping empty pieces.
func ocflJoin(_ parts: String...) -> String {
    parts.filter { !$0.isEmpty }.joined(separator: "/")
}

/// The parent of a storage-relative path (`""` for a top-level name).
func ocflParent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    return String(path[..<slash])
}

/// ``OCFLStorage`` on a local (or mounted) file system, rooted at a directory.
///
/// Every write is temp-file + `fsync` + `rename(2)`, and renames `fsync` the destination's
/// directory, so that after a power cut a file is either absent or complete. The view from
/// ``deferringDurability()`` leaves the flushing to one ``synchronize()`` for many writes.
public struct FileSystemOCFLStorage: OCFLStorage {
    public let root: URL
    /// Set on the view ``deferringDurability()`` returns: no `fsync` per write or rename, one
    /// `syncfs(2)` in ``synchronize()`` instead.
    public let defersDurability: Bool

    public init(root: URL) {
        self.root = root.standardizedFileURL
        defersDurability = false
    }

    private init(root: URL, defersDurability: Bool) {
        self.root = root
        self.defersDurability = defersDurability
    }

    /// Only where `syncfs(2)` exists (Linux) can one call make a whole batch durable; elsewhere
    /// every write stays individually flushed.
    public func deferringDurability() -> any OCFLStorage {
        #if os(Linux)
        return FileSystemOCFLStorage(root: root, defersDurability: true)
        #else
        return self
        #endif
    }

    /// `syncfs(2)` on the root's file system: file data, inodes and directory entries (renames)
    /// alike — one journal commit instead of one per file. Errors of earlier write-back are
    /// reported here (Linux ≥ 5.8), so a failed flush is not mistaken for a durable batch.
    public func synchronize() throws {
        #if os(Linux)
        let fd = open(root.path, O_RDONLY | O_DIRECTORY)
        if fd < 0 { throw Self.errnoError("", "cannot open the storage root to flush it") }
        defer { close(fd) }
        if lantaiSyncfs(fd) != 0 {
            let code = errno
            // Kernels without syncfs (ENOSYS) still have sync(2), which waits on Linux.
            guard code == ENOSYS else { throw Self.errnoError("", "syncfs failed", code) }
            sync()
        }
        #endif
    }

    /// Rejects paths that could escape the root or are not clean (see ``OCFLStorageError/Kind/invalidPath``).
    func fsPath(_ path: String) throws -> String {
        if path.isEmpty { return root.path }
        if path.utf8.contains(0) || path.hasPrefix("/") {
            throw OCFLStorageError(.invalidPath, path: path, "not a clean relative path")
        }
        for element in path.split(separator: "/", omittingEmptySubsequences: false) {
            if element.isEmpty || element == "." || element == ".." {
                throw OCFLStorageError(.invalidPath, path: path, "not a clean relative path")
            }
        }
        return root.path + "/" + path
    }

    private static func errnoError(_ path: String, _ what: String, _ code: Int32 = errno) -> OCFLStorageError {
        let kind: OCFLStorageError.Kind
        switch code {
        case ENOENT, ENOTDIR: kind = .notFound
        case EEXIST, ENOTEMPTY: kind = .alreadyExists
        default: kind = .io
        }
        return OCFLStorageError(kind, path: path, "\(what): \(String(cString: strerror(code)))")
    }

    /// Streams through the shared read loop (`FileDigest`), failures put in storage terms.
    public func read(_ path: String, chunkSize: Int, _ body: (Data) throws -> Void) throws {
        let full = try fsPath(path)
        do {
            try FileDigest.readChunks(path: full, options: FileDigest.Options(), chunkSize: chunkSize) { try body(Data(bytes: $0.baseAddress!, count: $0.count)) }
        } catch let e as FileDigestError {
            switch (e.operation, e.errno) {
            case (FileDigestError.read, EISDIR): throw OCFLStorageError(.notFound, path: path, "is a directory, not a file")
            case (FileDigestError.open, _): throw Self.errnoError(path, "cannot open", e.errno)
            case (FileDigestError.stat, _): throw Self.errnoError(path, "cannot stat", e.errno)
            default: throw Self.errnoError(path, "read failed", e.errno)
            }
        }
    }

    public func list(_ path: String) throws -> [OCFLStorageEntry] {
        let full = try fsPath(path)
        var st = stat()
        if lstat(full, &st) != 0 { throw Self.errnoError(path, "cannot list") }
        if (st.st_mode & S_IFMT) != S_IFDIR { throw OCFLStorageError(.notFound, path: path, "not a directory") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: full)
        } catch {
            throw OCFLStorageError(.io, path: path, "cannot list: \(error.localizedDescription)")
        }
        return names.map { name in
            var est = stat()
            let kind: OCFLEntryKind
            if lstat(full + "/" + name, &est) != 0 {
                kind = .other
            } else {
                switch est.st_mode & S_IFMT {
                case S_IFREG: kind = .file
                case S_IFDIR: kind = .directory
                default: kind = .other
                }
            }
            return OCFLStorageEntry(name: name, kind: kind)
        }
    }

    public func write(_ path: String, _ produce: ((Data) throws -> Void) throws -> Void) throws {
        let full = try fsPath(path)
        let parent = ocflParent(path)
        try createDirectory(parent)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let tempRelative = ocflJoin(parent, ".\(name).tmp-\(UUID().uuidString.lowercased())")
        let temp = try fsPath(tempRelative)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd < 0 { throw Self.errnoError(path, "cannot create temporary file") }
        var closed = false
        do {
            try produce { data in
                try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                    var offset = 0
                    while offset < raw.count {
                        let n = posixWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                        if n < 0 {
                            if errno == EINTR { continue }
                            throw Self.errnoError(path, "write failed")
                        }
                        offset += n
                    }
                }
            }
            if !defersDurability, fsync(fd) != 0 { throw Self.errnoError(path, "fsync failed") }
            closed = true
            if close(fd) != 0 { throw Self.errnoError(path, "close failed") }
            if posixRename(temp, full) != 0 { throw Self.errnoError(path, "rename failed") }
            if !defersDurability { Self.syncDirectory(try fsPath(parent)) }
        } catch {
            if !closed { close(fd) }
            unlink(temp)
            throw error
        }
    }

    public func createDirectory(_ path: String) throws {
        let full = try fsPath(path)
        // Every write makes sure of its parent, so the usual case (it exists) is one mkdir(2)
        // that fails with EEXIST, rather than Foundation's walk over every path element.
        if mkdir(full, 0o755) == 0 { return }
        var st = stat()
        if errno == EEXIST, stat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return }
        do {
            try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        } catch {
            throw OCFLStorageError(.io, path: path, "cannot create directory: \(error.localizedDescription)")
        }
    }

    public func remove(_ path: String) throws {
        let full = try fsPath(path)
        var st = stat()
        if lstat(full, &st) != 0 { return }
        do {
            try FileManager.default.removeItem(atPath: full)
        } catch {
            throw OCFLStorageError(.io, path: path, "cannot remove: \(error.localizedDescription)")
        }
    }

    public func removeDirectoryIfEmpty(_ path: String) throws {
        let full = try fsPath(path)
        if rmdir(full) != 0 {
            switch errno {
            case ENOENT, ENOTEMPTY, EEXIST: return
            default: throw Self.errnoError(path, "cannot remove directory")
            }
        }
    }

    public func rename(from: String, to: String) throws {
        let source = try fsPath(from)
        let destination = try fsPath(to)
        if posixRename(source, destination) != 0 {
            throw Self.errnoError(to, "cannot move \(from) here")
        }
        if !defersDurability { Self.syncDirectory(try fsPath(ocflParent(to))) }
    }

    public func exists(_ path: String) throws -> Bool {
        var st = stat()
        return lstat(try fsPath(path), &st) == 0
    }

    /// `fsync` of the directory at `path`: makes renames into it durable (for writers that
    /// rename several entries and flush once).
    func flushDirectory(_ path: String) throws {
        let full = try fsPath(path)
        let fd = open(full, O_RDONLY)
        if fd < 0 { throw Self.errnoError(path, "cannot open directory to flush it") }
        defer { close(fd) }
        if fsync(fd) != 0 { throw Self.errnoError(path, "fsync failed") }
    }

    /// Makes a rename durable: POSIX only promises it once the directory itself is synced.
    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}

// The POSIX calls whose names collide with ``OCFLStorage``'s own methods inside the storage type.
@inline(__always)
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}

#if os(Linux)
/// glibc declares syncfs only under _GNU_SOURCE, which the Glibc module does not import.
@_silgen_name("syncfs")
private func lantaiSyncfs(_ fd: Int32) -> Int32
#endif

@inline(__always)
private func posixRename(_ from: String, _ to: String) -> Int32 {
    #if canImport(Glibc)
    return Glibc.rename(from, to)
    #elseif canImport(Musl)
    return Musl.rename(from, to)
    #else
    return Darwin.rename(from, to)
    #endif
}
