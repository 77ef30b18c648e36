import Foundation

/// What a store knows about one object.
public struct BlobInfo: Sendable, Hashable {
    public var key: String
    public var size: Int64
    /// The store's entity tag, quotes removed (S3: the MD5 of a single-part object, or
    /// `<md5>-<parts>` for a multipart one). Nil where the store has none (file system).
    public var etag: String?
    public var lastModified: Date?

    public init(key: String, size: Int64, etag: String? = nil, lastModified: Date? = nil) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// One page of a listing, or all of it.
public struct BlobListing: Sendable, Hashable {
    /// Objects directly matched, in key order (UTF-8 byte order, as S3 lists them).
    public var blobs: [BlobInfo]
    /// With a delimiter: the distinct key prefixes up to and including the next delimiter
    /// after the listing prefix ("directories"), in order. Empty without a delimiter.
    public var commonPrefixes: [String]

    public init(blobs: [BlobInfo] = [], commonPrefixes: [String] = []) {
        self.blobs = blobs
        self.commonPrefixes = commonPrefixes
    }
}

/// Where the bytes of the archive live: a directory, an S3 bucket, another S3 bucket elsewhere.
///
/// Keys are `/`-separated relative paths checked by ``BlobKey`` (a bad key throws
/// ``StorageError/Kind/invalidKey`` before anything is touched). Every method streams: no
/// implementation holds a whole large object in memory. A `put` is all-or-nothing: readers see
/// the old object or the new one, never a part (a temporary file renamed into place; an S3 PUT
/// or a completed multipart upload).
///
/// The async methods never block a Swift concurrency thread for long: file work runs on NIO's
/// blocking thread pool, network work on NIO's event loops. That also lets ``BlobOCFLStorage``
/// call them from synchronous code (see there).
///
/// There are no directories: a "directory" is the common prefix of some keys, visible in a
/// listing with delimiter `/` only while some key is under it.
public protocol BlobStore: Sendable, CustomStringConvertible {
    /// Stores the contents of a local file under `key`, replacing any object there.
    @discardableResult
    func put(_ key: String, from file: URL) async throws -> BlobInfo

    /// Stores a small in-memory value.
    @discardableResult
    func put(_ key: String, data: Data) async throws -> BlobInfo

    /// Stores what a sequence of chunks yields. If `size` is given and the chunks add up to
    /// something else, throws ``StorageError/Kind/corrupt`` and stores nothing.
    @discardableResult
    func put<Chunks: AsyncSequence>(_ key: String, chunks: Chunks, size: Int64?) async throws -> BlobInfo where Chunks.Element == Data

    /// Streams the object to `body` in chunks of at most `chunkSize` bytes (the last may be
    /// shorter). Throws ``StorageError/Kind/notFound`` if there is no such object; an error
    /// thrown by `body` stops the transfer and is rethrown.
    func get(_ key: String, chunkSize: Int, _ body: (Data) async throws -> Void) async throws

    /// Size and tag of the object, or nil if there is none.
    func head(_ key: String) async throws -> BlobInfo?

    /// Lists keys starting with `prefix` (see ``BlobKey/validatePrefix(_:)``), one page of at most
    /// `pageSize` entries at a time, in key order; continuation between pages is handled
    /// inside. `page` returns whether to go on. `delimiter` may be nil or `"/"`.
    func listPages(prefix: String, delimiter: String?, pageSize: Int, _ page: (BlobListing) async throws -> Bool) async throws

    /// Deletes the object; no error if there is none.
    func delete(_ key: String) async throws

    /// Copies an object inside the store, replacing any object at `destination`.
    /// Throws ``StorageError/Kind/notFound`` if there is no source.
    @discardableResult
    func copy(from source: String, to destination: String) async throws -> BlobInfo
}

extension BlobStore {
    /// Everything under `prefix`, all pages gathered. For very large stores prefer ``listPages(prefix:delimiter:pageSize:_:)``.
    public func list(prefix: String = "", delimiter: String? = nil) async throws -> BlobListing {
        var all = BlobListing()
        try await listPages(prefix: prefix, delimiter: delimiter, pageSize: 1000) { page in
            all.blobs += page.blobs
            all.commonPrefixes += page.commonPrefixes
            return true
        }
        return all
    }

    /// Whether any object's key starts with `prefix`.
    public func hasKeys(prefix: String) async throws -> Bool {
        var found = false
        try await listPages(prefix: prefix, delimiter: nil, pageSize: 1) { page in
            found = !page.blobs.isEmpty
            return false
        }
        return found
    }

    /// Reads a whole (small) object into memory; throws ``StorageError/Kind/corrupt`` past `limit` bytes.
    public func data(_ key: String, limit: Int = 64 << 20) async throws -> Data {
        var data = Data()
        try await get(key, chunkSize: 1 << 20) { chunk in
            data.append(chunk)
            if data.count > limit { throw StorageError(.corrupt, key: key, "larger than \(limit) bytes") }
        }
        return data
    }

    /// Streams the object into a local file: a temporary file beside it, flushed, then renamed,
    /// so `file` is either untouched or complete. Returns the number of bytes written.
    @discardableResult
    public func get(_ key: String, to file: URL, chunkSize: Int = 1 << 20) async throws -> Int64 {
        let output = try LocalFileWriter(replacing: file)
        do {
            try await get(key, chunkSize: chunkSize) { chunk in try output.write(chunk) }
            return try await output.commit()
        } catch {
            output.discard()
            throw error
        }
    }

    /// Deletes every object under `prefix` (`""`: the whole store). Returns how many.
    @discardableResult
    public func deleteAll(prefix: String) async throws -> Int {
        var keys: [String] = []
        try await listPages(prefix: prefix, delimiter: nil, pageSize: 1000) { page in
            keys += page.blobs.map(\.key)
            return true
        }
        for key in keys { try await delete(key) }
        return keys.count
    }
}
