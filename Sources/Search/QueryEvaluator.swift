/// A record's searchable text, column by column, as index tokens: what one row of the
/// full-text index holds.
public struct SearchDocument: Sendable, Hashable {
    public var tokens: [SearchField: [String]]
    public var year: Int?

    /// From the original texts (tokenized here).
    public init(texts: [SearchField: String], year: Int? = nil) {
        self.tokens = texts.mapValues(SearchTokenizer.indexTokens)
        self.year = year
    }

    /// From stored `SearchTokenizer.indexText` output.
    public init(indexTexts: [SearchField: String], year: Int? = nil) {
        self.tokens = indexTexts.mapValues { $0.split(separator: " ").map(String.init) }
        self.year = year
    }
}

extension ParsedQuery {
    /// Whether `document` is a hit: the reference semantics that `FTS5Renderer` and
    /// `PostgresRenderer` output implement. In memory, linear in the document's size; for
    /// tests that compare engines and for filtering short lists, not for searching a catalogue.
    ///
    /// - A term matches when its tokens stand adjacent and in order in one column (any column
    ///   when it has no field), the last token by prefix when `prefixLast`.
    /// - AND, OR, NOT are evaluated per document (a record with 档案 in the title and 通知 in
    ///   the body matches `档案 通知`).
    /// - Year filters need `document.year` inside every range; a document without a year
    ///   fails any year filter.
    public func matches(_ document: SearchDocument) -> Bool {
        for range in years {
            guard let y = document.year, range.contains(y) else { return false }
        }
        guard let expression else { return !years.isEmpty }
        return QueryEvaluator.evaluate(expression, document)
    }
}

enum QueryEvaluator {
    static func evaluate(_ expression: SearchExpression, _ document: SearchDocument) -> Bool {
        switch expression {
        case .term(let term):
            if let field = term.field {
                return firstMatch(of: term, in: document.tokens[field] ?? []) != nil
            }
            return document.tokens.values.contains { firstMatch(of: term, in: $0) != nil }
        case .and(let children):
            return children.allSatisfy { evaluate($0, document) }
        case .or(let children):
            return children.contains { evaluate($0, document) }
        case .not(let child):
            return !evaluate(child, document)
        }
    }

    static func firstMatch(of term: SearchTerm, in tokens: [String]) -> Int? {
        var found: Int?
        forEachMatch(of: term, count: tokens.count, tokenMatches: { p, k, asPrefix in
            // Bytes, as both engines compare lexemes.
            asPrefix ? tokens[p].utf8.starts(with: term.tokens[k].utf8)
                     : tokens[p].utf8.elementsEqual(term.tokens[k].utf8)
        }) { found = $0; return false }
        return found
    }

    /// Calls `body` with the start position of each occurrence of `term` in a sequence of
    /// `count` tokens, while `body` returns true. `tokenMatches(p, k, asPrefix)` says whether
    /// the token at position `p` is (or, `asPrefix`, begins with) the term's `k`-th token.
    @inline(__always)
    static func forEachMatch(
        of term: SearchTerm, count: Int,
        tokenMatches: (_ position: Int, _ termToken: Int, _ asPrefix: Bool) -> Bool,
        _ body: (Int) -> Bool
    ) {
        let n = term.tokens.count
        guard n > 0, count >= n else { return }
        let last = n - 1
        for start in 0...(count - n) {
            var ok = true
            for k in 0..<n where !tokenMatches(start + k, k, k == last && term.prefixLast) {
                ok = false
                break
            }
            if ok && !body(start) { return }
        }
    }
}
