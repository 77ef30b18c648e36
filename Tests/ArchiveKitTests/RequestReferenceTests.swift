import XCTest
import ArchiveKit

/// Request references: generated from a seeded generator, read back, and every slip refused.
final class RequestReferenceTests: XCTestCase {
    /// A deterministic generator (SplitMix64) so tests see the same references every run.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private let day = CalendarDate(year: 2026, month: 11, day: 27)!
    private let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    private func error(_ text: String) -> RequestReferenceError? {
        do { _ = try RequestReference(parsing: text); return nil } catch { return error }
    }

    func testFormAndRoundTrip() throws {
        var rng = SeededGenerator(state: 42)
        for _ in 0..<500 {
            let ref = RequestReference.generate(on: day, using: &rng)
            let text = ref.description
            XCTAssertEqual(text.count, "LY-20261127-".count + 7)
            XCTAssertTrue(text.hasPrefix("LY-20261127-"), text)
            XCTAssertTrue(text.dropFirst(12).allSatisfy { alphabet.contains($0) }, text)
            XCTAssertEqual(try RequestReference(parsing: text), ref)
            XCTAssertEqual(ref.date, day)
        }
    }

    func testSameSeedSameReferences() {
        var a = SeededGenerator(state: 7), b = SeededGenerator(state: 7)
        XCTAssertEqual(RequestReference.generate(on: day, using: &a), RequestReference.generate(on: day, using: &b))
        XCTAssertNotEqual(RequestReference.generate(on: day, using: &a), RequestReference.generate(on: day, using: &a))
    }

    func testGenerateFromInstantUsesTheLocalDate() {
        // 23:30 UTC on 26 November is 07:30 on 27 November in Beijing.
        let ref = RequestReference.generate(at: Date(timeIntervalSince1970: 1_795_735_800))
        XCTAssertEqual(ref.date, CalendarDate(year: 2026, month: 11, day: 27))
        XCTAssertEqual(CalendarDate(Date(timeIntervalSince1970: 0), utcOffsetSeconds: 0), CalendarDate(year: 1970, month: 1, day: 1))
        XCTAssertEqual(CalendarDate(Date(timeIntervalSince1970: 951_782_400), utcOffsetSeconds: 0), CalendarDate(year: 2000, month: 2, day: 29))
        XCTAssertEqual(CalendarDate(Date(timeIntervalSince1970: -1), utcOffsetSeconds: 0), CalendarDate(year: 1969, month: 12, day: 31))
    }

