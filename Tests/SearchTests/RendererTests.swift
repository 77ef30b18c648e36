import XCTest
@testable import Search

final class FTS5RendererTests: XCTestCase {
    private func fts5(_ q: String, _ renderer: FTS5Renderer = FTS5Renderer()) throws -> String? {
        try renderer.matchExpression(for: SearchQueryParser.parse(q))
    }

    func testTermsPhrasesAndPrefixes() throws {
        XCTAssertEqual(try fts5("档案"), "\"档案\"")
        XCTAssertEqual(try fts5("档案馆"), "\"档案 案馆\"")
        XCTAssertEqual(try fts5("档"), "\"档\"*")
        XCTAssertEqual(try fts5("J012档"), "\"j012 档\"*")
        XCTAssertEqual(try fts5("J012-WS·2015"), "\"j012 ws 2015\"")
        XCTAssertEqual(try fts5("arch*"), "\"arch\"*")
    }

    func testBooleanStructure() throws {
        XCTAssertEqual(try fts5("a b"), "\"a\" AND \"b\"")
        XCTAssertEqual(try fts5("a OR b c"), "\"a\" OR (\"b\" AND \"c\")")
        XCTAssertEqual(try fts5("(a OR b) c"), "(\"a\" OR \"b\") AND \"c\"")
        XCTAssertEqual(try fts5("(a OR b) (c OR d -e)"), "(\"a\" OR \"b\") AND (\"c\" OR (\"d\" NOT \"e\"))")
    }

    func testNotIsBinary() throws {
        XCTAssertEqual(try fts5("档案 -草稿"), "\"档案\" NOT \"草稿\"")
        XCTAssertEqual(try fts5("a b -c -d"), "(\"a\" AND \"b\") NOT \"c\" NOT \"d\"")
        XCTAssertEqual(try fts5("a -(b OR c)"), "\"a\" NOT (\"b\" OR \"c\")")
        XCTAssertEqual(try fts5("(a -b) OR c"), "(\"a\" NOT \"b\") OR \"c\"")
    }

    func testOnlyNegativeIsRefused() {
        XCTAssertThrowsError(try FTS5Renderer().matchExpression(for: ParsedQuery(expression: .not(.term(SearchTerm(tokens: ["a"])))))) {
            XCTAssertEqual($0 as? SearchQueryError, .exclusionWithoutTerm)
        }
    }

    func testFields() throws {
        XCTAssertEqual(try fts5("题名:档案 责任者:办公室"), "title : \"档案\" AND creator : \"办公 公室\"")
        XCTAssertEqual(try fts5("文号:12 档号:j012 全文:x"),
                       "documentNumber : \"12\" AND archivalCode : \"j012\" AND body : \"x\"")
        let custom = FTS5Renderer(columns: [.title: "ti", .documentNumber: "doc_no"])
        XCTAssertEqual(try fts5("题名:a 文号:b 责任者:c", custom), "ti : \"a\" AND doc_no : \"b\" AND creator : \"c\"")
    }

    func testYearOnlyQueryHasNoMatchExpression() throws {
        XCTAssertNil(try fts5("年度:2012"))
    }

    func testHostileTextIsQuoted() throws {
        XCTAssertEqual(try fts5("NEAR(a, b)"), "\"near\" AND \"a\" AND \"b\"")
        XCTAssertEqual(try fts5("\"AND\""), "\"and\"")
    }

    func testQuoteEscaping() {
        XCTAssertEqual(FTS5Renderer.quote("a\"b"), "\"a\"\"b\"")
        XCTAssertEqual(FTS5Renderer.quote("\\"), "\"\\\"")
        // Hand-built terms with quote characters stay inside their string.
        let term = SearchTerm(tokens: ["x\"y", "NEAR"])
        XCTAssertEqual(FTS5Renderer().render(.term(term)), "\"x\"\"y NEAR\"")
    }

    func testHandBuiltTermWithoutTokensIsRefused() {
        for term in [SearchTerm(tokens: []), SearchTerm(tokens: ["a", ""])] {
            XCTAssertThrowsError(try FTS5Renderer().matchExpression(for: ParsedQuery(expression: .term(term)))) {
                XCTAssertEqual($0 as? SearchQueryError, .empty)
            }
        }
    }

    func testColumnNamesAreChecked() {
        XCTAssertTrue(FTS5Renderer.isPlainIdentifier("documentNumber"))
        XCTAssertTrue(FTS5Renderer.isPlainIdentifier("_x1"))
        XCTAssertFalse(FTS5Renderer.isPlainIdentifier("1x"))
        XCTAssertFalse(FTS5Renderer.isPlainIdentifier("a b"))
        XCTAssertFalse(FTS5Renderer.isPlainIdentifier("near"))
        XCTAssertFalse(FTS5Renderer.isPlainIdentifier(""))
    }
}

final class PostgresRendererTests: XCTestCase {
    private func pg(_ q: String, _ renderer: PostgresRenderer = PostgresRenderer()) throws -> PostgresCondition? {
        try renderer.condition(for: SearchQueryParser.parse(q))
    }

