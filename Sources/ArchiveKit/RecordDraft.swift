import Foundation

/// What a person or an import sends to describe a record, before validation: every field
/// optional and textual, as it arrives from a form, a JSON body or a catalogue sheet. The one
/// validator below gives the API, the pages and imports the same rules and messages.
public struct RecordDraft: Sendable, Equatable {
    public var level: String?
    public var category: String?
    public var title: String?
    public var creator: String?
    public var documentNumber: String?
    public var date: String?
    public var year: String?
    public var retention: String?
    public var organisation: String?
    public var pages: String?
    public var classification: String?
    public var accessStatus: String?
    public var carrier: String?
    public var subjects: [String]?
    public var notes: String?
    public var location: String?

    public init() {}

    /// The draft that states every field of a description in its textual form: how a record
    /// that already passed validation elsewhere (a checked transfer, the demo generator) goes
    /// through the catalogue's one validator again.
    public init(_ d: RecordDescription) {
        level = d.level.rawValue
        category = d.category
        title = d.title
        creator = d.creator
        documentNumber = d.documentNumber
        date = d.date
        year = String(d.year)
        retention = d.retention.rawValue
        organisation = d.organisation
        pages = String(d.pages)
        classification = d.classification.rawValue
        accessStatus = d.accessStatus.rawValue
        carrier = d.carrier
        subjects = d.subjects
        notes = d.notes
        location = d.location
    }

    /// Limits on text fields, in characters.
    public enum Limit {
        public static let title = 500
        public static let creator = 200
        public static let documentNumber = 100
        public static let carrier = 50
        public static let notes = 4000
        public static let location = 200
        public static let subject = 50
        public static let subjectCount = 30
        public static let pages = 1_000_000
        public static let years = 1000...2100
    }

