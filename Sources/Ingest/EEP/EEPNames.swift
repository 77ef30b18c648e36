import Foundation

/// File names in an EEP (计算机文件名) and where each file goes in the unpacked bag.
///
/// Names are kept exactly as the agency wrote them, apart from trimming surrounding whitespace
/// (XML indentation); a name is refused, never repaired, when it could land outside the bag.
/// `\` is read as `/`, as a Windows name means it.
enum EEPNames {
    enum Reason {
        static let absolute = "it is an absolute path"
        static let dotdot = "it contains a .. component"
        static let control = "it contains control characters"
        static let empty = "it is empty or has an empty or . path component"
        static let tooLong = "it is too long (a component over 255 bytes, or the path over the limit)"
        static let lineSeparator = "it contains a line separator"
    }

    /// Line boundaries that BagIt tools split manifest lines at besides CR and LF.
    private static let lineSeparators: Set<UInt32> = [0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]

    /// The path components of a safe relative name.
    static func components(of name: String, maxPathLength: Int) throws(EEPError) -> [String] {
        func refuse(_ reason: String) -> EEPError { .unsafeName(name: name, reason: reason) }
        let path = name.replacingOccurrences(of: "\\", with: "/")
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F ... 0x9F).contains($0.value) }) {
            throw refuse(Reason.control)
        }
        if path.unicodeScalars.contains(where: { lineSeparators.contains($0.value) }) { throw refuse(Reason.lineSeparator) }
        let chars = Array(path)
        if path.hasPrefix("/") || path.hasPrefix("~")
            || (chars.count >= 2 && chars[1] == ":" && chars[0].isASCII && chars[0].isLetter) {
            throw refuse(Reason.absolute)
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.contains("..") { throw refuse(Reason.dotdot) }
        if parts.contains(where: { $0.isEmpty || $0 == "." }) { throw refuse(Reason.empty) }
        if path.utf8.count > maxPathLength || parts.contains(where: { $0.utf8.count > 255 }) { throw refuse(Reason.tooLong) }
        return parts
    }

    /// The extension 反编码关键字 restores (DA/T 48: "依据反编码关键字还原计算机文件的扩展名"):
    /// `base64-pdf`, `base64.pdf`, `.pdf` or `pdf` → `pdf`; plain `base64` → none.
    static func extensionHint(_ keyword: String?) -> String? {
        guard var k = keyword?.trimmed.lowercased(), !k.isEmpty else { return nil }
        if let cut = k.lastIndex(where: { $0 == "-" || $0 == "." || $0 == "_" || $0 == ":" }) {
            k = String(k[k.index(after: cut)...])
        }
        guard !k.isEmpty, k.count <= 10, k != "base64", k != "base64binary",
              k.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        return k
    }

    /// Whether 反编码关键字 says the 编码数据 holds a digest of a file kept elsewhere rather than
    /// the file (some systems write `sha256-base64Binary` and leave the file outside).
    static func namesDigest(_ keyword: String?) -> Bool {
        guard let k = keyword?.lowercased() else { return false }
        return ["sha1", "sha256", "sha512", "sha-", "md5", "sm3", "hash", "digest", "摘要", "url", "http"].contains { k.contains($0) }
    }
}

/// Chooses each file's place under `data/`, keeping the agency's name: the first file of a
/// name gets it, a later file whose name is the same (after NFC, as BagIt compares) goes into
/// a numbered folder, `data/2/正文.pdf`, so nothing is overwritten and no name is changed.
struct EEPPlacement {
    private var files: Set<String> = []
    private var directories: Set<String> = []

    /// The components to use for `name`'s components, as the `ordinal`-th file.
    mutating func place(_ components: [String], ordinal: Int) -> [String] {
        var candidate = components
        var attempt = 0
        while !fits(candidate) {
            attempt += 1
            let folder = attempt == 1 ? String(ordinal) : "\(ordinal)-\(attempt)"
            candidate = [folder] + components
        }
        let key = EEPPlacement.key(candidate)
        files.insert(key)
        for i in 1 ..< candidate.count { directories.insert(EEPPlacement.key(Array(candidate[0 ..< i]))) }
        return candidate
    }

    private func fits(_ components: [String]) -> Bool {
        let key = EEPPlacement.key(components)
        if files.contains(key) || directories.contains(key) { return false }
        for i in 1 ..< max(1, components.count) where files.contains(EEPPlacement.key(Array(components[0 ..< i]))) {
            return false
        }
        return true
    }

    private static func key(_ components: [String]) -> String {
        components.joined(separator: "/").precomposedStringWithCanonicalMapping
    }
}
