import ArchiveKit
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// SAX reader behind `CatalogueSheet.read(ead3:)`: keeps one open `Component` per `<archdesc>`
/// and `<c…>` on the way down and turns each finished one into a catalogue entry (the mapping
/// is documented there).
final class EAD3Reader: NSObject, XMLParserDelegate {
    /// One description unit being read.
    struct Component {
        var order: Int
        var isArchdesc: Bool
        /// Where the component's own elements start in `frames`.
        var frameBase: Int
        var values: [CatalogueField: String] = [:]
        var creators: [String] = []
        var subjects: [String] = []
        var notes: [String] = []
        var paths: [String] = []
        var hasChildComponents = false
        var rangeFrom: String?
        var rangeTo: String?
        var quantity: String?
        var unitType: String?
        var problems: [SheetProblem] = []

        mutating func set(_ field: CatalogueField, _ value: String) {
            guard !value.isEmpty, values[field] == nil else { return }
            values[field] = value
        }
    }

    /// An open element: its text (its descendants' included) and, for `<part>`s inside it, the
    /// parts one by one.
    struct Frame {
        var name: String
        var attributes: [String: String]
        var text = ""
        var parts: [String] = []
    }

    /// Values that hold for the components below the one that gives them.
    static let inherited: [CatalogueField] = [.fonds, .category, .retention, .organisation, .carrier, .classification, .accessStatus]
    static let componentNames: Set<String> = Set(["c"] + (1 ... 12).map { String(format: "c%02d", $0) })

    private var frames: [Frame] = []
    private var components: [Component] = []
    private var done: [(component: Component, inherited: [CatalogueField: String])] = []
    private var started = 0
    var failure: XMLParseFailure?
    var sawRoot = false
    var openElements: Int { frames.count }

