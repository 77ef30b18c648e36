import Foundation
@testable import Storage
import XCTest

final class FileSystemBlobStoreTests: StorageTestCase {
    var store: FileSystemBlobStore!

    override func setUpWithError() throws {
        try super.setUpWithError()
        store = FileSystemBlobStore(root: scratch.appendingPathComponent("store"))
    }

    func testPutGetHeadListDelete() async throws {
        let text = Data("卷内备考表：本卷共三件。\n".utf8)
        let info = try await store.put("正文/说明.txt", data: text)
        XCTAssertEqual(info.size, Int64(text.count))
        let found = try await store.head("正文/说明.txt")
        let stored = try XCTUnwrap(found)
        XCTAssertEqual(stored.size, Int64(text.count))
        XCTAssertNotNil(stored.lastModified)
        let readBack = try await store.data("正文/说明.txt")
        XCTAssertEqual(readBack, text)
        XCTAssertEqual(try Data(contentsOf: scratch.appendingPathComponent("store/正文/说明.txt")), text, "key a/b is the file root/a/b")

        let source = try makeFile("src.bin", size: 300_000)
        try await store.put("a/b/big.bin", from: source.url)
        var chunks: [Int] = []
        try await store.get("a/b/big.bin", chunkSize: 128 << 10) { chunks.append($0.count) }
        XCTAssertEqual(chunks, [131_072, 131_072, 37_856])
        let copy = scratch.appendingPathComponent("out/big.bin")
        let copied = try await store.get("a/b/big.bin", to: copy)
        XCTAssertEqual(copied, 300_000)
        XCTAssertEqual(try sha256(of: copy), source.sha256)

        try await store.copy(from: "a/b/big.bin", to: "a/c.bin")
        let copySize = try await store.head("a/c.bin")?.size
        XCTAssertEqual(copySize, 300_000)

        let all = try await store.list()
        XCTAssertEqual(all.blobs.map(\.key), ["a/b/big.bin", "a/c.bin", "正文/说明.txt"])
        XCTAssertEqual(all.commonPrefixes, [])
        let top = try await store.list(prefix: "", delimiter: "/")
        XCTAssertEqual(top.blobs, [])
        XCTAssertEqual(top.commonPrefixes, ["a/", "正文/"], "the temporary directory is never listed")
        let inA = try await store.list(prefix: "a/", delimiter: "/")
        XCTAssertEqual(inA.blobs.map(\.key), ["a/c.bin"])
        XCTAssertEqual(inA.commonPrefixes, ["a/b/"])
        let underAB = try await store.list(prefix: "a/b").blobs.map(\.key)
        XCTAssertEqual(underAB, ["a/b/big.bin"], "a prefix may end inside a segment")

        try await store.delete("a/b/big.bin")
        try await store.delete("a/b/big.bin") // no error the second time
        let deleted = try await store.head("a/b/big.bin")
        XCTAssertNil(deleted)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("store/a/b").path),
                       "deleting the last key under a directory removes the directory, as on S3")
        let dirsInA = try await store.list(prefix: "a/", delimiter: "/").commonPrefixes
        XCTAssertEqual(dirsInA, [])
        await assertStorageError(.notFound) { try await self.store.data("a/b/big.bin") }
        await assertStorageError(.notFound) { try await self.store.copy(from: "nope", to: "x") }
        await assertStorageError(.notFound) { try await self.store.data("a") } // a directory is not an object
    }

    func testBadKeysAreRefusedBeforeAnythingHappens() async throws {
        for key in ["", "/etc/passwd", "a//b", "a/", "../escape", "a/./b", "a\u{0}b", ".lantai-tmp/x"] {
            await assertStorageError(.invalidKey) { try await self.store.put(key, data: Data("x".utf8)) }
            await assertStorageError(.invalidKey) { try await self.store.head(key) }
            await assertStorageError(.invalidKey) { try await self.store.get(key, chunkSize: 1) { _ in } }
            await assertStorageError(.invalidKey) { try await self.store.delete(key) }
            await assertStorageError(.invalidKey) { try await self.store.copy(from: "a", to: key) }
        }
        await assertStorageError(.invalidKey) { try await self.store.list(prefix: "../") }
        XCTAssertEqual(files(under: scratch), [], "nothing was written")
    }

    /// A write in progress is invisible: not listed, no head, the old value still read; a failed
    /// write leaves the old value and no temporary file.
    func testWritesInProgressAreNeverVisible() async throws {
        try await store.put("record.bin", data: Data("old".utf8))
        let store = self.store!
        let chunks = (0..<5).map { Data(repeating: UInt8($0), count: 10_000) }
        let observed = ObservedDuringWrite()
        let sequence = TestChunks(chunks: chunks, onYield: { index in
            guard index == 3 else { return }
            // Midway through the write, look at the store from outside.
            await observed.record(head: try? await store.head("record.bin"),
                                  keys: (try? await store.list())?.blobs.map(\.key) ?? [],
                                  data: try? await store.data("record.bin"))
        })
        try await store.put("record.bin", chunks: sequence, size: 50_000)
        let seen = await observed.snapshot
        XCTAssertEqual(seen.head?.size, 3, "the old object until the rename")
        XCTAssertEqual(seen.keys, ["record.bin"], "no temporary name in listings")
        XCTAssertEqual(seen.data, Data("old".utf8))
        let newSize = try await store.head("record.bin")?.size
        XCTAssertEqual(newSize, 50_000)

        let failing = TestChunks(chunks: chunks, failAfter: 2)
        do {
            try await store.put("record.bin", chunks: failing, size: nil)
            XCTFail("the sequence fails")
        } catch is TestChunks.ChunkFailure {}
        await assertStorageError(.corrupt) { try await store.put("record.bin", chunks: TestChunks(chunks: chunks), size: 49_999) }
        let sizeAfterFailures = try await store.head("record.bin")?.size
        XCTAssertEqual(sizeAfterFailures, 50_000, "failed writes leave the previous object")
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("store/.lantai-tmp").path),
                       "and no temporary files: the temporary directory goes once no write is in progress")
        await assertStorageError(.io) { try await store.put("x", from: self.scratch.appendingPathComponent("missing")) }
    }

    func testListingPagesAreInByteOrder() async throws {
        let keys = ["b", "a/2", "a/10", "正/1", "Z", "a/1/x", "é"]
        for key in keys { try await store.put(key, data: Data(key.utf8)) }
        var pages: [[String]] = []
        try await store.listPages(prefix: "", delimiter: nil, pageSize: 3) { page in
            pages.append(page.blobs.map(\.key))
            return true
        }
        XCTAssertEqual(pages.map(\.count), [3, 3, 1])
        XCTAssertEqual(pages.flatMap { $0 }, ["Z", "a/1/x", "a/10", "a/2", "b", "é", "正/1"], "UTF-8 byte order, as S3")
        var first: [String] = []
        try await store.listPages(prefix: "", delimiter: nil, pageSize: 2) { page in
            first = page.blobs.map(\.key)
            return false
        }
        XCTAssertEqual(first, ["Z", "a/1/x"], "returning false stops the listing")
        await assertStorageError(.rejected) { try await self.store.list(prefix: "", delimiter: "|") }
        let emptyListing = try await FileSystemBlobStore(root: scratch.appendingPathComponent("nothing")).list()
        XCTAssertEqual(emptyListing, BlobListing())
    }
}

/// What a concurrent observer saw in the middle of a write.
actor ObservedDuringWrite {
    var snapshot: (head: BlobInfo?, keys: [String], data: Data?) = (nil, [], nil)
    func record(head: BlobInfo?, keys: [String], data: Data?) { snapshot = (head, keys, data) }
}
