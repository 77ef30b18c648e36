import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How an entry's name bytes were turned into text. Reported per entry so that an archivist
/// who sees an odd name can tell a legacy Chinese Windows zip from a UTF-8 one.
public enum ArchiveNameEncoding: String, Sendable, Hashable, CaseIterable {
    /// Pure ASCII: every encoding agrees.
    case ascii = "ascii"
    /// ZIP general-purpose bit 11 (EFS) says the name is UTF-8.
    case utf8Flag = "utf-8-flag"
    /// The Info-ZIP Unicode Path extra field (0x7075) carried a UTF-8 name whose CRC matched
    /// the header name, so it was preferred over the legacy bytes.
    case unicodePathExtra = "unicode-path-extra"
    /// No flag, but the bytes were read as UTF-8 (TAR and pax names, or a legacy ZIP name that
    /// is not valid GB18030).
    case utf8 = "utf-8"
    /// Legacy bytes read as GB18030 — what Chinese Windows (code page 936) writes without
    /// setting the UTF-8 flag.
    case gb18030 = "gb18030"
    /// The last resort of the ZIP specification (APPNOTE appendix D): IBM code page 437.
    case cp437 = "cp437"
}

/// Turns raw archive name bytes into text.
///
/// The rule for legacy (unflagged) ZIP names is GB18030 first: this platform's agencies run
/// Chinese Windows, whose Explorer and most Chinese zip tools write code page 936 (GBK, a
/// subset of GB18030) without setting bit 11. UTF-8 first would not do: short GBK names are
/// often valid UTF-8 by accident — 目录 in GBK is `C4 BF C2 BC`, which UTF-8 reads as "Ŀ¼" —
/// whereas a name that is not GB18030 at all is certainly something else. The price is that
/// zips which write UTF-8 without the flag (macOS Archive Utility) are misread; the entry's
/// `nameEncoding` says `gb18030` so such a case can be recognised. TAR names are the other way
/// round: tar and pax write UTF-8, so UTF-8 is tried first and GB18030 is the fallback.
///
/// GB18030 goes through glibc's iconv: Foundation on Linux does not reliably offer it. One
/// converter is opened lazily per extraction (iconv descriptors are not thread-safe).
final class ArchiveNameDecoder {
    private var gb18030: iconv_t?
    private var gb18030Tried = false

    deinit {
        if let cd = gb18030 { iconv_close(cd) }
    }

    static func isASCII(_ bytes: [UInt8]) -> Bool { bytes.allSatisfy { $0 < 0x80 } }

    static func utf8(_ bytes: [UInt8]) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// A legacy ZIP name (bit 11 clear, no usable Unicode Path extra).
    func decodeLegacyZipName(_ bytes: [UInt8]) throws -> (String, ArchiveNameEncoding) {
        if Self.isASCII(bytes) { return (String(decoding: bytes, as: UTF8.self), .ascii) }
        if let s = try decodeGB18030(bytes) { return (s, .gb18030) }
        if let s = Self.utf8(bytes) { return (s, .utf8) }
        return (Self.cp437(bytes), .cp437)
    }

    /// A name that should be UTF-8 (ZIP with bit 11, TAR, pax): UTF-8, else GB18030 (a
    /// Chinese tar tool writing GBK into ustar fields), else CP437 so a name always exists.
    func decodeUTF8Name(_ bytes: [UInt8], flagged: Bool) throws -> (String, ArchiveNameEncoding) {
        if Self.isASCII(bytes) { return (String(decoding: bytes, as: UTF8.self), .ascii) }
        if let s = Self.utf8(bytes) { return (s, flagged ? .utf8Flag : .utf8) }
        if let s = try decodeGB18030(bytes) { return (s, .gb18030) }
        return (Self.cp437(bytes), .cp437)
    }

    /// GB18030 to UTF-8 with iconv; nil if the bytes are not valid GB18030.
    func decodeGB18030(_ bytes: [UInt8]) throws -> String? {
        if !gb18030Tried {
            gb18030Tried = true
            let cd = iconv_open("UTF-8", "GB18030")
            if let cd, Int(bitPattern: cd) != -1 { gb18030 = cd }
        }
        guard let cd = gb18030 else { throw ExtractionError.nameEncodingUnavailable(encoding: "GB18030") }
        // Reset the shift state: a failed conversion must not leak into the next name.
        _ = iconv(cd, nil, nil, nil, nil)
        var input = bytes.map { CChar(bitPattern: $0) }
        // GB18030 characters take 1-4 bytes and become 1-4 UTF-8 bytes; 4x is always enough.
        var output = [CChar](repeating: 0, count: bytes.count * 4 + 4)
        let outCapacity = output.count
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = inBuf.baseAddress
                var inLeft = inBuf.count
                var outPtr: UnsafeMutablePointer<CChar>? = outBuf.baseAddress
                var outLeft = outCapacity
                let rc = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                // EILSEQ (invalid), EINVAL (incomplete at the end): not GB18030.
                if rc == -1 || inLeft != 0 { return nil }
                return outCapacity - outLeft
            }
        }
        guard let n = produced else { return nil }
        return String(validating: output[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// IBM code page 437, the ZIP specification's default: every byte maps to a character,
    /// so this never fails. Kept as a table rather than iconv so it works on any system.
    static func cp437(_ bytes: [UInt8]) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes {
            if b < 0x80 {
                s.append(Unicode.Scalar(b))
            } else {
                s.append(Unicode.Scalar(cp437High[Int(b) - 0x80])!)
            }
        }
        return String(s)
    }

    private static let cp437High: [UInt32] = [
        0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
        0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
        0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
        0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
        0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
        0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
        0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
        0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
        0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
        0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
        0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
        0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
        0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
        0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
        0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
        0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
    ]
}

