import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// How failed S3 requests are retried: 5xx replies, connection failures and timeouts, with
/// exponential back-off and jitter, at most `maxAttempts` tries in all. A 4xx reply is never
/// retried: asking again will not change the answer.
public struct S3RetryPolicy: Sendable, Hashable {
    /// Tries in all, the first included (1 = no retries).
    public var maxAttempts: Int
    /// Wait before the first retry; doubled for each further one, capped at `maxDelay`.
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval

    public init(maxAttempts: Int = 4, baseDelay: TimeInterval = 0.2, maxDelay: TimeInterval = 5) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
    }

    /// The wait before attempt `attempt + 1` (attempt ≥ 1): half fixed, half random, so that many
    /// clients failing together do not retry in lock-step.
    func delay(after attempt: Int) -> TimeInterval {
        let full = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        return full / 2 + Double.random(in: 0...(full / 2))
    }
}

/// A body to send. Files are streamed from a region (offset, length) so multipart parts never
/// sit in memory; both kinds can be sent again on a retry.
enum S3Body: Sendable {
    case empty
    case bytes(ByteBuffer)
    case file(path: String, offset: Int64, length: Int64)
}

struct S3Request: Sendable {
    var method: HTTPMethod
    /// Full key inside the bucket (prefix included), or nil for a bucket-level request.
    var key: String?
    var query: [(name: String, value: String)] = []
    var headers: [(name: String, value: String)] = []
    var body: S3Body = .empty
}

struct S3Reply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data
}

/// The HTTP side of ``S3BlobStore``: path-style URLs, SigV4 signing, retries, error mapping.
struct S3Client: Sendable {
    let location: S3Location
    let signer: SigV4Signer
    let http: HTTPClient
    let retry: S3RetryPolicy
    /// Hash file bodies for the signature (a damaged upload is refused) or send `UNSIGNED-PAYLOAD`.
    let signPayload: Bool

