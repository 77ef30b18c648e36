import ArchiveKit
import Foundation

/// The catalogue sheet (目录) of a transfer: one entry per item, read from `catalogue.csv` (or a
/// Dublin Core or EAD3 XML file), with each entry's description as a `RecordDraft` and the
/// payload files it names.
///
/// Reading does not judge: values stay as the agency wrote them (apart from spelling-level
/// normalisation of dates) and `RecordDraft.validated()` is the one place their rules live.
/// What is wrong with the sheet's *shape* — an unknown or duplicated column, no 文件路径
/// column, cells past the last header — is collected in `problems` rather than thrown, so the
/// agency gets every reason in one report. Only a sheet that cannot be read at all (missing,
/// not UTF-8 or GB18030, not XML) throws.
public struct CatalogueSheet: Sendable {
    /// Which kind of file the sheet was.
    public enum Format: String, Sendable, Codable {
        case csv
        case dublinCore = "dublin-core"
        case ead3
    }

    public var format: Format
    /// The encoding the bytes were in (XML sheets: as the parser read them, reported as UTF-8).
    public var encoding: SheetEncoding
    /// Header cells as written (CSV only), in column order.
    public var headers: [String]
    /// The field each header column maps to; nil for an unknown or repeated header.
    public var columns: [CatalogueField?]
    public var entries: [CatalogueEntry]
    public var problems: [SheetProblem]

    public init(format: Format, encoding: SheetEncoding, headers: [String] = [], columns: [CatalogueField?] = [],
                entries: [CatalogueEntry] = [], problems: [SheetProblem] = []) {
        self.format = format
        self.encoding = encoding
        self.headers = headers
        self.columns = columns
        self.entries = entries
        self.problems = problems
    }

    /// Whether entries can name their files at all (a CSV without a 文件路径 column cannot; an
    /// XML record always can).
    public var hasPathColumn: Bool {
        format != .csv || columns.contains(.path)
    }

    /// Whether entries are records of an XML document rather than rows of a table: reports then
    /// say "第 N 条记录 / record N" instead of "第 N 行 / row N".
    public var countsRecords: Bool { format != .csv }

    /// Why a sheet could not be read at all.
    public enum ReadError: Error, Sendable, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case undecodable(SheetDecodingError)
        case malformedXML(line: Int, reason: String)

        public var reasonZh: String {
            switch self {
            case .unreadable(let path, let reason): return "无法读取目录文件 \(path)：\(reason)"
            case .undecodable(let e): return e.reasonZh
            case .malformedXML(let line, let reason): return "目录文件不是格式正确的 XML（第 \(line) 行：\(reason)）"
            }
        }

        public var reasonEn: String {
            switch self {
            case .unreadable(let path, let reason): return "cannot read the sheet \(path): \(reason)"
            case .undecodable(let e): return e.reasonEn
            case .malformedXML(let line, let reason): return "the sheet is not well-formed XML (line \(line): \(reason))"
            }
        }

