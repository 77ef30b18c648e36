import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The character encoding a catalogue sheet arrived in.
///
/// Agencies export their sheets from Excel or WPS on Chinese Windows, which writes "CSV" in the
/// ANSI code page (GBK, read as its superset GB18030) unless someone picks "CSV UTF-8", and then
/// it adds a byte-order mark. All three are common, so all three are read; the report names the
/// one found so the agency learns what it sent.
public enum SheetEncoding: String, Sendable, Codable, CaseIterable {
    case utf8 = "UTF-8"
    case utf8WithBOM = "UTF-8 (BOM)"
    case gb18030 = "GB18030"
}

/// Why a sheet's bytes could not be turned into text.
public struct SheetDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reasonZh: String
    public var reasonEn: String
    public var description: String { "\(reasonZh) / \(reasonEn)" }
}

/// Decoding of sheet bytes: UTF-8 first (with or without a BOM), else GB18030 through the C
/// library's iconv — Foundation on Linux has no GB18030 converter, and glibc's is complete
/// (four-byte sequences included), so no table of our own is needed.
enum SheetDecoder {
    /// The sheet's text as UTF-8 bytes, and which encoding it was in.
    static func decode(_ bytes: [UInt8]) throws -> (utf8: [UInt8], encoding: SheetEncoding) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            let rest = Array(bytes.dropFirst(3))
            guard isValidUTF8(rest) else {
                throw SheetDecodingError(
                    reasonZh: "文件以 UTF-8 字节顺序标记开头，但内容不是有效的 UTF-8",
                    reasonEn: "the file starts with a UTF-8 byte-order mark but is not valid UTF-8")
            }
            return (rest, .utf8WithBOM)
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw SheetDecodingError(
                reasonZh: "目录文件是 UTF-16 编码（Excel 的“Unicode 文本”）；请另存为“CSV UTF-8”或 GB18030 编码的 CSV",
                reasonEn: "the sheet is UTF-16 (Excel's \"Unicode Text\"); save it as \"CSV UTF-8\" or as GB18030 CSV")
        }
        if isValidUTF8(bytes) { return (bytes, .utf8) }
        return (try gb18030ToUTF8(bytes), .gb18030)
    }

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Converts GB18030 to UTF-8 with iconv, strictly: an invalid sequence is an error naming
    /// its byte offset, never silently replaced, because a mangled 题名 must not be accepted.
    static func gb18030ToUTF8(_ bytes: [UInt8]) throws -> [UInt8] {
        let cd = iconv_open("UTF-8", "GB18030")
        guard cd != iconv_t(bitPattern: -1) else {
            throw SheetDecodingError(
                reasonZh: "本系统缺少 GB18030 转换器（iconv），无法读取非 UTF-8 的目录文件",
                reasonEn: "this system's iconv has no GB18030 converter, so a non-UTF-8 sheet cannot be read")
        }
        defer { iconv_close(cd) }
        if bytes.isEmpty { return [] }
        var input = bytes.map { CChar(bitPattern: $0) }
        // GB18030 uses 1, 2 or 4 bytes per character and UTF-8 at most 4 per character: twice the
        // input is always enough for BMP text, and the loop grows the buffer otherwise.
        var output = [UInt8](repeating: 0, count: bytes.count * 2 + 16)
        var produced = 0
        try input.withUnsafeMutableBufferPointer { inBuf in
            var inPtr: UnsafeMutablePointer<CChar>? = inBuf.baseAddress
            var inLeft = inBuf.count
            while inLeft > 0 {
                if output.count - produced < 16 { output += [UInt8](repeating: 0, count: output.count) }
                let result: Int = output.withUnsafeMutableBufferPointer { outBuf in
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress! + produced)
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuf.count - produced
                    let before = outLeft
                    let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    produced += before - outLeft
                    return r
                }
                if result == -1 {
                    let error = errno
                    if error == E2BIG { continue }
                    let offset = bytes.count - inLeft
                    throw SheetDecodingError(
                        reasonZh: "目录文件既不是 UTF-8 也不是有效的 GB18030 编码（第 \(offset) 字节起无法解码）",
                        reasonEn: "the sheet is neither UTF-8 nor valid GB18030 (undecodable bytes at offset \(offset))")
                }
            }
        }
        return Array(output[0 ..< produced])
    }
}
