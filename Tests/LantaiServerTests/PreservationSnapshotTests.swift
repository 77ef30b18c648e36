import ArchiveKit
import Fluent
import Foundation
@testable import LantaiServer
import Packaging
import SQLKit
import XCTest

/// Description objects: one per fonds, queued with every catalogue change (once), written only
/// when the catalogue changed, every column of every row, the same bytes for the same catalogue,
/// and a valid OCFL object for our validator and ocfl-py's.
final class PreservationSnapshotTests: PreservationTestCase {
    func queuedSnapshots() async throws -> Int {
        try await JobModel.query(on: app.db).filter(\.$kind == CatalogueSnapshotJob.kind).filter(\.$status == "queued").count()
    }

    func testEveryCatalogueChangeQueuesOneSnapshotAndUnchangedOnesWriteNothing() async throws {
        let archivist = try await token("archivist", role: .archivist)
        let fonds = try await call(.POST, "api/v1/fonds", token: archivist, json: ["code": "J030", "name": "江临市民政局", "agency": "江临市民政局"])
        XCTAssertEqual(fonds.status, .created, fonds.body)
        let fondsRow = try await FondsModel.query(on: app.db).filter(\.$code == "J030").first()
        let fondsId = try XCTUnwrap(fondsRow?.id)
        var n = try await queuedSnapshots()
        XCTAssertEqual(n, 1, "creating a fonds queues its snapshot")
        var ids: [String] = []
        for title in ["婚姻登记档案一", "婚姻登记档案二", "婚姻登记档案三"] {
            let r = try await call(.POST, "api/v1/items", token: archivist,
                                   json: itemJSON(fonds: fondsRow!, title: title, category: "WS"))
            XCTAssertEqual(r.status, .created, r.body)
            ids.append(r.object["id"] as? String ?? "")
        }
        n = try await queuedSnapshots()
        XCTAssertEqual(n, 1, "one snapshot queued however many changes wait for it")
        await app.jobWorker.drain(app)
        let objectID = CatalogueSnapshotFormat.objectID(node: "TEST", fondsCode: "J030")
        let object = try storageRoot.object(objectID)
        XCTAssertEqual(try object.versions().count, 1)

        let same = try await CatalogueSnapshotJob.run(fondsId: fondsId, app: app)
        XCTAssertEqual(same, .unchanged(objectID: objectID), "an unchanged catalogue adds no version")

        let edit = try await call(.PATCH, "api/v1/items/\(ids[1])", token: archivist, json: ["notes": "已核对"])
        XCTAssertEqual(edit.status, .ok, edit.body)
        n = try await queuedSnapshots()
        XCTAssertEqual(n, 1, "an edit queues a snapshot")
        await app.jobWorker.drain(app)
        XCTAssertEqual(try object.versions().count, 2)
        let lines = try String(decoding: object.data(logicalPath: "catalogue/items/2015.jsonl"), as: UTF8.self)
        XCTAssertTrue(lines.contains("已核对"), lines)

        let category = try await call(.PATCH, "api/v1/categories/WS", token: archivist, json: ["nameEn": "Documents"])
        XCTAssertEqual(category.status, .ok, category.body)
        let everyFonds = try await JobModel.query(on: app.db).filter(\.$kind == CatalogueSnapshotJob.kind)
            .filter(\.$status == "queued").all().map(\.subject)
        let allFonds = try await FondsModel.query(on: app.db).all().map { $0.id!.uuidString }
        XCTAssertEqual(Set(everyFonds), Set(allFonds), "a category change queues every fonds")
    }

