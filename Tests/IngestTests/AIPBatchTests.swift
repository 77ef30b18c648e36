import ArchiveKit
import Foundation
@testable import Ingest
import Packaging
import XCTest

/// The batch ``ArchivalPackage/preserve(_:node:in:message:user:options:concurrency:)``: the same
/// objects as one-by-one writes, at one flush per batch.
final class AIPBatchTests: AIPTestCase {
    func requests() throws -> [AIPPreserveRequest] {
        let filesA = try recordAFiles
        let filesB = [try file("照片.jpg", "\u{FF}\u{D8}\u{FF}\u{E0} JFIF 照片\n", Self.jpeg)]
        return [
            AIPPreserveRequest(record: recordA, files: filesA, events: eventsA(filesA)),
            AIPPreserveRequest(record: recordB, files: filesB,
                               events: [AIPEvent(type: .ingestion, date: day1, agent: .lantai(), files: ["照片.jpg"])]),
            AIPPreserveRequest(record: recordC, files: [],
                               events: [AIPEvent(type: .accession, date: day1, detail: "纸质档案著录", agent: archivist)]),
        ]
    }

    func testBatchWritesWhatOneByOneWritesAndTheRootValidates() throws {
        let batch = try OCFLStorageRoot.create(at: scratch.appendingPathComponent("batch"))
        let single = try OCFLStorageRoot.create(at: scratch.appendingPathComponent("single"))
        let work = try requests()
        let results = ArchivalPackage.preserve(work, node: node, in: batch, message: "accession", user: user,
                                               options: AIPWriteOptions(date: day1))
        for (request, result) in zip(work, results) {
            let written = try result.get()
            XCTAssertEqual(written.version, 1)
            let expected = try ArchivalPackage.preserve(request.record, files: request.files, events: request.events, node: node,
                                                        in: single, message: "accession", user: user,
                                                        options: AIPWriteOptions(date: day1))
            XCTAssertEqual(written, expected)
            XCTAssertEqual(try ArchivalPackage.read(objectID: written.objectID, in: batch),
                           try ArchivalPackage.read(objectID: expected.objectID, in: single))
            XCTAssertEqual(try batch.object(written.objectID).inventory(), try single.object(expected.objectID).inventory())
        }
        XCTAssertTrue(OCFLValidator.validate(at: scratch.appendingPathComponent("batch")).isValid)
        XCTAssertFalse(try batch.storage.exists(OCFLStorageRoot.stagingDirectory), "no staging area is left behind")
    }

    func testABadSourceFailsItsRecordAloneAndWritesNothingForIt() throws {
        let root = try OCFLStorageRoot.create(at: scratch.appendingPathComponent("root"))
        var work = try requests()
        try Data("\u{FF}\u{D8}\u{FF}\u{E0} JFIF 改过\n".utf8).write(to: work[1].files[0].source)  // same size, other bytes
        let results = ArchivalPackage.preserve(work, node: node, in: root, message: "accession", user: user)
        XCTAssertNoThrow(try results[0].get())
        XCTAssertNoThrow(try results[2].get())
        XCTAssertThrowsError(try results[1].get()) { error in
            guard case AIPError.sourceMismatch(let name, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "照片.jpg")
            XCTAssertTrue(reason.contains("SHA-512"), reason)
        }
        XCTAssertEqual(try root.objectPaths().count, 2)
        XCTAssertFalse(try root.storage.exists(OCFLStorageRoot.stagingDirectory))
        work[1].files[0].size += 1
        XCTAssertThrowsError(try ArchivalPackage.preserve([work[1]], node: node, in: root, message: "x", user: user)[0].get())
    }

    func testARecordAlreadyPreservedGetsANewVersion() throws {
        let root = try OCFLStorageRoot.create(at: scratch.appendingPathComponent("root"))
        let work = try requests()
        _ = try ArchivalPackage.preserve(work[0].record, files: work[0].files, events: work[0].events, node: node, in: root,
                                         message: "first", user: user)
        let results = ArchivalPackage.preserve(work, node: node, in: root, message: "again", user: user)
        XCTAssertEqual(try results.map { try $0.get().version }, [2, 1, 1])
        let a = try ArchivalPackage.read(objectID: try results[0].get().objectID, in: root)
        XCTAssertEqual(Set(a.events.map(\.id)), Set(work[0].events.map(\.id)))
        XCTAssertTrue(OCFLValidator.validate(at: scratch.appendingPathComponent("root")).isValid)
    }
}
