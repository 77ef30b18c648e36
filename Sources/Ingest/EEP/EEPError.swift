import Foundation

/// Why a DA/T 48 electronic records encapsulation package (电子文件封装包, EEP) was not
/// unpacked. Nothing is left behind in any of these cases.
///
/// Every case has a Chinese and an English reason the agency can act on, and a stable `code`.
/// All are faults of the package (HTTP 4xx, 422) except `io` and `destinationExists`, which
/// are the node's (`isPackageFault` false).
public enum EEPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The root element is not `<电子文件封装包>`: some other XML document.
    case notEEP(root: String)
    /// Not well-formed XML; `line` is where the parser stopped.
    case malformedXML(line: Int, reason: String)
    /// The document stops before its elements are closed: a truncated upload.
    case truncated(line: Int)
    /// A 修改型 (modification) package: its content is a revision layered over an earlier
    /// package, which a transfer does not accept. Send the 原始型 package.
    case modifiedPackage
    /// No `<文件实体>` carries any `<编码数据>`: there is nothing to transfer.
    case noContent
    /// An element where the structure of DA/T 48 does not allow it (`<编码>` outside a
    /// `<文件实体>`, `<编码数据>` outside an `<编码>`).
    case misplaced(element: String, line: Int)
    /// A 计算机文件名 that could land outside the package or is not a file name at all.
    case unsafeName(name: String, reason: String)
    /// The 编码数据 of a file is not valid base64.
    case badBase64(file: String, offset: UInt64, reason: String)
    /// The 编码数据 does not hold the file: 反编码关键字 says it holds a digest or a reference.
    case notContent(file: String, keyword: String)
    /// An `<编码>` has no `<编码数据>` content and no `引用编码数据ID` to take it from.
    case missingData(file: String)
    /// `引用编码数据ID` names no `<编码数据>` before it.
    case unknownReference(file: String, id: String)
    /// 计算机文件大小 does not match the decoded file.
    case sizeMismatch(file: String, declared: String, actual: UInt64)
    /// A limit of `EEPPackage.Limits` was exceeded (`what` says which).
    case limitExceeded(what: String, limit: UInt64)
    /// The EEP file cannot be opened or read.
    case unreadable(path: String, reason: String)
    /// Writing the unpacked bag failed.
    case io(operation: String, path: String, errno: Int32)
    /// The directory to unpack into already exists.
    case destinationExists(path: String)

    /// A stable identifier for reports and API errors.
    public var code: String {
        switch self {
        case .notEEP: return "not-eep"
        case .malformedXML: return "malformed-xml"
        case .truncated: return "truncated"
        case .modifiedPackage: return "modified-package"
        case .noContent: return "no-content"
        case .misplaced: return "misplaced-element"
        case .unsafeName: return "unsafe-name"
        case .badBase64: return "bad-base64"
        case .notContent: return "not-content"
        case .missingData: return "missing-data"
        case .unknownReference: return "unknown-reference"
        case .sizeMismatch: return "size-mismatch"
        case .limitExceeded: return "limit-exceeded"
        case .unreadable: return "unreadable"
        case .io: return "io"
        case .destinationExists: return "destination-exists"
        }
    }

    /// False when the fault is the node's (disk, permissions), not the package's.
    public var isPackageFault: Bool {
        switch self {
        case .io, .destinationExists: return false
        default: return true
        }
    }

    public var reasonZh: String {
        switch self {
        case .notEEP(let root):
            return "不是电子文件封装包（EEP）：根元素是 <\(root)>，应为 <电子文件封装包>（DA/T 48-2009）"
        case .malformedXML(let line, let reason):
            return "封装包不是格式正确的 XML（第 \(line) 行：\(reason)）"
        case .truncated(let line):
            return "封装包不完整：文件在第 \(line) 行处中断，元素没有闭合（上传被截断？）"
        case .modifiedPackage:
            return "这是修改型封装包（含 <修改封装内容>），移交只接收原始型封装包；请提交原始型 EEP"
        case .noContent:
            return "封装包中没有任何带 <编码数据> 的 <文件实体>，没有可接收的文件"
        case .misplaced(let element, let line):
            return "第 \(line) 行的 <\(element)> 位置不符合 DA/T 48 的结构"
        case .unsafeName(let name, let reason):
            return "计算机文件名「\(EEPError.printable(name))」不安全：\(EEPError.zh(reason))"
        case .badBase64(let file, let offset, let reason):
            return "文件 \(EEPError.printable(file)) 的编码数据不是有效的 Base64（第 \(offset) 个字符：\(reason)）"
        case .notContent(let file, let keyword):
            return "文件 \(EEPError.printable(file)) 的编码数据中不是文件本身（反编码关键字为「\(keyword)」，只有摘要或引用），文件未封装在包内"
        case .missingData(let file):
            return "文件 \(EEPError.printable(file)) 没有编码数据"
        case .unknownReference(let file, let id):
            return "文件 \(EEPError.printable(file)) 引用的编码数据「\(id)」在封装包中不存在"
        case .sizeMismatch(let file, let declared, let actual):
            return "文件 \(EEPError.printable(file)) 的计算机文件大小著录为「\(declared)」，解码后实为 \(actual) 字节"
        case .limitExceeded(let what, let limit):
            return "封装包超出本馆的限制：\(what) 超过 \(limit)"
        case .unreadable(let path, let reason):
            return "无法读取封装包 \(path)：\(reason)"
        case .io(let operation, let path, let errno):
            return "写入解包结果失败：\(operation) \(path)（\(String(cString: strerror(errno)))）"
        case .destinationExists(let path):
            return "解包目录 \(path) 已存在"
        }
    }

    public var reasonEn: String {
        switch self {
        case .notEEP(let root):
            return "not an electronic records encapsulation package (EEP): the root element is <\(root)>, not <电子文件封装包> (DA/T 48-2009)"
        case .malformedXML(let line, let reason):
            return "the package is not well-formed XML (line \(line): \(reason))"
        case .truncated(let line):
            return "the package is incomplete: it stops at line \(line) inside an element (truncated upload?)"
        case .modifiedPackage:
            return "this is a modification package (<修改封装内容>); transfers take original packages only: send the 原始型 EEP"
        case .noContent:
            return "no <文件实体> in the package carries <编码数据>: there are no files to receive"
        case .misplaced(let element, let line):
            return "<\(element)> at line \(line) is not where DA/T 48 allows it"
        case .unsafeName(let name, let reason):
            return "the file name \(EEPError.printable(name)) is unsafe: \(reason)"
        case .badBase64(let file, let offset, let reason):
            return "the encoded data of \(EEPError.printable(file)) is not valid base64 (character \(offset): \(reason))"
        case .notContent(let file, let keyword):
            return "the encoded data of \(EEPError.printable(file)) is not the file itself (反编码关键字 '\(keyword)': a digest or reference only); the file is not in the package"
        case .missingData(let file):
            return "\(EEPError.printable(file)) has no encoded data"
        case .unknownReference(let file, let id):
            return "\(EEPError.printable(file)) refers to encoded data '\(id)', which is not in the package"
        case .sizeMismatch(let file, let declared, let actual):
            return "\(EEPError.printable(file)): 计算机文件大小 says '\(declared)' but the decoded file holds \(actual) bytes"
        case .limitExceeded(let what, let limit):
            return "the package exceeds this node's limits: \(what) over \(limit)"
        case .unreadable(let path, let reason):
            return "cannot read the package \(path): \(reason)"
        case .io(let operation, let path, let errno):
            return "writing the unpacked package failed: \(operation) \(path) (\(String(cString: strerror(errno))))"
        case .destinationExists(let path):
            return "the directory \(path) to unpack into already exists"
        }
    }

    public var description: String { "\(reasonZh) / \(reasonEn)" }

    /// The reasons `EEPNames.unsafeReason` gives, in Chinese.
    static func zh(_ reason: String) -> String {
        switch reason {
        case EEPNames.Reason.absolute: return "是绝对路径"
        case EEPNames.Reason.dotdot: return "含有 ..，可能越出封装包"
        case EEPNames.Reason.control: return "含有控制字符"
        case EEPNames.Reason.empty: return "为空或含有空的路径成分"
        case EEPNames.Reason.tooLong: return "过长"
        case EEPNames.Reason.lineSeparator: return "含有换行类分隔符"
        default: return reason
        }
    }

    /// Control characters made visible, so a message stays on one line.
    static func printable(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F ... 0x9F).contains($0.value) }) else { return s }
        return s.unicodeScalars.map { $0.value < 0x20 || (0x7F ... 0x9F).contains($0.value) ? String(format: "\\u{%X}", $0.value) : String($0) }.joined()
    }
}
