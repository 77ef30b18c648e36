import Foundation

/// 申请编号 — the reference a requester follows their request by: `LY-20261127-7K3F9QD`.
///
/// - `LY` (利用, use);
/// - the date the request was made, so staff see its age at a glance;
/// - six random characters from Crockford's base 32 (digits and capitals without I, L, O, U,
///   which are misread as 1, 1, 0 and V), 30 bits: unguessable in practice and unlikely to
///   collide within a day (the database still enforces uniqueness);
/// - one check character (Luhn mod 32 over the date and the random part), so a reference
///   misread over the telephone or typed wrong is refused *before* any lookup, with a message
///   saying so, instead of "not found". It catches every single wrong character and nearly
///   every swap of neighbours.
///
/// The check character is not a secret: it stops typing slips, not forgers. What protects a
/// request is the 30 random bits, and the server showing personal details only to the requester.
public struct RequestReference: Hashable, Sendable, CustomStringConvertible, Comparable {
    public static let prefix = "LY"
    /// Crockford base 32.
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    static let randomLength = 6

    public let date: CalendarDate
    /// The random part followed by its check character.
    public let code: String

    public var description: String {
        "\(Self.prefix)-\(String(date.year, padTo: 4))\(String(date.month, padTo: 2))\(String(date.day, padTo: 2))-\(code)"
    }

    public static func < (a: RequestReference, b: RequestReference) -> Bool { a.description < b.description }
    public static func == (a: RequestReference, b: RequestReference) -> Bool { a.date == b.date && a.code == b.code }
    public func hash(into h: inout Hasher) { h.combine(code); h.combine(date.year); h.combine(date.month); h.combine(date.day) }

    /// A new reference for a request made on `date`.
    public static func generate(on date: CalendarDate, using rng: inout some RandomNumberGenerator) -> RequestReference {
        let random = (0..<randomLength).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] }
        let body = dateDigits(date) + random
        return RequestReference(date: date, code: String(random) + String(checkCharacter(for: body)))
    }

    /// A new reference for a request made at `instant`, dated by the local calendar.
    public static func generate(at instant: Date, utcOffsetSeconds: Int = 8 * 3600) -> RequestReference {
        var rng = SystemRandomNumberGenerator()
        return generate(on: CalendarDate(instant, utcOffsetSeconds: utcOffsetSeconds), using: &rng)
    }

    private init(date: CalendarDate, code: String) {
        self.date = date
        self.code = code
    }

    /// Reads a reference as people type it: case, spaces and hyphens do not matter, full-width
    /// characters are folded, and Crockford's aliases are accepted in the random part (O for 0,
    /// I and L for 1), since a reference read aloud or from a poor printout arrives that way.
    public init(parsing text: String) throws(RequestReferenceError) {
        let folded = text.precomposedStringWithCompatibilityMapping.uppercased()
        let chars = Array(folded.filter { $0 != "-" && !($0.unicodeScalars.first?.isWhiteSpace ?? false) })
        guard !chars.isEmpty else { throw .empty }
        guard chars.count == Self.prefix.count + 8 + Self.randomLength + 1,
              String(chars.prefix(Self.prefix.count)) == Self.prefix else { throw .malformed }
        let digits = chars[2..<10]
        guard digits.allSatisfy(\.isASCIIDigit) else { throw .malformed }
        let n = digits.map { Int($0.asciiValue! - 48) }
        func num(_ r: Range<Int>) -> Int { n[r].reduce(0) { $0 * 10 + $1 } }
        guard let date = CalendarDate(year: num(0..<4), month: num(4..<6), day: num(6..<8)) else {
            throw .badDate(String(digits))
        }
        var code: [Character] = []
        for c in chars[10...] {
            let canonical: Character = switch c {
            case "O": "0"
            case "I", "L": "1"
            default: c
            }
            guard Self.alphabet.contains(canonical) else { throw .invalidCharacter(String(c)) }
            code.append(canonical)
        }
        let body = Self.dateDigits(date) + code.dropLast()
        guard Self.checkCharacter(for: body) == code.last else { throw .badCheckCharacter }
        self.date = date
        self.code = String(code)
    }

    static func dateDigits(_ d: CalendarDate) -> [Character] {
        Array(String(d.year, padTo: 4) + String(d.month, padTo: 2) + String(d.day, padTo: 2))
    }

    /// Luhn mod N (N = 32) over Crockford values: from the right, every second value doubled and
    /// its base-32 digits summed; the check value brings the total to a multiple of 32.
    static func checkCharacter(for body: [Character]) -> Character {
        let n = alphabet.count
        var sum = 0
        for (i, c) in body.reversed().enumerated() {
            let v = alphabet.firstIndex(of: c)!
            let addend = i % 2 == 0 ? v * 2 : v
            sum += addend / n + addend % n
        }
        return alphabet[(n - sum % n) % n]
    }
}

extension RequestReference: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try RequestReference(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.en))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Why a text is not a request reference. A forged or mistyped reference gets one of these
/// before any database lookup.
public enum RequestReferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    /// Not of the form `LY-YYYYMMDD-XXXXXXX`.
    case malformed
    /// The date part is not a real date.
    case badDate(String)
    /// A character outside Crockford's base 32 (such as U) in the code part.
    case invalidCharacter(String)
    /// Well formed, but the check character does not match: a character was mistyped.
    case badCheckCharacter

    public var code: String {
        switch self {
        case .empty: "required"
        case .malformed: "malformed"
        case .badDate: "badDate"
        case .invalidCharacter: "character"
        case .badCheckCharacter: "checkCharacter"
        }
    }

    public var zh: String {
        switch self {
        case .empty: "请填写申请编号"
        case .malformed: "申请编号格式不正确，应类似 LY-20261127-7K3F9QD"
        case .badDate(let d): "申请编号中的日期「\(d)」不是有效日期，请核对"
        case .invalidCharacter(let c): "申请编号中不应出现「\(c)」，请核对"
        case .badCheckCharacter: "申请编号校验不符，可能有字符输错，请逐位核对"
        }
    }

    public var en: String {
        switch self {
        case .empty: "enter the request reference"
        case .malformed: "a request reference looks like LY-20261127-7K3F9QD"
        case .badDate(let d): "the date '\(d)' in the reference is not a real date; check it"
        case .invalidCharacter(let c): "'\(c)' cannot appear in a request reference; check it"
        case .badCheckCharacter: "the reference's check character does not match: a character is mistyped; check each one"
        }
    }

    public var message: String { "\(zh) / \(en)" }
    public var description: String { "\(code): \(en)" }
}

extension CalendarDate {
    /// The local calendar date of an instant at a fixed UTC offset (civil-from-days, H. Hinnant).
    public init(_ instant: Date, utcOffsetSeconds: Int) {
        let days = Int(((instant.timeIntervalSince1970 + Double(utcOffsetSeconds)) / 86_400).rounded(.down))
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)!
    }
}
