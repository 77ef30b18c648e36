import XCTest
@testable import Search

final class SnippetTests: XCTestCase {
    private func snippet(_ text: String, _ q: String, _ maxLength: Int = 200, field: SearchField? = nil) throws -> String {
        let segments = Snippet.make(text: text, query: try SearchQueryParser.parse(q), maxLength: maxLength, field: field)
        return segments.map(\.description).joined()
    }

    func testTraditionalTextHighlightsForSimplifiedQuery() throws {
        XCTAssertEqual(try snippet("本館所藏檔案，計有公文。", "档案"), "本館所藏[檔案]，計有公文。")
        XCTAssertEqual(try snippet("檔案館藏目錄", "档案馆"), "[檔案館]藏目錄")
        let segments = Snippet.make(text: "檔案", query: try SearchQueryParser.parse("档案"), maxLength: 10)
        XCTAssertEqual(segments, [SnippetSegment(text: "檔案", isHighlighted: true)])
    }

    func testOneCharacterPrefixHighlightsOnlyThatCharacter() throws {
        XCTAssertEqual(try snippet("档号与档案，档", "档"), "[档]号与[档]案，[档]")
        XCTAssertEqual(try snippet("Archives and archival work", "archiv*"), "[Archiv]es and [archiv]al work")
    }

    func testPhraseHighlightIncludesPunctuationInside() throws {
        XCTAssertEqual(try snippet("档号 J012-WS·2015-Y-BGS-0001", "J012-WS·2015"), "档号 [J012-WS·2015]-Y-BGS-0001")
    }

    func testFullWidthAndCase() throws {
        XCTAssertEqual(try snippet("ＡＢＣ１２３全角 Café", "abc123 CAFÉ"), "[ＡＢＣ１２３]全角 [Café]")
    }

    func testExcludedTermsAreNotHighlighted() throws {
        XCTAssertEqual(try snippet("档案草稿", "档案 -草稿"), "[档案]草稿")
    }

    func testFieldRestrictedTermsOnlyInTheirField() throws {
        let q = "题名:档案 全文:通知 办法"
        XCTAssertEqual(try snippet("档案管理办法的通知", q, field: .body), "档案管理[办法]的[通知]")
        XCTAssertEqual(try snippet("档案管理办法的通知", q, field: .title), "[档案]管理[办法]的通知")
        XCTAssertEqual(try snippet("档案管理办法的通知", q), "[档案]管理[办法]的[通知]")
    }

    func testOverlappingMatchesMerge() throws {
        XCTAssertEqual(try snippet("档案馆", "档案 案馆"), "[档案馆]")
    }

    func testLongTextIsCutAroundTheMatchesWithEllipses() throws {
        let filler = String(repeating: "这是一段没有关系的文字。", count: 20)  // 240 characters
        let text = filler + "关于档案工作的通知" + filler
        let segments = Snippet.make(text: text, query: try SearchQueryParser.parse("档案"), maxLength: 40)
        XCTAssertEqual(segments.first?.text.hasPrefix(Snippet.ellipsis), true)
        XCTAssertEqual(segments.last?.text.hasSuffix(Snippet.ellipsis), true)
        XCTAssertEqual(segments.filter(\.isHighlighted).map(\.text), ["档案"])
        let shown = segments.map(\.text).joined()
        XCTAssertLessThanOrEqual(shown.count, 40 + 2)
        // The match is roughly centred.
        let before = segments.firstIndex { $0.isHighlighted }.map { segments[..<$0].map(\.text).joined().count } ?? 0
        XCTAssertGreaterThan(before, 10)
    }

    func testWindowWithMostMatchesWins() throws {
        let filler = String(repeating: "无关文字。", count: 30)
        let text = "档案" + filler + "档案与档案和档案" + filler
        let segments = Snippet.make(text: text, query: try SearchQueryParser.parse("档案"), maxLength: 30)
        XCTAssertEqual(segments.filter(\.isHighlighted).count, 3)
    }

    func testNoMatchShowsTheStart() throws {
        let text = String(repeating: "甲乙丙丁", count: 20)
        let segments = Snippet.make(text: text, query: try SearchQueryParser.parse("档案"), maxLength: 10)
        XCTAssertEqual(segments, [SnippetSegment(text: "甲乙丙丁甲乙丙丁甲乙" + Snippet.ellipsis, isHighlighted: false)])
        XCTAssertEqual(try snippet("短文", "档案", 10), "短文")
    }

    func testCutsDoNotSplitLatinWordsOrCombiningSequences() throws {
        let text = "records management " + String(repeating: "x", count: 3) + " archives of the city council and more words here"
        let shown = Snippet.make(text: text, query: try SearchQueryParser.parse("archives"), maxLength: 30)
            .map(\.text).joined()
        for piece in shown.split(separator: " ") {
            let word = piece.replacingOccurrences(of: Snippet.ellipsis, with: "")
            XCTAssertTrue(text.split(separator: " ").contains(Substring(word)) || word.isEmpty, "cut word \(word) in \(shown)")
        }
        let accents = String(repeating: "e\u{301}", count: 30) + "档案"
        for segment in Snippet.make(text: accents, query: try SearchQueryParser.parse("档案"), maxLength: 9) {
            XCTAssertFalse(segment.text.replacingOccurrences(of: Snippet.ellipsis, with: "").unicodeScalars.first == "\u{301}")
        }
    }

    func testDegenerateInputs() throws {
        let q = try SearchQueryParser.parse("档案")
        XCTAssertEqual(Snippet.make(text: "", query: q, maxLength: 10), [])
        XCTAssertFalse(Snippet.make(text: "档案馆", query: q, maxLength: 0).isEmpty)
        XCTAssertFalse(Snippet.make(text: "档案馆", query: q, maxLength: -5).isEmpty)
        XCTAssertEqual(Snippet.make(text: "档案", query: try SearchQueryParser.parse("年度:2012"), maxLength: 10),
                       [SnippetSegment(text: "档案", isHighlighted: false)])
        // A match longer than the window shows its beginning.
        let long = try SearchQueryParser.parse(String(repeating: "档案馆", count: 10))
        let segments = Snippet.make(text: "前" + String(repeating: "档案馆", count: 10), query: long, maxLength: 5)
        XCTAssertEqual(segments.first(where: \.isHighlighted)?.text, "档案馆档案")
    }

    func testHighlightOffsets() throws {
        let q = try SearchQueryParser.parse("档案")
        XCTAssertEqual(Snippet.highlightOffsets(in: "檔案與档案", query: q), [0..<2, 3..<5])
    }
}
