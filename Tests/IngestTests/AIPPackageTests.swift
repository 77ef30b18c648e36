import ArchiveKit
import Foundation
@testable import Ingest
import Packaging
import XCTest

/// Archival information packages: records written as OCFL objects with METS + PREMIS inside,
/// judged by the outside validators (ocfl-py, xmlschema with the official XSDs) and by our own,
/// and read back losslessly — what `lantai rebuild-catalog` will rely on.
///
/// Crash safety of the writes is OCFL's (a version is published by rename, inventory last) and
/// is covered by PackagingTests' OCFLCrashSafetyTests; it is not repeated here.
final class AIPPackageTests: AIPTestCase {

    // MARK: - Outside and inside validators

    func testStorageRootPassesOCFLPy() throws {
        let archive = try makeArchive()
        let outcome = try AIPOCFLPy.validate(archive.url)
        XCTAssertTrue(outcome.valid, "ocfl-validate.py rejected the storage root:\n\(outcome.output)")
        if outcome.usedLayoutPlugin { XCTAssertEqual(outcome.objectCount, 3, outcome.output) }
        // Each object on its own too (no plug-in needed for objects).
        for id in [archive.idA, archive.idB, archive.idC] {
            let o = try AIPOCFLPy.validate(objectURL(archive, id))
            XCTAssertEqual(o.status, 0, "ocfl-validate.py rejected \(id):\n\(o.output)")
        }
    }

    func testStorageRootPassesOurValidator() throws {
        let archive = try makeArchive()
        let report = OCFLValidator.validate(at: archive.url)
        XCTAssertTrue(report.isValid, report.description)
        XCTAssertEqual(report.objectsChecked, 3, report.description)
        XCTAssertEqual(report.warnings, [], "object ids are URIs, versions have messages and users: no warnings expected")
    }

