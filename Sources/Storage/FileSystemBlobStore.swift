import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``BlobStore`` in a local (or mounted) directory: key `a/b/c` is the file `root/a/b/c`.
///
/// Writes go to a temporary file in `root/.lantai-tmp/`, are `fsync`ed, then renamed into place
/// (and the directory synced), so after a crash a key holds the old bytes or the new ones. The
/// temporary directory exists only while writes are in progress (or after a crash, holding
/// their leftovers), is never listed, and its name is not a valid first key segment.
///
/// To behave like S3, where a "directory" exists only while some key is under it, deleting a
/// key also removes the directories it leaves empty.
public struct FileSystemBlobStore: BlobStore {
    /// Where writes in progress live, inside the root so that the final rename stays on one file system.
    public static let temporaryDirectoryName = ".lantai-tmp"

    public let root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    public var description: String { root.absoluteString }

    private var rootPath: String { root.path }

    private func path(_ key: String) throws -> String {
        try BlobKey.validate(key)
        return rootPath + "/" + key
    }

    private func newWriter(for key: String) throws -> LocalFileWriter {
        let target = try path(key)
        let temporary = rootPath + "/" + Self.temporaryDirectoryName
        return try LocalFileWriter(temp: temporary + "/" + UUID().uuidString.lowercased(), target: target, temporaryDirectory: temporary)
    }

    // MARK: - Writing

    @discardableResult
    public func put(_ key: String, from file: URL) async throws -> BlobInfo {
        let writer = try newWriter(for: key)
        let source = file.standardizedFileURL.path
        do {
            try await onBlockingPool {
                let reader = try LocalFileReader(path: source)
                defer { reader.close() }
                var offset: Int64 = 0
                while true {
                    let chunk = try reader.read(at: offset, count: 1 << 20)
                    if chunk.isEmpty { break }
                    try writer.write(chunk)
                    offset += Int64(chunk.count)
                }
            }
            let size = try await writer.commit(createParents: true)
            return BlobInfo(key: key, size: size)
        } catch let error as StorageError where error.kind == .notFound && error.key == source {
            writer.discard()
            throw StorageError(.io, key: source, "the source file does not exist")
        } catch {
            writer.discard()
            throw error
        }
    }

    @discardableResult
    public func put(_ key: String, data: Data) async throws -> BlobInfo {
        let writer = try newWriter(for: key)
        do {
            try writer.write(data)
            return BlobInfo(key: key, size: try await writer.commit(createParents: true))
        } catch {
            writer.discard()
            throw error
        }
    }

    @discardableResult
    public func put<Chunks: AsyncSequence>(_ key: String, chunks: Chunks, size: Int64?) async throws -> BlobInfo where Chunks.Element == Data {
        let writer = try newWriter(for: key)
        do {
            for try await chunk in chunks { try writer.write(chunk) }
            if let size, writer.written != size {
                throw StorageError(.corrupt, key: key, "expected \(size) bytes, the chunks held \(writer.written); nothing was stored")
            }
            return BlobInfo(key: key, size: try await writer.commit(createParents: true))
        } catch {
            writer.discard()
            throw error
        }
    }

    // MARK: - Reading

    public func get(_ key: String, chunkSize: Int, _ body: (Data) async throws -> Void) async throws {
        let full = try path(key)
        let reader = try await onBlockingPool { try LocalFileReader(path: full, displayKey: key) }
        defer { reader.close() }
        let size = max(1, chunkSize)
        var offset: Int64 = 0
        while true {
            let start = offset
            let chunk = try await onBlockingPool { try reader.read(at: start, count: size) }
            if chunk.isEmpty { break }
            offset += Int64(chunk.count)
            try await body(chunk)
        }
    }

    public func head(_ key: String) async throws -> BlobInfo? {
        let full = try path(key)
        var st = stat()
        guard lstat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        #if canImport(Darwin)
        let seconds = Double(st.st_mtimespec.tv_sec) + Double(st.st_mtimespec.tv_nsec) / 1e9
        #else
        let seconds = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
        #endif
        return BlobInfo(key: key, size: Int64(st.st_size), lastModified: Date(timeIntervalSince1970: seconds))
    }

    // MARK: - Listing

    public func listPages(prefix: String, delimiter: String?, pageSize: Int, _ page: (BlobListing) async throws -> Bool) async throws {
        try BlobKey.validatePrefix(prefix)
        if let delimiter, delimiter != "/" {
            throw StorageError(.rejected, key: prefix, "the file system store lists with delimiter \"/\" or none, not \(delimiter)")
        }
        let rootPath = self.rootPath
        let grouped = delimiter != nil
        // Entries are gathered on the blocking pool (a deep walk can take a while), then paged.
        let entries: [(key: String, isPrefix: Bool)] = try await onBlockingPool {
            // The directory holding the prefix's last segment; only it (or the tree under it) can match.
            let directory = prefix.contains("/") ? String(prefix[...prefix.lastIndex(of: "/")!]) : ""
            var found: [(key: String, isPrefix: Bool)] = []
            func walk(_ relative: String) {
                let full = relative.isEmpty ? rootPath : rootPath + "/" + relative.dropLast()
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: full) else { return }
                for name in names {
                    if relative.isEmpty && name == Self.temporaryDirectoryName { continue }
                    let key = relative + name
                    var st = stat()
                    guard lstat(full + "/" + name, &st) == 0 else { continue }
                    let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
                    let isFile = (st.st_mode & S_IFMT) == S_IFREG
                    if isDirectory {
                        // Descend only where keys under it can still start with the prefix.
                        let sub = key + "/"
                        guard sub.hasPrefix(prefix) || prefix.hasPrefix(sub) else { continue }
                        if grouped && sub.hasPrefix(prefix) {
                            found.append((sub, true))
                        } else {
                            walk(sub)
                        }
                    } else if isFile, key.hasPrefix(prefix) {
                        found.append((key, false))
                    }
                }
            }
            walk(directory)
            return found.sorted { BlobKey.precedes($0.key, $1.key) }
        }
        let size = max(1, pageSize)
        var index = 0
        repeat {
            let slice = entries[index..<min(index + size, entries.count)]
            index += slice.count
            var listing = BlobListing()
            for entry in slice {
                if entry.isPrefix {
                    listing.commonPrefixes.append(entry.key)
                } else if let info = try await head(entry.key) {
                    listing.blobs.append(info)
                }
            }
            if try await !page(listing) { return }
        } while index < entries.count
    }

    // MARK: - Deleting and copying

    public func delete(_ key: String) async throws {
        let full = try path(key)
        let rootPath = self.rootPath
        try await onBlockingPool {
            if unlink(full) != 0 {
                let code = errno
                if code == ENOENT || code == ENOTDIR { return }
                if code == EISDIR || code == EPERM {
                    var st = stat()
                    if lstat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return } // a "directory", not an object
                }
                throw localError("cannot delete", path: full, code)
            }
            // Remove the directories this leaves empty, up to the root: rmdir fails on the first non-empty one.
            var parent = (full as NSString).deletingLastPathComponent
            while parent.count > rootPath.count, rmdir(parent) == 0 {
                parent = (parent as NSString).deletingLastPathComponent
            }
        }
    }

    @discardableResult
    public func copy(from source: String, to destination: String) async throws -> BlobInfo {
        let sourcePath = try path(source)
        try BlobKey.validate(destination)
        guard try await head(source) != nil else {
            throw StorageError(.notFound, key: source, "no such object to copy")
        }
        return try await put(destination, from: URL(fileURLWithPath: sourcePath))
    }
}