        public var description: String { "\(reasonZh) / \(reasonEn)" }
    }

    // MARK: CSV

    /// Reads a CSV catalogue sheet: RFC 4180 fields, UTF-8 with or without BOM or else GB18030,
    /// headers in English or Chinese (see `CatalogueField`).
    ///
    /// A sheet is a few megabytes even for 100,000 items, so it is read whole; payload files,
    /// which can be gigabytes, are never read this way.
    public static func read(csv url: URL) throws -> CatalogueSheet {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: url))
        } catch {
            throw ReadError.unreadable(path: url.lastPathComponent, reason: "\(error.localizedDescription)")
        }
        return try read(csvBytes: bytes)
    }

    /// Reads CSV bytes already in memory (an upload being previewed).
    public static func read(csvBytes bytes: [UInt8]) throws -> CatalogueSheet {
        let decoded: (utf8: [UInt8], encoding: SheetEncoding)
        do {
            decoded = try SheetDecoder.decode(bytes)
        } catch let e as SheetDecodingError {
            throw ReadError.undecodable(e)
        }
        let csv = CSVReader(utf8: decoded.utf8)
        var sheet = CatalogueSheet(format: .csv, encoding: decoded.encoding)
        for issue in csv.issues {
            switch issue.kind {
            case .unterminatedQuote:
                sheet.problems.append(SheetProblem(
                    kind: .unterminatedQuote, row: issue.record, isError: true,
                    zh: "第 \(issue.record) 行的引号没有闭合，其后的内容都被当作同一个单元格",
                    en: "row \(issue.record): a quoted cell is never closed, so everything after it was read as one cell"))
            case .textAfterClosingQuote:
                sheet.problems.append(SheetProblem(
                    kind: .textAfterClosingQuote, row: issue.record, isError: false,
                    zh: "第 \(issue.record) 行：引号闭合后还有文字，已并入该单元格",
                    en: "row \(issue.record): text after a closing quote was kept as part of the cell"))
            }
        }
        var records = csv.records[...]
        // The header is the first record that is not blank.
        while let first = records.first, first.cells.allSatisfy({ $0.trimmed.isEmpty }) { records.removeFirst() }
        guard let header = records.popFirst() else {
            sheet.problems.append(SheetProblem(kind: .empty, row: nil, isError: true,
                                               zh: "目录文件是空的", en: "the sheet is empty"))
            return sheet
        }
        sheet.readHeader(header.cells, row: header.number, dataRows: Array(records))
        for record in records where !record.cells.allSatisfy({ $0.trimmed.isEmpty }) {
            sheet.readRow(record)
        }
        if sheet.entries.isEmpty {
            sheet.problems.append(SheetProblem(kind: .empty, row: nil, isError: true,
                                               zh: "目录文件只有表头，没有条目", en: "the sheet has a header but no rows"))
        }
        return sheet
    }

    private mutating func readHeader(_ cells: [String], row: Int, dataRows: [CSVReader.Record]) {
        headers = cells
        var seen: [CatalogueField: Int] = [:]
        for (index, cell) in cells.enumerated() {
            let name = cell.trimmed.unicodeScalars.first == "\u{FEFF}" ? String(cell.trimmed.dropFirst()) : cell.trimmed
            let column = index + 1
            if name.isEmpty {
                // A trailing comma gives an empty header over an empty column: harmless.
                let used = dataRows.contains { index < $0.cells.count && !$0.cells[index].trimmed.isEmpty }
                if used {
                    problems.append(SheetProblem(
                        kind: .unknownColumn, row: row, column: "#\(column)", isError: true,
                        zh: "第 \(column) 列没有表头，但有内容；请填写列名",
                        en: "column \(column) has no header but holds values; give it a name"))
                }
                columns.append(nil)
                continue
            }
            guard let field = CatalogueField(header: name) else {
                problems.append(SheetProblem(
                    kind: .unknownColumn, row: row, column: name, isError: true,
                    zh: "第 \(column) 列的列名「\(name)」无法识别；应为著录项名称，如 题名、日期、保管期限、文件路径",
                    en: "column \(column) header '\(name)' is not a known field; use a field name such as title, date, retention, path"))
                columns.append(nil)
                continue
            }
            if let first = seen[field] {
                problems.append(SheetProblem(
                    kind: .duplicateColumn, row: row, column: name, isError: true,
                    zh: "第 \(column) 列「\(name)」与第 \(first) 列重复（都是\(field.chinese)），只读取第 \(first) 列",
                    en: "column \(column) '\(name)' repeats column \(first) (both are \(field.rawValue)); only column \(first) is read"))
                columns.append(nil)
                continue
            }
            seen[field] = column
            columns.append(field)
        }
        if seen[.path] == nil {
            problems.append(SheetProblem(
                kind: .missingPathColumn, row: row, column: CatalogueField.path.rawValue, isError: true,
                zh: "缺少“文件路径”列：条目无法对应到载荷中的文件",
                en: "no path (文件路径) column: rows cannot name their payload files"))
        }
    }

    private mutating func readRow(_ record: CSVReader.Record) {
        var values: [CatalogueField: String] = [:]
        for (index, cell) in record.cells.enumerated() {
            if index >= columns.count {
                if !cell.trimmed.isEmpty {
                    problems.append(SheetProblem(
                        kind: .extraCells, row: record.number, column: "#\(index + 1)", isError: true,
                        zh: "第 \(record.number) 行第 \(index + 1) 列超出表头范围（表头只有 \(columns.count) 列），内容「\(cell.trimmed.prefix(30))」无法归属",
                        en: "row \(record.number) has a value in column \(index + 1) past the \(columns.count) headers ('\(cell.trimmed.prefix(30))')"))
                }
                continue
            }
            guard let field = columns[index] else { continue }
            values[field] = cell
        }
        if record.cells.count < columns.count {
            problems.append(SheetProblem(
                kind: .missingCells, row: record.number, isError: false,
                zh: "第 \(record.number) 行只有 \(record.cells.count) 个单元格，少于表头的 \(columns.count) 列；缺少的按空值处理",
                en: "row \(record.number) has \(record.cells.count) cells for \(columns.count) headers; the missing ones are read as empty"))
        }
        entries.append(CatalogueEntry(row: record.number, values: values))
    }
}

/// One item of a catalogue sheet.
public struct CatalogueEntry: Sendable, Equatable {
    /// Where the entry is in the sheet: for CSV the row number a spreadsheet shows (the header is
    /// row 1), for XML the record's position (1 for the first record).
    public var row: Int
    /// The description as the agency wrote it, for `RecordDraft.validated()` to judge.
    public var draft: RecordDraft
    /// Payload files, relative to `data/`, as written (split on `;`, trimmed).
    public var paths: [String]
    /// 档号 as written, if the sheet gives one.
    public var archivalCode: String?
    /// 件号 as written.
    public var itemNumber: String?
    /// 全宗号 as written.
    public var fonds: String?
    /// 格式 as written.
    public var format: String?
    /// 大小 as written.
    public var size: String?

