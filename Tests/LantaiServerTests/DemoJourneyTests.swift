import ArchiveKit
import Fluent
import Foundation
@testable import LantaiServer
import XCTest
import XCTVapor

/// Issue 4's "done when", on the demo catalogue: a citizen finds open records by a two-character
/// word, with facets and highlights; an official and a citizen see different results for the
/// same query; the citizen's 民生 request is followed to a watermarked copy.
final class DemoJourneyTests: LantaiTestCase {
    func testACitizenFindsRequestsAndReceivesAWatermarkedCopyOnTheDemoCatalogue() async throws {
        for tool in ["/usr/bin/qpdf", "/usr/bin/pdftotext"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw XCTSkip("\(tool) is needed (apt-get install qpdf poppler-utils; scripts/test installs them)")
        }
        _ = try await DemoLoader.load(on: app.db, config: config, itemCount: 600)
        let copies = try await DemoLoader.addDigitisedCopies(app, count: 5)
        XCTAssertTrue(copies.hasSuffix("5"), copies)

        let citizen = try await call(.GET, "api/v1/search?q=%E9%80%9A%E7%9F%A5")  // 通知, anonymous
        let total = try XCTUnwrap(citizen.object["total"] as? Int)
        XCTAssertGreaterThan(total, 0, citizen.body)
        let hits = try XCTUnwrap(citizen.object["hits"] as? [[String: Any]])
        XCTAssertTrue(hits.allSatisfy { $0["accessStatus"] as? String == "open" }, "the public sees open records only")
        XCTAssertTrue(hits.contains { ($0["titleHighlighted"] as? String ?? "").contains("<mark>通知</mark>") })
        XCTAssertFalse((citizen.object["facets"] as? [String: Any] ?? [:]).isEmpty)

        let fonds = try await FondsModel.query(on: app.db).sort(\.$code).all()
        let agency = try XCTUnwrap(fonds.dropFirst().first?.code)
        let official = try await token("official1", role: .official, agency: agency, clearance: .secret)
        let officialView = try await call(.GET, "api/v1/search?q=%E9%80%9A%E7%9F%A5", token: official)
        XCTAssertGreaterThan(officialView.object["total"] as? Int ?? 0, total,
                             "an official also sees the controlled records of their own agency")

        let preserved = try await ItemModel.query(on: app.db).filter(\.$objectID != nil).first()
        let item = try XCTUnwrap(preserved)
        let sent = try await call(.POST, "api/v1/requests", json: ["purpose": "marriage", "requesterName": "王秀英",
                                                                   "identityNumber": "11010519491231002X", "itemIds": [item.id!.uuidString]])
        let ref = try XCTUnwrap(sent.object["reference"] as? String, sent.body)
        let archivist = try await token("archivist1", role: .archivist)
        for step in ["accept", "approve", "deliver"] {
            let r = try await call(.POST, "api/v1/requests/\(ref)/events", token: archivist, json: ["event": step])
            XCTAssertEqual(r.status, .ok, "\(step): \(r.body)")
        }
        let followed = try await call(.GET, "api/v1/requests/\(ref)")
        XCTAssertEqual(followed.object["status"] as? String, "delivered")
        let url = try XCTUnwrap((followed.object["deliveries"] as? [[String: Any]])?.first?["url"] as? String)
        var body = ByteBuffer()
        try await app.test(.GET, url, afterResponse: { (res: XCTHTTPResponse) async throws in
            XCTAssertEqual(res.status, .ok)
            body = res.body
        })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-demo-copy-\(UUID().uuidString).pdf")
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
        XCTAssertTrue(text.contains(ref), "the delivered copy carries the watermark: \(text)")
        XCTAssertTrue(text.contains(item.archivalCode.filter(\.isASCII).prefix(4)), "and is the record's digitised copy: \(text)")
    }
}
