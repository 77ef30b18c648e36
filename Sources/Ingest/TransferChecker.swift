import ArchiveKit
import Dispatch
import Foundation
import Packaging

/// The four-property check (四性检测, DA/T 70) of a transfer package unpacked to a directory:
/// a BagIt bag whose payload holds the records and whose catalogue sheet describes them.
///
/// Every rule of the check is a named `CheckItem` with findings in Chinese and English, so the
/// agency can fix everything in one round. Nothing is thrown: a package that cannot even be
/// read is a report full of failures, which is what the agency needs to see.
///
/// The work is done by the Packaging module's readers — `BagValidator` for BagIt and fixity,
/// `FileDigest` for the digests kept with the record, `FormatIdentifier` for formats — and by
/// `RecordDraft`, the one validator of record metadata. Files are streamed, never loaded
/// whole, and read on every core.
public enum TransferChecker {
    /// The names a catalogue sheet may have at the top of the bag, in the order looked for:
    /// CSV first, then Dublin Core, then EAD3. `catalogue.xlsx` is recognised so the report can
    /// say it is not read yet rather than that there is no sheet.
    public static let csvSheetNames = ["catalogue.csv"]
    public static let dublinCoreSheetNames = ["catalogue.xml", "dublin-core.xml", "dc.xml"]
    public static let ead3SheetNames = ["ead.xml"]
    public static let unsupportedSheetNames = ["catalogue.xlsx"]

    /// Checks the bag at `bagDirectory` and reports every check item.
    public static func check(bagDirectory: URL, context: TransferContext, options: Options = .init()) -> TransferReport {
        var root = bagDirectory.standardizedFileURL.path
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        var run = TransferCheckRun(root: root, context: context, options: options)
        return run.perform()
    }
}

// MARK: - One run

struct TransferCheckRun {
    let root: String
    let context: TransferContext
    let options: TransferChecker.Options

    var findings: [CheckItemID: [Finding]] = [:]
    var bag: BagReport?
    var payload: [PayloadFile] = []
    /// NFC key → index into `payload`.
    var payloadIndex: [String: Int] = [:]
    var sheet: CatalogueSheet?
    var sheetName: String?
    var fileResults: [FileResult] = []
    var records: [CheckedRecord] = []
    /// Per entry (same order as sheet.entries): resolved payload indices.
    var resolvedFiles: [[Int]] = []

    init(root: String, context: TransferContext, options: TransferChecker.Options) {
        self.root = root
        self.context = context
        self.options = options
    }

    mutating func add(_ id: CheckItemID, _ finding: Finding) {
        findings[id, default: []].append(finding)
    }

    mutating func perform() -> TransferReport {
        options.progress?(TransferCheckProgress(phase: .bag, filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0))
        do {
            // The validator computes the record's digests on its own pass over each listed file,
            // so checkContents need not read the payload a second time to hash it.
            var validation = options.bagValidation
            validation.additionalPayloadDigests = options.digestAlgorithms.sorted()
            bag = try BagValidator.validate(directory: URL(fileURLWithPath: root), options: validation)
        } catch {
            return notABag(reason: "\(error)")
        }
        payload = PayloadFiles.list(root: root)
        for (i, file) in payload.enumerated() { payloadIndex[PayloadFiles.key(file.path)] = i }

        checkBag()
        readSheet()
        checkContents()
        checkRecords()
        checkRowsAndFiles()
        checkCounts()
        checkNumbering()
        checkProvenance()
        checkUnchangedSinceReceipt()
        checkFileNames()
        options.progress?(TransferCheckProgress(
            phase: .done, filesDone: payload.count, filesTotal: payload.count,
            bytesDone: payloadBytes, bytesTotal: payloadBytes))
        return report()
    }

    var payloadBytes: UInt64 { payload.reduce(0) { $0 + $1.size } }

    func report() -> TransferReport {
        TransferReport(
            agency: context.agency, officer: context.officer, receivedAt: context.receivedAt, checkedAt: Date(),
            sheet: sheetName, sheetEncoding: sheet?.encoding,
            items: CheckItemID.allCases.map { CheckItem($0, findings: findings[$0] ?? []) },
            files: fileResults, records: records, payloadBytes: payloadBytes)
    }

    /// Not a directory at all: every item fails, saying why, so the report still has its shape.
    mutating func notABag(reason: String) -> TransferReport {
        for id in CheckItemID.allCases {
            add(id, Finding(.fail, code: "not-a-bag",
                            zh: "未能检测：移交包不是一个目录（\(reason)）",
                            en: "not checked: the package is not a directory (\(reason))"))
        }
        return report()
    }

    // MARK: Row wording

    func rowZh(_ row: Int) -> String { sheet?.countsRecords == true ? "第 \(row) 条记录" : "第 \(row) 行" }
    func rowEn(_ row: Int) -> String { sheet?.countsRecords == true ? "record \(row)" : "row \(row)" }

    // MARK: BagIt