    public init(row: Int, draft: RecordDraft = RecordDraft(), paths: [String] = [], archivalCode: String? = nil,
                itemNumber: String? = nil, fonds: String? = nil, format: String? = nil, size: String? = nil) {
        self.row = row
        self.draft = draft
        self.paths = paths
        self.archivalCode = archivalCode
        self.itemNumber = itemNumber
        self.fonds = fonds
        self.format = format
        self.size = size
    }

    /// Builds an entry from cell values by field. Empty cells mean "not given".
    init(row: Int, values: [CatalogueField: String]) {
        self.init(row: row)
        func value(_ field: CatalogueField) -> String? {
            guard let v = values[field], !v.trimmed.isEmpty else { return nil }
            return v
        }
        draft.title = value(.title)
        draft.creator = value(.creator)
        draft.documentNumber = value(.documentNumber)
        draft.date = value(.date).map(CatalogueEntry.normalisedDate)
        draft.year = value(.year).map(CatalogueEntry.normalisedYear)
        draft.retention = value(.retention)
        draft.organisation = value(.organisation)
        draft.pages = value(.pages)
        draft.classification = value(.classification)
        draft.accessStatus = value(.accessStatus)
        draft.category = value(.category)
        draft.carrier = value(.carrier)
        draft.subjects = value(.subjects).map(CatalogueEntry.splitSubjects)
        draft.notes = value(.notes)
        draft.location = value(.location)
        draft.level = value(.level)
        paths = value(.path).map(CatalogueEntry.splitPaths) ?? []
        archivalCode = value(.archivalCode)?.trimmed
        itemNumber = value(.itemNumber)?.trimmed
        fonds = value(.fonds)?.trimmed
        format = value(.format)?.trimmed
        size = value(.size)?.trimmed
    }

    /// `a.pdf; b.pdf` → `["a.pdf", "b.pdf"]`. Only the ASCII `;` separates: a full-width `；`
    /// may be part of a Chinese file name.
    static func splitPaths(_ text: String) -> [String] {
        text.split(separator: ";").map { String($0).trimmed }.filter { !$0.isEmpty }
    }

    /// Subjects are separated by `;` or the full-width `；` Chinese input methods type.
    static func splitSubjects(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == ";" || $0 == "；" }).map { String($0).trimmed }.filter { !$0.isEmpty }
    }

    /// Spellings of a date that sheets carry, rewritten to `YYYY-MM-DD` so `RecordDraft` can
    /// judge the date itself: `20150315` (DA/T 22's form), `2015/3/15`, `2015.3.15`,
    /// `2015年3月15日`. Anything else is passed on unchanged, to be reported as it was written.
    /// Only spelling changes here: whether 2015-02-30 exists is `RecordDraft`'s question.
    static func normalisedDate(_ raw: String) -> String {
        let t = raw.trimmed
        let digits = t.unicodeScalars.allSatisfy { $0.value >= 48 && $0.value <= 57 }
        if digits && t.unicodeScalars.count == 8 {
            let s = Array(t)
            return String(s[0 ..< 4]) + "-" + String(s[4 ..< 6]) + "-" + String(s[6 ..< 8])
        }
        var body = t
        if body.hasSuffix("日") { body.removeLast() }
        let parts = body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "/" || $0 == "." || $0 == "年" || $0 == "月" || $0 == "-" })
        guard parts.count == 3, parts[0].count == 4, (1 ... 2).contains(parts[1].count), (1 ... 2).contains(parts[2].count),
              parts.allSatisfy({ $0.unicodeScalars.allSatisfy { $0.value >= 48 && $0.value <= 57 } })
        else { return t }
        func pad(_ s: Substring) -> String { s.count == 1 ? "0" + s : String(s) }
        return "\(parts[0])-\(pad(parts[1]))-\(pad(parts[2]))"
    }

    /// `2015年` → `2015`; anything else unchanged.
    static func normalisedYear(_ raw: String) -> String {
        let t = raw.trimmed
        return t.hasSuffix("年") ? String(t.dropLast()) : t
    }
}

/// Something wrong with the sheet's shape rather than with one record's values.
public struct SheetProblem: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case unknownColumn = "unknown-column"
        case duplicateColumn = "duplicate-column"
        case missingPathColumn = "missing-path-column"
        case extraCells = "extra-cells"
        case missingCells = "missing-cells"
        case unterminatedQuote = "unterminated-quote"
        case textAfterClosingQuote = "text-after-closing-quote"
        case empty = "empty"
        case unknownElement = "unknown-element"
    }

    public var kind: Kind
    /// Row (CSV) or record (XML) number, nil for the sheet as a whole.
    public var row: Int?
    /// The column header or element concerned.
    public var column: String?
    /// False for things worth telling the agency that do not make the sheet wrong.
    public var isError: Bool
    public var zh: String
    public var en: String

    public init(kind: Kind, row: Int?, column: String? = nil, isError: Bool, zh: String, en: String) {
        self.kind = kind
        self.row = row
        self.column = column
        self.isError = isError
        self.zh = zh
        self.en = en
    }
}
