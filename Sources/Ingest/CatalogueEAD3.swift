import ArchiveKit
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

extension CatalogueSheet {
    static let ead3Namespace = "http://ead3.archivists.org/schema/"

    /// Reads an EAD3 finding aid (`ead.xml`) as a catalogue sheet: each component (`<c>` or
    /// `<c01>`…`<c12>`) that points at digital objects, or that has no components inside it, is
    /// one entry (record), numbered in document order from 1.
    ///
    /// The mapping, for the elements of a component (not of the components inside it):
    ///
    /// | EAD3 | catalogue field |
    /// | --- | --- |
    /// | `did/unittitle` | title 题名 |
    /// | `did/unitid localtype="archivalCode"` (or `档号`) | 档号 |
    /// | `did/unitid localtype="itemNumber"` (or `件号`) | 件号 |
    /// | `did/unitid localtype="documentNumber"` (or `文号`) | documentNumber 文号 |
    /// | `did/unitid localtype="fonds"` (or `全宗号`) | 全宗号 |
    /// | `did/unitid` without localtype | 档号 when it is one (DA/T 13), else 件号 when a whole number |
    /// | `did/unitdate/@normal` (else its text), `did/unitdatestructured/datesingle/@standarddate` | date, or year when only a year; a range within one year gives the year |
    /// | `did/origination/persname\|corpname\|famname\|name` | creator 责任者 (several joined with "；") |
    /// | `did/physdescstructured` with `unittype` 页 / pages, or bytes / 字节 | pages 页数, or size 大小 |
    /// | `did/physdesc` | pages when it reads "12页" / "12 pages", else carrier 载体 |
    /// | `did/dao/@href`, `did/daoset/dao/@href` | the payload files, relative to `data/` (one per `dao`; URI escapes such as `%20` are decoded) |
    /// | `accessrestrict` | accessStatus 开放状态 |
    /// | `accessrestrict localtype="classification"` (or `密级`) | classification 密级 |
    /// | `controlaccess/subject` | subjects 主题词 (its `part`s joined with "--") |
    /// | `controlaccess/genreform` | category 门类, when it names one (文书, WS …) |
    /// | `odd`, `did/didnote` | notes 附注 (paragraphs on separate lines) |
    /// | `@level` `item` / `file` (or `otherlevel` 件 / 案卷) | level 著录层级 |
    ///
    /// DA/T 18 fields EAD3 has no element for go in any element of the component whose
    /// `localtype` names a sheet column, in English or Chinese — `<appraisal localtype="retention">`
    /// or `<odd localtype="保管期限">` for 保管期限, `<odd localtype="organisation">` for 机构或问题,
    /// `<odd localtype="category">` for 门类. A `localtype` always wins over the rules above.
    ///
    /// As EAD intends, what a higher level says holds for the levels below unless they say
    /// otherwise: 全宗号, 门类, 保管期限, 机构或问题, 载体, 密级 and 开放状态 given on `<archdesc>`
    /// or on a file-level component are inherited by its items. `<control>` is not read.
    public static func read(ead3 url: URL) throws -> CatalogueSheet {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ReadError.unreadable(path: url.lastPathComponent, reason: "\(error.localizedDescription)")
        }
        return try read(ead3Data: data)
    }

    /// Reads EAD3 XML already in memory.
    public static func read(ead3Data data: Data) throws -> CatalogueSheet {
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let reader = EAD3Reader()
        parser.delegate = reader
        let finished = parser.parse()
        do {
            try XMLReading.finish(parser, finished: finished, recorded: reader.failure, sawRoot: reader.sawRoot,
                                  openElements: reader.openElements)
        } catch {
            throw ReadError.malformedXML(line: error.line, reason: error.reason)
        }
        let (entries, problems) = reader.result()
        var sheet = CatalogueSheet(format: .ead3, encoding: .utf8, entries: entries, problems: problems)
        if sheet.entries.isEmpty {
            sheet.problems.append(SheetProblem(kind: .empty, row: nil, isError: true,
                                               zh: "EAD3 目录中没有著录单元（<c> 或 <c01> 等）",
                                               en: "the EAD3 finding aid holds no components (<c> or <c01> …)"))
        }
        return sheet
    }
}
