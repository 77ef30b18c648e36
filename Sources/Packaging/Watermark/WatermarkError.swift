/// Why a watermarked copy could not be made. Nothing is left behind when one is thrown: the
/// output is written under a temporary name and only renamed into place once complete.
public enum WatermarkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An outside program is not installed; `debianPackage` is what to `apt-get install`.
    case toolMissing(tool: String, debianPackage: String)
    /// The watermark text is not usable (empty, too long, or not printable ASCII).
    case invalidText(String)
    /// The input file does not exist or is not a regular file.
    case inputNotFound(path: String)
    /// The outside program refused the input or failed; `message` is the end of what it printed.
    case toolFailed(tool: String, status: Int32, message: String)
    /// The program ran longer than the time limit and was stopped.
    case timedOut(tool: String, seconds: Int)
    /// The PDF's page tree could not be read (qpdf's JSON had no usable pages).
    case unreadablePDF(String)
    /// The watermarked PDF does not have as many pages as the original: refused rather than
    /// deliver a copy with unmarked or missing pages.
    case pageCountMismatch(expected: Int, found: Int)
    /// A file-system operation failed.
    case io(operation: String, path: String, reason: String)

    public var code: String {
        switch self {
        case .toolMissing: "tool-missing"
        case .invalidText: "invalid-text"
        case .inputNotFound: "input-not-found"
        case .toolFailed: "tool-failed"
        case .timedOut: "timed-out"
        case .unreadablePDF: "unreadable-pdf"
        case .pageCountMismatch: "page-count-mismatch"
        case .io: "io"
        }
    }

    public var description: String {
        switch self {
        case .toolMissing(let t, let p): "\(code): \(t) is not installed (Debian: apt-get install \(p))"
        case .invalidText(let r): "\(code): \(r)"
        case .inputNotFound(let p): "\(code): \(p) is not a readable file"
        case .toolFailed(let t, let s, let m): "\(code): \(t) exited with status \(s): \(m)"
        case .timedOut(let t, let s): "\(code): \(t) ran longer than \(s) s and was stopped"
        case .unreadablePDF(let r): "\(code): \(r)"
        case .pageCountMismatch(let e, let f): "\(code): the watermarked PDF has \(f) pages, the original \(e)"
        case .io(let o, let p, let r): "\(code): \(o) \(p): \(r)"
        }
    }
}
