import Foundation
import Packaging
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The SAX reader behind `EEPPackage.unpack`: follows the DA/T 48 structure
/// (`被签名对象/封装内容/文件实体块/文件实体/…/文件数据/文档/文档数据/编码/编码数据`), keeps the
/// text of the metadata elements it maps, and streams each `<编码数据>` through a base64 decoder
/// into a scratch file. Each `<编码>` is placed under `data/` when it closes, because its
/// 计算机文件名 may come before or after its data.
///
/// A failure is recorded once (the parser is then aborted) and thrown by `unpack`.
final class EEPReader: NSObject, XMLParserDelegate {
    /// A `<编码>` (one computer file) being read.
    struct Encoding {
        var id: String?
        var ordinal: Int
        var name: String?
        var size: String?
        var format: String?
        var keyword: String?
        var data: Decoded?

        var label: String { name?.trimmed.isEmpty == false ? name!.trimmed : "编码 \(id ?? String(ordinal))" }
    }

    /// A finished `<编码数据>`, in its scratch file.
    struct Decoded {
        var file: EEPOutputFile
        var size: UInt64
        var sha256: String
        var sha512: String
        var dataID: String?
        var reference: String?
    }

    /// The `<编码数据>` being decoded.
    final class Decoding {
        let file: EEPOutputFile
        var decoder = Base64StreamDecoder()
        var sha256 = DigestHasher(.sha256)
        var sha512 = DigestHasher(.sha512)
        var buffer: [UInt8] = []
        var size: UInt64 = 0
        let dataID: String?
        let reference: String?

        init(file: EEPOutputFile, dataID: String?, reference: String?) {
            self.file = file
            self.dataID = dataID
            self.reference = reference
            buffer.reserveCapacity(EEPReader.flushSize + (1 << 17))
        }
    }

    static let flushSize = 1 << 20
    static let encodingLeaves: Set<String> = ["计算机文件名", "计算机文件大小", "格式信息", "反编码关键字"]
    static let packageLeaves: Set<String> = ["版本", "封装包类型", "封装包创建时间", "封装包创建单位", "立档单位名称"]

    let staging: EEPStaging
    let options: EEPPackage.Options
    var failure: EEPError?
    var sawRoot = false
    var openElements: Int { path.count }

    private var path: [String] = []
    /// Per open element: its text when it is one whose text is read, else nil.
    private var texts: [String?] = []
    private var line = 0
    private var version: String?
    private var packageType: String?
    private var createdAt: String?
    private var creatingUnit: String?
    private var agencyName: String?
    private var signatureCount = 0
    private var hasLockSignature = false
    private var entities: [EEPEntity] = []
    private var done: [EEPEntity] = []
    private var recordsSeen = 0
    private var notes: [EEPNote] = []
    private var encoding: Encoding?
    private var decoding: Decoding?
    private var placement = EEPPlacement()
    private var fileCount = 0
    private var totalBytes: UInt64 = 0
    /// 编码数据ID → the placed file, for `引用编码数据ID`.
    private var placedByDataID: [String: (components: [String], size: UInt64, sha256: String, sha512: String)] = [:]

    init(staging: EEPStaging, options: EEPPackage.Options) {
        self.staging = staging
        self.options = options
    }

    private func fail(_ parser: XMLParser, _ error: EEPError) {
        guard failure == nil else { return }
        failure = error
        parser.abortParsing()
    }

