import Foundation
import XCTest
@testable import Packaging

/// Fixtures and outside checkers for the watermark tests. The fixture PDFs are written here by
/// a generator of their own, not by the code under test, and the results are read back by
/// poppler (pdftotext, pdfinfo) and ImageMagick (identify, compare), not by our own parser.
enum WatermarkFixtures {
    struct FixturePage {
        var text: String
        var mediaBox: [Double]? = [0, 0, 595, 842]
        var cropBox: [Double]? = nil
        var rotate: Int? = nil
    }

    /// A PDF whose pages say `text` in Helvetica at the top left of their crop box. A page with
    /// `mediaBox == nil` inherits `inheritedMediaBox` from the page tree.
    static func pdf(_ pages: [FixturePage], inheritedMediaBox: [Double] = [0, 0, 612, 792]) -> Data {
        func box(_ b: [Double]) -> String { "[" + b.map { String(Int($0)) }.joined(separator: " ") + "]" }
        var objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
        var kids: [Int] = []
        for page in pages {
            let area = page.cropBox ?? page.mediaBox ?? inheritedMediaBox
            let stream = "BT /F1 14 Tf \(Int(area[0]) + 40) \(Int(area[3]) - 60) Td (\(page.text)) Tj ET"
            objects.append("<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream")
            let content = objects.count
            var dict = "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R >> >> /Contents \(content) 0 R"
            if let m = page.mediaBox { dict += " /MediaBox \(box(m))" }
            if let c = page.cropBox { dict += " /CropBox \(box(c))" }
            if let r = page.rotate { dict += " /Rotate \(r)" }
            objects.append(dict + " >>")
            kids.append(objects.count)
        }
        objects[1] = "<< /Type /Pages /Kids [\(kids.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(kids.count) /MediaBox \(box(inheritedMediaBox)) >>"
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, o) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(i + 1) 0 obj\n\(o)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets { out += String(format: "%010d 00000 n \n", o) }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }

    /// Three pages of different shapes: portrait A4, landscape Letter inherited from the page
    /// tree, and an A4 page with a crop box and turned by 90°.
    static let threePages: [FixturePage] = [
        FixturePage(text: "Original page one"),
        FixturePage(text: "Original page two", mediaBox: nil),
        FixturePage(text: "Original page three", mediaBox: [0, 0, 595, 842], cropBox: [20, 20, 575, 822], rotate: 90),
    ]

    static let lines = ["LY-20261127-7K3F9QD", "2026-11-27", "Node 3201"]
}

/// Outside programs for the checks, skipping with the Debian package to install when absent.
enum WatermarkChecker {
    static func require(_ program: String, package: String) throws -> String {
        guard let path = WatermarkTool.find(program) else {
            throw XCTSkip("\(program) is not installed: apt-get install \(package) (scripts/test installs qpdf, imagemagick and poppler-utils)")
        }
        return path
    }

    /// Skips unless the programs the watermarker itself needs are present.
    static func requireQPDF() throws {
        do { _ = try WatermarkTool.qpdf() } catch { throw XCTSkip("qpdf is not installed: apt-get install qpdf") }
    }

    /// pdftotext and pdfinfo, checked up front: a skip thrown inside an XCTAssert would count
    /// as a failure.
    static func requirePoppler() throws {
        _ = try require("pdftotext", package: "poppler-utils")
        _ = try require("pdfinfo", package: "poppler-utils")
    }

    static func requireImageMagick() throws {
        do { _ = try WatermarkTool.imageMagick("convert") } catch {
            throw XCTSkip("ImageMagick is not installed: apt-get install imagemagick")
        }
    }

    @discardableResult
    static func run(_ program: String, package: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try require(program, package: package))
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The text of one page, as poppler extracts it.
    static func pageText(_ pdf: URL, page: Int) throws -> String {
        let r = try run("pdftotext", package: "poppler-utils", ["-f", "\(page)", "-l", "\(page)", "-layout", pdf.path, "-"])
        XCTAssertEqual(r.status, 0, r.output)
        return r.output
    }

    static func pageCount(_ pdf: URL) throws -> Int {
        let r = try run("pdfinfo", package: "poppler-utils", [pdf.path])
        let line = r.output.split(separator: "\n").first { $0.hasPrefix("Pages:") } ?? ""
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? -1
    }

    /// pdfinfo's per-page lines ("Page    1 size: 595 x 842 pts (A4)", "Page    3 rot:  90").
    static func pageSizesAndRotations(_ pdf: URL) throws -> [String] {
        let r = try run("pdfinfo", package: "poppler-utils", ["-f", "1", "-l", "9999", pdf.path])
        return r.output.split(separator: "\n").filter { $0.hasPrefix("Page ") }.map(String.init)
    }
}

/// A scratch directory per test, removed afterwards.
class WatermarkTestCase: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wm-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func file(_ name: String) -> URL { dir.appendingPathComponent(name) }

    /// Names in the scratch directory other than the ones given: a failed run leaves nothing.
    func leftovers(except keep: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !keep.contains($0) }
    }
}
