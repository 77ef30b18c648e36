import XCTest
import ArchiveKit

/// Resident identity numbers (GB 11643), other documents, masking and the keyed hash.
/// The valid numbers below were computed outside this code (ISO 7064 MOD 11-2 by hand in Python),
/// so the check here does not merely agree with itself.
final class IdentityNumberTests: XCTestCase {
    static let valid = [
        "11010519491231002X",  // the standard's own example, check character X
        "44030419900307107X",
        "320102200002290515",  // born on 29 February of a leap year
        "510107198506153810",
        "310115201211300091",
        "120101197001010026",
        "650102195508153035",
    ]

    private func error(_ text: String, today: CalendarDate? = nil) -> IdentityNumberError? {
        do {
            _ = try ResidentIdentityNumber(parsing: text, today: today)
            return nil
        } catch {
            return error
        }
    }

    func testValidNumbersParse() throws {
        for n in Self.valid {
            let id = try ResidentIdentityNumber(parsing: n)
            XCTAssertEqual(id.value, n)
        }
        let id = try ResidentIdentityNumber(parsing: "11010519491231002X")
        XCTAssertEqual(id.areaCode, "110105")
        XCTAssertEqual(id.birthDate, CalendarDate(year: 1949, month: 12, day: 31))
        XCTAssertEqual(id.sequence, "002")
    }

    func testCheckCharacterAgreesWithIndependentComputation() {
        for n in Self.valid {
            let digits = n.prefix(17).map { Int(String($0))! }
            XCTAssertEqual(ResidentIdentityNumber.checkCharacter(for: digits), n.last!, n)
        }
    }

    func testTypedFormsAreNormalised() throws {
        // Lower-case x, spaces, full-width digits from a Chinese input method.
        XCTAssertEqual(try ResidentIdentityNumber(parsing: " 110105 19491231 002x ").value, "11010519491231002X")
        XCTAssertEqual(try ResidentIdentityNumber(parsing: "１１０１０５１９４９１２３１００２Ｘ").value, "11010519491231002X")
    }

    func testEmpty() {
        XCTAssertEqual(error(""), .empty)
        XCTAssertEqual(error("   "), .empty)
    }

    func testWrongLength() {
        XCTAssertEqual(error("1101051949123100"), .wrongLength(found: 16, expected: 18...18))
        XCTAssertEqual(error("11010519491231002X1"), .wrongLength(found: 19, expected: 18...18))
        let old = error("110105491231002")
        XCTAssertEqual(old, .wrongLength(found: 15, expected: 18...18))
        XCTAssertTrue(old!.zh.contains("15位"), "a 15-digit number is named as the old format")
        XCTAssertEqual(old!.code, "length")
    }

    func testInvalidCharacter() {
        XCTAssertEqual(error("1101051949123100XX"), .invalidCharacter(position: 17, character: "X"))
        XCTAssertEqual(error("11010519491231O02X"), .invalidCharacter(position: 15, character: "O"))
        XCTAssertEqual(error("11010519491231002Y"), .invalidCharacter(position: 18, character: "Y"))
    }

    func testUnknownRegion() {
        XCTAssertEqual(error("99010519491231002X"), .unknownRegion("99"))
        XCTAssertEqual(error("00010519491231002X"), .unknownRegion("00"))
    }

    func testBadBirthDate() {
        XCTAssertEqual(error("110105194902300021"), .badBirthDate("19490230"))  // 30 February
        XCTAssertEqual(error("110105190002290021"), .badBirthDate("19000229"))  // 1900 was not a leap year
        XCTAssertEqual(error("110105194913010021"), .badBirthDate("19491301"))  // month 13
        XCTAssertEqual(error("110105001912310021"), .badBirthDate("00191231"))  // year 19
        let e = error("110105194902300021")!
        XCTAssertTrue(e.zh.contains("出生日期") && e.en.contains("birth date"))
    }

    func testBirthDateInFuture() throws {
        let today = CalendarDate(year: 2026, month: 11, day: 27)!
        // Valid check character for a 2030 birth date, computed independently.
        let future = "11010520300101001X"
        XCTAssertNoThrow(try ResidentIdentityNumber(parsing: future))
        XCTAssertEqual(error(future, today: today), .birthDateInFuture("20300101"))
        XCTAssertNoThrow(try ResidentIdentityNumber(parsing: "11010519491231002X", today: today))
    }

    func testBadCheckCharacter() {
        XCTAssertEqual(error("110105194912310021"), .badCheckCharacter)   // last character changed
        XCTAssertEqual(error("11010519491231003X"), .badCheckCharacter)   // one digit mistyped
        XCTAssertEqual(error("11010519491213002X"), .badCheckCharacter)   // neighbours swapped (still a real date)
        let e = error("110105194912310021")!
        XCTAssertEqual(e.code, "checkCharacter")
        XCTAssertTrue(e.zh.contains("校验") && e.en.contains("check character"))
    }

    func testEveryErrorHasBothLanguagesAndAFieldError() {
        let errors: [IdentityNumberError] = [
            .empty, .wrongLength(found: 3, expected: 18...18), .wrongLength(found: 40, expected: 4...32),
            .invalidCharacter(position: 3, character: "A"), .unknownRegion("99"), .badBirthDate("19490230"),
            .birthDateInFuture("20300101"), .badCheckCharacter,
        ]
        XCTAssertEqual(Set(errors.map(\.code)).count, 7)
        for e in errors {
            XCTAssertFalse(e.zh.isEmpty)
            XCTAssertFalse(e.en.isEmpty)
            XCTAssertNotEqual(e.zh, e.en)
            let f = e.fieldError()
            XCTAssertEqual(f.field, "identityNumber")
            XCTAssertEqual(f.rule, e.code)
            XCTAssertEqual(f.message, e.message)
        }
    }

