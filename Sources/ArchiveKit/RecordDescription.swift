/// The description of a file (案卷) or item (件) by DA/T 18 / ISAD(G), once validated.
/// The fonds and the 档号 are not part of it: they are assigned by the catalogue.
public struct RecordDescription: Sendable, Equatable, Codable {
    public var level: DescriptionLevel
    /// 门类 code (DA/T 13), e.g. WS.
    public var category: String
    /// 题名
    public var title: String
    /// 责任者
    public var creator: String
    /// 文号
    public var documentNumber: String
    /// 日期, YYYY-MM-DD; may be empty for a file that spans a period.
    public var date: String
    /// 年度
    public var year: Int
    /// 保管期限
    public var retention: Retention
    /// 机构或问题 code, may be empty.
    public var organisation: String
    /// 页数
    public var pages: Int
    /// 密级
    public var classification: Classification
    /// 开放状态
    public var accessStatus: AccessStatus
    /// 载体 (纸质, 电子, 照片 …)
    public var carrier: String
    /// 主题词
    public var subjects: [String]
    /// 附注
    public var notes: String
    /// 存址 — where the physical record is shelved.
    public var location: String

    public init(level: DescriptionLevel = .item, category: String, title: String, creator: String = "",
                documentNumber: String = "", date: String = "", year: Int, retention: Retention,
                organisation: String = "", pages: Int = 0, classification: Classification = .none,
                accessStatus: AccessStatus = .unreviewed, carrier: String = "", subjects: [String] = [],
                notes: String = "", location: String = "") {
        self.level = level
        self.category = category
        self.title = title
        self.creator = creator
        self.documentNumber = documentNumber
        self.date = date
        self.year = year
        self.retention = retention
        self.organisation = organisation
        self.pages = pages
        self.classification = classification
        self.accessStatus = accessStatus
        self.carrier = carrier
        self.subjects = subjects
        self.notes = notes
        self.location = location
    }

    /// The numbering group of this record's 档号 within a fonds.
    public func codeGroup(fonds: String) -> ArchivalCode.Group {
        ArchivalCode.Group(fonds: fonds, category: category, year: year, retention: retention,
                           organisation: organisation)
    }

    /// Field-by-field differences, for the edit history (who, when, what changed).
    public func changes(to other: RecordDescription) -> [FieldChange] {
        var out: [FieldChange] = []
        func cmp(_ field: String, _ a: String, _ b: String) { if a != b { out.append(.init(field: field, old: a, new: b)) } }
        cmp("level", level.rawValue, other.level.rawValue)
        cmp("category", category, other.category)
        cmp("title", title, other.title)
        cmp("creator", creator, other.creator)
        cmp("documentNumber", documentNumber, other.documentNumber)
        cmp("date", date, other.date)
        cmp("year", String(year), String(other.year))
        cmp("retention", retention.rawValue, other.retention.rawValue)
        cmp("organisation", organisation, other.organisation)
        cmp("pages", String(pages), String(other.pages))
        cmp("classification", classification.rawValue, other.classification.rawValue)
        cmp("accessStatus", accessStatus.rawValue, other.accessStatus.rawValue)
        cmp("carrier", carrier, other.carrier)
        // Compare the lists, not their joined text: ["a；b"] and ["a", "b"] join alike but differ.
        if subjects != other.subjects {
            out.append(.init(field: "subjects", old: subjects.joined(separator: "；"),
                             new: other.subjects.joined(separator: "；")))
        }
        cmp("notes", notes, other.notes)
        cmp("location", location, other.location)
        return out
    }
}

/// One changed field in an edit.
public struct FieldChange: Sendable, Equatable, Codable {
    public var field: String
    public var old: String
    public var new: String
    public init(field: String, old: String, new: String) {
        self.field = field
        self.old = old
        self.new = new
    }
}
