import Foundation

/// Stamps a PDF with qpdf: reads the page sizes, writes an overlay PDF with one matching page
/// per page, and overlays page i on page i (`qpdf in.pdf --overlay wm.pdf -- out.pdf`).
///
/// An overlay (drawn on top) rather than an underlay: a scanned page is one opaque image that
/// would hide anything drawn beneath it. The tiles are translucent, so the text stays readable.
/// The original's content, text layer, fonts and structure are kept; qpdf only adds a form
/// XObject and a content stream to each page.
enum PDFWatermarker {
    /// Works in `dir`, where `in.pdf` is the original; leaves the result in `dir/out.pdf`.
    static func stamp(in dir: URL, text: WatermarkText, timeout: Int) throws(WatermarkError) {
        let qpdf = try WatermarkTool.qpdf()

        let json = try qpdf.run(["--json=2", "--json-key=pages", "--json-key=qpdf", "--", "in.pdf"], in: dir, timeout: timeout)
        // Exit status 3 means qpdf read the file with warnings (it repaired a damaged xref, say):
        // the pages are known, so the copy can still be made.
        guard json.status == 0 || json.status == 3 else {
            throw .toolFailed(tool: "qpdf", status: json.status, message: WatermarkTool.excerpt(json.stderr))
        }
        let pages = try PDFPageGeometry.pages(fromQPDFJSON: json.stdout)

        let overlay = WatermarkPDFWriter.overlay(pageSizes: pages.map { ($0.width, $0.height) }, text: text)
        let overlayURL = dir.appendingPathComponent("wm.pdf")
        do { try overlay.write(to: overlayURL) } catch {
            throw .io(operation: "write", path: overlayURL.path, reason: "\(error)")
        }

        // `--` ends the overlay's options; the file names are fixed and cannot start with "-" or "@".
        let run = try qpdf.run(["in.pdf", "--overlay", "wm.pdf", "--", "out.pdf"], in: dir, timeout: timeout)
        guard run.status == 0 || run.status == 3 else {
            throw .toolFailed(tool: "qpdf", status: run.status, message: WatermarkTool.excerpt(run.stderr))
        }

        // Every page must have been stamped: refuse a copy whose page count changed.
        let count = try qpdf.run(["--show-npages", "out.pdf"], in: dir, timeout: timeout)
        let found = Int(String(decoding: count.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        guard found == pages.count else { throw .pageCountMismatch(expected: pages.count, found: found) }
    }
}