    /// The shared client used when none is given: plain HTTP/1.1, no redirects (a signed
    /// request must not be replayed elsewhere), and no connection retries inside AHC so that
    /// ``S3RetryPolicy`` alone decides how often to try. Lives for the whole process.
    static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(60)),
            decompression: .disabled)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()

    /// What messages call the store.
    var name: String { "s3://\(location.bucket) (\(location.origin))" }

    // MARK: - Requests

    /// Sends a request whose reply is small, retrying as the policy says. Returns 2xx replies;
    /// throws a ``StorageError`` for everything else.
    func send(_ request: S3Request) async throws -> S3Reply {
        let payloadHash = try await hash(request.body)
        var attempt = 0
        while true {
            attempt += 1
            do {
                let httpRequest = try makeRequest(request, payloadHash: payloadHash)
                let response = try await http.execute(request: httpRequest).get()
                let body = response.body.map { buffer in buffer.withUnsafeReadableBytes { Data($0) } } ?? Data()
                let reply = S3Reply(status: Int(response.status.code), headers: response.headers, body: body)
                if (200..<300).contains(reply.status) { return reply }
                let error = self.error(for: reply, request: request, attempts: attempt)
                if reply.status >= 500, attempt < retry.maxAttempts {
                    try await pause(after: attempt)
                    continue
                }
                throw error
            } catch let error as StorageError {
                throw error
            } catch {
                if Self.isTransient(error), attempt < retry.maxAttempts {
                    try await pause(after: attempt)
                    continue
                }
                throw unavailable(error, request: request, attempts: attempt)
            }
        }
    }

    /// Sends a GET and streams the body to `body`. Retries before the first byte as ``send(_:)``
    /// does; if the connection breaks mid-body, resumes from where it stopped with a `Range`
    /// request pinned to the same object by `If-Match`.
    func stream(_ request: S3Request, _ body: (ByteBuffer) async throws -> Void) async throws {
        var delivered: Int64 = 0
        var etag: String?
        var attempt = 0
        while true {
            attempt += 1
            var current = request
            if delivered > 0 {
                current.headers.append(("Range", "bytes=\(delivered)-"))
                if let etag { current.headers.append(("If-Match", "\"\(etag)\"")) }
            }
            let delegate = S3ResponseStream()
            let task: HTTPClient.Task<Void>
            do {
                task = http.execute(request: try makeRequest(current, payloadHash: SigV4Signer.emptyPayloadHash), delegate: delegate)
            } catch {
                throw unavailable(error, request: request, attempts: attempt)
            }
            do {
                let head = try await delegate.responseHead()
                let status = Int(head.status.code)
                if !(200..<300).contains(status) {
                    var errorBody = Data()
                    while let part = try await delegate.next() {
                        if errorBody.count < 64 << 10 { part.withUnsafeReadableBytes { errorBody.append(contentsOf: $0) } }
                    }
                    let reply = S3Reply(status: status, headers: head.headers, body: errorBody)
                    if status == 412 {
                        throw StorageError(.corrupt, key: request.key, "the object changed while it was being read", statusCode: 412, attempts: attempt)
                    }
                    if status >= 500, attempt < retry.maxAttempts {
                        try await pause(after: attempt)
                        continue
                    }
                    throw error(for: reply, request: request, attempts: attempt)
                }
                if delivered > 0, status != 206 {
                    throw StorageError(.corrupt, key: request.key, "the store ignored the Range of a resumed read (HTTP \(status))", statusCode: status, attempts: attempt)
                }
                if etag == nil, let tag = head.headers.first(name: "ETag") { etag = S3Headers.unquote(tag) }
                while let part = try await delegate.next() {
                    delivered += Int64(part.readableBytes)
                    do {
                        try await body(part)
                    } catch {
                        delegate.cancel()
                        task.cancel()
                        throw ConsumerError(underlying: error)
                    }
                }
                _ = try await task.futureResult.get()
                return
            } catch let error as ConsumerError {
                throw error.underlying
            } catch let error as StorageError {
                task.cancel()
                throw error
            } catch {
                task.cancel()
                if Self.isTransient(error), attempt < retry.maxAttempts {
                    try await pause(after: attempt)
                    continue
                }
                throw unavailable(error, request: request, attempts: attempt)
            }
        }
    }

    /// Marks an error thrown by the caller's body so that it is rethrown untouched, never retried.
    private struct ConsumerError: Error {
        var underlying: Error
    }

    // MARK: - Building and signing

    /// `/bucket` or `/bucket/key`, raw (the signer and the URL encode it the same way).
    func path(for key: String?) -> String {
        key.map { "/\(location.bucket)/\($0)" } ?? "/\(location.bucket)"
    }

    func makeRequest(_ request: S3Request, payloadHash: String, date: Date = Date()) throws -> HTTPClient.Request {
        let rawPath = path(for: request.key)
        var headers = [(name: String, value: String)]()
        headers.append(("Host", location.hostHeader))
        headers += request.headers
        let signed = signer.sign(SigV4Signer.Request(method: request.method.rawValue, path: rawPath, query: request.query, headers: headers),
                                 payloadHash: payloadHash, date: date)
        var url = location.origin + SigV4Signer.canonicalURI(rawPath)
        if !request.query.isEmpty { url += "?" + SigV4Signer.canonicalQuery(request.query) }
        var httpHeaders = HTTPHeaders()
        for header in headers + signed { httpHeaders.add(name: header.name, value: header.value) }
        return try HTTPClient.Request(url: url, method: request.method, headers: httpHeaders, body: httpBody(request.body))
    }

    private func httpBody(_ body: S3Body) -> HTTPClient.Body? {
        switch body {
        case .empty: return nil
        case .bytes(let buffer): return .byteBuffer(buffer)
        case .file(let path, let offset, let length):
            let eventLoop = http.eventLoopGroup.next()
            return .stream(contentLength: length) { writer in
                Self.streamFile(path: path, offset: offset, length: length, to: writer, on: eventLoop)
            }
        }
    }

    /// Reads the file region on NIO's blocking pool, 256 KiB at a time, writing each piece as the
    /// connection accepts it. The file is opened per attempt and closed when the region is sent
    /// or the request fails.
    private static func streamFile(path: String, offset: Int64, length: Int64, to writer: HTTPClient.Body.StreamWriter,
                                   on eventLoop: EventLoop) -> EventLoopFuture<Void> {
        let pool = NIOThreadPool.singleton
        return pool.runIfActive(eventLoop: eventLoop) { try LocalFileReader(path: path) }.flatMap { reader in
            @Sendable func send(from position: Int64) -> EventLoopFuture<Void> {
                let end = offset + length
                if position >= end { return eventLoop.makeSucceededVoidFuture() }
                let count = Int(min(256 << 10, end - position))
                return pool.runIfActive(eventLoop: eventLoop) { () throws -> ByteBuffer in
                    let data = try reader.read(at: position, count: count)
                    if data.count != count {
                        throw StorageError(.io, key: path, "the file shrank while it was being uploaded")
                    }
                    return ByteBuffer(bytes: data)
                }.flatMap { buffer in
                    writer.write(.byteBuffer(buffer))
                }.flatMap {
                    send(from: position + Int64(count))
                }
            }
            return send(from: offset).always { _ in reader.close() }
        }
    }

    /// The payload hash for the signature: SHA-256 of the body (a file region is read once for
    /// it, on the blocking pool), or `UNSIGNED-PAYLOAD` for files when payload signing is off.
    func hash(_ body: S3Body) async throws -> String {
        switch body {
        case .empty: return SigV4Signer.emptyPayloadHash
        case .bytes(let buffer): return buffer.withUnsafeReadableBytes { SigV4Signer.hex(SHA256.hash(data: $0)) }
        case .file(let path, let offset, let length):
            guard signPayload else { return SigV4Signer.unsignedPayload }
            return try await onBlockingPool {
                let reader = try LocalFileReader(path: path)
                defer { reader.close() }
                var hasher = SHA256()
                var position = offset
                while position < offset + length {
                    let chunk = try reader.read(at: position, count: Int(min(1 << 20, offset + length - position)))
                    if chunk.isEmpty { throw StorageError(.io, key: path, "the file is shorter than expected") }
                    hasher.update(data: chunk)
                    position += Int64(chunk.count)
                }
                return SigV4Signer.hex(hasher.finalize())
            }
        }
    }

    // MARK: - Retries and errors

    /// Waits on an event loop timer (not `Task.sleep`, which needs the global executor).
    private func pause(after attempt: Int) async throws {
        let delay = retry.delay(after: attempt)
        try await http.eventLoopGroup.next().scheduleTask(in: .nanoseconds(Int64(delay * 1e9))) {}.futureResult.get()
    }

    /// Errors worth another try: the network failed, not the request.
    static func isTransient(_ error: Error) -> Bool {
        if let error = error as? HTTPClientError {
            return [.connectTimeout, .readTimeout, .writeTimeout, .remoteConnectionClosed,
                    .getConnectionFromPoolTimeout, .tlsHandshakeTimeout].contains(error)
        }
        // A reply cut off mid-body (the connection dropped) is a network failure too.
        if let error = error as? HTTPParserError { return error == .invalidEOFState }
        return error is NIOConnectionError || error is IOError || error is ChannelError
    }

    private func unavailable(_ error: Error, request: S3Request, attempts: Int) -> StorageError {
        StorageError(.unavailable, key: request.key.map { "\(name): \($0)" } ?? name,
                     "\(request.method.rawValue) failed: \(Self.describe(error))", attempts: attempts)
    }

    /// A network error in words.
    static func describe(_ error: Error) -> String {
        if let error = error as? NIOConnectionError {
            let reasons = error.connectionErrors.map { "\($0.target): \(describe($0.error))" }
            return "cannot connect to \(error.host):\(error.port)" + (reasons.isEmpty ? "" : " (" + reasons.joined(separator: "; ") + ")")
        }
        if let error = error as? IOError { return errnoMessage(error.errnoCode).lowercased() }
        if let error = error as? HTTPParserError, error == .invalidEOFState { return "the connection dropped before the reply was complete" }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connection timed out"
            case .readTimeout: return "no reply in time (read timeout)"
            case .writeTimeout: return "could not send in time (write timeout)"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return String(describing: error)
            }
        }
        return String(describing: error)
    }

    /// The ``StorageError`` for a non-2xx reply.
    func error(for reply: S3Reply, request: S3Request, attempts: Int) -> StorageError {
        let parsed = S3ErrorReply.parse(reply.body)
        let code = parsed?.code
        let said = parsed.map { "\($0.code): \($0.message)" } ?? "HTTP \(reply.status)"
        let key = request.key.map { "\(name): \($0)" } ?? name
        switch reply.status {
        case 404 where code == "NoSuchBucket":
            return StorageError(.invalidConfiguration, key: name, "bucket \(location.bucket) does not exist (\(said)); create it first",
                                statusCode: 404, code: code, attempts: attempts)
        case 404:
            return StorageError(.notFound, key: key, "no such object (\(said))", statusCode: 404, code: code, attempts: attempts)
        case 403:
            return StorageError(.authentication, key: key,
                                "the store refused the request (\(said)); check \(S3Location.accessKeyVariable) and \(S3Location.secretKeyVariable), and that the clock is right",
                                statusCode: 403, code: code, attempts: attempts)
        case 500...:
            return StorageError(.unavailable, key: key, "the store failed (\(said))", statusCode: reply.status, code: code, attempts: attempts)
        default:
            return StorageError(.rejected, key: key, "\(request.method.rawValue) refused (\(said))", statusCode: reply.status, code: code, attempts: attempts)
        }
    }
}
