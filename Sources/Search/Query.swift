/// The columns of the full-text index. Every engine keeps these five; a term without a field
/// searches all of them.
public enum SearchField: String, Sendable, Hashable, CaseIterable, Codable {
    /// 题名
    case title
    /// 责任者
    case creator
    /// 文号
    case documentNumber
    /// 档号
    case archivalCode
    /// Everything else: full text (正文/全文), subjects, notes…
    case body

    /// The Chinese name used in queries and on pages.
    public var chinese: String {
        switch self {
        case .title: "题名"
        case .creator: "责任者"
        case .documentNumber: "文号"
        case .archivalCode: "档号"
        case .body: "全文"
        }
    }
}

/// One thing to find: tokens that must stand adjacent and in order in one column (a single
/// token is a plain word), the last one possibly a prefix.
public struct SearchTerm: Sendable, Hashable, CustomStringConvertible {
    /// The column to search; `nil` searches every column (the term must be whole inside one).
    public var field: SearchField?
    /// Index tokens in `SearchTokenizer` form (folded, letters and digits only); never empty
    /// (`ParsedQuery.validate` refuses a term without tokens).
    public var tokens: [String]
    /// Whether the last token matches any token it begins (档 → 档案, 档号…).
    public var prefixLast: Bool
    /// What the person typed for this term, folded (`SearchNormalizer`), for display.
    public var text: String

    public init(field: SearchField? = nil, tokens: [String], prefixLast: Bool = false, text: String? = nil) {
        self.field = field
        self.tokens = tokens
        self.prefixLast = prefixLast
        self.text = text ?? tokens.joined(separator: " ")
    }

    /// A term for `text` as a person would type it between quotes: every token adjacent.
    /// `nil` when the text has nothing searchable (only punctuation).
    public init?(phrase text: String, field: SearchField? = nil, prefix: Bool = false) {
        let analyzed = AnalyzedText(text)
        let (tokens, prefixLast) = analyzed.queryTokens(prefix: prefix)
        guard !tokens.isEmpty else { return nil }
        self.init(field: field, tokens: tokens, prefixLast: prefixLast, text: SearchNormalizer.normalize(text))
    }

    public var description: String {
        let quoted = "\"" + tokens.joined(separator: " ") + "\"" + (prefixLast ? "*" : "")
        return field.map { "\($0.rawValue):\(quoted)" } ?? quoted
    }
}

/// The boolean structure of a query's text part.
public indirect enum SearchExpression: Sendable, Hashable, CustomStringConvertible {
    case term(SearchTerm)
    /// Every child must match.
    case and([SearchExpression])
    /// At least one child must match.
    case or([SearchExpression])
    /// The child must not match. Only meaningful beside something positive (see
    /// `ParsedQuery.validate`): engines cannot list "every record without X" cheaply, and
    /// FTS5 has no unary NOT.
    case not(SearchExpression)

    /// The terms, left to right.
    public var terms: [SearchTerm] {
        switch self {
        case .term(let t): [t]
        case .and(let children), .or(let children): children.flatMap(\.terms)
        case .not(let child): child.terms
        }
    }

    /// The terms that a match contains (not under a NOT): what snippets highlight.
    public var positiveTerms: [SearchTerm] {
        switch self {
        case .term(let t): [t]
        case .and(let children), .or(let children): children.flatMap(\.positiveTerms)
        case .not: []
        }
    }

    /// Flattened (AND inside AND, OR inside OR), double negation removed, one-child groups
    /// replaced by the child. The renderers expect this form; the parser returns it.
    public var simplified: SearchExpression {
        switch self {
        case .term: return self
        case .not(let child):
            let c = child.simplified
            if case .not(let inner) = c { return inner }
            return .not(c)
        case .and(let children):
            let flat = children.map(\.simplified).flatMap { c -> [SearchExpression] in
                if case .and(let inner) = c { return inner }
                return [c]
            }
            return flat.count == 1 ? flat[0] : .and(flat)
        case .or(let children):
            let flat = children.map(\.simplified).flatMap { c -> [SearchExpression] in
                if case .or(let inner) = c { return inner }
                return [c]
            }
            return flat.count == 1 ? flat[0] : .or(flat)
        }
    }

    /// Whether the expression names a finite set of records an engine can list: a term; an
    /// AND with at least one such child (its NOT children subtract from it); an OR whose
    /// children all are. A NOT never is.
    public var isPositive: Bool {
        switch self {
        case .term: true
        case .and(let children): children.contains { $0.isPositive } && children.allSatisfy(\.isWellFormed)
        case .or(let children): !children.isEmpty && children.allSatisfy(\.isPositive)
        case .not: false
        }
    }

    /// Every NOT excludes something positive and every group is positive or a NOT.
    var isWellFormed: Bool {
        switch self {
        case .not(let child): child.isPositive
        default: isPositive
        }
    }

    public var description: String {
        switch self {
        case .term(let t): t.description
        case .and(let c): "(" + c.map(\.description).joined(separator: " AND ") + ")"
        case .or(let c): "(" + c.map(\.description).joined(separator: " OR ") + ")"
        case .not(let c): "NOT " + c.description
        }
    }
}