    // MARK: - Masking

    func testResidentNumberMasked() throws {
        XCTAssertEqual(try ResidentIdentityNumber(parsing: "11010519491231002X").masked, "110105********002X")
        let doc = try IdentityDocument(kind: .residentIdentityCard, number: "110105 19491231 002x")
        XCTAssertEqual(doc.masked, "110105********002X")
        XCTAssertEqual(doc.number, "11010519491231002X")
        XCTAssertFalse(doc.description.contains("19491231"), "the description never shows the number")
        XCTAssertFalse(String(describing: try ResidentIdentityNumber(parsing: "11010519491231002X")).contains("1949"))
    }

    func testOtherDocumentsAreFreeTextButMasked() throws {
        let passport = try IdentityDocument(kind: .passport, number: " e1234 5678 ")
        XCTAssertEqual(passport.number, "E12345678")
        XCTAssertEqual(passport.masked, "E*****678")
        let permit = try IdentityDocument(kind: .hongKongMacaoPermit, number: "H12345678")
        XCTAssertEqual(permit.masked, "H*****678")
        let short = try IdentityDocument(kind: .other, number: "A123")
        XCTAssertEqual(short.masked, "***3")
        let chinese = try IdentityDocument(kind: .other, number: "军字第0012345号")
        XCTAssertEqual(chinese.masked, "军*******45号")
        for doc in [passport, permit, short, chinese] {
            let hidden = doc.masked.filter { $0 == "*" }.count
            XCTAssertGreaterThanOrEqual(hidden * 2, doc.number.count, "at least half hidden: \(doc.masked)")
        }
    }

    func testOtherDocumentErrors() {
        func err(_ kind: IdentityDocumentKind, _ text: String) -> IdentityNumberError? {
            do { _ = try IdentityDocument(kind: kind, number: text); return nil } catch { return error }
        }
        XCTAssertEqual(err(.passport, "  "), .empty)
        XCTAssertEqual(err(.passport, "E12"), .wrongLength(found: 3, expected: 4...32))
        XCTAssertEqual(err(.other, String(repeating: "9", count: 33)), .wrongLength(found: 33, expected: 4...32))
        XCTAssertEqual(err(.other, "AB\u{202E}CD"), .invalidCharacter(position: 3, character: "U+202E"))
        // A resident number is still checked strictly through IdentityDocument.
        XCTAssertEqual(err(.residentIdentityCard, "110105194912310021"), .badCheckCharacter)
    }

    func testDocumentKindVocabulary() {
        XCTAssertEqual(IdentityDocumentKind(parsing: "居民身份证"), .residentIdentityCard)
        XCTAssertEqual(IdentityDocumentKind(parsing: "PASSPORT"), .passport)
        XCTAssertNil(IdentityDocumentKind(parsing: "library card"))
        for k in IdentityDocumentKind.allCases { XCTAssertEqual(IdentityDocumentKind(parsing: k.chinese), k) }
    }

    // MARK: - Keyed hash

    private let keyA = IdentityHashKey(bytes: Array(repeating: 0xA5, count: 32))!
    private let keyB = IdentityHashKey(bytes: Array(repeating: 0x5A, count: 32))!

    func testKeyedHashIsHMACSHA256OfTheNormalisedNumber() throws {
        let doc = try IdentityDocument(kind: .residentIdentityCard, number: "11010519491231002X")
        // Reference value from Python: hmac.new(b"\xa5"*32, b"11010519491231002X", hashlib.sha256).hexdigest()
        XCTAssertEqual(doc.keyedHash(with: keyA), Self.referenceHMAC)
        XCTAssertEqual(doc.keyedHash(with: keyA).count, 64)
    }

    func testSameNumberHowEverTypedGivesTheSameHash() throws {
        let a = try IdentityDocument(kind: .residentIdentityCard, number: "11010519491231002X")
        let b = try IdentityDocument(kind: .residentIdentityCard, number: "１１０１０５ １９４９１２３１ ００２ｘ")
        XCTAssertEqual(a.keyedHash(with: keyA), b.keyedHash(with: keyA))
        let other = try IdentityDocument(kind: .residentIdentityCard, number: "44030419900307107X")
        XCTAssertNotEqual(a.keyedHash(with: keyA), other.keyedHash(with: keyA))
    }

    func testDifferentKeyGivesDifferentHash() throws {
        let doc = try IdentityDocument(kind: .residentIdentityCard, number: "11010519491231002X")
        XCTAssertNotEqual(doc.keyedHash(with: keyA), doc.keyedHash(with: keyB))
        XCTAssertNotEqual(doc.keyedHash(with: IdentityHashKey.generate()), doc.keyedHash(with: keyA))
        XCTAssertFalse(doc.keyedHash(with: keyA).contains("1949"))
    }

    func testShortKeysAreRefused() {
        XCTAssertNil(IdentityHashKey(bytes: Array(repeating: 1, count: 31)))
        XCTAssertNotNil(IdentityHashKey(bytes: Array(repeating: 1, count: 32)))
        XCTAssertEqual(IdentityHashKey.generate().bytes.count, 32)
        XCTAssertNotEqual(IdentityHashKey.generate(), IdentityHashKey.generate())
    }

    static let referenceHMAC = "06d48bf00c73765a0ff584442db9bc59c11408d2cfb1fd248e695f3fa2ffcbf4"
}
