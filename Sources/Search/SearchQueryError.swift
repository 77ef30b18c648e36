import Foundation

/// Why a query cannot be run, with a message in Chinese and English that tells the person what
/// to change. Everything else in a query is repaired leniently (an unclosed quote or
/// parenthesis is closed, a dangling operator dropped, punctuation ignored), so these are the
/// only errors a search box can show. They map to HTTP 400.
public enum SearchQueryError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// Nothing to search: empty, or only spaces, punctuation, symbols or operators.
    case empty
    /// Longer than `SearchQueryParser.maxLength` characters.
    case tooLong(limit: Int)
    /// More than `SearchQueryParser.maxTerms` search terms.
    case tooManyTerms(limit: Int)
    /// Only excluded terms (`-草稿`, `NOT 草稿`), or an excluded term as one side of OR:
    /// there must be something to find before anything can be excluded from it.
    case exclusionWithoutTerm
    /// A 年度 value that is not a year or a range of years (`年度:去年`).
    case invalidYear(String)
    /// A year outside `SearchQueryParser.validYears` (`年度:0-99999`).
    case yearOutOfRange(Int, allowed: ClosedRange<Int>)
    /// A range whose start is after its end (`年度:2015-2010`).
    case yearRangeReversed(from: Int, to: Int)
    /// A 年度 filter inside OR or NOT (`年度:2010 OR 档案`): years filter the whole result.
    case yearFilterNotAllowedHere

    /// Stable code for API errors and tests; messages may be reworded, codes are not.
    public var code: String {
        switch self {
        case .empty: "queryEmpty"
        case .tooLong: "queryTooLong"
        case .tooManyTerms: "queryTooManyTerms"
        case .exclusionWithoutTerm: "queryOnlyExclusions"
        case .invalidYear: "queryInvalidYear"
        case .yearOutOfRange: "queryYearOutOfRange"
        case .yearRangeReversed: "queryYearRangeReversed"
        case .yearFilterNotAllowedHere: "queryYearFilterPlacement"
        }
    }

    public var messageZh: String {
        switch self {
        case .empty:
            return "请输入检索词（标点和符号不参与检索）"
        case .tooLong(let n):
            return "检索式过长，最多\(n)个字，请删减后再检索"
        case .tooManyTerms(let n):
            return "检索词过多，最多\(n)个，请删减后再检索"
        case .exclusionWithoutTerm:
            return "排除条件（-、NOT）须与至少一个要查找的检索词并用，不能单独使用，也不能用在“或”的一侧"
        case .invalidYear(let v):
            return "年度「\(v)」无法识别，请写成 年度:2012 或 年度:2010-2015"
        case .yearOutOfRange(let y, let r):
            return "年度\(y)超出范围，请填写\(r.lowerBound)至\(r.upperBound)之间的年份"
        case .yearRangeReversed(let a, let b):
            return "年度范围\(a)-\(b)起始晚于截止，请写成 年度:\(b)-\(a)"
        case .yearFilterNotAllowedHere:
            return "年度条件作用于全部结果，不能用在“或”“非”之中"
        }
    }

    public var messageEn: String {
        switch self {
        case .empty:
            return "enter a search term (punctuation and symbols are not searched)"
        case .tooLong(let n):
            return "the query is too long: at most \(n) characters; shorten it and search again"
        case .tooManyTerms(let n):
            return "too many search terms: at most \(n); remove some and search again"
        case .exclusionWithoutTerm:
            return "an excluded term (-, NOT) needs at least one term to find beside it; it cannot stand alone or as one side of OR"
        case .invalidYear(let v):
            return "the year '\(v)' is not understood; write year:2012 or year:2010-2015"
        case .yearOutOfRange(let y, let r):
            return "the year \(y) is out of range; use a year from \(r.lowerBound) to \(r.upperBound)"
        case .yearRangeReversed(let a, let b):
            return "the year range \(a)-\(b) starts after it ends; write year:\(b)-\(a)"
        case .yearFilterNotAllowedHere:
            return "a year filter applies to the whole result; it cannot be used inside OR or NOT"
        }
    }

    /// Aliases in the style of the ArchiveKit errors.
    public var zh: String { messageZh }
    public var en: String { messageEn }
    /// "中文 / English", as in API error messages.
    public var message: String { "\(messageZh) / \(messageEn)" }
    public var description: String { "\(code): \(messageEn)" }
    public var errorDescription: String? { messageEn }
}