    // MARK: Parser callbacks

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        let f = XMLReading.failure(parser, parseError)
        let code = (parseError as NSError).code
        fail(parser, code == 5 ? .truncated(line: f.line) : .malformedXML(line: f.line, reason: f.reason))
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        guard failure == nil else { return }
        let local = XMLReading.localName(name)
        line = parser.lineNumber
        if !sawRoot {
            sawRoot = true
            guard local == EEPPackage.rootElement else { return fail(parser, .notEEP(root: local)) }
        }
        if decoding != nil { return fail(parser, .misplaced(element: local, line: line)) }
        let collect = EEPEntity.leafNames.contains(local) || EEPReader.encodingLeaves.contains(local)
            || EEPReader.packageLeaves.contains(local)
        path.append(local)
        texts.append(collect ? "" : nil)
        switch local {
        case "修改封装内容":
            fail(parser, .modifiedPackage)
        case "文件实体":
            recordsSeen += 1
            if recordsSeen > options.limits.maxRecords {
                return fail(parser, .limitExceeded(what: "records (<文件实体>) 文件实体数", limit: UInt64(options.limits.maxRecords)))
            }
            entities.append(EEPEntity())
        case "编码":
            guard !entities.isEmpty, encoding == nil else { return fail(parser, .misplaced(element: local, line: line)) }
            fileCount += 1
            if fileCount > options.limits.maxFiles {
                return fail(parser, .limitExceeded(what: "files (<编码>) 文件数", limit: UInt64(options.limits.maxFiles)))
            }
            encoding = Encoding(id: attributes["编码ID"], ordinal: fileCount)
        case "编码数据":
            guard encoding != nil, encoding?.data == nil, path.dropLast().last == "编码" else {
                return fail(parser, .misplaced(element: local, line: line))
            }
            do {
                decoding = Decoding(file: try staging.newScratchFile(), dataID: attributes["编码数据ID"],
                                    reference: attributes["引用编码数据ID"])
            } catch {
                fail(parser, error)
            }
        case "电子签名":
            signatureCount += 1
        case "锁定签名":
            hasLockSignature = true
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard failure == nil else { return }
        if let decoding {
            var s = string
            var bad: Base64StreamDecoder.Failure?
            s.withUTF8 { buffer in
                do throws(Base64StreamDecoder.Failure) { try decoding.decoder.decode(buffer, into: &decoding.buffer) } catch { bad = error }
            }
            if let bad {
                return fail(parser, .badBase64(file: encoding?.label ?? "", offset: bad.offset, reason: bad.reason))
            }
            if decoding.buffer.count >= EEPReader.flushSize { flush(parser, decoding) }
            return
        }
        guard let last = texts.last, var text = last else { return }
        text += string
        if text.utf8.count > options.limits.maxTextBytes {
            return fail(parser, .limitExceeded(what: "the text of <\(path.last ?? "")> 元素文本字节数", limit: UInt64(options.limits.maxTextBytes)))
        }
        texts[texts.count - 1] = text
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        self.parser(parser, foundCharacters: String(decoding: CDATABlock, as: UTF8.self))
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard failure == nil, let local = path.popLast() else { return }
        line = parser.lineNumber
        let text = texts.popLast() ?? nil
        let value = text?.trimmed ?? ""
        let parent = path.last ?? ""
        switch local {
        case "编码数据":
            finishDecoding(parser)
        case "编码":
            finishEncoding(parser)
        case "文件实体":
            let entity = entities.removeLast()
            if entity.files.isEmpty {
                notes.append(EEPNote(zh: "第 \(recordsSeen) 个文件实体没有编码数据（文件），未作为条目接收",
                                     en: "<文件实体> \(recordsSeen) holds no encoded files and was not taken as an entry"))
            } else {
                done.append(entity)
            }
        default:
            guard text != nil else { return }
            if encoding != nil && EEPReader.encodingLeaves.contains(local) {
                switch local {
                case "计算机文件名": encoding?.name = text
                case "计算机文件大小": encoding?.size = value
                case "格式信息": encoding?.format = value
                default: encoding?.keyword = value
                }
            } else if local == "立档单位名称" {
                if agencyName == nil && !value.isEmpty { agencyName = value }
            } else if !entities.isEmpty {
                entities[entities.count - 1].read(local, parent: parent, value: value)
            } else if parent == EEPPackage.rootElement && local == "版本" {
                version = value
            } else if parent == "被签名对象" {
                switch local {
                case "封装包类型": packageType = value
                case "封装包创建时间": createdAt = value
                case "封装包创建单位": creatingUnit = value
                default: break
                }
            }
        }
    }

    // MARK: Files

    /// Writes the decoded bytes so far, within the limits, hashing them on the way.
    private func flush(_ parser: XMLParser, _ d: Decoding) {
        guard !d.buffer.isEmpty else { return }
        let n = UInt64(d.buffer.count)
        if d.size + n > options.limits.maxFileBytes {
            return fail(parser, .limitExceeded(what: "the size of \(encoding?.label ?? "a file") 单个文件字节数", limit: options.limits.maxFileBytes))
        }
        if totalBytes + n > options.limits.maxTotalBytes {
            return fail(parser, .limitExceeded(what: "the size of all files 文件总字节数", limit: options.limits.maxTotalBytes))
        }
        var writeFailure: EEPError?
        d.buffer.withUnsafeBytes { bytes in
            d.sha256.update(bytes)
            d.sha512.update(bytes)
            do throws(EEPError) { try d.file.write(bytes) } catch { writeFailure = error }
        }
        if let writeFailure { return fail(parser, writeFailure) }
        d.size += n
        totalBytes += n
        d.buffer.removeAll(keepingCapacity: true)
    }

    private func finishDecoding(_ parser: XMLParser) {
        guard let d = decoding else { return }
        decoding = nil
        do {
            try d.decoder.finish(into: &d.buffer)
        } catch {
            return fail(parser, .badBase64(file: encoding?.label ?? "", offset: error.offset, reason: error.reason))
        }
        flush(parser, d)
        guard failure == nil else { return }
        do { try d.file.close() } catch { return fail(parser, error) }
        encoding?.data = Decoded(file: d.file, size: d.size, sha256: d.sha256.finalizeHex(), sha512: d.sha512.finalizeHex(),
                                 dataID: d.dataID, reference: d.reference)
    }

