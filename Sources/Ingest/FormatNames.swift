import ArchiveKit
import Foundation
import Packaging

/// How agencies name formats and sizes in their sheets, and how file extensions map to what
/// `FormatIdentifier` finds in the content.
///
/// This does not identify anything — `FormatIdentifier` does, from the bytes. It only decides
/// whether a name someone wrote ("PDF", ".jpg", "application/pdf", "fmt/95") is a fair name
/// for what was found.
enum FormatNames {
    static let ooxmlWord = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    static let ooxmlSheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    static let ooxmlSlides = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

    /// Extension or short name → the MIME types `FormatIdentifier` reports for that format.
    static let byName: [String: Set<String>] = [
        "pdf": ["application/pdf"],
        "ofd": ["application/ofd"],
        "png": ["image/png"],
        "jpg": ["image/jpeg"], "jpeg": ["image/jpeg"], "jpe": ["image/jpeg"],
        "tif": ["image/tiff"], "tiff": ["image/tiff"],
        "jp2": ["image/jp2"], "jpx": ["image/jpx"], "jpf": ["image/jpx"], "j2k": ["image/j2c"], "j2c": ["image/j2c"],
        "jpm": ["image/jpm"], "mj2": ["video/mj2"],
        "gif": ["image/gif"], "webp": ["image/webp"],
        "mp3": ["audio/mpeg"], "wav": ["audio/x-wav"], "m4a": ["audio/mp4"],
        "mp4": ["video/mp4"], "m4v": ["video/mp4"], "mov": ["video/quicktime"], "avi": ["video/x-msvideo"],
        "3gp": ["video/3gpp"],
        "docx": [ooxmlWord], "xlsx": [ooxmlSheet], "pptx": [ooxmlSlides],
        "doc": ["application/msword"], "xls": ["application/vnd.ms-excel"], "ppt": ["application/vnd.ms-powerpoint"],
        "msg": ["application/vnd.ms-outlook"],
        "xml": ["application/xml", "text/xml"],
        "txt": ["text/plain"], "csv": ["text/plain"],
        "htm": ["text/html"], "html": ["text/html"],
        "zip": ["application/zip"], "tar": ["application/x-tar"], "gz": ["application/gzip"],
        "7z": ["application/x-7z-compressed"],
        // Chinese names agencies write in a 格式 column.
        "文本": ["text/plain"], "图片": ["image/jpeg", "image/png", "image/tiff", "image/jp2", "image/gif"],
    ]

    /// The MIME types a file extension or format name promises, nil when the name is not one we
    /// know (then nothing is claimed and nothing can disagree).
    static func mimeTypes(forName name: String) -> Set<String>? {
        var n = name.trimmed.lowercased()
        if n.hasPrefix(".") { n.removeFirst() }
        return byName[n]
    }

    /// Whether a 格式 cell is a fair name for what the content is: its PUID, its MIME type, a
    /// name or extension of the format, or PDF/A for a PDF that claims PDF/A.
    static func matches(claimed: String, _ found: FormatIdentification) -> Bool {
        var c = claimed.trimmed.lowercased()
        if c.hasPrefix(".") { c.removeFirst() }
        if let puid = found.puid?.lowercased(), c == puid { return true }
        if c == found.mime.lowercased() || c == found.name.lowercased() { return true }
        let compact = c.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "-", with: "")
        if compact.hasPrefix("pdf/a") || compact.hasPrefix("pdfa") {
            return found.name.contains("PDF/A")
        }
        if let mimes = mimeTypes(forName: c) { return mimes.contains(found.mime) }
        return false
    }

    /// A size as written in a sheet: `102400`, `102,400`, `100KB`, `1.5 MB`, `2G`, `102400字节`.
    struct SizeClaim: Equatable {
        var bytes: Double
        /// Units tried: 1000 and 1024 both, since Windows says KB for KiB.
        var units: [Double]
        /// The value as written (before the unit), and how precise it was written.
        var value: Double
        var step: Double

        /// Equal within the precision it was written to (`1.2MB` covers 1.15–1.25 MB).
        func matches(_ actual: UInt64) -> Bool {
            let a = Double(actual)
            return units.contains { unit in
                abs(value * unit - a) <= max(0.5, step * unit / 2) + 0.000_001
            }
        }
    }

    static func parseSize(_ written: String) -> SizeClaim? {
        var s = written.trimmed.lowercased().replacingOccurrences(of: ",", with: "").replacingOccurrences(of: " ", with: "")
        var units: [Double] = [1]
        let suffixes: [(String, [Double])] = [
            ("字节", [1]), ("bytes", [1]), ("byte", [1]),
            ("kib", [1024]), ("mib", [1_048_576]), ("gib", [1_073_741_824]),
            ("kb", [1000, 1024]), ("mb", [1e6, 1_048_576]), ("gb", [1e9, 1_073_741_824]),
            ("k", [1000, 1024]), ("m", [1e6, 1_048_576]), ("g", [1e9, 1_073_741_824]), ("b", [1]),
        ]
        for (suffix, u) in suffixes where s.hasSuffix(suffix) {
            s.removeLast(suffix.count)
            units = u
            break
        }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), s.filter({ $0 == "." }).count <= 1,
              let value = Double(s) else { return nil }
        if units == [1] && s.contains(".") { return nil }
        let decimals = s.split(separator: ".", omittingEmptySubsequences: false).dropFirst().first?.count ?? 0
        let step = units == [1] ? 0 : pow(10, -Double(decimals))
        return SizeClaim(bytes: value * units[0], units: units, value: value, step: step)
    }
}
