import Fluent
import Foundation
import Ingest
@testable import LantaiServer
import Packaging
import XCTest

/// SIGKILL of the server at several moments of an ingest — while checking, while writing
/// archival packages — loses nothing: after a restart every job finishes, no catalogue row
/// points at a missing package, and the storage root never shows a half-written version.
final class IngestCrashTests: TransferTestCase {
    var server: Process?
    var port = 0
    var environment: [String: String] = [:]

    override func tearDown() async throws {
        if let server, server.isRunning { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        try await super.tearDown()
    }

    func curl(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["curl", "-s", "--max-time", "30"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func startServer() async throws {
        let p = Process()
        p.executableURL = try CLITests.executable()
        p.arguments = ["serve", "--port", String(port)]
        p.environment = environment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        server = p
        for _ in 0..<200 {
            if (try? curl(["http://127.0.0.1:\(port)/healthz"]))?.contains("ok") == true { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTFail("the server did not start")
    }

    func killServer() {
        guard let server else { return }
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        self.server = nil
    }

    func status(_ id: String) async throws -> String? {
        try await TransferModel.find(UUID(uuidString: id)!, on: app.db)?.status
    }

    func waitUntil(_ condition: @escaping () async throws -> Bool) async throws {
        for _ in 0..<3000 {
            if try await condition() { return }
            try await Task.sleep(nanoseconds: 2_000_000)
        }
        XCTFail("the condition never held")
    }

    func waitFor(_ id: String, _ wanted: String) async throws {
        for _ in 0..<600 {
            if try await status(id) == wanted { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTFail("transfer \(id) never reached \(wanted) (it is \(try await status(id) ?? "gone"))")
    }

    /// What must hold whenever the server is dead.
    func assertNothingHalfDone(_ moment: String) async throws {
        let rootURL = URL(fileURLWithPath: config.storagePath)
        let items = try await ItemModel.query(on: app.db).all()
        if FileManager.default.fileExists(atPath: rootURL.appendingPathComponent("0=ocfl_1.1").path) {
            let report = OCFLValidator.validate(at: rootURL)
            XCTAssertTrue(report.isValid, "\(moment): \(report)")
            let root = try OCFLStorageRoot.open(at: rootURL)
            for item in items {
                guard let objectID = item.objectID else { continue }
                XCTAssertNoThrow(try ArchivalPackage.read(objectID: objectID, in: root), "\(moment): \(item.archivalCode) points at \(objectID)")
            }
        } else {
            XCTAssertTrue(items.allSatisfy { $0.objectID == nil }, "\(moment): a row points into a storage root that does not exist")
        }
        for t in try await TransferModel.query(on: app.db).filter(\.$status == "accepted").all() {
            let mine = items.filter { $0.transferID == t.id }
            XCTAssertTrue(mine.allSatisfy { $0.objectID != nil }, "\(moment): accepted transfer with unpreserved records")
        }
    }

    func testKillingTheServerDuringIngestLosesNothing() async throws {
        let officer = try await token("crash-officer", role: .agencyOfficer, agency: "J012")
        let archivist = try await token("crash-archivist", role: .archivist)
        port = Int.random(in: 30000...45000)
        environment = cliEnvironment
        environment["LANTAI_JOB_LEASE_SECONDS"] = "1"
        // Files big enough that checking and preserving take a moment.
        let big = ["文书/通知.txt": "关于开展校舍安全检查的通知。\n", "文书/总结.txt": "2015年教育工作总结。\n"]
        let zipURL = URL(fileURLWithPath: dataDir).appendingPathComponent("package.zip")
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        try Data(try makeZip(rows: goodRows(), files: big, repeating: 150_000)).write(to: zipURL)

        try await startServer()
        var ids: [String] = []
        // Kill points while checking: right after receipt, as the check starts, and a little into it.
        for (n, delay) in [nil, 0.0, 0.02, 0.06].enumerated() {
            let response = try curl(["-X", "POST", "-H", "Authorization: Bearer \(officer)", "-H", "Content-Type: application/zip",
                                     "--data-binary", "@\(zipURL.path)", "http://127.0.0.1:\(port)/api/v1/transfers"])
            let object = try JSONSerialization.jsonObject(with: Data(response.utf8)) as? [String: Any]
            let id = try XCTUnwrap(object?["id"] as? String, response)
            ids.append(id)
            if let delay {
                try await waitUntil { try await self.status(id) != "received" }
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            }
            killServer()
            try await assertNothingHalfDone("kill \(n) while checking")
            try await startServer()
            try await waitFor(id, "checked")
        }
        // Kill points while preserving: right after acceptance, after the first package, a little later.
        for (n, id) in ids.enumerated() {
            let response = try curl(["-X", "POST", "-H", "Authorization: Bearer \(archivist)",
                                     "http://127.0.0.1:\(port)/api/v1/transfers/\(id)/accept"])
            XCTAssertTrue(response.contains("accepting") || response.contains("accepted"), response)
            if n > 0 {
                let tid = UUID(uuidString: id)!
                try await waitUntil {
                    let preserved = try await ItemModel.query(on: self.app.db).filter(\.$transferID == tid)
                        .filter(\.$objectID != nil).count()
                    let state = try await self.status(id)
                    return preserved > 0 || state == "accepted"
                }
                try await Task.sleep(nanoseconds: UInt64(Double(n - 1) * 0.01 * 1e9))
            }
            killServer()
            try await assertNothingHalfDone("kill \(n) while preserving")
            try await startServer()
            try await waitFor(id, "accepted")
        }
        killServer()
        try await assertNothingHalfDone("at the end")
        let items = try await ItemModel.query(on: app.db).all()
        XCTAssertEqual(items.count, 2 * ids.count)
        XCTAssertTrue(items.allSatisfy { $0.objectID != nil })
        let verdict = try await AuditTrail.verify(on: app.db)
        guard case .intact = verdict else { return XCTFail("audit chain: \(verdict)") }
    }
}
