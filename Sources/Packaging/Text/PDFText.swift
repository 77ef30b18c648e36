import Dispatch
import Foundation

/// PDF text through poppler's `pdftotext -enc UTF-8 -q FILE -` (Debian: poppler-utils).
///
/// PDF text extraction is a project of its own (fonts, encodings, CMaps, CJK); poppler does it
/// well, so it runs as a subprocess rather than being reimplemented. Its standard output is
/// read up to the text cap — then it is stopped — and it is stopped after `Options.timeout`
/// seconds too, so a hostile PDF cannot hold a worker. Without `pdftotext` there is no text,
/// and the reason says so.
enum PDFText {
    static func extract(_ file: URL, _ options: TextExtractor.Options) -> TextExtractor.Extraction {
        guard let tool = options.pdftotextPath ?? findTool("pdftotext") else {
            return .failed("pdftotext is not installed (Debian: apt-get install poppler-utils)")
        }
        guard FileManager.default.isReadableFile(atPath: file.path) else { return .failed("cannot open \(file.lastPathComponent)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-enc", "UTF-8", "-q", file.path, "-"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failed("cannot run \(tool): \(error.localizedDescription)")
        }
        let watch = ProcessWatch(process)
        DispatchQueue.global().asyncAfter(deadline: .now() + options.timeout) { watch.stop(timedOut: true) }

        // Read up to one byte past the cap, to know whether there was more.
        var bytes: [UInt8] = []
        let reader = output.fileHandleForReading
        while bytes.count <= options.maxTextBytes {
            let chunk = reader.readData(ofLength: min(1 << 16, options.maxTextBytes + 1 - bytes.count))
            if chunk.isEmpty { break }
            bytes += chunk
        }
        let more = bytes.count > options.maxTextBytes
        if more { watch.stop(timedOut: false) }
        try? reader.close()
        process.waitUntilExit()
        watch.finished()

        if watch.timedOut { return .failed("pdftotext did not finish within \(Int(options.timeout)) seconds") }
        if !more && process.terminationReason == .exit && process.terminationStatus != 0 {
            return .failed(reason(forStatus: process.terminationStatus))
        }
        let text = PlainText.utf8(more ? Array(bytes.prefix(options.maxTextBytes)) : bytes, truncated: more)
            ?? String(decoding: bytes, as: UTF8.self)
        var sink = TextSink(maxBytes: options.maxTextBytes)
        // pdftotext ends each page with a form feed: a line break is what the index wants.
        sink.append(text.replacingOccurrences(of: "\u{0C}", with: "\n"))
        var result = sink.extraction(reasonWhenEmpty: "the PDF holds no text (a scan without a text layer?)")
        if more && result.text != nil {
            result.truncated = true
            result.reason = "text cut at \(options.maxTextBytes) bytes"
        }
        return result
    }

    /// pdftotext's exit codes (poppler's man page).
    static func reason(forStatus status: Int32) -> String {
        switch status {
        case 1: return "pdftotext could not open the PDF (damaged, or it needs a password)"
        case 3: return "the PDF's permissions do not allow copying its text"
        default: return "pdftotext failed (exit status \(status))"
        }
    }

    /// The executable called `name` on PATH, else in /usr/bin or /usr/local/bin.
    static func findTool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return dirs.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Stops a subprocess from another thread (the timeout) at most once, and remembers why.
private final class ProcessWatch: @unchecked Sendable {
    private let lock = NSLock()
    private let process: Process
    private var done = false
    private var stoppedForTime = false

    init(_ process: Process) { self.process = process }

    func stop(timedOut: Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard !done, process.isRunning else { return }
        if timedOut { stoppedForTime = true }
        process.terminate()
    }

    /// The process has exited: a late timeout must not signal a reused pid.
    func finished() {
        lock.lock()
        done = true
        lock.unlock()
    }

    var timedOut: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stoppedForTime
    }
}
