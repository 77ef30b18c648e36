import ArchiveKit
import Fluent
import Foundation
@testable import LantaiServer
import XCTest
import XCTVapor

/// 利用申请 from submission to delivery: a citizen asks online without an account and follows
/// the request by its reference; the archivist accepts, approves and delivers; the copy is
/// watermarked, downloadable a limited number of times, and registered as a use.
final class RequestsTests: TransferTestCase {
    /// A real resident identity number (check character computed by ISO 7064 MOD 11-2).
    let identity = "11010519491231002X"

    func submit(_ body: [String: Any], token: String? = nil) async throws -> APIResponse {
        try await call(.POST, "api/v1/requests", token: token, json: body)
    }

    func testACitizenSubmitsOnlineAndFollowsTheRequestWhileTheArchivistHandlesIt() async throws {
        let sent = try await submit(["purpose": "marriage", "requesterName": "王秀英", "identityNumber": identity,
                                     "contact": "13800000000", "sought": "1987年在红星公社登记结婚的记录"])
        XCTAssertEqual(sent.status, .created, sent.body)
        let ref = try XCTUnwrap(sent.object["reference"] as? String)
        XCTAssertTrue(ref.hasPrefix("LY-"), ref)
        XCTAssertEqual(sent.object["status"] as? String, "submitted")
        XCTAssertNil(sent.object["requester"], "the public answer never repeats who asked")

        // The number is kept masked and hashed, never as typed.
        struct Row: Decodable { var identity_masked: String; var identity_hash: String }
        let rows = try await sql.raw("SELECT identity_masked, identity_hash FROM access_requests").all(decoding: Row.self)
        XCTAssertEqual(rows.first?.identity_masked, "110105********002X")
        XCTAssertEqual(rows.first?.identity_hash.count, 64)
        let dump = try await sql.raw("SELECT * FROM access_requests").all().map { "\($0)" }.joined()
        XCTAssertFalse(dump.contains(identity), "the full identity number is stored nowhere")

        let followed = try await call(.GET, "api/v1/requests/\(ref)")
        XCTAssertEqual(followed.object["status"] as? String, "submitted")
        XCTAssertEqual(followed.object["statusName"] as? String, "已提交")

        let citizen = try await token("citizen1", role: .citizen)
        let notTheirs = try await call(.POST, "api/v1/requests/\(ref)/events", token: citizen, json: ["event": "accept"])
        XCTAssertEqual(notTheirs.status, .forbidden, "only an archivist accepts")
        let archivist = try await token("archivist1", role: .archivist)
        let listed = try await call(.GET, "api/v1/requests?status=submitted", token: archivist)
        XCTAssertEqual((listed.json as? [[String: Any]])?.count, 1)
        let noList = try await call(.GET, "api/v1/requests", token: citizen)
        XCTAssertEqual(noList.status, .forbidden)
        let staffView = try await call(.GET, "api/v1/requests/\(ref)", token: archivist)
        XCTAssertEqual((staffView.object["requester"] as? [String: Any])?["identityMasked"] as? String, "110105********002X")

        let approveEarly = try await call(.POST, "api/v1/requests/\(ref)/events", token: archivist, json: ["event": "approve"])
        XCTAssertEqual(approveEarly.status, .conflict, "approval comes after acceptance")
        let accepted = try await call(.POST, "api/v1/requests/\(ref)/events", token: archivist, json: ["event": "accept"])
        XCTAssertEqual(accepted.object["status"] as? String, "accepted", accepted.body)
        XCTAssertNotNil(accepted.object["dueAt"], "accepting starts the answer deadline")
        XCTAssertEqual(accepted.object["overdue"] as? Bool, false)
        let noReason = try await call(.POST, "api/v1/requests/\(ref)/events", token: archivist, json: ["event": "refuse", "reason": "  "])
        XCTAssertEqual(noReason.status, .unprocessableEntity)
        XCTAssertEqual(noReason.error["field"] as? String, "reason")
        let refused = try await call(.POST, "api/v1/requests/\(ref)/events", token: archivist,
                                     json: ["event": "refuse", "reason": "本馆未收藏该公社1987年婚姻登记档案，请向区民政局查询"])
        XCTAssertEqual(refused.object["status"] as? String, "refused")
        let seen = try await call(.GET, "api/v1/requests/\(ref)")
        XCTAssertEqual(seen.object["refusalReason"] as? String, "本馆未收藏该公社1987年婚姻登记档案，请向区民政局查询",
                       "the requester reads the reason")
        let actions = try await sql.raw("SELECT action FROM audit_log WHERE subject = \(bind: ref) ORDER BY seq").all()
            .map { try $0.decode(column: "action", as: String.self) }
        XCTAssertEqual(actions, ["request.submit", "request.accept", "request.refuse"], "every step is audited")
    }

