import Foundation
import Packaging

/// Packaging's ``OCFLStorage`` on any ``BlobStore``: the same OCFL writer, reader and validator
/// run on a directory (``FileSystemBlobStore``) or an S3 bucket (``S3BlobStore``).
///
/// How directory operations map onto a store that has only keys:
/// - a directory is the common prefix of the keys under it: ``list(_:)`` lists with delimiter
///   `/`, ``exists(_:)`` is "an object at the key, or some key under `key/`";
///   ``createDirectory(_:)`` and ``removeDirectoryIfEmpty(_:)`` have nothing to do;
/// - ``rename(from:to:)`` of a directory (publishing a staged OCFL version or object) copies
///   every key, content first, then inventories, then `0=` declarations, and only then deletes
///   the sources. It is not atomic, which OCFL tolerates: readers trust the root inventory,
///   written last. The `alreadyExists` check before copying is best-effort on S3 (no atomic
///   test-and-set); concurrent writers of one object are kept apart by the job lease and, in
///   one process, by Packaging's per-object lock;
/// - ``write(_:_:)`` gathers the bytes first (in memory up to `memorySpoolLimit`, beyond that
///   in a temporary file in `spoolDirectory`), then stores them with one `put`, which is
///   all-or-nothing and can be retried, and multipart for large files.
///
/// Synchronous over async: each call blocks its thread until the store is done (see
/// ``BlockingBridge``). It never deadlocks on a Swift concurrency thread, even when all of them
/// are blocked in such calls, because the store's work runs on dedicated threads and NIO's; but
/// each call holds its thread meanwhile, so async code should run OCFL work on a thread of its
/// own or accept that. It must not be called on a NIO event loop thread (it throws there).
public struct BlobOCFLStorage: OCFLStorage {
    public let store: any BlobStore
    /// `""` or a key prefix ending in `/` under which the storage root lives.
    public let prefix: String
    public let spoolDirectory: URL
    public let memorySpoolLimit: Int

    public init(store: any BlobStore, prefix: String = "", spoolDirectory: URL = FileManager.default.temporaryDirectory,
                memorySpoolLimit: Int = 4 << 20) {
        var prefix = prefix
        if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
        self.store = store
        self.prefix = prefix
        self.spoolDirectory = spoolDirectory
        self.memorySpoolLimit = memorySpoolLimit
    }

    /// The store key of an OCFL path (not the root).
    private func key(_ path: String) throws -> String {
        let key = prefix + path
        if path.isEmpty || BlobKey.problem(key) != nil {
            throw OCFLStorageError(.invalidPath, path: path, "not a clean relative path")
        }
        return key
    }

    /// The listing prefix of a directory: the root's prefix, or `key/`.
    private func directoryPrefix(_ path: String) throws -> String {
        path.isEmpty ? prefix : try key(path) + "/"
    }

    private func bridge<T: Sendable>(_ path: String, _ operation: @escaping @Sendable () async throws -> T) throws -> T {
        do {
            return try BlockingBridge.run(operation)
        } catch {
            throw Self.ocflError(error, path: path)
        }
    }

    /// A ``StorageError`` in OCFL's terms; the bilingual description becomes the message.
    static func ocflError(_ error: Error, path: String) -> Error {
        if error is OCFLStorageError { return error }
        guard let error = error as? StorageError else {
            return OCFLStorageError(.io, path: path, String(describing: error))
        }
        switch error.kind {
        case .notFound: return OCFLStorageError(.notFound, path: path, error.description)
        case .invalidKey: return OCFLStorageError(.invalidPath, path: path, error.description)
        default: return OCFLStorageError(.io, path: path, error.description)
        }
    }

    // MARK: - OCFLStorage

    public func read(_ path: String, chunkSize: Int, _ body: (Data) throws -> Void) throws {
        let key = try key(path)
        do { try BlockingBridge.checkCaller() } catch { throw Self.ocflError(error, path: path) }
        let channel = ChunkChannel()
        let store = self.store
        BlockingBridge.start {
            do {
                try await store.get(key, chunkSize: chunkSize) { chunk in try await channel.send(chunk) }
                channel.finish(nil)
            } catch {
                channel.finish(error)
            }
        }
        while true {
            let chunk: Data?
            do {
                chunk = try channel.receive()
            } catch {
                throw Self.ocflError(error, path: path)
            }
            guard let chunk else { return }
            do {
                try body(chunk)
            } catch {
                channel.cancel()
                channel.waitUntilFinished()
                throw error
            }
        }
    }

