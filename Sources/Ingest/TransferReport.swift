import ArchiveKit
import Foundation
import Packaging

/// The four properties DA/T 70 checks a transfer for (四性).
public enum ArchivalProperty: String, Sendable, Codable, CaseIterable {
    /// 真实性: the records are what they claim to be, from whom they claim.
    case authenticity
    /// 完整性: nothing is missing, nothing extra, the counts add up.
    case integrity
    /// 可用性: the records can be opened and read, now and later.
    case usability
    /// 安全性: taking them in puts nothing else at risk.
    case security

    public var chinese: String {
        switch self {
        case .authenticity: return "真实性"
        case .integrity: return "完整性"
        case .usability: return "可用性"
        case .security: return "安全性"
        }
    }
}

/// The outcome of a check item or of one finding. Ordered so the worst wins.
public enum CheckStatus: String, Sendable, Codable, Comparable {
    case pass
    /// Worth an archivist's look; does not stop acceptance.
    case warning
    /// Stops acceptance until the agency sends a corrected package.
    case fail

    public var chinese: String {
        switch self {
        case .pass: return "通过"
        case .warning: return "警告"
        case .fail: return "不通过"
        }
    }

    private var rank: Int { self == .pass ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: CheckStatus, b: CheckStatus) -> Bool { a.rank < b.rank }
}

/// The check items (检测项目) of a transfer report, one per rule of the list.
///
/// The raw values are stable identifiers: the transfer page, the JSON API, the receipt and
/// scripts match on them. Add items freely; never rename one.
public enum CheckItemID: String, Sendable, Codable, CaseIterable {
    case fixity = "authenticity.fixity"
    case metadata = "authenticity.metadata"
    case archivalCode = "authenticity.archival-code"
    case fileAgreement = "authenticity.file-agreement"
    case bagStructure = "authenticity.bag-structure"
    case provenance = "authenticity.provenance"
    case manifestComplete = "integrity.manifest-complete"
    case noUnlistedFiles = "integrity.no-unlisted-files"
    case requiredMetadata = "integrity.required-metadata"
    case itemNumbers = "integrity.item-numbers"
    case counts = "integrity.counts"
    case rowsToFiles = "integrity.rows-to-files"
    case format = "usability.format"
    case readable = "usability.readable"
    case sheetEncoding = "usability.sheet-encoding"
    case paths = "security.paths"
    case linksDevices = "security.links-devices"
    case malware = "security.malware"
    case unchangedSinceReceipt = "security.unchanged-since-receipt"

    public var property: ArchivalProperty {
        switch self {
        case .fixity, .metadata, .archivalCode, .fileAgreement, .bagStructure, .provenance: return .authenticity
        case .manifestComplete, .noUnlistedFiles, .requiredMetadata, .itemNumbers, .counts, .rowsToFiles: return .integrity
        case .format, .readable, .sheetEncoding: return .usability
        case .paths, .linksDevices, .malware, .unchangedSinceReceipt: return .security
        }
    }

    public var nameZh: String {
        switch self {
        case .fixity: return "文件摘要值与清单一致"
        case .metadata: return "元数据值合规（类型、长度、取值范围）"
        case .archivalCode: return "档号规范且未被占用"
        case .fileAgreement: return "文件与其元数据相符（名称、大小、格式）"
        case .bagStructure: return "封装包结构有效（BagIt）"
        case .provenance: return "来源信息已记录（立档单位、移交人、时间）"
        case .manifestComplete: return "清单所列文件齐全"
        case .noUnlistedFiles: return "无清单以外的文件"
        case .requiredMetadata: return "必填元数据齐全"
        case .itemNumbers: return "件号连续、无空号、无重号"
        case .counts: return "目录数量与载荷相符"
        case .rowsToFiles: return "条目与文件一一对应"
        case .format: return "文件格式可识别"
        case .readable: return "文件可读（无加密、无密码保护、未截断）"
        case .sheetEncoding: return "目录文件可读（UTF-8 或 GB18030）"
        case .paths: return "无绝对路径或越界路径"
        case .linksDevices: return "无链接和设备文件"
        case .malware: return "无恶意代码特征"
        case .unchangedSinceReceipt: return "接收后未被改动"
        }
    }

