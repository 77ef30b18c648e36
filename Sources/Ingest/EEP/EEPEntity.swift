import ArchiveKit
import Foundation

/// One `<文件实体>` (a record) as read from an EEP, and how its DA/T 48 metadata becomes a
/// catalogue entry.
///
/// | DA/T 48 element | catalogue field |
/// | --- | --- |
/// | `档号` (its own text, when it gives the whole 档号) | 档号 |
/// | `档号/全宗号`, `档号/年度`, `档号/保管期限`, `档号/机构或问题` | 全宗号, year, retention, organisation |
/// | `档号/室编件号` (else `档号/馆编件号`) | 件号 |
/// | `内容描述/题名`, `内容描述/责任者` (repeatable, joined with "；"), `内容描述/文件编号` | title, creator, documentNumber 文号 |
/// | `内容描述/日期` (a dateTime keeps its date) | date |
/// | `内容描述/主题词` (repeatable) | subjects |
/// | `内容描述/密级` (非涉密 read as 非密) | classification |
/// | `内容描述/分类号`, when it is a 门类 (WS, 文书 …) | category |
/// | `形式特征/页数` | pages |
/// | `权限管理/控制标识`, when it is 开放 / 控制 / 未鉴定 | accessStatus |
/// | `附注` (repeatable) | notes |
/// | `聚合层次` 文件 / 案卷 | level item / file |
/// | `电子文件号` | kept in the summary |
/// | `格式信息` of its files, when all agree and it names a format the check knows | 格式 |
///
/// DA/T 48 has no element for 门类: `EEPPackage.Options.category` supplies it when neither
/// 分类号 nor the 档号 says.
struct EEPEntity {
    /// 1 for the first `<文件实体>` that carries files.
    var number = 0
    var values: [CatalogueField: String] = [:]
    var creators: [String] = []
    var subjects: [String] = []
    var notes: [String] = []
    var recordNumber: String?
    var files: [EEPUnpackedFile] = []
    /// 室编件号 wins over 馆编件号: the transferring agency's own number.
    var archivesItemNumber: String?

    mutating func set(_ field: CatalogueField, _ value: String) {
        guard !value.isEmpty, values[field] == nil else { return }
        values[field] = value
    }

    /// Reads a leaf element of the entity; `parent` is the element it is in.
    mutating func read(_ name: String, parent: String, value v: String) {
        switch (parent, name) {
        case ("文件实体", "档号"): set(.archivalCode, v)
        case ("档号", "全宗号"): set(.fonds, v)
        case ("档号", "年度"): set(.year, v)
        case ("档号", "保管期限"): set(.retention, v)
        case ("档号", "机构或问题"): set(.organisation, v)
        case ("档号", "室编件号"): set(.itemNumber, v)
        case ("档号", "馆编件号"): if archivesItemNumber == nil && !v.isEmpty { archivesItemNumber = v }
        case ("内容描述", "题名"): set(.title, v)
        case ("内容描述", "责任者"): if !v.isEmpty { creators.append(v) }
        case ("内容描述", "文件编号"): set(.documentNumber, v)
        case ("内容描述", "日期"): set(.date, EEPEntity.date(v))
        case ("内容描述", "主题词"): subjects += CatalogueEntry.splitSubjects(v)
        case ("内容描述", "密级"): set(.classification, v == "非涉密" ? "非密" : v)
        case ("内容描述", "分类号"): if CategoryCode.standard(parsing: v) != nil { set(.category, v) }
        case ("形式特征", "页数"): set(.pages, v)
        case ("权限管理", "控制标识"): if AccessStatus(parsing: v) != nil { set(.accessStatus, v) }
        case ("文件实体", "附注"): if !v.isEmpty { notes.append(v) }
        case ("文件实体", "聚合层次"):
            switch v {
            case "文件", "件": set(.level, "item")
            case "案卷": set(.level, "file")
            default: break
            }
        case ("文件实体", "电子文件号"): if recordNumber == nil && !v.isEmpty { recordNumber = v }
        default: break
        }
    }

    /// The elements `read` looks at: only their text is kept while parsing.
    static let leafNames: Set<String> = [
        "档号", "全宗号", "年度", "保管期限", "机构或问题", "室编件号", "馆编件号", "题名", "责任者", "文件编号", "日期",
        "主题词", "密级", "分类号", "页数", "控制标识", "附注", "聚合层次", "电子文件号",
    ]

    /// `2015-03-15T10:20:00` (xs:dateTime, as systems write it) → `2015-03-15`.
    static func date(_ v: String) -> String {
        if v.count > 10, let t = v.firstIndex(of: "T"), v.distance(from: v.startIndex, to: t) == 10 {
            return String(v[..<t])
        }
        return v
    }

    /// The catalogue entry for this record, its files at their places in the bag.
    func entry(row: Int, defaultCategory: String?) -> CatalogueEntry {
        var values = self.values
        if values[.itemNumber] == nil, let n = archivesItemNumber { values[.itemNumber] = n }
        if values[.category] == nil, values[.archivalCode].flatMap(ArchivalCode.init(parsing:)) == nil, let c = defaultCategory {
            values[.category] = c
        }
        let formats = Set(files.compactMap { $0.declaredFormat?.trimmed }.filter { !$0.isEmpty })
        if formats.count == 1, files.allSatisfy({ $0.declaredFormat != nil }), let f = formats.first, EEPEntity.isJudgeable(f) {
            values[.format] = f
        }
        var entry = CatalogueEntry(row: row, values: values)
        if !creators.isEmpty { entry.draft.creator = creators.joined(separator: "；") }
        if !subjects.isEmpty { entry.draft.subjects = subjects }
        if !notes.isEmpty { entry.draft.notes = notes.joined(separator: "\n") }
        entry.paths = files.map { String($0.path.dropFirst("data/".count)) }
        return entry
    }

    /// A 格式信息 the transfer check can hold the file to: a name or extension it knows, a MIME
    /// type or a PUID. Free descriptions ("PDF 1.4 版式文件") are kept out of the catalogue, so a
    /// good package does not fail on wording.
    static func isJudgeable(_ format: String) -> Bool {
        FormatNames.mimeTypes(forName: format) != nil || format.lowercased().hasPrefix("fmt/")
            || format.split(separator: "/").count == 2 && !format.contains(" ")
    }
}
