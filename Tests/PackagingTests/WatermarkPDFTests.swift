import Foundation
import XCTest
@testable import Packaging

/// PDF access copies: the watermark on every page, the original untouched underneath.
final class WatermarkPDFTests: WatermarkTestCase {
    private func makeInput(_ pages: [WatermarkFixtures.FixturePage] = WatermarkFixtures.threePages, name: String = "in.pdf") throws -> URL {
        let url = file(name)
        try WatermarkFixtures.pdf(pages).write(to: url)
        return url
    }

    func testEveryPageCarriesTheWatermarkAndKeepsItsText() throws {
        try WatermarkChecker.requireQPDF()
        try WatermarkChecker.requirePoppler()
        let input = try makeInput(), output = file("copy.pdf")
        // The fixture itself is sound and unmarked, or the checks below would prove nothing.
        XCTAssertEqual(try WatermarkChecker.pageCount(input), 3)
        XCTAssertFalse(try WatermarkChecker.pageText(input, page: 1).contains("LY-20261127"))

        try Watermarker().watermark(input: input, format: .pdf, text: WatermarkFixtures.lines, output: output)

        XCTAssertEqual(try WatermarkChecker.pageCount(output), 3)
        let originals = ["Original page one", "Original page two", "Original page three"]
        for page in 1...3 {
            let text = try WatermarkChecker.pageText(output, page: page)
            XCTAssertTrue(text.contains(originals[page - 1]), "page \(page) lost its text: \(text.prefix(300))")
            for line in WatermarkFixtures.lines {
                XCTAssertTrue(text.contains(line), "page \(page) lacks '\(line)': \(text.prefix(300))")
            }
        }
        XCTAssertEqual(try WatermarkChecker.pageSizesAndRotations(output), try WatermarkChecker.pageSizesAndRotations(input),
                       "page sizes and rotations are kept")
        XCTAssertEqual(try leftovers(except: ["in.pdf", "copy.pdf"]), [], "no temporary files left behind")
    }

    func testTheOverlayIsAValidPDFWithOnePagePerPage() throws {
        _ = try WatermarkChecker.require("qpdf", package: "qpdf")
        try WatermarkChecker.requirePoppler()
        let text = try WatermarkText(WatermarkFixtures.lines)
        let sizes: [(width: Double, height: Double)] = [(595, 842), (595, 842), (842, 595), (1000.5, 300.25)]
        let url = file("wm.pdf")
        try WatermarkPDFWriter.overlay(pageSizes: sizes, text: text).write(to: url)
        // qpdf --check verifies the structure and every cross-reference offset.
        let qpdf = try WatermarkChecker.run("qpdf", package: "qpdf", ["--check", url.path])
        XCTAssertEqual(qpdf.status, 0, qpdf.output)
        XCTAssertTrue(qpdf.output.contains("No syntax or stream encoding errors"), qpdf.output)
        XCTAssertEqual(try WatermarkChecker.pageCount(url), 4)
        let info = try WatermarkChecker.pageSizesAndRotations(url).filter { $0.contains("size:") }
        XCTAssertTrue(info[0].contains("595 x 842"), info[0])
        XCTAssertTrue(info[2].contains("842 x 595"), info[2])
        XCTAssertTrue(info[3].contains("1000.5 x 300.25"), info[3])
        // Two A4 pages share one content stream.
        let body = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        XCTAssertEqual(body.components(separatedBy: "endstream").count - 1, 3, "one content stream per distinct size")
    }