    public var nameEn: String {
        switch self {
        case .fixity: return "Payload digests match the manifests"
        case .metadata: return "Metadata values valid (type, length, range)"
        case .archivalCode: return "Archival codes (档号) well-formed and not already used"
        case .fileAgreement: return "Files agree with their metadata (name, size, format)"
        case .bagStructure: return "Package is a valid bag (BagIt)"
        case .provenance: return "Provenance recorded (agency, officer, time)"
        case .manifestComplete: return "Every manifest file present"
        case .noUnlistedFiles: return "No unlisted files"
        case .requiredMetadata: return "Required metadata present"
        case .itemNumbers: return "Item numbers continuous, no gaps or repeats"
        case .counts: return "Counts in the catalogue match the payload"
        case .rowsToFiles: return "Each row names its files, each file is claimed by one row"
        case .format: return "File formats identified"
        case .readable: return "Files readable (not encrypted, password-protected or truncated)"
        case .sheetEncoding: return "Catalogue sheet readable (UTF-8 or GB18030)"
        case .paths: return "No absolute or escaping paths"
        case .linksDevices: return "No links or device files"
        case .malware: return "No malware signatures"
        case .unchangedSinceReceipt: return "Package unchanged since receipt"
        }
    }
}

/// One line of a check item: what was found, where, and why it matters, in both languages.
public struct Finding: Sendable, Equatable, Codable {
    /// `pass` for a note that records what was checked (e.g. which encoding the sheet was in).
    public var status: CheckStatus
    /// The file concerned, relative to the bag (`data/…`), spelled exactly as sent.
    public var path: String?
    /// The catalogue row (CSV: as a spreadsheet numbers it, header = 1) or XML record.
    public var row: Int?
    /// The metadata field concerned, by its API name.
    public var field: String?
    /// A stable machine code (a `BagProblemCode`, a `RecordDraft` rule, …) for scripts.
    public var code: String?
    public var reasonZh: String
    public var reasonEn: String

    public init(_ status: CheckStatus, path: String? = nil, row: Int? = nil, field: String? = nil, code: String? = nil,
                zh: String, en: String) {
        self.status = status
        self.path = path
        self.row = row
        self.field = field
        self.code = code
        self.reasonZh = zh
        self.reasonEn = en
    }
}

/// One check item (检测项目) of the report.
public struct CheckItem: Sendable, Equatable, Codable {
    /// Stable identifier, a `CheckItemID` raw value.
    public var id: String
    public var property: ArchivalProperty
    public var propertyZh: String
    public var nameZh: String
    public var nameEn: String
    /// The worst status among the findings; `pass` when there are none.
    public var status: CheckStatus
    public var findings: [Finding]

    public init(_ kind: CheckItemID, findings: [Finding]) {
        id = kind.rawValue
        property = kind.property
        propertyZh = kind.property.chinese
        nameZh = kind.nameZh
        nameEn = kind.nameEn
        self.findings = findings
        status = findings.map(\.status).max() ?? .pass
    }

    public var kind: CheckItemID? { CheckItemID(rawValue: id) }
}

/// What was found about one payload file.
public struct FileResult: Sendable, Equatable, Codable {
    /// Relative to the bag (`data/…`), exactly as the file system has it — never transliterated,
    /// shortened or normalised.
    public var path: String
    public var size: UInt64
    public var sha256: String?
    public var sha512: String?
    public var sm3: String?
    /// nil when the file could not be read.
    public var format: FormatIdentification?
    public var malware: [MalwareMatch]
    /// The system's reason when the file could not be read for hashing, identification or scanning.
    public var readError: String?

    public init(path: String, size: UInt64, sha256: String? = nil, sha512: String? = nil, sm3: String? = nil,
                format: FormatIdentification? = nil, malware: [MalwareMatch] = [], readError: String? = nil) {
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.sha512 = sha512
        self.sm3 = sm3
        self.format = format
        self.malware = malware
        self.readError = readError
    }

    public var puid: String? { format?.puid }
    public var mime: String? { format?.mime }
    public var formatName: String? { format?.name }
    public var flags: FormatIdentification.Flags { format?.flags ?? [] }
}

