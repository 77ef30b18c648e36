import Foundation

/// What a file is, as far as its own bytes tell: the PRONOM format (PUID), a MIME type, the
/// format's name and version as PRONOM spells them, and what stands in the way of reading it.
///
/// Names and versions follow the PRONOM registry (The National Archives, UK), so that they can
/// go straight into a PREMIS `formatDesignation` (`formatName` + `formatVersion`) next to the
/// PUID in `formatRegistryKey`. Formats PRONOM does not list (OFD, GB/T 33190) have a nil `puid`
/// and a descriptive name.
public struct FormatIdentification: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Conditions that matter to the usability check (四性检测 可用性) whatever the format.
    public struct Flags: OptionSet, Sendable, Hashable, Codable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Content is encrypted (a PDF with an /Encrypt dictionary, ZIP entries with the
        /// encryption bit, an Office file inside an encrypted package).
        public static let encrypted = Flags(rawValue: 1 << 0)
        /// The file ends before its format says it should (no `%%EOF` near the end of a PDF, no
        /// end-of-central-directory record in a ZIP, a RIFF size past the end of the file, no
        /// end-of-image marker in a JPEG).
        public static let truncated = Flags(rawValue: 1 << 1)
        /// Opening it needs a password that is not in the file (encrypted ZIP entries, encrypted
        /// Office packages). An encrypted PDF is `encrypted` only: it may open with an empty
        /// user password, which only decrypting would tell.
        public static let passwordProtected = Flags(rawValue: 1 << 2)
    }

    /// PRONOM persistent unique identifier (`fmt/276`, `x-fmt/392`), nil where PRONOM has none.
    public var puid: String?
    /// Media type, without parameters (`application/pdf`, `text/plain`).
    public var mime: String
    /// Format name as PRONOM spells it (`Acrobat PDF 1.7 - Portable Document Format`), or
    /// `unknown`.
    public var name: String
    /// Format version as PRONOM spells it (`1.7`, `1b`, `2007 onwards`), when the format has one.
    public var version: String?
    public var flags: Flags
    /// Character encoding of a text format (`UTF-8`, `US-ASCII`, `GB18030`, `UTF-16LE`), when
    /// known.
    public var charset: String?
    /// Things a person should know that do not change the identification, in plain English
    /// (`no %%EOF in the last 1024 bytes: the file looks truncated`).
    public var warnings: [String]

    public init(
        puid: String?, mime: String, name: String, version: String? = nil,
        flags: Flags = [], charset: String? = nil, warnings: [String] = []
    ) {
        self.puid = puid
        self.mime = mime
        self.name = name
        self.version = version
        self.flags = flags
        self.charset = charset
        self.warnings = warnings
    }

    /// Nothing recognised: no PUID, `application/octet-stream`, name `unknown`.
    public static let unknown = FormatIdentification(puid: nil, mime: "application/octet-stream", name: "unknown")

    /// False for `unknown`.
    public var isIdentified: Bool { name != FormatIdentification.unknown.name }
    public var isEncrypted: Bool { flags.contains(.encrypted) }
    public var isTruncated: Bool { flags.contains(.truncated) }
    public var isPasswordProtected: Bool { flags.contains(.passwordProtected) }

    /// `fmt/276 application/pdf "Acrobat PDF 1.7 - Portable Document Format" 1.7 [encrypted]`.
    public var description: String {
        var parts = [puid ?? "-", mime, "\"\(name)\""]
        if let version { parts.append(version) }
        if let charset { parts.append("charset=\(charset)") }
        var flagNames: [String] = []
        if isEncrypted { flagNames.append("encrypted") }
        if isPasswordProtected { flagNames.append("password-protected") }
        if isTruncated { flagNames.append("truncated") }
        if !flagNames.isEmpty { parts.append("[" + flagNames.joined(separator: ", ") + "]") }
        return parts.joined(separator: " ")
    }
}