    /// Maps each BagValidator problem to the check item whose rule it breaks; what belongs to no
    /// finer item is a structure problem.
    mutating func checkBag() {
        guard let bag else { return }
        for (problems, status) in [(bag.problems, CheckStatus.fail), (bag.warnings, CheckStatus.warning)] {
            for p in problems {
                let (id, zh) = TransferCheckRun.describe(p)
                let en = p.path.map { "\($0): \(p.message)" } ?? p.message
                add(id, Finding(status, path: p.path, code: p.code, zh: zh, en: en))
            }
        }
        // Fixity notes: what was compared, and whether it proves anything.
        if !bag.digestsChecked {
            add(.fixity, Finding(.warning, code: "digests-not-checked",
                                 zh: "本次为快速校验，未比对摘要值", en: "fast validation: digests were not compared"))
        } else if !bag.algorithms.isEmpty {
            let names = bag.algorithms.map(\.rawValue).joined(separator: ", ")
            add(.fixity, Finding(.pass, code: "checked",
                                 zh: "已按清单（\(names)）核对 \(bag.payloadFiles) 个载荷文件的摘要值",
                                 en: "\(bag.payloadFiles) payload files checked against the \(names) manifests"))
        }
        if !bag.algorithms.isEmpty && !bag.algorithms.contains(where: { $0 == .sha256 || $0 == .sha384 || $0 == .sha512 }) {
            add(.fixity, Finding(.warning, code: "weak-algorithm",
                                 zh: "清单只使用 MD5/SHA-1，这类算法可被伪造碰撞，只能发现意外损坏，不能证明未被篡改；请改用 SHA-256 或 SHA-512",
                                 en: "the manifests use only MD5/SHA-1, which can be forged: they detect accidents, not tampering; use SHA-256 or SHA-512"))
        }
    }

    static func describe(_ p: BagProblem) -> (CheckItemID, String) {
        let path = p.path ?? ""
        switch BagProblemCode(rawValue: p.code) {
        case .manifestDigestMismatch:
            return (.fixity, "文件内容与清单中的摘要值不符（封装后被改动或损坏）：\(path)")
        case .tagmanifestDigestMismatch:
            return (.fixity, "标签文件内容与标签清单中的摘要值不符：\(path)")
        case .missingFile:
            return (.manifestComplete, "清单列出的文件不在包中：\(path)")
        case .unlistedFile:
            return (.noUnlistedFiles, "载荷中的文件未列入清单：\(path)")
        case .unsafePath:
            return (.paths, "路径不安全（绝对路径、含 .. 或 ~，可能越出封装包）：\(path)")
        case .symlink:
            return (.linksDevices, "包含符号链接：\(path)")
        case .specialFile:
            return (.linksDevices, "包含设备文件、管道或套接字：\(path)")
        case .payloadOxumMismatch:
            return (.counts, "bag-info.txt 中的 Payload-Oxum（字节数.文件数）与实际载荷不符")
        case .some(let code):
            return (.bagStructure, path.isEmpty ? code.chineseTitle : "\(code.chineseTitle)：\(path)")
        case .none:
            return (.bagStructure, path.isEmpty ? "封装包问题（\(p.code)）" : "封装包问题（\(p.code)）：\(path)")
        }
    }

    // MARK: Sheet

    mutating func readSheet() {
        func present(_ name: String) -> Bool { PayloadFiles.isRegularFile(root + "/" + name) }
        let kinds: [(names: [String], format: CatalogueSheet.Format)] = [
            (TransferChecker.csvSheetNames, .csv),
            (TransferChecker.dublinCoreSheetNames, .dublinCore),
            (TransferChecker.ead3SheetNames, .ead3),
        ]
        var found: (name: String, format: CatalogueSheet.Format)?
        for kind in kinds where found == nil {
            if let name = kind.names.first(where: present) { found = (name, kind.format) }
        }
        guard let found else {
            if let other = TransferChecker.unsupportedSheetNames.first(where: present) {
                add(.sheetEncoding, Finding(.fail, path: other, code: "sheet-unsupported",
                                            zh: "目录文件 \(other) 的格式暂不支持；请提供 catalogue.csv（UTF-8 或 GB18030）、Dublin Core XML 或 EAD3（ead.xml）",
                                            en: "the sheet \(other) is not read yet; send catalogue.csv (UTF-8 or GB18030), Dublin Core XML or EAD3 (ead.xml)"))
            } else {
                add(.sheetEncoding, Finding(.fail, code: "no-sheet",
                                            zh: "封装包顶层没有目录文件 catalogue.csv（或 Dublin Core 的 catalogue.xml、EAD3 的 ead.xml）",
                                            en: "no catalogue sheet (catalogue.csv, or Dublin Core catalogue.xml, or EAD3 ead.xml) at the top of the bag"))
            }
            add(.requiredMetadata, Finding(.fail, code: "no-sheet",
                                           zh: "没有目录文件，无法获得著录信息", en: "no catalogue sheet, so no descriptions"))
            return
        }
        sheetName = found.name
        checkSheetCoveredByTagManifest(found.name)
        let url = URL(fileURLWithPath: root + "/" + found.name)
        do {
            switch found.format {
            case .csv: sheet = try CatalogueSheet.read(csv: url)
            case .dublinCore: sheet = try CatalogueSheet.read(dublinCore: url)
            case .ead3: sheet = try CatalogueSheet.read(ead3: url)
            }
        } catch let error as CatalogueSheet.ReadError {
            add(.sheetEncoding, Finding(.fail, path: found.name, code: "sheet-unreadable", zh: error.reasonZh, en: error.reasonEn))
            add(.requiredMetadata, Finding(.fail, path: found.name, code: "sheet-unreadable",
                                           zh: "目录文件无法读取，无法获得著录信息", en: "the sheet cannot be read, so no descriptions"))
            return
        } catch {
            add(.sheetEncoding, Finding(.fail, path: found.name, code: "sheet-unreadable",
                                        zh: "无法读取目录文件：\(error)", en: "cannot read the sheet: \(error)"))
            return
        }
        guard let sheet else { return }
        let encodingNote: (String, String)
        switch sheet.encoding {
        case .utf8: encodingNote = ("UTF-8 编码", "UTF-8")
        case .utf8WithBOM: encodingNote = ("UTF-8 编码（带字节顺序标记）", "UTF-8 with a byte-order mark")
        case .gb18030: encodingNote = ("GB18030 编码，已转换", "GB18030, converted")
        }
        add(.sheetEncoding, Finding(.pass, path: found.name, code: sheet.encoding.rawValue,
                                    zh: "目录文件 \(found.name) 可读：\(encodingNote.0)，\(sheet.entries.count) 条",
                                    en: "sheet \(found.name) read: \(encodingNote.1), \(sheet.entries.count) entries"))
        for problem in sheet.problems {
            let status: CheckStatus = problem.isError ? .fail : .warning
            let finding = Finding(status, path: found.name, row: problem.row, field: problem.column,
                                  code: problem.kind.rawValue, zh: problem.zh, en: problem.en)
            switch problem.kind {
            case .unknownColumn, .duplicateColumn, .extraCells, .missingCells, .unknownElement:
                add(.metadata, finding)
            case .missingPathColumn:
                add(.rowsToFiles, finding)
            case .unterminatedQuote, .textAfterClosingQuote:
                add(.sheetEncoding, finding)
            case .empty:
                add(.requiredMetadata, finding)
            }
        }
    }

