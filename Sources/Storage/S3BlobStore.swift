import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A ``BlobStore`` on an S3 bucket (AWS or any S3-compatible server: SeaweedFS, Ceph RGW, MinIO),
/// spoken to directly over HTTP with AWS Signature Version 4 and path-style addressing.
///
/// - Uploads up to ``Configuration/multipartThreshold`` are one PUT; larger ones are multipart
///   uploads of ``Configuration/partSize`` parts streamed from file regions (aborted on failure,
///   so no half-object ever becomes visible).
/// - Payloads are signed with their SHA-256 by default, so the server refuses a body damaged on
///   the way; this costs one extra read of each file region. Set ``Configuration/signPayload``
///   to false to send `UNSIGNED-PAYLOAD` instead (sensible only over HTTPS).
/// - Reads stream; a read broken mid-way resumes with a `Range` request pinned by `If-Match`.
/// - Failures are retried per ``S3RetryPolicy``; then they surface as ``StorageError``.
public struct S3BlobStore: BlobStore {
    public struct Configuration: Sendable, Hashable {
        /// Size of multipart parts (S3 requires ≥ 5 MiB except for the last part). Raised
        /// automatically when a file would otherwise need more than 10,000 parts.
        public var partSize: Int64
        /// Files larger than this are uploaded in parts.
        public var multipartThreshold: Int64
        /// Objects larger than this are copied part by part (UploadPartCopy): S3 copies at most 5 GiB in one request.
        public var copyPartThreshold: Int64
        public var retry: S3RetryPolicy
        public var signPayload: Bool
        /// Confirm each common prefix of a delimited listing with a one-key listing, and drop
        /// the empty ones. Some S3-compatible servers (SeaweedFS, whose buckets sit on a file
        /// tree) keep listing a "directory" after its last key is deleted; AWS S3 never does,
        /// so there this can be turned off to save one request per prefix.
        public var confirmCommonPrefixes: Bool

        public init(partSize: Int64 = 8 << 20, multipartThreshold: Int64 = 16 << 20, copyPartThreshold: Int64 = 5 << 30,
                    retry: S3RetryPolicy = S3RetryPolicy(), signPayload: Bool = true, confirmCommonPrefixes: Bool = true) {
            self.partSize = max(5 << 20, partSize)
            self.multipartThreshold = max(self.partSize, multipartThreshold)
            self.copyPartThreshold = max(self.partSize, copyPartThreshold)
            self.retry = retry
            self.signPayload = signPayload
            self.confirmCommonPrefixes = confirmCommonPrefixes
        }
    }

    public let location: S3Location
    public let configuration: Configuration
    let client: S3Client

    /// - Parameter httpClient: the AsyncHTTPClient to use (its owner shuts it down); by default a
    ///   process-wide client with a 10 s connect and 60 s read timeout.
    public init(location: S3Location, configuration: Configuration = Configuration(), httpClient: HTTPClient? = nil) {
        self.location = location
        self.configuration = configuration
        client = S3Client(location: location,
                          signer: SigV4Signer(accessKey: location.accessKey, secretKey: location.secretKey,
                                              sessionToken: location.sessionToken, region: location.region),
                          http: httpClient ?? S3Client.defaultHTTPClient,
                          retry: configuration.retry,
                          signPayload: configuration.signPayload)
    }