    /// Validates the draft on its own (a new record) or as changes over `base` (an edit).
    /// Every problem is reported, not only the first.
    public func validated(over base: RecordDescription? = nil) -> Result<RecordDescription, ValidationFailure> {
        var errors: [FieldError] = []

        func text(_ field: String, _ value: String?, _ old: String?, limit: Int, required: Bool = false,
                  zh: String) -> String {
            let v = (value ?? old ?? "").trimmed
            if required && v.isEmpty {
                errors.append(.init(field: field, rule: "required", zh: "\(zh)不能为空", en: "\(field) is required"))
            }
            if v.count > limit {
                errors.append(.init(field: field, rule: "maxLength",
                                    zh: "\(zh)最多 \(limit) 个字符（现有 \(v.count) 个）",
                                    en: "\(field) must be at most \(limit) characters (got \(v.count))"))
            }
            if v.unicodeScalars.contains(where: { $0.isForbiddenControl(allowNewlines: field == "notes") }) {
                errors.append(.init(field: field, rule: "controlCharacters", zh: "\(zh)含有控制字符",
                                    en: "\(field) contains control characters"))
            }
            return v
        }

        func vocabulary<T>(_ field: String, _ value: String?, _ old: T?, zh: String, allowed: String,
                           parse: (String) -> T?) -> T? {
            // An empty cell or form field means "not given", never "clear to the default".
            let value = value.flatMap { $0.trimmed.isEmpty ? nil : $0 }
            guard let value else {
                if old == nil {
                    errors.append(.init(field: field, rule: "required", zh: "\(zh)不能为空，应为 \(allowed)",
                                        en: "\(field) is required: one of \(allowed)"))
                }
                return old
            }
            guard let parsed = parse(value) else {
                errors.append(.init(field: field, rule: "vocabulary",
                                    zh: "\(zh)「\(value.prefix(40))」无效，应为 \(allowed)",
                                    en: "\(field) '\(value.prefix(40))' is not valid: use one of \(allowed)"))
                return nil
            }
            return parsed
        }

        let level = vocabulary("level", self.level, base?.level ?? .item, zh: "著录层级", allowed: "file（案卷）, item（件）") {
            DescriptionLevel(rawValue: $0.lowercased()) ?? ($0 == "案卷" ? .file : $0 == "件" ? .item : nil)
        }
        let category = text("category", self.category.map { CategoryCode.standard(parsing: $0)?.code ?? $0 },
                            base?.category, limit: 4, required: true, zh: "门类")
        if !category.isEmpty && category.count <= 4 && !CategoryCode.isWellFormed(category) {
            errors.append(.init(field: "category", rule: "pattern", zh: "门类代码应为 1–4 个大写字母，如 WS",
                                en: "category must be a DA/T 13 code of 1–4 capital letters, e.g. WS"))
        }
        let title = text("title", self.title, base?.title, limit: Limit.title, required: true, zh: "题名")
        let creator = text("creator", self.creator, base?.creator, limit: Limit.creator, zh: "责任者")
        let documentNumber = text("documentNumber", self.documentNumber, base?.documentNumber,
                                  limit: Limit.documentNumber, zh: "文号")
        let carrier = text("carrier", self.carrier, base?.carrier, limit: Limit.carrier, zh: "载体")
        let notes = text("notes", self.notes, base?.notes, limit: Limit.notes, zh: "附注")
        let location = text("location", self.location, base?.location, limit: Limit.location, zh: "存址")
        let organisation = text("organisation", self.organisation?.uppercased(), base?.organisation, limit: 10,
                                zh: "机构或问题代码")
        if !organisation.isEmpty && !OrganisationCode.isWellFormed(organisation) {
            errors.append(.init(field: "organisation", rule: "pattern",
                                zh: "机构或问题代码应为 1–10 个大写字母或数字（如 BGS）",
                                en: "organisation must be 1–10 capital letters or digits, e.g. BGS"))
        }

        // 日期 and 年度
        let date = text("date", self.date, base?.date, limit: 10, zh: "日期")
        var dateYear: Int?
        if !date.isEmpty {
            if let d = CalendarDate(parsing: date) {
                dateYear = d.year
                if !Limit.years.contains(d.year) {
                    errors.append(.init(field: "date", rule: "range", zh: "日期的年份应在 1000–2100 之间",
                                        en: "date must be between the years 1000 and 2100"))
                }
            } else {
                errors.append(.init(field: "date", rule: "date",
                                    zh: "日期「\(date.prefix(20))」不是真实的日期，应为 YYYY-MM-DD",
                                    en: "date '\(date.prefix(20))' is not a real calendar date in the form YYYY-MM-DD"))
            }
        }
        var year = base?.year
        if let raw = self.year {
            let digits = raw.trimmed
            if digits.count == 4, digits.allSatisfy(\.isASCIIDigit), let y = Int(digits), Limit.years.contains(y) {
                year = y
            } else {
                errors.append(.init(field: "year", rule: "range", zh: "年度应为 1000–2100 之间的四位年份",
                                    en: "year must be a four-digit year between 1000 and 2100"))
                year = nil
            }
        } else if year == nil {
            year = dateYear
        }
        if year == nil && !errors.contains(where: { $0.field == "year" || $0.field == "date" }) {
            errors.append(.init(field: "year", rule: "required", zh: "年度不能为空（或给出日期）",
                                en: "year is required (or give a date)"))
        }
        if let y = year, let dy = dateYear, y != dy, level == .item {
            errors.append(.init(field: "year", rule: "matchesDate", zh: "年度 \(y) 与日期的年份 \(dy) 不一致",
                                en: "year \(y) does not match the year of the date (\(dy))"))
        }

        var pages = base?.pages ?? 0
        if let raw = self.pages, !raw.trimmed.isEmpty {
            if let p = Int(raw.trimmed), (0...Limit.pages).contains(p) {
                pages = p
            } else {
                errors.append(.init(field: "pages", rule: "range", zh: "页数应为 0–\(Limit.pages) 之间的整数",
                                    en: "pages must be a whole number from 0 to \(Limit.pages)"))
            }
        }

        let retention = vocabulary("retention", self.retention, base?.retention, zh: "保管期限",
                                   allowed: "permanent（永久）, 30y（定期30年）, 10y（定期10年）",
                                   parse: Retention.init(parsing:))
        let classification = vocabulary("classification", self.classification, base?.classification ?? Classification.none,
                                        zh: "密级",
                                        allowed: "none（非密）, confidential（秘密）, secret（机密）, top-secret（绝密）",
                                        parse: Classification.init(parsing:))
        let accessStatus = vocabulary("accessStatus", self.accessStatus, base?.accessStatus ?? .unreviewed,
                                      zh: "开放状态", allowed: "unreviewed（未鉴定）, open（开放）, controlled（控制）",
                                      parse: AccessStatus.init(parsing:))
        if classification != nil && classification != Classification.none && accessStatus == .open {
            errors.append(.init(field: "accessStatus", rule: "classifiedNotOpen",
                                zh: "涉密档案不能开放，请先解密（密级改为非密）",
                                en: "a classified record cannot be open: declassify it first (classification none)"))
        }

        var subjects = base?.subjects ?? []
        if let given = self.subjects {
            subjects = given.map { $0.trimmed }.filter { !$0.isEmpty }
            if subjects.count > Limit.subjectCount {
                errors.append(.init(field: "subjects", rule: "maxCount", zh: "主题词最多 \(Limit.subjectCount) 个",
                                    en: "at most \(Limit.subjectCount) subjects"))
            }
            if subjects.contains(where: { $0.count > Limit.subject || $0.unicodeScalars.contains { $0.isForbiddenControl(allowNewlines: false) } }) {
                errors.append(.init(field: "subjects", rule: "maxLength",
                                    zh: "每个主题词最多 \(Limit.subject) 个字符，且不含控制字符",
                                    en: "each subject must be at most \(Limit.subject) characters without control characters"))
            }
        }

        guard errors.isEmpty, let level, let year, let retention, let classification, let accessStatus else {
            return .failure(ValidationFailure(errors: errors))
        }
        return .success(RecordDescription(
            level: level, category: category, title: title, creator: creator, documentNumber: documentNumber,
            date: date, year: year, retention: retention, organisation: organisation, pages: pages,
            classification: classification, accessStatus: accessStatus, carrier: carrier, subjects: subjects,
            notes: notes, location: location))
    }
}

