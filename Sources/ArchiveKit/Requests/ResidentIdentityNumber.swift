import Foundation

/// 公民身份号码 — the 18-character number on a PRC resident identity card (居民身份证), GB 11643-1999:
///
///     110105 19491231 002 X
///     area   birth    seq check
///
/// - six digits of the administrative area (GB/T 2260) where the number was first issued;
/// - the birth date `YYYYMMDD`, a real calendar date;
/// - a three-digit sequence (odd for men, even for women);
/// - a check character by ISO 7064 MOD 11-2, where the value 10 is written `X`.
///
/// Parsing says *which* part is wrong, because the person who reads the message is usually the
/// one who typed the number (or the service-point operator copying it from a card) and must know
/// whether to recount the digits, recheck the birth date or look for a swapped digit.
public struct ResidentIdentityNumber: Hashable, Sendable, CustomStringConvertible {
    /// The 18 characters, digits and possibly a final capital `X`.
    public let value: String

    public var areaCode: String { String(value.prefix(6)) }
    public let birthDate: CalendarDate
    public var sequence: String { String(value.dropFirst(14).prefix(3)) }

    public var description: String { masked }

    // The birth date is part of the value, so the value alone decides equality.
    public static func == (a: Self, b: Self) -> Bool { a.value == b.value }
    public func hash(into h: inout Hasher) { h.combine(value) }

    /// First six and last four characters, the birth date and the rest hidden:
    /// `110105********002X`. Enough for a person to recognise their own number on a receipt, not
    /// enough to use it.
    public var masked: String { Self.mask(value) }

    static func mask(_ value: String) -> String {
        String(value.prefix(6)) + String(repeating: "*", count: max(0, value.count - 10)) + String(value.suffix(4))
    }

    /// Parses a number as people type it: surrounding and inner spaces are ignored, full-width
    /// digits from a Chinese input method are folded (NFKC) and a lower-case `x` is accepted.
    ///
    /// - Parameter today: when given, a birth date after it is refused too.
    public init(parsing text: String, today: CalendarDate? = nil) throws(IdentityNumberError) {
        let chars = Array(IdentityNumberError.normalise(text))
        guard !chars.isEmpty else { throw .empty }
        guard chars.count == 18 else { throw .wrongLength(found: chars.count, expected: 18...18) }
        for (i, c) in chars.enumerated() {
            let ok = c.isASCIIDigit || (i == 17 && c == "X")
            if !ok { throw .invalidCharacter(position: i + 1, character: String(c)) }
        }
        let digits = chars.prefix(17).map { Int($0.asciiValue! - 48) }
        let province = digits[0] * 10 + digits[1]
        guard Self.provinceCodes.contains(province) else { throw .unknownRegion(String(chars.prefix(2))) }
        let birth = String(chars[6..<14])
        func number(_ r: Range<Int>) -> Int { digits[r].reduce(0) { $0 * 10 + $1 } }
        // 1800: the oldest living person is far younger; a year like 0019 is a typing slip.
        guard let date = CalendarDate(year: number(6..<10), month: number(10..<12), day: number(12..<14)),
              date.year >= 1800 else { throw .badBirthDate(birth) }
        if let today, date > today { throw .birthDateInFuture(birth) }
        guard chars[17] == Self.checkCharacter(for: digits) else { throw .badCheckCharacter }
        self.value = String(chars)
        self.birthDate = date
    }

    /// ISO 7064 MOD 11-2 over the first 17 digits: weights 2^(17−i) mod 11; the check value is
    /// the one that makes the weighted sum ≡ 1 (mod 11); 10 is written `X`.
    public static func checkCharacter(for first17: [Int]) -> Character {
        precondition(first17.count == 17)
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(first17, weights).reduce(0) { $0 + $1.0 * $1.1 }
        let check = (12 - sum % 11) % 11
        return check == 10 ? "X" : Character(String(check))
    }

    /// Provinces of GB/T 2260 plus 71 Taiwan, 81 Hong Kong, 82 Macao and 83 (the Taiwan
    /// residents' residence permit, 台湾居民居住证, which shares this format). Province codes
    /// are stable even where county codes have been retired, so checking them rejects typing
    /// slips in the first digits without rejecting old but genuine numbers.
    static let provinceCodes: Set<Int> = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
    ]
}
