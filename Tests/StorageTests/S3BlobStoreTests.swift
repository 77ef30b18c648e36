import Crypto
import Foundation
@testable import Storage
import XCTest

/// S3BlobStore against a real S3 server (SeaweedFS on loopback; see ``TestS3``). Each test has a
/// bucket of its own, deleted afterwards.
final class S3BlobStoreTests: StorageTestCase {
    func testSmallObjectsRoundTrip() async throws {
        let store = try await TestS3.freshStore(#function, testCase: self)
        let createdAgain = try await store.createBucketIfMissing()
        XCTAssertFalse(createdAgain, "creating an existing bucket is a no-op")
        let text = Data("卷内备考表：本卷共三件。\n".utf8)
        let key = "正文/关于 档案+数字化&的=通知 (1).txt"
        let put = try await store.put(key, data: text)
        XCTAssertEqual(put.etag, hex(Insecure.MD5.hash(data: text)), "the ETag of a single PUT is the MD5 of the bytes")
        let found = try await store.head(key)
        let head = try XCTUnwrap(found)
        XCTAssertEqual(head.size, Int64(text.count))
        XCTAssertEqual(head.etag, put.etag)
        XCTAssertNotNil(head.lastModified)
        let readBack = try await store.data(key)
        XCTAssertEqual(readBack, text)

        try await store.put("empty", data: Data())
        let emptySize = try await store.head("empty")?.size
        XCTAssertEqual(emptySize, 0)
        let emptyData = try await store.data("empty")
        XCTAssertEqual(emptyData, Data())

        let missingHead = try await store.head("missing")
        XCTAssertNil(missingHead)
        let missing = await assertStorageError(.notFound) { try await store.data("missing") }
        XCTAssertEqual(missing?.statusCode, 404)
        XCTAssertTrue(missing?.description.hasPrefix("对象不存在 / object not found") == true, missing?.description ?? "")
        try await store.delete("missing") // deleting nothing is fine

        try await store.copy(from: key, to: "副本/copy.txt")
        let copyData = try await store.data("副本/copy.txt")
        XCTAssertEqual(copyData, text)
        await assertStorageError(.notFound) { try await store.copy(from: "missing", to: "x") }

        try await store.delete(key)
        let deletedHead = try await store.head(key)
        XCTAssertNil(deletedHead)
        let remaining = try await store.list().blobs.map(\.key)
        XCTAssertEqual(remaining, ["empty", "副本/copy.txt"])
        await assertStorageError(.invalidKey) { try await store.put("../x", data: Data()) }
    }

    /// 40 MiB from a file: a multipart upload of 8 MiB parts streamed from file regions; read
    /// back by streaming to a file; digests equal. Prints the throughput.
    func testLargeFileIsUploadedInPartsAndReadBackIntact() async throws {
        let store = try await TestS3.freshStore(#function, testCase: self)
        let source = try makeFile("big.bin", size: 40 << 20, seed: 7)
        var started = Date()
        let info = try await store.put("扫描件/big.bin", from: source.url)
        let upload = Date().timeIntervalSince(started)
        XCTAssertEqual(info.size, 40 << 20)
        XCTAssertTrue(info.etag?.hasSuffix("-5") == true, "a multipart ETag names its 5 parts: \(info.etag ?? "nil")")

        started = Date()
        let copy = scratch.appendingPathComponent("back.bin")
        let downloaded = try await store.get("扫描件/big.bin", to: copy)
        XCTAssertEqual(downloaded, 40 << 20)
        let download = Date().timeIntervalSince(started)
        XCTAssertEqual(try sha256(of: copy), source.sha256)
        print("S3 40 MiB: upload \(String(format: "%.0f", 40 / upload)) MiB/s (multipart, payload signed), download \(String(format: "%.0f", 40 / download)) MiB/s")

        var sizes: [Int] = []
        try await store.get("扫描件/big.bin", chunkSize: 3 << 20) { sizes.append($0.count) }
        XCTAssertEqual(sizes.count, 14)
        XCTAssertTrue(sizes.dropLast().allSatisfy { $0 == 3 << 20 })
        XCTAssertEqual(sizes.reduce(0, +), 40 << 20)

        // Stopping a read early (the caller throws) stops the transfer and rethrows.
        struct Enough: Error {}
        var got = 0
        do {
            try await store.get("扫描件/big.bin", chunkSize: 1 << 20) { chunk in
                got += chunk.count
                if got >= 2 << 20 { throw Enough() }
            }
            XCTFail("the body threw")
        } catch is Enough {}
        XCTAssertEqual(got, 2 << 20)
    }

    /// Copies above the threshold go part by part (UploadPartCopy).
    func testLargeCopyGoesPartByPart() async throws {
        let store = try await TestS3.freshStore(#function, configuration: .init(copyPartThreshold: 16 << 20), testCase: self)
        let source = try makeFile("copy.bin", size: 40 << 20, seed: 3)
        try await store.put("a.bin", from: source.url)
        let copied = try await store.copy(from: "a.bin", to: "b/a.bin")
        XCTAssertEqual(copied.size, 40 << 20)
        let copiedInParts = try await store.head("b/a.bin")?.etag?.hasSuffix("-3")
        XCTAssertEqual(copiedInParts, true, "three 16 MiB copy parts")
        let back = scratch.appendingPathComponent("b.bin")
        try await store.get("b/a.bin", to: back)
        XCTAssertEqual(try sha256(of: back), source.sha256)
    }

    func testPutFromChunks() async throws {
        let store = try await TestS3.freshStore(#function, testCase: self)
        // Small: one PUT.
        let small = (0..<4).map { Data(repeating: UInt8($0), count: 1000) }
        let smallSize = try await store.put("small", chunks: TestChunks(chunks: small), size: 4000).size
        XCTAssertEqual(smallSize, 4000)
        let smallData = try await store.data("small")
        XCTAssertEqual(smallData, Data(small.joined()))
        // 20 MiB in 1 MiB chunks: over the threshold, so parts of 8 MiB held one at a time.
        let large = (0..<20).map { Data(repeating: UInt8($0), count: 1 << 20) }
        let largeJoined = large.reduce(into: Data()) { $0.append($1) }
        let info = try await store.put("large", chunks: TestChunks(chunks: large), size: 20 << 20)
        XCTAssertEqual(info.size, 20 << 20)
        XCTAssertTrue(info.etag?.hasSuffix("-3") == true, info.etag ?? "nil")
        let largeData = try await store.data("large", limit: 21 << 20)
        XCTAssertEqual(largeData, largeJoined)
        // A size that does not match stores nothing, small or large.
        await assertStorageError(.corrupt) { try await store.put("bad-small", chunks: TestChunks(chunks: small), size: 1) }
        await assertStorageError(.corrupt) { try await store.put("bad-large", chunks: TestChunks(chunks: large), size: 1) }
        let stored = try await store.list().blobs.map(\.key)
        XCTAssertEqual(stored, ["large", "small"])
        let uploads = try await store.client.send(S3Request(method: .GET, key: nil, query: [("uploads", "")]))
        XCTAssertFalse(String(decoding: uploads.body, as: UTF8.self).contains("bad-large"), "the failed multipart upload was aborted")
    }

    /// More keys than one page: continuation tokens are followed inside; with a delimiter,
    /// directories come back as common prefixes. A store with a key prefix sees only its own keys.
    func testListingFollowsContinuation() async throws {
        let store = try await TestS3.freshStore(#function, prefix: "root/one", testCase: self)
        var expected: [String] = []
        for i in 0..<23 { expected.append("v1/content/f\(String(format: "%02d", i)).txt") }
        expected += ["inventory.json", "v1/inventory.json", "正文.txt"]
        for key in expected { try await store.put(key, data: Data(key.utf8)) }
        let other = S3BlobStore(location: S3Location(endpoint: store.location.endpoint, bucket: store.location.bucket, keyPrefix: "root/two/",
                                                     accessKey: store.location.accessKey, secretKey: store.location.secretKey))
        try await other.put("inventory.json", data: Data("other".utf8))

        var pages: [Int] = []
        var keys: [String] = []
        try await store.listPages(prefix: "", delimiter: nil, pageSize: 5) { page in
            pages.append(page.blobs.count)
            keys += page.blobs.map(\.key)
            return true
        }
        XCTAssertEqual(pages, [5, 5, 5, 5, 5, 1], "six pages of at most five")
        XCTAssertEqual(keys, expected.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        let total = try await store.list().blobs.count
        XCTAssertEqual(total, 26)

        let top = try await store.list(prefix: "", delimiter: "/")
        XCTAssertEqual(top.blobs.map(\.key), ["inventory.json", "正文.txt"])
        XCTAssertEqual(top.commonPrefixes, ["v1/"])
        let v1 = try await store.list(prefix: "v1/", delimiter: "/")
        XCTAssertEqual(v1.blobs.map(\.key), ["v1/inventory.json"])
        XCTAssertEqual(v1.commonPrefixes, ["v1/content/"])
        let underF1 = try await store.list(prefix: "v1/content/f1").blobs.count
        XCTAssertEqual(underF1, 10)
        let otherKeys = try await other.list().blobs.map(\.key)
        XCTAssertEqual(otherKeys, ["inventory.json"])

        // Once the last key under a "directory" goes, so does the directory.
        try await store.deleteAll(prefix: "v1/")
        let after = try await store.list(prefix: "", delimiter: "/")
        XCTAssertEqual(after.commonPrefixes, [], "no empty directories left behind")
        let v1Left = try await store.hasKeys(prefix: "v1/")
        XCTAssertFalse(v1Left)
    }

    /// A wrong secret: one try (a 4xx is never retried) and a message that says what to check.
    func testWrongSecretIsAClearAuthenticationError() async throws {
        let good = try await TestS3.freshStore(#function, testCase: self)
        try await good.put("a.txt", data: Data("x".utf8))
        let server = try TestS3.server()
        let bad = try S3BlobStore(url: "s3://\(good.location.bucket)?endpoint=\(server.endpoint)",
                                  environment: TestS3.environment(server, secret: "not-the-secret"))
        for attempt in [{ _ = try await bad.put("b.txt", data: Data("y".utf8)) }, { _ = try await bad.data("a.txt") },
                        { _ = try await bad.list() }] as [() async throws -> Void] {
            let error = await assertStorageError(.authentication) { try await attempt() }
            XCTAssertEqual(error?.statusCode, 403)
            XCTAssertEqual(error?.attempts, 1)
            let text = error?.description ?? ""
            XCTAssertTrue(text.hasPrefix("存储认证失败 / storage authentication failed"), text)
            XCTAssertTrue(text.contains("LANTAI_S3_SECRET_KEY"), text)
        }
        let notWritten = try await good.head("b.txt")
        XCTAssertNil(notWritten, "nothing was written with the wrong secret")
    }

    func testMissingBucketSaysSo() async throws {
        let server = try TestS3.server()
        let store = try S3BlobStore(url: "s3://\(TestS3.bucketName("nobucket"))?endpoint=\(server.endpoint)", environment: TestS3.environment(server))
        let error = await assertStorageError(.invalidConfiguration) { try await store.put("a", data: Data("x".utf8)) }
        XCTAssertEqual(error?.code, "NoSuchBucket")
        XCTAssertTrue(error?.description.contains("does not exist") == true)
    }
}
