/// The lines a watermark shows — typically the request reference, the date and the node code
/// (`LY-20261127-7K3F9QD`, `2026-11-27`, `Node 3201`).
///
/// Printable ASCII only. PDF's standard 14 fonts (Helvetica here) have no Chinese glyphs, and
/// showing Chinese would mean embedding a CJK font subset in every access copy; ImageMagick
/// likewise needs a CJK font installed. A reference, a date and a node code are ASCII, and a
/// watermark must render identically everywhere, so the rule is enforced rather than risking
/// missing glyphs that would blank out the trace.
public struct WatermarkText: Sendable, Equatable {
    public let lines: [String]

    public static let maxLines = 6
    public static let maxLineLength = 120

    public init(_ lines: [String]) throws(WatermarkError) {
        let cleaned = lines.map { $0.trimmingASCIISpaces }.filter { !$0.isEmpty }
        guard !cleaned.isEmpty else { throw .invalidText("the watermark needs at least one non-empty line") }
        guard cleaned.count <= Self.maxLines else { throw .invalidText("at most \(Self.maxLines) watermark lines") }
        for line in cleaned {
            guard line.count <= Self.maxLineLength else {
                throw .invalidText("a watermark line may have at most \(Self.maxLineLength) characters")
            }
            guard line.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else {
                throw .invalidText("watermark lines must be printable ASCII (the PDF standard fonts have no Chinese glyphs): \(line.debugDescription)")
            }
        }
        self.lines = cleaned
    }

    /// The lines on one line, for the small footer.
    var joined: String { lines.joined(separator: "  |  ") }
}

extension String {
    fileprivate var trimmingASCIISpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
