import Crypto
import Foundation
@testable import LantaiServer
import XCTest
import XCTVapor

/// Resumable uploads (断点续传) through /api/v1/uploads and the page's upload form: a package sent
/// in pieces, with a dropped piece resumed from the offset the server reports, becomes exactly
/// the transfer a one-piece upload makes; every wrong step is refused and changes nothing.
final class UploadsTests: TransferTestCase {
    func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    func patch(_ id: String, _ bytes: ArraySlice<UInt8>, at offset: Int, token: String) async throws -> APIResponse {
        var result: APIResponse?
        try await app.test(.PATCH, "api/v1/uploads/\(id)", beforeRequest: { (req: inout XCTHTTPRequest) async throws in
            req.headers.bearerAuthorization = .init(token: token)
            req.headers.replaceOrAdd(name: "Upload-Offset", value: String(offset))
            req.headers.contentType = HTTPMediaType(type: "application", subType: "octet-stream")
            req.body = ByteBuffer(bytes: Array(bytes))
        }, afterResponse: { (res: XCTHTTPResponse) async throws in
            result = APIResponse(status: res.status, body: res.body.string)
        })
        return result!
    }

    func testAPackageSentInPiecesAndResumedBecomesATransferThatPassesItsChecks() async throws {
        let zip = try makeZip(rows: goodRows(), files: goodFiles)
        let officer = try await token("officer1", role: .agencyOfficer, agency: "J012")
        let opened = try await call(.POST, "api/v1/uploads", token: officer, json: ["length": zip.count])
        XCTAssertEqual(opened.status, .created, opened.body)
        let id = try XCTUnwrap(opened.object["id"] as? String)
        XCTAssertEqual(opened.object["offset"] as? Int, 0)
        XCTAssertEqual(opened.object["agency"] as? String, "J012", "an officer's upload is for their own agency")

        let half = zip.count / 2
        let first = try await patch(id, zip[..<half], at: 0, token: officer)
        XCTAssertEqual(first.status, .ok, first.body)
        XCTAssertEqual(first.object["offset"] as? Int, half)

        // The client lost the answer and resends the first piece: refused with the offset to go on from.
        let again = try await patch(id, zip[..<half], at: 0, token: officer)
        XCTAssertEqual(again.status, .conflict)
        XCTAssertEqual(again.error["code"] as? String, "offset_mismatch")
        XCTAssertTrue((again.error["message"] as? String ?? "").contains(String(half)), again.body)
        let asked = try await call(.GET, "api/v1/uploads/\(id)", token: officer)
        XCTAssertEqual(asked.object["offset"] as? Int, half, "a refused piece adds nothing")

        let early = try await call(.POST, "api/v1/uploads/\(id)/complete", token: officer)
        XCTAssertEqual(early.status, .conflict)
        XCTAssertEqual(early.error["code"] as? String, "upload_incomplete")

        let beyond = try await patch(id, zip[half...] + [0x00], at: half, token: officer)
        XCTAssertEqual(beyond.status, .payloadTooLarge, "more than the announced length is refused")
        let rest = try await patch(id, zip[half...], at: half, token: officer)
        XCTAssertEqual(rest.status, .ok, rest.body)
        XCTAssertEqual(rest.object["offset"] as? Int, zip.count)

        let done = try await call(.POST, "api/v1/uploads/\(id)/complete", token: officer)
        XCTAssertEqual(done.status, .created, done.body)
        XCTAssertEqual(done.object["uploadSha256"] as? String, sha256(zip), "the digest is the whole package's")
        XCTAssertEqual(done.object["packageKind"] as? String, "zip", "the kind is read from the first bytes")
        XCTAssertEqual(done.object["uploadBytes"] as? Int, zip.count)
        let gone = try await call(.GET, "api/v1/uploads/\(id)", token: officer)
        XCTAssertEqual(gone.status, .notFound, "the session closes with the transfer")
        let uploadsLeft = try await count("uploads")
        XCTAssertEqual(uploadsLeft, 0)

        let transferId = try XCTUnwrap(done.object["id"] as? String)
        let ran = await app.jobWorker.drain(app)
        XCTAssertEqual(ran, 1)
        let checked = try await call(.GET, "api/v1/transfers/\(transferId)/report", token: officer)
        XCTAssertEqual((checked.object["passed"] as? Bool), true, checked.body)
    }

