#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an archive was refused. Every refusal names the entry it concerns (as decoded from the
/// archive, so the agency recognises its own file) whenever there is one, and carries a stable
/// `code` that the transfer report (移交检测报告) maps to its 安全性 / 完整性 check items.
///
/// A refused archive leaves nothing behind: the extractor works in a temporary sibling
/// directory and removes it before throwing.
public enum ExtractionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A `..` component, an empty name, or control characters: the name could escape the
    /// extraction directory or cannot be a file name at all (zip-slip).
    case unsafePath(entry: String, reason: String)
    /// `/etc/passwd`, `\\server\share`, `C:\x`, `C:x`: a name that means a place outside the
    /// package on some operating system.
    case absolutePath(entry: String)
    /// The whole path exceeds `ExtractionLimits.maxPathLength`, or one component exceeds the
    /// file system's 255-byte limit.
    case pathTooLong(entry: String, bytes: Int, limit: Int)
    /// A symbolic or hard link: following it could read or overwrite files outside the package.
    case symlink(entry: String, kind: String)
    /// A device file, FIFO or socket: never legitimate content in a transfer.
    case device(entry: String, kind: String)
    /// A decompression bomb: an entry (or the whole archive) expands past its declared size or
    /// past the compression-ratio limit, or entries share compressed data. `entry` is nil when
    /// the archive as a whole tripped the limit.
    case bomb(entry: String?, reason: String)
    /// Honestly declared content larger than `ExtractionLimits.maxTotalBytes`: not an attack,
    /// but more than this node accepts in one package.
    case tooLarge(entry: String?, bytes: UInt64, limit: UInt64)
    /// More entries than `ExtractionLimits.maxEntries`.
    case tooManyEntries(limit: Int)
    /// The entry is encrypted (ZipCrypto, AES or strong encryption): its content cannot be
    /// checked, so the archives cannot accept it.
    case encrypted(entry: String)
    /// A ZIP compression method other than stored (0) or deflate (8), e.g. Deflate64, bzip2, LZMA.
    case unsupportedCompression(entry: String, method: UInt16)
    /// A TAR entry type that is neither a file nor a directory nor a link/device (refused on
    /// their own codes): sparse files, multi-volume continuations, vendor extensions.
    case unsupportedEntryType(entry: String, type: String)
    /// The archive's structure is broken: truncated, bad signatures, sizes that do not add up,
    /// invalid deflate data. `entry` is nil when the damage is not inside one entry.
    case corrupt(entry: String?, reason: String)
    /// Two entries with the same name after NFC normalisation, or a name that is both a file
    /// and a directory: which one the package means is ambiguous.
    case duplicateName(entry: String, existing: String)
    /// The extracted content does not have the CRC-32 the archive recorded for it.
    case crcMismatch(entry: String, expected: UInt32, actual: UInt32)
    /// `ArchiveKind.detect` found neither a ZIP nor a TAR signature.
    case unknownFormat
    /// The system cannot decode GB18030 (glibc's gconv modules are missing), so legacy Chinese
    /// names cannot be read correctly; refusing beats silently writing mojibake.
    case nameEncodingUnavailable(encoding: String)
    /// The fresh directory to extract into already exists.
    case destinationExists(path: String)
    /// A file-system call failed (disk full, permissions), with the system's own reason.
    case io(operation: String, path: String, errno: Int32)

    /// Stable problem codes. Codes, not messages, are the contract: reports and scripts match
    /// on them. Add new codes freely; never rename one.
    public enum Code: String, Sendable, CaseIterable {
        case unsafePath = "unsafe-path"
        case absolutePath = "absolute-path"
        case pathTooLong = "path-too-long"
        case symlink = "symlink"
        case device = "device"
        case bomb = "bomb"
        case tooLarge = "too-large"
        case tooManyEntries = "too-many-entries"
        case encrypted = "encrypted"
        case unsupportedCompression = "unsupported-compression"
        case unsupportedEntryType = "unsupported-entry-type"
        case corrupt = "corrupt"
        case duplicateName = "duplicate-name"
        case crcMismatch = "crc-mismatch"
        case unknownFormat = "unknown-format"
        case nameEncodingUnavailable = "name-encoding-unavailable"
        case destinationExists = "destination-exists"
        case io = "io"

        /// Short Chinese title for the transfer report.
        public var chineseTitle: String {
            switch self {
            case .unsafePath: return "不安全的路径"
            case .absolutePath: return "绝对路径"
            case .pathTooLong: return "路径过长"
            case .symlink: return "包含链接"
            case .device: return "包含设备文件"
            case .bomb: return "疑似解压炸弹"
            case .tooLarge: return "超过大小限制"
            case .tooManyEntries: return "文件数量超过限制"
            case .encrypted: return "文件已加密"
            case .unsupportedCompression: return "不支持的压缩方法"
            case .unsupportedEntryType: return "不支持的条目类型"
            case .corrupt: return "压缩包已损坏"
            case .duplicateName: return "文件名重复"
            case .crcMismatch: return "CRC 校验不符"
            case .unknownFormat: return "无法识别的压缩包格式"
            case .nameEncodingUnavailable: return "无法解码文件名"
            case .destinationExists: return "目标目录已存在"
            case .io: return "读写错误"
            }
        }
    }

    public var code: Code {
        switch self {
        case .unsafePath: return .unsafePath
        case .absolutePath: return .absolutePath
        case .pathTooLong: return .pathTooLong
        case .symlink: return .symlink
        case .device: return .device
        case .bomb: return .bomb
        case .tooLarge: return .tooLarge
        case .tooManyEntries: return .tooManyEntries
        case .encrypted: return .encrypted
        case .unsupportedCompression: return .unsupportedCompression
        case .unsupportedEntryType: return .unsupportedEntryType
        case .corrupt: return .corrupt
        case .duplicateName: return .duplicateName
        case .crcMismatch: return .crcMismatch
        case .unknownFormat: return .unknownFormat
        case .nameEncodingUnavailable: return .nameEncodingUnavailable
        case .destinationExists: return .destinationExists
        case .io: return .io
        }
    }

    /// The archive entry the refusal is about, as decoded from the archive.
    public var entry: String? {
        switch self {
        case .unsafePath(let e, _), .absolutePath(let e), .pathTooLong(let e, _, _),
             .symlink(let e, _), .device(let e, _), .encrypted(let e),
             .unsupportedCompression(let e, _), .unsupportedEntryType(let e, _),
             .duplicateName(let e, _), .crcMismatch(let e, _, _):
            return e
        case .bomb(let e, _), .tooLarge(let e, _, _), .corrupt(let e, _):
            return e
        case .tooManyEntries, .unknownFormat, .nameEncodingUnavailable, .destinationExists, .io:
            return nil
        }
    }

    public var description: String {
        func named(_ e: String?) -> String { e.map { " (\($0))" } ?? "" }
        switch self {
        case .unsafePath(let e, let r): return "unsafe-path: \(e): \(r)"
        case .absolutePath(let e): return "absolute-path: \(e): absolute paths and drive letters are not allowed"
        case .pathTooLong(let e, let b, let l): return "path-too-long: \(e): \(b) bytes, the limit is \(l)"
        case .symlink(let e, let k): return "symlink: \(e): \(k) entries are not allowed"
        case .device(let e, let k): return "device: \(e): \(k) entries are not allowed"
        case .bomb(let e, let r): return "bomb\(named(e)): \(r)"
        case .tooLarge(let e, let b, let l): return "too-large\(named(e)): \(b) bytes exceed the limit of \(l) bytes"
        case .tooManyEntries(let l): return "too-many-entries: more than \(l) entries"
        case .encrypted(let e): return "encrypted: \(e): encrypted entries cannot be checked"
        case .unsupportedCompression(let e, let m): return "unsupported-compression: \(e): method \(m) (only stored and deflate are read)"
        case .unsupportedEntryType(let e, let t): return "unsupported-entry-type: \(e): \(t)"
        case .corrupt(let e, let r): return "corrupt\(named(e)): \(r)"
        case .duplicateName(let e, let x): return "duplicate-name: \(e) clashes with \(x)"
        case .crcMismatch(let e, let x, let a):
            return "crc-mismatch: \(e): expected \(hex8(x)), content has \(hex8(a))"
        case .unknownFormat: return "unknown-format: neither a ZIP nor a TAR archive"
        case .nameEncodingUnavailable(let enc): return "name-encoding-unavailable: the system cannot decode \(enc) file names"
        case .destinationExists(let p): return "destination-exists: \(p)"
        case .io(let op, let p, let e): return "io: \(op) \(p): \(String(cString: strerror(e)))"
        }
    }
}

private func hex8(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
}
