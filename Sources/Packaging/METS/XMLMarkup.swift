import Foundation

/// A small XML 1.0 writer: an element tree, correct escaping, and a deterministic serialisation.
///
/// The METS and PREMIS writers build an ``XMLMarkup/Element`` tree and call
/// ``XMLMarkup/document(_:)``. Output is UTF-8 with an XML declaration, two-space indentation,
/// attributes in the order they were given and children in the order they were added, so the
/// same tree always gives the same bytes (and so the same digest).
///
/// Text is written exactly as its Unicode scalars, with no normalisation: NFC would fold CJK
/// compatibility ideographs (U+F900–U+FAFF) into their unified forms, changing characters in
/// names and titles. What XML 1.0 cannot carry at all — C0 controls other than tab, LF and CR,
/// and U+FFFE/U+FFFF (XML 1.0 §2.2 `Char`; not even as character references) — is replaced by
/// U+FFFD REPLACEMENT CHARACTER, so the output is always well-formed and the loss is visible.
/// Writers that must not lose anything (identifiers, digests, paths) check their values with
/// ``XMLMarkup/firstDisallowedScalar(in:)`` first and refuse them instead.
public enum XMLMarkup {
    /// The character written in place of one XML 1.0 cannot represent.
    public static let replacement: Unicode.Scalar = "\u{FFFD}"

    /// Whether XML 1.0 allows the scalar in a document (the `Char` production):
    /// `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`.
    public static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: true
        case 0x20...0xD7FF: true
        case 0xE000...0xFFFD: true
        case 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// The first scalar of `text` that XML 1.0 cannot represent, or nil when there is none.
    public static func firstDisallowedScalar(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { !isAllowed($0) }
    }

    /// Allowed but "discouraged" (XML 1.0 §2.2): DEL and the C1 controls. They are written as
    /// character references so that they survive and are visible in the file.
    static func isDiscouragedControl(_ scalar: Unicode.Scalar) -> Bool {
        (0x7F...0x9F).contains(scalar.value)
    }

    /// Escapes character data: `&`, `<` and `>` become entity references, CR becomes `&#13;` (a
    /// parser would otherwise turn CR LF into LF), DEL and C1 controls become character
    /// references, and characters XML 1.0 forbids become U+FFFD. Quotes are left as they are:
    /// they need no escaping in text.
    public static func escapeText(_ text: String) -> String {
        escape(text, attribute: false)
    }

    /// Escapes an attribute value for a double-quoted attribute: as ``escapeText(_:)`` plus
    /// `"` and `'`, and tab, LF and CR as character references so that attribute-value
    /// normalisation does not turn them into spaces.
    public static func escapeAttribute(_ text: String) -> String {
        escape(text, attribute: true)
    }

