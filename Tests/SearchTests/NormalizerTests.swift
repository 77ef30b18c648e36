import XCTest
@testable import Search

final class NormalizerTests: XCTestCase {
    func testFullWidthLettersAndDigitsBecomeASCIIAndLowerCase() {
        XCTAssertEqual(SearchNormalizer.normalize("ＡＢＣ１２３"), "abc123")
        XCTAssertEqual(SearchNormalizer.normalize("ＪＯ１２－ＷＳ：２０１５"), "jo12-ws:2015")
        XCTAssertEqual(SearchNormalizer.normalize("　"), " ")
    }

    func testCaseFolding() {
        XCTAssertEqual(SearchNormalizer.normalize("Archives CAFÉ Ωμέγα"), "archives café ωμέγα")
    }

    func testTraditionalFoldsToSimplified() {
        XCTAssertEqual(SearchNormalizer.normalize("檔案"), "档案")
        XCTAssertEqual(SearchNormalizer.normalize("臺灣"), "台湾")
        XCTAssertEqual(SearchNormalizer.normalize("國家檔案館藏"), "国家档案馆藏")
        XCTAssertEqual(SearchNormalizer.simplified("檔"), "档")
        XCTAssertEqual(SearchNormalizer.simplified("档"), "档")
        XCTAssertEqual(SearchNormalizer.simplified("a"), "a")
    }

    func testSimplifiedTextIsUnchanged() {
        let text = "关于2015年档案工作的通知"
        XCTAssertEqual(SearchNormalizer.normalize(text), text)
    }

    func testFoldingIsIdempotentAcrossTheWholeTable() {
        // Chains in the table (薴 → 苧 → 苎) are resolved by the generator.
        XCTAssertEqual(SearchNormalizer.normalize("薴"), "苎")
        for (traditional, simplified) in OpenCCTable.traditionalToSimplified {
            XCTAssertNil(OpenCCTable.traditionalToSimplified[simplified], "\(traditional) → \(simplified) is not final")
            XCTAssertGreaterThanOrEqual(traditional.value, OpenCCTable.smallestKey)
        }
        XCTAssertGreaterThan(OpenCCTable.traditionalToSimplified.count, 3_000)
    }

    func testTofuRiskLinesKeepTheOriginalCharacter() {
        // `㑮	㑮 𫝈`: OpenCC's first candidate is the character itself.
        XCTAssertEqual(SearchNormalizer.simplified("㑮"), "㑮")
    }

    func testCompatibilityCharactersAreSpeltOut() {
        XCTAssertEqual(SearchNormalizer.normalize("㈱ﬁ①Ⅻ"), "(株)fi1xii")
        // A CJK compatibility ideograph becomes the unified one.
        XCTAssertEqual(SearchNormalizer.normalize("\u{F92C}"), "\u{90CE}")
    }

    func testCombiningSequencesCompose() {
        XCTAssertEqual(SearchNormalizer.normalize("e\u{301}"), "é")
        XCTAssertEqual(SearchNormalizer.normalize("\u{1100}\u{1161}"), "가")
    }

    func testOtherDecimalDigitsBecomeASCII() {
        XCTAssertEqual(SearchNormalizer.normalize("٢٠١٥"), "2015")
        XCTAssertEqual(SearchNormalizer.normalize("१९४९"), "1949")
    }

    func testDefaultIgnorablesAreRemoved() {
        XCTAssertEqual(SearchNormalizer.normalize("档\u{200B}案\u{FEFF}"), "档案")
        XCTAssertEqual(SearchNormalizer.normalize("soft\u{AD}ware"), "software")
    }

    func testSourceOffsetsPointAtTheOriginalCharacters() {
        var seen: [(String, Range<Int>)] = []
        SearchNormalizer.forEachFoldedScalar(in: "檔㈱e\u{301}Ａ") { seen.append((String($0), $1)) }
        XCTAssertEqual(seen.map(\.0), ["档", "(", "株", ")", "é", "a"])
        XCTAssertEqual(seen.map(\.1), [0..<1, 1..<2, 1..<2, 1..<2, 2..<4, 4..<5])
    }
}
