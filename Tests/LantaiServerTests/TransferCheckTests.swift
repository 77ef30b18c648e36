import Crypto
import Fluent
import Ingest
@testable import LantaiServer
import Packaging
import XCTest
import XCTVapor

/// A received package is unpacked safely and checked by the four properties in a background
/// job; the report says why, item by item, and nothing else in the node is touched.
/// Makes real bags (with the Library of Congress bagit package), zips them and sends them in.
class TransferTestCase: PageTestCase {
    var python = ""

    override func setUp() async throws {
        try await super.setUp()
        try await setUpPython()
        try await makeFonds("J012", name: "江临市教育局")
    }

    func setUpPython() async throws {
        var dirs: [String] = []
        if let venv = ProcessInfo.processInfo.environment["LANTAI_TEST_VENV"] { dirs.append(venv + "/bin/python3") }
        dirs.append(FileManager.default.currentDirectoryPath + "/.venv-test/bin/python3")
        guard let p = dirs.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("the bagit package is needed to make test bags: run scripts/test (it installs .venv-test)")
        }
        python = p
    }

    /// Makes a bag with the Library of Congress bagit package, adds catalogue.csv, zips it.
    /// `tamper` runs on the bag directory after bagging (to break it on purpose).
    func makeZip(rows: [[String]], files: [String: String], tamper: String = "", zipSlip: Bool = false,
                 keepingBagAt kept: URL? = nil, repeating times: Int = 1) throws -> [UInt8] {
        let dir = kept ?? FileManager.default.temporaryDirectory.appendingPathComponent("lantai-bag-\(UUID().uuidString)")
        defer { if kept == nil { try? FileManager.default.removeItem(at: dir) } }
        let script = """
        import bagit, csv, io, json, os, random, sys, zipfile
        d, spec = sys.argv[1], json.loads(sys.argv[2])
        os.makedirs(d)
        for name, text in spec['files'].items():
            p = os.path.join(d, name); os.makedirs(os.path.dirname(p), exist_ok=True)
            # Padding of random characters: large files that do not compress like a bomb.
            rnd = random.Random(7)
            pad = ''.join(chr(0x4e00 + rnd.randrange(20000)) for _ in range(spec['repeat'])) if spec['repeat'] > 1 else ''
            open(p, 'w', encoding='utf-8').write(text + pad)
        bag = bagit.make_bag(d, {'Source-Organization': '江临市教育局', 'Contact-Name': '张三'}, checksums=['sha256', 'sha512'])
        with open(os.path.join(d, 'catalogue.csv'), 'w', encoding='utf-8', newline='') as f:
            w = csv.writer(f)
            for row in spec['rows']: w.writerow(row)
        bagit.Bag(d).save(manifests=True)
        exec(spec['tamper'])
        out = io.BytesIO()
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
            for root, _, names in os.walk(d):
                for n in names:
                    full = os.path.join(root, n)
                    z.write(full, os.path.relpath(full, d))
            if spec['zipSlip']:
                z.writestr('../../evil.txt', 'x')
        sys.stdout.buffer.write(out.getvalue())
        """
        let spec: [String: Any] = ["files": files, "rows": rows, "tamper": tamper, "zipSlip": zipSlip, "repeat": times]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script, dir.path, String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)]
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            if message.contains("No module named") { throw XCTSkip("python bagit missing: \(message)") }
            XCTFail("making the test bag failed: \(message)")
            return []
        }
        return Array(data)
    }

    let header = ["题名", "责任者", "文号", "日期", "年度", "保管期限", "机构", "页数", "密级", "开放状态", "门类", "载体", "文件路径"]

    func goodRows() -> [[String]] {
        [header,
         ["关于开展校舍安全检查的通知", "江临市教育局", "江教发〔2015〕12号", "2015-03-02", "2015", "永久", "BGS", "3", "非密", "未鉴定", "WS", "电子", "文书/通知.txt"],
         ["2015年教育工作总结", "江临市教育局", "", "2015-12-20", "2015", "定期30年", "BGS", "10", "非密", "未鉴定", "WS", "电子", "文书/总结.txt"]]
    }

    /// Payload files as they are before bagging (make_bag moves them under data/).
    let goodFiles = ["文书/通知.txt": "关于开展校舍安全检查的通知\n", "文书/总结.txt": "2015年教育工作总结\n"]

    func submitAndCheck(_ zip: [UInt8]) async throws -> (transfer: [String: Any], report: [String: Any]) {
        let officer = try await token("officer\(UUID().uuidString.prefix(6))", role: .agencyOfficer, agency: "J012")
        var created: APIResponse?
        try await app.test(.POST, "api/v1/transfers", beforeRequest: { (req: inout XCTHTTPRequest) async throws in
            req.headers.bearerAuthorization = .init(token: officer)
            req.headers.contentType = HTTPMediaType(type: "application", subType: "zip")
            req.body = ByteBuffer(bytes: zip)
        }, afterResponse: { (res: XCTHTTPResponse) async throws in
            created = APIResponse(status: res.status, body: res.body.string)
        })
        XCTAssertEqual(created?.status, .created, created?.body ?? "")
        let id = try XCTUnwrap(created?.object["id"] as? String)
        let early = try await call(.GET, "api/v1/transfers/\(id)/report", token: officer)
        XCTAssertEqual(early.status, .conflict, "no report before the check has run")
        let ran = await app.jobWorker.drain(app)
        XCTAssertEqual(ran, 1)
        let shown = try await call(.GET, "api/v1/transfers/\(id)", token: officer)
        XCTAssertEqual(shown.object["status"] as? String, "checked")
        let report = try await call(.GET, "api/v1/transfers/\(id)/report", token: officer)
        XCTAssertEqual(report.status, .ok, report.body)
        return (shown.object, report.object)
    }

    func item(_ report: [String: Any], _ id: String) -> [String: Any]? {
        ((report["report"] as? [String: Any])?["items"] as? [[String: Any]])?.first { $0["id"] as? String == id }
    }

}

