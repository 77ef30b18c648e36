/// Cuts a search-box string into the pieces the parser works with. Never fails: every
/// character is either part of a piece or ignored.
struct QueryLexer {
    enum Token: Equatable {
        /// A bare word as typed (NFKC'd). `literal`: came after a field prefix, so never an
        /// operator (`题名:OR` searches "or").
        case word(String, literal: Bool)
        /// Text between quotes; `prefix` when a `*` follows the closing quote.
        case quoted(String, prefix: Bool)
        case open, close, and, or, not
        /// A `-` glued to the front of what follows (`-草稿`, `-"…"`, `-(…)`).
        case minus
        case field(FieldName)
    }

    enum FieldName: Equatable {
        case text(SearchField)
        case year
    }

    /// Field prefixes, looked up after folding (so 題名 and Title work too).
    static let fieldNames: [String: FieldName] = [
        "题名": .text(.title), "标题": .text(.title), "title": .text(.title),
        "责任者": .text(.creator), "作者": .text(.creator), "creator": .text(.creator), "author": .text(.creator),
        "文号": .text(.documentNumber), "documentnumber": .text(.documentNumber), "number": .text(.documentNumber),
        "档号": .text(.archivalCode), "archivalcode": .text(.archivalCode), "code": .text(.archivalCode),
        "全文": .text(.body), "正文": .text(.body), "body": .text(.body), "text": .text(.body), "fulltext": .text(.body),
        "年度": .year, "年份": .year, "year": .year,
    ]

    /// Opening quote → the quotes that close it. ASCII `"` and Chinese “” are interchangeable,
    /// because input methods and word processors mix them.
    static let quotePairs: [Unicode.Scalar: Set<Unicode.Scalar>] = [
        "\"": ["\"", "”"], "“": ["”", "\""], "「": ["」"], "『": ["』"], "„": ["“", "”", "\""],
    ]
    static let strayClosers: Set<Unicode.Scalar> = ["”", "」", "』"]

    /// Words that are operators when they stand alone. English ones only in capitals, as in
    /// FTS5 and web search engines: a lower-case "and" is a word to find.
    static let operatorWords: [String: Token] = [
        "AND": .and, "与": .and,
        "OR": .or, "或": .or,
        "NOT": .not, "非": .not,
    ]

    static func tokens(_ query: String) -> [Token] {
        // NFKC first: full-width （）＂：｜－＊ from Chinese input methods become ASCII.
        let scalars = Array(query.precomposedStringWithCompatibilityMapping.unicodeScalars)
        var tokens: [Token] = []
        var word = String.UnicodeScalarView()
        var i = 0

        func flushWord() {
            guard !word.isEmpty else { return }
            tokens.append(contentsOf: classify(String(word)))
            word = String.UnicodeScalarView()
        }

        while i < scalars.count {
            let c = scalars[i]
            if c.properties.isWhitespace {
                flushWord()
            } else if c == "(" {
                flushWord(); tokens.append(.open)
            } else if c == ")" {
                flushWord(); tokens.append(.close)
            } else if c == "|" {
                flushWord()
                if tokens.last != .or { tokens.append(.or) }
            } else if c == "&" {
                flushWord()
                if tokens.last != .and { tokens.append(.and) }
            } else if let closers = quotePairs[c] {
                flushWord()
                var text = String.UnicodeScalarView()
                var j = i + 1
                while j < scalars.count, !closers.contains(scalars[j]) {
                    text.append(scalars[j])
                    j += 1
                }
                // An unclosed quote runs to the end of the query.
                let prefix = j + 1 < scalars.count && scalars[j + 1] == "*"
                tokens.append(.quoted(String(text), prefix: prefix))
                i = prefix ? j + 2 : j + 1
                continue
            } else if strayClosers.contains(c) {
                flushWord()
            } else if word.isEmpty, c == "-" || c == "+",
                      i + 1 < scalars.count, !scalars[i + 1].properties.isWhitespace {
                // `-x` excludes x; `+x` is the default (required) anyway.
                if c == "-" { tokens.append(.minus) }
            } else {
                word.append(c)
            }
            i += 1
        }
        flushWord()
        return tokens
    }

    /// A finished bare word: an operator, a field prefix (with its value glued on), or a word.
    private static func classify(_ word: String) -> [Token] {
        if let op = operatorWords[word] { return [op] }
        if let colon = word.unicodeScalars.firstIndex(of: ":") {
            let name = SearchNormalizer.normalize(String(word.unicodeScalars[..<colon]))
            if let field = fieldNames[name] {
                let rest = String(word.unicodeScalars[word.unicodeScalars.index(after: colon)...])
                return rest.isEmpty ? [.field(field)] : [.field(field), .word(rest, literal: true)]
            }
        }
        return [.word(word, literal: false)]
    }
}
