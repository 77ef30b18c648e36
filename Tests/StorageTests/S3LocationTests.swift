import Foundation
@testable import Storage
import XCTest

/// Storage URLs, key rules and the small policies, without a server.
final class S3LocationTests: XCTestCase {
    let keys = [S3Location.accessKeyVariable: "lantaitest", S3Location.secretKeyVariable: "lantaitestsecret"]

    func testParsesTheDocumentedForm() throws {
        let location = try S3Location.parse("s3://lantai-aip?endpoint=http://127.0.0.1:8333&region=us-east-1", environment: keys)
        XCTAssertEqual(location.bucket, "lantai-aip")
        XCTAssertEqual(location.keyPrefix, "")
        XCTAssertEqual(location.endpoint.absoluteString, "http://127.0.0.1:8333")
        XCTAssertEqual(location.region, "us-east-1")
        XCTAssertEqual(location.accessKey, "lantaitest")
        XCTAssertEqual(location.secretKey, "lantaitestsecret")
        XCTAssertEqual(location.hostHeader, "127.0.0.1:8333")
        XCTAssertEqual(location.origin, "http://127.0.0.1:8333")
        XCTAssertFalse(location.description.contains("lantaitestsecret"), "the secret is never printed")
        XCTAssertTrue(location.description.contains("lantaitest"))
    }

    func testKeyPrefixDefaultsAndSessionToken() throws {
        var env = keys
        env[S3Location.sessionTokenVariable] = "token"
        let location = try S3Location.parse("s3://archive.example/nodes/j012/", environment: env)
        XCTAssertEqual(location.keyPrefix, "nodes/j012/")
        XCTAssertEqual(location.endpoint.absoluteString, "https://s3.us-east-1.amazonaws.com", "AWS by default")
        XCTAssertEqual(location.hostHeader, "s3.us-east-1.amazonaws.com", "default port left out")
        XCTAssertEqual(location.sessionToken, "token")
        let frankfurt = try S3Location.parse("s3://archive.example?region=eu-central-1", environment: keys)
        XCTAssertEqual(frankfurt.endpoint.absoluteString, "https://s3.eu-central-1.amazonaws.com")
    }

    /// Every problem is named at once, and the message says which variables to set.
    func testBadURLsListEveryProblem() {
        XCTAssertThrowsError(try S3Location.parse("s3://Bad_Bucket?endpoint=ftp://x/y&colour=red", environment: [:])) { error in
            let e = error as? StorageError
            XCTAssertEqual(e?.kind, .invalidConfiguration)
            let text = e?.description ?? ""
            XCTAssertTrue(text.hasPrefix("存储配置有误 / invalid storage configuration"), text)
            for expected in ["bucket \"Bad_Bucket\"", "unknown parameter \"colour\"", "endpoint \"ftp://x/y\"",
                             "LANTAI_S3_ACCESS_KEY is not set", "LANTAI_S3_SECRET_KEY is not set"] {
                XCTAssertTrue(text.contains(expected), "missing \(expected) in: \(text)")
            }
        }
        XCTAssertThrowsError(try S3Location.parse("http://127.0.0.1:8333/bucket", environment: keys)) { error in
            XCTAssertEqual((error as? StorageError)?.kind, .invalidConfiguration)
        }
        XCTAssertThrowsError(try S3Location.parse("s3://user:pass@bucket?endpoint=http://127.0.0.1:1", environment: keys)) { error in
            XCTAssertTrue(String(describing: error).contains("credentials do not belong in the URL"))
        }
        XCTAssertThrowsError(try S3Location.parse("s3://ab?endpoint=http://127.0.0.1:1", environment: keys))
        XCTAssertThrowsError(try S3Location.parse("s3://bucket/a/../b?endpoint=http://127.0.0.1:1", environment: keys))
    }

    func testBucketNameRules() {
        XCTAssertNil(S3Location.bucketProblem("abc"))
        XCTAssertNil(S3Location.bucketProblem("lantai.archive-2024"))
        XCTAssertNotNil(S3Location.bucketProblem("ab"))
        XCTAssertNotNil(S3Location.bucketProblem(String(repeating: "a", count: 64)))
        XCTAssertNotNil(S3Location.bucketProblem("Upper"))
        XCTAssertNotNil(S3Location.bucketProblem("-abc"))
        XCTAssertNotNil(S3Location.bucketProblem("a..b"))
    }

