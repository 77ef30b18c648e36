import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import LantaiServer
import XCTest

/// The portal in a real browser: headless Chromium (Debian's chromium and chromium-driver),
/// driven by selenium from .venv-test, walks through search, a facet, a record, a guided 民生
/// request and its status page against a real `lantai serve`; any console error fails it.
final class BrowserTests: TransferTestCase {
    var server: Process?

    override func tearDown() async throws {
        if let server, server.isRunning { server.terminate(); server.waitUntilExit() }
        try await super.tearDown()
    }

    func testACitizenSearchesFiltersReadsAndRequestsInChromium() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw XCTSkip("\(tool) is missing (apt-get install chromium chromium-driver; scripts/test installs them)")
        }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: python)
        check.arguments = ["-c", "import selenium"]
        try check.run()
        check.waitUntilExit()
        guard check.terminationStatus == 0 else { throw XCTSkip("selenium is missing from .venv-test (scripts/test installs it)") }

        _ = try await SearchTests.load(into: app)

        let port = Int.random(in: 30000...45000)
        let p = Process()
        p.executableURL = try CLITests.executable()
        p.arguments = ["serve", "--port", String(port)]
        p.environment = cliEnvironment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        server = p
        var up = false
        for _ in 0..<300 where !up {
            if let (_, res) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!),
               (res as? HTTPURLResponse)?.statusCode == 200 { up = true } else { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        XCTAssertTrue(up, "the server did not start")

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Browser/portal_walk.py")
        let walk = Process()
        walk.executableURL = URL(fileURLWithPath: python)
        walk.arguments = [script.path, "http://127.0.0.1:\(port)"]
        let out = Pipe()
        walk.standardOutput = out
        walk.standardError = out
        try walk.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        walk.waitUntilExit()
        XCTAssertEqual(walk.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("\"ok\": true"), output)
    }
}
