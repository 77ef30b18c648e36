import Foundation

/// Where an S3 store is and how to sign in: parsed from a storage URL and the environment.
///
/// URL form (the `LANTAI_STORAGE_URL` of DESIGN.md):
///
///     s3://BUCKET[/KEY/PREFIX]?endpoint=http://127.0.0.1:8333&region=us-east-1
///
/// - `BUCKET`: 3–63 characters of `a-z 0-9 . -`, starting and ending with a letter or digit.
/// - `/KEY/PREFIX` (optional): every key of the store lives under it, so several roots can share a bucket.
/// - `endpoint` (default `https://s3.<region>.amazonaws.com`): `http` or `https`, host and port, no path.
///   Requests use path-style addressing (`endpoint/BUCKET/KEY`), which every S3-compatible server speaks.
/// - `region` (default `us-east-1`): the region in the signature's scope.
///
/// Credentials never go in the URL (it is printed at start-up and ends up in logs); they come
/// from the environment:
/// - `LANTAI_S3_ACCESS_KEY` and `LANTAI_S3_SECRET_KEY` (both required);
/// - `LANTAI_S3_SESSION_TOKEN` (optional, for temporary credentials).
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    public static let accessKeyVariable = "LANTAI_S3_ACCESS_KEY"
    public static let secretKeyVariable = "LANTAI_S3_SECRET_KEY"
    public static let sessionTokenVariable = "LANTAI_S3_SESSION_TOKEN"

    public var endpoint: URL
    public var bucket: String
    /// `""` or a key prefix ending in `/`.
    public var keyPrefix: String
    public var region: String
    public var accessKey: String
    public var secretKey: String
    public var sessionToken: String?

    public init(endpoint: URL, bucket: String, keyPrefix: String = "", region: String = "us-east-1",
                accessKey: String, secretKey: String, sessionToken: String? = nil) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.keyPrefix = keyPrefix
        self.region = region
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
    }

    /// The URL again, without secrets, and the access key (never the secret) for recognition.
    public var description: String {
        let path = keyPrefix.isEmpty ? "" : "/" + keyPrefix.dropLast()
        return "s3://\(bucket)\(path)?endpoint=\(endpoint.absoluteString)&region=\(region) (access key \(accessKey))"
    }

    /// Parses a storage URL; every problem found is reported at once in one
    /// ``StorageError/Kind/invalidConfiguration`` error.
    public static func parse(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> S3Location {
        var problems: [String] = []
        guard let components = URLComponents(string: text), components.scheme?.lowercased() == "s3" else {
            throw StorageError(.invalidConfiguration, key: text, "not an s3:// URL; expected s3://BUCKET?endpoint=http://HOST:PORT&region=REGION")
        }
        let bucket = components.host ?? ""
        if let problem = bucketProblem(bucket) { problems.append("bucket \"\(bucket)\": \(problem)") }
        if components.user != nil || components.password != nil {
            problems.append("credentials do not belong in the URL; set \(accessKeyVariable) and \(secretKeyVariable)")
        }

        var keyPrefix = components.path
        while keyPrefix.hasPrefix("/") { keyPrefix.removeFirst() }
        while keyPrefix.hasSuffix("/") { keyPrefix.removeLast() }
        if !keyPrefix.isEmpty {
            if let problem = BlobKey.problem(keyPrefix) {
                problems.append("key prefix \"\(keyPrefix)\": \(problem)")
            }
            keyPrefix += "/"
        }

        var region = "us-east-1"
        var endpointText: String?
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "endpoint": endpointText = value
            case "region":
                if value.isEmpty || !value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                    problems.append("region \"\(value)\" is not a region name like us-east-1")
                } else {
                    region = value
                }
            default:
                problems.append("unknown parameter \"\(item.name)\" (known: endpoint, region)")
            }
        }
        let endpoint = endpointText ?? "https://s3.\(region).amazonaws.com"
        let endpointURL = URL(string: endpoint)
        if let problem = endpointProblem(endpointURL) { problems.append("endpoint \"\(endpoint)\": \(problem)") }

        let accessKey = environment[accessKeyVariable] ?? ""
        let secretKey = environment[secretKeyVariable] ?? ""
        if accessKey.isEmpty { problems.append("\(accessKeyVariable) is not set") }
        if secretKey.isEmpty { problems.append("\(secretKeyVariable) is not set") }
        let token = environment[sessionTokenVariable].flatMap { $0.isEmpty ? nil : $0 }

        if !problems.isEmpty {
            throw StorageError(.invalidConfiguration, key: text, problems.joined(separator: "; "))
        }
        return S3Location(endpoint: endpointURL!, bucket: bucket, keyPrefix: keyPrefix, region: region,
                          accessKey: accessKey, secretKey: secretKey, sessionToken: token)
    }

    /// Why `name` cannot be a bucket name (S3's rules), or nil.
    public static func bucketProblem(_ name: String) -> String? {
        if name.count < 3 || name.count > 63 { return "must be 3–63 characters long" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        if !name.allSatisfy({ allowed.contains($0) }) { return "only lowercase letters, digits, . and - are allowed" }
        let alphanumeric = Set("abcdefghijklmnopqrstuvwxyz0123456789")
        if !alphanumeric.contains(name.first!) || !alphanumeric.contains(name.last!) {
            return "must start and end with a letter or digit"
        }
        if name.contains("..") { return "must not contain two dots in a row" }
        return nil
    }

    static func endpointProblem(_ url: URL?) -> String? {
        guard let url, let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return "not a URL like http://127.0.0.1:8333"
        }
        if scheme != "http" && scheme != "https" { return "scheme must be http or https" }
        if !(url.path.isEmpty || url.path == "/") { return "must not have a path (addressing is path-style: endpoint/bucket/key)" }
        if url.query != nil { return "must not have a query" }
        return nil
    }

    /// The `Host` header value: host, plus the port unless it is the scheme's default.
    var hostHeader: String {
        let host = endpoint.host ?? ""
        let bracketed = host.contains(":") ? "[\(host)]" : host
        let scheme = endpoint.scheme?.lowercased() ?? "https"
        if let port = endpoint.port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) {
            return "\(bracketed):\(port)"
        }
        return bracketed
    }

    /// `scheme://host[:port]` without a trailing slash.
    var origin: String {
        "\(endpoint.scheme?.lowercased() ?? "https")://\(hostHeader)"
    }
}
