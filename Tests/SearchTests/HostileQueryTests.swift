import XCTest
@testable import Search

/// Whatever is typed, parsing ends in a typed error or in engine input that is pure syntax
/// of our own making around quoted tokens.
final class HostileQueryTests: XCTestCase {
    static let hostile: [String] = [
        "\"", "\"\"", "\"\"\"", "*", "**", "\"档\"*", "NEAR", "NEAR(a b, 3)", "a NEAR b", "^a", "^",
        "'; drop table items; --", "' OR '1'='1", "\\", "\\'", "'", "''", ":", "::", "a:b:c", "-", "--", "+",
        "+a", "{}", "{title}", "{title} : x", "- title : x", "title : NEAR(x)", "(", ")", ")(", "(((", ")))",
        "a AND", "OR b", "AND", "OR", "NOT", "NOT NOT", "a OR OR b", "a AND AND b", "a NOT", "( OR )",
        "() a", "\"a\" \"", "“", "”", "「", "」", "『", "』", "„", "a | | b", "&", "&&", "||", "!", "!a",
        "a & b | c", "题名:", "题名:题名:x", "年度:", "年度", "年度::2010", "title:(", "\u{0}", "\u{0}a",
        "a\u{0}b", "\u{200B}", "\u{FEFF}档案", "📁", "档案📁馆", "e\u{301}", "\t\n\r", "%", "_", "a_b",
        "$1", "?", "@", "<b>x</b>", "&amp;", "`x`", "x\"y", "x'y", "C:\\docs\\a.txt", "中\"文", "一\\二",
        "(a OR (b AND (c OR (d AND -e))))", "-(-a)", "NOT (NOT a)", "a -(-b)",
    ]

    func testNothingCrashesAndEveryResultIsSafe() {
        let fts5 = FTS5Renderer()
        let pg = PostgresRenderer()
        for q in Self.hostile {
            assertSafe(q, fts5: fts5, pg: pg)
        }
    }

    func testEmptyAndBlankQueries() {
        for q in ["", " ", "\t\n", "。，、", "\"\"", "()", "-", "*", "题名:", "AND OR NOT"] {
            XCTAssertThrowsError(try SearchQueryParser.parse(q), q) {
                XCTAssertEqual($0 as? SearchQueryError, .empty, q)
            }
        }
    }

    func testOnlyExclusions() {
        for q in ["-草稿", "NOT 草稿", "非 草稿", "a OR -b", "-(a b)", "NOT (a OR b)", "(a -b) OR -c"] {
            XCTAssertThrowsError(try SearchQueryParser.parse(q), q) {
                XCTAssertEqual($0 as? SearchQueryError, .exclusionWithoutTerm, q)
            }
        }
        // Excluding from a positive group is fine, and NOT inside NOT is positive again.
        XCTAssertNoThrow(try SearchQueryParser.parse("(a -b) OR c"))
        XCTAssertNoThrow(try SearchQueryParser.parse("a -(b -c)"))
        XCTAssertNoThrow(try SearchQueryParser.parse("-(-a)"))
    }

    func testLengthLimit() throws {
        XCTAssertThrowsError(try SearchQueryParser.parse(String(repeating: "档案 ", count: 3_500))) {
            XCTAssertEqual($0 as? SearchQueryError, .tooLong(limit: 256))
        }
        XCTAssertThrowsError(try SearchQueryParser.parse(String(repeating: "a", count: 257))) {
            XCTAssertEqual($0 as? SearchQueryError, .tooLong(limit: 256))
        }
        // Exactly at the limit is fine: one long run is one phrase of 255 bigrams.
        let long = try SearchQueryParser.parse(String(repeating: "档案馆", count: 85) + "档")
        XCTAssertEqual(long.expression?.terms.first?.tokens.count, 255)
        XCTAssertNotNil(try FTS5Renderer().matchExpression(for: long))
        // The limit counts characters, not bytes: 150 emoji families (25 bytes each) are
        // within it — and then nothing to search.
        XCTAssertThrowsError(try SearchQueryParser.parse(String(repeating: "👨‍👩‍👧‍👦", count: 150))) {
            XCTAssertEqual($0 as? SearchQueryError, .empty)
        }
        // 10 MB is refused without work.
        let huge = String(repeating: "x", count: 10_000_000)
        let t0 = Date()
        XCTAssertThrowsError(try SearchQueryParser.parse(huge))
        XCTAssertLessThan(Date().timeIntervalSince(t0), 1)
    }

    func testTermLimit() throws {
        let words = (1...33).map { "w\($0)" }
        XCTAssertThrowsError(try SearchQueryParser.parse(words.joined(separator: " "))) {
            XCTAssertEqual($0 as? SearchQueryError, .tooManyTerms(limit: 32))
        }
        XCTAssertNoThrow(try SearchQueryParser.parse(words.dropLast().joined(separator: " ")))
    }

