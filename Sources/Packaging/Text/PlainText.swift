import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain text files as agencies' computers write them: UTF-8 (with or without a BOM), UTF-16
/// with a BOM (Windows Notepad's "Unicode"), or GB18030 (GBK, the ANSI code page of Chinese
/// Windows) — tried in that order. Only the first `maxTextBytes` of the file are read.
enum PlainText {
    static func extract(_ file: URL, _ options: TextExtractor.Options) -> TextExtractor.Extraction {
        guard let handle = FileHandle(forReadingAtPath: file.path) else { return .failed("cannot open \(file.lastPathComponent)") }
        defer { try? handle.close() }
        let bytes: [UInt8]
        do {
            // Enough bytes for the cap whatever the encoding (UTF-16 and GB18030 CJK take two
            // bytes for UTF-8's three), and one more to know whether there was more.
            bytes = Array(try handle.read(upToCount: options.maxTextBytes + 1) ?? Data())
        } catch {
            return .failed("cannot read \(file.lastPathComponent): \(error.localizedDescription)")
        }
        let cut = bytes.count > options.maxTextBytes
        guard let decoded = decode(cut ? Array(bytes.prefix(options.maxTextBytes)) : bytes, truncated: cut) else {
            return .failed("the file is not UTF-8, UTF-16 (with a byte-order mark) or GB18030 text")
        }
        var sink = TextSink(maxBytes: options.maxTextBytes)
        sink.append(decoded.replacingOccurrences(of: "\0", with: ""))
        var result = sink.extraction(reasonWhenEmpty: "the file holds no text")
        if cut && result.text != nil {
            result.truncated = true
            result.reason = "text cut at \(options.maxTextBytes) bytes"
        }
        return result
    }

    /// The text, or nil when the bytes are in none of the encodings. When `truncated`, a
    /// character cut in half at the end is dropped rather than making the whole text fail.
    static func decode(_ bytes: [UInt8], truncated: Bool) -> String? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return utf8(Array(bytes.dropFirst(3)), truncated: truncated) }
        if bytes.starts(with: [0xFF, 0xFE]) { return utf16(Array(bytes.dropFirst(2)), littleEndian: true) }
        if bytes.starts(with: [0xFE, 0xFF]) { return utf16(Array(bytes.dropFirst(2)), littleEndian: false) }
        if let s = utf8(bytes, truncated: truncated) { return s }
        return gb18030(bytes, truncated: truncated)
    }

    static func utf8(_ bytes: [UInt8], truncated: Bool) -> String? {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        guard truncated else { return nil }
        // Drop an incomplete sequence at the end (at most 3 bytes).
        for drop in 1 ... min(3, bytes.count) {
            if let s = String(validating: bytes.dropLast(drop), as: UTF8.self) { return s }
        }
        return nil
    }

    static func utf16(_ bytes: [UInt8], littleEndian: Bool) -> String? {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = 0
        while i + 1 < bytes.count {
            let a = UInt16(bytes[i]), b = UInt16(bytes[i + 1])
            units.append(littleEndian ? a | b << 8 : a << 8 | b)
            i += 2
        }
        // A lone high surrogate at a cut end is dropped; one elsewhere makes the text invalid.
        if let last = units.last, (0xD800 ... 0xDBFF).contains(last) { units.removeLast() }
        return String(validating: units, as: UTF16.self)
    }

    /// GB18030 through iconv (Foundation on Linux has no converter for it; glibc's is complete).
    /// Strict: an invalid sequence means the file is not GB18030; an incomplete one at the end
    /// of a truncated read is dropped.
    static func gb18030(_ bytes: [UInt8], truncated: Bool) -> String? {
        let cd = iconv_open("UTF-8", "GB18030")
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        if bytes.isEmpty { return "" }
        var input = bytes.map { CChar(bitPattern: $0) }
        // 1–4 GB18030 bytes give 1–4 UTF-8 bytes; twice the input and 16 more is always enough
        // for CJK text, and the loop grows the buffer for the rest.
        var output = [UInt8](repeating: 0, count: bytes.count * 2 + 16)
        var produced = 0
        let ok: Bool = input.withUnsafeMutableBufferPointer { inBuf in
            var inPtr: UnsafeMutablePointer<CChar>? = inBuf.baseAddress
            var inLeft = inBuf.count
            while inLeft > 0 {
                if output.count - produced < 16 { output += [UInt8](repeating: 0, count: output.count) }
                var outLeft = output.count - produced
                let before = outLeft
                let rc: Int = output.withUnsafeMutableBufferPointer { outBuf in
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress! + produced)
                        .assumingMemoryBound(to: CChar.self)
                    return iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                }
                produced += before - outLeft
                if rc == -1 {
                    switch errno {
                    case E2BIG: continue
                    case EINVAL: return truncated   // incomplete at the end
                    default: return false
                    }
                }
            }
            return true
        }
        guard ok else { return nil }
        return String(validating: output[0 ..< produced], as: UTF8.self)
    }
}
