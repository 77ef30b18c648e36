import XCTest
import ArchiveKit

/// 档号 (DA/T 13): the code printed on boxes, cited by researchers and used as a lookup key.
/// Its format must never drift, and parsing must accept exactly what formatting writes.
final class ArchivalCodeTests: XCTestCase {
    /// The separator between fonds-category and the rest is U+00B7 MIDDLE DOT.
    private let dot = "\u{00B7}"

    private func code(_ fonds: String = "J012", _ category: String = "WS", _ year: Int = 2015,
                      _ retention: Retention = .permanent, org: String = "", number: Int,
                      position: Int? = nil) -> ArchivalCode {
        ArchivalCode(group: .init(fonds: fonds, category: category, year: year, retention: retention,
                                  organisation: org),
                     number: number, position: position)
    }

    // MARK: - Formatting

    func testFormatsItemWithOrganisation() {
        XCTAssertEqual(code(org: "BGS", number: 1).description, "J012-WS·2015-Y-BGS-0001")
    }

    func testFormatsWithoutOrganisationLeavingOutItsHyphen() {
        XCTAssertEqual(code(number: 1).description, "J012-WS·2015-Y-0001")
    }

    func testFormatsItemInFile() {
        let c = code("J012", "KJ", 2015, .thirtyYears, org: "JJK", number: 3, position: 7)
        XCTAssertEqual(c.description, "J012-KJ·2015-D30-JJK-0003-007")
    }

    func testFormatsItemInFileWithoutOrganisation() {
        XCTAssertEqual(code(number: 12, position: 45).description, "J012-WS·2015-Y-0012-045")
    }

    func testSeparatorIsMiddleDot() {
        let s = code(org: "BGS", number: 1).description
        XCTAssertTrue(s.unicodeScalars.contains("\u{00B7}"), "档号 must use U+00B7 between category and year")
        XCTAssertEqual(s.components(separatedBy: dot).count, 2)
    }

    func testRetentionLettersInCode() {
        XCTAssertEqual(code("J012", "WS", 2015, .permanent, number: 1).description, "J012-WS·2015-Y-0001")
        XCTAssertEqual(code("J012", "WS", 2015, .thirtyYears, number: 1).description, "J012-WS·2015-D30-0001")
        XCTAssertEqual(code("J012", "WS", 2015, .tenYears, number: 1).description, "J012-WS·2015-D10-0001")
    }

    func testNumbersArePaddedToFourAndPositionsToThreeDigits() {
        XCTAssertEqual(code(number: 9).description, "J012-WS·2015-Y-0009")
        XCTAssertEqual(code(number: 123).description, "J012-WS·2015-Y-0123")
        XCTAssertEqual(code(number: 9999).description, "J012-WS·2015-Y-9999")
        XCTAssertEqual(code(number: 1, position: 1).description, "J012-WS·2015-Y-0001-001")
        XCTAssertEqual(code(number: 1, position: 999).description, "J012-WS·2015-Y-0001-999")
    }

    func testGroupDescriptionIsThePrefixOfEveryCodeInIt() {
        let group = ArchivalCode.Group(fonds: "J012", category: "WS", year: 2015, retention: .permanent,
                                       organisation: "BGS")
        XCTAssertEqual(group.description, "J012-WS·2015-Y-BGS")
        XCTAssertEqual(ArchivalCode.Group(fonds: "J012", category: "WS", year: 2015, retention: .tenYears,
                                          organisation: "").description, "J012-WS·2015-D10")
        for n in [1, 2, 57, 9999] {
            XCTAssertTrue(ArchivalCode(group: group, number: n).description.hasPrefix(group.description + "-"))
        }
    }

    // MARK: - Parsing

