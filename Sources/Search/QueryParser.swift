import Foundation

/// Parses what a person types into a search box.
///
/// Syntax (full-width forms from Chinese input methods work the same, after NFKC):
///
/// | input | meaning |
/// | --- | --- |
/// | `档案 馆藏` | both terms (AND is the default) |
/// | `档案馆` | the phrase of its bigrams `档案 案馆` — the characters adjacent, as typed |
/// | `档` | one character: any token it begins (档案, 档号, a lone 档) |
/// | `J012-WS·2015` | the phrase `j012 ws 2015`: parts adjacent, whatever punctuation is between |
/// | `arch*` | a word prefix (only at the end of a bare word or after a closing quote) |
/// | `"exact phrase"` `“…”` `「…」` `『…』` | the words adjacent; operators inside are words |
/// | `a AND b`, `a && b`, `a & b`, `a 与 b` | both |
/// | `a OR b`, `a \| b`, `a 或 b` | either; AND binds tighter than OR |
/// | `NOT a`, `-a`, `非 a` | exclude (needs a positive term beside it) |
/// | `( … )` | grouping |
/// | `题名:x` `责任者:x` `文号:x` `档号:x` `全文:x` | the term (or group, or quoted phrase) in that column only; English `title:` `creator:`/`author:` `documentNumber:`/`number:` `archivalCode:`/`code:` `body:`/`text:` |
/// | `年度:2012` `年度:2010-2015` `年度:2010-` | a year filter (`year:`), not text search: returned in `ParsedQuery.years` |
///
/// English operator words count only in capitals; Chinese ones (与 或 非) only standing alone
/// between spaces. A colon after anything but a field name is ordinary punctuation.
///
/// Leniency: bad input never throws except for the cases in `SearchQueryError`. An unclosed
/// quote or parenthesis closes at the end; a stray `)` is ignored; operators with nothing on
/// one side are dropped; characters that are not letters or digits separate words and are
/// never passed to an engine as syntax (each renderer quotes every token).
public enum SearchQueryParser {
    /// Longest query accepted, in characters. Longer input gets `.tooLong`, not silent
    /// truncation: a cut query would return results for something the person did not ask.
    public static let maxLength = 256
    /// Most terms (words, phrases) in one query, counted after `refined(by:)` too.
    public static let maxTerms = 32
    /// Years a 年度 filter may name. Outside it is a typo (`年度:20012`), so it is refused
    /// rather than clamped, and the message says what range is allowed.
    public static let validYears: ClosedRange<Int> = 1000...2999

    /// Parses and validates `query`.
    public static func parse(_ query: String) throws(SearchQueryError) -> ParsedQuery {
        try checkLength(query)
        var parser = Parser(tokens: QueryLexer.tokens(query))
        let node = try parser.parseQuery()
        var years: [ClosedRange<Int>] = []
        var expression: SearchExpression?
        if let node { expression = try extractYears(node, into: &years, allowed: true) }
        let parsed = ParsedQuery(expression: expression, years: years)
        try parsed.validate()
        return parsed
    }

    /// Parses `refinement` and ANDs it to `base` (在结果中检索). The refinement may consist
    /// of exclusions only (`-草稿`) since `base` gives the positive part.
    public static func parse(_ refinement: String, within base: ParsedQuery) throws(SearchQueryError) -> ParsedQuery {
        try checkLength(refinement)
        var parser = Parser(tokens: QueryLexer.tokens(refinement))
        guard let node = try parser.parseQuery() else { throw .empty }
        var years: [ClosedRange<Int>] = []
        let expression = try extractYears(node, into: &years, allowed: true)
        return try base.refined(by: ParsedQuery(expression: expression, years: years))
    }

    /// At most `maxLength` characters. The byte count is checked first, so a 10 MB string is
    /// refused without being segmented into characters (16 bytes a character leaves room for
    /// emoji sequences and combining marks).
    private static func checkLength(_ query: String) throws(SearchQueryError) {
        if query.utf8.count > maxLength * 16 || query.count > maxLength {
            throw .tooLong(limit: maxLength)
        }
    }

    /// Moves year filters out of the tree; they may sit only under ANDs from the root.
    private static func extractYears(
        _ node: Node, into years: inout [ClosedRange<Int>], allowed: Bool
    ) throws(SearchQueryError) -> SearchExpression? {
        switch node {
        case .term(let t):
            return .term(t)
        case .year(let range):
            guard allowed else { throw .yearFilterNotAllowedHere }
            years.append(range)
            return nil
        case .and(let children):
            var kept: [SearchExpression] = []
            for c in children {
                if let e = try extractYears(c, into: &years, allowed: allowed) { kept.append(e) }
            }
            return kept.isEmpty ? nil : .and(kept)
        case .or(let children):
            var kept: [SearchExpression] = []
            for c in children {
                if let e = try extractYears(c, into: &years, allowed: false) { kept.append(e) }
            }
            return kept.isEmpty ? nil : .or(kept)
        case .not(let child):
            return try extractYears(child, into: &years, allowed: false).map { .not($0) }
        }
    }

