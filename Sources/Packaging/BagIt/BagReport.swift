import Foundation

/// The stable problem codes a bag check can give.
///
/// Codes, not messages, are the contract: the CLI prints them, the transfer receipt (移交回执)
/// maps them to Chinese and English text per 四性检测 check item, and scripts match on them.
/// Add new codes freely; never rename one.
public enum BagProblemCode: String, CaseIterable, Sendable {
    /// No `bagit.txt`: without it the directory is not a bag at all.
    case missingBagitTxt = "missing-bagit-txt"
    /// `bagit.txt` lacks `BagIt-Version` or names a version we do not read (0.97 and 1.0 only).
    case badBagitVersion = "bad-bagit-version"
    /// A tag file is not UTF-8, declares another encoding, has a BOM where one is forbidden,
    /// or a file name is not valid UTF-8.
    case encoding = "encoding"
    /// No `data/` directory.
    case missingPayloadDirectory = "missing-payload-dir"
    /// No `manifest-ALG.txt`: nothing says what the payload should be.
    case noPayloadManifest = "no-payload-manifest"
    /// A manifest is named after an algorithm we cannot compute.
    case unknownAlgorithm = "unknown-algorithm"
    /// A manifest line is not `DIGEST<whitespace>PATH`, has a malformed digest, lists a file
    /// twice, or lists a file in the wrong place (payload in a tag manifest or vice versa).
    case badManifestLine = "bad-manifest-line"
    /// A `bag-info.txt` line is neither `Label: value` nor a continuation, or a reserved
    /// element such as Payload-Oxum is malformed.
    case badBagInfo = "bad-bag-info"
    /// Payload-Oxum (`octets.streamcount`) disagrees with the payload on disk.
    case payloadOxumMismatch = "payload-oxum-mismatch"
    /// `--fast` validation was asked for but the bag has no Payload-Oxum to check against.
    case missingPayloadOxum = "missing-payload-oxum"
    /// A file listed in a manifest is not in the bag.
    case missingFile = "missing-file"
    /// A payload file is in `data/` but not listed in every payload manifest.
    case unlistedFile = "unlisted-file"
    /// A payload file's content does not match its payload manifest digest (真实性 fails).
    case manifestDigestMismatch = "manifest-digest-mismatch"
    /// A tag file's content does not match its tag manifest digest.
    case tagmanifestDigestMismatch = "tagmanifest-digest-mismatch"
    /// A path in a manifest or fetch.txt is absolute, contains `..`, starts with `~`, or
    /// otherwise could reach outside the bag (安全性: path escape).
    case unsafePath = "unsafe-path"
    /// A symbolic link inside the bag: following it could read or overwrite files outside.
    case symlink = "symlink"
    /// A FIFO, socket or device file inside the bag.
    case specialFile = "special-file"
    /// Two names that differ only in Unicode normalisation (NFC/NFD) — they would be one
    /// file on macOS and after NFC comparison, so which one a manifest means is ambiguous.
    case normalizationConflict = "normalization-conflict"
    /// fetch.txt names files that are not present; Lantai does not download them.
    case fetchUnsupported = "fetch-unsupported"
    /// A fetch.txt line is malformed.
    case badFetchLine = "bad-fetch-line"
    /// A file could not be read (permissions, I/O error).
    case readError = "read-error"
    /// A tag file Lantai itself looks at (bagit.txt, bag-info.txt, a tag manifest) is present
    /// but not listed in the tag manifests. Warning only: RFC 8493 does not require it.
    case unlistedTagFile = "unlisted-tag-file"
    /// A formal deviation from RFC 8493 that bagit-python also tolerates. Warning only.
    case format = "format"