final class TransferCheckTests: TransferTestCase {
    func testAGoodBagPassesEveryCheck() async throws {
        let (transfer, stored) = try await submitAndCheck(try makeZip(rows: goodRows(), files: goodFiles))
        XCTAssertEqual(stored["passed"] as? Bool, true, "\(stored)")
        let items = (stored["report"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
        XCTAssertGreaterThan(items.count, 10)
        for i in items {
            XCTAssertNotEqual(i["status"] as? String, "fail", "\(i)")
        }
        let progress = transfer["progress"] as? [String: Any]
        XCTAssertEqual(progress?["filesDone"] as? Int, progress?["filesTotal"] as? Int)
        let trail = try await AuditTrail.entries(on: app.db, after: 0, limit: 100)
        XCTAssertTrue(trail.contains { $0.action == "transfer.check" && $0.detail.contains("\"passed\":\"true\"") })
        let items_ = try await count("items")
        XCTAssertEqual(items_, 0, "checking adds nothing to the catalogue")
    }

    func testADigestMismatchFailsAuthenticity() async throws {
        let zip = try makeZip(rows: goodRows(), files: goodFiles,
                              tamper: "open(os.path.join(d, 'data/文书/通知.txt'), 'a', encoding='utf-8').write('改')")
        let (_, stored) = try await submitAndCheck(zip)
        XCTAssertEqual(stored["passed"] as? Bool, false)
        XCTAssertEqual(item(stored, "authenticity.fixity")?["status"] as? String, "fail", "\(stored)")
    }

    func testAnImpossibleDateFailsTheMetadataCheckNamingTheRow() async throws {
        var rows = goodRows()
        rows[2][3] = "2015-02-30"
        let (_, stored) = try await submitAndCheck(try makeZip(rows: rows, files: goodFiles))
        XCTAssertEqual(stored["passed"] as? Bool, false)
        let metadata = item(stored, "authenticity.metadata")
        XCTAssertEqual(metadata?["status"] as? String, "fail")
        let findings = metadata?["findings"] as? [[String: Any]] ?? []
        XCTAssertTrue(findings.contains { ($0["field"] as? String) == "date" }, "\(findings)")
    }

    func testAZipSlipPackageIsRefusedBeforeAnythingIsUnpacked() async throws {
        let (_, stored) = try await submitAndCheck(try makeZip(rows: goodRows(), files: goodFiles, zipSlip: true))
        XCTAssertEqual(stored["passed"] as? Bool, false)
        let refusal = stored["refusal"] as? [String: Any]
        XCTAssertNotNil(refusal, "\(stored)")
        XCTAssertFalse((refusal?["reasonZh"] as? String ?? "").isEmpty)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dataDir + "/evil.txt"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dataDir + "/transfers/evil.txt"))
    }
}

