import Foundation

/// Renders a `ParsedQuery` as a PostgreSQL WHERE condition over tsvector columns, with every
/// piece of user text in bound parameters:
///
///     -- one tsvector per field, NOT NULL, from SearchTokenizer.indexText output:
///     search_title tsvector NOT NULL
///         GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title_tokens, ''))) STORED
///     CREATE INDEX … USING gin (search_title);   -- and so on for each field
///
///     let condition = try renderer.condition(for: query)!
///     "SELECT … WHERE " + condition.sql        // binds: condition.binds, as $1, $2, …
///
/// Each term becomes `column @@ to_tsquery('simple', $n)` with the tsquery text
/// (`'档案' <-> '案馆'`, `'档':*`) as parameter `$n`; a term without a field tests every field's
/// column (`(search_title @@ … OR search_creator @@ … OR …)`) so that, as in FTS5, a phrase
/// must lie inside one column while the terms of an AND may lie in different columns.
/// AND, OR and NOT are SQL's, so the condition means exactly what the FTS5 expression means
/// (`ParsedQuery.matches` states it) — and queries FTS5 cannot express (nothing positive) are
/// refused here too.
///
/// The columns must be NOT NULL: `NULL @@ q` is NULL, and `NOT NULL` would drop the row where
/// FTS5 (an empty column) keeps it.
public struct PostgresRenderer: Sendable {
    /// How one field is tested: an SQL predicate with the marker `{tsquery}` where
    /// `to_tsquery('simple', $n)` goes.
    public struct FieldTarget: Sendable, Hashable {
        public let template: String

        /// `column @@ to_tsquery('simple', $n)` — the usual case. `column` is written into
        /// the SQL as given: pass an identifier of your schema, never user input.
        public static func column(_ column: String) -> FieldTarget {
            FieldTarget(template: "\(column) @@ {tsquery}")
        }

        /// Any predicate, e.g. over chunked body text (`SearchTokenizer.indexTextChunks`):
        /// `EXISTS (SELECT 1 FROM item_body_chunks c WHERE c.item_id = items.id AND c.tokens @@ {tsquery})`.
        /// The template must contain `{tsquery}` exactly once (a programming error traps).
        public static func predicate(_ template: String) -> FieldTarget {
            precondition(template.components(separatedBy: marker).count == 2,
                         "a PostgreSQL field template needs exactly one {tsquery}")
            return FieldTarget(template: template)
        }

        static let marker = "{tsquery}"
    }

    public let targets: [SearchField: FieldTarget]

    /// `targets` must name all five fields (a programming error traps otherwise).
    public init(targets: [SearchField: FieldTarget]) {
        precondition(SearchField.allCases.allSatisfy { targets[$0] != nil }, "every SearchField needs a target")
        self.targets = targets
    }

    /// Columns named `prefix` + the field in snake case: `search_title`, `search_creator`,
    /// `search_document_number`, `search_archival_code`, `search_body`.
    public init(columnPrefix: String = "search_") {
        var targets: [SearchField: FieldTarget] = [:]
        for field in SearchField.allCases { targets[field] = .column(columnPrefix + field.snakeCaseName) }
        self.init(targets: targets)
    }

    /// The condition, or `nil` when the query has no text part (only year filters).
    public func condition(for query: ParsedQuery) throws(SearchQueryError) -> PostgresCondition? {
        try query.validate()
        guard let expression = query.expression else { return nil }
        var parts: [PostgresCondition.Part] = []
        render(expression.simplified, into: &parts)
        return PostgresCondition(parts: parts)
    }

    /// The tsquery text of one term: tokens quoted and joined by `<->` (followed by), the last
    /// one with `:*` when it is a prefix: `'j012' <-> '档':*`.
    public static func tsquery(for term: SearchTerm) -> String {
        var pieces = term.tokens.map(quote)
        if term.prefixLast, !pieces.isEmpty { pieces[pieces.count - 1] += ":*" }
        return pieces.joined(separator: " <-> ")
    }

    /// One tsquery OR-ing every positive term, for `ts_rank(vector, to_tsquery('simple', $n))`
    /// over a vector of all fields; `nil` when there is no text part. Ranking only: it ignores
    /// fields and exclusions, so never filter with it.
    public static func rankingTSQuery(for query: ParsedQuery) -> String? {
        guard let terms = query.expression?.positiveTerms, !terms.isEmpty else { return nil }
        return terms.map { "(" + tsquery(for: $0) + ")" }.joined(separator: " | ")
    }

    /// A lexeme in tsquery syntax: single quotes, internal quotes doubled, backslashes escaped.
    public static func quote(_ token: String) -> String {
        "'" + token.replacingAll("\\", with: "\\\\").replacingAll("'", with: "''") + "'"
    }

    private func render(_ expression: SearchExpression, into parts: inout [PostgresCondition.Part]) {
        switch expression {
        case .term(let term):
            let tsquery = PostgresRenderer.tsquery(for: term)
            let fields = term.field.map { [$0] } ?? SearchField.allCases
            parts.append(.sql("("))
            for (n, field) in fields.enumerated() {
                if n > 0 { parts.append(.sql(" OR ")) }
                let pieces = targets[field]!.template.components(separatedBy: FieldTarget.marker)
                parts.append(.sql(pieces[0] + "to_tsquery('simple', "))
                parts.append(.bind(tsquery))
                parts.append(.sql(")" + pieces[1]))
            }
            parts.append(.sql(")"))
        case .and(let children), .or(let children):
            let isAnd: Bool
            if case .and = expression { isAnd = true } else { isAnd = false }
            parts.append(.sql("("))
            for (n, child) in children.enumerated() {
                if n > 0 { parts.append(.sql(isAnd ? " AND " : " OR ")) }
                render(child, into: &parts)
            }
            parts.append(.sql(")"))
        case .not(let child):
            parts.append(.sql("NOT "))
            render(child, into: &parts)
        }
    }
}

/// An SQL condition with its parameters kept apart from the text.
public struct PostgresCondition: Sendable, Hashable {
    public enum Part: Sendable, Hashable {
        /// SQL text written by the renderer (never user input).
        case sql(String)
        /// A value to bind as a parameter (a tsquery text).
        case bind(String)
    }

    /// In order; with SQLKit, append `.sql` parts as raw SQL and `.bind` parts as binds.
    public let parts: [Part]

    /// The bound values, in the order their placeholders appear.
    public var binds: [String] {
        parts.compactMap { if case .bind(let v) = $0 { v } else { nil } }
    }

    /// The SQL with `placeholder(n)` for the n-th bind (0-based), e.g. `{ "$\($0 + 3)" }`
    /// when two parameters come before it.
    public func sql(placeholder: (Int) -> String) -> String {
        var out = ""
        var n = 0
        for part in parts {
            switch part {
            case .sql(let s): out += s
            case .bind:
                out += placeholder(n)
                n += 1
            }
        }
        return out
    }

    /// The SQL with PostgreSQL placeholders `$1`, `$2`, …
    public var sql: String { sql { "$\($0 + 1)" } }
}

extension SearchField {
    /// `document_number` for `documentNumber`: PostgreSQL column naming.
    public var snakeCaseName: String {
        var out = ""
        for c in rawValue {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}
