import Foundation

/// Paths as BagIt spells them: `/`-separated, relative to the bag root, with LF, CR and `%`
/// percent-encoded in manifests (RFC 8493 §2.1.3).
enum BagPath {
    /// The comparison key for a path. File systems disagree on Unicode normalisation — macOS
    /// stores NFD, Linux stores whatever it is given, and a bag made on one is checked on the
    /// other — so manifests and disk are matched after NFC, while names are kept exactly as
    /// they were everywhere else (opening files, messages, copying).
    static func key(_ path: String) -> String {
        path.precomposedStringWithCanonicalMapping
    }

    /// Decodes `%0A`, `%0D` and `%25` (either hex case). Other `%` sequences stay literal:
    /// bags from tools that predate the RFC wrote a bare `%` unencoded, and `%41` was never an
    /// escape in BagIt.
    static func decode(_ s: Substring) -> String {
        guard s.contains("%") else { return String(s) }
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == "%", let j = s.index(i, offsetBy: 3, limitedBy: s.endIndex) {
                switch s[s.index(after: i)..<j].uppercased() {
                case "0A": out.append("\n"); i = j; continue
                case "0D": out.append("\r"); i = j; continue
                case "25": out.append("%"); i = j; continue
                default: break
                }
            }
            out.append(c)
            i = s.index(after: i)
        }
        return out
    }

    /// Encodes a path for a manifest or fetch.txt line. `%` goes first so the escapes added for
    /// CR and LF are not themselves escaped.
    static func encode(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Why a manifest or fetch path could reach outside the bag, or nil if it cannot.
    ///
    /// Stricter than bagit-python (which resolves `..` and accepts `data/../data/x`): a path
    /// that needs resolving was never written by an honest tool, and 四性检测 security asks
    /// us to refuse path tricks outright rather than reason about where they land.
    static func unsafeReason(_ path: String) -> String? {
        if path.isEmpty { return "empty path" }
        if path.hasPrefix("/") { return "absolute path" }
        if path.hasPrefix("~") { return "path starts with ~ (home directory expansion)" }
        if path.unicodeScalars.contains("\0") { return "path contains a NUL character" }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            return "path contains a .. component"
        }
        // Bags travel to Windows too, where \ separates directories.
        if path.split(separator: "\\", omittingEmptySubsequences: false).contains(where: { $0 == ".." || $0.hasSuffix("/..") || $0.hasPrefix("../") }) {
            return "path contains a .. component (with \\ separators)"
        }
        if path.count >= 2, path.dropFirst().first == ":", path.first!.isLetter,
           path.dropFirst(2).first.map({ $0 == "\\" || $0 == "/" }) ?? true {
            return "path starts with a drive letter"
        }
        return nil
    }

    /// Drops `.` components and doubled slashes, as bagit-python's normpath does; returns nil
    /// when the path was already clean so the caller can warn about the ones that were not.
    static func cleaned(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.contains(where: { $0.isEmpty || $0 == "." }) else { return nil }
        let kept = parts.filter { !$0.isEmpty && $0 != "." }
        return kept.joined(separator: "/")
    }

    /// A path with its control characters made visible, for one-line messages.
    static func printable(_ path: String) -> String {
        guard path.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\u{7F}" }) else { return path }
        var out = ""
        for s in path.unicodeScalars {
            switch s {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if s.value < 0x20 || s == "\u{7F}" {
                    out += String(format: "\\x%02X", s.value)
                } else {
                    out.unicodeScalars.append(s)
                }
            }
        }
        return out
    }

    /// Whether `path` lies in the payload directory.
    static func isPayload(_ path: String) -> Bool { path.hasPrefix("data/") }
}

/// Reading tag files: UTF-8 text whose lines end in LF, CR or CRLF (RFC 8493 §2).
enum BagTagText {
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    struct Decoded {
        var lines: [String]
        var hadBOM: Bool
    }

