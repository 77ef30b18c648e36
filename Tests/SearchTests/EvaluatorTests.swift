import XCTest
@testable import Search

/// The reference semantics on a known catalogue: these hits are written out by hand, so the
/// engine test that compares FTS5 with the evaluator does not compare two wrong answers.
final class EvaluatorTests: XCTestCase {
    private func hits(_ q: String) throws -> [Int] {
        let query = try SearchQueryParser.parse(q)
        return SearchFixtures.records.filter { query.matches($0.document) }.map(\.id)
    }

    func testChineseTerms() throws {
        XCTAssertEqual(try hits("档案馆"), [1, 2])
        XCTAssertEqual(try hits("檔案館"), [1, 2])
        XCTAssertEqual(try hits("馆藏"), [1, 2])
        XCTAssertEqual(try hits("档"), [1, 2, 4, 5, 6, 8])
        XCTAssertEqual(try hits("第一档节目"), [6])
        XCTAssertEqual(try hits("一档"), [6])
        XCTAssertEqual(try hits("台湾"), [2])
    }

    func testAdjacencyAcrossPunctuationButNotAcrossRuns() throws {
        // 结婚证明，跨馆出证: 结婚证明 is one run.
        XCTAssertEqual(try hits("结婚证明"), [5])
        XCTAssertEqual(try hits("证明 结婚"), [5])
        XCTAssertEqual(try hits("明跨"), [])
        // 档 案 (two runs in record 8) is not 档案.
        XCTAssertEqual(try hits("\"档 案\""), [8])
        XCTAssertEqual(try hits("题名:档案"), [1, 2, 5])
    }

    func testCodesAndNumbers() throws {
        XCTAssertEqual(try hits("J012-WS·2015"), [1])
        XCTAssertEqual(try hits("J012"), [1, 3, 4, 6])
        XCTAssertEqual(try hits("档号:J012"), [1, 3])
        // Not across columns (record 6 has j012 | ws in title | creator).
        XCTAssertEqual(try hits("\"j012 ws\""), [1])
        XCTAssertEqual(try hits("J012 WS"), [1, 6])
        XCTAssertEqual(try hits("文号:〔2015〕12号"), [1])
        XCTAssertEqual(try hits("ＡＢＣ１２３"), [8])
    }

    func testLatin() throws {
        XCTAssertEqual(try hits("archive*"), [3])
        XCTAssertEqual(try hits("\"records management\""), [3])
        XCTAssertEqual(try hits("CAFÉ"), [3])
        XCTAssertEqual(try hits("resume"), [])
    }

    func testBoolean() throws {
        XCTAssertEqual(try hits("档案 -草稿"), [1, 2, 5])
        XCTAssertEqual(try hits("档案 OR 婚姻"), [1, 2, 4, 5])
        XCTAssertEqual(try hits("(档案 OR 婚姻) 2015"), [1])
        XCTAssertEqual(try hits("题名:(档案 OR 纪要) -题名:草稿"), [1, 2, 5])
        XCTAssertEqual(try hits("records -evidence"), [])
    }

    func testYears() throws {
        XCTAssertEqual(try hits("年度:2015"), [1, 3])
        XCTAssertEqual(try hits("年度:2010-2015 档号:J012"), [1, 3])
        XCTAssertEqual(try hits("年度:2015 年度:2010"), [])
        // Record 6 has no year: never a hit of a year filter.
        XCTAssertEqual(try hits("第一档"), [6])
        XCTAssertEqual(try hits("年度:1000-2999 第一档"), [])
    }

    func testDocumentsFromStoredIndexText() {
        let record = SearchFixtures.records[0]
        let stored = SearchDocument(indexTexts: record.texts.mapValues(SearchTokenizer.indexText), year: record.year)
        XCTAssertEqual(stored, record.document)
    }
}
