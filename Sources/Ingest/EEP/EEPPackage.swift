import Foundation
import Packaging
#if canImport(FoundationXML)
import FoundationXML
#endif

/// DA/T 48-2009 electronic records encapsulation packages (电子文件封装包, EEP, 《基于XML的电子
/// 文件封装规范》): one XML file whose root `<电子文件封装包>` holds the records' metadata and
/// the files themselves, base64-encoded in `<编码数据>`.
///
/// An EEP is the second kind of transfer package. `unpack` turns it into a BagIt bag that
/// `TransferChecker.check(bagDirectory:context:options:)` checks exactly like an uploaded bag:
///
/// ```
/// <name>/
///   bagit.txt
///   bag-info.txt          Source-Organization (立档单位名称, else 封装包创建单位), External-Identifier
///                         (电子文件号), Lantai-Source-Format: DA/T 48-2009 EEP, Lantai-EEP-* (created,
///                         creator, signatures), Payload-Oxum, Bagging-Date, Bag-Software-Agent
///   data/<计算机文件名>    each file, decoded, under the name the package gives it
///   ead.xml               the catalogue: one EAD3 component per <文件实体> (see EEPEntity for the
///                         mapping), pointing at its files
///   manifest-sha256.txt, manifest-sha512.txt, tagmanifest-sha256.txt, tagmanifest-sha512.txt
/// ```
///
/// The package is read as a stream (FoundationXML's push parser over the file) and each file's
/// base64 is decoded chunk by chunk straight to disk while its SHA-256 and SHA-512 are
/// computed, so memory stays flat whatever the size of the package or of one file.
///
/// What is refused (`EEPError`, in Chinese and English): a root other than `<电子文件封装包>`,
/// malformed or truncated XML, 修改型 packages, unsafe file names (absolute, `..`, control
/// characters), broken base64, a 计算机文件大小 the decoded file does not have, 编码数据 that only
/// holds a digest, and anything over `Limits`. A refusal leaves nothing behind.
///
/// Not done here: the package's electronic signatures (电子签名块, 锁定签名) are counted in the
/// summary but not verified, and 业务实体块 / 机构人员实体块 are not read; keep the EEP itself
/// (it is the signed original) next to the bag.
public enum EEPPackage {
    /// The namespace DA/T 48 packages declare (many omit it; both are read).
    public static let namespace = "http://www.saac.gov.cn/standards/ERM/encapsulation"
    public static let rootElement = "电子文件封装包"
    /// The catalogue the unpacked bag carries.
    public static let sheetName = "ead.xml"

    /// Limits on what one package may hold. They are settings: a node receiving scanned books
    /// needs other numbers than one receiving office documents.
    public struct Limits: Sendable, Hashable {
        /// The most bytes all decoded files together may have (10 GiB).
        public var maxTotalBytes: UInt64
        /// The most bytes one decoded file may have (10 GiB).
        public var maxFileBytes: UInt64
        /// The most files (`<编码>`) in one package (10,000).
        public var maxFiles: Int
        /// The most records (`<文件实体>`) in one package (10,000).
        public var maxRecords: Int
        /// The longest text of one metadata element, in UTF-8 bytes (64 KiB): a title is not a
        /// megabyte, and text is the one thing held in memory.
        public var maxTextBytes: Int
        /// The longest file path, in UTF-8 bytes (1,024); each component is held to 255.
        public var maxPathLength: Int

        public init(maxTotalBytes: UInt64 = 10 << 30, maxFileBytes: UInt64 = 10 << 30, maxFiles: Int = 10_000,
                    maxRecords: Int = 10_000, maxTextBytes: Int = 64 << 10, maxPathLength: Int = 1024) {
            self.maxTotalBytes = maxTotalBytes
            self.maxFileBytes = maxFileBytes
            self.maxFiles = maxFiles
            self.maxRecords = maxRecords
            self.maxTextBytes = maxTextBytes
            self.maxPathLength = maxPathLength
        }
    }

    /// How to unpack.
    public struct Options: Sendable {
        public var limits: Limits
        /// The 门类 (category code, e.g. `WS`) recorded for a record whose package does not say
        /// (DA/T 48 has no element for it; 分类号 or the 档号 may give it). Nil leaves it to the
        /// check to report as missing.
        public var category: String?

        public init(limits: Limits = Limits(), category: String? = nil) {
            self.limits = limits
            self.category = category
        }
    }

    /// Unpacks the EEP at `xml` into a new bag `directory/name` (which must not exist yet;
    /// `directory` must), and returns what it holds.
    ///
    /// - Throws: `EEPError`, after removing everything it wrote.
    @discardableResult
    public static func unpack(xml: URL, into directory: URL, named name: String = ArchiveExtractor.defaultDirectoryName,
                              options: Options = Options()) throws(EEPError) -> EEPUnpackSummary {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.contains("\0") else {
            throw .unsafeName(name: name, reason: "the destination name must be one plain path component")
        }
        let parser = try openParser(xml)
        let staging = try EEPStaging(parent: directory.standardizedFileURL.path, name: name)
        do {
            var summary = try read(parser, into: staging, options: options)
            summary.source = xml.lastPathComponent
            summary.sheet = try EEPBagTags.write(summary: summary, options: options, staging: staging)
            summary.bagDirectory = URL(fileURLWithPath: try staging.finish(), isDirectory: true)
            return summary
        } catch {
            staging.abandon()
            throw error
        }
    }