    func testParsesTheDocumentedExamples() throws {
        let a = try XCTUnwrap(ArchivalCode(parsing: "J012-WS·2015-Y-BGS-0001"))
        XCTAssertEqual(a.group.fonds, "J012")
        XCTAssertEqual(a.group.category, "WS")
        XCTAssertEqual(a.group.year, 2015)
        XCTAssertEqual(a.group.retention, .permanent)
        XCTAssertEqual(a.group.organisation, "BGS")
        XCTAssertEqual(a.number, 1)
        XCTAssertNil(a.position)

        let b = try XCTUnwrap(ArchivalCode(parsing: "J012-WS·2015-Y-0001"))
        XCTAssertEqual(b.group.organisation, "")
        XCTAssertEqual(b.number, 1)
        XCTAssertNil(b.position)

        let c = try XCTUnwrap(ArchivalCode(parsing: "J012-KJ·2015-D30-JJK-0003-007"))
        XCTAssertEqual(c.group.category, "KJ")
        XCTAssertEqual(c.group.retention, .thirtyYears)
        XCTAssertEqual(c.group.organisation, "JJK")
        XCTAssertEqual(c.number, 3)
        XCTAssertEqual(c.position, 7)
    }

    func testParsesItemInFileWithoutOrganisation() throws {
        // Two parts after the retention: a 4-digit number and a 3-digit position, not organisation + number.
        let c = try XCTUnwrap(ArchivalCode(parsing: "J012-WS·2015-Y-0003-007"))
        XCTAssertEqual(c.group.organisation, "")
        XCTAssertEqual(c.number, 3)
        XCTAssertEqual(c.position, 7)
    }

    func testParsesAlphanumericOrganisationThatStartsWithDigits() throws {
        let c = try XCTUnwrap(ArchivalCode(parsing: "J012-WS·2015-Y-0001A-0002"))
        XCTAssertEqual(c.group.organisation, "0001A")
        XCTAssertEqual(c.number, 2)
        XCTAssertNil(c.position)
    }

