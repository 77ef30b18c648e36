import ArchiveKit
import Fluent
import Foundation
@testable import LantaiServer
import Packaging
import SQLKit
import XCTest
import XCTVapor

/// `lantai rebuild-catalog`: the catalogue rebuilt from the storage root alone equals the
/// original row by row, on a fresh SQLite file and a fresh PostgreSQL database, and numbering
/// continues where it stopped.
final class PreservationRebuildTests: PreservationTestCase {
    func testTheRebuiltCatalogueEqualsTheOriginalRowByRow() async throws {
        let built = try await buildCatalogue()
        var targets: [Target] = [.sqlite]
        if isPostgres { targets.append(.postgres) }
        var rebuilt: [Application] = []
        for target in targets {
            let other = try await freshNode(target)
            let summary = try await rebuild(into: other)
            XCTAssertEqual(summary.warnings, [], "\(target): \(summary)")
            XCTAssertEqual(summary.fonds, 2, "\(summary)")
            XCTAssertEqual(summary.items, 10, "\(summary)")
            XCTAssertEqual(summary.archivalPackages, 2, "\(summary)")
            XCTAssertEqual(summary.restoredFromPackages, 0)
            XCTAssertEqual(summary.historyEntries, 1)
            for table in ["fonds", "categories", "items", "item_history", "code_counters"] {
                try await assertSameRows(table, app.db, other.db)
            }
            rebuilt.append(other)
        }
        try await assertNumberingContinues(built, original: app, rebuilt: rebuilt)
    }

    /// The same new records, made in the original and in each rebuilt catalogue, get the same 档号.
    func assertNumberingContinues(_ built: Built, original: Application, rebuilt: [Application],
                                  file: StaticString = #filePath, line: UInt = #line) async throws {
        let actor = Principal(system: "test", actor: Actor(role: .archivist, clearance: .topSecret))
        let j012Fonds = try await FondsModel.query(on: app.db).filter(\.$code == "J012").first()
        let j012 = try XCTUnwrap(j012Fonds?.id, file: file, line: line)
        func records() -> [NewRecord] {
            let d = RecordDescription(category: "WS", title: "续编", year: 2015, retention: .permanent, organisation: "BGS")
            return [NewRecord(fondsId: built.fonds, draft: RecordDraft(d)),
                    NewRecord(fondsId: built.fonds, parentId: built.file, draft: RecordDraft(d)),
                    NewRecord(fondsId: j012, draft: RecordDraft(d))]
        }
        let inOriginal = try await Catalogue.create(records(), actor: actor, on: original.db, batch: true).map(\.archivalCode)
        XCTAssertEqual(inOriginal, ["J020-WS·2015-Y-BGS-0003", "J020-WS·2015-Y-BGS-0001-003", "J012-WS·2015-Y-BGS-0002"],
                       file: file, line: line)
        for other in rebuilt {
            let inRebuilt = try await Catalogue.create(records(), actor: actor, on: other.db, batch: true).map(\.archivalCode)
            XCTAssertEqual(inRebuilt, inOriginal, "numbering continues after a rebuild", file: file, line: line)
        }
    }