    func testWrongStepsAreRefusedAndChangeNothing() async throws {
        try await makeFonds("J013", name: "江临市卫生局")
        let officer = try await token("officer1", role: .agencyOfficer, agency: "J012")
        let other = try await token("officer2", role: .agencyOfficer, agency: "J013")
        let citizen = try await token("citizen1", role: .citizen)

        let zero = try await call(.POST, "api/v1/uploads", token: officer, json: ["length": 0])
        XCTAssertEqual(zero.status, .badRequest)
        XCTAssertEqual(zero.error["field"] as? String, "length")
        let huge = try await call(.POST, "api/v1/uploads", token: officer, json: ["length": app.lantai.maxTransferBytes + 1])
        XCTAssertEqual(huge.status, .payloadTooLarge)
        let foreign = try await call(.POST, "api/v1/uploads", token: officer, json: ["length": 10, "agency": "J013"])
        XCTAssertEqual(foreign.status, .forbidden, "an officer uploads only for their own agency")
        let notAllowed = try await call(.POST, "api/v1/uploads", token: citizen, json: ["length": 10])
        XCTAssertEqual(notAllowed.status, .forbidden)
        let unknownField = try await call(.POST, "api/v1/uploads", token: officer, json: ["length": 10, "size": 3])
        XCTAssertEqual(unknownField.status, .badRequest)
        let anonymous = try await call(.POST, "api/v1/uploads", json: ["length": 10])
        XCTAssertEqual(anonymous.status, .unauthorized)
        let opened = try await count("uploads")
        XCTAssertEqual(opened, 0, "no refused request opened a session")

        let notAZip = Array("这不是一个压缩包，只是一段文字。".utf8)
        let created = try await call(.POST, "api/v1/uploads", token: officer, json: ["length": notAZip.count])
        let id = try XCTUnwrap(created.object["id"] as? String)
        let stranger = try await call(.GET, "api/v1/uploads/\(id)", token: other)
        XCTAssertEqual(stranger.status, .notFound, "another account cannot see or probe the session")
        let strangerPatch = try await patch(id, notAZip[...], at: 0, token: other)
        XCTAssertEqual(strangerPatch.status, .notFound)

        var noOffset: APIResponse?
        try await app.test(.PATCH, "api/v1/uploads/\(id)", beforeRequest: { (req: inout XCTHTTPRequest) async throws in
            req.headers.bearerAuthorization = .init(token: officer)
            req.body = ByteBuffer(bytes: notAZip)
        }, afterResponse: { (res: XCTHTTPResponse) async throws in noOffset = APIResponse(status: res.status, body: res.body.string) })
        XCTAssertEqual(noOffset?.status, .badRequest, "a piece without Upload-Offset is refused")

        let sent = try await patch(id, notAZip[...], at: 0, token: officer)
        XCTAssertEqual(sent.status, .ok)
        let complete = try await call(.POST, "api/v1/uploads/\(id)/complete", token: officer)
        XCTAssertEqual(complete.status, .unsupportedMediaType, complete.body)
        let transfers = try await count("transfers")
        XCTAssertEqual(transfers, 0, "text is not a package: no transfer")

        let part = Uploads.partFile(UUID(uuidString: id)!, app.lantai)
        XCTAssertTrue(FileManager.default.fileExists(atPath: part.path))
        let deleted = try await call(.DELETE, "api/v1/uploads/\(id)", token: officer)
        XCTAssertEqual(deleted.status, .noContent)
        XCTAssertFalse(FileManager.default.fileExists(atPath: part.path), "abandoning removes the bytes")
        let left = try await count("uploads")
        XCTAssertEqual(left, 0)
    }

    // MARK: The page