    /// Splits into lines on LF, CR and CRLF only. Unicode's other line separators (U+2028,
    /// NEL) are legal inside a file name and must not split a manifest line, which is why this
    /// works on bytes rather than on `Character.isNewline`.
    /// Returns nil when the bytes are not UTF-8.
    static func decode(_ bytes: [UInt8]) -> Decoded? {
        var body = bytes[...]
        let hadBOM = body.starts(with: bom)
        if hadBOM { body = body.dropFirst(3) }
        guard String(bytes: body, encoding: .utf8) != nil || body.isEmpty else { return nil }
        var lines: [String] = []
        var start = body.startIndex
        var i = body.startIndex
        while i < body.endIndex {
            let b = body[i]
            if b == 0x0A || b == 0x0D {
                lines.append(String(decoding: body[start..<i], as: UTF8.self))
                if b == 0x0D, body.index(after: i) < body.endIndex, body[body.index(after: i)] == 0x0A {
                    i = body.index(after: i)
                }
                i = body.index(after: i)
                start = i
            } else {
                i = body.index(after: i)
            }
        }
        if start < body.endIndex { lines.append(String(decoding: body[start..<body.endIndex], as: UTF8.self)) }
        return Decoded(lines: lines, hadBOM: hadBOM)
    }

    static func isLinearWhitespace(_ c: Character) -> Bool { c == " " || c == "\t" }

    struct Element {
        var label: String
        var value: String
        var line: Int
    }

    struct ParseIssue {
        var line: Int
        var message: String
        /// True when bagit-python would reject the file too; false for deviations it tolerates.
        var isError: Bool
    }

    /// Parses `Label: value` elements with continuation lines (RFC 8493 §2.2.2).
    ///
    /// Continuations are unfolded the RFC 5322 way — the line break is removed, the indenting
    /// whitespace kept — so a long title wrapped by one tool reads back as the same title.
    static func parseElements(_ lines: [String]) -> (elements: [Element], issues: [ParseIssue]) {
        var elements: [Element] = []
        var issues: [ParseIssue] = []
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if line.allSatisfy(isLinearWhitespace) {
                // RFC 8493 has no blank lines in tag files; bagit-python skips them, so do we.
                issues.append(ParseIssue(line: number, message: "blank line ignored", isError: false))
                continue
            }
            if let first = line.first, isLinearWhitespace(first) {
                guard !elements.isEmpty else {
                    issues.append(ParseIssue(line: number, message: "continuation line with no element before it", isError: true))
                    continue
                }
                elements[elements.count - 1].value += line
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                issues.append(ParseIssue(line: number, message: "not a \"Label: value\" line: \(BagPath.printable(line))", isError: true))
                continue
            }
            let rawLabel = line[..<colon]
            let label = rawLabel.trimmingCharacters(in: .whitespaces)
            if label.isEmpty {
                issues.append(ParseIssue(line: number, message: "element with an empty label", isError: true))
                continue
            }
            if label != rawLabel {
                issues.append(ParseIssue(line: number, message: "label \"\(label)\" has surrounding whitespace", isError: false))
            }
            let rest = line[line.index(after: colon)...]
            if let first = rest.first, !isLinearWhitespace(first) {
                issues.append(ParseIssue(line: number, message: "no space after the colon of \"\(label)\"", isError: false))
            }
            elements.append(Element(label: label, value: String(rest), line: number))
        }
        for i in elements.indices {
            elements[i].value = elements[i].value.trimmingCharacters(in: .whitespaces)
        }
        return (elements, issues)
    }

    /// Splits a manifest line into digest and path: `DIGEST 1*WSP PATH` (RFC 8493 §2.1.3).
    /// The line is trimmed first and a leading `*` (md5sum's binary-mode marker) is dropped,
    /// as bagit-python does, so bags checked with `sha256sum -b` still read.
    static func splitManifestLine(_ line: String) -> (digest: Substring, path: Substring, hadStar: Bool)? {
        let trimmed = line.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
        guard let ws = trimmed.firstIndex(where: isLinearWhitespace) else { return nil }
        let digest = trimmed[..<ws]
        var path = trimmed[ws...].drop(while: isLinearWhitespace)
        var hadStar = false
        while path.first == "*" { path = path.dropFirst(); hadStar = true }
        guard !digest.isEmpty, !path.isEmpty else { return nil }
        return (digest, path, hadStar)
    }
}
