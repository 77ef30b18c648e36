import Foundation

/// Decodes base64 (RFC 2045, as DA/T 48 prescribes for 编码数据) piece by piece, as the XML
/// parser hands the text over, so no file is ever held whole in memory.
///
/// Line breaks and other whitespace between characters are skipped (MIME writes 76-character
/// lines, pretty printers indent). Anything else outside the alphabet, or data after the `=`
/// padding, is an error naming the character's position, never silently dropped: a file that
/// decodes "mostly" is a damaged record. A final quantum without padding is accepted.
struct Base64StreamDecoder {
    struct Failure: Error, Equatable {
        /// Position in the encoded text (characters from 0, whitespace counted).
        var offset: UInt64
        var reason: String
    }

    private static let invalid: UInt8 = 0xFF
    private static let whitespace: UInt8 = 0xFE
    private static let pad: UInt8 = 0xFD

    private static let table: [UInt8] = {
        var t = [UInt8](repeating: invalid, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        for c in [0x20, 0x09, 0x0A, 0x0D, 0x0C] { t[c] = whitespace }
        t[Int(UInt8(ascii: "="))] = pad
        return t
    }()

    private var quantum: UInt32 = 0
    private var count = 0
    private var padding = 0
    /// A padded quantum was completed: only whitespace may follow.
    private var ended = false
    /// Characters consumed so far.
    private(set) var position: UInt64 = 0

    /// Decodes `input` and appends the bytes to `output`.
    mutating func decode(_ input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) throws(Failure) {
        let table = Base64StreamDecoder.table
        let start = position
        position += UInt64(input.count)
        for i in 0 ..< input.count {
            let byte = input[i]
            let v = table[Int(byte)]
            if v == Base64StreamDecoder.whitespace { continue }
            if ended {
                throw Failure(offset: start + UInt64(i), reason: "data after the = padding that ends base64")
            }
            if v < 64 {
                if padding > 0 {
                    throw Failure(offset: start + UInt64(i), reason: "a base64 character after = padding")
                }
                quantum = quantum << 6 | UInt32(v)
                count += 1
                if count == 4 {
                    output.append(UInt8(truncatingIfNeeded: quantum >> 16))
                    output.append(UInt8(truncatingIfNeeded: quantum >> 8))
                    output.append(UInt8(truncatingIfNeeded: quantum))
                    quantum = 0
                    count = 0
                }
            } else if v == Base64StreamDecoder.pad {
                // `=` may only complete a quantum of two or three characters.
                if count < 2 {
                    throw Failure(offset: start + UInt64(i), reason: "= padding in the wrong place")
                }
                padding += 1
                if count + padding == 4 {
                    emitPartial(into: &output)
                    ended = true
                }
            } else {
                let shown = byte >= 0x21 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : String(format: "byte 0x%02X", byte)
                throw Failure(offset: start + UInt64(i), reason: "\(shown) is not a base64 character")
            }
        }
    }

    /// Ends the data: decodes a final unpadded quantum, or fails on one that cannot be whole.
    mutating func finish(into output: inout [UInt8]) throws(Failure) {
        if ended { return }
        if padding > 0 { throw Failure(offset: position, reason: "the = padding is incomplete") }
        switch count {
        case 0: return
        case 1: throw Failure(offset: position, reason: "the data ends with a single character (truncated?)")
        default: emitPartial(into: &output)
        }
    }

    /// The bytes of a quantum of two (one byte) or three (two bytes) characters.
    private mutating func emitPartial(into output: inout [UInt8]) {
        let value = quantum << (6 * UInt32(4 - count))
        output.append(UInt8(truncatingIfNeeded: value >> 16))
        if count == 3 { output.append(UInt8(truncatingIfNeeded: value >> 8)) }
        quantum = 0
        count = 0
    }
}