/// Accepting a checked transfer numbers its records and preserves each as an OCFL object with
/// METS and PREMIS; rejecting returns it with the reason; neither can happen twice.
final class AccessionTests: TransferTestCase {
    func testAcceptedRecordsEnterTheCatalogueAndArePreserved() async throws {
        let (transfer, stored) = try await submitAndCheck(try makeZip(rows: goodRows(), files: goodFiles))
        XCTAssertEqual(stored["passed"] as? Bool, true)
        let id = try XCTUnwrap(transfer["id"] as? String)
        let archivist = try await token("archivist", role: .archivist)
        let citizen = try await token("citizen", role: .citizen)
        let refused = try await call(.POST, "api/v1/transfers/\(id)/accept", token: citizen)
        XCTAssertEqual(refused.status, .forbidden)
        let accepted = try await call(.POST, "api/v1/transfers/\(id)/accept", token: archivist)
        XCTAssertEqual(accepted.status, .ok, accepted.body)
        XCTAssertEqual(accepted.object["status"] as? String, "accepting")
        let again = try await call(.POST, "api/v1/transfers/\(id)/accept", token: archivist)
        XCTAssertEqual(again.status, .conflict, "a transfer is accepted once")
        // transfer.preserve, then the catalogue snapshot of the fonds (queued by acceptance and by preservation).
        let ran = await app.jobWorker.drain(app)
        XCTAssertGreaterThanOrEqual(ran, 1)
        let done = try await call(.GET, "api/v1/transfers/\(id)", token: archivist)
        XCTAssertEqual(done.object["status"] as? String, "accepted")

        let items = try await ItemModel.query(on: app.db).sort(\.$archivalCode).all()
        XCTAssertEqual(items.map(\.archivalCode), ["J012-WS·2015-D30-BGS-0001", "J012-WS·2015-Y-BGS-0001"])
        XCTAssertEqual(Set(items.map(\.title)), ["关于开展校舍安全检查的通知", "2015年教育工作总结"])
        let root = URL(fileURLWithPath: config.storagePath)
        let report = OCFLValidator.validate(at: root)
        XCTAssertTrue(report.isValid, report.description)
        // The receipt is signed by the node and lists what was accepted.
        let receipt = try await call(.GET, "api/v1/transfers/\(id)/receipt", token: archivist)
        XCTAssertEqual(receipt.status, .ok, receipt.body)
        let node = try await call(.GET, "api/v1/node")
        let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: Data(base64Encoded: node.object["publicKey"] as! String)!)
        let signed = Data((receipt.object["receipt"] as! String).utf8)
        let signature = Data(base64Encoded: receipt.object["signature"] as! String)!
        XCTAssertTrue(publicKey.isValidSignature(signature, for: signed), "the receipt verifies with the node's public key")
        var forged = signed
        forged[forged.count / 2] ^= 0x01
        XCTAssertFalse(publicKey.isValidSignature(signature, for: forged))
        let content = try JSONSerialization.jsonObject(with: signed) as! [String: Any]
        let listed = (content["records"] as! [[String: Any]]).map { $0["archivalCode"] as! String }
        XCTAssertEqual(listed, items.map(\.archivalCode))
        XCTAssertEqual((content["counts"] as? [String: Any])?["files"] as? Int, 2)
        XCTAssertEqual((content["package"] as? [String: Any])?["sha256"] as? String, transfer["uploadSha256"] as? String)
        for item in items {
            let objectID = try XCTUnwrap(item.objectID, "every accepted record points at its package")
            let snapshot = try ArchivalPackage.read(objectID: objectID, in: try OCFLStorageRoot.open(at: root))
            XCTAssertEqual(snapshot.record.description, item.description_)
            XCTAssertEqual(snapshot.record.archivalCode, item.archivalCode)
            XCTAssertEqual(snapshot.files.count, 1)
            XCTAssertTrue(snapshot.events.contains { $0.type == .accession })
        }
    }

    func testAnAcceptedTransferExportsAsABagThatBagitPythonValidates() async throws {
        let (transfer, _) = try await submitAndCheck(try makeZip(rows: goodRows(), files: goodFiles))
        let id = try XCTUnwrap(transfer["id"] as? String)
        let archivist = try await token("archivist", role: .archivist)
        let accepted = try await call(.POST, "api/v1/transfers/\(id)/accept", token: archivist)
        XCTAssertEqual(accepted.status, .ok, accepted.body)
        await app.jobWorker.drain(app)
        let env = cliEnvironment
        let out = dataDir + "/exports"
        let run = try await CLITests.run(try CLITests.executable(), ["export", "bag", id, "--to", out], environment: env,
                                         stdin: nil, timeout: 120)
        XCTAssertEqual(run.status, 0, run.description)
        let bag = out + "/transfer-\(id)"
        let bagit = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("bagit.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bagit)
        p.arguments = ["--validate", bag]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "bagit.py --validate accepts the exported bag")
        let files = try FileManager.default.subpathsOfDirectory(atPath: bag + "/data")
        XCTAssertTrue(files.contains { $0.hasSuffix("content/文书/通知.txt") }, "\(files)")
        XCTAssertTrue(files.contains { $0.hasSuffix("metadata/mets.xml") }, "\(files)")
        let trail = try await AuditTrail.entries(on: app.db, after: 0, limit: 200)
        XCTAssertTrue(trail.contains { $0.action == "export.bag" }, "exports are audited")
        let again = try await CLITests.run(try CLITests.executable(), ["export", "bag", id, "--to", out], environment: env,
                                           stdin: nil, timeout: 120)
        XCTAssertNotEqual(again.status, 0, "an existing bag is never overwritten")
    }

    func testTheCommandLineSubmitsABagDirectoryAndChecksIt() async throws {
        let bag = URL(fileURLWithPath: dataDir).appendingPathComponent("outgoing-bag")
        _ = try makeZip(rows: goodRows(), files: goodFiles, keepingBagAt: bag)
        let env = cliEnvironment
        let run = try await CLITests.run(try CLITests.executable(), ["transfer", "submit", bag.path, "--agency", "J012"],
                                         environment: env, stdin: nil, timeout: 120)
        XCTAssertEqual(run.status, 0, run.description)
        XCTAssertTrue(run.stdout.contains("all checks passed"), run.description)
        let transfers = try await TransferModel.query(on: app.db).all()
        XCTAssertEqual(transfers.map(\.status), ["checked"])
        XCTAssertEqual(transfers.first?.packageKind, "tar")
        let wrong = try await CLITests.run(try CLITests.executable(), ["transfer", "submit", bag.path, "--agency", "J999"],
                                           environment: env, stdin: nil, timeout: 120)
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("J999"), wrong.description)
    }

    func testTwoRowsThatDescribeAlikeKeepTheirOwnFiles() async throws {
        var rows = goodRows()
        rows[2] = rows[1]
        rows[2][12] = "文书/总结.txt"
        let (transfer, stored) = try await submitAndCheck(try makeZip(rows: rows, files: goodFiles))
        XCTAssertEqual(stored["passed"] as? Bool, true, "\(stored)")
        let id = try XCTUnwrap(transfer["id"] as? String)
        let archivist = try await token("archivist", role: .archivist)
        _ = try await call(.POST, "api/v1/transfers/\(id)/accept", token: archivist)
        await app.jobWorker.drain(app)
        let root = try OCFLStorageRoot.open(at: URL(fileURLWithPath: config.storagePath))
        let items = try await ItemModel.query(on: app.db).sort(\.$sourceRow).all()
        XCTAssertEqual(items.count, 2)
        let names = try items.map { try ArchivalPackage.read(objectID: XCTUnwrap($0.objectID), in: root).files.map(\.name) }
        XCTAssertEqual(names, [["文书/通知.txt"], ["文书/总结.txt"]])
    }

    func testRejectionKeepsTheReasonAndAddsNothing() async throws {
        var rows = goodRows()
        rows[1][3] = "2015-02-30"
        let (transfer, stored) = try await submitAndCheck(try makeZip(rows: rows, files: goodFiles))
        XCTAssertEqual(stored["passed"] as? Bool, false)
        let id = try XCTUnwrap(transfer["id"] as? String)
        let archivist = try await token("archivist", role: .archivist)
        let accept = try await call(.POST, "api/v1/transfers/\(id)/accept", token: archivist)
        XCTAssertEqual(accept.status, .conflict, "a failed transfer cannot be accepted")
        let noReason = try await call(.POST, "api/v1/transfers/\(id)/reject", token: archivist, json: ["reason": "  "])
        XCTAssertEqual(noReason.status, .unprocessableEntity)
        let rejected = try await call(.POST, "api/v1/transfers/\(id)/reject", token: archivist,
                                      json: ["reason": "第 2 行日期 2015-02-30 不存在，请更正后重新移交"])
        XCTAssertEqual(rejected.status, .ok, rejected.body)
        XCTAssertEqual(rejected.object["status"] as? String, "rejected")
        XCTAssertEqual(rejected.object["decisionNote"] as? String, "第 2 行日期 2015-02-30 不存在，请更正后重新移交")
        let n = try await count("items")
        XCTAssertEqual(n, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: config.storagePath + "/0=ocfl_1.1"), "nothing preserved")
    }
}

