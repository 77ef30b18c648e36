import XCTest
@testable import Search

final class QueryParserTests: XCTestCase {
    private func parse(_ q: String) throws -> ParsedQuery { try SearchQueryParser.parse(q) }

    private func term(_ tokens: [String], field: SearchField? = nil, prefix: Bool = false) -> SearchExpression {
        .term(SearchTerm(field: field, tokens: tokens, prefixLast: prefix))
    }

    /// Compares structure, ignoring each term's display text.
    private func assertExpression(_ q: String, _ expected: SearchExpression, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let parsed = try parse(q)
            XCTAssertEqual(parsed.expression.map(stripText), expected, q, file: file, line: line)
        } catch {
            XCTFail("\(q): \(error)", file: file, line: line)
        }
    }

    private func stripText(_ e: SearchExpression) -> SearchExpression {
        switch e {
        case .term(var t): t.text = t.tokens.joined(separator: " "); return .term(t)
        case .and(let c): return .and(c.map(stripText))
        case .or(let c): return .or(c.map(stripText))
        case .not(let c): return .not(stripText(c))
        }
    }

    private func assertError(_ q: String, _ expected: SearchQueryError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(q), q, file: file, line: line) { error in
            XCTAssertEqual(error as? SearchQueryError, expected, q, file: file, line: line)
        }
    }

    // MARK: Chinese terms

    func testOneCharacterIsAPrefix() {
        assertExpression("档", term(["档"], prefix: true))
    }

    func testTwoCharactersAreOneToken() {
        assertExpression("档案", term(["档案"]))
    }

    func testLongerRunIsThePhraseOfItsBigrams() {
        assertExpression("档案馆", term(["档案", "案馆"]))
        assertExpression("档案馆藏目录", term(["档案", "案馆", "馆藏", "藏目", "目录"]))
    }

    func testTraditionalQueryFoldsToSimplified() {
        assertExpression("檔案館", term(["档案", "案馆"]))
    }

    func testMixedWordKeepsInnerUnigrams() {
        // The index has 案 after 档案 when a Latin word follows.
        assertExpression("档案J012", term(["档案", "案", "j012"]))
        assertExpression("J012档", term(["j012", "档"], prefix: true))
        assertExpression("档J012", term(["档", "j012"]))
    }

    // MARK: Latin, codes, prefixes

    func testArchivalCodeIsAPhraseOfItsParts() {
        assertExpression("J012-WS·2015", term(["j012", "ws", "2015"]))
        assertExpression("ＪＯ１２", term(["jo12"]))
    }

    func testExplicitPrefix() {
        assertExpression("arch*", term(["arch"], prefix: true))
        assertExpression("\"records manage\"*", term(["records", "manage"], prefix: true))
        // A star inside a word is punctuation.
        assertExpression("a*b", term(["a", "b"]))
    }

    // MARK: Phrases

    func testQuotedPhrases() {
        assertExpression("\"exact phrase\"", term(["exact", "phrase"]))
        assertExpression("“档案 馆”", term(["档案", "案", "馆"], prefix: true))
        assertExpression("「檔案」", term(["档案"]))
        assertExpression("『会议纪要』", term(["会议", "议纪", "纪要"]))
        // Operators between quotes are words.
        assertExpression("\"a OR b\"", term(["a", "or", "b"]))
    }

    func testUnclosedQuoteRunsToTheEnd() {
        assertExpression("\"档案 馆", term(["档案", "案", "馆"], prefix: true))
        assertExpression("x \"", term(["x"]))
    }

    // MARK: Operators

    func testDefaultIsAnd() {
        assertExpression("档案 通知", .and([term(["档案"]), term(["通知"])]))
        assertExpression("档案 AND 通知", .and([term(["档案"]), term(["通知"])]))
        assertExpression("档案 && 通知", .and([term(["档案"]), term(["通知"])]))
        assertExpression("档案 与 通知", .and([term(["档案"]), term(["通知"])]))
    }

    func testOr() {
        assertExpression("档案 OR 文书", .or([term(["档案"]), term(["文书"])]))
        assertExpression("档案 | 文书", .or([term(["档案"]), term(["文书"])]))
        assertExpression("档案||文书", .or([term(["档案"]), term(["文书"])]))
        assertExpression("档案 或 文书", .or([term(["档案"]), term(["文书"])]))
    }

    func testAndBindsTighterThanOr() {
        assertExpression("a b OR c", .or([.and([term(["a"]), term(["b"])]), term(["c"])]))
    }

    func testLowerCaseOperatorWordsAreWords() {
        assertExpression("war and peace", .and([term(["war"]), term(["and"]), term(["peace"])]))
    }

    func testNot() {
        assertExpression("档案 -草稿", .and([term(["档案"]), .not(term(["草稿"]))]))
        assertExpression("档案 NOT 草稿", .and([term(["档案"]), .not(term(["草稿"]))]))
        assertExpression("档案 非 草稿", .and([term(["档案"]), .not(term(["草稿"]))]))
        assertExpression("档案 -\"会议 纪要\"", .and([term(["档案"]), .not(term(["会议", "议", "纪要"]))]))
        assertExpression("档案 -(a OR b)", .and([term(["档案"]), .not(.or([term(["a"]), term(["b"])]))]))
        // Double negation cancels.
        assertExpression("档案 --草稿", .and([term(["档案"]), term(["草稿"])]))
        // A hyphen inside a word is not an exclusion.
        assertExpression("2010-2015", term(["2010", "2015"]))
    }

    func testParentheses() {
        assertExpression("(a OR b) c", .and([.or([term(["a"]), term(["b"])]), term(["c"])]))
        assertExpression("((((a))))", term(["a"]))
    }

    // MARK: Fields

    func testFieldFilters() {
        assertExpression("题名:档案", term(["档案"], field: .title))
        assertExpression("责任者：办公室", term(["办公", "公室"], field: .creator))
        assertExpression("文号:〔2015〕12号", term(["2015", "12", "号"], field: .documentNumber, prefix: true))
        assertExpression("档号:J012-WS", term(["j012", "ws"], field: .archivalCode))
        assertExpression("全文:数字化", term(["数字", "字化"], field: .body))
    }

    func testEnglishAndTraditionalFieldNames() {
        assertExpression("title:hello", term(["hello"], field: .title))
        assertExpression("Creator:x", term(["x"], field: .creator))
        assertExpression("documentNumber:12", term(["12"], field: .documentNumber))
        assertExpression("number:12", term(["12"], field: .documentNumber))
        assertExpression("archivalCode:j012", term(["j012"], field: .archivalCode))
        assertExpression("code:j012", term(["j012"], field: .archivalCode))
        assertExpression("body:x", term(["x"], field: .body))
        assertExpression("題名:檔案", term(["档案"], field: .title))
    }

    func testFieldWithQuotedPhraseGroupOrSpace() {
        assertExpression("题名:\"档案 馆\"", term(["档案", "案", "馆"], field: .title, prefix: true))
        assertExpression("题名:(通知 OR 决定)", .or([term(["通知"], field: .title), term(["决定"], field: .title)]))
        assertExpression("题名: 通知", term(["通知"], field: .title))
        // An inner field wins.
        assertExpression("题名:(通知 责任者:办公室)", .and([term(["通知"], field: .title), term(["办公", "公室"], field: .creator)]))
    }

    func testFieldValueIsNeverAnOperator() {
        assertExpression("title:OR", term(["or"], field: .title))
    }

    func testUnknownFieldIsPunctuation() {
        assertExpression("http://example.org", term(["http", "example", "org"]))
        assertExpression("foo:bar", term(["foo", "bar"]))
    }

    func testDanglingFieldIsIgnored() {
        assertExpression("档案 题名:", term(["档案"]))
    }

    // MARK: Years

    func testYearFiltersAreStructured() throws {
        let q = try parse("年度:2010-2015 档案")
        XCTAssertEqual(q.years, [2010...2015])
        XCTAssertEqual(q.expression.map(stripText), term(["档案"]))
        XCTAssertEqual(try parse("年度:2012").years, [2012...2012])
        XCTAssertNil(try parse("年度:2012").expression)
        XCTAssertEqual(try parse("year:2010~2012").years, [2010...2012])
        XCTAssertEqual(try parse("年度：２０１０至２０１２").years, [2010...2012])
        XCTAssertEqual(try parse("年度:2010年-2012年").years, [2010...2012])
        XCTAssertEqual(try parse("年度:\"2010 - 2012\"").years, [2010...2012])
        XCTAssertEqual(try parse("年度:2010-").years, [2010...2999])
        XCTAssertEqual(try parse("年度:-1949").years, [1000...1949])
        XCTAssertEqual(try parse("(年度:2010 档案)").years, [2010...2010])
    }

    func testSeveralYearFiltersAllHold() throws {
        let q = try parse("年度:2010-2015 年度:2013-2020 档案")
        XCTAssertEqual(q.years, [2010...2015, 2013...2020])
        XCTAssertEqual(q.yearRange, 2013...2015)
        let none = try parse("年度:2010 年度:2012")
        XCTAssertNil(none.yearRange)
        XCTAssertFalse(none.yearsCanMatch)
    }

    func testBadYears() {
        assertError("年度:0-99999", .yearOutOfRange(0, allowed: 1000...2999))
        assertError("年度:20012", .yearOutOfRange(20012, allowed: 1000...2999))
        assertError("年度:2015-2010", .yearRangeReversed(from: 2015, to: 2010))
        assertError("年度:去年", .invalidYear("去年"))
        assertError("年度:2010-2012-2014", .invalidYear("2010-2012-2014"))
        assertError("年度:-", .invalidYear("-"))
        assertError("年度:99999999999999999999999", .invalidYear("99999999999999999999999"))
        assertError("年度:(2010)", .invalidYear("("))
        assertError("年度:2010 OR 档案", .yearFilterNotAllowedHere)
        assertError("档案 -年度:2010", .yearFilterNotAllowedHere)
    }

    // MARK: Search within results

    func testRefineAndsTheQueries() throws {
        let base = try parse("档案 年度:2010-2015")
        let refined = try SearchQueryParser.parse("通知 年度:2012-2020", within: base)
        XCTAssertEqual(refined.expression.map(stripText), .and([term(["档案"]), term(["通知"])]))
        XCTAssertEqual(refined.years, [2010...2015, 2012...2020])
        XCTAssertEqual(refined.yearRange, 2012...2015)
    }

    func testRefineWithOnlyAnExclusion() throws {
        let base = try parse("档案 OR 文书")
        let refined = try SearchQueryParser.parse("-草稿", within: base)
        XCTAssertEqual(refined.expression.map(stripText),
                       .and([.or([term(["档案"]), term(["文书"])]), .not(term(["草稿"]))]))
        let direct = try base.refined(by: ParsedQuery(expression: .not(term(["草稿"]))))
        XCTAssertEqual(direct.expression.map(stripText), refined.expression.map(stripText))
    }

    func testRefineOfAYearOnlyQueryStillNeedsSomethingPositive() throws {
        let base = try parse("年度:2012")
        XCTAssertThrowsError(try SearchQueryParser.parse("-草稿", within: base)) {
            XCTAssertEqual($0 as? SearchQueryError, .exclusionWithoutTerm)
        }
        XCTAssertThrowsError(try SearchQueryParser.parse("  ", within: base)) {
            XCTAssertEqual($0 as? SearchQueryError, .empty)
        }
    }

    func testRefineCountsTermsTogether() throws {
        let words = (1...20).map { "w\($0)" }.joined(separator: " ")
        let base = try parse(words)
        XCTAssertThrowsError(try SearchQueryParser.parse(words.uppercased(), within: base)) {
            XCTAssertEqual($0 as? SearchQueryError, .tooManyTerms(limit: 32))
        }
    }

    // MARK: Display

    func testTermsKeepTheFoldedTextForDisplay() throws {
        let q = try parse("題名:檔案館 J012-WS")
        XCTAssertEqual(q.expression?.terms.map(\.text), ["档案馆", "j012-ws"])
        XCTAssertEqual(q.description, "(title:\"档案 案馆\" AND \"j012 ws\")")
    }

    func testErrorsHaveCodesAndBothLanguages() {
        let errors: [SearchQueryError] = [
            .empty, .tooLong(limit: 256), .tooManyTerms(limit: 32), .exclusionWithoutTerm,
            .invalidYear("x"), .yearOutOfRange(0, allowed: 1000...2999),
            .yearRangeReversed(from: 2015, to: 2010), .yearFilterNotAllowedHere,
        ]
        XCTAssertEqual(Set(errors.map(\.code)).count, errors.count)
        for e in errors {
            XCTAssertFalse(e.messageZh.isEmpty)
            XCTAssertFalse(e.messageEn.isEmpty)
            XCTAssertTrue(e.messageZh.unicodeScalars.contains { $0.value >= 0x4E00 }, e.messageZh)
            XCTAssertEqual(e.message, "\(e.messageZh) / \(e.messageEn)")
            XCTAssertEqual(e.localizedDescription, e.messageEn)
        }
        XCTAssertEqual(SearchQueryError.yearRangeReversed(from: 2015, to: 2010).messageZh,
                       "年度范围2015-2010起始晚于截止，请写成 年度:2010-2015")
    }
}
