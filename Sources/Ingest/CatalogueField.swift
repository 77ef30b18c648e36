import ArchiveKit

/// A column of a catalogue sheet (著录项), under the item field names of the API or the Chinese
/// names of DA/T 18 that agencies' sheets carry.
///
/// The raw value is the API field name, so a sheet exported from Lantai reads back unchanged.
/// Columns that describe the record feed `RecordDraft`; the others (`path`, `archivalCode`,
/// `itemNumber`, `fonds`, `format`, `size`) are what the transfer checks compare the payload
/// and the catalogue against.
public enum CatalogueField: String, CaseIterable, Sendable, Codable {
    case title
    case creator
    case documentNumber
    case date
    case year
    case retention
    case organisation
    case pages
    case classification
    case accessStatus
    case category
    case carrier
    case subjects
    case notes
    case location
    case archivalCode
    case level
    /// 文件路径: the item's payload files relative to `data/`, several separated by `;`.
    case path
    /// 件号 (or 卷内件号 for an item in a file): its number within its 档号 group.
    case itemNumber
    /// 全宗号: must be the transferring agency's fonds.
    case fonds
    /// 格式: what format the agency says the files are in (PDF, OFD, a MIME type or a PUID).
    case format
    /// 大小: the files' total size in bytes (or with a KB/MB/GB unit).
    case size
    /// 序号: a running number many sheets start with; read and ignored, so it is not an
    /// "unknown column".
    case sequence

    /// The name archivists read in the report: DA/T 18's term.
    public var chinese: String {
        switch self {
        case .title: return "题名"
        case .creator: return "责任者"
        case .documentNumber: return "文号"
        case .date: return "日期"
        case .year: return "年度"
        case .retention: return "保管期限"
        case .organisation: return "机构或问题"
        case .pages: return "页数"
        case .classification: return "密级"
        case .accessStatus: return "开放状态"
        case .category: return "门类"
        case .carrier: return "载体"
        case .subjects: return "主题词"
        case .notes: return "附注"
        case .location: return "存址"
        case .archivalCode: return "档号"
        case .level: return "著录层级"
        case .path: return "文件路径"
        case .itemNumber: return "件号"
        case .fonds: return "全宗号"
        case .format: return "格式"
        case .size: return "大小"
        case .sequence: return "序号"
        }
    }

    /// Header spellings beyond the API name and `chinese`, as they occur in real sheets.
    private var aliases: [String] {
        switch self {
        case .title: return ["标题", "文件题名"]
        case .date: return ["成文日期", "形成日期", "文件日期"]
        case .organisation: return ["机构", "机构(问题)", "机构（问题）", "organization"]
        case .notes: return ["备注"]
        case .carrier: return ["载体类型"]
        case .path: return ["路径", "文件", "电子文件路径", "file", "files"]
        case .level: return ["层级"]
        case .format: return ["文件格式"]
        case .size: return ["文件大小", "字节数"]
        case .sequence: return ["no", "no.", "seq", "#"]
        default: return []
        }
    }

    private static let byHeader: [String: CatalogueField] = {
        var map: [String: CatalogueField] = [:]
        for field in allCases {
            for name in [field.rawValue, field.chinese] + field.aliases {
                map[fold(name)] = field
            }
        }
        return map
    }()

    /// English headers compare without case, spaces, `_` or `-` (`Archival Code`,
    /// `archival_code`, `archivalCode`); Chinese ones exactly, after trimming.
    static func fold(_ header: String) -> String {
        String(header.trimmed.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" && $0 != "\u{3000}" })
    }

    /// The field a header names, or nil for a header no one here knows.
    public init?(header: String) {
        guard let field = CatalogueField.byHeader[CatalogueField.fold(header)] else { return nil }
        self = field
    }
}