    func testTSQueryText() throws {
        func ts(_ q: String) throws -> String {
            PostgresRenderer.tsquery(for: try SearchQueryParser.parse(q).expression!.terms[0])
        }
        XCTAssertEqual(try ts("档案"), "'档案'")
        XCTAssertEqual(try ts("档案馆"), "'档案' <-> '案馆'")
        XCTAssertEqual(try ts("档"), "'档':*")
        XCTAssertEqual(try ts("J012档"), "'j012' <-> '档':*")
        XCTAssertEqual(try ts("J012-WS·2015"), "'j012' <-> 'ws' <-> '2015'")
    }

    func testQuoting() {
        XCTAssertEqual(PostgresRenderer.quote("it's"), "'it''s'")
        XCTAssertEqual(PostgresRenderer.quote("a\\b"), "'a\\\\b'")
        XCTAssertEqual(PostgresRenderer.quote("\\'"), "'\\\\'''")
        XCTAssertEqual(PostgresRenderer.tsquery(for: SearchTerm(tokens: ["o'k", "x"], prefixLast: true)), "'o''k' <-> 'x':*")
    }

    func testFieldTermIsOnePredicate() throws {
        let c = try XCTUnwrap(try pg("题名:档案馆"))
        XCTAssertEqual(c.sql, "(search_title @@ to_tsquery('simple', $1))")
        XCTAssertEqual(c.binds, ["'档案' <-> '案馆'"])
    }

    func testUnfieldedTermTestsEveryColumn() throws {
        let c = try XCTUnwrap(try pg("档"))
        XCTAssertEqual(c.sql, "(search_title @@ to_tsquery('simple', $1) OR search_creator @@ to_tsquery('simple', $2)"
            + " OR search_document_number @@ to_tsquery('simple', $3) OR search_archival_code @@ to_tsquery('simple', $4)"
            + " OR search_body @@ to_tsquery('simple', $5))")
        XCTAssertEqual(c.binds, Array(repeating: "'档':*", count: 5))
    }

    func testBooleanStructureAndNot() throws {
        let c = try XCTUnwrap(try pg("题名:档案 (责任者:a OR 责任者:b) -题名:草稿"))
        XCTAssertEqual(c.sql, "((search_title @@ to_tsquery('simple', $1)) AND ((search_creator @@ to_tsquery('simple', $2))"
            + " OR (search_creator @@ to_tsquery('simple', $3))) AND NOT (search_title @@ to_tsquery('simple', $4)))")
        XCTAssertEqual(c.binds, ["'档案'", "'a'", "'b'", "'草稿'"])
    }

    func testPlaceholdersCanBeShiftedOrChanged() throws {
        let c = try XCTUnwrap(try pg("题名:a 题名:b"))
        XCTAssertEqual(c.sql { "$\($0 + 3)" },
                       "((search_title @@ to_tsquery('simple', $3)) AND (search_title @@ to_tsquery('simple', $4)))")
        XCTAssertEqual(c.sql { _ in "?" },
                       "((search_title @@ to_tsquery('simple', ?)) AND (search_title @@ to_tsquery('simple', ?)))")
        XCTAssertEqual(c.parts.filter { if case .bind = $0 { true } else { false } }.count, 2)
    }

    func testCustomTargets() throws {
        var targets: [SearchField: PostgresRenderer.FieldTarget] = [:]
        for f in SearchField.allCases { targets[f] = .column("t.\(f.snakeCaseName)_tsv") }
        targets[.body] = .predicate("EXISTS (SELECT 1 FROM body_chunks c WHERE c.item_id = t.id AND c.tokens @@ {tsquery})")
        let c = try XCTUnwrap(try pg("全文:档案", PostgresRenderer(targets: targets)))
        XCTAssertEqual(c.sql, "(EXISTS (SELECT 1 FROM body_chunks c WHERE c.item_id = t.id AND c.tokens @@ to_tsquery('simple', $1)))")
        XCTAssertEqual(try pg("文号:1", PostgresRenderer(targets: targets))?.sql,
                       "(t.document_number_tsv @@ to_tsquery('simple', $1))")
        XCTAssertEqual(PostgresRenderer(columnPrefix: "fts_").targets[.archivalCode], .column("fts_archival_code"))
    }

    func testYearOnlyAndRefusals() throws {
        XCTAssertNil(try pg("年度:2012"))
        XCTAssertThrowsError(try PostgresRenderer().condition(for: ParsedQuery(expression: .not(.term(SearchTerm(tokens: ["a"])))))) {
            XCTAssertEqual($0 as? SearchQueryError, .exclusionWithoutTerm)
        }
        XCTAssertThrowsError(try PostgresRenderer().condition(for: ParsedQuery())) {
            XCTAssertEqual($0 as? SearchQueryError, .empty)
        }
    }

    func testRankingQuery() throws {
        let q = try SearchQueryParser.parse("题名:档案馆 OR 档 -草稿")
        XCTAssertEqual(PostgresRenderer.rankingTSQuery(for: q), "('档案' <-> '案馆') | ('档':*)")
        XCTAssertNil(PostgresRenderer.rankingTSQuery(for: try SearchQueryParser.parse("年度:2012")))
    }

    func testSnakeCaseNames() {
        XCTAssertEqual(SearchField.allCases.map(\.snakeCaseName),
                       ["title", "creator", "document_number", "archival_code", "body"])
    }
}