/// Decides where an entry may be written, and refuses any name that could escape the
/// extraction directory or collide with another entry.
///
/// Names are kept exactly as the archive spells them; the only rewriting is structural:
/// backslashes become `/` (on the Windows machines our agencies use they *are* separators,
/// and `..\..\x` must be caught as traversal), and `.` and empty components disappear
/// (`./bag/data/a` from `tar -C dir .`). Every `..` is refused, even one that would stay
/// inside (`a/../b`): a legitimate transfer never needs one, and refusing all of them leaves
/// no room for a resolver bug.
///
/// Comparisons use NFC, so `é` typed on a Mac (NFD) and on Windows (NFC) are one name and a
/// second copy is a duplicate rather than a silently different file; directories must also be
/// spelled consistently, or two visually identical folders would appear side by side.
struct ArchivePathRegistry {
    /// Linux NAME_MAX: a longer component cannot be created at all.
    static let maxComponentBytes = 255

    let maxPathLength: Int
    private var files: [String: String] = [:]
    /// NFC key → exact spelling of every directory created so far (explicit or implied).
    private var directories: [String: String] = [:]

    init(maxPathLength: Int) { self.maxPathLength = maxPathLength }

    /// The relative path (components joined by `/`) an entry called `name` may be written to;
    /// empty for the root itself (`./`). Throws the reason it may not.
    static func safeComponents(of name: String, maxPathLength: Int) throws -> [String] {
        if name.isEmpty { throw ExtractionError.unsafePath(entry: name, reason: "empty name") }
        for scalar in name.unicodeScalars where scalar.value < 0x20 || scalar.value == 0x7F {
            throw ExtractionError.unsafePath(entry: name, reason: "control character U+\(String(scalar.value, radix: 16, uppercase: true)) in name")
        }
        let slashed = name.replacingOccurrences(of: "\\", with: "/")
        if slashed.hasPrefix("/") { throw ExtractionError.absolutePath(entry: name) }
        let raw = slashed.split(separator: "/", omittingEmptySubsequences: true)
        if let first = raw.first, isDriveLetter(first) { throw ExtractionError.absolutePath(entry: name) }
        var components: [String] = []
        for part in raw {
            if part == "." { continue }
            if part == ".." { throw ExtractionError.unsafePath(entry: name, reason: "'..' component") }
            if part.utf8.count > maxComponentBytes {
                throw ExtractionError.pathTooLong(entry: name, bytes: part.utf8.count, limit: maxComponentBytes)
            }
            components.append(String(part))
        }
        let length = components.reduce(0) { $0 + $1.utf8.count } + max(0, components.count - 1)
        if length > maxPathLength { throw ExtractionError.pathTooLong(entry: name, bytes: length, limit: maxPathLength) }
        return components
    }

    /// `C:`, `c:foo`: a drive-absolute or drive-relative Windows path.
    private static func isDriveLetter(_ component: Substring) -> Bool {
        let u = Array(component.utf8.prefix(2))
        guard u.count == 2, u[1] == UInt8(ascii: ":") else { return false }
        return (u[0] >= 65 && u[0] <= 90) || (u[0] >= 97 && u[0] <= 122)
    }

    static func key(_ path: String) -> String { path.precomposedStringWithCanonicalMapping }

    /// Records a file at `components`; throws `duplicateName` if the name (NFC) is taken by a
    /// file or directory, or a parent is a file.
    mutating func addFile(_ components: [String], entry: String) throws {
        guard !components.isEmpty else { throw ExtractionError.unsafePath(entry: entry, reason: "a file cannot be the root") }
        try addParents(of: components, entry: entry)
        let path = components.joined(separator: "/")
        let k = Self.key(path)
        if let existing = files[k] { throw ExtractionError.duplicateName(entry: entry, existing: existing) }
        if let existing = directories[k] { throw ExtractionError.duplicateName(entry: entry, existing: existing + "/") }
        files[k] = path
    }

    /// Records a directory (repeating one is harmless; a file of the same name is not).
    mutating func addDirectory(_ components: [String], entry: String) throws {
        guard !components.isEmpty else { return }
        try addParents(of: components, entry: entry)
        try addOneDirectory(components.joined(separator: "/"), entry: entry)
    }

    private mutating func addParents(of components: [String], entry: String) throws {
        var path = ""
        for c in components.dropLast() {
            path = path.isEmpty ? c : path + "/" + c
            try addOneDirectory(path, entry: entry)
        }
    }

    private mutating func addOneDirectory(_ path: String, entry: String) throws {
        let k = Self.key(path)
        if let existing = files[k] { throw ExtractionError.duplicateName(entry: entry, existing: existing) }
        if let existing = directories[k] {
            if existing != path { throw ExtractionError.duplicateName(entry: entry, existing: existing + "/") }
            return
        }
        directories[k] = path
    }
}
