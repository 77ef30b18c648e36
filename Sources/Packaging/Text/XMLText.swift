import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Collects the text of an XML document into a `TextSink` with XMLParser, stopping the parse
/// as soon as the sink is full. What counts as text depends on the document kind.
final class XMLTextCollector: NSObject, XMLParserDelegate {
    enum Kind {
        /// Every text node; a line per element that has text of its own.
        case generic
        /// WordprocessingML: `w:t` runs, `w:tab`, `w:br` / `w:cr`, a line per `w:p`; the
        /// fallback half of `mc:AlternateContent` is skipped (it repeats the choice's text).
        case wordprocessing
        /// An OFD page: `ofd:TextCode`s, a new line when a text object starts lower on the page.
        case ofdPage
    }

    let kind: Kind
    var sink: TextSink
    private(set) var failure: String?
    private var collecting = 0
    private var skipping = 0
    private var pending = ""
    private var lastY: Double?
    private var objectY: Double?

    init(kind: Kind, sink: TextSink) {
        self.kind = kind
        self.sink = sink
    }

    /// Parses `parser`'s document; false when it was not well-formed (the text found before
    /// the error is kept: an index wants what can be had).
    @discardableResult
    func run(_ parser: XMLParser) -> Bool {
        parser.delegate = self
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        _ = parser.parse()
        return failure == nil
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if failure == nil, !sink.isFull {
            failure = "not well-formed XML (line \(parser.lineNumber), error \((parseError as NSError).code))"
        }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let local = Self.local(name)
        switch kind {
        case .generic:
            flushPending()
        case .wordprocessing:
            if local == "Fallback" { skipping += 1 }
            guard skipping == 0 else { return }
            switch local {
            case "t": collecting += 1
            case "tab": sink.append("\t")
            case "br", "cr": sink.append("\n")
            default: break
            }
        case .ofdPage:
            switch local {
            case "TextObject":
                objectY = attributes["Boundary"].flatMap(Self.y(ofBoundary:))
                if let y = objectY, let last = lastY, abs(y - last) > 0.5 { sink.newline() }
                if let y = objectY { lastY = y }
            case "TextCode":
                collecting += 1
            default: break
            }
        }
        if sink.isFull { parser.abortParsing() }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        switch kind {
        case .generic: pending += string
        case .wordprocessing, .ofdPage: if collecting > 0 && skipping == 0 { sink.append(string) }
        }
        if sink.isFull { parser.abortParsing() }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        self.parser(parser, foundCharacters: String(decoding: CDATABlock, as: UTF8.self))
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let local = Self.local(name)
        switch kind {
        case .generic:
            flushPending()
        case .wordprocessing:
            if local == "Fallback" { skipping -= 1; return }
            guard skipping == 0 else { return }
            if local == "t" { collecting -= 1 }
            if local == "p" { sink.append("\n") }
        case .ofdPage:
            if local == "TextCode" { collecting -= 1 }
        }
        if sink.isFull { parser.abortParsing() }
    }

    func parserDidEndDocument(_ parser: XMLParser) {
        if kind == .generic { flushPending() }
    }

    /// Generic XML: an element's own text, trimmed, on its own line.
    private func flushPending() {
        let t = pending.trimmingCharacters(in: .whitespacesAndNewlines)
        pending = ""
        guard !t.isEmpty else { return }
        sink.newline()
        sink.append(t)
    }

    static func local(_ name: String) -> String {
        if let colon = name.lastIndex(of: ":") { return String(name[name.index(after: colon)...]) }
        return name
    }

    /// `Boundary="x y w h"` → y.
    static func y(ofBoundary boundary: String) -> Double? {
        let parts = boundary.split(whereSeparator: { $0 == " " || $0 == "," })
        return parts.count >= 2 ? Double(parts[1]) : nil
    }
}

/// Text of an XML file, parsed as a stream from disk.
enum XMLText {
    static func extract(_ file: URL, _ options: TextExtractor.Options) -> TextExtractor.Extraction {
        guard FileManager.default.isReadableFile(atPath: file.path), let stream = InputStream(url: file) else {
            return .failed("cannot open \(file.lastPathComponent)")
        }
        let collector = XMLTextCollector(kind: .generic, sink: TextSink(maxBytes: options.maxTextBytes))
        collector.run(XMLParser(stream: stream))
        var result = collector.sink.extraction(reasonWhenEmpty: collector.failure ?? "the XML holds no text")
        if let failure = collector.failure, result.text != nil { result.reason = "partial text: \(failure)" }
        return result
    }
}
