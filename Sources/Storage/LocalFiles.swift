import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Plain POSIX file helpers shared by the stores. Blocking by nature: the async callers run the
// slow parts (whole-file copies, hashing, fsync) on NIO's blocking thread pool so that a Swift
// concurrency thread is never held for long.

/// Runs blocking file work on NIO's shared blocking thread pool.
func onBlockingPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(work)
}

func errnoMessage(_ code: Int32) -> String { String(cString: strerror(code)) }

/// A storage error for a failed system call on a local path.
func localError(_ what: String, path: String, _ code: Int32 = errno) -> StorageError {
    StorageError(.io, key: path, "\(what): \(errnoMessage(code))")
}

/// Creates `path` and its parents; fine if they exist.
func makeDirectories(_ path: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw StorageError(.io, key: path, "cannot create directory: \(error.localizedDescription)")
    }
}

/// Makes a rename durable: POSIX only promises it once the directory itself is synced.
func syncDirectory(_ path: String) {
    let fd = open(path, O_RDONLY)
    if fd >= 0 {
        _ = fsync(fd)
        close(fd)
    }
}

/// A file being written under a temporary name and renamed onto its target when complete,
/// so the target is never seen half-written. Not thread-safe: one writer at a time.
final class LocalFileWriter: @unchecked Sendable {
    let target: String
    let temp: String
    private var fd: Int32
    private(set) var written: Int64 = 0
    /// A directory created just for temporary files: created on demand, removed again when
    /// empty after the write, so that it is not left lying in a tree other tools inspect.
    private let temporaryDirectory: String?

    /// Temporary file beside the target: `.<name>.part-<uuid>`.
    convenience init(replacing url: URL) throws {
        let target = url.standardizedFileURL.path
        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        try makeDirectories(directory)
        try self.init(temp: directory + "/.\(name).part-\(UUID().uuidString.lowercased())", target: target)
    }

    /// With `temporaryDirectory`, that directory is created first, and another writer removing
    /// it at the same moment (it was empty) just means trying again.
    init(temp: String, target: String, temporaryDirectory: String? = nil) throws {
        self.temp = temp
        self.target = target
        self.temporaryDirectory = temporaryDirectory
        var attempt = 0
        while true {
            if let temporaryDirectory { try makeDirectories(temporaryDirectory) }
            fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 { return }
            attempt += 1
            if errno == ENOENT, temporaryDirectory != nil, attempt < 5 { continue }
            throw localError("cannot create temporary file", path: temp)
        }
    }

    private func removeTemporaryDirectoryIfEmpty() {
        if let temporaryDirectory { rmdir(temporaryDirectory) }
    }

    func write(_ data: Data) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let n = posixWrite(fd, base + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw localError("write failed", path: target)
                }
                offset += n
            }
        }
        written += Int64(data.count)
    }

    /// Flushes, closes and renames onto the target (creating its parent directories if
    /// `createParents`), then syncs the directory. On failure the temporary file is removed.
    @discardableResult
    func commit(createParents: Bool = false) async throws -> Int64 {
        let fd = self.fd, temp = self.temp, target = self.target
        self.fd = -1
        defer { removeTemporaryDirectoryIfEmpty() }
        try await onBlockingPool {
            var stillOpen = true
            do {
                if fsync(fd) != 0 { throw localError("fsync failed", path: target) }
                stillOpen = false
                if close(fd) != 0 { throw localError("close failed", path: target) }
                try renameIntoPlace(temp, target, createParents: createParents)
            } catch {
                if stillOpen { close(fd) }
                unlink(temp)
                throw error
            }
        }
        return written
    }

    /// Abandons the write: closes and removes the temporary file.
    func discard() {
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(temp)
        removeTemporaryDirectoryIfEmpty()
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temp)
            removeTemporaryDirectoryIfEmpty()
        }
    }
}

/// `rename(2)` onto `target`, then a directory sync. With `createParents`, creates the parent
/// first and tries again if a concurrent delete pruned it in between.
func renameIntoPlace(_ temp: String, _ target: String, createParents: Bool) throws {
    let parent = (target as NSString).deletingLastPathComponent
    for attempt in 0..<3 {
        if createParents { try makeDirectories(parent) }
        if posixRename(temp, target) == 0 {
            syncDirectory(parent)
            return
        }
        let code = errno
        if code == ENOENT && createParents && attempt < 2 { continue }
        if code == EISDIR || code == ENOTEMPTY || code == EEXIST {
            throw StorageError(.rejected, key: target, "a directory of that name is in the way: \(errnoMessage(code))")
        }
        throw localError("rename failed", path: target, code)
    }
}

/// An open file read front to back (or from an offset) in chunks.
final class LocalFileReader: @unchecked Sendable {
    let path: String
    private var fd: Int32
    let size: Int64

    /// Throws ``StorageError/Kind/notFound`` for a missing file or a directory.
    init(path: String, displayKey: String? = nil) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                throw StorageError(.notFound, key: displayKey ?? path, "no such object")
            }
            throw localError("cannot open", path: path, code)
        }
        var st = stat()
        if fstat(fd, &st) != 0 {
            let code = errno
            _ = posixClose(fd)
            throw localError("cannot stat", path: path, code)
        }
        if (st.st_mode & S_IFMT) != S_IFREG {
            _ = posixClose(fd)
            throw StorageError(.notFound, key: displayKey ?? path, "not a file")
        }
        size = Int64(st.st_size)
    }

    /// Up to `count` bytes from `offset` (fewer only at the end of the file).
    func read(at offset: Int64, count: Int) throws -> Data {
        var data = Data(count: count)
        var got = 0
        try data.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
            while got < count {
                let n = pread(fd, raw.baseAddress! + got, count - got, off_t(offset) + off_t(got))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw localError("read failed", path: path)
                }
                if n == 0 { break }
                got += n
            }
        }
        if got < count { data.removeSubrange(got...) }
        return data
    }

    func close() {
        if fd >= 0 { _ = posixClose(fd) }
        fd = -1
    }

    deinit { close() }
}

// POSIX calls whose names collide with methods of the types above.
@inline(__always)
func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}

@inline(__always)
func posixRename(_ from: String, _ to: String) -> Int32 {
    #if canImport(Glibc)
    return Glibc.rename(from, to)
    #elseif canImport(Musl)
    return Musl.rename(from, to)
    #else
    return Darwin.rename(from, to)
    #endif
}

@inline(__always)
func posixClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(fd)
    #elseif canImport(Musl)
    return Musl.close(fd)
    #else
    return Darwin.close(fd)
    #endif
}
