import ArchiveKit
import Crypto
import Fluent
@testable import LantaiServer
import XCTest
import XCTVapor

/// Receiving transfer packages: streamed to disk with their digest recorded, for the right
/// agency only, and nothing kept from a refused upload.
final class TransfersAPITests: LantaiTestCase {
    override class var environmentOverrides: [String: String] { ["LANTAI_MAX_TRANSFER_BYTES": "1000000"] }

    func upload(_ body: [UInt8], token: String?, contentType: String = "application/zip", query: String = "") async throws -> APIResponse {
        var result: APIResponse?
        try await app.test(.POST, "api/v1/transfers\(query)", beforeRequest: { (req: inout XCTHTTPRequest) async throws in
            if let token { req.headers.bearerAuthorization = .init(token: token) }
            req.headers.replaceOrAdd(name: .contentType, value: contentType)
            req.body = ByteBuffer(bytes: body)
        }, afterResponse: { (res: XCTHTTPResponse) async throws in
            result = APIResponse(status: res.status, body: res.body.string)
        })
        return result!
    }

    var storedPackages: [String] {
        let dir = dataDir + "/transfers"
        let entries = (try? FileManager.default.subpathsOfDirectory(atPath: dir)) ?? []
        return entries.filter { $0.hasSuffix(".zip") || $0.hasSuffix(".tar") || $0.hasSuffix(".part") }
    }

    func testAnAgencyOfficerSendsAPackageAndItsDigestIsRecorded() async throws {
        try await makeFonds("J012", name: "江临市教育局")
        let officer = try await token("officer", role: .agencyOfficer, agency: "J012")
        let package = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let r = try await upload(package, token: officer)
        XCTAssertEqual(r.status, .created, r.body)
        XCTAssertEqual(r.object["status"] as? String, "received")
        XCTAssertEqual(r.object["agency"] as? String, "J012")
        XCTAssertEqual(r.object["uploadBytes"] as? Int, package.count)
        let expected = SHA256.hash(data: package).map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(r.object["uploadSha256"] as? String, expected)
        let id = try XCTUnwrap(r.object["id"] as? String)
        let stored = try Data(contentsOf: URL(fileURLWithPath: dataDir + "/transfers/\(id)/package.zip"))
        XCTAssertEqual(Array(stored), package, "the package is kept byte for byte")
        let shown = try await call(.GET, "api/v1/transfers/\(id)", token: officer)
        XCTAssertEqual(shown.object["uploadSha256"] as? String, expected)
        let trail = try await AuditTrail.entries(on: app.db, after: 0, limit: 100)
        XCTAssertTrue(trail.contains { $0.action == "transfer.receive" && $0.subject == id && $0.detail.contains(expected) })
    }

    func testOnlyTheRightPeopleSendForTheRightAgency() async throws {
        try await makeFonds("J012", name: "江临市教育局")
        try await makeFonds("J025", name: "江临市自然资源和规划局")
        let officer = try await token("officer", role: .agencyOfficer, agency: "J012")
        let archivist = try await token("archivist", role: .archivist)
        let citizen = try await token("citizen", role: .citizen)
        let body: [UInt8] = Array("PK\u{3}\u{4} not really a zip".utf8)
        let v1 = try await upload(body, token: nil)
        XCTAssertEqual(v1.status, .unauthorized)
        let v2 = try await upload(body, token: citizen)
        XCTAssertEqual(v2.status, .forbidden)
        let v3 = try await upload(body, token: officer, query: "?agency=J025")
        XCTAssertEqual(v3.status, .forbidden, "an officer sends only for their own agency")
        let v4 = try await upload(body, token: archivist)
        XCTAssertEqual(v4.status, .badRequest, "an archivist names the agency")
        let v5 = try await upload(body, token: archivist, query: "?agency=J999")
        XCTAssertEqual(v5.status, .unprocessableEntity)
        XCTAssertEqual(storedPackages, [], "nothing is kept from a refused upload")
        let ok = try await upload(body, token: archivist, query: "?agency=J025")
        XCTAssertEqual(ok.status, .created, ok.body)
        let id = try XCTUnwrap(ok.object["id"] as? String)
        let v6 = try await call(.GET, "api/v1/transfers/\(id)", token: officer)
        XCTAssertEqual(v6.status, .forbidden, "another agency's transfer is not shown")
        let mine = try await call(.GET, "api/v1/transfers", token: officer)
        XCTAssertEqual((mine.json as? [Any])?.count, 0)
        let all = try await call(.GET, "api/v1/transfers", token: archivist)
        XCTAssertEqual((all.json as? [Any])?.count, 1)
    }

    func testBadUploadsAreRefusedAndLeaveNothing() async throws {
        try await makeFonds("J012", name: "江临市教育局")
        let officer = try await token("officer", role: .agencyOfficer, agency: "J012")
        let wrongType = try await upload(Array("hello".utf8), token: officer, contentType: "text/plain")
        XCTAssertEqual(wrongType.status, .unsupportedMediaType, wrongType.body)
        let empty = try await upload([], token: officer)
        XCTAssertEqual(empty.status, .badRequest, empty.body)
        let tooLarge = try await upload([UInt8](repeating: 0, count: 1_000_001), token: officer)
        XCTAssertEqual(tooLarge.status, .payloadTooLarge, tooLarge.body)
        XCTAssertEqual(storedPackages, [])
        let n = try await count("transfers")
        XCTAssertEqual(n, 0)
    }
}
