import ArchiveKit
@testable import LantaiServer
import XCTest
import XCTVapor

/// Bad requests get a 4xx whose message names the field and the rule in Chinese and English,
/// and write nothing.
final class BadInputTests: LantaiTestCase {
    var fonds: FondsModel!
    var archivist = ""

    override func setUp() async throws {
        try await super.setUp()
        fonds = try await makeFonds()
        archivist = try await token("archivist", role: .archivist)
    }

    func assertRejected(_ r: APIResponse, _ status: HTTPStatus, field: String?, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, r.body, file: file, line: line)
        let zh = r.error["messageZh"] as? String ?? ""
        let en = r.error["messageEn"] as? String ?? ""
        XCTAssertTrue(zh.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF }, "Chinese message: \(zh)", file: file, line: line)
        XCTAssertFalse(en.isEmpty, file: file, line: line)
        XCTAssertEqual(r.error["message"] as? String, "\(zh) / \(en)", file: file, line: line)
        if let field {
            XCTAssertEqual(r.error["field"] as? String, field, r.body, file: file, line: line)
            XCTAssertTrue(en.contains(field) || zh.contains(field) || (r.error["details"] as? [[String: Any]])?.first?["field"] as? String == field,
                          "message names the field: \(en)", file: file, line: line)
        }
    }

    func testEachBadInputIsA4xxAndWritesNothing() async throws {
        let before = try await count("items")
        let auditBefore = try await count("audit_log")
        assertRejected(try await call(.POST, "api/v1/items", token: archivist, raw: "{\"title\": \"未闭合"), .badRequest, field: nil)
        assertRejected(try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, extra: ["tilte": "拼错"])),
                       .badRequest, field: "tilte")
        assertRejected(try await call(.POST, "api/v1/items", token: archivist,
                                      json: itemJSON(fonds: fonds, title: String(repeating: "长", count: 501))), .unprocessableEntity, field: "title")
        assertRejected(try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, year: 2015, date: "2015-02-30")),
                       .unprocessableEntity, field: "date")
        assertRejected(try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, retention: "forever")),
                       .unprocessableEntity, field: "retention")
        assertRejected(try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, classification: "very secret")),
                       .unprocessableEntity, field: "classification")
        assertRejected(try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, extra: ["year": "2015"])),
                       .badRequest, field: "year")
        assertRejected(try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, extra: ["fondsId": "not-a-uuid"])),
                       .badRequest, field: "fondsId")
        assertRejected(try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, title: "控制\u{0007}字符")),
                       .unprocessableEntity, field: "title")
        assertRejected(try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, classification: "secret", accessStatus: "open")),
                       .unprocessableEntity, field: "accessStatus")
        assertRejected(try await call(.POST, "api/v1/items", json: itemJSON(fonds: fonds)), .unauthorized, field: nil)
        assertRejected(try await call(.POST, "api/v1/items", token: "lt_forged", json: itemJSON(fonds: fonds)), .unauthorized, field: nil)
        let citizen = try await token("citizen", role: .citizen)
        assertRejected(try await call(.POST, "api/v1/items", token: citizen, json: itemJSON(fonds: fonds)), .forbidden, field: nil)
        assertRejected(try await call(.GET, "api/v1/items?yearFrom=abc", token: archivist), .badRequest, field: "yearFrom")
        assertRejected(try await call(.GET, "api/v1/items?yearFrom=2010&yearTo=1990", token: archivist), .badRequest, field: "yearTo")
        assertRejected(try await call(.GET, "api/v1/items?cursor=%25%25%25", token: archivist), .badRequest, field: "cursor")
        assertRejected(try await call(.GET, "api/v1/items?limit=100000", token: archivist), .badRequest, field: "limit")
        assertRejected(try await call(.GET, "api/v1/items/not-a-uuid", token: archivist), .badRequest, field: "id")
        assertRejected(try await call(.GET, "api/v1/items/\(UUID().uuidString)", token: archivist), .notFound, field: nil)
        let v1 = try await count("items")
        XCTAssertEqual(v1, before)
        // Only the citizen's account creation was audited; no rejected request left a trace in the catalogue.
        let v2 = try await count("audit_log")
        XCTAssertEqual(v2, auditBefore + 2)
    }

    func testArchivalCodeCollisionIsAConflict() async throws {
        let first = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds))
        XCTAssertEqual(first.status, .created)
        let again = try await call(.POST, "api/v1/items", token: archivist,
                                   json: itemJSON(fonds: fonds, extra: ["archivalCode": "J001-WS·2015-Y-BGS-0001"]))
        assertRejected(again, .conflict, field: "archivalCode")
        let mismatch = try await call(.POST, "api/v1/items", token: archivist,
                                      json: itemJSON(fonds: fonds, extra: ["archivalCode": "J001-WS·2016-Y-BGS-0009"]))
        assertRejected(mismatch, .unprocessableEntity, field: "archivalCode")
        let malformed = try await call(.POST, "api/v1/items", token: archivist,
                                       json: itemJSON(fonds: fonds, extra: ["archivalCode": "J001/WS/2015"]))
        assertRejected(malformed, .unprocessableEntity, field: "archivalCode")
        // An imported code raises the counter, so the next number follows it.
        let imported = try await call(.POST, "api/v1/items", token: archivist,
                                      json: itemJSON(fonds: fonds, extra: ["archivalCode": "J001-WS·2015-Y-BGS-0007"]))
        XCTAssertEqual(imported.status, .created, imported.body)
        let next = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds))
        XCTAssertEqual(next.object["archivalCode"] as? String, "J001-WS·2015-Y-BGS-0008")
        let v3 = try await count("items")
        XCTAssertEqual(v3, 3)
    }

    func testSQLLookingStringsAreJustText() async throws {
        let evil = "'; DROP TABLE items; -- \" OR 1=1"
        let r = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, title: evil, extra: ["notes": "Robert'); DROP TABLE users;--"]))
        XCTAssertEqual(r.status, .created, r.body)
        let id = try XCTUnwrap(r.object["id"] as? String)
        let v4 = try await call(.GET, "api/v1/items/\(id)", token: archivist).object["title"] as? String
        XCTAssertEqual(v4, evil)
        let q = try await call(.GET, "api/v1/items?category=WS'%20OR%20'1'='1", token: archivist)
        XCTAssertEqual(q.status, .ok)
        XCTAssertEqual((q.object["items"] as? [[String: Any]])?.count, 0)
        let v5 = try await count("items")
        XCTAssertEqual(v5, 1)
        let v6 = try await count("users")
        XCTAssertGreaterThan(v6, 0)
    }

    func testOversizedBodyIsRefused() async throws {
        // Through a real HTTP server: the in-memory responder does not stream bodies.
        let port = Int.random(in: 20000...40000)
        let big = String(repeating: "x", count: 17 * 1024 * 1024)
        var status: HTTPStatus?
        var body = ""
        try await app.testable(method: .running(hostname: "127.0.0.1", port: port)).test(.POST, "api/v1/items", beforeRequest: { (req: inout XCTHTTPRequest) async throws in
            req.headers.bearerAuthorization = .init(token: archivist)
            req.headers.contentType = .json
            req.body = ByteBuffer(string: "{\"title\":\"\(big)\"}")
        }, afterResponse: { (res: XCTHTTPResponse) async throws in
            status = res.status
            body = res.body.string
        })
        XCTAssertEqual(status, .payloadTooLarge, String(body.prefix(300)))
        let n = try await count("items")
        XCTAssertEqual(n, 0)
    }
}
