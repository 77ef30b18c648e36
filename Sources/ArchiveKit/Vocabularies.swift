import Foundation

/// Controlled vocabularies of Chinese archival description (DA/T 18, DA/T 13).
///
/// Each vocabulary has a stable English code used in the API and the database, the Chinese
/// term archivists use, and lenient parsing of the spellings found in agencies' catalogue sheets.

/// 保管期限 — retention period.
public enum Retention: String, Codable, CaseIterable, Sendable, Comparable {
    case permanent = "permanent"
    case thirtyYears = "30y"
    case tenYears = "10y"

    /// 永久 / 定期30年 / 定期10年
    public var chinese: String {
        switch self {
        case .permanent: "永久"
        case .thirtyYears: "定期30年"
        case .tenYears: "定期10年"
        }
    }

    public var english: String {
        switch self {
        case .permanent: "permanent"
        case .thirtyYears: "30 years"
        case .tenYears: "10 years"
        }
    }

    /// The retention part of a 档号 (DA/T 13): Y, D30, D10.
    public var codeLetter: String {
        switch self {
        case .permanent: "Y"
        case .thirtyYears: "D30"
        case .tenYears: "D10"
        }
    }

    /// Accepts the English code, the Chinese term, short forms (30年) and the 档号 letters.
    public init?(parsing text: String) {
        let t = text.trimmed
        switch t.uppercased() {
        case "PERMANENT", "永久", "Y": self = .permanent
        case "30Y", "定期30年", "30年", "D30": self = .thirtyYears
        case "10Y", "定期10年", "10年", "D10": self = .tenYears
        default: return nil
        }
    }

    private var rank: Int { self == .permanent ? 0 : self == .thirtyYears ? 1 : 2 }
    public static func < (a: Retention, b: Retention) -> Bool { a.rank < b.rank }
}

/// 密级 — security classification. Ordered from least to most restricted.
public enum Classification: String, Codable, CaseIterable, Sendable, Comparable {
    case none = "none"
    case confidential = "confidential"
    case secret = "secret"
    case topSecret = "top-secret"

    /// 非密 / 秘密 / 机密 / 绝密
    public var chinese: String {
        switch self {
        case .none: "非密"
        case .confidential: "秘密"
        case .secret: "机密"
        case .topSecret: "绝密"
        }
    }

    public var english: String {
        switch self {
        case .none: "unclassified"
        case .confidential: "confidential"
        case .secret: "secret"
        case .topSecret: "top secret"
        }
    }

    public var rank: Int {
        switch self {
        case .none: 0
        case .confidential: 1
        case .secret: 2
        case .topSecret: 3
        }
    }

    public init?(parsing text: String) {
        let t = text.trimmed
        switch t.lowercased() {
        case "none", "非密", "unclassified", "公开": self = .none
        case "confidential", "秘密": self = .confidential
        case "secret", "机密": self = .secret
        case "top-secret", "绝密", "topsecret", "top secret": self = .topSecret
        default: return nil
        }
    }

    public static func < (a: Classification, b: Classification) -> Bool { a.rank < b.rank }
}

/// 开放状态 — whether the record has been reviewed for opening, and the outcome.
public enum AccessStatus: String, Codable, CaseIterable, Sendable {
    case unreviewed = "unreviewed"
    case open = "open"
    case controlled = "controlled"

    /// 未鉴定 / 开放 / 控制
    public var chinese: String {
        switch self {
        case .unreviewed: "未鉴定"
        case .open: "开放"
        case .controlled: "控制"
        }
    }

    public var english: String { rawValue }

    public init?(parsing text: String) {
        let t = text.trimmed
        switch t.lowercased() {
        case "unreviewed", "未鉴定": self = .unreviewed
        case "open", "开放": self = .open
        case "controlled", "控制", "控制使用": self = .controlled
        default: return nil
        }
    }
}

/// Description level: a 案卷 (file) groups 卷内文件 (items); an item may also stand alone
/// (件, DA/T 22-2015 item-level arrangement).
public enum DescriptionLevel: String, Codable, CaseIterable, Sendable {
    case file = "file"
    case item = "item"

    /// 案卷 / 件
    public var chinese: String { self == .file ? "案卷" : "件" }
}

/// 门类 — record category with its DA/T 13 code.
public struct CategoryCode: Hashable, Sendable {
    public let code: String
    public let chinese: String
    public let english: String

    /// The standard categories a new node starts with.
    public static let standard: [CategoryCode] = [
        .init(code: "WS", chinese: "文书", english: "Administrative records"),
        .init(code: "KJ", chinese: "科技", english: "Science and technology records"),
        .init(code: "KU", chinese: "会计", english: "Accounting records"),
        .init(code: "ZP", chinese: "照片", english: "Photographs"),
        .init(code: "LY", chinese: "录音", english: "Sound recordings"),
        .init(code: "LX", chinese: "录像", english: "Video recordings"),
        .init(code: "SW", chinese: "实物", english: "Objects"),
        .init(code: "DZ", chinese: "电子", english: "Electronic records"),
        .init(code: "RS", chinese: "人事", english: "Personnel records"),
        .init(code: "ZY", chinese: "专业", english: "Specialised records"),
    ]

    /// A category code is 1–4 capital Latin letters (DA/T 13 uses two).
    public static func isWellFormed(_ code: String) -> Bool {
        (1...4).contains(code.count) && code.allSatisfy { $0.isASCII && $0.isUppercase && $0.isLetter }
    }

    /// Resolves a code or a Chinese name among the standard categories.
    public static func standard(parsing text: String) -> CategoryCode? {
        let t = text.trimmed
        return standard.first { $0.code == t.uppercased() || $0.chinese == t }
    }
}
