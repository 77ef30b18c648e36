import Foundation

// PDF, PDF/A, XML, HTML and plain text.
extension FormatIdentifier {
    /// How much of a PDF's start and end is searched for the XMP `pdfaid` claim and for the
    /// trailer's `/Encrypt`. PDF/A forbids compressing the metadata stream, so the claim is
    /// plain text; writers put it either near the start (with the catalog) or near the end
    /// (incremental writers), and a linearised file repeats its trailer near the start.
    static let pdfWindow = 64 * 1024

    /// PRONOM PUIDs of the plain PDF versions (Acrobat PDF 1.0 … 1.7, PDF 2.0).
    static let pdfVersionPUIDs: [String: String] = [
        "1.0": "fmt/14", "1.1": "fmt/15", "1.2": "fmt/16", "1.3": "fmt/17",
        "1.4": "fmt/18", "1.5": "fmt/19", "1.6": "fmt/20", "1.7": "fmt/276", "2.0": "fmt/1129",
    ]

    /// PRONOM PUIDs of PDF/A part + conformance level, as the XMP `pdfaid` schema states them.
    /// PDF/A-4 (ISO 19005-4, PDF 2.0 based) is fmt/1910 for the part as a whole; it is used for
    /// 4, 4e and 4f alike until we have a PRONOM release listing the e and f variants to map.
    static let pdfaPUIDs: [String: String] = [
        "1a": "fmt/95", "1b": "fmt/354",
        "2a": "fmt/476", "2b": "fmt/477", "2u": "fmt/478",
        "3a": "fmt/479", "3b": "fmt/480", "3u": "fmt/481",
        "4": "fmt/1910", "4e": "fmt/1910", "4f": "fmt/1910",
    ]

    static func identifyPDF(_ source: any FormatSource, _ head: FormatBytes) throws -> FormatIdentification? {
        // ISO 32000 puts the header at byte 0; readers accept it anywhere in the first 1024.
        guard let at = head.find("%PDF-", in: 0 ..< 1024) else { return nil }
        var version = ""
        var i = at + 5
        while let b = head[i], (b >= 0x30 && b <= 0x39) || b == 0x2E, version.count < 5 {
            version.append(Character(Unicode.Scalar(b)))
            i += 1
        }

        var flags: FormatIdentification.Flags = []
        var warnings: [String] = []
        if at > 0 { warnings.append("the %PDF- header starts at byte \(at), not at the beginning of the file") }

        let start = head.count >= pdfWindow || Int64(head.count) == source.size
            ? head : FormatBytes(try source.read(at: 0, count: pdfWindow))
        let tail = try source.tail(pdfWindow).bytes

        // Readers look for %%EOF in the last 1024 bytes; a file cut short in transfer has none.
        let lastKiB = FormatBytes(tail.slice(max(0, tail.count - 1024) ..< tail.count))
        if lastKiB.find("%%EOF") == nil {
            flags.insert(.truncated)
            warnings.append("no %%EOF in the last 1024 bytes: the file looks truncated")
        }

        // An /Encrypt entry exists only in the trailer (or the cross-reference stream standing
        // in for it) of an encrypted file; a linearised file has a trailer near the start too.
        if tail.find("/Encrypt") != nil || start.find("/Encrypt") != nil {
            flags.insert(.encrypted)
            warnings.append("the PDF is encrypted (/Encrypt in its trailer): it may need a password to open, and text extraction and PDF/A conformance are not possible")
        }

        if let claim = pdfaClaim(in: start) ?? pdfaClaim(in: tail) {
            let key = claim.part + (claim.conformance ?? "")
            if let puid = pdfaPUIDs[key] {
                if flags.contains(.encrypted) {
                    warnings.append("PDF/A forbids encryption (ISO 19005), so this file's PDF/A-\(key) claim cannot hold")
                }
                return FormatIdentification(
                    puid: puid, mime: "application/pdf",
                    name: "Acrobat PDF/A - Portable Document Format", version: key,
                    flags: flags, warnings: warnings)
            }
            warnings.append("the XMP metadata claims PDF/A part \(claim.part) conformance \(claim.conformance ?? "(none)"), which is not a PDF/A level; identified as plain PDF")
        }

        if let puid = pdfVersionPUIDs[version] {
            let name = version.hasPrefix("2")
                ? "PDF \(version) - Portable Document Format"
                : "Acrobat PDF \(version) - Portable Document Format"
            return FormatIdentification(
                puid: puid, mime: "application/pdf", name: name, version: version,
                flags: flags, warnings: warnings)
        }
        warnings.append("the header names PDF version '\(version)', which PRONOM does not list")
        return FormatIdentification(
            puid: nil, mime: "application/pdf", name: "Portable Document Format",
            version: version.isEmpty ? nil : version, flags: flags, warnings: warnings)
    }

