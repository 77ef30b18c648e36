import Foundation

/// Makes watermarked access copies (利用副本) of PDFs and images: the requester's reference,
/// the date and the node code, tiled diagonally across every page in translucent grey, plus a
/// small footer line — so a copy that leaves the reading room can be traced back to the request
/// it was made for.
///
/// Outside programs do the drawing: qpdf for PDF (Debian `qpdf`, version 11 or later for its
/// JSON output) and ImageMagick for images (Debian `imagemagick`). A missing one is reported as
/// `WatermarkError.toolMissing` naming the package to install.
///
/// The call blocks while the program runs; a server calls it from a background thread or job,
/// not an event loop.
public struct Watermarker: Sendable {
    /// Each outside program is stopped after this many seconds.
    public var timeoutSeconds: Int

    public init(timeoutSeconds: Int = 300) {
        self.timeoutSeconds = timeoutSeconds
    }

    /// Writes a watermarked copy of `input` to `output`.
    ///
    /// The copy is built in a private directory beside `output` and renamed onto it only when
    /// complete (and, for a PDF, only when it has every page of the original), so `output` is
    /// either absent, as before, or whole. `output` may be `input` itself.
    public func watermark(input: URL, format: WatermarkFormat, text lines: [String], output: URL) throws(WatermarkError) {
        let text = try WatermarkText(lines)
        let source = input.standardizedFileURL.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isReadableFile(atPath: source.path) else {
            throw .inputNotFound(path: input.path)
        }
        let destination = output.standardizedFileURL
        let work = destination.deletingLastPathComponent().appendingPathComponent(".watermark-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .io(operation: "create directory", path: work.path, reason: "\(error)")
        }
        defer { try? FileManager.default.removeItem(at: work) }

        // The tools see the original only as in.<ext>: its real name never reaches an argv.
        let ext = format.fileExtension
        do {
            try FileManager.default.createSymbolicLink(at: work.appendingPathComponent("in.\(ext)"), withDestinationURL: source)
        } catch {
            throw .io(operation: "link", path: source.path, reason: "\(error)")
        }

        switch format {
        case .pdf: try PDFWatermarker.stamp(in: work, text: text, timeout: timeoutSeconds)
        case .jpeg, .png, .tiff: try ImageWatermarker.stamp(in: work, format: format, text: text, timeout: timeoutSeconds)
        }

        let result = work.appendingPathComponent("out.\(ext)")
        guard FileManager.default.fileExists(atPath: result.path) else {
            throw .toolFailed(tool: format == .pdf ? "qpdf" : "convert", status: 0, message: "no output was written")
        }
        // rename(2): atomic on one file system, and it replaces an existing file in one step.
        guard rename(result.path, destination.path) == 0 else {
            throw .io(operation: "rename", path: destination.path, reason: String(cString: strerror(errno)))
        }
    }
}