    private static func escape(_ text: String, attribute: Bool) -> String {
        // Fast path: nothing to change (most identifiers, digests, plain CJK text).
        if !text.unicodeScalars.contains(where: { needsEscape($0, attribute: attribute) }) {
            return text
        }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            switch s {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"" where attribute: out.append(contentsOf: "&quot;".unicodeScalars)
            case "'" where attribute: out.append(contentsOf: "&apos;".unicodeScalars)
            case "\t" where attribute: out.append(contentsOf: "&#9;".unicodeScalars)
            case "\n" where attribute: out.append(contentsOf: "&#10;".unicodeScalars)
            case "\r": out.append(contentsOf: "&#13;".unicodeScalars)
            default:
                if !isAllowed(s) {
                    out.append(replacement)
                } else if isDiscouragedControl(s) {
                    out.append(contentsOf: "&#x\(String(s.value, radix: 16, uppercase: true));".unicodeScalars)
                } else {
                    out.append(s)
                }
            }
        }
        return String(out)
    }

    private static func needsEscape(_ s: Unicode.Scalar, attribute: Bool) -> Bool {
        switch s {
        case "&", "<", ">", "\r": return true
        case "\"", "'", "\t", "\n": return attribute
        default: return !isAllowed(s) || isDiscouragedControl(s)
        }
    }

    /// Whether `name` is a valid qualified name (`NCName` or `NCName:NCName`). Only the ASCII
    /// subset of XML names is accepted; every name this package writes is ASCII.
    public static func isQualifiedName(_ name: String) -> Bool {
        let parts = name.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return false }
        return parts.allSatisfy { isNCName($0) }
    }

    /// Whether `name` is an ASCII `NCName`, the lexical space of `xs:ID` and `xs:IDREF`.
    public static func isNCName<S: StringProtocol>(_ name: S) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        func isStart(_ c: Unicode.Scalar) -> Bool {
            ("A"..."Z").contains(c) || ("a"..."z").contains(c) || c == "_"
        }
        guard isStart(first) else { return false }
        return name.unicodeScalars.allSatisfy { c in
            isStart(c) || ("0"..."9").contains(c) || c == "-" || c == "."
        }
    }

    // MARK: - Tree

    /// An attribute: qualified name and value (unescaped; the serialiser escapes it).
    public struct Attribute: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A child of an element: another element, or character data (unescaped).
    public enum Node: Sendable, Hashable {
        case element(Element)
        case text(String)
    }

    /// An element with ordered attributes and children. Namespace declarations are ordinary
    /// attributes (`xmlns:mets`); the writer does not resolve prefixes.
    public struct Element: Sendable, Hashable {
        public var name: String
        public var attributes: [Attribute]
        public var children: [Node]

        /// An element; attributes whose value is nil are left out, the others keep their order.
        public init(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:], children: [Node] = []) {
            self.name = name
            self.attributes = attributes.compactMap { k, v in v.map { Attribute(k, $0) } }
            self.children = children
        }

        /// An element holding only text.
        public init(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:], text: String) {
            self.init(name, attributes, children: [.text(text)])
        }

        /// Appends a child element.
        public mutating func append(_ child: Element) { children.append(.element(child)) }

        /// Appends child elements.
        public mutating func append(contentsOf list: [Element]) { children += list.map { .element($0) } }

        /// Appends a text-only child element.
        public mutating func append(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:], text: String) {
            children.append(.element(Element(name, attributes, text: text)))
        }

        /// Appends a text-only child element when `text` is neither nil nor empty.
        public mutating func appendIfPresent(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:], text: String?) {
            if let text, !text.isEmpty { append(name, attributes, text: text) }
        }

        /// Adds or replaces an attribute, keeping the position of one it replaces.
        public mutating func setAttribute(_ name: String, _ value: String) {
            if let i = attributes.firstIndex(where: { $0.name == name }) {
                attributes[i].value = value
            } else {
                attributes.append(Attribute(name, value))
            }
        }
    }

    /// Why a tree cannot be written.
    public struct WriteError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Serialises a tree as a complete document: XML declaration, the root element, a final LF.
    /// Throws for an invalid element or attribute name, or an attribute given twice.
    public static func document(_ root: Element) throws -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        try write(root, depth: 0, into: &out)
        out += "\n"
        return out
    }

    /// Serialises a tree as a fragment (no declaration), indented from `depth`.
    public static func fragment(_ element: Element, depth: Int = 0) throws -> String {
        var out = ""
        try write(element, depth: depth, into: &out)
        return out
    }

    private static func write(_ e: Element, depth: Int, pretty: Bool = true, into out: inout String) throws {
        guard isQualifiedName(e.name) else {
            throw WriteError(message: "invalid XML element name \(String(reflecting: e.name))")
        }
        let indent = pretty ? String(repeating: "  ", count: depth) : ""
        out += indent
        out += "<"
        out += e.name
        var seen = Set<String>()
        for a in e.attributes {
            guard isQualifiedName(a.name) else {
                throw WriteError(message: "invalid XML attribute name \(String(reflecting: a.name)) on <\(e.name)>")
            }
            guard seen.insert(a.name).inserted else {
                throw WriteError(message: "attribute \(a.name) given twice on <\(e.name)>")
            }
            out += " "
            out += a.name
            out += "=\""
            out += escapeAttribute(a.value)
            out += "\""
        }
        // Empty text nodes are nothing at all.
        let children = e.children.filter { if case .text(let t) = $0 { !t.isEmpty } else { true } }
        if children.isEmpty {
            out += "/>"
            return
        }
        out += ">"
        // Text-only or mixed content is written without added whitespace, down to the leaves,
        // because whitespace there would become part of the content.
        let hasText = children.contains { if case .text = $0 { true } else { false } }
        let prettyChildren = pretty && !hasText
        for child in children {
            switch child {
            case .text(let t):
                out += escapeText(t)
            case .element(let c):
                if prettyChildren { out += "\n" }
                try write(c, depth: depth + 1, pretty: prettyChildren, into: &out)
            }
        }
        if prettyChildren {
            out += "\n"
            out += indent
        }
        out += "</"
        out += e.name
        out += ">"
    }
}