    /// The `pdfaid:part` (a number) and `pdfaid:conformance` (a letter, lowercased) stated in
    /// XMP, in either element form `<pdfaid:part>2</pdfaid:part>` or attribute form
    /// `pdfaid:part="2"`.
    static func pdfaClaim(in bytes: FormatBytes) -> (part: String, conformance: String?)? {
        guard let part = xmpValue("pdfaid:part", in: bytes), !part.isEmpty,
              part.allSatisfy(\.isNumber)
        else { return nil }
        let conformance = xmpValue("pdfaid:conformance", in: bytes)?.lowercased()
        return (part, conformance?.isEmpty == true ? nil : conformance)
    }

    /// The short value after an XMP property name, in element or attribute form.
    static func xmpValue(_ property: String, in bytes: FormatBytes) -> String? {
        var searchFrom = 0
        while let at = bytes.find(property, in: searchFrom ..< bytes.count) {
            searchFrom = at + property.utf8.count
            var i = searchFrom
            // Element form: `>value<`; attribute form: `="value"` or `='value'`.
            if bytes[i] == UInt8(ascii: ">") {
                i += 1
            } else {
                while let b = bytes[i], b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
                guard bytes[i] == UInt8(ascii: "=") else { continue } // a closing tag or a longer name
                i += 1
                while let b = bytes[i], b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
                guard let q = bytes[i], q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") else { continue }
                i += 1
            }
            var value = ""
            while let b = bytes[i], b != UInt8(ascii: "<"), b != UInt8(ascii: "\""), b != UInt8(ascii: "'"),
                  value.count < 8 {
                if b > 0x20 { value.append(Character(Unicode.Scalar(b))) }
                i += 1
            }
            return value
        }
        return nil
    }

    // MARK: - Text, XML, HTML

    /// What the bytes are as text, if they are text at all.
    struct TextGuess {
        /// `UTF-8`, `US-ASCII`, `UTF-16LE`, `UTF-16BE`, `GB18030`, or nil for 8-bit text in an
        /// encoding we cannot name.
        var charset: String?
        /// The first bytes with anything outside ASCII replaced by 0x80: enough to recognise
        /// `<?xml` and friends whatever the encoding.
        var asciiView: [UInt8]
    }

    static func identifyMarkupOrText(_ source: any FormatSource, _ head: FormatBytes) throws -> FormatIdentification? {
        let whole = Int64(head.count) == source.size
        guard let guess = guessText(head.bytes, isWhole: whole) else { return nil }
        let view = FormatBytes(guess.asciiView)
        var i = 0
        while let b = view[i], b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }

        if view.has("<?xml", at: i), let next = view[i + 5], next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D {
            var warnings: [String] = []
            if i > 0 { warnings.append("white space before the XML declaration: XML parsers reject this") }
            let declEnd = view.find("?>", in: i ..< min(view.count, i + 512)) ?? min(view.count, i + 512)
            let decl = FormatBytes(view.slice(i ..< declEnd))
            let version = xmlPseudoAttribute("version", in: decl) ?? "1.0"
            let declared = xmlPseudoAttribute("encoding", in: decl)?.uppercased()
            return FormatIdentification(
                puid: "fmt/101", mime: "application/xml", name: "Extensible Markup Language",
                version: version, charset: declared ?? guess.charset ?? "UTF-8", warnings: warnings)
        }

        let lowered = view.slice(i ..< min(view.count, i + 64)).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        let start = FormatBytes(lowered)
        if start.has("<!doctype html>", at: 0) {
            return FormatIdentification(puid: "fmt/471", mime: "text/html", name: "Hypertext Markup Language", version: "5", charset: guess.charset)
        }
        if start.has("<!doctype html", at: 0) || start.has("<html", at: 0) {
            return FormatIdentification(puid: "fmt/96", mime: "text/html", name: "Hypertext Markup Language", charset: guess.charset)
        }
        // An element (or a comment, or a DOCTYPE) first, without a declaration: XML 1.0 all the
        // same (the declaration is optional), worth a note.
        if let lt = view[i], lt == UInt8(ascii: "<"), let c = view[i + 1],
           (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == UInt8(ascii: "_") || view.has("!--", at: i + 1) || view.has("!DOCTYPE", at: i + 1) {
            return FormatIdentification(
                puid: "fmt/101", mime: "application/xml", name: "Extensible Markup Language",
                version: "1.0", charset: guess.charset ?? "UTF-8",
                warnings: ["no XML declaration: identified as XML from its first element"])
        }

        var warnings: [String] = []
        if guess.charset == nil {
            warnings.append("text, but neither UTF-8 nor GB18030: its character encoding is unknown")
        }
        return FormatIdentification(
            puid: "x-fmt/111", mime: "text/plain", name: "Plain Text File",
            charset: guess.charset, warnings: warnings)
    }

    static func xmlPseudoAttribute(_ name: String, in decl: FormatBytes) -> String? {
        guard let at = decl.find(name) else { return nil }
        var i = at + name.utf8.count
        while let b = decl[i], b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
        guard decl[i] == UInt8(ascii: "=") else { return nil }
        i += 1
        while let b = decl[i], b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
        guard let q = decl[i], q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") else { return nil }
        i += 1
        var value = ""
        while let b = decl[i], b != q, value.count < 40 {
            value.append(Character(Unicode.Scalar(b)))
            i += 1
        }
        return value
    }