    func testTheDescriptionObjectHoldsEveryColumnOfEveryRowInCodeOrder() async throws {
        let built = try await buildCatalogue()
        let object = try storageRoot.object(CatalogueSnapshotFormat.objectID(node: "TEST", fondsCode: "J020"))
        let state = try object.state()
        XCTAssertEqual(Set(state.keys), ["catalogue/README.txt", "catalogue/fonds.json", "catalogue/items/1978.jsonl",
                                         "catalogue/items/1990.jsonl", "catalogue/items/2015.jsonl"])
        let snapshot = try JSONDecoder().decode(FondsSnapshot.self, from: object.data(logicalPath: "catalogue/fonds.json"))
        XCTAssertEqual(snapshot.fonds.name, "江临市档案馆", "the fonds edit is in")
        XCTAssertEqual(snapshot.itemCount, 8)
        XCTAssertTrue(snapshot.categories.contains { $0.code == "MZ" && $0.nameZh == "民生档案" })
        XCTAssertTrue(snapshot.categories.contains { $0.code == "WS" && $0.nameEn == "Documents and records" })
        XCTAssertTrue(snapshot.counters.contains(SnapshotCounter(groupKey: "J020-WS·2015-Y-BGS", lastNumber: 2)), "\(snapshot.counters)")
        XCTAssertTrue(snapshot.counters.contains(SnapshotCounter(groupKey: "file:J020-WS·2015-Y-BGS-0001", lastNumber: 2)))

        // Every column the database has for items is a key of every line.
        let columns = try await Self.columns("items", on: sql)
        XCTAssertEqual(Set(SnapshotItem.columns), Set(columns), "the snapshot carries exactly the items table's columns")
        let text = String(decoding: try object.data(logicalPath: "catalogue/items/2015.jsonl"), as: UTF8.self)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 5)
        for line in lines {
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let item = try XCTUnwrap(json["item"] as? [String: Any])
            XCTAssertEqual(Set(item.keys).union(["parent_id", "object_id", "transfer_id", "source_row"]), Set(columns))
        }
        let codes = try lines.map { try JSONDecoder().decode(SnapshotItemLine.self, from: Data($0.utf8)).item.archivalCode }
        XCTAssertEqual(codes, codes.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, "档号 byte order")
        XCTAssertEqual(codes, ["J020-WS·2015-D30-BGS-0001", "J020-WS·2015-Y-BGS-0001", "J020-WS·2015-Y-BGS-0001-001",
                               "J020-WS·2015-Y-BGS-0001-002", "J020-WS·2015-Y-BGS-0002"], "a 案卷 before its items")
        let edited = try lines.map { try JSONDecoder().decode(SnapshotItemLine.self, from: Data($0.utf8)) }
            .first { $0.item.title == "馆藏档案统计年报（修订）" }
        XCTAssertEqual(edited?.item.version, 2)
        XCTAssertEqual(edited?.history.count, 1)
        XCTAssertEqual(edited?.item.subjects, "统计")

        // The same catalogue gives the same bytes.
        let again = try await CatalogueSnapshotBuilder().build(fondsId: built.fonds, node: "TEST", on: app.db)
        let rebuilt = try XCTUnwrap(again)
        defer { try? FileManager.default.removeItem(at: rebuilt.directory) }
        for (logical, source) in rebuilt.files {
            XCTAssertEqual(try Data(contentsOf: source), try object.data(logicalPath: logical), logical)
        }
    }

    func testAnEditStoresOnlyItsYearsFileAgain() async throws {
        let built = try await buildCatalogue()
        let object = try storageRoot.object(CatalogueSnapshotFormat.objectID(node: "TEST", fondsCode: "J020"))
        let before = try object.versions().count
        let item = try await ItemModel.query(on: app.db).filter(\.$title == "知青档案目录").first()
        let edit = try await call(.PATCH, "api/v1/items/\(try XCTUnwrap(item?.id))", token: built.archivist, json: ["pages": 40])
        XCTAssertEqual(edit.status, .ok, edit.body)
        await app.jobWorker.drain(app)
        let inventory = try object.inventory()
        XCTAssertEqual(inventory.headNumber, before + 1)
        let added = inventory.manifest.values.flatMap { $0 }.filter { $0.hasPrefix(inventory.head + "/") }
        XCTAssertEqual(added, ["\(inventory.head)/content/catalogue/items/1978.jsonl"])
    }

    func testTheStorageRootStaysValidForBothValidators() async throws {
        try await buildCatalogue()
        let url = URL(fileURLWithPath: config.storagePath)
        let ours = OCFLValidator.validate(at: url)
        XCTAssertTrue(ours.isValid, ours.description)
        let theirs = try PreservationOCFLPy.validate(root: url, python: python)
        XCTAssertEqual(theirs.status, 0, theirs.output)
        XCTAssertEqual(theirs.objects, 4, theirs.output)
        XCTAssertEqual(theirs.valid, 4, theirs.output)
    }
}
