import ArchiveKit
import Fluent
@testable import LantaiServer
import XCTest
import XCTVapor

final class CatalogueAPITests: LantaiTestCase {
    func testArchivistCreatesItemsNumberedByDAT13() async throws {
        let fonds = try await makeFonds("J012")
        let archivist = try await token("archivist", role: .archivist, clearance: .confidential)
        let first = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds))
        XCTAssertEqual(first.status, .created, first.body)
        XCTAssertEqual(first.object["archivalCode"] as? String, "J012-WS·2015-Y-BGS-0001")
        let second = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, title: "第二件"))
        XCTAssertEqual(second.object["archivalCode"] as? String, "J012-WS·2015-Y-BGS-0002")
        // Another group starts again at 1.
        let other = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, retention: "10y"))
        XCTAssertEqual(other.object["archivalCode"] as? String, "J012-WS·2015-D10-BGS-0001")
        // Chinese vocabulary is accepted and stored as codes.
        let zh = try await call(.POST, "api/v1/items", token: archivist,
                                json: itemJSON(fonds: fonds, retention: "定期30年", classification: "秘密", accessStatus: "控制"))
        XCTAssertEqual(zh.status, .created, zh.body)
        XCTAssertEqual(zh.object["retention"] as? String, "30y")
        XCTAssertEqual(zh.object["classification"] as? String, "confidential")
        XCTAssertEqual(zh.object["archivalCode"] as? String, "J012-WS·2015-D30-BGS-0001")

        let id = try XCTUnwrap(first.object["id"] as? String)
        let read = try await call(.GET, "api/v1/items/\(id)", token: archivist)
        XCTAssertEqual(read.status, .ok)
        XCTAssertEqual(read.object["title"] as? String, "关于加强档案工作的通知")
        XCTAssertEqual(read.object["subjects"] as? [String], ["档案工作"])
        XCTAssertEqual(read.object["date"] as? String, "2015-03-02")
    }

    func testItemsInAFileTakeTheFileCodeAndAPosition() async throws {
        let fonds = try await makeFonds("J025")
        let archivist = try await token("archivist", role: .archivist)
        let file = try await call(.POST, "api/v1/items", token: archivist,
                                  json: itemJSON(fonds: fonds, title: "2015年基建项目档案", category: "KJ", retention: "30y",
                                                 organisation: "JJK", extra: ["level": "file", "date": ""]))
        XCTAssertEqual(file.status, .created, file.body)
        XCTAssertEqual(file.object["archivalCode"] as? String, "J025-KJ·2015-D30-JJK-0001")
        let fileId = try XCTUnwrap(file.object["id"] as? String)
        var codes: [String] = []
        for n in 1...3 {
            let r = try await call(.POST, "api/v1/items", token: archivist,
                                   json: itemJSON(fonds: fonds, title: "卷内文件\(n)", category: "KJ", retention: "30y",
                                                  organisation: "JJK", extra: ["parentId": fileId]))
            XCTAssertEqual(r.status, .created, r.body)
            codes.append(r.object["archivalCode"] as? String ?? "")
        }
        XCTAssertEqual(codes, ["J025-KJ·2015-D30-JJK-0001-001", "J025-KJ·2015-D30-JJK-0001-002", "J025-KJ·2015-D30-JJK-0001-003"])
        let children = try await call(.GET, "api/v1/items?parentId=\(fileId)", token: archivist)
        XCTAssertEqual((children.object["items"] as? [[String: Any]])?.count, 3)
        // An item cannot be the parent.
        let bad = try await call(.POST, "api/v1/items", token: archivist,
                                 json: itemJSON(fonds: fonds, extra: ["parentId": (children.object["items"] as! [[String: Any]])[0]["id"]!]))
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertEqual(bad.error["field"] as? String, "parentId")
    }

    func testListFiltersAndCursorPagination() async throws {
        let a = try await makeFonds("J001")
        let b = try await makeFonds("J002", name: "另一全宗")
        let archivist = try await token("archivist", role: .archivist)
        var batch: [[String: Any]] = []
        for y in 2000..<2010 {
            batch.append(itemJSON(fonds: a, title: "甲\(y)", year: y, date: "\(y)-06-01", retention: y % 2 == 0 ? "permanent" : "10y",
                                  accessStatus: y < 2005 ? "open" : "controlled"))
            batch.append(itemJSON(fonds: b, title: "乙\(y)", year: y, date: "\(y)-06-01"))
        }
        let created = try await call(.POST, "api/v1/items/batch", token: archivist, json: ["items": batch])
        XCTAssertEqual(created.status, .created, created.body)
        XCTAssertEqual(created.object["created"] as? Int, 20)

        func titles(_ query: String) async throws -> [String] {
            var out: [String] = []
            var cursor: String?
            repeat {
                let q = query + (cursor.map { "&cursor=\($0)" } ?? "")
                let r = try await call(.GET, "api/v1/items?\(q)", token: archivist)
                XCTAssertEqual(r.status, .ok, r.body)
                out += (r.object["items"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
                cursor = r.object["nextCursor"] as? String
            } while cursor != nil
            return out
        }
        let all = try await titles("limit=3")
        XCTAssertEqual(all.count, 20, "cursor pagination must visit every record exactly once")
        XCTAssertEqual(Set(all).count, 20)
        let v1 = try await titles("fondsId=\(a.id!.uuidString)&limit=4").count
        XCTAssertEqual(v1, 10)
        let v2 = try await titles("fondsId=\(a.id!.uuidString)&yearFrom=2003&yearTo=2006")
        XCTAssertEqual(Set(v2),
                       ["甲2003", "甲2004", "甲2005", "甲2006"])
        let v3 = try await titles("fondsId=\(a.id!.uuidString)&retention=10y&accessStatus=controlled")
        XCTAssertEqual(Set(v3),
                       ["甲2005", "甲2007", "甲2009"])
        let v4 = try await titles("category=WS&retention=永久").count
        XCTAssertEqual(v4, 15)
        // A citizen (and an anonymous caller) sees only open records.
        let citizen = try await token("citizen", role: .citizen)
        let r = try await call(.GET, "api/v1/items?limit=500", token: citizen)
        let statuses = Set((r.object["items"] as? [[String: Any]] ?? []).compactMap { $0["accessStatus"] as? String })
        XCTAssertEqual(statuses, ["open"])
        let anonymous = try await call(.GET, "api/v1/items?limit=500")
        XCTAssertEqual((anonymous.object["items"] as? [[String: Any]])?.count, (r.object["items"] as? [[String: Any]])?.count)
    }

    func testEditKeepsHistoryAndRespectsVersion() async throws {
        let fonds = try await makeFonds()
        let archivist = try await token("archivist", role: .archivist)
        let created = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds))
        let id = try XCTUnwrap(created.object["id"] as? String)
        let edited = try await call(.PATCH, "api/v1/items/\(id)", token: archivist,
                                    json: ["title": "关于加强档案工作的补充通知", "pages": 5], headers: [("If-Match", "1")])
        XCTAssertEqual(edited.status, .ok, edited.body)
        XCTAssertEqual(edited.object["version"] as? Int, 2)
        XCTAssertEqual(edited.object["pages"] as? Int, 5)
        XCTAssertEqual(edited.object["creator"] as? String, "测试市人民政府办公室", "fields not sent are kept")
        let stale = try await call(.PATCH, "api/v1/items/\(id)", token: archivist, json: ["title": "x"], headers: [("If-Match", "1")])
        XCTAssertEqual(stale.status, .preconditionFailed)
        let history = try await call(.GET, "api/v1/items/\(id)/history", token: archivist)
        let entries = history.json as? [[String: Any]] ?? []
        XCTAssertEqual(entries.map { $0["action"] as? String }, ["create", "update"])
        let changes = entries.last?["changes"] as? [[String: Any]] ?? []
        XCTAssertEqual(Set(changes.compactMap { $0["field"] as? String }), ["title", "pages"])
        XCTAssertEqual(changes.first { ($0["field"] as? String) == "title" }?["old"] as? String, "关于加强档案工作的通知")
        XCTAssertEqual(entries.last?["actor"] as? String, "archivist")
        // Fields of the 档号 are fixed once numbered.
        let renumber = try await call(.PATCH, "api/v1/items/\(id)", token: archivist, json: ["retention": "10y"])
        XCTAssertEqual(renumber.status, .conflict)
        XCTAssertEqual(renumber.error["field"] as? String, "retention")
    }

    func testBatchIsAllOrNothingAndNumbersGapFree() async throws {
        let fonds = try await makeFonds()
        let archivist = try await token("archivist", role: .archivist)
        var items = (0..<1200).map { itemJSON(fonds: fonds, title: "批量\($0)") }
        items[700]["date"] = "2015-02-30"
        let bad = try await call(.POST, "api/v1/items/batch", token: archivist, json: ["items": items])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertEqual(bad.error["field"] as? String, "items[700].date")
        let v5 = try await count("items")
        XCTAssertEqual(v5, 0, "a batch with one bad record writes nothing")
        items[700]["date"] = "2015-02-28"
        let good = try await call(.POST, "api/v1/items/batch", token: archivist, json: ["items": items])
        XCTAssertEqual(good.status, .created, String(good.body.prefix(500)))
        let codes = (good.object["items"] as? [[String: Any]] ?? []).compactMap { $0["archivalCode"] as? String }
        XCTAssertEqual(codes.count, 1200)
        XCTAssertEqual(codes.first, "J001-WS·2015-Y-BGS-0001")
        XCTAssertEqual(codes.last, "J001-WS·2015-Y-BGS-1200")
        let numbers = codes.compactMap { ArchivalCode(parsing: $0)?.number }.sorted()
        XCTAssertEqual(numbers, Array(1...1200))
    }

    func testFondsAndCategories() async throws {
        let archivist = try await token("archivist", role: .archivist)
        let created = try await call(.POST, "api/v1/fonds", token: archivist,
                                     json: ["code": "J099", "name": "江临市档案局", "agency": "江临市档案局", "history": "1958年设立。",
                                            "startYear": 1958, "endYear": 2024])
        XCTAssertEqual(created.status, .created, created.body)
        let id = try XCTUnwrap(created.object["id"] as? String)
        let dup = try await call(.POST, "api/v1/fonds", token: archivist, json: ["code": "J099", "name": "x", "agency": "x"])
        XCTAssertEqual(dup.status, .conflict)
        let patched = try await call(.PATCH, "api/v1/fonds/\(id)", token: archivist, json: ["name": "江临市档案馆"])
        XCTAssertEqual(patched.object["name"] as? String, "江临市档案馆")
        let list = try await call(.GET, "api/v1/fonds")
        XCTAssertEqual((list.json as? [[String: Any]])?.compactMap { $0["code"] as? String }, ["J099"])
        let cats = try await call(.GET, "api/v1/categories")
        let codes = (cats.json as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        for c in ["WS", "KJ", "KU", "ZP", "LY", "LX", "SW", "DZ"] { XCTAssertTrue(codes.contains(c), c) }
        let newCat = try await call(.POST, "api/v1/categories", token: archivist, json: ["code": "CJ", "nameZh": "城建", "nameEn": "Urban construction"])
        XCTAssertEqual(newCat.status, .created, newCat.body)
        let citizen = try await token("citizen", role: .citizen)
        let refused = try await call(.POST, "api/v1/fonds", token: citizen, json: ["code": "J100", "name": "x", "agency": "x"])
        XCTAssertEqual(refused.status, .forbidden)
    }

    func testHealthzNeedsNoAuthentication() async throws {
        let r = try await call(.GET, "healthz")
        XCTAssertEqual(r.status, .ok)
        XCTAssertEqual(r.object["status"] as? String, "ok")
    }
}
