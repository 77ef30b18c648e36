import ArchiveKit
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

extension CatalogueSheet {
    static let dublinCoreNamespace = "http://purl.org/dc/elements/1.1/"

    /// Reads a simple Dublin Core catalogue: one `<record>` or `<oai_dc:dc>` per item (an OAI-PMH
    /// `ListRecords` response works as is), with
    ///
    /// - `dc:title`, `dc:creator`, `dc:date` (a full date, or a year alone), `dc:subject`
    ///   (repeatable), `dc:description` (附注), `dc:format`, `dc:type` (a 门类 name or code);
    /// - `dc:identifier`: the 档号 when it is one (other identifiers, such as URLs, are ignored);
    /// - the payload files in `dc:source` or in an element named like a sheet column in any other
    ///   namespace (`<lantai:path>`, `<lantai:文件路径>`), several separated by `;`;
    /// - any other sheet column the same way (`<lantai:retention>永久</lantai:retention>`), since
    ///   Dublin Core has no element for 保管期限 and retention is required.
    ///
    /// Dublin Core is a loose vocabulary, so its elements not listed here are ignored rather
    /// than reported; an element outside it that names no sheet column is reported as a warning.
    public static func read(dublinCore url: URL) throws -> CatalogueSheet {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ReadError.unreadable(path: url.lastPathComponent, reason: "\(error.localizedDescription)")
        }
        return try read(dublinCoreData: data)
    }

    /// Reads Dublin Core XML already in memory.
    public static func read(dublinCoreData data: Data) throws -> CatalogueSheet {
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let reader = DublinCoreReader()
        parser.delegate = reader
        // FoundationXML on Linux returns true from parse() even after a fatal error, and says
        // nothing about a document that simply stops: errors are taken from the delegate, and
        // the element nesting is checked to have closed.
        let finished = parser.parse()
        if let error = reader.error {
            throw ReadError.malformedXML(line: error.line, reason: error.reason)
        }
        if !finished || parser.parserError != nil {
            let code = (parser.parserError as NSError?)?.code ?? -1
            throw ReadError.malformedXML(line: parser.lineNumber, reason: "XML parser error \(code)")
        }
        if !reader.sawRoot || reader.openElements != 0 {
            throw ReadError.malformedXML(line: parser.lineNumber,
                                         reason: reader.sawRoot ? "the document ends inside an element" : "no root element")
        }
        var sheet = CatalogueSheet(format: .dublinCore, encoding: .utf8, entries: reader.entries, problems: reader.problems)
        if sheet.entries.isEmpty {
            sheet.problems.append(SheetProblem(kind: .empty, row: nil, isError: true,
                                               zh: "XML 目录中没有 <record> 或 <oai_dc:dc> 条目",
                                               en: "the XML catalogue holds no <record> or <oai_dc:dc> entries"))
        }
        return sheet
    }
}

/// SAX-style reader: collects the text of each element one level inside an entry.
private final class DublinCoreReader: NSObject, XMLParserDelegate {
    var entries: [CatalogueEntry] = []
    var problems: [SheetProblem] = []

    private var inEntry = false
    private var entryDepth = 0
    private var depth = 0
    private var values: [CatalogueField: String] = [:]
    private var subjects: [String] = []
    private var paths: [String] = []
    private var text = ""
    private var reportedUnknown: Set<String> = []
    /// The first fatal error, with the line it was found on.
    var error: (line: Int, reason: String)?
    var sawRoot = false
    var openElements: Int { depth }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        guard error == nil else { return }
        let code = (parseError as NSError).code
        let reason: String
        switch code {
        case 76: reason = "an end tag does not match its start tag"
        case 201, 202: reason = "a namespace prefix is used without being declared"
        case 5: reason = "the document ends early"
        case 4: reason = "the document is empty"
        default: reason = "XML parser error \(code)"
        }
        error = (parser.lineNumber, reason)
        parser.abortParsing()
    }

    /// OAI-PMH envelope elements (header, identifier, datestamp, setSpec, metadata …) live in
    /// this namespace and are not part of the description.
    private let oaiNamespace = "http://www.openarchives.org/OAI/2.0/"

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        depth += 1
        sawRoot = true
        text = ""
        let local = localName(name, qualifiedName)
        if !inEntry && (local == "record" || local == "dc") {
            inEntry = true
            entryDepth = depth
            values = [:]
            subjects = []
            paths = []
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inEntry { text += string }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if inEntry { text += String(decoding: CDATABlock, as: UTF8.self) }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        defer { depth -= 1 }
        guard inEntry else { return }
        if depth == entryDepth {
            finishEntry()
            inEntry = false
            return
        }
        let local = localName(name, qualifiedName)
        let value = text.trimmed
        text = ""
        guard !value.isEmpty else { return }
        let namespace = namespaceURI ?? ""
        let isDC = namespace == CatalogueSheet.dublinCoreNamespace || (qualifiedName ?? "").hasPrefix("dc:")
        if isDC {
            switch local {
            case "title": if values[.title] == nil { values[.title] = value }
            case "creator": if values[.creator] == nil { values[.creator] = value }
            case "date":
                if value.count == 4 && value.allSatisfy(\.isNumber) {
                    if values[.year] == nil { values[.year] = value }
                } else if values[.date] == nil {
                    values[.date] = value
                }
            case "subject": subjects += CatalogueEntry.splitSubjects(value)
            case "description": if values[.notes] == nil { values[.notes] = value }
            case "format": if values[.format] == nil { values[.format] = value }
            case "type":
                if values[.category] == nil, CategoryCode.standard(parsing: value) != nil { values[.category] = value }
            case "identifier":
                if values[.archivalCode] == nil, ArchivalCode(parsing: value) != nil { values[.archivalCode] = value }
            case "source": paths += CatalogueEntry.splitPaths(value)
            default: break
            }
            return
        }
        if namespace == oaiNamespace { return }
        if let field = CatalogueField(header: local) {
            if field == .path {
                paths += CatalogueEntry.splitPaths(value)
            } else if field == .subjects {
                subjects += CatalogueEntry.splitSubjects(value)
            } else if values[field] == nil {
                values[field] = value
            }
        } else if !reportedUnknown.contains(local) {
            reportedUnknown.insert(local)
            problems.append(SheetProblem(
                kind: .unknownElement, row: entries.count + 1, column: local, isError: false,
                zh: "元素 <\(local)> 不对应任何著录项，已忽略", en: "element <\(local)> names no catalogue field and was ignored"))
        }
    }

    private func finishEntry() {
        var entry = CatalogueEntry(row: entries.count + 1, values: values)
        if !subjects.isEmpty { entry.draft.subjects = subjects }
        entry.paths = paths
        entries.append(entry)
    }

    private func localName(_ name: String, _ qualified: String?) -> String {
        if let colon = name.lastIndex(of: ":") { return String(name[name.index(after: colon)...]) }
        return name
    }
}