/// A problem with one field: which field, which rule, and what to do, in both languages.
public struct FieldError: Error, Sendable, Equatable, Codable {
    public var field: String
    public var rule: String
    public var zh: String
    public var en: String
    public init(field: String, rule: String, zh: String, en: String) {
        self.field = field
        self.rule = rule
        self.zh = zh
        self.en = en
    }
    /// "中文 / English", the form used in API error messages.
    public var message: String { "\(zh) / \(en)" }
}

public struct ValidationFailure: Error, Sendable, Equatable {
    public var errors: [FieldError]
    public init(errors: [FieldError]) { self.errors = errors }
}

/// A proleptic Gregorian calendar date, checked for reality (no 2015-02-30).
public struct CalendarDate: Sendable, Equatable, Comparable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= CalendarDate.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(parsing text: String) {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r {
                guard u[i] >= 48 && u[i] <= 57 else { return nil }
                n = n * 10 + Int(u[i] - 48)
            }
            return n
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var description: String {
        "\(String(year, padTo: 4))-\(String(month, padTo: 2))-\(String(day, padTo: 2))"
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

extension Unicode.Scalar {
    func isForbiddenControl(allowNewlines: Bool) -> Bool {
        if allowNewlines && (self == "\n" || self == "\r" || self == "\t") { return false }
        // Bidirectional overrides and isolates can make a title display as something else.
        // General category Cc is exactly C0, DEL and C1: compare numbers, not properties (hot path).
        if value < 0x20 || (0x7F...0x9F).contains(value) { return true }
        if value < 0x2028 { return false }
        return value == 0x2028 || value == 0x2029 || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }
}