/// The transfer pages: an archivist reads the report and accepts; the agency downloads the receipt.
final class TransferPagesTests: TransferTestCase {
    func testArchivistReviewsAndAcceptsThroughThePages() async throws {
        let (transfer, _) = try await submitAndCheck(try makeZip(rows: goodRows(), files: goodFiles))
        let id = try XCTUnwrap(transfer["id"] as? String)
        try await Accounts.create(.init(username: "reviewer", role: .archivist, password: "password-reviewer"),
                                  by: "test", cost: 4, on: app.db)
        var jar = Jar()
        _ = try await signIn("reviewer", "password-reviewer", jar: &jar)
        let list = try await page(.GET, "/transfers", jar: &jar)
        XCTAssertEqual(list.status, .ok)
        XCTAssertTrue(list.body.contains("/transfers/\(id)"), list.body)
        let shown = try await page(.GET, "/transfers/\(id)", jar: &jar)
        XCTAssertEqual(shown.status, .ok)
        XCTAssertTrue(shown.body.contains("四性检测报告"), shown.body)
        XCTAssertTrue(shown.body.contains("真实性"), shown.body)
        XCTAssertTrue(shown.body.contains("id=\"accept-button\""), shown.body)
        let form = try Self.formValues(shown.body, action: "/transfers/\(id)/accept")
        let accepted = try await page(.POST, "/transfers/\(id)/accept", jar: &jar, form: form)
        XCTAssertTrue(accepted.isRedirect, "\(accepted.status): \(accepted.body)")
        await app.jobWorker.drain(app)
        let done = try await page(.GET, "/transfers/\(id)", jar: &jar)
        XCTAssertTrue(done.body.contains("已接收入馆"), done.body)
        XCTAssertTrue(done.body.contains("receipt-link"), done.body)
        let receipt = try await page(.GET, "/transfers/\(id)/receipt.json", jar: &jar)
        XCTAssertEqual(receipt.status, .ok)
        XCTAssertTrue(receipt.body.contains("Ed25519"), receipt.body)
        // Without the CSRF token nothing happens.
        let forged = try await page(.POST, "/transfers/\(id)/reject", jar: &jar, form: [("reason", "x")])
        XCTAssertEqual(forged.status, .forbidden)
    }
}
