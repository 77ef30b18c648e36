import Foundation

/// Why an identity document number was refused, with a message in both languages that tells the
/// person typing it what to check.
public enum IdentityNumberError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing was given.
    case empty
    /// The wrong number of characters (after spaces are removed).
    case wrongLength(found: Int, expected: ClosedRange<Int>)
    /// A character that cannot appear there; `position` counts from 1.
    case invalidCharacter(position: Int, character: String)
    /// The first two digits name no province.
    case unknownRegion(String)
    /// Characters 7–14 are not a real date (`19490231`).
    case badBirthDate(String)
    /// The birth date is later than today.
    case birthDateInFuture(String)
    /// Every part is well formed but the check character does not match: a digit is mistyped
    /// or two are swapped.
    case badCheckCharacter

    /// Stable code for API errors and tests; messages may be reworded, codes are not.
    public var code: String {
        switch self {
        case .empty: "required"
        case .wrongLength: "length"
        case .invalidCharacter: "character"
        case .unknownRegion: "region"
        case .badBirthDate: "birthDate"
        case .birthDateInFuture: "birthDateInFuture"
        case .badCheckCharacter: "checkCharacter"
        }
    }

    public var zh: String {
        switch self {
        case .empty:
            return "请填写证件号码"
        case .wrongLength(let n, let r) where r == 18...18:
            // First-generation cards (15 digits) stopped being valid in 2013.
            return n == 15 ? "这是旧版15位身份证号码，请填写现行18位号码"
                           : "居民身份证号码应为18位，您填写了\(n)位"
        case .wrongLength(let n, let r):
            return "证件号码应为\(r.lowerBound)–\(r.upperBound)个字符，您填写了\(n)个"
        case .invalidCharacter(let p, let c):
            return "第\(p)位「\(c)」不正确：身份证号码只含数字，最后一位可以是X"
        case .unknownRegion(let p):
            return "前两位「\(p)」不是有效的省级行政区划代码，请核对号码开头"
        case .badBirthDate(let d):
            return "第7–14位「\(d)」不是有效的出生日期，请核对出生年月日"
        case .birthDateInFuture(let d):
            return "第7–14位出生日期「\(d)」晚于今天，请核对出生年月日"
        case .badCheckCharacter:
            return "身份证号码校验位不符，可能有数字输错或前后颠倒，请逐位核对"
        }
    }

    public var en: String {
        switch self {
        case .empty:
            return "enter the identity document number"
        case .wrongLength(let n, let r) where r == 18...18:
            return n == 15 ? "this is an old 15-digit identity number; enter the current 18-character number"
                           : "a resident identity number has 18 characters; \(n) were entered"
        case .wrongLength(let n, let r):
            return "a document number has \(r.lowerBound)–\(r.upperBound) characters; \(n) were entered"
        case .invalidCharacter(let p, let c):
            return "character \(p) ('\(c)') is wrong: an identity number has only digits, and the last may be X"
        case .unknownRegion(let p):
            return "the first two digits '\(p)' are not a province code; check the start of the number"
        case .badBirthDate(let d):
            return "characters 7–14 ('\(d)') are not a real birth date; check the date of birth"
        case .birthDateInFuture(let d):
            return "the birth date in characters 7–14 ('\(d)') is after today; check the date of birth"
        case .badCheckCharacter:
            return "the check character does not match: a digit is mistyped or two are swapped; check each digit"
        }
    }

    /// "中文 / English", as in API error messages.
    public var message: String { "\(zh) / \(en)" }
    public var description: String { "\(code): \(en)" }

    /// The same problem as a form-field error (`field` defaults to the API's name).
    public func fieldError(field: String = "identityNumber") -> FieldError {
        FieldError(field: field, rule: code, zh: zh, en: en)
    }

    /// NFKC (full-width digits and letters from Chinese input methods become ASCII), white space
    /// removed, upper-cased. The one normalisation every document number goes through, so the
    /// keyed hash of a number is the same however it was typed.
    static func normalise(_ text: String) -> String {
        let folded = text.precomposedStringWithCompatibilityMapping
        return String(String.UnicodeScalarView(folded.unicodeScalars.filter { !$0.isWhiteSpace })).uppercased()
    }
}
