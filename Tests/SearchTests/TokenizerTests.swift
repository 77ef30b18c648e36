import XCTest
@testable import Search

final class TokenizerTests: XCTestCase {
    func testCJKRunGivesBigramsThenItsLastCharacter() {
        XCTAssertEqual(SearchTokenizer.indexTokens("档案馆"), ["档案", "案馆", "馆"])
        XCTAssertEqual(SearchTokenizer.indexTokens("档案"), ["档案", "案"])
        XCTAssertEqual(SearchTokenizer.indexTokens("档"), ["档"])
        XCTAssertEqual(SearchTokenizer.indexText("档案馆"), "档案 案馆 馆")
    }

    func testPunctuationAndSpacesSeparateRuns() {
        XCTAssertEqual(SearchTokenizer.indexText("档案，馆藏。"), "档案 案 馆藏 藏")
        XCTAssertEqual(SearchTokenizer.indexText("《档案法》（2020年修订）"), "档案 案法 法 2020 年修 修订 订")
    }

    func testTraditionalTextIndexesAsSimplified() {
        XCTAssertEqual(SearchTokenizer.indexText("臺灣省檔案"), "台湾 湾省 省档 档案 案")
    }

    func testLatinWordsAndNumbers() {
        XCTAssertEqual(SearchTokenizer.indexText("Hello, World! ＡＢＣ１２３ café"), "hello world abc123 café")
        XCTAssertEqual(SearchTokenizer.indexText("3.14 2015-03-01"), "3 14 2015 03 01")
    }

    func testMixedChineseAndLatin() {
        XCTAssertEqual(SearchTokenizer.indexText("关于2015年ISO标准"), "关于 于 2015 年 iso 标准 准")
        XCTAssertEqual(SearchTokenizer.indexText("第3号"), "第 3 号")
    }

    func testArchivalCodeBecomesAdjacentParts() {
        XCTAssertEqual(SearchTokenizer.indexText("J012-WS·2015-Y-BGS-0001"), "j012 ws 2015 y bgs 0001")
        XCTAssertEqual(SearchTokenizer.indexText("Ｊ０１２－ＷＳ・２０１５"), "j012 ws 2015")
    }

    func testDocumentNumberWithBrackets() {
        // 文号 like 京政发〔2015〕12号.
        XCTAssertEqual(SearchTokenizer.indexText("京政发〔2015〕12号"), "京政 政发 发 2015 12 号")
    }

    func testKanaHangulAndIterationMarks() {
        XCTAssertEqual(SearchTokenizer.indexText("アーカイブ"), "アー ーカ カイ イブ ブ")
        XCTAssertEqual(SearchTokenizer.indexText("기록관"), "기록 록관 관")
        XCTAssertEqual(SearchTokenizer.indexText("人々 〇号"), "人々 々 〇号 号")
    }

    func testSupplementaryIdeographsAreCJK() {
        XCTAssertEqual(SearchTokenizer.indexTokens("𠀀𪜀"), ["𠀀𪜀", "𪜀"])
    }

    func testEmojiSymbolsAndMarksDoNotEnterTokens() {
        XCTAssertEqual(SearchTokenizer.indexText("档案📁馆 ★ ©2015"), "档案 案 馆 2015")
        XCTAssertEqual(SearchTokenizer.indexText("İstanbul"), "istanbul")
        XCTAssertEqual(SearchTokenizer.indexText("档\u{FE00}案"), "档案 案")
    }

    func testEmptyAndPunctuationOnly() {
        XCTAssertEqual(SearchTokenizer.indexTokens(""), [])
        XCTAssertEqual(SearchTokenizer.indexText("。，、！？ -- ***"), "")
    }

    func testLongWordsAreCutIntoAdjacentPieces() {
        let word = String(repeating: "a", count: 150)
        let tokens = SearchTokenizer.indexTokens(word)
        XCTAssertEqual(tokens.map(\.count), [64, 64, 22])
    }

    func testTokensHoldOnlyLettersAndDigits() {
        let text = "J012-WS·2015 档案：“馆藏” café_ü/x@y.z <b>&amp; 'q' \"r\" \\ tab\tnew\nline ﹏ ｛｝"
        for token in SearchTokenizer.indexTokens(text) {
            XCTAssertFalse(token.isEmpty)
            for s in token.unicodeScalars {
                let ok = (s.value < 0x80 && (s.properties.isAlphabetic || ("0"..."9").contains(s)))
                    || (s.value >= 0x80 && s.properties.isAlphabetic)
                XCTAssertTrue(ok, "token \(token) holds \(s)")
            }
        }
    }

    func testChunksStayBelowPostgresLimitsAndOverlap() {
        let text = String(repeating: "档案馆藏 ", count: 300)  // 档案 repeats 300 times
        let chunks = SearchTokenizer.indexTextChunks(text, maxTokens: 1_000, overlap: 10)
        XCTAssertGreaterThan(chunks.count, 1)
        for chunk in chunks {
            let tokens = chunk.split(separator: " ")
            XCTAssertLessThanOrEqual(tokens.count, 1_000)
            XCTAssertLessThanOrEqual(tokens.filter { $0 == "档案" }.count, 256)
        }
        let first = chunks[0].split(separator: " "), second = chunks[1].split(separator: " ")
        XCTAssertEqual(Array(first.suffix(10)), Array(second.prefix(10)))
        XCTAssertEqual(SearchTokenizer.indexTextChunks("档案"), ["档案 案"])
        XCTAssertEqual(SearchTokenizer.indexTextChunks("！"), [])
    }

    func testTokenizingIsLinear() {
        // A guard against accidental quadratic work (string index offsets, repeated copies),
        // not a benchmark: ten times the text may take at most ~40 times as long (quadratic
        // work would take ~100 times).
        let unit = "关于J012-WS·2015-Y-BGS-0001號檔案的說明，ＡＢＣ１２３ Café résumé。\n"
        let small = String(repeating: unit, count: 500)
        let large = String(repeating: unit, count: 5_000)
        _ = SearchTokenizer.indexText(small)  // warm up the table
        func time(_ text: String) -> Double {
            let t0 = Date()
            _ = SearchTokenizer.indexText(text)
            return Date().timeIntervalSince(t0)
        }
        let ts = max(time(small), 0.0005), tl = time(large)
        XCTAssertLessThan(tl / ts, 40, "small \(ts)s, large \(tl)s")
    }
}
