import Foundation
@testable import Storage
import XCTest

/// Retries and their limits, against a scripted server (no SeaweedFS needed) and a closed port.
final class S3RetryTests: StorageTestCase {
    let quick = S3RetryPolicy(maxAttempts: 3, baseDelay: 0.02, maxDelay: 0.1)

    func store(port: Int, retry: S3RetryPolicy) -> S3BlobStore {
        S3BlobStore(location: S3Location(endpoint: URL(string: "http://127.0.0.1:\(port)")!, bucket: "scripted",
                                         accessKey: "lantaitest", secretKey: "lantaitestsecret"),
                    configuration: .init(retry: retry))
    }

    /// Nothing listens: a clear "storage unavailable" after exactly maxAttempts tries, quickly.
    func testClosedPortFailsAfterBoundedRetries() async throws {
        let port = try { () throws -> Int in
            let server = try ScriptedHTTPServer { _, _ in Data() }
            server.stop()
            return server.port
        }()
        let started = Date()
        let error = await assertStorageError(.unavailable) {
            try await self.store(port: port, retry: self.quick).put("a.txt", data: Data("x".utf8))
        }
        XCTAssertEqual(error?.attempts, 3)
        let text = error?.description ?? ""
        XCTAssertTrue(text.hasPrefix("存储不可用 / storage unavailable: s3://scripted (http://127.0.0.1:\(port)): a.txt: PUT failed: "), text)
        XCTAssertTrue(text.lowercased().contains("refused"), text)
        XCTAssertTrue(text.hasSuffix("(3 次尝试 / attempts)"), text)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    /// 503 twice, then 200: the third try succeeds.
    func testServerErrorsAreRetried() async throws {
        let server = try ScriptedHTTPServer { index, _ in
            index < 2 ? ScriptedHTTPServer.response(503, "Slow Down", body: "<Error><Code>SlowDown</Code><Message>busy</Message></Error>")
                      : ScriptedHTTPServer.response(200, "OK", headers: ["ETag: \"abc\""])
        }
        defer { server.stop() }
        let info = try await store(port: server.port, retry: quick).put("a.txt", data: Data("hello".utf8))
        XCTAssertEqual(info.etag, "abc")
        XCTAssertEqual(server.requests.count, 3)
        XCTAssertTrue(server.requests.allSatisfy { $0.hasPrefix("PUT /scripted/a.txt HTTP/1.1") })
        XCTAssertTrue(server.requests[0].contains("x-amz-content-sha256: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
                      "the payload is signed with its SHA-256")

        let always = try ScriptedHTTPServer { _, _ in ScriptedHTTPServer.response(500, "Internal Server Error") }
        defer { always.stop() }
        let error = await assertStorageError(.unavailable) { try await self.store(port: always.port, retry: self.quick).head("a") }
        XCTAssertEqual(error?.attempts, 3)
        XCTAssertEqual(error?.statusCode, 500)
        XCTAssertEqual(always.requests.count, 3)
    }

    /// A 4xx is an answer, not a failure: never retried.
    func testClientErrorsAreNotRetried() async throws {
        let server = try ScriptedHTTPServer { _, _ in
            ScriptedHTTPServer.response(400, "Bad Request", body: "<Error><Code>InvalidArgument</Code><Message>no</Message></Error>")
        }
        defer { server.stop() }
        let error = await assertStorageError(.rejected) {
            try await self.store(port: server.port, retry: S3RetryPolicy(maxAttempts: 5, baseDelay: 0.01)).put("a", data: Data())
        }
        XCTAssertEqual(error?.code, "InvalidArgument")
        XCTAssertEqual(error?.attempts, 1)
        XCTAssertEqual(server.requests.count, 1)
    }

    /// The connection drops after half the body: the read resumes with a Range pinned by If-Match,
    /// and the caller sees every byte exactly once.
    func testReadBrokenMidwayResumesWithRange() async throws {
        let server = try ScriptedHTTPServer { index, head in
            if index == 0 {
                // Promise 10 bytes, send 5, hang up.
                return Data("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: \"v1\"\r\nConnection: close\r\n\r\n01234".utf8)
            }
            guard head.contains("Range: bytes=5-"), head.contains("If-Match: \"v1\"") else {
                return ScriptedHTTPServer.response(400, "Bad Request")
            }
            return ScriptedHTTPServer.response(206, "Partial Content", headers: ["Content-Range: bytes 5-9/10", "ETag: \"v1\""], body: "56789")
        }
        defer { server.stop() }
        let data = try await store(port: server.port, retry: quick).data("big.bin")
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "0123456789")
        XCTAssertEqual(server.requests.count, 2)

        // The object changed between the two requests: a clear error, not a spliced file.
        let changed = try ScriptedHTTPServer { index, _ in
            index == 0 ? Data("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: \"v1\"\r\nConnection: close\r\n\r\n01234".utf8)
                       : ScriptedHTTPServer.response(412, "Precondition Failed")
        }
        defer { changed.stop() }
        await assertStorageError(.corrupt) { try await self.store(port: changed.port, retry: self.quick).data("big.bin") }
    }
}
