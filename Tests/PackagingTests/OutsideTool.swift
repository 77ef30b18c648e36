import Foundation
import XCTest

/// Runs an outside validator (bagit.py, ocfl-validate.py, python3 -m …) the test suite relies on.
/// scripts/test installs them into .venv-test; a plain `swift test` skips, saying which tool is missing.
enum OutsideTool {
    struct Result {
        var status: Int32
        var output: String
    }

    /// Finds a command in .venv-test/bin first, then on PATH.
    static func path(_ name: String) -> String? {
        var dirs: [String] = []
        if let venv = ProcessInfo.processInfo.environment["LANTAI_TEST_VENV"] { dirs.append(venv + "/bin") }
        dirs.append(FileManager.default.currentDirectoryPath + "/.venv-test/bin")
        dirs += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return dirs.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func require(_ name: String) throws -> String {
        guard let p = path(name) else {
            throw XCTSkip("\(name) is not installed: run scripts/test, or pip install bagit ocfl-py xmlschema gmssl into .venv-test")
        }
        return p
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        let input = Pipe()
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// The python3 of .venv-test when it has `module`, else the system one if it has it.
    static func python(with module: String) throws -> String {
        for candidate in [path("python3")].compactMap({ $0 }) + ["/usr/bin/python3"] {
            if let r = try? run(candidate, ["-c", "import \(module)"]), r.status == 0 { return candidate }
        }
        throw XCTSkip("python module \(module) is not installed: run scripts/test (it installs it into .venv-test)")
    }
}