    /// Control characters text may contain: tab, line feed, vertical tab, form feed, carriage
    /// return, backspace, escape and SUB (the old DOS end-of-file mark).
    @inline(__always)
    static func isTextControl(_ b: UInt32) -> Bool {
        b == 0x09 || b == 0x0A || b == 0x0B || b == 0x0C || b == 0x0D || b == 0x08 || b == 0x1B || b == 0x1A
    }

    /// Decides whether `bytes` (the start of a file, or all of it when `isWhole`) is text, and
    /// in which encoding: a BOM first, then UTF-8, then GB18030 (GB 18030 is the encoding
    /// Chinese government systems are required to support; GBK and GB 2312 are subsets of it),
    /// then 8-bit text of unknown encoding. Any NUL byte, or a control character other than the
    /// usual white space, means not text.
    static func guessText(_ bytes: [UInt8], isWhole: Bool) -> TextGuess? {
        guard !bytes.isEmpty else { return nil }
        let viewLength = 2048

        // UTF-16 with a byte order mark (and not UTF-32LE, whose BOM starts the same way).
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF),
           !(bytes.count >= 4 && bytes[0] == 0xFF && bytes[2] == 0 && bytes[3] == 0) {
            let little = bytes[0] == 0xFF
            var view: [UInt8] = []
            var i = 2
            var pendingHighSurrogate = false
            while i + 1 < bytes.count {
                let unit = little ? UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 : UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
                i += 2
                if pendingHighSurrogate {
                    guard unit >= 0xDC00 && unit <= 0xDFFF else { return nil }
                    pendingHighSurrogate = false
                    continue
                }
                if unit >= 0xD800 && unit <= 0xDBFF { pendingHighSurrogate = true; continue }
                if unit >= 0xDC00 && unit <= 0xDFFF { return nil }
                if unit == 0 || (unit < 0x20 && !isTextControl(unit)) || unit == 0x7F { return nil }
                if view.count < viewLength { view.append(unit < 0x80 ? UInt8(unit) : 0x80) }
            }
            if isWhole && (pendingHighSurrogate || bytes.count % 2 != 0) { return nil }
            return TextGuess(charset: little ? "UTF-16LE" : "UTF-16BE", asciiView: view)
        }

        var body = bytes[...]
        var hadBOM = false
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            body = bytes[3...]
            hadBOM = true
        }
        // Controls and NUL rule out text in every 8-bit-compatible encoding.
        for b in body where b < 0x20 || b == 0x7F {
            if !isTextControl(UInt32(b)) { return nil }
        }
        let view = body.prefix(viewLength).map { $0 < 0x80 ? $0 : 0x80 }

        if let ascii = validateUTF8(body, isWhole: isWhole) {
            return TextGuess(charset: ascii && !hadBOM ? "US-ASCII" : "UTF-8", asciiView: view)
        }
        if hadBOM { return nil } // a UTF-8 BOM on bytes that are not UTF-8: binary
        if validateGB18030(body, isWhole: isWhole) {
            return TextGuess(charset: "GB18030", asciiView: view)
        }
        return TextGuess(charset: nil, asciiView: view)
    }

    /// Nil if not valid UTF-8; otherwise whether it was pure ASCII. A sequence cut off by the
    /// end of the sample is accepted unless the sample is the whole file.
    static func validateUTF8(_ bytes: ArraySlice<UInt8>, isWhole: Bool) -> Bool? {
        var ascii = true
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            ascii = false
            let need: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch b {
            case 0xC2 ... 0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1 ... 0xEC, 0xEE ... 0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F
            case 0xF0: need = 3; lower = 0x90
            case 0xF1 ... 0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F
            default: return nil
            }
            for k in 1 ... need {
                guard i + k < end else { return isWhole ? nil : ascii }
                let c = bytes[i + k]
                let (lo, hi) = k == 1 ? (lower, upper) : (UInt8(0x80), UInt8(0xBF))
                guard c >= lo && c <= hi else { return nil }
            }
            i += need + 1
        }
        return ascii
    }

    /// Whether the bytes follow GB 18030's structure (one, two or four bytes per character) and
    /// contain at least one multi-byte character.
    static func validateGB18030(_ bytes: ArraySlice<UInt8>, isWhole: Bool) -> Bool {
        var multibyte = 0
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            guard b >= 0x81 && b <= 0xFE else { return false }
            guard i + 1 < end else { return !isWhole && multibyte > 0 }
            let b2 = bytes[i + 1]
            if (b2 >= 0x40 && b2 <= 0x7E) || (b2 >= 0x80 && b2 <= 0xFE) {
                i += 2
            } else if b2 >= 0x30 && b2 <= 0x39 {
                guard i + 3 < end else { return !isWhole && multibyte > 0 }
                let b3 = bytes[i + 2], b4 = bytes[i + 3]
                guard b3 >= 0x81 && b3 <= 0xFE && b4 >= 0x30 && b4 <= 0x39 else { return false }
                i += 4
            } else {
                return false
            }
            multibyte += 1
        }
        return multibyte > 0
    }
}