    public func list(_ path: String) throws -> [OCFLStorageEntry] {
        let directory = try directoryPrefix(path)
        let store = self.store
        let listing = try bridge(path) { try await store.list(prefix: directory, delimiter: "/") }
        var entries: [OCFLStorageEntry] = []
        for blob in listing.blobs {
            let name = String(blob.key.dropFirst(directory.count))
            // Some S3 servers show "directory marker" objects (`dir/`); they are not files.
            if !name.isEmpty && !name.contains("/") { entries.append(OCFLStorageEntry(name: name, kind: .file)) }
        }
        for common in listing.commonPrefixes {
            let name = String(common.dropFirst(directory.count).dropLast())
            if !name.isEmpty { entries.append(OCFLStorageEntry(name: name, kind: .directory)) }
        }
        if entries.isEmpty && !path.isEmpty {
            throw OCFLStorageError(.notFound, path: path, "no such directory")
        }
        return entries
    }

    public func write(_ path: String, _ produce: ((Data) throws -> Void) throws -> Void) throws {
        let key = try key(path)
        let spool = WriteSpool(limit: memorySpoolLimit, directory: spoolDirectory)
        defer { spool.discard() }
        do {
            try produce { chunk in try spool.append(chunk) }
        } catch let error as StorageError {
            throw Self.ocflError(error, path: path)
        }
        let store = self.store
        switch spool.contents {
        case .memory(let data):
            _ = try bridge(path) { try await store.put(key, data: data) }
        case .file(let url):
            _ = try bridge(path) { try await store.put(key, from: url) }
        }
    }

    public func createDirectory(_ path: String) throws {
        _ = try directoryPrefix(path)
    }

    public func remove(_ path: String) throws {
        let directory = try directoryPrefix(path)
        let store = self.store
        let single = path.isEmpty ? nil : try key(path)
        try bridge(path) {
            if let single { try await store.delete(single) }
            try await store.deleteAll(prefix: directory)
        }
    }

    public func removeDirectoryIfEmpty(_ path: String) throws {
        _ = try directoryPrefix(path)
    }

    public func rename(from: String, to: String) throws {
        let source = try key(from)
        let destination = try key(to)
        let store = self.store
        try bridge(to) {
            if try await store.head(source) != nil {
                try await store.copy(from: source, to: destination)
                try await store.delete(source)
                return
            }
            let keys = try await store.list(prefix: source + "/").blobs.map(\.key)
            if keys.isEmpty { throw OCFLStorageError(.notFound, path: from, "nothing to move") }
            if try await store.hasKeys(prefix: destination + "/") {
                throw OCFLStorageError(.alreadyExists, path: to, "cannot move \(from) here: the directory is not empty")
            }
            for key in keys.sorted(by: { Self.publishRank($0) < Self.publishRank($1) }) {
                try await store.copy(from: key, to: destination + key.dropFirst(source.count))
            }
            for key in keys { try await store.delete(key) }
        }
    }

    public func exists(_ path: String) throws -> Bool {
        if path.isEmpty { return true }
        let key = try key(path)
        let store = self.store
        return try bridge(path) {
            if try await store.head(key) != nil { return true }
            return try await store.hasKeys(prefix: key + "/")
        }
    }

    /// Copy order when publishing a directory: content, then inventories and sidecars, then the
    /// `0=` declarations that make an object an object, so a crash mid-way never leaves a
    /// declared object without its inventory, or an inventory without its content.
    static func publishRank(_ key: String) -> Int {
        let name = key.split(separator: "/").last.map(String.init) ?? key
        if name.hasPrefix("0=") { return 2 }
        if name.hasPrefix("inventory.json") { return 1 }
        return 0
    }
}

/// Bytes pushed by OCFL's writer, kept until the whole file is there: in memory while small,
/// then in a temporary file.
final class WriteSpool {
    enum Contents { case memory(Data), file(URL) }

    private let limit: Int
    private let directory: URL
    private var memory = Data()
    private var file: LocalFileWriter?

    init(limit: Int, directory: URL) {
        self.limit = limit
        self.directory = directory
    }

    func append(_ chunk: Data) throws {
        if let file {
            try file.write(chunk)
            return
        }
        if memory.count + chunk.count <= limit {
            memory.append(chunk)
            return
        }
        try makeDirectories(directory.path)
        let path = directory.standardizedFileURL.path + "/lantai-spool-\(UUID().uuidString.lowercased())"
        let writer = try LocalFileWriter(temp: path, target: path)
        try writer.write(memory)
        try writer.write(chunk)
        memory = Data()
        file = writer
    }

    var contents: Contents {
        if let file { return .file(URL(fileURLWithPath: file.temp)) }
        return .memory(memory)
    }

    func discard() {
        file?.discard()
        file = nil
        memory = Data()
    }
}