    /// Short Chinese name for reports to archivists (移交检测报告).
    public var chineseTitle: String {
        switch self {
        case .missingBagitTxt: return "缺少 bagit.txt"
        case .badBagitVersion: return "BagIt 版本不受支持"
        case .encoding: return "字符编码错误"
        case .missingPayloadDirectory: return "缺少 data 目录"
        case .noPayloadManifest: return "缺少载荷清单"
        case .unknownAlgorithm: return "不支持的摘要算法"
        case .badManifestLine: return "清单行格式错误"
        case .badBagInfo: return "bag-info.txt 格式错误"
        case .payloadOxumMismatch: return "Payload-Oxum 与载荷不符"
        case .missingPayloadOxum: return "缺少 Payload-Oxum"
        case .missingFile: return "清单所列文件缺失"
        case .unlistedFile: return "文件未列入清单"
        case .manifestDigestMismatch: return "文件摘要不符"
        case .tagmanifestDigestMismatch: return "标签文件摘要不符"
        case .unsafePath: return "不安全的路径"
        case .symlink: return "包含符号链接"
        case .specialFile: return "包含特殊文件"
        case .normalizationConflict: return "文件名规范化冲突"
        case .fetchUnsupported: return "包含待下载文件 (fetch.txt)"
        case .badFetchLine: return "fetch.txt 格式错误"
        case .readError: return "文件无法读取"
        case .unlistedTagFile: return "标签文件未列入标签清单"
        case .format: return "格式不规范"
        }
    }
}

/// One reason a bag is invalid (or, among warnings, worth a look).
public struct BagProblem: Sendable, Hashable, CustomStringConvertible {
    /// A `BagProblemCode` raw value; kept as a string so the report can be serialised and
    /// matched without the enum, and so a newer node's codes still decode on an older one.
    public var code: String
    /// The path inside the bag the problem is about, as the bag spells it; nil for the bag as a whole.
    public var path: String?
    public var message: String

    public init(code: String, path: String?, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public init(_ code: BagProblemCode, path: String? = nil, _ message: String) {
        self.init(code: code.rawValue, path: path, message: message)
    }

    public var description: String {
        if let path { return "\(code): \(BagPath.printable(path)): \(message)" }
        return "\(code): \(message)"
    }
}

/// What `BagValidator` found.
///
/// A report, not an exception: an archivist needs every reason a transfer was refused at
/// once, not the first one, so the agency can fix them all in one round.
public struct BagReport: Sendable, CustomStringConvertible {
    /// Reasons the bag is not valid. Empty means valid.
    public var problems: [BagProblem]
    /// Things that do not make the bag invalid but that an archivist may want to know.
    public var warnings: [BagProblem]
    /// `BagIt-Version` as declared, if bagit.txt could be read.
    public var version: String?
    /// Regular files under `data/` (the Payload-Oxum stream count, measured).
    public var payloadFiles: Int
    /// Their total size in bytes (the Payload-Oxum octet count, measured).
    public var payloadBytes: UInt64
    /// The payload manifest algorithms found and checked, strongest first.
    public var algorithms: [BagAlgorithm]
    /// bag-info.txt elements in file order; labels may repeat, as RFC 8493 §2.2.2 allows.
    public var bagInfo: [(String, String)]
    /// Whether digests were computed (false for `fast` validation).
    public var digestsChecked: Bool
    /// Path as on disk (`data/…`) → every digest computed of that payload file, when
    /// ``BagValidator/Options/additionalPayloadDigests`` asked for them; empty otherwise.
    public var payloadDigests: [String: [DigestAlgorithm: String]] = [:]

    public var isValid: Bool { problems.isEmpty }

    /// The first value of a bag-info element, label compared case-insensitively because
    /// hand-made bags are inconsistent about "Payload-oxum" and the like.
    public func bagInfoValue(_ label: String) -> String? {
        bagInfo.first { $0.0.caseInsensitiveCompare(label) == .orderedSame }?.1
    }

    public func hasProblem(_ code: BagProblemCode) -> Bool {
        problems.contains { $0.code == code.rawValue }
    }

    /// One line per problem and warning, the way `lantai bag validate` prints them.
    public var description: String {
        var lines: [String] = []
        if isValid {
            lines.append("valid: \(payloadFiles) payload files, \(payloadBytes) bytes"
                + (algorithms.isEmpty ? "" : " (\(algorithms.map(\.rawValue).joined(separator: ", ")))")
                + (digestsChecked ? "" : ", digests not checked (fast)"))
        } else {
            lines.append("invalid: \(problems.count) problem\(problems.count == 1 ? "" : "s")")
        }
        lines += problems.map { "error: \($0)" }
        lines += warnings.map { "warning: \($0)" }
        return lines.joined(separator: "\n")
    }
}
