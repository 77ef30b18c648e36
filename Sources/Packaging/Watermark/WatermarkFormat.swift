/// The kinds of access copy that can carry a watermark.
public enum WatermarkFormat: String, Sendable, CaseIterable, Codable {
    case pdf
    case jpeg
    case png
    case tiff

    /// The ImageMagick coder named in front of every file name (`PNG:in.png`), so ImageMagick
    /// never guesses a file's type from its content — the guess is what made ImageTragick
    /// exploitable.
    var imageMagickCoder: String? {
        switch self {
        case .pdf: nil
        case .jpeg: "JPEG"
        case .png: "PNG"
        case .tiff: "TIFF"
        }
    }

    var fileExtension: String {
        switch self {
        case .pdf: "pdf"
        case .jpeg: "jpg"
        case .png: "png"
        case .tiff: "tif"
        }
    }

    /// From a file name extension or a media type; nil for anything that cannot be watermarked.
    public init?(fileExtension ext: String) {
        switch ext.lowercased() {
        case "pdf", "application/pdf": self = .pdf
        case "jpg", "jpeg", "jpe", "image/jpeg": self = .jpeg
        case "png", "image/png": self = .png
        case "tif", "tiff", "image/tiff": self = .tiff
        default: return nil
        }
    }
}
