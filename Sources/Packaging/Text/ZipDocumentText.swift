import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// DOCX: the paragraphs of `word/document.xml` (headers, footers and comments are left out:
/// they repeat on every page or are not part of the record's text).
enum DOCXText {
    static func extract(_ file: URL, _ options: TextExtractor.Options) -> TextExtractor.Extraction {
        do {
            let zip = try ZipEntryReader(url: file)
            guard let part = try zip.read("word/document.xml", maxBytes: options.maxPartBytes) else {
                return .failed("no word/document.xml: not a word processing document")
            }
            let collector = XMLTextCollector(kind: .wordprocessing, sink: TextSink(maxBytes: options.maxTextBytes))
            collector.run(XMLParser(data: Data(part)))
            var result = collector.sink.extraction(reasonWhenEmpty: collector.failure ?? "the document holds no text")
            if let failure = collector.failure, result.text != nil { result.reason = "partial text: \(failure)" }
            return result
        } catch {
            return .failed("cannot read the DOCX package: \(error)")
        }
    }
}

/// OFD (GB/T 33190-2016): `OFD.xml` names each document's `Document.xml` (`DocBody/DocRoot`),
/// which lists its pages in order (`Pages/Page/@BaseLoc`, relative to the document's folder
/// unless it starts with `/`); each page's content holds the text in `TextObject/TextCode`.
enum OFDText {
    static func extract(_ file: URL, _ options: TextExtractor.Options) -> TextExtractor.Extraction {
        do {
            let zip = try ZipEntryReader(url: file)
            guard let root = try zip.read("OFD.xml", maxBytes: options.maxPartBytes) else {
                return .failed("no OFD.xml: not an OFD package")
            }
            let documents = Locations(element: "DocRoot", attribute: nil).run(root)
            guard !documents.isEmpty else { return .failed("OFD.xml names no document (DocBody/DocRoot)") }
            var sink = TextSink(maxBytes: options.maxTextBytes)
            var pages = 0
            var failure: String?
            for document in documents {
                let documentPath = resolve(document, base: "")
                guard let xml = try zip.read(documentPath, maxBytes: options.maxPartBytes) else {
                    failure = failure ?? "\(documentPath) is missing"
                    continue
                }
                let folder = (documentPath as NSString).deletingLastPathComponent
                for page in Locations(element: "Page", attribute: "BaseLoc").run(xml) {
                    pages += 1
                    if pages > options.maxPages || sink.isFull { break }
                    let pagePath = resolve(page, base: folder)
                    guard let content = try zip.read(pagePath, maxBytes: options.maxPartBytes) else {
                        failure = failure ?? "\(pagePath) is missing"
                        continue
                    }
                    let collector = XMLTextCollector(kind: .ofdPage, sink: sink)
                    collector.run(XMLParser(data: Data(content)))
                    sink = collector.sink
                    sink.newline()
                    if let f = collector.failure { failure = failure ?? "\(pagePath): \(f)" }
                }
            }
            var result = sink.extraction(reasonWhenEmpty: failure ?? "the document holds no text (a scan without a text layer?)")
            if let failure, result.text != nil { result.reason = "partial text: \(failure)" }
            return result
        } catch {
            return .failed("cannot read the OFD package: \(error)")
        }
    }

    /// A location in the package: `/Doc_0/Document.xml` from the root, `Pages/Page_0/Content.xml`
    /// from the document's folder.
    static func resolve(_ location: String, base: String) -> String {
        let loc = location.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\\", with: "/")
        var parts: [Substring] = loc.hasPrefix("/") ? [] : base.split(separator: "/")
        for p in loc.split(separator: "/") {
            if p == "." { continue }
            if p == ".." { _ = parts.popLast(); continue }
            parts.append(p)
        }
        return parts.joined(separator: "/")
    }

    /// Collects, in order, the text of every `element` (or its `attribute`).
    final class Locations: NSObject, XMLParserDelegate {
        let element: String
        let attribute: String?
        private var found: [String] = []
        private var text: String?

        init(element: String, attribute: String?) {
            self.element = element
            self.attribute = attribute
        }

        func run(_ bytes: [UInt8]) -> [String] {
            let parser = XMLParser(data: Data(bytes))
            parser.shouldProcessNamespaces = true
            parser.delegate = self
            _ = parser.parse()
            return found
        }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            guard XMLTextCollector.local(name) == element else { return }
            if let attribute {
                if let v = attributes[attribute], !v.isEmpty { found.append(v) }
            } else {
                text = ""
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text? += string
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard attribute == nil, XMLTextCollector.local(name) == element, let t = text else { return }
            let v = t.trimmingCharacters(in: .whitespacesAndNewlines)
            if !v.isEmpty { found.append(v) }
            text = nil
        }
    }
}