    func testTypedFormsAreAccepted() throws {
        var rng = SeededGenerator(state: 1)
        let ref = RequestReference.generate(on: day, using: &rng)
        let text = ref.description
        XCTAssertEqual(try RequestReference(parsing: text.lowercased()), ref)
        XCTAssertEqual(try RequestReference(parsing: "  " + text.replacingOccurrences(of: "-", with: "") + " "), ref)
        XCTAssertEqual(try RequestReference(parsing: text.replacingOccurrences(of: "-", with: " ")), ref)
        // Full width, as typed with a Chinese input method.
        let fullWidth = String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "-" ? $0 : Unicode.Scalar($0.value + 0xFEE0)! }))
        XCTAssertEqual(try RequestReference(parsing: fullWidth), ref)
    }

    func testCrockfordAliasesInTheCode() throws {
        // Find a reference whose code contains 0 and 1, then type them as O and L / I.
        var rng = SeededGenerator(state: 3)
        var ref = RequestReference.generate(on: day, using: &rng)
        while !(ref.code.dropLast().contains("0") && ref.code.dropLast().contains("1")) { ref = RequestReference.generate(on: day, using: &rng) }
        let head = "LY-20261127-"
        XCTAssertEqual(try RequestReference(parsing: head + ref.code.replacingOccurrences(of: "0", with: "O")), ref)
        XCTAssertEqual(try RequestReference(parsing: head + ref.code.replacingOccurrences(of: "1", with: "l")), ref)
        XCTAssertEqual(try RequestReference(parsing: head + ref.code.replacingOccurrences(of: "1", with: "I")), ref)
    }

    func testEverySingleMistypedCharacterIsCaught() throws {
        var rng = SeededGenerator(state: 99)
        for _ in 0..<50 {
            let text = Array(RequestReference.generate(on: day, using: &rng).description)
            // Every position of the date and the code, every other symbol.
            for i in text.indices where i >= 3 && text[i] != "-" {
                for c in alphabet where c != text[i] {
                    var typo = text
                    typo[i] = c
                    let e = error(String(typo))
                    XCTAssertNotNil(e, "accepted \(String(typo)) for \(String(text))")
                    if i >= 12 { XCTAssertEqual(e, .badCheckCharacter, String(typo)) }
                }
            }
        }
    }

    func testMostSwapsOfNeighboursAreCaught() {
        var rng = SeededGenerator(state: 5)
        var swaps = 0, caught = 0
        for _ in 0..<200 {
            let text = Array(RequestReference.generate(on: day, using: &rng).description)
            for i in 12..<(text.count - 1) where text[i] != text[i + 1] {
                var typo = text
                typo.swapAt(i, i + 1)
                swaps += 1
                if error(String(typo)) != nil { caught += 1 }
            }
        }
        // Luhn mod 32 misses only the swap of 0 and Z.
        XCTAssertGreaterThan(Double(caught) / Double(swaps), 0.99)
    }

    func testForgedAndMalformedReferences() {
        XCTAssertEqual(error(""), .empty)
        XCTAssertEqual(error("   "), .empty)
        XCTAssertEqual(error("LY-20261127"), .malformed)
        XCTAssertEqual(error("XX-20261127-7K3F9QD"), .malformed)
        XCTAssertEqual(error("LY-2026112-7K3F9QD"), .malformed)        // a character missing
        XCTAssertEqual(error("LY-2026A127-7K3F9QD"), .malformed)       // letter in the date
        XCTAssertEqual(error("LY-20261127-7K3F9QD0"), .malformed)      // too long
        XCTAssertEqual(error("LY-20261131-7K3F9QD"), .badDate("20261131"))
        XCTAssertEqual(error("LY-20261127-7K3F9U0"), .invalidCharacter("U"))
        XCTAssertEqual(error("LY-20261127-7K3F9*0"), .invalidCharacter("*"))
        XCTAssertEqual(error("'; drop table requests; --"), .malformed)
        XCTAssertEqual(error(String(repeating: "LY", count: 5000)), .malformed)
        // A made-up code of the right form fails its check unless the forger was lucky (1 in 32).
        var rng = SeededGenerator(state: 11)
        var accepted = 0
        for _ in 0..<3200 {
            let code = (0..<7).map { _ in alphabet[Int(rng.next(upperBound: 32 as UInt32))] }
            if error("LY-20261127-" + String(code)) == nil { accepted += 1 }
        }
        XCTAssertLessThan(accepted, 160, "about 100 of 3200 random codes pass the check by chance")
    }

    func testErrorsSpeakBothLanguages() {
        let errors: [RequestReferenceError] = [.empty, .malformed, .badDate("20261131"), .invalidCharacter("U"), .badCheckCharacter]
        XCTAssertEqual(Set(errors.map(\.code)).count, errors.count)
        for e in errors {
            XCTAssertFalse(e.zh.isEmpty)
            XCTAssertFalse(e.en.isEmpty)
            XCTAssertEqual(e.message, "\(e.zh) / \(e.en)")
        }
    }

    func testCodable() throws {
        var rng = SeededGenerator(state: 8)
        let ref = RequestReference.generate(on: day, using: &rng)
        let data = try JSONEncoder().encode([ref])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "[\"\(ref.description)\"]")
        XCTAssertEqual(try JSONDecoder().decode([RequestReference].self, from: data), [ref])
        XCTAssertThrowsError(try JSONDecoder().decode([RequestReference].self, from: Data("[\"LY-20261131-AAAAAAA\"]".utf8)))
    }
}