    /// From a storage URL and the environment; see ``S3Location/parse(_:environment:)``.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                configuration: Configuration = Configuration(), httpClient: HTTPClient? = nil) throws {
        self.init(location: try S3Location.parse(url, environment: environment), configuration: configuration, httpClient: httpClient)
    }

    public var description: String { location.description }

    /// The full key in the bucket.
    private func fullKey(_ key: String) throws -> String {
        try BlobKey.validate(key)
        return location.keyPrefix + key
    }

    // MARK: - Bucket

    /// Creates the bucket unless it exists (setup and tests). Returns whether it was created.
    @discardableResult
    public func createBucketIfMissing() async throws -> Bool {
        do {
            _ = try await client.send(S3Request(method: .HEAD, key: nil))
            return false
        } catch let error as StorageError where error.statusCode == 404 {
            // Not there: create below.
        }
        var request = S3Request(method: .PUT, key: nil)
        if location.region != "us-east-1" {
            let body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(location.region)</LocationConstraint></CreateBucketConfiguration>"
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            _ = try await client.send(request)
            return true
        } catch let error as StorageError where error.code == "BucketAlreadyOwnedByYou" {
            return false
        }
    }

    /// Deletes every object under this store's key prefix and then, if the prefix is empty, the
    /// bucket itself (test clean-up). No error if the bucket does not exist.
    public func deleteBucketAndContents() async throws {
        do {
            try await deleteAll(prefix: "")
            try await abortIncompleteUploads()
            if location.keyPrefix.isEmpty {
                _ = try await client.send(S3Request(method: .DELETE, key: nil))
            }
        } catch let error as StorageError where error.statusCode == 404 {
            return
        }
    }

    // MARK: - Writing

    @discardableResult
    public func put(_ key: String, from file: URL) async throws -> BlobInfo {
        let full = try fullKey(key)
        let path = file.standardizedFileURL.path
        let size = try await onBlockingPool { try LocalFileReader(path: path).size }
        if size <= configuration.multipartThreshold {
            return try await putSingle(key, full: full, body: .file(path: path, offset: 0, length: size), size: size)
        }
        let partSize = Self.partSize(for: size, preferred: configuration.partSize)
        return try await multipart(key, full: full, size: size) { uploadID in
            var parts: [(Int, String)] = []
            var offset: Int64 = 0
            while offset < size {
                let length = min(partSize, size - offset)
                let number = parts.count + 1
                parts.append((number, try await uploadPart(key, full: full, uploadID: uploadID, number: number,
                                                           body: .file(path: path, offset: offset, length: length))))
                offset += length
            }
            return parts
        }
    }

    @discardableResult
    public func put(_ key: String, data: Data) async throws -> BlobInfo {
        try await putSingle(key, full: try fullKey(key), body: .bytes(ByteBuffer(bytes: data)), size: Int64(data.count))
    }

    /// Chunks are gathered in memory up to the multipart threshold: if the sequence ends
    /// before, one PUT; else a multipart upload of parts held one at a time. Memory stays
    /// below threshold + one chunk, and each part can be resent on a retry. As the total is not
    /// known in advance, at most 10,000 × `partSize` bytes (78 GiB at 8 MiB) fit; larger
    /// objects go through a file, whose part size adapts.
    @discardableResult
    public func put<Chunks: AsyncSequence>(_ key: String, chunks: Chunks, size: Int64?) async throws -> BlobInfo where Chunks.Element == Data {
        let full = try fullKey(key)
        var buffer = ByteBuffer()
        var iterator = chunks.makeAsyncIterator()
        var exhausted = false
        while buffer.readableBytes <= configuration.multipartThreshold {
            guard let chunk = try await iterator.next() else { exhausted = true; break }
            buffer.writeBytes(chunk)
        }
        if exhausted {
            if let size, Int64(buffer.readableBytes) != size {
                throw StorageError(.corrupt, key: key, "expected \(size) bytes, the chunks held \(buffer.readableBytes); nothing was stored")
            }
            return try await putSingle(key, full: full, body: .bytes(buffer), size: Int64(buffer.readableBytes))
        }
        let partSize = Int(configuration.partSize)
        var pending = buffer
        var total: Int64 = 0
        var iteratorCopy = iterator
        return try await multipart(key, full: full, size: nil) { uploadID in
            var parts: [(Int, String)] = []
            var finished = false
            while true {
                while !finished && pending.readableBytes < partSize {
                    if let chunk = try await iteratorCopy.next() { pending.writeBytes(chunk) } else { finished = true }
                }
                if pending.readableBytes == 0 && !parts.isEmpty { break }
                let part = pending.readSlice(length: min(partSize, pending.readableBytes))!
                total += Int64(part.readableBytes)
                let number = parts.count + 1
                if number > 10_000 {
                    throw StorageError(.rejected, key: key, "more than 10,000 parts of \(partSize) bytes: raise partSize, or put from a file")
                }
                parts.append((number, try await uploadPart(key, full: full, uploadID: uploadID, number: number, body: .bytes(part))))
                pending.discardReadBytes()
                if finished && pending.readableBytes == 0 { break }
            }
            if let size, total != size {
                throw StorageError(.corrupt, key: key, "expected \(size) bytes, the chunks held \(total); nothing was stored")
            }
            return parts
        }
    }

    private func putSingle(_ key: String, full: String, body: S3Body, size: Int64) async throws -> BlobInfo {
        let reply = try await client.send(S3Request(method: .PUT, key: full, body: body))
        return BlobInfo(key: key, size: size, etag: reply.headers.first(name: "ETag").map(S3Headers.unquote))
    }

    /// The part size to use: the preferred one, raised (to whole MiB) if the object would need
    /// more than S3's 10,000 parts.
    static func partSize(for size: Int64, preferred: Int64) -> Int64 {
        let needed = (size + 9_999) / 10_000
        guard needed > preferred else { return preferred }
        let mib: Int64 = 1 << 20
        return (needed + mib - 1) / mib * mib
    }

    /// Create → parts → complete; abort if anything fails, so that no parts are left billed
    /// and nothing becomes visible. `parts` uploads the parts under the upload id it is given
    /// and returns (number, ETag) for each.
    private func multipart(_ key: String, full: String, size: Int64?,
                           parts: (_ uploadID: String) async throws -> [(Int, String)]) async throws -> BlobInfo {
        let created = try await client.send(S3Request(method: .POST, key: full, query: [("uploads", "")]))
        guard let uploadID = S3XMLElement.parse(created.body)?.value("UploadId"), !uploadID.isEmpty else {
            throw StorageError(.corrupt, key: key, "CreateMultipartUpload reply has no UploadId")
        }
        do {
            let list = try await parts(uploadID)
            return try await complete(key, full: full, uploadID: uploadID, parts: list, size: size)
        } catch {
            _ = try? await client.send(S3Request(method: .DELETE, key: full, query: [("uploadId", uploadID)]))
            throw error
        }
    }

    /// UploadPart: one part's bytes; returns its ETag (quoted, as CompleteMultipartUpload wants it).
    private func uploadPart(_ key: String, full: String, uploadID: String, number: Int, body: S3Body) async throws -> String {
        let reply = try await client.send(S3Request(method: .PUT, key: full,
                                                    query: [("partNumber", String(number)), ("uploadId", uploadID)], body: body))
        guard let etag = reply.headers.first(name: "ETag") else {
            throw StorageError(.corrupt, key: key, "UploadPart \(number) reply has no ETag")
        }
        return etag
    }

    /// UploadPartCopy: one byte range of another object as a part, copied inside the store.
    private func copyPart(_ key: String, full: String, uploadID: String, number: Int, copySource: String,
                          range: ClosedRange<Int64>) async throws -> String {
        let reply = try await client.send(S3Request(method: .PUT, key: full,
                                                    query: [("partNumber", String(number)), ("uploadId", uploadID)],
                                                    headers: [("x-amz-copy-source", copySource),
                                                              ("x-amz-copy-source-range", "bytes=\(range.lowerBound)-\(range.upperBound)")]))
        if let failure = S3ErrorReply.parse(reply.body) {
            throw StorageError(.rejected, key: key, "UploadPartCopy \(number) failed (\(failure.code): \(failure.message))", code: failure.code)
        }
        guard let etag = S3XMLElement.parse(reply.body)?.value("ETag") else {
            throw StorageError(.corrupt, key: key, "UploadPartCopy \(number) reply has no ETag")
        }
        return etag
    }

    private func complete(_ key: String, full: String, uploadID: String, parts: [(Int, String)], size: Int64?) async throws -> BlobInfo {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for (number, etag) in parts {
            xml += "<Part><PartNumber>\(number)</PartNumber><ETag>\(S3Headers.xmlEscape(etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        var etag: String?
        do {
            let reply = try await client.send(S3Request(method: .POST, key: full, query: [("uploadId", uploadID)],
                                                        headers: [("Content-Type", "application/xml")], body: .bytes(ByteBuffer(string: xml))))
            // S3 may answer 200 and still fail: the error is then in the body.
            if let failure = S3ErrorReply.parse(reply.body) {
                throw StorageError(failure.code == "InternalError" ? .unavailable : .rejected, key: key,
                                   "CompleteMultipartUpload failed (\(failure.code): \(failure.message))", statusCode: reply.status, code: failure.code)
            }
            etag = S3XMLElement.parse(reply.body)?.value("ETag").map(S3Headers.unquote)
        } catch let error as StorageError where error.code == "NoSuchUpload" && error.attempts > 1 {
            // A retry after a reply that got lost: the first try completed the upload, so it is
            // gone. The object itself (checked below) says whether that is so.
        }
        let stored = try await head(key)
        guard let stored else { throw StorageError(.corrupt, key: key, "the completed multipart upload is not there") }
        if let size, stored.size != size {
            throw StorageError(.corrupt, key: key, "the completed upload holds \(stored.size) bytes, not \(size)")
        }
        return BlobInfo(key: key, size: stored.size, etag: etag ?? stored.etag, lastModified: stored.lastModified)
    }

    /// Aborts multipart uploads left behind under this store's prefix (a crashed writer).
    public func abortIncompleteUploads() async throws {
        let reply = try await client.send(S3Request(method: .GET, key: nil, query: [("uploads", ""), ("prefix", location.keyPrefix)]))
        guard let root = S3XMLElement.parse(reply.body) else { return }
        for upload in root.all("Upload") {
            guard let key = upload.value("Key"), let id = upload.value("UploadId") else { continue }
            _ = try? await client.send(S3Request(method: .DELETE, key: key, query: [("uploadId", id)]))
        }
    }

    // MARK: - Reading

    public func get(_ key: String, chunkSize: Int, _ body: (Data) async throws -> Void) async throws {
        let full = try fullKey(key)
        let size = max(1, chunkSize)
        var pending = Data()
        try await client.stream(S3Request(method: .GET, key: full)) { buffer in
            // Re-cut the network's pieces into chunks of exactly `size` bytes (the last shorter).
            buffer.withUnsafeReadableBytes { pending.append(contentsOf: $0) }
            while pending.count >= size {
                let chunk = pending.prefix(size)
                pending = pending.dropFirst(size)
                try await body(Data(chunk))
            }
        }
        if !pending.isEmpty { try await body(Data(pending)) }
    }

    public func head(_ key: String) async throws -> BlobInfo? {
        let full = try fullKey(key)
        do {
            let reply = try await client.send(S3Request(method: .HEAD, key: full))
            return BlobInfo(key: key,
                            size: reply.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0,
                            etag: reply.headers.first(name: "ETag").map(S3Headers.unquote),
                            lastModified: reply.headers.first(name: "Last-Modified").flatMap(S3Dates.parseHTTPDate))
        } catch let error as StorageError where error.kind == .notFound {
            return nil
        }
    }

    // MARK: - Listing

    public func listPages(prefix: String, delimiter: String?, pageSize: Int, _ page: (BlobListing) async throws -> Bool) async throws {
        try BlobKey.validatePrefix(prefix)
        let base = location.keyPrefix
        var token: String?
        var seen = Set<String>()
        repeat {
            let parsed = try await listObjects(prefix: base + prefix, delimiter: delimiter, maxKeys: pageSize, token: token)
            var listing = BlobListing()
            for var object in parsed.objects where object.key.hasPrefix(base) {
                object.key.removeFirst(base.count)
                listing.blobs.append(object)
            }
            for common in parsed.commonPrefixes where common.hasPrefix(base) {
                if configuration.confirmCommonPrefixes,
                   try await listObjects(prefix: common, delimiter: nil, maxKeys: 1, token: nil).objects.isEmpty {
                    continue
                }
                listing.commonPrefixes.append(String(common.dropFirst(base.count)))
            }
            if try await !page(listing) { return }
            guard parsed.isTruncated else { return }
            guard let next = parsed.nextContinuationToken, seen.insert(next).inserted else {
                throw StorageError(.corrupt, key: client.name, "ListObjectsV2 is truncated but gives no new continuation token")
            }
            token = next
        } while true
    }

    /// One ListObjectsV2 request (full keys, bucket-relative).
    private func listObjects(prefix: String, delimiter: String?, maxKeys: Int, token: String?) async throws -> S3ListPage {
        var query: [(name: String, value: String)] = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(min(1000, max(1, maxKeys))))]
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let token { query.append(("continuation-token", token)) }
        let reply = try await client.send(S3Request(method: .GET, key: nil, query: query))
        guard let parsed = S3ListPage.parse(reply.body) else {
            throw StorageError(.corrupt, key: client.name, "ListObjectsV2 reply is not a ListBucketResult")
        }
        return parsed
    }

    // MARK: - Deleting and copying

    public func delete(_ key: String) async throws {
        do {
            _ = try await client.send(S3Request(method: .DELETE, key: try fullKey(key)))
        } catch let error as StorageError where error.kind == .notFound {
            return
        }
    }

    @discardableResult
    public func copy(from source: String, to destination: String) async throws -> BlobInfo {
        let fullSource = try fullKey(source)
        let fullDestination = try fullKey(destination)
        let copySource = SigV4Signer.canonicalURI("/\(location.bucket)/\(fullSource)")
        guard let info = try await head(source) else {
            throw StorageError(.notFound, key: source, "no such object to copy")
        }
        if info.size > configuration.copyPartThreshold {
            // Parts as large as one copy request may be (the threshold, at most S3's 5 GiB).
            let partSize = Self.partSize(for: info.size, preferred: min(configuration.copyPartThreshold, 5 << 30))
            return try await multipart(destination, full: fullDestination, size: info.size) { uploadID in
                var parts: [(Int, String)] = []
                var offset: Int64 = 0
                while offset < info.size {
                    let last = min(offset + partSize, info.size) - 1
                    let number = parts.count + 1
                    parts.append((number, try await copyPart(destination, full: fullDestination, uploadID: uploadID, number: number,
                                                             copySource: copySource, range: offset...last)))
                    offset = last + 1
                }
                return parts
            }
        }
        let reply = try await client.send(S3Request(method: .PUT, key: fullDestination,
                                                    headers: [("x-amz-copy-source", copySource), ("x-amz-metadata-directive", "COPY")]))
        // Like CompleteMultipartUpload, a copy can answer 200 and fail in the body.
        if let failure = S3ErrorReply.parse(reply.body) {
            throw StorageError(failure.code == "InternalError" ? .unavailable : .rejected, key: destination,
                               "CopyObject failed (\(failure.code): \(failure.message))", statusCode: reply.status, code: failure.code)
        }
        let etag = S3XMLElement.parse(reply.body)?.value("ETag").map(S3Headers.unquote)
        return BlobInfo(key: destination, size: info.size, etag: etag ?? info.etag)
    }
}