    func multipart(_ zip: [UInt8], boundary: String, agency: String? = nil) -> ByteBuffer {
        var body = ByteBuffer()
        if let agency {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"agency\"\r\n\r\n\(agency)\r\n")
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"package\"; filename=\"移交包.zip\"\r\n")
        body.writeString("Content-Type: application/zip\r\n\r\n")
        body.writeBytes(zip)
        body.writeString("\r\n--\(boundary)--\r\n")
        return body
    }

    func testThePageFormStreamsAPackageAndThePageScriptMayUseTheAPIOnlyWithItsCSRFToken() async throws {
        let zip = try makeZip(rows: goodRows(), files: goodFiles)
        _ = try await token("officer1", role: .agencyOfficer, agency: "J012")
        var jar = Jar()
        let signedIn = try await signIn("officer1", "password-officer1", jar: &jar)
        XCTAssertTrue(signedIn.isRedirect, signedIn.body)
        let list = try await page(.GET, "/transfers", jar: &jar)
        XCTAssertTrue(list.body.contains("id=\"upload-form\""), "an officer sees the upload form: \(list.body)")
        XCTAssertTrue(list.body.contains("/js/upload.js"))
        let csrf = try XCTUnwrap(Self.csrfToken(list.body))

        let boundary = "----lantai\(UUID().uuidString)"
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .cookie, value: jar.header!)
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        let forged = try await app.sendRequest(.POST, "/transfers/upload", headers: headers, body: multipart(zip, boundary: boundary))
        XCTAssertEqual(forged.status, .forbidden, "without the CSRF token nothing is stored")
        let none = try await count("transfers")
        XCTAssertEqual(none, 0)

        let res = try await app.sendRequest(.POST, "/transfers/upload?_csrf=\(csrf)", headers: headers,
                                            body: multipart(zip, boundary: boundary))
        XCTAssertEqual(res.status, .seeOther, res.body.string)
        let location = try XCTUnwrap(res.headers.first(name: .location))
        XCTAssertTrue(location.hasPrefix("/transfers/"), location)
        let stored = try await TransferModel.query(on: app.db).all()
        XCTAssertEqual(stored.count, 1)
        XCTAssertEqual(stored.first?.uploadSHA256, sha256(zip), "the file part alone is stored, byte for byte")
        XCTAssertEqual(stored.first?.agency, "J012")
        let incoming = URL(fileURLWithPath: app.lantai.dataDirectory).appendingPathComponent("transfers/.incoming")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: incoming.path), [], "no temporary file is left")

        // The page's script: the session cookie alone does not open the API …
        let cookieOnly = try await call(.POST, "api/v1/uploads", json: ["length": 10], headers: [("Cookie", jar.header!)])
        XCTAssertEqual(cookieOnly.status, .unauthorized)
        let wrongToken = try await call(.POST, "api/v1/uploads", json: ["length": 10],
                                        headers: [("Cookie", jar.header!), ("X-CSRF-Token", "lt_not-the-token")])
        XCTAssertEqual(wrongToken.status, .unauthorized)
        // … the cookie with the page's CSRF token does.
        let withToken = try await call(.POST, "api/v1/uploads", json: ["length": 10],
                                       headers: [("Cookie", jar.header!), ("X-CSRF-Token", csrf)])
        XCTAssertEqual(withToken.status, .created, withToken.body)
    }

    func testAPageUploadThatIsNotAPackageIsRefusedAndLeavesNothing() async throws {
        _ = try await token("archivist1", role: .archivist)
        var jar = Jar()
        _ = try await signIn("archivist1", "password-archivist1", jar: &jar)
        let list = try await page(.GET, "/transfers", jar: &jar)
        XCTAssertTrue(list.body.contains("<option value=\"J012\">"), "an archivist chooses the agency: \(list.body)")
        let csrf = try XCTUnwrap(Self.csrfToken(list.body))
        let boundary = "xyz"
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .cookie, value: jar.header!)
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        let text = try await app.sendRequest(.POST, "/transfers/upload?_csrf=\(csrf)", headers: headers,
                                             body: multipart(Array("just text".utf8), boundary: boundary, agency: "J012"))
        XCTAssertEqual(text.status, .unsupportedMediaType)
        let cut = try await app.sendRequest(.POST, "/transfers/upload?_csrf=\(csrf)", headers: headers,
                                            body: ByteBuffer(string: "--xyz\r\nContent-Disposition: form-data; name=\"package\"; filename=\"a.zip\"\r\n\r\nPK"))
        XCTAssertEqual(cut.status.code / 100, 4, "a body cut short is a 4xx: \(cut.status)")
        let transfers = try await count("transfers")
        XCTAssertEqual(transfers, 0)
        let incoming = URL(fileURLWithPath: app.lantai.dataDirectory).appendingPathComponent("transfers/.incoming")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: incoming.path)) ?? [], [])
    }
}
