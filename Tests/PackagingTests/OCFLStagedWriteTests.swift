import Foundation
@testable import Packaging
import XCTest

/// Staging versions through a storage that defers durability, then publishing them: what a
/// batch ingest does to flush once for many objects.
final class OCFLStagedWriteTests: OCFLTestCase {
    func testStagedVersionsAreInvisibleUntilPublished() throws {
        let url = scratch.appendingPathComponent("root")
        let root = try OCFLStorageRoot.create(at: url).deferringDurability()
        let object = root.object(objectID)
        let staged = try object.stage(files: [
            (logicalPath: "正文.txt", source: .file(try source("a", "正文\n"))),
            (logicalPath: "metadata/mets.xml", source: .data(Data("<mets/>\n".utf8))),
        ], message: "ingest", user: user, created: day1, additionalDigests: [.sm3])
        XCTAssertEqual(staged.number, 1)
        XCTAssertEqual(staged.digests["正文.txt"]?[.sm3], DigestAlgorithm.sm3.hexDigest(of: Data("正文\n".utf8)))
        XCTAssertEqual(staged.digests["metadata/mets.xml"]?[.sha512], DigestAlgorithm.sha512.hexDigest(of: Data("<mets/>\n".utf8)))
        XCTAssertFalse(try object.exists())
        XCTAssertEqual(try root.objectPaths(), [])
        try root.synchronize()
        XCTAssertEqual(try object.publish(staged), 1)
        try root.synchronize()
        XCTAssertEqual(try object.data(logicalPath: "metadata/mets.xml"), Data("<mets/>\n".utf8))
        XCTAssertEqual(try object.inventory(), staged.inventory)

        // A second version, staged and then dropped, leaves the first as it was.
        let second = try object.stage(files: [(logicalPath: "正文.txt", source: .data(Data("改\n".utf8)))],
                                      message: "edit", user: user, created: day2)
        XCTAssertEqual(second.number, 2)
        object.discard(second)
        XCTAssertEqual(try object.versions().count, 1)
        XCTAssertFalse(try root.storage.exists(OCFLStorageRoot.stagingDirectory))
        XCTAssertTrue(OCFLValidator.validate(at: url).isValid)
    }

    func testPublishingOntoAnObjectThatMovedOnIsAConflict() throws {
        let root = try OCFLStorageRoot.create(at: scratch.appendingPathComponent("root"))
        let object = root.object(objectID)
        let staged = try object.stage(files: [(logicalPath: "a.txt", source: .data(Data("a\n".utf8)))],
                                      message: "one", user: user, created: day1)
        try root.createOrUpdate(objectID: objectID, files: [(logicalPath: "b.txt", source: try source("b", "b\n"))],
                                message: "other writer", user: user, created: day1)
        XCTAssertThrowsError(try object.publish(staged)) { error in
            XCTAssertEqual((error as? OCFLError)?.kind, .conflict)
        }
        XCTAssertEqual(try object.state().keys.sorted(), ["b.txt"])
        XCTAssertFalse(try root.storage.exists(OCFLStorageRoot.stagingDirectory))
        XCTAssertTrue(OCFLValidator.validate(at: scratch.appendingPathComponent("root")).isValid)
    }
}