    func testKeyRules() {
        for good in ["a", "a/b/c.txt", "正文/关于档案数字化的通知.pdf", "0=ocfl_1.1", ".hidden/x", "a b/+c"] {
            XCTAssertNil(BlobKey.problem(good), good)
        }
        let bad: [(String, String)] = [
            ("", "empty"), ("/a", "starts with /"), ("a//b", "empty path segment"), ("a/", "empty path segment"),
            ("a/../b", ". or .."), ("..", ". or .."), ("./a", ". or .."), ("a\u{0}b", "control"), ("a\nb", "control"),
            (".lantai-tmp/x", "reserved"), (String(repeating: "x", count: 1025), "1024"),
        ]
        for (key, reason) in bad {
            let problem = BlobKey.problem(key)
            XCTAssertNotNil(problem, key)
            XCTAssertTrue(problem?.contains(reason) == true, "\(key.debugDescription): \(problem ?? "nil")")
            XCTAssertThrowsError(try BlobKey.validate(key)) { error in
                XCTAssertEqual((error as? StorageError)?.kind, .invalidKey)
                XCTAssertFalse(String(describing: error).contains("\u{0}"), "NUL is shown escaped")
            }
        }
        XCTAssertNoThrow(try BlobKey.validatePrefix(""))
        XCTAssertNoThrow(try BlobKey.validatePrefix("a/b/"))
        XCTAssertNoThrow(try BlobKey.validatePrefix("a/b"))
        XCTAssertThrowsError(try BlobKey.validatePrefix("a//"))
    }

    func testRetryDelaysGrowAndAreCapped() {
        let policy = S3RetryPolicy(maxAttempts: 6, baseDelay: 0.1, maxDelay: 0.5)
        for _ in 0..<50 {
            let first = policy.delay(after: 1), third = policy.delay(after: 3), late = policy.delay(after: 10)
            XCTAssertTrue((0.05...0.1).contains(first), "\(first)")
            XCTAssertTrue((0.2...0.4).contains(third), "\(third)")
            XCTAssertTrue((0.25...0.5).contains(late), "\(late)")
        }
        XCTAssertEqual(S3RetryPolicy(maxAttempts: 0).maxAttempts, 1)
    }

    func testPartSizeStaysWithinTenThousandParts() {
        XCTAssertEqual(S3BlobStore.partSize(for: 40 << 20, preferred: 8 << 20), 8 << 20)
        let huge: Int64 = 200 << 30 // 200 GiB at 8 MiB would be 25,600 parts
        let size = S3BlobStore.partSize(for: huge, preferred: 8 << 20)
        XCTAssertLessThanOrEqual((huge + size - 1) / size, 10_000)
        XCTAssertEqual(size % (1 << 20), 0)
        let configuration = S3BlobStore.Configuration(partSize: 1, multipartThreshold: 2)
        XCTAssertEqual(configuration.partSize, 5 << 20, "S3's minimum part size")
        XCTAssertEqual(configuration.multipartThreshold, 5 << 20)
    }

    func testS3XMLReplies() throws {
        let list = Data("""
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>
        <Contents><Key>p/正文 &amp; 附件.pdf</Key><LastModified>2024-05-01T08:00:00.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>12</Size></Contents>
        <CommonPrefixes><Prefix>p/v1/</Prefix></CommonPrefixes>
        <IsTruncated>true</IsTruncated><NextContinuationToken>tok+/=</NextContinuationToken></ListBucketResult>
        """.utf8)
        let page = try XCTUnwrap(S3ListPage.parse(list))
        XCTAssertEqual(page.objects, [BlobInfo(key: "p/正文 & 附件.pdf", size: 12, etag: "abc", lastModified: Date(timeIntervalSince1970: 1_714_550_400))])
        XCTAssertEqual(page.commonPrefixes, ["p/v1/"])
        XCTAssertTrue(page.isTruncated)
        XCTAssertEqual(page.nextContinuationToken, "tok+/=")
        let error = try XCTUnwrap(S3ErrorReply.parse(Data("<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error>".utf8)))
        XCTAssertEqual(error.code, "SignatureDoesNotMatch")
        XCTAssertNil(S3ListPage.parse(Data("not xml".utf8)))
    }
}