    func testRoundTripOverManyCombinations() {
        let fondses = ["J012", "X003", "0127", "A", "J12345678901"]
        let categories = ["WS", "KJ", "Z", "ABCD"]
        let years = [1000, 1949, 2015, 2100]
        let organisations = ["", "BGS", "JJK", "A1", "2B", "0001A", "ABCDEFGHIJ"]
        let numbers = [1, 9, 10, 100, 999, 1000, 9999]
        let positions: [Int?] = [nil, 1, 7, 10, 999]

        var seen = Set<String>()
        var count = 0
        for fonds in fondses {
            for category in categories {
                for year in years {
                    for retention in Retention.allCases {
                        for org in organisations {
                            for number in numbers {
                                for position in positions {
                                    let c = code(fonds, category, year, retention, org: org, number: number,
                                                 position: position)
                                    let text = c.description
                                    guard let parsed = ArchivalCode(parsing: text) else {
                                        XCTFail("could not parse its own output \(text)")
                                        return
                                    }
                                    if parsed != c {
                                        XCTFail("round trip changed \(text): got \(parsed)")
                                        return
                                    }
                                    XCTAssertEqual(parsed.description, text)
                                    seen.insert(text)
                                    count += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        XCTAssertEqual(count, 5 * 4 * 4 * 3 * 7 * 7 * 5)
        // Different codes never format alike (otherwise two records would share a 档号).
        XCTAssertEqual(seen.count, count)
    }

    func testRejectsMalformedStrings() {
        let malformed: [(String, String)] = [
            ("", "empty"),
            (" ", "blank"),
            (dot, "separator only"),
            ("J012-WS·2015-Y-BGS-0001 ", "trailing space"),
            (" J012-WS·2015-Y-BGS-0001", "leading space"),
            ("J012-WS·2015-Y-BGS-0001\n", "trailing newline"),
            // wrong separators
            ("J012-WS-2015-Y-BGS-0001", "hyphen instead of middle dot"),
            ("J012-WS.2015-Y-BGS-0001", "full stop instead of middle dot"),
            ("J012-WS\u{30FB}2015-Y-BGS-0001", "katakana middle dot"),
            ("J012-WS\u{2022}2015-Y-BGS-0001", "bullet"),
            ("J012·WS·2015-Y-BGS-0001", "middle dot instead of first hyphen"),
            ("J012_WS·2015_Y_BGS_0001", "underscores"),
            ("J012-WS·2015/Y/BGS/0001", "slashes"),
            ("J012-WS·2015-Y-BGS-0001·2", "second middle dot"),
            ("J012-WS·2015-Y-B GS-0001", "space inside organisation"),
            // numbers of the wrong width or value
            ("J012-WS·2015-Y-BGS-001", "3-digit number"),
            ("J012-WS·2015-Y-001", "3-digit number without organisation"),
            ("J012-WS·2015-Y-BGS-00001", "5-digit number padded with a zero"),
            ("J012-WS·2015-Y-0001-07", "2-digit position"),
            ("J012-WS·2015-Y-0001-0007", "4-digit position padded with a zero"),
            ("J012-WS·2015-Y-BGS-0000", "number 0000"),
            ("J012-WS·2015-Y-0000", "number 0000 without organisation"),
            ("J012-KJ·2015-D30-JJK-0003-000", "position 000"),
            ("J012-WS·2015-Y-BGS-０００１", "full-width digits in number"),
            ("J012-WS·2015-Y-BGS-+001", "signed number"),
            // year
            ("J012-WS·15-Y-0001", "2-digit year"),
            ("J012-WS·02015-Y-0001", "5-digit year"),
            ("J012-WS·+201-Y-0001", "signed year"),
            ("J012-WS·２０１５-Y-0001", "full-width year"),
            ("J012-WS·201X-Y-0001", "letter in year"),
            // retention
            ("J012-WS·2015-X-BGS-0001", "unknown retention letter"),
            ("J012-WS·2015-y-BGS-0001", "lowercase retention"),
            ("J012-WS·2015-d30-BGS-0001", "lowercase D30"),
            ("J012-WS·2015-D20-BGS-0001", "D20 is not a retention"),
            ("J012-WS·2015-30y-BGS-0001", "API code instead of code letter"),
            ("J012-WS·2015-永久-BGS-0001", "Chinese term instead of code letter"),
            ("J012-WS·2015--BGS-0001", "empty retention"),
            // lowercase and other bad parts
            ("j012-WS·2015-Y-BGS-0001", "lowercase fonds"),
            ("J012-ws·2015-Y-BGS-0001", "lowercase category"),
            ("J012-WS·2015-Y-bgs-0001", "lowercase organisation"),
            ("j012-ws·2015-y-bgs-0001", "all lowercase"),
            ("-WS·2015-Y-0001", "empty fonds"),
            ("J012-·2015-Y-0001", "empty category"),
            ("J012-WS·2015-Y--0001", "empty organisation with its hyphen"),
            ("J012--WS·2015-Y-0001", "double hyphen"),
            ("J012WS·2015-Y-0001", "missing hyphen in head"),
            ("J012-WSABC·2015-Y-0001", "5-letter category"),
            ("J012-W1·2015-Y-0001", "digit in category"),
            ("J012-文书·2015-Y-0001", "Chinese category"),
            ("J123456789012-WS·2015-Y-0001", "13-character fonds"),
            ("J012-WS·2015-Y-ABCDEFGHIJK-0001", "11-character organisation"),
            ("J012-WS·2015-Y-123-0001", "all-digit organisation"),
            ("J012-WS·2015-Y-办公室-0001", "Chinese organisation"),
            // SQL-ish
            ("J012-WS·2015-Y-BGS-0001'; DROP TABLE records; --", "SQL injection after a valid code"),
            ("' OR '1'='1", "SQL tautology"),
            ("J012-WS·2015-Y-BGS-0001' OR '1'='1", "SQL tautology after a valid code"),
            ("%' OR 1=1 --", "LIKE injection"),
            ("J012-WS·2015-Y-BGS-0001;", "trailing semicolon"),
            ("J012-WS·2015-Y-BGS-%", "wildcard number"),
            // missing or extra parts
            ("J012-WS·2015-Y-BGS", "no number"),
            ("J012-WS·2015-Y", "no number, no organisation"),
            ("J012-WS·2015", "no retention"),
            ("J012-WS·", "nothing after the dot"),
            ("J012-WS", "head only"),
            ("J012-WS·2015-Y-BGS-0001-", "trailing hyphen"),
            ("-J012-WS·2015-Y-BGS-0001", "leading hyphen"),
            ("J012-WS·2015-Y-BGS-0001-007-001", "extra part after position"),
            ("J012-WS·2015-Y-BGS-X-0001", "extra part before number"),
            ("J012-WS·2015-Y-BGS-0001-ABC", "letters as position"),
            ("J012-WS-X·2015-Y-0001", "extra part in head"),
            ("J012-WS·2015-Y-BGS-0001-007\u{0}", "NUL"),
        ]
        for (text, why) in malformed {
            XCTAssertNil(ArchivalCode(parsing: text), "should reject \(why): \(text.debugDescription)")
        }
    }

    func testParsedCodeEqualsBuiltCodeAndDiffersFromNeighbours() {
        let a = ArchivalCode(parsing: "J012-WS·2015-Y-BGS-0001")
        XCTAssertEqual(a, code(org: "BGS", number: 1))
        XCTAssertNotEqual(a, code(org: "BGS", number: 2))
        XCTAssertNotEqual(a, code(org: "BGT", number: 1))
        XCTAssertNotEqual(a, code(org: "BGS", number: 1, position: 1))
        XCTAssertNotEqual(a, code("J012", "WS", 2015, .tenYears, org: "BGS", number: 1))
    }

    // MARK: - fileCode

    func testFileCodeOfAnItemInAFile() throws {
        let item = try XCTUnwrap(ArchivalCode(parsing: "J012-KJ·2015-D30-JJK-0003-007"))
        let file = try XCTUnwrap(item.fileCode)
        XCTAssertEqual(file.description, "J012-KJ·2015-D30-JJK-0003")
        XCTAssertNil(file.position)
        XCTAssertEqual(file.group, item.group)
        XCTAssertEqual(file.number, 3)
        XCTAssertEqual(file, ArchivalCode(parsing: "J012-KJ·2015-D30-JJK-0003"))
    }

    func testFileCodeOfItemsInTheSameFileIsTheSame() {
        let files = Set((1...20).compactMap { code(org: "BGS", number: 5, position: $0).fileCode })
        XCTAssertEqual(files, [code(org: "BGS", number: 5)])
    }

    func testStandAloneRecordHasNoFileCode() throws {
        XCTAssertNil(try XCTUnwrap(ArchivalCode(parsing: "J012-WS·2015-Y-BGS-0001")).fileCode)
        XCTAssertNil(try XCTUnwrap(ArchivalCode(parsing: "J012-WS·2015-Y-0001")).fileCode)
    }

    // MARK: - Part rules

    func testOrganisationCodeRules() {
        for ok in ["BGS", "JJK", "A", "A1", "1A", "ABCDEFGHIJ"] {
            XCTAssertTrue(OrganisationCode.isWellFormed(ok), ok)
        }
        // All-digit codes are refused so an organisation can never be read as a number.
        for bad in ["", "123", "0001", "bgs", "B-GS", "B GS", "ABCDEFGHIJK", "办公室", "ＢＧＳ"] {
            XCTAssertFalse(OrganisationCode.isWellFormed(bad), bad)
        }
    }

    func testFondsCodeRules() {
        for ok in ["J012", "X003", "0127", "A", "J12345678901"] {
            XCTAssertTrue(FondsCode.isWellFormed(ok), ok)
        }
        for bad in ["", "j012", "J-012", "J 012", "J·012", "J123456789012", "全宗1", "Ｊ012"] {
            XCTAssertFalse(FondsCode.isWellFormed(bad), bad)
        }
    }

    func testCategoryCodeRules() {
        for ok in ["WS", "KJ", "Z", "ABCD"] {
            XCTAssertTrue(CategoryCode.isWellFormed(ok), ok)
        }
        for bad in ["", "ws", "W1", "ABCDE", "W-S", "文书", "ＷＳ"] {
            XCTAssertFalse(CategoryCode.isWellFormed(bad), bad)
        }
        XCTAssertEqual(CategoryCode.standard(parsing: "文书")?.code, "WS")
        XCTAssertEqual(CategoryCode.standard(parsing: " kj ")?.code, "KJ")
        XCTAssertNil(CategoryCode.standard(parsing: "XX"))
    }
}

final class ArchivalCodeGrowthTests: XCTestCase {
    /// A group with more than 9,999 records keeps numbering: the code widens and still reads back.
    func testNumbersPastTheirWidthRoundTrip() {
        let g = ArchivalCode.Group(fonds: "J012", category: "WS", year: 2015, retention: .permanent, organisation: "BGS")
        for code in [ArchivalCode(group: g, number: 10_000), ArchivalCode(group: g, number: 12, position: 1_000)] {
            XCTAssertEqual(ArchivalCode(parsing: code.description), code, code.description)
        }
        XCTAssertEqual(ArchivalCode(group: g, number: 10_000).description, "J012-WS·2015-Y-BGS-10000")
    }
}
