import Foundation
import XCTest
@testable import Packaging

/// The watermark's text rules and the layout, without outside programs.
final class WatermarkTextTests: WatermarkTestCase {
    func testTextRules() throws {
        XCTAssertEqual(try WatermarkText(["  LY-1 ", "", "2026-11-27"]).lines, ["LY-1", "2026-11-27"])
        func reason(_ lines: [String]) -> String? {
            do { _ = try WatermarkText(lines); return nil } catch {
                guard case .invalidText(let r) = error else { return "wrong error" }
                return r
            }
        }
        XCTAssertNotNil(reason([]))
        XCTAssertNotNil(reason(["   "]))
        XCTAssertNotNil(reason(Array(repeating: "x", count: 7)))
        XCTAssertNotNil(reason([String(repeating: "x", count: 121)]))
        XCTAssertTrue(reason(["兰台档案馆"])?.contains("ASCII") ?? false, "Chinese is refused with the reason")
        XCTAssertNotNil(reason(["tab\there"]))
        XCTAssertNotNil(reason(["new\nline"]))
    }

    func testBadTextOrMissingInputWritesNothing() throws {
        let output = file("copy.pdf")
        XCTAssertThrowsError(try Watermarker().watermark(input: file("absent.pdf"), format: .pdf, text: ["LY-1"], output: output)) {
            XCTAssertEqual($0 as? WatermarkError, .inputNotFound(path: self.file("absent.pdf").path))
        }
        XCTAssertThrowsError(try Watermarker().watermark(input: dir, format: .pdf, text: ["LY-1"], output: output)) {
            XCTAssertEqual(($0 as? WatermarkError)?.code, "input-not-found")
        }
        try Data("x".utf8).write(to: file("in.pdf"))
        XCTAssertThrowsError(try Watermarker().watermark(input: file("in.pdf"), format: .pdf, text: ["档号"], output: output)) {
            XCTAssertEqual(($0 as? WatermarkError)?.code, "invalid-text")
        }
        XCTAssertEqual(try leftovers(except: ["in.pdf"]), [])
    }

    func testMissingToolMessageNamesTheDebianPackage() {
        XCTAssertEqual(WatermarkError.toolMissing(tool: "qpdf", debianPackage: "qpdf").description,
                       "tool-missing: qpdf is not installed (Debian: apt-get install qpdf)")
        XCTAssertTrue(WatermarkError.toolMissing(tool: "ImageMagick convert", debianPackage: "imagemagick").description
            .contains("apt-get install imagemagick"))
    }

    func testFormatsFromExtensionsAndMediaTypes() {
        XCTAssertEqual(WatermarkFormat(fileExtension: "JPG"), .jpeg)
        XCTAssertEqual(WatermarkFormat(fileExtension: "image/tiff"), .tiff)
        XCTAssertEqual(WatermarkFormat(fileExtension: "application/pdf"), .pdf)
        XCTAssertNil(WatermarkFormat(fileExtension: "ofd"))
    }

    func testLayoutCoversThePageWithoutRunningAway() throws {
        let text = try WatermarkText(["LY-20261127-7K3F9QD", "2026-11-27", "Node 3201"])
        let a4 = WatermarkLayout(width: 595, height: 842, text: text)
        XCTAssertGreaterThan(a4.tiles.count, 3 * 6, "several repeats on a page")
        // Tiles reach every quarter of the page.
        for (x0, y0) in [(0.0, 0.0), (297.5, 0.0), (0.0, 421.0), (297.5, 421.0)] {
            XCTAssertTrue(a4.tiles.contains { $0.x >= x0 - 100 && $0.x < x0 + 297.5 && $0.y >= y0 && $0.y < y0 + 421 },
                          "quarter at \(x0),\(y0)")
        }
        // A long narrow scroll stays bounded.
        let scroll = WatermarkLayout(width: 100, height: 100_000, text: text)
        XCTAssertLessThanOrEqual(scroll.tiles.count, WatermarkLayout.maxPlacements + text.lines.count)
        // Font size follows the page.
        XCTAssertGreaterThan(WatermarkLayout(width: 2384, height: 3370, text: text).fontSize, a4.fontSize * 3)
    }

    func testPDFNumbersAndStrings() {
        XCTAssertEqual(WatermarkPDFWriter.num(595), "595")
        XCTAssertEqual(WatermarkPDFWriter.num(0.5), "0.5")
        XCTAssertEqual(WatermarkPDFWriter.num(-0.0001), "0")
        XCTAssertEqual(WatermarkPDFWriter.num(12.3456), "12.346")
        XCTAssertEqual(WatermarkPDFWriter.escape("a (b) \\ c"), "a \\(b\\) \\\\ c")
    }
}