    // MARK: Parser callbacks

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        guard failure == nil else { return }
        failure = XMLReading.failure(parser, parseError)
        parser.abortParsing()
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let local = XMLReading.localName(name)
        if !sawRoot {
            sawRoot = true
            if local != "ead" {
                failure = XMLParseFailure(line: parser.lineNumber, reason: "the root element is <\(local)>, not EAD3's <ead>")
                parser.abortParsing()
                return
            }
        }
        var attrs: [String: String] = [:]
        for (k, v) in attributes { attrs[XMLReading.localName(k).lowercased()] = v }
        frames.append(Frame(name: local, attributes: attrs))
        if local == "archdesc" || (EAD3Reader.componentNames.contains(local) && !components.isEmpty) {
            if !components.isEmpty { components[components.count - 1].hasChildComponents = true }
            started += 1
            var c = Component(order: started, isArchdesc: local == "archdesc", frameBase: frames.count)
            if let level = EAD3Reader.level(attrs) { c.values[.level] = level }
            components.append(c)
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !frames.isEmpty { frames[frames.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if !frames.isEmpty { frames[frames.count - 1].text += String(decoding: CDATABlock, as: UTF8.self) }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard let frame = frames.popLast() else { return }
        let value = EAD3Reader.value(of: frame)
        // The parent sees its descendants' text (a heading is a label, not a value); a paragraph
        // or line break starts a new line.
        if !frames.isEmpty {
            if frame.name == "part" {
                frames[frames.count - 1].parts.append(frame.text.trimmed)
            } else if frame.name != "head" {
                let breaks = frame.name == "p" || frame.name == "lb"
                frames[frames.count - 1].text += breaks ? "\n" + frame.text + "\n" : frame.text
            }
        }
        guard !components.isEmpty else { return }
        let top = components.count - 1
        if frames.count + 1 == components[top].frameBase {
            // The component itself ends.
            let c = components.removeLast()
            if !c.isArchdesc && (!c.paths.isEmpty || !c.hasChildComponents) {
                var inherited: [CatalogueField: String] = [:]
                for field in EAD3Reader.inherited {
                    if let v = components.reversed().lazy.compactMap({ $0.values[field] }).first { inherited[field] = v }
                }
                done.append((c, inherited))
            }
            return
        }
        let ancestors = frames[(components[top].frameBase)...].map(\.name)
        read(frame, value: value, ancestors: ancestors, into: &components[top])
    }

    // MARK: Mapping

    private func read(_ frame: Frame, value: String, ancestors: [String], into c: inout Component) {
        let name = frame.name
        let parent = ancestors.last
        // Dates are read by their rules even when a localtype says what kind of date it is.
        switch name {
        case "unitdate" where parent == "did":
            setDate(frame.attributes["normal"] ?? value, &c)
            return
        case "datesingle":
            setDate(frame.attributes["standarddate"] ?? value, &c)
            return
        case "fromdate":
            c.rangeFrom = frame.attributes["standarddate"] ?? value
            return
        case "todate":
            c.rangeTo = frame.attributes["standarddate"] ?? value
            return
        case "daterange":
            if let from = c.rangeFrom { setDate(from + "/" + (c.rangeTo ?? from), &c) }
            c.rangeFrom = nil
            c.rangeTo = nil
            return
        default:
            break
        }
        if let localtype = frame.attributes["localtype"], let field = CatalogueField(header: localtype),
           field != .sequence, name != "dao" {
            assign(field, value, &c)
            return
        }
        switch name {
        case "unittitle" where parent == "did":
            c.set(.title, value)
        case "unitid" where parent == "did":
            if value.isEmpty { break }
            if ArchivalCode(parsing: value) != nil {
                c.set(.archivalCode, value)
            } else if let n = Int(value), n > 0 {
                c.set(.itemNumber, value)
            } else {
                c.problems.append(SheetProblem(
                    kind: .unknownElement, row: nil, column: "unitid", isError: false,
                    zh: "<unitid>「\(value.prefix(40))」既不是档号也不是件号，已忽略；请用 localtype 说明其含义（如 localtype=\"documentNumber\"）",
                    en: "<unitid> '\(value.prefix(40))' is neither an archival code nor an item number and was ignored; say what it is with localtype (e.g. localtype=\"documentNumber\")"))
            }
        case let n where ["persname", "corpname", "famname", "name"].contains(n) && ancestors.contains("origination"):
            if !value.isEmpty { c.creators.append(value) }
        case "physdesc":
            if let pages = EAD3Reader.pages(value) { c.set(.pages, pages) } else { c.set(.carrier, value) }
        case "quantity" where parent == "physdescstructured":
            c.quantity = value
        case "unittype" where parent == "physdescstructured":
            c.unitType = value
        case "physdescstructured":
            let unit = (c.unitType ?? "").lowercased()
            if let q = c.quantity {
                if ["页", "pages", "page", "p", "pp", "leaves"].contains(unit) { c.set(.pages, q) }
                if ["bytes", "byte", "字节", "b"].contains(unit) { c.set(.size, q) }
            }
            c.quantity = nil
            c.unitType = nil
        case "dao":
            addPath(frame.attributes["href"], &c)
        case "accessrestrict":
            c.set(.accessStatus, value)
        case "subject" where ancestors.contains("controlaccess"):
            if !value.isEmpty { c.subjects.append(value) }
        case "genreform" where ancestors.contains("controlaccess"):
            if CategoryCode.standard(parsing: value) != nil { c.set(.category, value) }
        case "odd", "didnote":
            if !value.isEmpty { c.notes.append(value) }
        default:
            break
        }
    }

    private func assign(_ field: CatalogueField, _ value: String, _ c: inout Component) {
        switch field {
        case .path: addPath(value, &c)
        case .subjects: c.subjects += CatalogueEntry.splitSubjects(value)
        case .notes: if !value.isEmpty { c.notes.append(value) }
        case .creator: if !value.isEmpty { c.creators.append(value) }
        default: c.set(field, value)
        }
    }

    private func addPath(_ href: String?, _ c: inout Component) {
        guard let raw = href?.trimmed, !raw.isEmpty else { return }
        if let colon = raw.range(of: "://"), raw[..<colon.lowerBound].allSatisfy({ $0.isASCII && $0.isLetter }) {
            c.problems.append(SheetProblem(
                kind: .unknownElement, row: nil, column: "dao", isError: false,
                zh: "<dao href=\"\(raw.prefix(80))\"> 指向包外的网址，不是载荷中的文件，已忽略",
                en: "<dao href=\"\(raw.prefix(80))\"> points outside the package, not at a payload file, and was ignored"))
            return
        }
        c.paths.append(EAD3Reader.percentDecoded(raw))
    }

    /// `2015-03-15`, `20150315`, `2015年3月15日` → date; `2015` → year; a range `A/B` gives the
    /// date when both ends are the same day, else the year when both are in the same year.
    private func setDate(_ raw: String, _ c: inout Component) {
        let t = raw.trimmed
        guard !t.isEmpty else { return }
        let ends = t.split(separator: "/", omittingEmptySubsequences: false).map { String($0).trimmed }
        if ends.count == 2 {
            let a = CatalogueEntry.normalisedDate(ends[0]), b = CatalogueEntry.normalisedDate(ends[1])
            if a == b { setDate(a, &c) } else if a.prefix(4) == b.prefix(4), a.count >= 4 { c.set(.year, String(a.prefix(4))) }
            return
        }
        if t.count == 4 && t.allSatisfy(\.isASCIIDigit) {
            c.set(.year, t)
        } else {
            c.set(.date, t)
        }
    }

    // MARK: Results

    /// The entries in document order, numbered from 1, with the problems found on each.
    func result() -> (entries: [CatalogueEntry], problems: [SheetProblem]) {
        var entries: [CatalogueEntry] = []
        var problems: [SheetProblem] = []
        for (index, item) in done.sorted(by: { $0.component.order < $1.component.order }).enumerated() {
            let row = index + 1
            var values = item.inherited
            for (field, value) in item.component.values { values[field] = value }
            var entry = CatalogueEntry(row: row, values: values)
            if !item.component.creators.isEmpty { entry.draft.creator = item.component.creators.joined(separator: "；") }
            if !item.component.subjects.isEmpty { entry.draft.subjects = item.component.subjects }
            if !item.component.notes.isEmpty { entry.draft.notes = item.component.notes.joined(separator: "\n") }
            entry.paths = item.component.paths
            entries.append(entry)
            for var p in item.component.problems {
                p.row = row
                problems.append(p)
            }
        }
        return (entries, problems)
    }

    // MARK: Helpers

    /// The element's value: its `<part>`s joined (`--` for subjects, as LCSH writes them), else
    /// its text, paragraph by paragraph with the lines trimmed.
    static func value(of frame: Frame) -> String {
        let parts = frame.parts.filter { !$0.isEmpty }
        if !parts.isEmpty { return parts.joined(separator: frame.name == "subject" ? "--" : joiner(parts)) }
        return frame.text.split(whereSeparator: \.isNewline).map { String($0).trimmed }.filter { !$0.isEmpty }
            .joined(separator: "\n")
    }

    /// Name parts are joined by a space between Latin letters and by nothing between Chinese
    /// characters (张 + 伟 is 张伟).
    static func joiner(_ parts: [String]) -> String {
        parts.allSatisfy { $0.unicodeScalars.allSatisfy { $0.isASCII } } ? " " : ""
    }

    /// `item`, `file`, or `otherlevel` 件 / 案卷; other levels (fonds, series …) say nothing a
    /// catalogue entry records.
    static func level(_ attributes: [String: String]) -> String? {
        switch attributes["level"]?.lowercased() {
        case "item": return "item"
        case "file": return "file"
        case "otherlevel":
            switch attributes["otherlevel"]?.trimmed {
            case "件": return "item"
            case "案卷": return "file"
            default: return nil
            }
        default: return nil
        }
    }

    /// `12页`, `12 pages`, `12 p.` → `12`.
    static func pages(_ text: String) -> String? {
        var t = text.trimmed.lowercased()
        for suffix in ["页", "pages", "page", "pp.", "pp", "p."] where t.hasSuffix(suffix) {
            t = String(t.dropLast(suffix.count)).trimmed
            return !t.isEmpty && t.allSatisfy(\.isASCIIDigit) ? t : nil
        }
        return nil
    }

    /// An href is a URI reference, so `%E9%80%9A.pdf` names 通.pdf and `%25` a literal `%`. Left
    /// as written when it has no valid escapes.
    static func percentDecoded(_ s: String) -> String {
        guard s.contains("%") else { return s }
        var bytes: [UInt8] = []
        let utf8 = Array(s.utf8)
        var i = 0
        var decodedAny = false
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count,
               let hi = hexValue(utf8[i + 1]), let lo = hexValue(utf8[i + 2]) {
                bytes.append(hi << 4 | lo)
                i += 3
                decodedAny = true
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        guard decodedAny, let decoded = String(validating: bytes, as: UTF8.self) else { return s }
        return decoded
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 48 ... 57: return b - 48
        case 65 ... 70: return b - 55
        case 97 ... 102: return b - 87
        default: return nil
        }
    }
}

extension Character {
    /// 0–9 only (`isNumber` alone also takes ５, 五 and Ⅴ).
    var isASCIIDigit: Bool { isASCII && isNumber }
}