    /// Runs the parser over the package, decoding its files into `staging`.
    private static func read(_ parser: XMLParser, into staging: EEPStaging, options: Options) throws(EEPError) -> EEPUnpackSummary {
        let reader = EEPReader(staging: staging, options: options)
        parser.delegate = reader
        let finished = parser.parse()
        if let failure = reader.failure { throw failure }
        do {
            try XMLReading.finish(parser, finished: finished, recorded: nil, sawRoot: reader.sawRoot,
                                  openElements: reader.openElements)
        } catch {
            if error.reason.hasPrefix("the document ends inside") || error.reason == "the document ends early" {
                throw .truncated(line: error.line)
            }
            if error.reason == "no root element" { throw .notEEP(root: "") }
            throw .malformedXML(line: error.line, reason: error.reason)
        }
        return try reader.summary()
    }

    /// Whether the file looks like an EEP: its first element (after a byte-order mark, the XML
    /// declaration, comments and a DOCTYPE) is `<电子文件封装包>`, with or without a prefix.
    /// Reads at most the first 64 KiB. For deciding what an upload is by its content rather
    /// than by its Content-Type or name, which the sender controls.
    public static func looksLikeEEP(at url: URL) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 64 << 10) else { return false }
        var text = String(decoding: head, as: UTF8.self)[...]
        if text.hasPrefix("\u{FEFF}") { text = text.dropFirst() }
        while let open = text.firstIndex(of: "<") {
            let rest = text[text.index(after: open)...]
            if rest.hasPrefix("?") || rest.hasPrefix("!--") || rest.hasPrefix("!") {
                let terminator = rest.hasPrefix("?") ? "?>" : rest.hasPrefix("!--") ? "-->" : ">"
                guard let end = rest.range(of: terminator) else { return false }
                text = rest[end.upperBound...]
                continue
            }
            let name = rest.prefix { !($0.isWhitespace || $0 == ">" || $0 == "/") }
            return XMLReading.localName(String(name)) == rootElement
        }
        return false
    }

    /// A streaming parser over the file, after making sure the file can be read at all (the
    /// stream itself reports a missing file only as a parse that found nothing).
    private static func openParser(_ xml: URL) throws(EEPError) -> XMLParser {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: xml.path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let handle = FileHandle(forReadingAtPath: xml.path) else {
            throw .unreadable(path: xml.lastPathComponent, reason: "no such file, or it cannot be opened")
        }
        try? handle.close()
        guard let parser = XMLReading.streamingParser(contentsOf: xml) else {
            throw .unreadable(path: xml.lastPathComponent, reason: "it cannot be opened as a stream")
        }
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        return parser
    }
}

/// A file unpacked from an EEP.
public struct EEPUnpackedFile: Sendable, Equatable {
    /// Where it is in the bag: `data/` and its 计算机文件名 (or `data/<n>/<name>` when an earlier
    /// file has the same name).
    public var path: String
    /// 计算机文件名 as written (nil when the package gives none and a name was made up).
    public var declaredName: String?
    public var size: UInt64
    public var sha256: String
    public var sha512: String
    /// 计算机文件大小 and 格式信息 as written.
    public var declaredSize: String?
    public var declaredFormat: String?
    /// The `编码ID` attribute.
    public var encodingID: String?
    /// The record (`<文件实体>`, 1 for the first with files) it belongs to.
    public var record: Int
}

/// Something worth telling the agency that did not stop the unpacking.
public struct EEPNote: Sendable, Equatable {
    public var zh: String
    public var en: String
}

/// What an EEP held, and where it was unpacked.
public struct EEPUnpackSummary: Sendable {
    /// The bag: check it with `TransferChecker.check(bagDirectory:…)`.
    public var bagDirectory: URL
    /// The EEP's file name.
    public var source: String
    /// The catalogue written to the bag (`ead.xml`), as the check will read it.
    public var sheet: CatalogueSheet
    public var files: [EEPUnpackedFile]
    public var totalBytes: UInt64
    /// 电子文件号 of each record, in order (nil where not given).
    public var recordNumbers: [String?]
    /// 版本, 封装包类型, 封装包创建时间 and 封装包创建单位 as written.
    public var version: String?
    public var packageType: String?
    public var createdAt: String?
    public var creatingUnit: String?
    /// 来源/立档单位名称 of the first record that gives one.
    public var agencyName: String?
    /// `<电子签名>` elements, and whether a `<锁定签名>` is present. Not verified.
    public var signatureCount: Int
    public var hasLockSignature: Bool
    public var notes: [EEPNote]
}