    private func finishEncoding(_ parser: XMLParser) {
        guard var enc = encoding else { return }
        encoding = nil
        let label = enc.label
        if EEPNames.namesDigest(enc.keyword) { return fail(parser, .notContent(file: label, keyword: enc.keyword ?? "")) }
        guard var data = enc.data else { return fail(parser, .missingData(file: label)) }

        // The name: as given (judged as given), else made up; the extension restored from
        // 反编码关键字 when it has none.
        var name = enc.name?.trimmed ?? ""
        let maxPath = options.limits.maxPathLength - "data/".utf8.count
        var components: [String]
        if name.isEmpty {
            name = "编码\(enc.ordinal)"
            enc.name = nil
            if let ext = EEPNames.extensionHint(enc.keyword) { name += "." + ext }
            components = [name]
            notes.append(EEPNote(zh: "第 \(enc.ordinal) 个编码没有计算机文件名，以 \(name) 命名",
                                 en: "<编码> \(enc.ordinal) has no 计算机文件名; it was named \(name)"))
        } else {
            do { components = try EEPNames.components(of: name, maxPathLength: maxPath) } catch { return fail(parser, error) }
            if (components[components.count - 1] as NSString).pathExtension.isEmpty, let ext = EEPNames.extensionHint(enc.keyword) {
                notes.append(EEPNote(zh: "计算机文件名 \(name) 没有扩展名，已按反编码关键字「\(enc.keyword ?? "")」还原为 .\(ext)",
                                     en: "\(name) had no extension; .\(ext) was restored from 反编码关键字 '\(enc.keyword ?? "")'"))
                components[components.count - 1] += "." + ext
                name += "." + ext
                do { components = try EEPNames.components(of: components.joined(separator: "/"), maxPathLength: maxPath) } catch {
                    return fail(parser, error)
                }
            }
        }

        // The content: decoded here, or another 编码数据's when this one only refers to it.
        var file = data.file
        if data.size == 0, let reference = data.reference?.trimmed, !reference.isEmpty {
            guard let source = placedByDataID[reference] else {
                return fail(parser, .unknownReference(file: label, id: reference))
            }
            try? FileManager.default.removeItem(atPath: file.path)
            do { file = try staging.copy(from: source.components) } catch { return fail(parser, error) }
            data.size = source.size
            data.sha256 = source.sha256
            data.sha512 = source.sha512
            totalBytes += source.size
            if totalBytes > options.limits.maxTotalBytes {
                return fail(parser, .limitExceeded(what: "the size of all files 文件总字节数", limit: options.limits.maxTotalBytes))
            }
        } else if data.size == 0 && FormatNames.parseSize(enc.size ?? "")?.matches(0) != true {
            return fail(parser, .missingData(file: label))
        }
        if let declared = enc.size, !declared.isEmpty {
            if let claim = FormatNames.parseSize(declared) {
                if !claim.matches(data.size) {
                    return fail(parser, .sizeMismatch(file: label, declared: declared, actual: data.size))
                }
            } else {
                notes.append(EEPNote(zh: "\(label) 的计算机文件大小「\(declared)」不是字节数，未能核对",
                                     en: "\(label): 计算机文件大小 '\(declared)' is not a byte count and was not checked"))
            }
        }

        let placed = placement.place(components, ordinal: enc.ordinal)
        if placed != components {
            notes.append(EEPNote(zh: "已有同名文件，\(name) 放在 data/\(placed.joined(separator: "/"))",
                                 en: "a file named \(name) came earlier; this one is at data/\(placed.joined(separator: "/"))"))
        }
        do { try staging.place(file, at: placed) } catch { return fail(parser, error) }
        if let id = data.dataID?.trimmed, !id.isEmpty {
            placedByDataID[id] = (placed, data.size, data.sha256, data.sha512)
        }
        entities[entities.count - 1].files.append(EEPUnpackedFile(
            path: "data/" + placed.joined(separator: "/"), declaredName: enc.name, size: data.size,
            sha256: data.sha256, sha512: data.sha512, declaredSize: enc.size, declaredFormat: enc.format,
            encodingID: enc.id, record: 0))
    }

    // MARK: Result

    /// What was read, with the records numbered and their entries made.
    func summary() throws(EEPError) -> EEPUnpackSummary {
        guard !done.isEmpty else { throw .noContent }
        var files: [EEPUnpackedFile] = []
        var entries: [CatalogueEntry] = []
        for (i, entity) in done.enumerated() {
            for var f in entity.files {
                f.record = i + 1
                files.append(f)
            }
            entries.append(entity.entry(row: i + 1, defaultCategory: options.category))
        }
        var notes = self.notes
        if let version, version != "2009" {
            notes.append(EEPNote(zh: "封装包版本为「\(version)」，本系统按 DA/T 48-2009 读取",
                                 en: "the package says version '\(version)'; it was read as DA/T 48-2009"))
        }
        return EEPUnpackSummary(
            bagDirectory: URL(fileURLWithPath: staging.bagRoot), source: "",
            sheet: CatalogueSheet(format: .ead3, encoding: .utf8, entries: entries), files: files,
            totalBytes: totalBytes, recordNumbers: done.map(\.recordNumber), version: version, packageType: packageType,
            createdAt: createdAt, creatingUnit: creatingUnit, agencyName: agencyName, signatureCount: signatureCount,
            hasLockSignature: hasLockSignature, notes: notes)
    }
}