/// One catalogue entry after checking: its validated description (nil when `RecordDraft`
/// refused it), the payload files it names that exist, and its 档号.
public struct CheckedRecord: Sendable, Equatable, Codable {
    public var row: Int
    public var description: RecordDescription?
    /// The `RecordDraft` errors, when `description` is nil.
    public var errors: [FieldError]
    /// Payload files of the entry, relative to the bag (`data/…`), spelled as on disk.
    public var files: [String]
    /// The 档号 as given (canonical form when it parsed), nil when the sheet gives none.
    public var archivalCode: String?
    /// 件号 (or 卷内件号) as a number, from the 件号 column or the 档号.
    public var itemNumber: Int?

    public init(row: Int, description: RecordDescription?, errors: [FieldError], files: [String],
                archivalCode: String?, itemNumber: Int?) {
        self.row = row
        self.description = description
        self.errors = errors
        self.files = files
        self.archivalCode = archivalCode
        self.itemNumber = itemNumber
    }
}

/// The four-property check report (四性检测报告) of one transfer: per check item, per file and
/// per record, in Chinese and English. Codable, so the API returns it as JSON and the job keeps
/// it with the transfer.
public struct TransferReport: Sendable, Equatable, Codable {
    public var agency: String
    public var officer: String
    public var receivedAt: Date
    public var checkedAt: Date
    /// The catalogue sheet's file name inside the bag, nil when none was found.
    public var sheet: String?
    public var sheetEncoding: SheetEncoding?
    public var items: [CheckItem]
    public var files: [FileResult]
    public var records: [CheckedRecord]
    public var payloadBytes: UInt64

    /// True when no item failed: the archivist may accept the transfer (warnings are for them to
    /// read, not reasons to refuse).
    public var passed: Bool { !items.contains { $0.status == .fail } }

    public func item(_ id: CheckItemID) -> CheckItem? {
        items.first { $0.id == id.rawValue }
    }

    /// Every failing finding across items, as the rejection notice to the agency lists them.
    public var failures: [(item: CheckItem, finding: Finding)] {
        items.flatMap { item in item.findings.filter { $0.status == .fail }.map { (item, $0) } }
    }

    public init(agency: String, officer: String, receivedAt: Date, checkedAt: Date, sheet: String?,
                sheetEncoding: SheetEncoding?, items: [CheckItem], files: [FileResult], records: [CheckedRecord],
                payloadBytes: UInt64) {
        self.agency = agency
        self.officer = officer
        self.receivedAt = receivedAt
        self.checkedAt = checkedAt
        self.sheet = sheet
        self.sheetEncoding = sheetEncoding
        self.items = items
        self.files = files
        self.records = records
        self.payloadBytes = payloadBytes
    }

    private enum CodingKeys: String, CodingKey {
        case agency, officer, receivedAt, checkedAt, sheet, sheetEncoding, items, files, records, payloadBytes, passed
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        agency = try c.decode(String.self, forKey: .agency)
        officer = try c.decode(String.self, forKey: .officer)
        receivedAt = try c.decode(Date.self, forKey: .receivedAt)
        checkedAt = try c.decode(Date.self, forKey: .checkedAt)
        sheet = try c.decodeIfPresent(String.self, forKey: .sheet)
        sheetEncoding = try c.decodeIfPresent(SheetEncoding.self, forKey: .sheetEncoding)
        items = try c.decode([CheckItem].self, forKey: .items)
        files = try c.decode([FileResult].self, forKey: .files)
        records = try c.decode([CheckedRecord].self, forKey: .records)
        payloadBytes = try c.decode(UInt64.self, forKey: .payloadBytes)
    }

    /// `passed` is written too, so a reader of the JSON need not recompute it.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(agency, forKey: .agency)
        try c.encode(officer, forKey: .officer)
        try c.encode(receivedAt, forKey: .receivedAt)
        try c.encode(checkedAt, forKey: .checkedAt)
        try c.encodeIfPresent(sheet, forKey: .sheet)
        try c.encodeIfPresent(sheetEncoding, forKey: .sheetEncoding)
        try c.encode(items, forKey: .items)
        try c.encode(files, forKey: .files)
        try c.encode(records, forKey: .records)
        try c.encode(payloadBytes, forKey: .payloadBytes)
        try c.encode(passed, forKey: .passed)
    }
}
