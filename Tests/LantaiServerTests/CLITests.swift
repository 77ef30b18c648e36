import ArchiveKit
import Fluent
import Foundation
@testable import LantaiServer
import SQLKit
import XCTest
import XCTVapor

/// The `lantai` command, run as a subprocess against the test's own node (the same SQLite file
/// or PostgreSQL database the test's app is connected to).
final class CLITests: LantaiTestCase {
    struct Run: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
    }

    // MARK: Finding and running the executable

    /// `lantai` is built beside the test bundle: on Linux `<scratch>/debug/lantaiPackageTests.xctest`
    /// is the test executable itself, on macOS it is a bundle in the same folder.
    static func executable() throws -> URL {
        let fm = FileManager.default
        var dirs: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment["LANTAI_CLI"], !explicit.isEmpty {
            let url = URL(fileURLWithPath: explicit)
            if fm.isExecutableFile(atPath: url.path) { return url }
        }
        if let arg0 = CommandLine.arguments.first, !arg0.isEmpty {
            let url = URL(fileURLWithPath: arg0)
            dirs.append(url.deletingLastPathComponent())
            dirs.append(url.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        dirs.append(Bundle.main.bundleURL)
        dirs.append(Bundle.main.bundleURL.deletingLastPathComponent())
        let testBundle = Bundle(for: CLITests.self).bundleURL
        dirs.append(testBundle.deletingLastPathComponent())
        dirs.append(testBundle.resolvingSymlinksInPath().deletingLastPathComponent())
        if let exe = Bundle.main.executableURL { dirs.append(exe.resolvingSymlinksInPath().deletingLastPathComponent()) }
        // …/lantaiPackageTests.xctest/Contents/MacOS/lantaiPackageTests → …/debug
        var up = testBundle
        for _ in 0..<4 {
            up = up.deletingLastPathComponent()
            dirs.append(up)
        }
        var tried: [String] = []
        for dir in dirs {
            let candidate = dir.appendingPathComponent("lantai")
            if tried.contains(candidate.path) { continue }
            tried.append(candidate.path)
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue, fm.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        XCTFail("the lantai executable was not found next to the tests (build it with `swift build --build-tests`, or set LANTAI_CLI); tried:\n"
                + tried.joined(separator: "\n"))
        throw CLIError.notFound
    }

    enum CLIError: Error { case notFound }

    func lantai(_ args: String..., stdin: String? = nil, timeout: TimeInterval = 180) async throws -> Run {
        try await Self.run(try Self.executable(), args, environment: cliEnvironment, stdin: stdin, timeout: timeout)
    }

    static func run(_ exe: URL, _ args: [String], environment: [String: String], stdin: String?,
                    timeout: TimeInterval) async throws -> Run {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("lantai-cli-" + UUID().uuidString)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
        _ = fm.createFile(atPath: outURL.path, contents: nil)
        _ = fm.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)

        let p = Process()
        p.executableURL = exe
        p.arguments = args
        p.environment = environment
        p.currentDirectoryURL = dir
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        let proc = p
        let status: Int32 = try await withCheckedThrowingContinuation { cont in
            proc.terminationHandler = { cont.resume(returning: $0.terminationStatus) }
            do {
                try proc.run()
            } catch {
                proc.terminationHandler = nil
                cont.resume(throwing: error)
                return
            }
            if let stdin {
                input.fileHandleForWriting.write(Data(stdin.utf8))
                try? input.fileHandleForWriting.close()
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if proc.isRunning { proc.terminate() }
            }
        }
        try? out.close()
        try? err.close()
        return Run(status: status,
                   stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    // MARK: Usage

    func testHelpForTheCommandAndEverySubcommand() async throws {
        let top = try await lantai("--help")
        XCTAssertEqual(top.status, 0, "\(top)")
        XCTAssertTrue(top.stdout.contains("USAGE:"), "\(top)")
        for sub in ["serve", "migrate", "demo", "user", "token", "audit"] {
            XCTAssertTrue(top.stdout.contains(sub), "lantai --help lists \(sub): \(top)")
        }
        let commands: [[String]] = [["serve"], ["migrate"], ["demo"], ["user"], ["user", "add"], ["user", "passwd"], ["user", "role"],
                                    ["token"], ["token", "create"], ["token", "revoke"], ["audit"], ["audit", "verify"]]
        for command in commands {
            let r = try await Self.run(try Self.executable(), command + ["--help"], environment: cliEnvironment, stdin: nil, timeout: 60)
            let name = "lantai " + command.joined(separator: " ")
            XCTAssertEqual(r.status, 0, "\(name) --help: \(r)")
            XCTAssertTrue(r.stdout.contains("USAGE:"), "\(name) --help prints usage: \(r)")
            XCTAssertTrue(r.stdout.contains(name), "\(name) --help names the command: \(r)")
        }
        let add = try await lantai("user", "add", "--help")
        for option in ["--role", "--agency", "--clearance", "--password-stdin", "archivist"] {
            XCTAssertTrue(add.stdout.contains(option), "user add --help mentions \(option): \(add)")
        }
        let serve = try await lantai("serve", "--help")
        XCTAssertTrue(serve.stdout.contains("--port") && serve.stdout.contains("--hostname"), "\(serve)")
    }

    func testWrongArgumentsFailAndSayWhatIsExpected() async throws {
        let unknown = try await lantai("frobnicate")
        XCTAssertNotEqual(unknown.status, 0, "\(unknown)")
        XCTAssertTrue(unknown.stderr.contains("frobnicate"), "\(unknown)")

        let noName = try await lantai("user", "add")
        XCTAssertNotEqual(noName.status, 0, "\(noName)")
        XCTAssertTrue(noName.stderr.contains("<name>"), "says the name is missing: \(noName)")

        let wizard = try await lantai("user", "add", "x", "--role", "wizard", "--password-stdin", stdin: "password-123\n")
        XCTAssertNotEqual(wizard.status, 0, "\(wizard)")
        XCTAssertTrue(wizard.stderr.contains("wizard"), "\(wizard)")
        for role in Role.allCases.map(\.rawValue) {
            XCTAssertTrue(wizard.stderr.contains(role), "lists the valid role \(role): \(wizard)")
        }

        let port = try await lantai("serve", "--port", "notaport")
        XCTAssertNotEqual(port.status, 0, "\(port)")
        XCTAssertTrue(port.stderr.contains("port") && port.stderr.contains("notaport"), "\(port)")

        let noStdinFlag = try await lantai("user", "add", "x", "--role", "archivist")
        XCTAssertNotEqual(noStdinFlag.status, 0, "\(noStdinFlag)")
        XCTAssertTrue(noStdinFlag.stderr.contains("--password-stdin"), "\(noStdinFlag)")

        let nothingToGrant = try await lantai("user", "role", "x")
        XCTAssertNotEqual(nothingToGrant.status, 0, "\(nothingToGrant)")
        XCTAssertTrue(nothingToGrant.stderr.contains("--role"), "\(nothingToGrant)")

        let badClearance = try await lantai("user", "role", "x", "--clearance", "cosmic")
        XCTAssertNotEqual(badClearance.status, 0, "\(badClearance)")
        XCTAssertTrue(badClearance.stderr.contains("top-secret"), "\(badClearance)")

        // Nothing above reached the database.
        let users = try await count("users")
        XCTAssertEqual(users, 0)
    }

    // MARK: Accounts and tokens

    func testUserAddTokenCreateAndRevokeWorkAgainstTheRunningNode() async throws {
        let added = try await lantai("user", "add", "clerk", "--role", "archivist", "--display-name", "档案员甲",
                                     "--password-stdin", stdin: "clerk-password-1\n")
        XCTAssertEqual(added.status, 0, "\(added)")
        XCTAssertTrue(added.stdout.contains("clerk"), "\(added)")
        XCTAssertFalse(added.stdout.contains("clerk-password-1") || added.stderr.contains("clerk-password-1"),
                       "the password is never echoed")

        // The password came from standard input: it signs in through the API of the test's app.
        let signIn = try await call(.POST, "/api/v1/auth/token", json: ["username": "clerk", "password": "clerk-password-1"])
        XCTAssertEqual(signIn.status, .ok, signIn.body)

        let created = try await lantai("token", "create", "clerk", "--label", "ci")
        XCTAssertEqual(created.status, 0, "\(created)")
        let token = try XCTUnwrap(created.stdout.split(whereSeparator: \.isNewline).map(String.init).first { $0.hasPrefix("lt_") },
                                  "token create prints a token starting with lt_: \(created)")
        XCTAssertFalse(token.contains(" "))

        let me = try await call(.GET, "/api/v1/me", token: token)
        XCTAssertEqual(me.status, .ok, me.body)
        XCTAssertEqual(me.object["username"] as? String, "clerk")
        XCTAssertEqual(me.object["role"] as? String, "archivist")
        XCTAssertEqual(me.object["displayName"] as? String, "档案员甲")

        let revoked = try await lantai("token", "revoke", token)
        XCTAssertEqual(revoked.status, 0, "\(revoked)")
        XCTAssertTrue(revoked.stdout.contains("revoked"), "\(revoked)")
        let after = try await call(.GET, "/api/v1/me", token: token)
        XCTAssertEqual(after.status, .unauthorized, after.body)

        // Revoking again is harmless; an unknown token is an error.
        let again = try await lantai("token", "revoke", token)
        XCTAssertEqual(again.status, 0, "\(again)")
        let unknown = try await lantai("token", "revoke", "lt_no-such-token")
        XCTAssertNotEqual(unknown.status, 0, "\(unknown)")
        XCTAssertTrue(unknown.stderr.contains("error"), "\(unknown)")

        // What the CLI did is in the audit trail, in the operator's name.
        struct Row: Decodable { var actor: String; var action: String }
        let rows = try await sql.raw("SELECT actor, action FROM audit_log ORDER BY seq").all(decoding: Row.self)
        let cliActions = rows.filter { $0.actor.hasPrefix("cli:") }.map(\.action)
        XCTAssertEqual(cliActions, ["user.create", "token.create", "token.revoke"], "\(rows)")
    }

    func testUserPasswdAndRoleChangeTheAccount() async throws {
        try await makeFonds()
        let added = try await lantai("user", "add", "reader", "--role", "citizen", "--password-stdin", stdin: "reader-password-1\n")
        XCTAssertEqual(added.status, 0, "\(added)")
        let passwd = try await lantai("user", "passwd", "reader", "--password-stdin", "--temporary", stdin: "reader-password-2\n")
        XCTAssertEqual(passwd.status, 0, "\(passwd)")
        let old = try await call(.POST, "/api/v1/auth/token", json: ["username": "reader", "password": "reader-password-1"])
        XCTAssertEqual(old.status, .unauthorized, old.body)
        let temporary = try await call(.POST, "/api/v1/auth/token", json: ["username": "reader", "password": "reader-password-2"])
        XCTAssertEqual(temporary.status, .forbidden, "a --temporary password must be changed first: \(temporary.body)")

        let role = try await lantai("user", "role", "reader", "--role", "agency-officer", "--agency", "J001", "--clearance", "secret")
        XCTAssertEqual(role.status, 0, "\(role)")
        let user = try await UserModel.query(on: app.db).filter(\.$username == "reader").first()
        XCTAssertEqual(user?.role, "agency-officer")
        XCTAssertEqual(user?.agency, "J001")
        XCTAssertEqual(user?.clearance, "secret")
        XCTAssertEqual(user?.mustChangePassword, true)
    }

    func testUserAddForAnOfficialNeedsAnAgency() async throws {
        let noAgency = try await lantai("user", "add", "boss", "--role", "official", "--password-stdin", stdin: "boss-password-1\n")
        XCTAssertNotEqual(noAgency.status, 0, "\(noAgency)")
        XCTAssertTrue(noAgency.stderr.lowercased().contains("agency"), "says an agency is needed: \(noAgency)")
        let none = try await count("users")
        XCTAssertEqual(none, 0, "nothing was created")

        let unknownAgency = try await lantai("user", "add", "boss", "--role", "official", "--agency", "J404", "--password-stdin",
                                             stdin: "boss-password-1\n")
        XCTAssertNotEqual(unknownAgency.status, 0, "\(unknownAgency)")
        XCTAssertTrue(unknownAgency.stderr.contains("J404"), "\(unknownAgency)")

        try await makeFonds()
        let ok = try await lantai("user", "add", "boss", "--role", "official", "--agency", "J001", "--password-stdin",
                                  stdin: "boss-password-1\n")
        XCTAssertEqual(ok.status, 0, "\(ok)")
        let user = try await UserModel.query(on: app.db).filter(\.$username == "boss").first()
        XCTAssertEqual(user?.agency, "J001")
    }

    func testUserAddWithoutAPasswordOnStandardInputFails() async throws {
        let r = try await lantai("user", "add", "silent", "--role", "citizen", "--password-stdin", stdin: "")
        XCTAssertNotEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stderr.contains("standard input"), "\(r)")
        let short = try await lantai("user", "add", "short", "--role", "citizen", "--password-stdin", stdin: "abc\n")
        XCTAssertNotEqual(short.status, 0, "\(short)")
        XCTAssertTrue(short.stderr.contains("8"), "says how long a password must be: \(short)")
        let users = try await count("users")
        XCTAssertEqual(users, 0)
    }

    // MARK: Audit

    func testAuditVerifyIsIntactThenFindsAChangedEntry() async throws {
        let empty = try await lantai("audit", "verify")
        XCTAssertEqual(empty.status, 0, "\(empty)")
        XCTAssertTrue(empty.stdout.contains("intact"), "\(empty)")

        _ = try await token("alice", role: .archivist)   // user.create, token.create
        _ = try await token("bob", role: .citizen)       // two more
        let intact = try await lantai("audit", "verify")
        XCTAssertEqual(intact.status, 0, "\(intact)")
        XCTAssertTrue(intact.stdout.contains("intact"), "\(intact)")
        XCTAssertTrue(intact.stdout.contains("4"), "counts the entries: \(intact)")

        try await sql.raw(#"UPDATE audit_log SET detail = '{"x":"y"}' WHERE seq = 2"#).run()
        let broken = try await lantai("audit", "verify")
        XCTAssertEqual(broken.status, 1, "\(broken)")
        XCTAssertTrue(broken.stdout.contains("broken at entry 2"), "\(broken)")
        XCTAssertFalse(broken.stdout.contains("intact"))
    }

    func testAuditVerifyNoticesTheLastEntryDeleted() async throws {
        _ = try await token("alice", role: .archivist)
        _ = try await token("bob", role: .citizen)
        let before = try await count("audit_log")
        XCTAssertEqual(before, 4)
        try await sql.raw("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM (SELECT seq FROM audit_log) AS t)").run()
        let after = try await count("audit_log")
        XCTAssertEqual(after, 3)
        let r = try await lantai("audit", "verify")
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stdout.contains("broken"), "\(r)")
        XCTAssertFalse(r.stdout.contains("intact"), "\(r)")
    }
}
