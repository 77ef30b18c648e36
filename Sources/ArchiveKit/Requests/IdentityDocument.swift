import Foundation

/// 证件类型 — the document a requester identifies themself with.
public enum IdentityDocumentKind: String, Codable, CaseIterable, Sendable {
    /// 居民身份证: checked strictly (GB 11643).
    case residentIdentityCard = "resident-id"
    /// 护照
    case passport = "passport"
    /// 港澳居民来往内地通行证
    case hongKongMacaoPermit = "hk-macao-permit"
    /// 台湾居民来往大陆通行证
    case taiwanPermit = "taiwan-permit"
    /// 外国人永久居留身份证
    case foreignPermanentResident = "foreign-permanent-resident"
    /// 其他证件 (军官证, 户口簿 …): free text.
    case other = "other"

    public var chinese: String {
        switch self {
        case .residentIdentityCard: "居民身份证"
        case .passport: "护照"
        case .hongKongMacaoPermit: "港澳居民来往内地通行证"
        case .taiwanPermit: "台湾居民来往大陆通行证"
        case .foreignPermanentResident: "外国人永久居留身份证"
        case .other: "其他证件"
        }
    }

    public var english: String {
        switch self {
        case .residentIdentityCard: "resident identity card"
        case .passport: "passport"
        case .hongKongMacaoPermit: "Mainland travel permit for Hong Kong and Macao residents"
        case .taiwanPermit: "Mainland travel permit for Taiwan residents"
        case .foreignPermanentResident: "foreign permanent resident ID card"
        case .other: "other document"
        }
    }

    /// Accepts the English code or the Chinese name.
    public init?(parsing text: String) {
        let t = text.trimmed
        guard let k = Self.allCases.first(where: { $0.rawValue == t.lowercased() || $0.chinese == t }) else { return nil }
        self = k
    }
}

/// A requester's identity document, validated and normalised. A request stores only `masked`
/// (to show) and `keyedHash` (to find the requester's other requests by the number typed at the
/// counter); the number itself is never stored, so a copy of the database does not leak it.
public struct IdentityDocument: Hashable, Sendable, CustomStringConvertible {
    public let kind: IdentityDocumentKind
    /// The normalised number (see `IdentityNumberError.normalise`). Keep it in memory only.
    public let number: String

    /// Lengths accepted for documents other than the resident identity card. Passports and
    /// permits have 8–11 characters; the range leaves room for other documents without letting
    /// a paragraph through.
    public static let otherLengths: ClosedRange<Int> = 4...32

    /// - Parameter today: passed to the resident-number check to refuse future birth dates.
    public init(kind: IdentityDocumentKind, number text: String, today: CalendarDate? = nil) throws(IdentityNumberError) {
        self.kind = kind
        if kind == .residentIdentityCard {
            number = try ResidentIdentityNumber(parsing: text, today: today).value
            return
        }
        let n = IdentityNumberError.normalise(text)
        guard !n.isEmpty else { throw .empty }
        guard Self.otherLengths.contains(n.count) else { throw .wrongLength(found: n.count, expected: Self.otherLengths) }
        if let (i, c) = n.enumerated().first(where: { $0.element.unicodeScalars.contains { $0.isForbiddenControl(allowNewlines: false) } }) {
            throw .invalidCharacter(position: i + 1, character: c.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined())
        }
        number = n
    }

    /// The number with all but a few characters hidden. A resident number shows its first six
    /// and last four (`110105********002X`), the convention on Chinese receipts; other documents
    /// show at most a sixth at the start and a third at the end, so at least half is hidden
    /// however short the number (`E*****678`).
    public var masked: String {
        if kind == .residentIdentityCard { return ResidentIdentityNumber.mask(number) }
        let n = number.count
        let head = min(2, n / 6), tail = min(4, n / 3)
        return String(number.prefix(head)) + String(repeating: "*", count: n - head - tail) + String(number.suffix(tail))
    }

    public var description: String { "\(kind.rawValue):\(masked)" }

    /// `HMAC-SHA256(key, number)` in lower-case hex. The same number gives the same hash however
    /// it was typed (normalised first), so a request can be found by the number; without the key
    /// the hash cannot be reversed by trying all 10^17 plausible resident numbers, which a plain
    /// SHA-256 could be.
    public func keyedHash(with key: IdentityHashKey) -> String {
        key.hash(number)
    }
}
