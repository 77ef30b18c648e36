import Foundation

/// A failure of a ``BlobStore``: what went wrong, for which key or location, in words an
/// operator can act on, in Chinese and English ("存储不可用 / storage unavailable: …").
///
/// `kind` is what callers branch on (``Kind/notFound`` is often not an error at all);
/// the rest is for people and logs.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The key breaks the key rules (see ``BlobKey``); nothing was sent anywhere.
        case invalidKey
        /// No object under that key.
        case notFound
        /// The store could not be reached or kept failing (connection refused, timeouts, 5xx),
        /// after the bounded retries of ``S3RetryPolicy``.
        case unavailable
        /// The store refused our credentials or signature (HTTP 403).
        case authentication
        /// The store understood and refused the request (a 4xx other than 403 and 404).
        case rejected
        /// A storage URL or setting is unusable (bad `s3://` URL, missing keys, missing bucket).
        case invalidConfiguration
        /// A local file could not be read or written.
        case io
        /// What came back is inconsistent: wrong size, unparsable reply, object changed mid-read.
        case corrupt

        /// The Chinese and English headline for this kind.
        public var headline: String {
            switch self {
            case .invalidKey: return "对象键无效 / invalid object key"
            case .notFound: return "对象不存在 / object not found"
            case .unavailable: return "存储不可用 / storage unavailable"
            case .authentication: return "存储认证失败 / storage authentication failed"
            case .rejected: return "存储拒绝了请求 / storage rejected the request"
            case .invalidConfiguration: return "存储配置有误 / invalid storage configuration"
            case .io: return "本地文件读写失败 / local file I/O failed"
            case .corrupt: return "存储返回的数据不一致 / inconsistent data from storage"
            }
        }
    }

    public var kind: Kind
    /// The key (or bucket, or URL) concerned, when there is one.
    public var key: String?
    public var detail: String
    /// The HTTP status of the last response, for S3.
    public var statusCode: Int?
    /// The S3 error code of the last response (`SignatureDoesNotMatch`, `NoSuchKey`, …).
    public var code: String?
    /// How many attempts were made (1 when nothing was retried).
    public var attempts: Int

    public init(_ kind: Kind, key: String? = nil, _ detail: String, statusCode: Int? = nil, code: String? = nil, attempts: Int = 1) {
        self.kind = kind
        self.key = key
        self.detail = detail
        self.statusCode = statusCode
        self.code = code
        self.attempts = attempts
    }

    public var description: String {
        var text = kind.headline + ": "
        if let key { text += key + ": " }
        text += detail
        if attempts > 1 { text += " (\(attempts) 次尝试 / attempts)" }
        return text
    }
}

extension StorageError: LocalizedError {
    public var errorDescription: String? { description }
}
