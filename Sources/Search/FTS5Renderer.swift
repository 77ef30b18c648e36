/// Renders a `ParsedQuery` as an SQLite FTS5 MATCH expression, for a table whose columns hold
/// `SearchTokenizer.indexText` output:
///
///     CREATE VIRTUAL TABLE search USING fts5(
///         title, creator, documentNumber, archivalCode, body,
///         item_id UNINDEXED, tokenize = 'ascii', prefix = '1');
///     SELECT item_id FROM search WHERE search MATCH ?;   -- bind matchExpression(for:)
///
/// Every token is inside a double-quoted FTS5 string (internal `"` doubled), so nothing the
/// person typed — `NEAR`, `*`, `^`, `:`, `-`, `{}`, `'; drop table` — can reach FTS5 as syntax.
/// The output is a bound parameter, never spliced into SQL. `prefix = '1'` gives FTS5 an
/// index of one-character prefixes, which one-character queries (`"档"*`) use.
///
/// - term: `"档案"`; phrase: `"档案 案馆"` (FTS5 phrase: tokens adjacent); prefix: `"档"*`,
///   `"j012 档"*` (the last token of the phrase is the prefix);
/// - field: `title : "档案"`;
/// - AND / OR with explicit parentheses: `("a" OR "b") AND "c"`;
/// - NOT: FTS5's NOT is binary (`a NOT b`), so an AND with excluded children renders as
///   `(positive AND positive) NOT excluded NOT excluded`. A query with nothing positive
///   (`-草稿` alone, `a OR -b`) cannot be expressed and is refused by `validate()` with
///   `SearchQueryError.exclusionWithoutTerm` — the PostgreSQL renderer refuses the same
///   queries, so both engines answer every query alike.
public struct FTS5Renderer: Sendable {
    /// FTS5 column name per field.
    public let columns: [SearchField: String]

    /// `columns` defaults to each field's `rawValue` (`title`, `creator`, `documentNumber`,
    /// `archivalCode`, `body`). Names must be plain identifiers (`[A-Za-z_][A-Za-z0-9_]*`,
    /// not AND/OR/NOT/NEAR); anything else is a programming error and traps.
    public init(columns: [SearchField: String] = [:]) {
        var all: [SearchField: String] = [:]
        for field in SearchField.allCases {
            let name = columns[field] ?? field.rawValue
            precondition(FTS5Renderer.isPlainIdentifier(name), "FTS5 column name '\(name)' is not a plain identifier")
            all[field] = name
        }
        self.columns = all
    }

    /// The MATCH expression, or `nil` when the query has no text part (only year filters):
    /// then leave the MATCH clause out.
    public func matchExpression(for query: ParsedQuery) throws(SearchQueryError) -> String? {
        try query.validate()
        guard let expression = query.expression else { return nil }
        return render(expression.simplified)
    }

    /// `text` as an FTS5 string literal: in double quotes, internal quotes doubled.
    public static func quote(_ text: String) -> String {
        "\"" + text.replacingAll("\"", with: "\"\"") + "\""
    }

    func render(_ expression: SearchExpression) -> String {
        switch expression {
        case .term(let term):
            let phrase = FTS5Renderer.quote(term.tokens.joined(separator: " ")) + (term.prefixLast ? "*" : "")
            guard let field = term.field, let column = columns[field] else { return phrase }
            return "\(column) : \(phrase)"
        case .or(let children):
            return children.map(group).joined(separator: " OR ")
        case .and(let children):
            var positives: [SearchExpression] = []
            var negatives: [SearchExpression] = []
            for child in children {
                if case .not(let excluded) = child { negatives.append(excluded) } else { positives.append(child) }
            }
            var out = positives.map(group).joined(separator: " AND ")
            if positives.count > 1 && !negatives.isEmpty { out = "(" + out + ")" }
            for n in negatives { out += " NOT " + group(n) }
            return out
        case .not(let child):
            // Unreachable after validate(); rendered as the binary form's right side would
            // be, so a caller that skipped validation gets an FTS5 error, not wrong hits.
            return "NOT " + group(child)
        }
    }

    private func group(_ expression: SearchExpression) -> String {
        if case .term = expression { return render(expression) }
        return "(" + render(expression) + ")"
    }

    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !["AND", "OR", "NOT", "NEAR"].contains(name.uppercased()) else {
            return false
        }
        func isLetter(_ s: Unicode.Scalar) -> Bool { (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || s == "_" }
        return isLetter(first) && name.unicodeScalars.allSatisfy { isLetter($0) || ($0 >= "0" && $0 <= "9") }
    }
}

extension String {
    /// Plain replacement without Foundation's NSString bridge.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for c in self {
            if c == target { out += replacement } else { out.append(c) }
        }
        return out
    }
}