    /// The sheet is metadata the archives will trust: unless a tag manifest lists it, it could
    /// be changed in transit without any digest noticing.
    mutating func checkSheetCoveredByTagManifest(_ name: String) {
        let tagManifests = ["sha512", "sha384", "sha256", "sha1", "md5"].map { "tagmanifest-\($0).txt" }
            .filter { PayloadFiles.isRegularFile(root + "/" + $0) }
        let covered = tagManifests.contains { manifest in
            guard let text = try? String(contentsOfFile: root + "/" + manifest, encoding: .utf8) else { return false }
            return text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).contains { line in
                guard let space = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return false }
                var rest = line[space...].drop { $0 == " " || $0 == "\t" }
                if rest.first == "*" { rest = rest.dropFirst() }
                return rest == name
            }
        }
        if !covered {
            add(.fixity, Finding(.warning, path: name, code: "sheet-not-in-tagmanifest",
                                 zh: "目录文件 \(name) 未列入标签清单（tagmanifest），其内容在传输中被改动将无法发现",
                                 en: "the sheet \(name) is not listed in a tag manifest, so a change to it in transit would go unnoticed"))
        }
    }

    // MARK: Contents: digests, formats, malware

    mutating func checkContents() {
        let root = self.root
        let urls = payload.map { URL(fileURLWithPath: root + "/" + $0.path) }
        let total = payloadBytes

        // Digests through FileDigest, in batches so the job page can show progress; each batch
        // is hashed on every core, largest file first.
        let digestProgress = ProgressCounter(phase: .digests, filesTotal: payload.count, bytesTotal: total,
                                             callback: options.progress)
        digestProgress.start()
        // Files whose digests the bag validation already computed (all of them, in a valid bag
        // read in full) are not read again; the rest (unlisted files, a fast validation) are.
        let wanted = options.digestAlgorithms
        let known = bag?.payloadDigests ?? [:]
        var digests: [Result<[DigestAlgorithm: String], FileDigestError>?] = payload.map { file in
            guard let d = known[file.path], wanted.allSatisfy({ d[$0] != nil }) else { return nil }
            return .success(d.filter { wanted.contains($0.key) })
        }
        let missing = payload.indices.filter { digests[$0] == nil }
        digestProgress.add(files: payload.count - missing.count,
                           bytes: payload.indices.reduce(UInt64(0)) { digests[$1] == nil ? $0 : $0 + payload[$1].size })
        var start = 0
        while start < missing.count {
            var end = start
            var bytes: UInt64 = 0
            while end < missing.count && end - start < 256 && (end == start || bytes < 1 << 30) {
                bytes += payload[missing[end]].size
                end += 1
            }
            let batch = Array(missing[start ..< end])
            let results = FileDigest.results(of: batch.map { urls[$0] }, algorithms: options.digestAlgorithms,
                                             concurrency: options.concurrency)
            for (i, result) in zip(batch, results) { digests[i] = result }
            digestProgress.add(files: end - start, bytes: bytes)
            start = end
        }

        // Formats and malware: one worker per core, each file read by one worker.
        let scanner = MalwareScanner(signatures: options.malwareSignatures)
        let slots = ParallelSlots<(FormatIdentification?, [MalwareMatch], String?)>(count: payload.count)
        let sizes = payload.map(\.size)
        let contentProgress = ProgressCounter(phase: .contents, filesTotal: payload.count, bytesTotal: total,
                                              callback: options.progress)
        contentProgress.start()
        let workers = max(1, min(options.concurrency, payload.count))
        if !payload.isEmpty {
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let i = slots.take() {
                    var format: FormatIdentification?
                    var matches: [MalwareMatch] = []
                    var errors: [String] = []
                    do { format = try FormatIdentifier.identify(fileAt: urls[i]) } catch { errors.append("\(error)") }
                    do { matches = try scanner.scan(fileAt: urls[i]) } catch { errors.append("\(error)") }
                    slots.set(i, (format, matches, errors.isEmpty ? nil : errors.joined(separator: "; ")))
                    contentProgress.add(files: 1, bytes: sizes[i])
                }
            }
        }
        let contents = slots.values()

        for (i, file) in payload.enumerated() {
            var result = FileResult(path: file.path, size: file.size)
            var errors: [String] = []
            switch digests[i]! {
            case .success(let d):
                result.sha256 = d[.sha256]
                result.sha512 = d[.sha512]
                result.sm3 = d[.sm3]
            case .failure(let e):
                errors.append(e.description)
            }
            let (format, matches, error) = contents[i]
            result.format = format
            result.malware = matches
            if let error { errors.append(error) }
            if !errors.isEmpty { result.readError = errors.joined(separator: "; ") }
            fileResults.append(result)
            judgeFile(result)
        }
        if !payload.isEmpty {
            let identified = fileResults.filter { $0.format?.isIdentified == true }.count
            add(.format, Finding(.pass, code: "checked",
                                 zh: "\(payload.count) 个文件中 \(identified) 个已按文件特征识别格式",
                                 en: "\(identified) of \(payload.count) files identified by signature"))
            let signatures = options.malwareSignatures.signatures
            let names = signatures.map(\.name).joined(separator: ", ")
            add(.malware, Finding(.pass, code: "checked",
                                  zh: "已用 \(signatures.count) 个特征（\(names)）扫描 \(payload.count) 个文件",
                                  en: "\(payload.count) file\(payload.count == 1 ? "" : "s") scanned for \(signatures.count) signature\(signatures.count == 1 ? "" : "s") (\(names))"))
        } else {
            add(.format, Finding(.fail, code: "empty-payload", zh: "载荷为空：data/ 中没有文件",
                                 en: "the payload is empty: no files in data/"))
        }
    }

    /// Usability and malware findings for one file.
    mutating func judgeFile(_ file: FileResult) {
        let path = file.path
        if let error = file.readError {
            add(.readable, Finding(.fail, path: path, code: "read-error",
                                   zh: "文件无法读取：\(path)（\(error)）", en: "\(path) cannot be read: \(error)"))
        }
        for match in file.malware {
            add(.malware, Finding(.fail, path: path, code: "signature",
                                  zh: "文件 \(path) 含有恶意代码特征「\(match.signature)」（第 \(match.offset) 字节处）",
                                  en: "\(path) contains the signature \(match.signature) at byte \(match.offset)"))
        }
        guard let format = file.format else { return }
        if !format.isIdentified {
            let ext = (path as NSString).pathExtension
            if file.size == 0 {
                add(.format, Finding(.fail, path: path, code: "empty-file",
                                     zh: "文件为空（0 字节），无法识别格式：\(path)", en: "\(path) is empty (0 bytes): no format to identify"))
            } else {
                let claim = ext.isEmpty ? "" : "；扩展名 .\(ext) 与内容不符或内容已损坏"
                let claimEn = ext.isEmpty ? "" : "; its .\(ext) extension is not borne out by its content, or the content is damaged"
                add(.format, Finding(.fail, path: path, code: "unknown-format",
                                     zh: "无法按文件特征识别格式：\(path)\(claim)",
                                     en: "\(path): format not identified from its content (signature)\(claimEn)"))
            }
        }
        let detail = format.warnings.joined(separator: "; ")
        let suffix = detail.isEmpty ? "" : " (\(detail))"
        if format.isEncrypted {
            add(.readable, Finding(.fail, path: path, code: "encrypted",
                                   zh: "文件已加密，无法长期保存和利用：\(path)", en: "\(path) is encrypted\(suffix)"))
        }
        if format.isPasswordProtected {
            add(.readable, Finding(.fail, path: path, code: "password-protected",
                                   zh: "文件设有打开密码：\(path)", en: "\(path) needs a password to open\(suffix)"))
        }
        if format.isTruncated {
            add(.readable, Finding(.fail, path: path, code: "truncated",
                                   zh: "文件不完整（被截断）：\(path)", en: "\(path) is truncated\(suffix)"))
        }
        // The name should not promise another format than the content has.
        let ext = (path as NSString).pathExtension.lowercased()
        if format.isIdentified, let expected = FormatNames.mimeTypes(forName: ext), !expected.contains(format.mime) {
            add(.fileAgreement, Finding(.warning, path: path, code: "extension-mismatch",
                                        zh: "文件名扩展名 .\(ext) 与实际格式（\(format.name)）不符：\(path)",
                                        en: "\(path): the .\(ext) extension does not match the content (\(format.name), \(format.mime))"))
        }
    }

    // MARK: Records

    mutating func checkRecords() {
        guard let sheet else { return }
        for entry in sheet.entries {
            let code = entry.archivalCode.flatMap(ArchivalCode.init(parsing:))
            var draft = entry.draft
            // A sheet with 档号 often leaves out 门类, since the code states it.
            if (draft.category ?? "").trimmed.isEmpty, let code { draft.category = code.group.category }
            let result = draft.validated()
            var description: RecordDescription?
            var errors: [FieldError] = []
            switch result {
            case .success(let d): description = d
            case .failure(let f): errors = f.errors
            }
            for e in errors {
                let id: CheckItemID = e.rule == "required" ? .requiredMetadata : .metadata
                add(id, Finding(.fail, path: sheetName, row: entry.row, field: e.field, code: e.rule,
                                zh: "\(rowZh(entry.row))：\(e.zh)", en: "\(rowEn(entry.row)): \(e.en)"))
            }
            let files = entry.paths.compactMap { resolve($0)?.index }.map { payload[$0].path }
            var number: Int? = code.map { $0.position ?? $0.number }
            if let raw = entry.itemNumber, let n = Int(raw), n > 0 { number = number ?? n }
            records.append(CheckedRecord(
                row: entry.row, description: description, errors: errors, files: files,
                archivalCode: code?.description ?? entry.archivalCode, itemNumber: number))
        }
        if !sheet.entries.isEmpty && records.allSatisfy({ $0.description != nil }) {
            add(.metadata, Finding(.pass, code: "checked", zh: "\(records.count) 条著录信息均通过校验",
                                   en: "all \(records.count) descriptions valid"))
        }
    }

    /// The payload file a sheet path names, or why it cannot name one.
    func resolve(_ written: String) -> (index: Int?, unsafe: String?)? {
        var p = written.replacingOccurrences(of: "\\", with: "/")
        let components = p.split(separator: "/", omittingEmptySubsequences: false)
        if p.hasPrefix("/") || p.hasPrefix("~") || (p.count >= 2 && Array(p)[1] == ":" && Array(p)[0].isLetter) {
            return (nil, "absolute")
        }
        if components.contains("..") { return (nil, "dotdot") }
        while p.hasPrefix("./") { p.removeFirst(2) }
        if let i = payloadIndex[PayloadFiles.key("data/" + p)] { return (i, nil) }
        if p.hasPrefix("data/"), let i = payloadIndex[PayloadFiles.key(p)] { return (i, nil) }
        return (nil, nil)
    }

    // MARK: Rows ↔ files

    mutating func checkRowsAndFiles() {
        guard let sheet else { return }
        var claims: [Int: [Int]] = [:] // payload index → rows
        for entry in sheet.entries {
            var resolved: [Int] = []
            if entry.paths.isEmpty && sheet.hasPathColumn {
                add(.rowsToFiles, Finding(.fail, path: sheetName, row: entry.row, field: CatalogueField.path.rawValue,
                                          code: "no-file", zh: "\(rowZh(entry.row))没有填写文件路径",
                                          en: "\(rowEn(entry.row)) names no file"))
            }
            for written in entry.paths {
                guard let r = resolve(written) else { continue }
                if let unsafe = r.unsafe {
                    let why = unsafe == "absolute" ? ("是绝对路径", "is absolute") : ("含有 ..", "contains ..")
                    add(.paths, Finding(.fail, path: written, row: entry.row, field: CatalogueField.path.rawValue,
                                        code: "sheet-unsafe-path",
                                        zh: "\(rowZh(entry.row))的文件路径「\(written)」\(why.0)，必须是 data/ 内的相对路径",
                                        en: "\(rowEn(entry.row)): path '\(written)' \(why.1); it must be relative to data/"))
                    continue
                }
                guard let index = r.index else {
                    let hint = caseInsensitiveMatch(written)
                    let hintZh = hint.map { "（是否指 \($0)？文件名区分大小写）" } ?? ""
                    let hintEn = hint.map { " (did you mean \($0)? names are case-sensitive)" } ?? ""
                    add(.rowsToFiles, Finding(.fail, path: "data/" + written, row: entry.row, field: CatalogueField.path.rawValue,
                                              code: "file-missing",
                                              zh: "\(rowZh(entry.row))所列文件不在载荷中：\(written)\(hintZh)",
                                              en: "\(rowEn(entry.row)) names \(written), which is not in the payload\(hintEn)"))
                    add(.fileAgreement, Finding(.fail, path: "data/" + written, row: entry.row, field: CatalogueField.path.rawValue,
                                                code: "file-missing",
                                                zh: "\(rowZh(entry.row))描述的文件 \(written) 不存在，无法核对其名称、大小和格式",
                                                en: "\(rowEn(entry.row)) describes \(written), which does not exist, so its name, size and format cannot agree"))
                    continue
                }
                if !resolved.contains(index) {
                    resolved.append(index)
                    claims[index, default: []].append(entry.row)
                }
            }
            resolvedFiles.append(resolved)
            checkAgreement(entry, files: resolved)
        }
        for (index, file) in payload.enumerated() {
            let rows = claims[index] ?? []
            if rows.isEmpty {
                add(.rowsToFiles, Finding(.fail, path: file.path, code: "unclaimed-file",
                                          zh: "载荷文件 \(file.path) 没有任何目录条目对应",
                                          en: "\(file.path) is claimed by no row of the sheet"))
            } else if rows.count > 1 {
                let list = rows.map(String.init).joined(separator: "、")
                add(.rowsToFiles, Finding(.fail, path: file.path, code: "claimed-twice",
                                          zh: "载荷文件 \(file.path) 同时被第 \(list) \(sheet.countsRecords ? "条记录" : "行")引用",
                                          en: "\(file.path) is claimed by several \(sheet.countsRecords ? "records" : "rows"): \(rows.map(String.init).joined(separator: ", "))"))
            }
        }
    }

    func caseInsensitiveMatch(_ written: String) -> String? {
        let wanted = PayloadFiles.key("data/" + written.replacingOccurrences(of: "\\", with: "/")).lowercased()
        return payload.first { PayloadFiles.key($0.path).lowercased() == wanted }?.path
    }

    /// Size and format stated by the sheet against the files themselves.
    mutating func checkAgreement(_ entry: CatalogueEntry, files: [Int]) {
        guard !files.isEmpty else { return }
        if let written = entry.size {
            let actual = files.reduce(UInt64(0)) { $0 + payload[$1].size }
            if let claim = FormatNames.parseSize(written) {
                if !claim.matches(actual) {
                    add(.fileAgreement, Finding(.fail, path: payload[files[0]].path, row: entry.row, field: CatalogueField.size.rawValue,
                                                code: "size-mismatch",
                                                zh: "\(rowZh(entry.row))著录的大小「\(written)」与文件实际大小 \(actual) 字节不符",
                                                en: "\(rowEn(entry.row)) gives the size '\(written)' but the files hold \(actual) bytes"))
                }
            } else {
                add(.metadata, Finding(.fail, path: sheetName, row: entry.row, field: CatalogueField.size.rawValue, code: "size",
                                       zh: "\(rowZh(entry.row))的大小「\(written)」不是字节数（如 102400 或 100KB）",
                                       en: "\(rowEn(entry.row)): size '\(written)' is not a byte count (e.g. 102400 or 100KB)"))
            }
        }
        if let claimed = entry.format {
            for index in files {
                guard let format = fileResults[index].format, format.isIdentified else { continue }
                if !FormatNames.matches(claimed: claimed, format) {
                    add(.fileAgreement, Finding(.fail, path: payload[index].path, row: entry.row, field: CatalogueField.format.rawValue,
                                                code: "format-mismatch",
                                                zh: "\(rowZh(entry.row))著录的格式「\(claimed)」与文件 \(payload[index].path) 的实际格式（\(format.name)）不符",
                                                en: "\(rowEn(entry.row)) says format '\(claimed)' but \(payload[index].path) is \(format.name) (\(format.mime))"))
                }
            }
        }
    }

    // MARK: Counts

    mutating func checkCounts() {
        guard let sheet, !sheet.entries.isEmpty, sheet.hasPathColumn else { return }
        var named = Set<String>()
        for entry in sheet.entries {
            for written in entry.paths {
                if let r = resolve(written), let i = r.index {
                    named.insert(PayloadFiles.key(payload[i].path))
                } else {
                    named.insert(PayloadFiles.key("data/" + written))
                }
            }
        }
        if named.count != payload.count {
            add(.counts, Finding(.fail, code: "file-count",
                                 zh: "目录共列出 \(named.count) 个文件，载荷中实有 \(payload.count) 个",
                                 en: "the sheet names \(named.count) files; the payload holds \(payload.count)"))
        } else {
            add(.counts, Finding(.pass, code: "checked",
                                 zh: "目录 \(sheet.entries.count) 条，列出 \(named.count) 个文件，与载荷 \(payload.count) 个文件（\(payloadBytes) 字节）相符",
                                 en: "\(sheet.entries.count) entries naming \(named.count) files, matching the \(payload.count) payload files (\(payloadBytes) bytes)"))
        }
    }

    // MARK: 档号 and 件号

    struct Numbered {
        var row: Int
        var group: ArchivalCode.Group
        /// The file (案卷) number when the number is a position inside a file.
        var file: Int?
        var number: Int

        var groupKey: String { file.map { ArchivalCode(group: group, number: $0).description } ?? group.description }

        func code(_ n: Int) -> ArchivalCode {
            file.map { ArchivalCode(group: group, number: $0, position: n) } ?? ArchivalCode(group: group, number: n)
        }
    }

    mutating func checkNumbering() {
        guard let sheet else { return }
        var numbered: [Numbered] = []
        var codeRows: [String: [Int]] = [:]
        var anyNumbering = false
        /// Numbers of rows whose group is unknown (invalid description): not counted as gaps.
        var unplaced: Set<Int> = []
        for (entry, record) in zip(sheet.entries, records) {
            let description = record.description
            var itemNumber: Int?
            if let raw = entry.itemNumber {
                anyNumbering = true
                if let n = Int(raw), n > 0 {
                    itemNumber = n
                } else {
                    add(.itemNumbers, Finding(.fail, path: sheetName, row: entry.row, field: CatalogueField.itemNumber.rawValue,
                                              code: "not-a-number",
                                              zh: "\(rowZh(entry.row))的件号「\(raw)」不是正整数",
                                              en: "\(rowEn(entry.row)): item number '\(raw)' is not a positive whole number"))
                }
            }
            if let raw = entry.archivalCode {
                anyNumbering = true
                guard let code = ArchivalCode(parsing: raw) else {
                    add(.archivalCode, Finding(.fail, path: sheetName, row: entry.row, field: CatalogueField.archivalCode.rawValue,
                                               code: "malformed",
                                               zh: "\(rowZh(entry.row))的档号「\(raw)」不符合 DA/T 13 格式（如 J012-WS·2015-Y-BGS-0001）",
                                               en: "\(rowEn(entry.row)): archival code '\(raw)' is not in DA/T 13 form (e.g. J012-WS·2015-Y-BGS-0001)"))
                    continue
                }
                checkCodeAgainstRecord(code, row: entry.row, description: description)
                let own = code.position ?? code.number
                if let n = itemNumber, n != own {
                    add(.archivalCode, Finding(.fail, path: sheetName, row: entry.row, field: CatalogueField.itemNumber.rawValue,
                                               code: "item-number-mismatch",
                                               zh: "\(rowZh(entry.row))的件号 \(n) 与档号 \(code) 中的件号 \(own) 不一致",
                                               en: "\(rowEn(entry.row)): item number \(n) disagrees with \(own) in the code \(code)"))
                }
                codeRows[code.description, default: []].append(entry.row)
                if context.isArchivalCodeTaken(code.description) {
                    add(.archivalCode, Finding(.fail, path: sheetName, row: entry.row, field: CatalogueField.archivalCode.rawValue,
                                               code: "taken",
                                               zh: "\(rowZh(entry.row))的档号 \(code) 已被馆藏目录中的其他档案使用",
                                               en: "\(rowEn(entry.row)): archival code \(code) is already used in the catalogue"))
                }
                numbered.append(Numbered(row: entry.row, group: code.group, file: code.position == nil ? nil : code.number,
                                         number: own))
            } else if let n = itemNumber, let description {
                let group = description.codeGroup(fonds: context.agency)
                let code = ArchivalCode(group: group, number: n)
                if context.isArchivalCodeTaken(code.description) {
                    add(.archivalCode, Finding(.fail, path: sheetName, row: entry.row, field: CatalogueField.itemNumber.rawValue,
                                               code: "taken",
                                               zh: "\(rowZh(entry.row))的件号 \(n) 对应的档号 \(code) 已被馆藏目录使用",
                                               en: "\(rowEn(entry.row)): item number \(n) gives the archival code \(code), already used in the catalogue"))
                }
                numbered.append(Numbered(row: entry.row, group: group, file: nil, number: n))
            } else if let n = itemNumber {
                unplaced.insert(n)
                // Without a valid description the group (门类·年度-保管期限-机构) is unknown, so the
                // number cannot be placed; say so rather than pass it silently.
                add(.itemNumbers, Finding(.warning, path: sheetName, row: entry.row, field: CatalogueField.itemNumber.rawValue,
                                          code: "group-unknown",
                                          zh: "\(rowZh(entry.row))的件号 \(n) 无法核对连续性：该条著录信息有误，无法确定其分组",
                                          en: "\(rowEn(entry.row)): item number \(n) cannot be checked for continuity until the row's description is valid"))
            }
        }
        for (code, rows) in codeRows where rows.count > 1 {
            add(.archivalCode, Finding(.fail, path: sheetName, row: rows[0], field: CatalogueField.archivalCode.rawValue,
                                       code: "repeated",
                                       zh: "档号 \(code) 在目录中重复出现（\(rows.map { rowZh($0) }.joined(separator: "、"))）",
                                       en: "archival code \(code) appears more than once (\(rows.map { rowEn($0) }.joined(separator: ", ")))"))
        }
        if !anyNumbering {
            add(.itemNumbers, Finding(.pass, code: "not-given",
                                      zh: "目录未给出档号或件号，接收时由系统编号",
                                      en: "the sheet gives no archival codes or item numbers; they are assigned at accession"))
            return
        }
        checkContinuity(numbered, unplaced: unplaced)
    }

    /// The 档号 must be this agency's and say what the description says.
    mutating func checkCodeAgainstRecord(_ code: ArchivalCode, row: Int, description: RecordDescription?) {
        var disagreements: [(String, String, String)] = [] // zh field, code value, description value
        if code.group.fonds != context.agency {
            add(.archivalCode, Finding(.fail, path: sheetName, row: row, field: CatalogueField.archivalCode.rawValue,
                                       code: "other-fonds",
                                       zh: "\(rowZh(row))的档号 \(code) 属于全宗 \(code.group.fonds)，而移交单位是全宗 \(context.agency)",
                                       en: "\(rowEn(row)): archival code \(code) belongs to fonds \(code.group.fonds), but the transfer is from fonds \(context.agency)"))
        }
        guard let d = description else { return }
        if code.group.category != d.category { disagreements.append(("门类 category", code.group.category, d.category)) }
        if code.group.year != d.year { disagreements.append(("年度 year", String(code.group.year), String(d.year))) }
        if code.group.retention != d.retention {
            disagreements.append(("保管期限 retention", code.group.retention.codeLetter, d.retention.codeLetter))
        }
        if code.group.organisation != d.organisation {
            disagreements.append(("机构或问题 organisation", code.group.organisation, d.organisation))
        }
        for (field, inCode, inRecord) in disagreements {
            add(.archivalCode, Finding(.fail, path: sheetName, row: row, field: CatalogueField.archivalCode.rawValue,
                                       code: "disagrees",
                                       zh: "\(rowZh(row))：档号 \(code) 中的\(field.split(separator: " ")[0])为「\(inCode)」，著录为「\(inRecord)」",
                                       en: "\(rowEn(row)): archival code \(code) has \(field.split(separator: " ")[1]) '\(inCode)' but the description says '\(inRecord)'"))
        }
    }

    /// Within each group, numbers run on without gaps or repeats, from 1 or from where the
    /// catalogue's numbering of that group stops.
    mutating func checkContinuity(_ numbered: [Numbered], unplaced: Set<Int>) {
        let groups = Dictionary(grouping: numbered, by: \.groupKey)
        for key in groups.keys.sorted() {
            let members = groups[key]!
            var rowsByNumber: [Int: [Int]] = [:]
            for m in members { rowsByNumber[m.number, default: []].append(m.row) }
            for (n, rows) in rowsByNumber.sorted(by: { $0.key < $1.key }) where rows.count > 1 {
                add(.itemNumbers, Finding(.fail, path: sheetName, row: rows[0], field: CatalogueField.itemNumber.rawValue,
                                          code: "duplicate",
                                          zh: "\(key) 中件号 \(n) 重复（\(rows.map { rowZh($0) }.joined(separator: "、"))）",
                                          en: "\(key): item number \(n) is repeated (\(rows.map { rowEn($0) }.joined(separator: ", ")))"))
            }
            let numbers = rowsByNumber.keys.sorted()
            guard let low = numbers.first, let high = numbers.last else { continue }
            let present = Set(numbers)
            let missing = (low ... high).filter { !present.contains($0) && !unplaced.contains($0) }
            if !missing.isEmpty {
                let shown = TransferCheckRun.ranges(missing)
                add(.itemNumbers, Finding(.fail, path: sheetName, field: CatalogueField.itemNumber.rawValue, code: "gap",
                                          zh: "\(key) 中件号不连续，缺少 \(shown)",
                                          en: "\(key): item numbers are not continuous; missing \(shown)"))
            }
            if low > 1 {
                let before = members[0].code(low - 1)
                if context.isArchivalCodeTaken(before.description) {
                    add(.itemNumbers, Finding(.pass, path: sheetName, code: "continues",
                                              zh: "\(key) 的件号从 \(low) 起，接续馆藏目录中的 \(before)",
                                              en: "\(key): numbers start at \(low), continuing \(before) in the catalogue"))
                } else {
                    add(.itemNumbers, Finding(.fail, path: sheetName, field: CatalogueField.itemNumber.rawValue, code: "gap",
                                              zh: "\(key) 的件号从 \(low) 起，但 \(before) 既不在本目录中也不在馆藏目录中，缺少 \(TransferCheckRun.ranges(Array(1 ..< low)))",
                                              en: "\(key): numbers start at \(low) but \(before) is neither in this sheet nor in the catalogue; missing \(TransferCheckRun.ranges(Array(1 ..< low)))"))
                }
            }
        }
    }

    /// `[2, 3, 4, 7]` → `2–4, 7`, so a gap of a thousand numbers is one line.
    static func ranges(_ numbers: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < numbers.count {
            var j = i
            while j + 1 < numbers.count && numbers[j + 1] == numbers[j] + 1 { j += 1 }
            parts.append(i == j ? "\(numbers[i])" : "\(numbers[i])–\(numbers[j])")
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }

    // MARK: Provenance

    mutating func checkProvenance() {
        let agency = context.agency.trimmed
        if agency.isEmpty || !FondsCode.isWellFormed(agency) {
            add(.provenance, Finding(.fail, code: "agency",
                                     zh: "未记录有效的立档单位（全宗号）：「\(agency)」",
                                     en: "no valid agency (fonds number) recorded: '\(agency)'"))
        }
        if context.officer.trimmed.isEmpty {
            add(.provenance, Finding(.fail, code: "officer", zh: "未记录移交人", en: "no transferring officer recorded"))
        }
        let formatter = ISO8601DateFormatter()
        add(.provenance, Finding(.pass, code: "recorded",
                                 zh: "立档单位 \(agency)，移交人 \(context.officer)，接收时间 \(formatter.string(from: context.receivedAt))",
                                 en: "agency \(agency), officer \(context.officer), received \(formatter.string(from: context.receivedAt))"))
        if let bag {
            if let org = bag.bagInfoValue("Source-Organization"), !org.trimmed.isEmpty {
                add(.provenance, Finding(.pass, path: "bag-info.txt", code: "source-organization",
                                         zh: "bag-info.txt 记录的来源机构：\(org)", en: "bag-info.txt Source-Organization: \(org)"))
            } else {
                add(.provenance, Finding(.warning, path: "bag-info.txt", code: "no-source-organization",
                                         zh: "bag-info.txt 未记录来源机构（Source-Organization）",
                                         en: "bag-info.txt has no Source-Organization"))
            }
            if let contact = bag.bagInfoValue("Contact-Name"), !contact.trimmed.isEmpty {
                add(.provenance, Finding(.pass, path: "bag-info.txt", code: "contact-name",
                                         zh: "bag-info.txt 记录的联系人：\(contact)", en: "bag-info.txt Contact-Name: \(contact)"))
            }
            if let bagged = bag.bagInfoValue("Bagging-Date").flatMap({ CalendarDate(parsing: $0.trimmed) }) {
                // A day of slack for time zones: the agency bags in China Standard Time.
                let received = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!,
                                                                                 from: context.receivedAt.addingTimeInterval(86_400))
                if let y = received.year, let m = received.month, let d = received.day,
                   let limit = CalendarDate(year: y, month: m, day: d), limit < bagged {
                    add(.provenance, Finding(.warning, path: "bag-info.txt", code: "bagging-date-after-receipt",
                                             zh: "bag-info.txt 的封装日期 \(bagged.description) 晚于接收时间",
                                             en: "bag-info.txt Bagging-Date \(bagged.description) is after the time of receipt"))
                }
            }
        }
        if let sheet {
            for entry in sheet.entries {
                guard let fonds = entry.fonds, fonds != agency else { continue }
                add(.provenance, Finding(.fail, path: sheetName, row: entry.row, field: CatalogueField.fonds.rawValue,
                                         code: "other-fonds",
                                         zh: "\(rowZh(entry.row))的全宗号 \(fonds) 不是移交单位的全宗号 \(agency)",
                                         en: "\(rowEn(entry.row)): fonds \(fonds) is not the transferring agency's fonds \(agency)"))
            }
        }
    }

    // MARK: Unchanged since receipt

    mutating func checkUnchangedSinceReceipt() {
        let recorded = context.uploadDigest?.trimmed.lowercased()
        switch (recorded, context.uploadedArchive) {
        case (nil, nil):
            add(.unchangedSinceReceipt, Finding(.pass, code: "not-applicable",
                                                zh: "以目录形式提交，无上传文件需要比对",
                                                en: "submitted as a directory: no upload to compare"))
        case (.some, nil):
            add(.unchangedSinceReceipt, Finding(.warning, code: "archive-unavailable",
                                                zh: "接收时记录了上传文件的摘要值，但上传文件已不可用，无法复核",
                                                en: "a digest was recorded at receipt but the uploaded archive is not available to re-digest"))
        case (nil, .some(let url)):
            add(.unchangedSinceReceipt, Finding(.warning, path: url.lastPathComponent, code: "no-receipt-digest",
                                                zh: "接收时未记录上传文件的摘要值，无法证明检测前未被改动",
                                                en: "no digest was recorded at receipt, so the upload cannot be shown unchanged"))
        case (.some(let expected), .some(let url)):
            do {
                let actual = try FileDigest.digests(of: url, algorithms: [.sha256])[.sha256] ?? ""
                if actual == expected {
                    add(.unchangedSinceReceipt, Finding(.pass, path: url.lastPathComponent, code: "match",
                                                        zh: "上传文件的 SHA-256 与接收时记录一致：\(actual)",
                                                        en: "the upload's SHA-256 matches the one recorded at receipt: \(actual)"))
                } else {
                    add(.unchangedSinceReceipt, Finding(.fail, path: url.lastPathComponent, code: "mismatch",
                                                        zh: "上传文件在接收后被改动：接收时 SHA-256 为 \(expected)，现为 \(actual)",
                                                        en: "the upload changed after receipt: SHA-256 was \(expected) at receipt, is \(actual) now"))
                }
            } catch {
                add(.unchangedSinceReceipt, Finding(.fail, path: url.lastPathComponent, code: "unreadable",
                                                    zh: "无法读取上传文件以复核摘要值：\(error)",
                                                    en: "cannot read the upload to re-digest it: \(error)"))
            }
        }
    }

    // MARK: File names

    /// Names are kept as sent, but a name with control characters or direction overrides can
    /// hide what a file really is (`invoice‮fdp.exe`): worth an archivist's look.
    mutating func checkFileNames() {
        for file in payload {
            let bad = file.path.unicodeScalars.contains { s in
                s.value < 0x20 || (0x7F ... 0x9F).contains(s.value) || (0x202A ... 0x202E).contains(s.value)
                    || (0x2066 ... 0x2069).contains(s.value)
            }
            if bad {
                add(.paths, Finding(.warning, path: file.path, code: "control-characters",
                                    zh: "文件名含控制字符或文字方向控制符，显示的名称可能与实际不同：\(file.path.debugDescription)",
                                    en: "file name contains control or direction-override characters: \(file.path.debugDescription)"))
            }
        }
    }
}
