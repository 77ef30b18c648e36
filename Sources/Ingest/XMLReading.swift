import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Why an XML document could not be read: the line the parser was on and a reason a person can
/// act on.
struct XMLParseFailure: Error, Sendable, Equatable {
    var line: Int
    var reason: String
}

/// What every streaming (SAX) reader here needs from Foundation's `XMLParser` beyond its
/// delegate callbacks.
///
/// FoundationXML on Linux returns true from `parse()` even after a fatal error, and says
/// nothing about a document that simply stops. So the delegate records the first error it is
/// told about (and aborts), and counts open elements; `finish` then judges the run from those.
enum XMLReading {
    /// libxml2's error numbers (`xmlParserErrors`) that senders actually produce, in words.
    static func reason(code: Int) -> String {
        switch code {
        case 76: return "an end tag does not match its start tag"
        case 201, 202: return "a namespace prefix is used without being declared"
        case 5: return "the document ends early"
        case 4: return "the document is empty"
        case 9: return "a character that is not allowed in XML"
        case 23, 73: return "a tag is not closed with >"
        case 39, 40, 41: return "an attribute is malformed"
        case 68: return "a name is expected here (a stray < or &?)"
        case 26, 27: return "an undeclared entity is used (only &lt; &gt; &amp; &quot; &apos; exist)"
        default: return "XML parser error \(code)"
        }
    }

    /// The failure to record from `parser(_:parseErrorOccurred:)`.
    static func failure(_ parser: XMLParser, _ error: Error) -> XMLParseFailure {
        XMLParseFailure(line: parser.lineNumber, reason: reason(code: (error as NSError).code))
    }

    /// Judges a finished run: the delegate's first error, else the parser's, else a document
    /// with no root element or one that ends inside an element.
    static func finish(_ parser: XMLParser, finished: Bool, recorded: XMLParseFailure?, sawRoot: Bool,
                       openElements: Int) throws(XMLParseFailure) {
        if let recorded { throw recorded }
        if !finished || parser.parserError != nil {
            let code = (parser.parserError as NSError?)?.code ?? -1
            throw XMLParseFailure(line: parser.lineNumber, reason: reason(code: code))
        }
        if !sawRoot { throw XMLParseFailure(line: parser.lineNumber, reason: "no root element") }
        if openElements != 0 {
            throw XMLParseFailure(line: parser.lineNumber, reason: "the document ends inside an element (truncated?)")
        }
    }

    /// A parser that reads `url` as a stream: FoundationXML feeds a file URL to libxml2's push
    /// parser in small chunks, so a multi-gigabyte document is never held in memory.
    static func streamingParser(contentsOf url: URL) -> XMLParser? {
        guard let stream = InputStream(url: url) else { return nil }
        return XMLParser(stream: stream)
    }

    /// The local part of a possibly prefixed name (`dc:title` → `title`).
    static func localName(_ name: String) -> String {
        if let colon = name.lastIndex(of: ":") { return String(name[name.index(after: colon)...]) }
        return name
    }
}
