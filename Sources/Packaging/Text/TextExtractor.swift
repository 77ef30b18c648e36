import Foundation

/// Extracts the text of a record's file for the full-text index: plain text, DOCX, OFD, XML
/// and PDF.
///
/// Extraction never fails loudly: a file whose text cannot be had gives `text == nil` and a
/// `reason` (the index then holds the record's description only). The text is capped
/// (`Options.maxTextBytes`, 4 MiB by default — a full-text index needs the words, not every
/// copy of them) and `truncated` says when the cap was reached. Nothing is read whole that
/// could be large: plain text is read up to the cap, ZIP parts are inflated into a bounded
/// buffer, XML is parsed as a stream, and PDF text comes from poppler's `pdftotext` in a
/// subprocess whose output is read up to the cap.
public enum TextExtractor {
    /// The formats text is extracted from.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030.
        case plainText = "text/plain"
        /// Office Open XML word processing: the paragraphs of `word/document.xml`.
        case docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        /// GB/T 33190 OFD: each page's `ofd:TextCode`s, pages in document order.
        case ofd = "application/ofd"
        /// Any XML: its text nodes.
        case xml = "application/xml"
        /// PDF, through `pdftotext -enc UTF-8`.
        case pdf = "application/pdf"

        /// The format for a MIME type as `FormatIdentifier` reports it, nil when no text is
        /// extracted from that format.
        public init?(mime: String) {
            switch mime.lowercased() {
            case "text/plain", "text/csv": self = .plainText
            case "application/xml", "text/xml": self = .xml
            default:
                guard let f = Format(rawValue: mime.lowercased()) else { return nil }
                self = f
            }
        }
    }

    public struct Options: Sendable, Hashable {
        /// The most text returned, in UTF-8 bytes (4 MiB).
        public var maxTextBytes: Int
        /// The most bytes one XML part of a DOCX or OFD may inflate to (64 MiB).
        public var maxPartBytes: Int
        /// The most pages of an OFD read (10,000).
        public var maxPages: Int
        /// `pdftotext` to run; nil looks for it on PATH and in /usr/bin and /usr/local/bin.
        public var pdftotextPath: String?
        /// How long `pdftotext` may run before it is stopped, in seconds (120).
        public var timeout: Double

        public init(maxTextBytes: Int = 4 << 20, maxPartBytes: Int = 64 << 20, maxPages: Int = 10_000,
                    pdftotextPath: String? = nil, timeout: Double = 120) {
            self.maxTextBytes = maxTextBytes
            self.maxPartBytes = maxPartBytes
            self.maxPages = maxPages
            self.pdftotextPath = pdftotextPath
            self.timeout = timeout
        }
    }

    /// What an extraction gave.
    public struct Extraction: Sendable, Equatable {
        /// The text, or nil when none could be had.
        public var text: String?
        /// Whether the text stops at `Options.maxTextBytes`.
        public var truncated: Bool
        /// Why there is no text (or why it may be incomplete), in English for the operator's log.
        public var reason: String?

        public init(text: String?, truncated: Bool = false, reason: String? = nil) {
            self.text = text
            self.truncated = truncated
            self.reason = reason
        }

        static func failed(_ reason: String) -> Extraction { Extraction(text: nil, reason: reason) }
    }

    /// Extracts the text of `file`, taken to be in `format` (see `Format(mime:)` to go from
    /// `FormatIdentifier`'s answer).
    public static func extract(file: URL, format: Format, options: Options = Options()) -> Extraction {
        switch format {
        case .plainText: return PlainText.extract(file, options)
        case .docx: return DOCXText.extract(file, options)
        case .ofd: return OFDText.extract(file, options)
        case .xml: return XMLText.extract(file, options)
        case .pdf: return PDFText.extract(file, options)
        }
    }

    /// The text alone, nil when there is none.
    public static func text(of file: URL, format: Format, options: Options = Options()) -> String? {
        extract(file: file, format: format, options: options).text
    }
}

/// Text gathered up to a byte cap, cut at a character boundary.
struct TextSink {
    let maxBytes: Int
    private(set) var text = ""
    private(set) var bytes = 0
    private(set) var truncated = false

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    var isFull: Bool { truncated }

    /// Appends what fits; false once the cap is reached.
    @discardableResult
    mutating func append(_ s: String) -> Bool {
        guard !truncated else { return false }
        let n = s.utf8.count
        if bytes + n <= maxBytes {
            text += s
            bytes += n
            return true
        }
        for c in s {
            let size = c.utf8.count
            if bytes + size > maxBytes { break }
            text.append(c)
            bytes += size
        }
        truncated = true
        return false
    }

    /// Starts a new line unless the text is empty or already ends with one.
    mutating func newline() {
        if let last = text.last, !last.isNewline { append("\n") }
    }

    /// The result: trailing whitespace trimmed, nil when there is no text at all.
    func extraction(reasonWhenEmpty: String) -> TextExtractor.Extraction {
        var t = text
        while let last = t.last, last.isWhitespace { t.removeLast() }
        if t.isEmpty { return TextExtractor.Extraction(text: nil, truncated: false, reason: reasonWhenEmpty) }
        return TextExtractor.Extraction(text: t, truncated: truncated,
                                        reason: truncated ? "text cut at \(maxBytes) bytes" : nil)
    }
}
