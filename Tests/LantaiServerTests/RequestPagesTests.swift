import Foundation
@testable import LantaiServer
import SQLKit
import XCTest

/// The staff side of 利用申请 in pages: the archivist's list with overdue requests highlighted,
/// acting on a request through its page, and a service point registering for a citizen.
final class RequestPagesTests: PageTestCase {
    func testTheArchivistHandlesARequestInPagesAndSeesOverdueOnes() async throws {
        let sent = try await call(.POST, "api/v1/requests", json: ["purpose": "land-housing", "requesterName": "赵四",
                                                                   "identityNumber": "11010519491231002X", "sought": "1983年宅基地分配记录"])
        let ref = try XCTUnwrap(sent.object["reference"] as? String)
        _ = try await token("archivist1", role: .archivist)
        var jar = Jar()
        _ = try await signIn("archivist1", "password-archivist1", jar: &jar)
        let detail = try await page(.GET, "/requests/\(ref)", jar: &jar)
        XCTAssertTrue(detail.body.contains("110105********002X"), "staff see the masked number")
        XCTAssertFalse(detail.body.contains("11010519491231002X"))
        XCTAssertTrue(detail.body.contains("id=\"act-accept\""), detail.body)
        let values = try Self.formValues(detail.body, action: "/requests/\(ref)/events")
        let accepted = try await page(.POST, "/requests/\(ref)/events", jar: &jar, form: values)
        XCTAssertTrue(accepted.isRedirect, accepted.body)
        let after = try await call(.GET, "api/v1/requests/\(ref)")
        XCTAssertEqual(after.object["status"] as? String, "accepted")

        let list = try await page(.GET, "/requests", jar: &jar)
        XCTAssertFalse(list.body.contains("class=\"overdue\""), "nothing overdue yet")
        try await sql.raw("UPDATE access_requests SET accepted_at = \(bind: Date().addingTimeInterval(-40 * 86400))").run()
        let late = try await page(.GET, "/requests", jar: &jar)
        XCTAssertTrue(late.body.contains("<tr class=\"overdue\">"), "an overdue request is highlighted: \(late.body)")
    }

    func testAServicePointRegistersThroughTheGuideAndOthersCannotSeeIt() async throws {
        _ = try await token("point1", role: .servicePoint)
        _ = try await token("point2", role: .servicePoint)
        var jar = Jar()
        _ = try await signIn("point1", "password-point1", jar: &jar)
        let guide = try await page(.GET, "/guides/schooling", jar: &jar)
        let values = Self.replacing(try Self.formValues(guide.body, action: "/requests"),
                                    ["requesterName": "李明", "identityNumber": "11010519491231002X", "sought": "1995年江临一中毕业学籍"])
        let sent = try await page(.POST, "/requests", jar: &jar, form: values)
        XCTAssertEqual(sent.status, .created, sent.body)
        let ref = try XCTUnwrap(sent.body.range(of: "LY-[0-9]{8}-[0-9A-Z]{7}", options: .regularExpression).map { String(sent.body[$0]) })
        let stored = try await call(.GET, "api/v1/requests/\(ref)")
        XCTAssertEqual(stored.object["channel"] as? String, "service-point", "registered at the service point (就地受理)")
        let mine = try await page(.GET, "/requests/\(ref)", jar: &jar)
        XCTAssertTrue(mine.body.contains("李明"))
        var other = Jar()
        _ = try await signIn("point2", "password-point2", jar: &other)
        let theirs = try await page(.GET, "/requests/\(ref)", jar: &other)
        XCTAssertEqual(theirs.status, .forbidden)
    }
}