    func testBadInputIsRefusedWithTheFieldAndChangesNothing() async throws {
        let wrongCheck = try await submit(["purpose": "marriage", "requesterName": "王秀英", "identityNumber": "110105194912310021",
                                           "sought": "结婚登记"])
        XCTAssertEqual(wrongCheck.status, .unprocessableEntity)
        XCTAssertEqual(wrongCheck.error["field"] as? String, "identityNumber")
        XCTAssertTrue((wrongCheck.error["message"] as? String ?? "").contains("校验"), wrongCheck.body)
        let badDate = try await submit(["purpose": "marriage", "requesterName": "王秀英", "identityNumber": "110105194902301234",
                                        "sought": "结婚登记"])
        XCTAssertEqual(badDate.status, .unprocessableEntity)
        let nothingSought = try await submit(["purpose": "marriage", "requesterName": "王秀英", "identityNumber": identity])
        XCTAssertEqual(nothingSought.error["field"] as? String, "sought")
        let badPurpose = try await submit(["purpose": "curiosity", "requesterName": "王秀英", "identityNumber": identity, "sought": "x"])
        XCTAssertEqual(badPurpose.status, .badRequest)
        let extra = try await submit(["purpose": "marriage", "requesterName": "王秀英", "identityNumber": identity, "sought": "x", "admin": true])
        XCTAssertEqual(extra.status, .badRequest)
        let hidden = try await submit(["purpose": "marriage", "requesterName": "王秀英", "identityNumber": identity, "itemIds": [UUID().uuidString]])
        XCTAssertEqual(hidden.error["field"] as? String, "itemIds")
        let onSiteByCitizen = try await submit(["channel": "on-site", "purpose": "marriage", "requesterName": "王秀英",
                                                "identityNumber": identity, "sought": "x"])
        XCTAssertEqual(onSiteByCitizen.status, .forbidden, "on-site requests are registered by an archivist")
        let stored = try await count("access_requests")
        XCTAssertEqual(stored, 0)

        for forged in ["LY-20261127-AAAAAAA", "LY-2026", "'; drop table access_requests; --", String(repeating: "9", count: 5000)] {
            let r = try await call(.GET, "api/v1/requests/\(forged.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            XCTAssertEqual(r.status, .notFound, String(forged.prefix(40)))
        }
    }

    func testAServicePointRegistersForACitizenAndSeesOnlyItsOwn() async throws {
        let point = try await token("point1", role: .servicePoint)
        let other = try await token("point2", role: .servicePoint)
        let made = try await submit(["channel": "service-point", "purpose": "schooling", "requesterName": "李明",
                                     "identityNumber": identity, "sought": "1995年江临一中毕业学籍"], token: point)
        XCTAssertEqual(made.status, .created, made.body)
        XCTAssertNotNil(made.object["requester"], "the operator who registered it sees the details to print")
        let mine = try await call(.GET, "api/v1/requests", token: point)
        XCTAssertEqual((mine.json as? [[String: Any]])?.count, 1)
        let theirs = try await call(.GET, "api/v1/requests", token: other)
        XCTAssertEqual((theirs.json as? [[String: Any]])?.count, 0)
    }

    func testAnApprovedRequestIsDeliveredAsAWatermarkedCopyWithLimitsAndRegisteredAsAUse() async throws {
        for tool in ["qpdf", "pdftotext"] where !FileManager.default.isExecutableFile(atPath: "/usr/bin/\(tool)") {
            throw XCTSkip("\(tool) is needed for watermarked delivery (apt-get install qpdf poppler-utils; scripts/test installs them)")
        }
        let rows = [header, ["江临市红星公社婚姻登记存根", "江临市教育局", "", "1987-05-04", "1987", "永久", "BGS", "1", "非密", "开放", "WS", "电子",
                             "婚姻/存根.pdf"]]
        let (transfer, stored) = try await submitAndCheck(try makeZip(rows: rows, files: ["婚姻/存根.pdf": DemoObjects.pdf(lines: ["Marriage register 1987"])]))
        XCTAssertEqual(stored["passed"] as? Bool, true, "\(stored)")
        let archivist = try await token("archivist1", role: .archivist)
        _ = try await call(.POST, "api/v1/transfers/\(transfer["id"] as! String)/accept", token: archivist)
        await app.jobWorker.drain(app)
        let first = try await ItemModel.query(on: app.db).first()
        let item = try XCTUnwrap(first)
        XCTAssertNotNil(item.objectID)

        let sent = try await submit(["purpose": "marriage", "requesterName": "王秀英", "identityNumber": identity,
                                     "itemIds": [item.id!.uuidString]])
        XCTAssertEqual(sent.status, .created, sent.body)
        let ref = sent.object["reference"] as! String
        let early = try await call(.POST, "api/v1/requests/\(ref)/events", token: archivist, json: ["event": "deliver"])
        XCTAssertEqual(early.status, .conflict, "nothing is delivered before approval")
        for step in ["accept", "approve"] {
            let r = try await call(.POST, "api/v1/requests/\(ref)/events", token: archivist, json: ["event": step])
            XCTAssertEqual(r.status, .ok, r.body)
        }
        let delivered = try await call(.POST, "api/v1/requests/\(ref)/events", token: archivist, json: ["event": "deliver"])
        XCTAssertEqual(delivered.object["status"] as? String, "delivered", delivered.body)

        let followed = try await call(.GET, "api/v1/requests/\(ref)")
        let copies = try XCTUnwrap(followed.object["deliveries"] as? [[String: Any]])
        XCTAssertEqual(copies.count, 1)
        XCTAssertEqual(copies.first?["fileName"] as? String, "存根.pdf")
        let url = try XCTUnwrap(copies.first?["url"] as? String)

        var body = ByteBuffer()
        try await app.test(.GET, url, afterResponse: { (res: XCTHTTPResponse) async throws in
            XCTAssertEqual(res.status, .ok)
            XCTAssertEqual(res.headers.contentType?.subType, "pdf")
            body = res.body
        })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-delivered-\(UUID().uuidString).pdf")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(buffer: body).write(to: file)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
        p.arguments = [file.path, "-"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertTrue(text.contains(ref), "the copy carries the request reference: \(text)")
        XCTAssertTrue(text.contains(app.lantai.nodeCode), "and the node: \(text)")
        XCTAssertTrue(text.contains("Marriage register 1987"), "and still the original: \(text)")

        for _ in 1..<Deliveries.downloads {
            try await app.test(.GET, url, afterResponse: { (res: XCTHTTPResponse) async throws in XCTAssertEqual(res.status, .ok) })
        }
        try await app.test(.GET, url, afterResponse: { (res: XCTHTTPResponse) async throws in
            XCTAssertEqual(res.status, .gone, "the download limit holds")
        })
        try await app.test(.GET, "/deliveries/lt_forged", afterResponse: { (res: XCTHTTPResponse) async throws in
            XCTAssertEqual(res.status, .notFound)
        })
        let uses = try await count("uses")
        XCTAssertEqual(uses, 1, "the delivery is registered as a use")
    }

    func testAViewOfAControlledRecordIsRegisteredAsAUse() async throws {
        let found = try await FondsModel.query(on: app.db).filter(\.$code == "J012").first()
        let fonds = try XCTUnwrap(found)
        let archivist = try await token("archivist1", role: .archivist)
        let made = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, accessStatus: "controlled"))
        let id = try XCTUnwrap(made.object["id"] as? String)
        let official = try await token("official1", role: .official, agency: "J012")
        let seen = try await call(.GET, "api/v1/items/\(id)", token: official)
        XCTAssertEqual(seen.status, .ok, seen.body)
        let uses = try await count("uses")
        XCTAssertEqual(uses, 1, "利用登记: the view is counted")
        let open = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, title: "开放的档案"))
        _ = try await call(.GET, "api/v1/items/\(open.object["id"] as! String)", token: official)
        let after = try await count("uses")
        XCTAssertEqual(after, 1, "an open record's view is not a use to register")
    }
}
