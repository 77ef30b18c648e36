import Foundation
@testable import Packaging
import XCTest

/// A crash at any point of a commit leaves the old version or the new one — never a mix.
/// Crashes are simulated with the writer's test-only hook, which stops the commit without the
/// clean-up an ordinary error would get, exactly as a killed process would leave it.
final class OCFLCrashSafetyTests: OCFLTestCase {
    private func crashingObject(_ ref: Reference, at step: OCFLCommitStep) -> OCFLObject {
        var object = ref.root.object(objectID)
        object.commitHook = { reached in
            if reached == step { throw OCFLSimulatedCrash() }
        }
        return object
    }

    private var v3Files: [(logicalPath: String, source: URL)] {
        get throws {
            [
                (logicalPath: "说明.txt", source: try source("a", "卷内备考表：本卷共四件。\n")),
                (logicalPath: "metadata/mets.xml", source: try source("c", "<mets/>\n")),
                (logicalPath: "附件/照片.jpg", source: try source("f", "JFIF photo\n")),
            ]
        }
    }

    func testCrashAfterContentIsWrittenLeavesThePreviousVersionValid() throws {
        let ref = try makeReference()
        let crashing = crashingObject(ref, at: .staged)
        XCTAssertThrowsError(try crashing.createOrUpdate(files: try v3Files, message: "v3", user: user)) { error in
            XCTAssertTrue(error is OCFLSimulatedCrash)
        }
        // The new content really was written (in staging) before the "crash"…
        let staged = files(under: ref.url.appendingPathComponent("extensions/lantai-staging"))
        XCTAssertTrue(staged.contains { $0.hasSuffix("v3/content/附件/照片.jpg") }, "\(staged)")
        XCTAssertTrue(staged.contains { $0.hasSuffix("v3/inventory.json") })

        // …but the object is still exactly v2, valid for us and for ocfl-py.
        XCTAssertEqual(try ref.object.inventory().head, "v2")
        XCTAssertFalse(FileManager.default.fileExists(atPath: ref.objectURL.appendingPathComponent("v3").path))
        let objectReport = OCFLValidator.validate(at: ref.objectURL)
        XCTAssertEqual(objectReport.issues, [], objectReport.description)
        // The storage root is valid too; the abandoned staging area is only a warning.
        let rootReport = OCFLValidator.validate(at: ref.url)
        XCTAssertTrue(rootReport.isValid, rootReport.description)
        XCTAssertEqual(rootReport.codes, ["W016"])

        if let py = try? OCFLPy.validate(ref.objectURL) {
            XCTAssertTrue(py.valid, py.output)
            let root = try OCFLPy.validate(ref.url)
            XCTAssertTrue(root.valid, root.output)
        }

        // A retry succeeds; purging the abandoned staging area leaves a spotless root.
        XCTAssertEqual(try ref.object.createOrUpdate(files: try v3Files, message: "v3", user: user), 3)
        XCTAssertEqual(String(decoding: try ref.object.data(logicalPath: "附件/照片.jpg"), as: UTF8.self), "JFIF photo\n")
        XCTAssertEqual(try ref.root.purgeAbandonedStaging(olderThan: 3600), 0, "recent staging areas may belong to a live writer")
        XCTAssertEqual(try ref.root.purgeAbandonedStaging(olderThan: -1), 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ref.url.appendingPathComponent("extensions/lantai-staging").path))
        let after = OCFLValidator.validate(at: ref.url)
        XCTAssertEqual(after.issues, [], after.description)
        if let py = try? OCFLPy.validate(ref.url) { XCTAssertTrue(py.valid, py.output) }
    }

    func testCrashCreatingANewObjectLeavesNoObject() throws {
        let url = scratch.appendingPathComponent("root")
        let root = try OCFLStorageRoot.create(at: url)
        var object = root.object("urn:lantai:aip:new")
        object.commitHook = { if $0 == .staged { throw OCFLSimulatedCrash() } }
        XCTAssertThrowsError(try object.createOrUpdate(files: try v3Files, message: "v1", user: user))
        XCTAssertFalse(try object.exists())
        XCTAssertEqual(try root.objectPaths(), [])
        XCTAssertTrue(OCFLValidator.validate(at: url).isValid)
        object.commitHook = nil
        XCTAssertEqual(try object.createOrUpdate(files: try v3Files, message: "v1", user: user), 1)
        XCTAssertEqual(try root.objectPaths(), [object.path])
    }

    func testCrashAfterTheVersionDirectoryMovedIsRolledForward() throws {
        let ref = try makeReference()
        XCTAssertThrowsError(try crashingObject(ref, at: .versionDirectoryPublished).createOrUpdate(files: try v3Files, message: "v3", user: user))
        // Readers still see v2: the root inventory decides what exists.
        XCTAssertEqual(try ref.object.inventory().head, "v2")
        XCTAssertEqual(String(decoding: try ref.object.data(logicalPath: "说明.txt"), as: UTF8.self), "卷内备考表：本卷共三件。\n")
        // A validator notices the complete but unpublished v3 directory…
        XCTAssertEqual(OCFLValidator.validate(at: ref.objectURL).errorCodes, ["E046"])
        // …and recovery (which every write runs first) publishes it, since it is complete.
        XCTAssertTrue(try ref.object.recoverInterruptedCommit())
        XCTAssertFalse(try ref.object.recoverInterruptedCommit())
        XCTAssertEqual(try ref.object.inventory().head, "v3")
        XCTAssertEqual(String(decoding: try ref.object.data(logicalPath: "说明.txt"), as: UTF8.self), "卷内备考表：本卷共四件。\n")
        try ref.root.purgeAbandonedStaging(olderThan: -1)
        let report = OCFLValidator.validate(at: ref.url)
        XCTAssertEqual(report.issues, [], report.description)
        if let py = try? OCFLPy.validate(ref.url) { XCTAssertTrue(py.valid, py.output) }
    }

    func testTamperingIsNotMistakenForACrash() throws {
        let ref = try makeReference()
        let inventoryURL = ref.objectURL.appendingPathComponent("inventory.json")
        let tampered = try String(contentsOf: inventoryURL, encoding: .utf8).replacingOccurrences(of: "初次接收", with: "篡改")
        try tampered.write(to: inventoryURL, atomically: true, encoding: .utf8)
        for attempt in [
            { _ = try ref.object.inventory() },
            { _ = try ref.object.recoverInterruptedCommit() },
            { _ = try ref.object.createOrUpdate(files: [], message: "m", user: self.user) },
        ] as [() throws -> Void] {
            XCTAssertThrowsError(try attempt()) { error in
                XCTAssertEqual((error as? OCFLError)?.kind, .corrupt, "\(error)")
            }
        }
        XCTAssertEqual(try String(contentsOf: inventoryURL, encoding: .utf8), tampered, "the evidence is left for an operator")
    }

    func testCrashBetweenInventoryAndSidecarIsReadableAndRepairedByTheNextReadOrWrite() throws {
        let ref = try makeReference()
        XCTAssertThrowsError(try crashingObject(ref, at: .rootInventoryPublished).createOrUpdate(files: try v3Files, message: "v3", user: user))
        XCTAssertEqual(OCFLValidator.validate(at: ref.objectURL).errorCodes, ["E060"])
        // The new inventory is in place, its sidecar not yet: readers trust it because the head
        // version's own intact copy vouches for it, and put the sidecar right on the way (an
        // object that is only ever read again must not stay invalid).
        XCTAssertEqual(try ref.object.inventory().head, "v3")
        XCTAssertEqual(OCFLValidator.validate(at: ref.objectURL).errorCodes, [])
        XCTAssertThrowsError(try crashingObject(ref, at: .rootInventoryPublished).createOrUpdate(
            files: try v3Files, message: "v4", user: user, options: OCFLWriteOptions(mode: .merge(removing: ["说明.txt"]))))
        XCTAssertEqual(OCFLValidator.validate(at: ref.objectURL).errorCodes, ["E060"])
        // Just as the next write repairs first, then adds its version.
        let v4 = try ref.object.createOrUpdate(files: [(logicalPath: "x.txt", source: try source("x", "x"))], message: "v4", user: user,
                                               options: OCFLWriteOptions(mode: .merge(removing: [])))
        XCTAssertEqual(v4, 5)
        try ref.root.purgeAbandonedStaging(olderThan: -1)
        let report = OCFLValidator.validate(at: ref.url)
        XCTAssertEqual(report.issues, [], report.description)
    }
}