    func testEveryMETSAndPREMISValidatesAgainstTheOfficialSchemas() throws {
        let archive = try makeArchive()
        // Every version's METS, as stored (v1 and v2 of A, B, C).
        let mets = files(under: archive.url).filter { $0.hasSuffix("/metadata/mets.xml") }.map { archive.url.appendingPathComponent($0) }
        XCTAssertEqual(mets.count, 4, "\(mets)")
        let r = try AIPXMLValidator.run(schema: "mets", files: mets)
        XCTAssertEqual(r.status, 0, "validate-xml.py --schema mets:\n\(r.output)")

        // The PREMIS inside each, as a standalone document against premis.xsd.
        let dir = scratch.appendingPathComponent("premis")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var premisFiles: [URL] = []
        for (i, url) in mets.enumerated() {
            // The writer declares PREMIS's namespaces on premis:premis itself, so the element's
            // text is a document on its own.
            let text = try String(contentsOf: url, encoding: .utf8)
            let start = try XCTUnwrap(text.range(of: "<premis:premis "))
            let end = try XCTUnwrap(text.range(of: "</premis:premis>"))
            let out = dir.appendingPathComponent("premis-\(i).xml")
            try Data(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + text[start.lowerBound..<end.upperBound] + "\n").utf8).write(to: out)
            premisFiles.append(out)
        }
        let p = try AIPXMLValidator.run(schema: "premis", files: premisFiles)
        XCTAssertEqual(p.status, 0, "validate-xml.py --schema premis:\n\(p.output)")
    }

    // MARK: - Round trip

    func testReadReturnsExactlyWhatWasWritten() throws {
        let archive = try makeArchive()
        let b = try ArchivalPackage.read(objectID: archive.idB, in: archive.root)
        XCTAssertEqual(b.record, recordB)
        XCTAssertEqual(b.parentArchivalCode, "J012-ZP·2016-D30-XCK-0002")
        XCTAssertEqual(b.files, archive.filesB.map(\.stored))
        XCTAssertEqual(b.node, node)
        XCTAssertEqual(b.version, 1)
        XCTAssertEqual(b.objectID, "info:lantai/320100/J012-ZP·2016-D30-XCK-0002-001")

        // Version 1 of A: every field, including the characters XML escapes, CR LF, spaces at
        // the ends, and ideographs NFC would change.
        let a1 = try ArchivalPackage.read(objectID: archive.idA, version: 1, in: archive.root)
        XCTAssertEqual(a1.record, recordA)
        XCTAssertEqual(a1.record.parentArchivalCode, nil)
        XCTAssertEqual(Array(a1.description.notes.unicodeScalars), Array(recordA.description.notes.unicodeScalars))
        XCTAssertEqual(a1.description.subjects, ["档案工作", "A&B <c>", "  前后空格  "])
        XCTAssertEqual(a1.files, archive.filesA.map(\.stored))
        XCTAssertEqual(a1.files.map(\.name), ["关于印发《档案数字化规范》的通知.pdf", "附件/附件 1 & 2（扫描件）#50%.ofd"])
        XCTAssertEqual(a1.events, eventsA(archive.filesA))
        XCTAssertEqual(a1.created, day1)
        XCTAssertNil(a1.lastModified)
    }

    func testDigestsReadBackAreTheOnesOCFLStored() throws {
        let archive = try makeArchive()
        let object = archive.root.object(archive.idA)
        let state = try object.state()
        let inventory = try object.inventory()
        let snapshot = try ArchivalPackage.read(objectID: archive.idA, in: archive.root)
        for f in snapshot.files {
            let digest = try XCTUnwrap(state["content/" + f.name])
            XCTAssertEqual(digest, f.sha512)
            let contentPath = try XCTUnwrap(inventory.contentPath(for: digest))
            XCTAssertEqual(inventory.fixity?["sha256"]?.first { $0.value.contains(contentPath) }?.key, f.sha256)
            XCTAssertEqual(Int64(try object.data(logicalPath: "content/" + f.name).count), f.size)
        }
    }

    func testDescriptionOnlyPackageForAPaperRecord() throws {
        let archive = try makeArchive()
        let c = try ArchivalPackage.read(objectID: archive.idC, in: archive.root)
        XCTAssertEqual(c.record, recordC)
        XCTAssertEqual(c.files, [])
        XCTAssertEqual(c.events.map(\.type), [.accession])
        XCTAssertEqual(c.events.first?.files, [])
        XCTAssertEqual(try archive.root.object(archive.idC).state().keys.sorted(), ["metadata/mets.xml"])
        // Its PREMIS object is the record itself, an intellectual entity.
        let xml = try AIPParsedXML(archive.root.object(archive.idC).data(logicalPath: "metadata/mets.xml"))
        XCTAssertEqual(xml.attributes("xsi:type", of: "premis:object"), ["premis:intellectualEntity"])
        XCTAssertEqual(xml.all("mets:fileSec").count, 0)
    }

    // MARK: - Versions

    func testSecondVersionHasTheNewDescriptionAndStoresContentOnce() throws {
        let archive = try makeArchive()
        let head = try ArchivalPackage.read(objectID: archive.idA, in: archive.root)
        XCTAssertEqual(head.version, 2)
        XCTAssertEqual(head.record, recordA2)
        XCTAssertEqual(head.files, archive.filesA.map(\.stored))
        // The head has the whole history: v1's events, then the edit.
        XCTAssertEqual(head.events, eventsA(archive.filesA) + [editEvent])
        XCTAssertEqual(head.created, day1)
        XCTAssertEqual(head.lastModified, day2)

        // Version 1 is still there and still says what it said.
        let v1 = try ArchivalPackage.read(objectID: archive.idA, version: 1, in: archive.root)
        XCTAssertEqual(v1.record, recordA)
        XCTAssertEqual(v1.events.count, 5)

        // Unchanged content is not stored twice: v2 adds only its METS.
        let objectURL = objectURL(archive, archive.idA)
        XCTAssertEqual(files(under: objectURL.appendingPathComponent("v2/content")), ["metadata/mets.xml"])
        XCTAssertEqual(files(under: objectURL.appendingPathComponent("v1/content")), [
            "content/关于印发《档案数字化规范》的通知.pdf", "content/附件/附件 1 & 2（扫描件）#50%.ofd", "metadata/mets.xml",
        ].sorted())
        let versions = try archive.root.object(archive.idA).versions()
        XCTAssertEqual(versions.map(\.fileCount), [3, 3])
        XCTAssertEqual(versions.map(\.message), ["移交接收 accession of transfer T-2024-0001", "著录修改 description edited"])
        XCTAssertEqual(versions.last?.user, OCFLUser(name: "王芳", address: "mailto:wang.fang@320100.lantai.example"))
    }

    func testAFileWithdrawnInALaterVersionStaysInTheHistory() throws {
        let archive = try makeArchive()
        let withdrawal = AIPEvent(type: "withdrawal of a duplicate scan", date: day2, outcome: .success,
                                  detail: "照片.jpg 与 0002-002 重复", agent: archivist)
        let v2 = try ArchivalPackage.preserve(recordB, files: [], events: [withdrawal], node: node, in: archive.root,
                                              message: "withdraw duplicate", user: user, options: AIPWriteOptions(date: day2))
        XCTAssertEqual(v2.version, 2)
        let head = try ArchivalPackage.read(objectID: archive.idB, in: archive.root)
        XCTAssertEqual(head.files, [])
        XCTAssertEqual(head.events.map(\.type), [.ingestion, "withdrawal of a duplicate scan"])
        XCTAssertEqual(head.events.first?.files, ["照片.jpg"], "the ingestion still names the file it ingested")
        XCTAssertEqual(try ArchivalPackage.read(objectID: archive.idB, version: 1, in: archive.root).files, archive.filesB.map(\.stored))
        let mets = objectURL(archive, archive.idB).appendingPathComponent("v2/content/metadata/mets.xml")
        let r = try AIPXMLValidator.run(schema: "mets", files: [mets])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(OCFLValidator.validate(at: archive.url).isValid)
    }

    func testConcurrentWritersOfOneRecordLoseNoEvent() throws {
        let archive = try makeArchive()
        let extra = (0..<2).map { i in
            AIPEvent(id: UUID(), type: .validation, date: day2.addingTimeInterval(Double(i)), detail: "writer \(i)", agent: .lantai())
        }
        let errors = AIPErrorBox()
        let (record, node, user, date, root) = (recordC, node, user, day2, archive.root)
        DispatchQueue.concurrentPerform(iterations: extra.count) { i in
            do {
                try ArchivalPackage.preserve(record, files: [], events: [extra[i]], node: node, in: root,
                                             message: "writer \(i)", user: user, options: AIPWriteOptions(date: date))
            } catch {
                errors.add(error)
            }
        }
        XCTAssertEqual(errors.all.count, 0, "\(errors.all)")
        let head = try ArchivalPackage.read(objectID: archive.idC, in: archive.root)
        XCTAssertEqual(Set(head.events.map(\.id)), Set([UUID(uuidString: "00000000-0000-4000-8000-0000000000c1")!] + extra.map(\.id)))
        XCTAssertEqual(head.events.count, 3)
        XCTAssertTrue(OCFLValidator.validate(at: archive.url).isValid)
    }

    func testRefusesTheSameCodeForAnotherItem() throws {
        let archive = try makeArchive()
        var other = recordC
        other.itemID = UUID()
        XCTAssertThrowsError(try ArchivalPackage.preserve(other, files: [], events: [], node: node, in: archive.root,
                                                          message: "x", user: user)) { error in
            guard case AIPError.identityConflict = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try archive.root.object(archive.idC).versions().count, 1)
    }

    // MARK: - Refusals that write nothing

    func testRefusesASourceThatIsNotWhatTheChecksRecorded() throws {
        let root = try OCFLStorageRoot.create(at: scratch.appendingPathComponent("root"))
        var f = try file("正文.pdf", "%PDF-1.7 checked\n", Self.pdfA)
        try Data("%PDF-1.7 changed\n".utf8).write(to: f.source)  // same size, other bytes
        XCTAssertThrowsError(try ArchivalPackage.preserve(recordA, files: [f], events: [], node: node, in: root,
                                                          message: "x", user: user)) { error in
            guard case AIPError.sourceMismatch(let name, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "正文.pdf")
            XCTAssertTrue(reason.contains("SHA-512"), reason)
        }
        f.size += 1
        XCTAssertThrowsError(try ArchivalPackage.preserve(recordA, files: [f], events: [], node: node, in: root,
                                                          message: "x", user: user))
        XCTAssertEqual(try root.objectPaths(), [])
    }

    func testRefusesNamesAndValuesAPackageCannotHold() throws {
        let root = try OCFLStorageRoot.create(at: scratch.appendingPathComponent("root"))
        let good = try file("a.txt", "a\n", AIPFormat(mimeType: "text/plain", name: "Plain Text File"))
        func refuses(record: AIPRecord? = nil, _ files: [AIPFile], events: [AIPEvent] = [], field: String,
                     line: UInt = #line) {
            XCTAssertThrowsError(try ArchivalPackage.preserve(record ?? recordA, files: files, events: events, node: node, in: root,
                                                              message: "x", user: user), line: line) { error in
                guard case AIPError.invalidInput(let f, _) = error else { return XCTFail("\(error)", line: line) }
                XCTAssertTrue(f.hasPrefix(field), "\(f)", line: line)
            }
        }
        for bad in ["", "../a.txt", "/a.txt", "a//b.txt", "a/./b.txt", "a/", "a\u{1}.txt"] {
            var f = good
            f.name = bad
            refuses([f], field: "files[0].name")
        }
        refuses([good, good], field: "files[1].name")
        var nfd = good
        nfd.name = "档案\u{0065}\u{0301}.txt"
        var nfc = good
        nfc.name = "档案\u{00E9}.txt"
        refuses([nfc, nfd], field: "files[1].name")
        var badDigest = good
        badDigest.sm3 = "xyz"
        refuses([badDigest], field: "files[0].sm3")
        var badPUID = good
        badPUID.format.puid = "PDF"
        refuses([badPUID], field: "files[0].format.puid")
        var noCode = recordA
        noCode.archivalCode = " "
        refuses(record: noCode, [good], field: "record.archivalCode")
        refuses([good], events: [AIPEvent(type: .fixityCheck, date: day1, agent: .lantai(), files: ["b.txt"])], field: "events[0].files")
        XCTAssertEqual(try root.objectPaths(), [])
    }

    // MARK: - Layout

    func testMETSLayoutAndObjectIDs() throws {
        let archive = try makeArchive()
        XCTAssertEqual(archive.idA, "info:lantai/320100/J012-WS·2015-Y-BGS-0001")
        XCTAssertEqual(try ArchivalPackage.objectIDs(in: archive.root), [archive.idA, archive.idB, archive.idC].sorted())

        let data = try archive.root.object(archive.idA).data(logicalPath: "metadata/mets.xml")
        let xml = try AIPParsedXML(data)
        let mets = try XCTUnwrap(xml.all("mets:mets").first)
        XCTAssertEqual(mets.attribute(forName: "OBJID")?.stringValue, archive.idA)
        // FLocat hrefs are relative to the package root, percent-encoding only what a URI path cannot hold.
        XCTAssertEqual(xml.attributes("xlink:href", of: "mets:FLocat"),
                       ["content/关于印发《档案数字化规范》的通知.pdf", "content/附件/附件%201%20&%202（扫描件）%2350%25.ofd"])
        XCTAssertEqual(xml.attributes("CHECKSUMTYPE", of: "mets:file"), ["SHA-512", "SHA-512"])
        XCTAssertEqual(xml.attributes("CHECKSUM", of: "mets:file"), archive.filesA.map(\.sha512))
        XCTAssertEqual(xml.attributes("MIMETYPE", of: "mets:file"), ["application/pdf", "application/ofd"])
        XCTAssertEqual(xml.attributes("OTHERMDTYPE", of: "mets:mdWrap").compactMap { $0 }, ["DA-T-18"])
        XCTAssertEqual(xml.attributes("RECORDSTATUS", of: "mets:metsHdr"), ["REVISED"])
        // DA/T 18 codes, not the Chinese terms.
        XCTAssertEqual(xml.texts("lantai:retention"), ["permanent"])
        XCTAssertEqual(xml.texts("lantai:classification"), ["confidential"])
        XCTAssertEqual(xml.texts("lantai:accessStatus"), ["open"])
        // PREMIS: the record as intellectual entity, then one file object per file with three digests.
        XCTAssertEqual(xml.attributes("xsi:type", of: "premis:object"),
                       ["premis:intellectualEntity", "premis:file", "premis:file"])
        XCTAssertEqual(xml.texts("premis:messageDigestAlgorithm"), ["SHA-256", "SHA-512", "SM3", "SHA-256", "SHA-512", "SM3"])
        XCTAssertEqual(xml.texts("premis:formatRegistryKey"), ["fmt/354"])
        XCTAssertEqual(xml.texts("premis:originalName"), archive.filesA.map(\.name))
        XCTAssertEqual(xml.texts("premis:eventType"), ["ingestion", "fixity check", "format identification", "virus check",
                                                      "accession", "metadata modification"])
        XCTAssertEqual(xml.texts("premis:agentType"), ["software", "organization", "software", "person"])
        XCTAssertEqual(xml.texts("premis:agentName"), ["Lantai", "南京市档案馆", "Lantai malware check", "王芳"])

        // B's entity names its 案卷.
        let b = try AIPParsedXML(archive.root.object(archive.idB).data(logicalPath: "metadata/mets.xml"))
        XCTAssertEqual(b.texts("premis:relatedObjectIdentifierValue"), ["J012-ZP·2016-D30-XCK-0002"])
    }

    func testSnapshotFromMETSBytesAlone() throws {
        let archive = try makeArchive()
        let data = try archive.root.object(archive.idB).data(logicalPath: "metadata/mets.xml")
        var snapshot = try ArchivalPackage.snapshot(fromMETS: data)
        XCTAssertNil(snapshot.version)
        snapshot.version = 1
        XCTAssertEqual(snapshot, try ArchivalPackage.read(objectID: archive.idB, in: archive.root))
        XCTAssertThrowsError(try ArchivalPackage.snapshot(fromMETS: Data("<mets/>".utf8)))
        XCTAssertThrowsError(try ArchivalPackage.read(objectID: "info:lantai/320100/none", in: archive.root)) { error in
            guard case AIPError.notFound = error else { return XCTFail("\(error)") }
        }
    }
}

/// Errors collected from concurrent writers.
final class AIPErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []
    func add(_ e: Error) { lock.lock(); errors.append(e); lock.unlock() }
    var all: [Error] { lock.lock(); defer { lock.unlock() }; return errors }
}
