import Foundation

/// Finds and runs the outside programs the watermark needs (qpdf, ImageMagick).
///
/// Arguments go to the program as separate argv entries, never through a shell, so no text can
/// become a command. The programs run in a private work directory and see only fixed file
/// names there (`in.pdf`, `wm.pdf`, `out.pdf`), so a file named `-x`, `@args` or `a[0]` cannot
/// be taken for an option, a response file or a frame selector.
struct WatermarkTool: Sendable {
    let name: String
    let executable: String
    /// Arguments put before the caller's: `identify` under ImageMagick 7 is `magick identify`.
    let leadingArguments: [String]

    struct Output: Sendable {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    /// Runs the program in `directory` and waits for it, stopping it after `timeout` seconds.
    /// Standard output and error go to files there, not pipes, so a large output (qpdf's JSON
    /// for a long document) cannot fill a pipe and stall the program.
    func run(_ arguments: [String], in directory: URL, timeout: Int) throws(WatermarkError) -> Output {
        let outURL = directory.appendingPathComponent("stdout.\(name)")
        let errURL = directory.appendingPathComponent("stderr.\(name)")
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil),
              let outHandle = FileHandle(forWritingAtPath: outURL.path),
              let errHandle = FileHandle(forWritingAtPath: errURL.path) else {
            throw .io(operation: "create", path: outURL.path, reason: "cannot create the tool's output files")
        }
        defer {
            try? outHandle.close()
            try? errHandle.close()
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = leadingArguments + arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C"  // messages in one language, numbers with a decimal point
        process.environment = env
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do { try process.run() } catch {
            throw .toolFailed(tool: name, status: -1, message: "cannot start \(executable): \(error)")
        }
        if done.wait(timeout: .now() + .seconds(timeout)) == .timedOut {
            // SIGTERM first so the program can clean up its own temporary files; SIGKILL if it
            // does not stop, so a stuck program cannot hold the calling thread for ever.
            process.terminate()
            if done.wait(timeout: .now() + .seconds(5)) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                done.wait()
            }
            throw .timedOut(tool: name, seconds: timeout)
        }
        let stdout = (try? Data(contentsOf: outURL)) ?? Data()
        let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        return Output(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// The last few lines of what the program printed, for an error message.
    static func excerpt(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).suffix(4)
        return String(lines.joined(separator: " / ").prefix(500))
    }

    // MARK: - Locating the programs

    static func qpdf() throws(WatermarkError) -> WatermarkTool {
        guard let path = find("qpdf") else { throw .toolMissing(tool: "qpdf", debianPackage: "qpdf") }
        return WatermarkTool(name: "qpdf", executable: path, leadingArguments: [])
    }

    /// ImageMagick's `convert` (IM 6) or `magick` (IM 7). A program of that name that is not
    /// ImageMagick (GraphicsMagick's compatibility link, a stand-in script) is passed over: its
    /// options differ, and a watermark that silently failed to draw would be worse than an error.
    static func imageMagick(_ command: String) throws(WatermarkError) -> WatermarkTool {
        for (program, lead) in [("magick", command == "convert" ? [] : [command]), (command, [])] {
            guard let path = find(program) else { continue }
            if isImageMagick(path, lead) { return WatermarkTool(name: command, executable: path, leadingArguments: lead) }
        }
        throw .toolMissing(tool: "ImageMagick \(command)", debianPackage: "imagemagick")
    }

    private static func isImageMagick(_ path: String, _ lead: [String]) -> Bool {
        let key = ([path] + lead).joined(separator: " ")
        if let known = verified.value(for: key) { return known }
        let dir = FileManager.default.temporaryDirectory
        let probe = WatermarkTool(name: "probe-\(UUID().uuidString)", executable: path, leadingArguments: lead)
        let output = try? probe.run(["-version"], in: dir, timeout: 30)
        let ok = output.map { String(decoding: $0.stdout, as: UTF8.self).hasPrefix("Version: ImageMagick") } ?? false
        verified.set(ok, for: key)
        return ok
    }

    /// Probing costs a process start; the answer does not change while the server runs.
    private static let verified = ProbeCache()

    /// `Mutex` would need macOS 15; the package supports macOS 13.
    private final class ProbeCache: @unchecked Sendable {
        private let lock = NSLock()
        private var known: [String: Bool] = [:]
        func value(for key: String) -> Bool? { lock.withLock { known[key] } }
        func set(_ value: Bool, for key: String) { lock.withLock { known[key] = value } }
    }

    /// The first executable of that name on PATH, then in the usual system directories (a
    /// server started by systemd may have a short PATH).
    static func find(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/bin"]
        return dirs.map { $0 + "/" + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