    func testARecordMissingFromAStaleDescriptionObjectIsRestoredFromItsPackage() async throws {
        let built = try await buildCatalogue()
        // A second transfer is preserved, but the node dies before the fonds' snapshot is rewritten.
        var rows = goodRows()
        rows[1][0] = "2016年校舍安全检查总结"; rows[1][3] = "2016-11-02"; rows[1][4] = "2016"
        rows[2][0] = "2016年教育工作总结"; rows[2][3] = "2016-12-20"; rows[2][4] = "2016"
        let (transfer, _) = try await submitAndCheck(try makeZip(rows: rows, files: goodFiles))
        let tid = try XCTUnwrap(transfer["id"] as? String)
        let accepted = try await call(.POST, "api/v1/transfers/\(tid)/accept", token: built.archivist)
        XCTAssertEqual(accepted.status, .ok, accepted.body)
        try await TransferPreserveJob.run(UUID(uuidString: tid)!, app: app)
        let pending = try await JobModel.query(on: app.db).filter(\.$kind == CatalogueSnapshotJob.kind).filter(\.$status == "queued").count()
        XCTAssertEqual(pending, 1, "the snapshot never ran")
        let late = try await ItemModel.query(on: app.db).filter(\.$transferID == UUID(uuidString: tid)!).sort(\.$archivalCode).all()
        XCTAssertEqual(late.count, 2)

        let other = try await freshNode(.sqlite)
        let summary = try await rebuild(into: other)
        XCTAssertEqual(summary.restoredFromPackages, 2, "\(summary)")
        XCTAssertEqual(summary.items, 10)
        for item in late {
            XCTAssertTrue(summary.warnings.contains { $0.contains(item.archivalCode) && $0.contains("restored") }, "\(summary)")
            let found = try await ItemModel.find(item.id!, on: other.db)
            let back = try XCTUnwrap(found)
            XCTAssertEqual(back.archivalCode, item.archivalCode)
            XCTAssertEqual(back.description_, item.description_)
            XCTAssertEqual(back.objectID, item.objectID)
            XCTAssertEqual(back.fondsId, item.fondsId)
            XCTAssertEqual(back.transferID, item.transferID, "the ingestion event names the transfer")
            XCTAssertEqual(back.createdBy, "archivist", "the accession event names the archivist")
            XCTAssertNil(back.sourceRow, "not in the package")
        }
        // The rest is exact, and the next number in the late records' group follows them.
        let stale = try await Self.rows("items", on: app.db).filter { row in !late.contains { $0.id!.uuidString.lowercased() == row["id"] } }
        let rebuiltRows = try await Self.rows("items", on: other.db).filter { row in !late.contains { $0.id!.uuidString.lowercased() == row["id"] } }
        XCTAssertEqual(stale, rebuiltRows)
        let j012 = late[0].fondsId
        let d = RecordDescription(category: "WS", title: "续编", year: 2016, retention: .permanent, organisation: "BGS")
        let next = try await Catalogue.create([NewRecord(fondsId: j012, draft: RecordDraft(d))],
                                              actor: Principal(system: "test", actor: Actor(role: .archivist, clearance: .topSecret)),
                                              on: other.db)
        XCTAssertEqual(next.map(\.archivalCode), ["J012-WS·2016-Y-BGS-0002"])
        // The rebuilt node rewrites the stale description object as soon as it serves.
        let queued = try await JobModel.query(on: other.db).filter(\.$kind == CatalogueSnapshotJob.kind).count()
        XCTAssertEqual(queued, 2)
    }

    func testRebuildRefusesADatabaseThatAlreadyHasACatalogue() async throws {
        try await buildCatalogue()
        let before = try await count("items")
        do {
            _ = try await rebuild(into: app)
            XCTFail("a catalogue was written over")
        } catch let e as LantaiError {
            XCTAssertEqual(e.code, "catalogue_not_empty")
            XCTAssertTrue(e.en.contains("fresh"), e.en)
        }
        let after = try await count("items")
        XCTAssertEqual(after, before)

        let other = try await freshNode(.sqlite)
        do {
            _ = try await rebuild(into: other, node: "ELSEWHERE")
            XCTFail("nothing to rebuild for another node")
        } catch let e as LantaiError {
            XCTAssertEqual(e.code, "nothing_to_rebuild")
            XCTAssertTrue(e.en.contains("TEST"), "names the node it found: \(e.en)")
        }
        let none = try await Self.rows("items", on: other.db)
        XCTAssertEqual(none.count, 0)
    }

    /// A failure half-way (here: a damaged item line) leaves the fresh database empty.
    func testAFailedRebuildLeavesNothingBehind() async throws {
        try await buildCatalogue()
        let root = try storageRoot
        let object = root.object(CatalogueSnapshotFormat.objectID(node: "TEST", fondsCode: "J020"))
        // Rewrite the 1990 item file with a broken line, as a new (valid OCFL) version.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-broken-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let broken = dir.appendingPathComponent("1990.jsonl")
        try Data("{\"item\": 42}\n".utf8).write(to: broken)
        _ = try object.createOrUpdate(files: [("catalogue/items/1990.jsonl", broken)], message: "damage", user: OCFLUser(name: "test"),
                                      options: OCFLWriteOptions(mode: .merge(removing: [])))
        let other = try await freshNode(.sqlite)
        do {
            _ = try await rebuild(into: other)
            XCTFail("a damaged line is an error")
        } catch {
            XCTAssertTrue("\(error)".contains("1990.jsonl"), "\(error)")
        }
        for table in ["fonds", "items", "item_history", "code_counters", "audit_log"] {
            let n = try await Self.rows(table, on: other.db).count
            XCTAssertEqual(n, 0, "\(table) is empty after the failed rebuild")
        }
    }
}