    func testPageGeometryFollowsInheritanceCropBoxesAndRotation() throws {
        let json = """
        {"pages": [{"object": "3 0 R"}, {"object": "5 0 R"}, {"object": "7 0 R"}],
         "qpdf": [{"jsonversion": 2},
          {"obj:2 0 R": {"value": {"/Type": "/Pages", "/MediaBox": [0, 0, 612, 792], "/Rotate": 90}},
           "obj:3 0 R": {"value": {"/Type": "/Page", "/Parent": "2 0 R"}},
           "obj:5 0 R": {"value": {"/Type": "/Page", "/Parent": "2 0 R", "/MediaBox": "6 0 R", "/Rotate": 0,
                                   "/CropBox": [10, 10, 410, 510]}},
           "obj:6 0 R": {"value": [0, 0, 842, 595]},
           "obj:7 0 R": {"value": {"/Type": "/Page", "/Parent": "2 0 R", "/TrimBox": [500, 500, 100, 100], "/Rotate": -90}},
           "trailer": {"value": {"/Root": "1 0 R"}}}]}
        """
        let pages = try PDFPageGeometry.pages(fromQPDFJSON: Data(json.utf8))
        XCTAssertEqual(pages, [
            PDFPageGeometry(width: 792, height: 612),  // inherited box, inherited quarter turn
            PDFPageGeometry(width: 400, height: 500),  // own crop box, rotation overridden
            PDFPageGeometry(width: 400, height: 400),  // trim box corners in any order, -90 ≡ 270
        ])
        XCTAssertThrowsError(try PDFPageGeometry.pages(fromQPDFJSON: Data("{\"pages\": []}".utf8)))
        XCTAssertThrowsError(try PDFPageGeometry.pages(fromQPDFJSON: Data("not json".utf8)))
        // A /Parent cycle ends instead of hanging.
        let cycle = """
        {"pages": [{"object": "3 0 R"}], "qpdf": [{}, {"obj:3 0 R": {"value": {"/Parent": "3 0 R"}}}]}
        """
        XCTAssertEqual(try PDFPageGeometry.pages(fromQPDFJSON: Data(cycle.utf8)), [PDFPageGeometry(width: 612, height: 792)])
    }

    func testAwkwardNamesAndTextCannotBecomeOptions() throws {
        try WatermarkChecker.requireQPDF()
        try WatermarkChecker.requirePoppler()
        let input = try makeInput(name: "-rf @args [0].pdf")
        let output = file("--output=x.pdf")
        let lines = ["(balanced) and unbalanced ) \\ backslash", "--help", "@/etc/passwd", "%[filename] %d"]
        try Watermarker().watermark(input: input, format: .pdf, text: lines, output: output)
        let text = try WatermarkChecker.pageText(output, page: 1)
        for line in lines { XCTAssertTrue(text.contains(line), "'\(line)' not shown literally: \(text.prefix(400))") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: input.path), "input untouched")
    }

    func testOverwritingTheInputInPlace() throws {
        try WatermarkChecker.requireQPDF()
        try WatermarkChecker.requirePoppler()
        let input = try makeInput()
        try Watermarker().watermark(input: input, format: .pdf, text: WatermarkFixtures.lines, output: input)
        XCTAssertTrue(try WatermarkChecker.pageText(input, page: 2).contains("LY-20261127-7K3F9QD"))
        XCTAssertTrue(try WatermarkChecker.pageText(input, page: 2).contains("Original page two"))
        XCTAssertEqual(try leftovers(except: ["in.pdf"]), [])
    }

    func testABrokenPDFLeavesNothingBehind() throws {
        try WatermarkChecker.requireQPDF()
        try WatermarkChecker.requirePoppler()
        let input = file("broken.pdf"), output = file("copy.pdf")
        try Data("%PDF-1.4\nthis is not a PDF at all\n".utf8).write(to: input)
        XCTAssertThrowsError(try Watermarker().watermark(input: input, format: .pdf, text: ["LY-1"], output: output)) { error in
            guard case .toolFailed(let tool, _, _)? = error as? WatermarkError else { return XCTFail("\(error)") }
            XCTAssertEqual(tool, "qpdf")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        XCTAssertEqual(try leftovers(except: ["broken.pdf"]), [])
    }

    func testAnExistingOutputSurvivesAFailure() throws {
        try WatermarkChecker.requireQPDF()
        try WatermarkChecker.requirePoppler()
        let input = file("broken.pdf"), output = file("copy.pdf")
        try Data("garbage".utf8).write(to: input)
        try Data("previous copy".utf8).write(to: output)
        XCTAssertThrowsError(try Watermarker().watermark(input: input, format: .pdf, text: ["LY-1"], output: output))
        XCTAssertEqual(try String(contentsOf: output, encoding: .utf8), "previous copy")
    }
}
