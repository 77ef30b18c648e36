import Crypto
import Foundation

/// AWS Signature Version 4 (header form), as S3 and S3-compatible stores (SeaweedFS, Ceph RGW,
/// MinIO) require it.
///
/// Written here rather than taken from an SDK so that the S3 client needs nothing but
/// AsyncHTTPClient and swift-crypto. Each step is exposed (canonical request, string to sign,
/// signature) so the tests can hold every step against AWS's published test suite.
///
/// Payload hash: callers pass the hex SHA-256 of the body (what ``S3BlobStore`` does by default,
/// so a body damaged on the way is refused by the server) or ``unsignedPayload``.
public struct SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The payload hash of an empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// Signs the headers only; S3 then does not check the body against the signature.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    public var accessKey: String
    public var secretKey: String
    /// A temporary credential's session token, sent and signed as `x-amz-security-token`.
    public var sessionToken: String?
    public var region: String
    public var service: String

    public init(accessKey: String, secretKey: String, sessionToken: String? = nil, region: String, service: String = "s3") {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
        self.region = region
        self.service = service
    }

    /// A request as the signer sees it. `path` is the raw (not yet encoded) absolute path,
    /// e.g. `/bucket/正文/a b.pdf`; query items are raw too.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(name: String, value: String)]
        /// Every header that will be sent and signed, `Host` included. Names in any case;
        /// a name given twice is signed as one comma-separated value, in order.
        public var headers: [(name: String, value: String)]

        public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)]) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
        }
    }

    /// The signed request's extra headers: `x-amz-date`, `x-amz-content-sha256` (S3 only),
    /// `x-amz-security-token` (with a session token) and `Authorization`. The request's own
    /// headers must be sent unchanged.
    public func sign(_ request: Request, payloadHash: String, date: Date) -> [(name: String, value: String)] {
        var added: [(name: String, value: String)] = [("x-amz-date", Self.timestamp(date))]
        if service == "s3" { added.append(("x-amz-content-sha256", payloadHash)) }
        if let sessionToken { added.append(("x-amz-security-token", sessionToken)) }
        var full = request
        full.headers += added
        added.append(("Authorization", authorization(full, payloadHash: payloadHash, date: date)))
        return added
    }

    /// The `Authorization` header value for a request whose headers already include `x-amz-date`.
    public func authorization(_ request: Request, payloadHash: String, date: Date) -> String {
        let canonical = canonicalRequest(request, payloadHash: payloadHash)
        let toSign = stringToSign(canonicalRequest: canonical.text, date: date)
        return "\(Self.algorithm) Credential=\(accessKey)/\(scope(date)), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature(stringToSign: toSign, date: date))"
    }

    // MARK: - The steps

    /// Step 1: method, canonical URI, canonical query, canonical headers, signed headers, payload hash.
    public func canonicalRequest(_ request: Request, payloadHash: String) -> (text: String, signedHeaders: String) {
        let headers = Self.canonicalHeaders(request.headers)
        let text = [
            request.method.uppercased(),
            Self.canonicalURI(request.path),
            Self.canonicalQuery(request.query),
            headers.canonical,
            headers.signed,
            payloadHash,
        ].joined(separator: "\n")
        return (text, headers.signed)
    }

    /// Step 2: algorithm, timestamp, credential scope, hash of the canonical request.
    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        [Self.algorithm, Self.timestamp(date), scope(date), Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))]
            .joined(separator: "\n")
    }

    /// Step 3: HMAC of the string to sign with the key derived for this day, region and service.
    public func signature(stringToSign: String, date: Date) -> String {
        Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(date)))
    }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyymmdd), region), service), "aws4_request")`.
    public func signingKey(_ date: Date) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(secretKey)".utf8))
        for part in [Self.day(date), region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    public func scope(_ date: Date) -> String { "\(Self.day(date))/\(region)/\(service)/aws4_request" }

    // MARK: - Canonical forms

    /// Each path segment URI-encoded (RFC 3986 unreserved characters kept), `/` kept.
    /// Encoded once, as S3 wants; the path is not normalised (S3 keys may contain `.`).
    public static func canonicalURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : "/" + path
        return absolute.split(separator: "/", omittingEmptySubsequences: false).map { uriEncode(String($0)) }.joined(separator: "/")
    }

    /// Names and values encoded, sorted by name then value, `name=value` joined by `&`.
    public static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (uriEncode($0.name), uriEncode($0.value)) }
        let sorted = encoded.sorted { (a, b) -> Bool in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// Lower-cased names, sorted; values trimmed with inner runs of spaces collapsed; repeated
    /// names joined with commas. Returns the header block (each line ending in `\n`) and the
    /// `;`-joined names.
    public static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (canonical: String, signed: String) {
        var values: [String: [String]] = [:]
        for header in headers {
            values[header.name.lowercased(), default: []].append(trimAll(header.value))
        }
        let names = values.keys.sorted()
        let canonical = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (canonical, names.joined(separator: ";"))
    }

    private static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    private static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

    /// RFC 3986 percent-encoding of every byte outside the unreserved set, upper-case hex.
    public static func uriEncode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    // MARK: - Dates and hex

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func timestamp(_ date: Date) -> String {
        let c = utc(date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    static func day(_ date: Date) -> String { String(timestamp(date).prefix(8)) }

    private static func utc(_ date: Date) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Hex SHA-256 of a byte buffer: the payload hash of a body held in memory.
    public static func payloadHash<D: DataProtocol>(_ data: D) -> String {
        hex(SHA256.hash(data: data))
    }
}