/// A parsed query: the text expression plus the structured filters that are not text search.
public struct ParsedQuery: Sendable, Hashable, CustomStringConvertible {
    /// What to find in the full-text index; `nil` when the query has only filters
    /// (`年度:2012`): list by the filters alone, no MATCH clause.
    public var expression: SearchExpression?
    /// 年度 filters, inclusive. Every one must hold (a record's year in each range).
    public var years: [ClosedRange<Int>]

    public init(expression: SearchExpression? = nil, years: [ClosedRange<Int>] = []) {
        self.expression = expression?.simplified
        self.years = years
    }

    /// The intersection of `years`; `nil` when there is no year filter. An empty result
    /// (no year can match) is reported as `nil` too — check `yearsCanMatch`.
    public var yearRange: ClosedRange<Int>? {
        guard let first = years.first else { return nil }
        var lower = first.lowerBound, upper = first.upperBound
        for r in years.dropFirst() {
            lower = max(lower, r.lowerBound)
            upper = min(upper, r.upperBound)
        }
        return lower <= upper ? lower...upper : nil
    }

    /// False when two year filters exclude each other (年度:2010 年度:2012): nothing can match.
    public var yearsCanMatch: Bool { years.isEmpty || yearRange != nil }

    /// 在结果中检索: this query's hits that also match `refinement` (both expressions ANDed,
    /// year filters combined). Checked as a whole, so a refinement of only exclusions
    /// (`-草稿`) is fine here even though alone it would not be.
    public func refined(by refinement: ParsedQuery) throws(SearchQueryError) -> ParsedQuery {
        let combined: SearchExpression?
        switch (expression, refinement.expression) {
        case (nil, nil): combined = nil
        case (let a?, nil): combined = a
        case (nil, let b?): combined = b
        case (let a?, let b?): combined = .and([a, b])
        }
        let result = ParsedQuery(expression: combined, years: years + refinement.years)
        try result.validate()
        return result
    }

    /// Throws when the query cannot be run as it stands: nothing at all to look for, a NOT
    /// with nothing positive beside it, or more than `SearchQueryParser.maxTerms` terms.
    public func validate() throws(SearchQueryError) {
        guard let expression else {
            if years.isEmpty { throw .empty }
            return
        }
        let terms = expression.terms
        // A hand-built term without tokens would search for nothing in one engine and be
        // an empty tsquery (with a NOTICE) in the other.
        if terms.contains(where: { $0.tokens.isEmpty || $0.tokens.contains("") }) { throw .empty }
        if terms.count > SearchQueryParser.maxTerms {
            throw .tooManyTerms(limit: SearchQueryParser.maxTerms)
        }
        if !expression.simplified.isPositive { throw .exclusionWithoutTerm }
    }

    public var description: String {
        var parts: [String] = []
        if let expression { parts.append(expression.description) }
        for y in years { parts.append("year:\(y.lowerBound)-\(y.upperBound)") }
        return parts.joined(separator: " AND ")
    }
}