    func testDeepNestingParses() throws {
        let deep = String(repeating: "(", count: 120) + "a" + String(repeating: ")", count: 120)
        XCTAssertEqual(try SearchQueryParser.parse(deep).expression?.terms.map(\.tokens), [["a"]])
        let unbalanced = String(repeating: "(a OR ", count: 30) + "b"
        assertSafe(unbalanced, fts5: FTS5Renderer(), pg: PostgresRenderer())
    }

    func testRandomInputsNeverBreakTheRenderers() {
        // Deterministic: a fixed linear congruential generator over hostile pieces.
        let pieces = [
            "\"", "(", ")", "-", "*", "OR", "AND", "NOT", "NEAR", ":", "^", "{", "}", "题名:", "年度:2012",
            "年度:", "档", "档案馆", "檔案", "j012", "WS·2015", "'", "\\", "|", "&", "“", "」", " ", " ", " ",
            "+", "或", "非", "title:", "a", "b", "2010-2015", "。", "\u{200B}", "e\u{301}",
        ]
        var state: UInt64 = 0x2545F4914F6CDD1D
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        let fts5 = FTS5Renderer(), pg = PostgresRenderer()
        for _ in 0..<3_000 {
            let q = (0..<(next() % 14)).map { _ in pieces[next() % pieces.count] }.joined()
            assertSafe(q, fts5: fts5, pg: pg)
        }
    }

    /// Parses `q`; on success checks the FTS5 expression is only our syntax around quoted
    /// strings and every PostgreSQL bind is a well-formed tsquery of quoted lexemes.
    private func assertSafe(_ q: String, fts5: FTS5Renderer, pg: PostgresRenderer,
                            file: StaticString = #filePath, line: UInt = #line) {
        let parsed: ParsedQuery
        do {
            parsed = try SearchQueryParser.parse(q)
        } catch {
            // A typed error (SearchQueryError, by the signature) is an acceptable answer.
            XCTAssertFalse(error.code.isEmpty, q, file: file, line: line)
            return
        }
        do {
            if let expression = try fts5.matchExpression(for: parsed) {
                XCTAssertTrue(Self.isOurFTS5Syntax(expression), "\(q) → \(expression)", file: file, line: line)
            }
            if let condition = try pg.condition(for: parsed) {
                XCTAssertFalse(condition.binds.isEmpty, q, file: file, line: line)
                for bind in condition.binds {
                    XCTAssertTrue(Self.isQuotedTSQuery(bind), "\(q) → \(bind)", file: file, line: line)
                }
                for case .sql(let s) in condition.parts {
                    XCTAssertFalse(s.contains("'") && !s.contains("to_tsquery('simple', "), "\(q) → \(s)", file: file, line: line)
                }
            }
        } catch {
            XCTFail("parsed but did not render: \(q): \(error)", file: file, line: line)
        }
    }

    /// Outside double-quoted strings only parentheses, spaces, `*`, ` : `, AND/OR/NOT and
    /// column names may appear.
    static func isOurFTS5Syntax(_ expression: String) -> Bool {
        var outside = ""
        var inQuote = false
        var chars = Array(expression)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\"" {
                if inQuote, i + 1 < chars.count, chars[i + 1] == "\"" { i += 2; continue }
                inQuote.toggle()
                outside.append(" ")
            } else if !inQuote {
                outside.append(c)
            }
            i += 1
        }
        chars = []
        if inQuote { return false }
        let allowed: Set<String> = ["AND", "OR", "NOT", ":", "*", "title", "creator", "documentNumber", "archivalCode", "body"]
        let spaced = outside.replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ")
        return spaced.split(separator: " ").allSatisfy { allowed.contains(String($0)) }
    }

    /// `'lexeme' <-> 'lexeme':*` with quotes doubled and backslashes escaped inside.
    static func isQuotedTSQuery(_ text: String) -> Bool {
        let parts = text.components(separatedBy: " <-> ")
        for (n, part) in parts.enumerated() {
            var p = Substring(part)
            if n == parts.count - 1, p.hasSuffix(":*") { p = p.dropLast(2) }
            guard p.count >= 2, p.first == "'", p.last == "'" else { return false }
            let inner = p.dropFirst().dropLast()
            var i = inner.startIndex
            while i < inner.endIndex {
                let c = inner[i]
                if c == "'" || c == "\\" {
                    let n = inner.index(after: i)
                    guard n < inner.endIndex, inner[n] == c else { return false }
                    i = inner.index(after: n)
                } else {
                    i = inner.index(after: i)
                }
            }
        }
        return true
    }
}