    /// `2012`, `2010-2015` (also `~ – — 至 到 ..`), `2010-` and `-2015` (open ends), an
    /// optional 年 after each year.
    static func parseYears(_ raw: String) throws(SearchQueryError) -> ClosedRange<Int> {
        let text = SearchNormalizer.normalize(raw)
        var s = text.replacingOccurrences(of: " ", with: "")
        for separator in ["..", "~", "–", "—", "至", "到"] {
            s = s.replacingOccurrences(of: separator, with: "-")
        }
        let parts = s.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard !s.isEmpty, parts.count <= 2 else { throw .invalidYear(raw) }

        func year(_ part: String) throws(SearchQueryError) -> Int? {
            var p = Substring(part)
            if p.hasSuffix("年") { p = p.dropLast() }
            if p.isEmpty { return nil }
            guard p.count <= 9, p.allSatisfy({ $0.isASCII && $0.isNumber }), let y = Int(p) else {
                throw .invalidYear(raw)
            }
            guard validYears.contains(y) else { throw .yearOutOfRange(y, allowed: validYears) }
            return y
        }

        let from = try year(parts[0])
        let to = parts.count == 2 ? try year(parts[1]) : from
        if parts.count == 2, from == nil, to == nil { throw .invalidYear(raw) }
        let lower = from ?? validYears.lowerBound
        let upper = to ?? validYears.upperBound
        guard lower <= upper else { throw .yearRangeReversed(from: lower, to: upper) }
        return lower...upper
    }

    /// The parse tree before year filters are taken out.
    indirect enum Node {
        case term(SearchTerm)
        case year(ClosedRange<Int>)
        case and([Node])
        case or([Node])
        case not(Node)
    }

    /// Recursive descent: query := or; or := and (OR and)*; and := unary (AND? unary)*;
    /// unary := (NOT | -)* primary; primary := ( or ) | "phrase" | word | field: primary.
    struct Parser {
        let tokens: [QueryLexer.Token]
        var position = 0
        /// Parentheses deeper than this are ignored, so recursion stays shallow.
        static let maxDepth = 32

        init(tokens: [QueryLexer.Token]) { self.tokens = tokens }

        var peek: QueryLexer.Token? { position < tokens.count ? tokens[position] : nil }

        mutating func parseQuery() throws(SearchQueryError) -> Node? {
            var parts: [Node] = []
            while position < tokens.count {
                // A stray `)` at the top ends nothing: skip it and go on.
                if let n = try parseOr(depth: 0) { parts.append(n) }
                if peek == .close { position += 1 }
            }
            return parts.isEmpty ? nil : parts.count == 1 ? parts[0] : .and(parts)
        }

        mutating func parseOr(depth: Int) throws(SearchQueryError) -> Node? {
            var branches: [Node] = []
            while true {
                if let a = try parseAnd(depth: depth) { branches.append(a) }
                guard peek == .or else { break }
                position += 1
            }
            return branches.isEmpty ? nil : branches.count == 1 ? branches[0] : .or(branches)
        }

        mutating func parseAnd(depth: Int) throws(SearchQueryError) -> Node? {
            var items: [Node] = []
            loop: while let t = peek {
                switch t {
                case .or, .close: break loop
                case .and: position += 1
                default: if let u = try parseUnary(depth: depth) { items.append(u) }
                }
            }
            return items.isEmpty ? nil : items.count == 1 ? items[0] : .and(items)
        }

        mutating func parseUnary(depth: Int) throws(SearchQueryError) -> Node? {
            var negate = false
            while let t = peek, t == .not || t == .minus {
                negate.toggle()
                position += 1
            }
            guard let p = try parsePrimary(depth: depth, field: nil) else { return nil }
            return negate ? .not(p) : p
        }

        mutating func parsePrimary(depth: Int, field: SearchField?) throws(SearchQueryError) -> Node? {
            guard let t = peek else { return nil }
            switch t {
            case .or, .close:
                return nil  // left for the caller; nothing consumed
            case .and, .not, .minus:
                position += 1  // an operator where a term belongs: drop it
                return nil
            case .open:
                position += 1
                if depth >= Parser.maxDepth { return nil }
                let inner = try parseOr(depth: depth + 1)
                if peek == .close { position += 1 }  // an unclosed group closes at the end
                guard let inner else { return nil }
                return field.map { Parser.applying($0, to: inner) } ?? inner
            case .quoted(let text, let prefix):
                position += 1
                return SearchTerm(phrase: text, field: field, prefix: prefix).map(Node.term)
            case .word(let text, _):
                position += 1
                let prefix = text.hasSuffix("*")
                return SearchTerm(phrase: text, field: field, prefix: prefix).map(Node.term)
            case .field(.text(let f)):
                position += 1
                switch peek {
                case .open?, .quoted?, .word?: return try parsePrimary(depth: depth, field: f)
                default: return nil  // `题名:` with nothing after it
                }
            case .field(.year):
                position += 1
                switch peek {
                case .word(let text, _)?, .quoted(let text, _)?:
                    position += 1
                    return .year(try SearchQueryParser.parseYears(text))
                case .open?:
                    throw .invalidYear("(")
                default:
                    return nil
                }
            }
        }

        /// `题名:(a OR b)`: the field goes to every term inside that has none of its own.
        static func applying(_ field: SearchField, to node: Node) -> Node {
            switch node {
            case .term(var t):
                if t.field == nil { t.field = field }
                return .term(t)
            case .year: return node
            case .and(let c): return .and(c.map { applying(field, to: $0) })
            case .or(let c): return .or(c.map { applying(field, to: $0) })
            case .not(let c): return .not(applying(field, to: c))
            }
        }
    }
}
