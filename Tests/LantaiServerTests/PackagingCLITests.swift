import Foundation
import XCTest

/// The operators' format commands: `lantai digest`, `lantai bag validate`, `lantai ocfl validate`,
/// checked against outside tools on the same files.
final class PackagingCLITests: XCTestCase {
    func run(_ args: String...) async throws -> CLITests.Run {
        try await CLITests.run(try CLITests.executable(), args, environment: ProcessInfo.processInfo.environment, stdin: nil, timeout: 120)
    }

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-pkgcli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testDigestPrintsLikeSha256sumAndAgreesWithIt() async throws {
        let dir = try temporaryDirectory()
        let a = dir.appendingPathComponent("关于档案工作的通知.txt")
        let b = dir.appendingPathComponent("b.bin")
        try Data("兰台档案\n".utf8).write(to: a)
        try Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: b)
        let ours = try await run("digest", "--algorithm", "sha256", a.path, b.path)
        XCTAssertEqual(ours.status, 0, ours.description)
        let peer = Process()
        peer.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        peer.arguments = [a.path, b.path]
        let pipe = Pipe()
        peer.standardOutput = pipe
        try peer.run()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        peer.waitUntilExit()
        XCTAssertEqual(ours.stdout, expected)
        // SM3 of "abc" is the standard's first example.
        let abc = dir.appendingPathComponent("abc")
        try Data("abc".utf8).write(to: abc)
        let sm3 = try await run("digest", "-a", "sm3", abc.path)
        XCTAssertEqual(sm3.stdout, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0  \(abc.path)\n")
        let missing = try await run("digest", dir.appendingPathComponent("nope").path)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("nope"), missing.description)
    }

    func testBagValidateJudgesABagMadeByBagitPython() async throws {
        let python = try packagingPython(with: "bagit")
        let dir = try temporaryDirectory().appendingPathComponent("bag")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("文书"), withIntermediateDirectories: true)
        try Data("关于档案工作的通知".utf8).write(to: dir.appendingPathComponent("文书/通知.txt"))
        let make = Process()
        make.executableURL = URL(fileURLWithPath: python)
        make.arguments = ["-c", "import bagit,sys; bagit.make_bag(sys.argv[1], {'Source-Organization': '江临市教育局'}, checksums=['sha256','sha512'])", dir.path]
        try make.run()
        make.waitUntilExit()
        XCTAssertEqual(make.terminationStatus, 0)
        let good = try await run("bag", "validate", dir.path)
        XCTAssertEqual(good.status, 0, good.description)
        XCTAssertTrue(good.stdout.hasPrefix("valid"), good.stdout)
        try Data("改动".utf8).write(to: dir.appendingPathComponent("data/文书/通知.txt"))
        try Data("x".utf8).write(to: dir.appendingPathComponent("data/extra.txt"))
        let bad = try await run("bag", "validate", dir.path)
        XCTAssertEqual(bad.status, 1, bad.description)
        XCTAssertTrue(bad.stdout.contains("manifest-digest-mismatch"), bad.stdout)
        XCTAssertTrue(bad.stdout.contains("unlisted-file"), bad.stdout)
    }

    func testOCFLValidateReportsTheSpecificationsCodes() async throws {
        let ocflObject = try packagingTool("ocfl-object.py")
        let dir = try temporaryDirectory()
        let src = dir.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
        try Data("档案".utf8).write(to: src.appendingPathComponent("a.txt"))
        let obj = dir.appendingPathComponent("obj")
        let make = Process()
        make.executableURL = URL(fileURLWithPath: ocflObject)
        make.arguments = ["create", "--srcdir", src.path, "--id", "info:lantai/test", "--objdir", obj.path]
        make.standardError = FileHandle.nullDevice
        try make.run()
        make.waitUntilExit()
        let good = try await run("ocfl", "validate", obj.path)
        XCTAssertEqual(good.status, 0, good.description)
        try Data("changed".utf8).write(to: obj.appendingPathComponent("v1/content/a.txt"))
        let bad = try await run("ocfl", "validate", obj.path)
        XCTAssertEqual(bad.status, 1, bad.description)
        XCTAssertTrue(bad.stdout.contains("E092"), bad.stdout)
    }

    /// The outside tools live in .venv-test (scripts/test installs them).
    func packagingTool(_ name: String) throws -> String {
        var dirs: [String] = []
        if let venv = ProcessInfo.processInfo.environment["LANTAI_TEST_VENV"] { dirs.append(venv + "/bin") }
        dirs.append(FileManager.default.currentDirectoryPath + "/.venv-test/bin")
        guard let path = dirs.map({ $0 + "/" + name }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("\(name) is not installed: run scripts/test (it installs the validators into .venv-test)")
        }
        return path
    }

    func packagingPython(with module: String) throws -> String {
        let python = try packagingTool("python3")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", "import \(module)"]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw XCTSkip("python module \(module) is not installed in .venv-test: run scripts/test") }
        return python
    }
}
