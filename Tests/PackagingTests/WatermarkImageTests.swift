import Foundation
import XCTest
@testable import Packaging

/// Image access copies: marked, same format, same size.
final class WatermarkImageTests: WatermarkTestCase {
    /// A white image made by ImageMagick itself (`convert -size WxH xc:white`).
    private func blank(_ name: String, coder: String, size: String = "200x100") throws -> URL {
        let url = file(name)
        let r = try WatermarkChecker.run("convert", package: "imagemagick", ["-size", size, "xc:white", "\(coder):\(url.path)"])
        XCTAssertEqual(r.status, 0, r.output)
        return url
    }

    /// `identify`'s "PNG 200x100" for the first frame.
    private func formatAndSize(_ url: URL) throws -> String {
        let r = try WatermarkChecker.run("identify", package: "imagemagick", ["-format", "%m %wx%h\\n", url.path])
        XCTAssertEqual(r.status, 0, r.output)
        return String(r.output.split(separator: "\n").first ?? "")
    }

    /// How many pixels differ between two images (ImageMagick `compare -metric AE`).
    private func differingPixels(_ a: URL, _ b: URL) throws -> Int {
        let r = try WatermarkChecker.run("compare", package: "imagemagick", ["-metric", "AE", a.path, b.path, "null:"])
        return Int(Double(r.output.split(separator: " ").first ?? "") ?? -1)
    }

    private func check(_ format: WatermarkFormat, name: String, coder: String, expect: String, size: String = "200x100") throws {
        try WatermarkChecker.requireImageMagick()
        let input = try blank(name, coder: coder, size: size), output = file("copy-" + name)
        try Watermarker().watermark(input: input, format: format, text: WatermarkFixtures.lines, output: output)
        XCTAssertEqual(try formatAndSize(output), expect)
        XCTAssertNotEqual(try Data(contentsOf: output), try Data(contentsOf: input))
        XCTAssertGreaterThan(try differingPixels(input, output), 100, "the watermark is visible")
        XCTAssertEqual(try leftovers(except: [name, "copy-" + name]), [])
    }

    func testPNG() throws { try check(.png, name: "scan.png", coder: "PNG", expect: "PNG 200x100") }
    func testJPEG() throws { try check(.jpeg, name: "scan.jpg", coder: "JPEG", expect: "JPEG 200x100") }
    func testTIFF() throws { try check(.tiff, name: "scan.tif", coder: "TIFF", expect: "TIFF 200x100") }
    func testLargePortraitScan() throws { try check(.png, name: "leaf.png", coder: "PNG", expect: "PNG 1240x1754", size: "1240x1754") }

    func testASidewaysStoredImageIsTurnedUprightFirst() throws {
        try WatermarkChecker.requireImageMagick()
        // Stored 300 wide, tagged "turn a quarter" (TIFF Orientation 6, as phones write in EXIF).
        let input = file("sideways.tif"), output = file("copy.tif")
        let made = try WatermarkChecker.run("convert", package: "imagemagick",
                                            ["-size", "300x100", "xc:white", "-orient", "RightTop", "TIFF:" + input.path])
        XCTAssertEqual(made.status, 0, made.output)
        try Watermarker().watermark(input: input, format: .tiff, text: WatermarkFixtures.lines, output: output)
        XCTAssertEqual(try formatAndSize(output), "TIFF 100x300", "turned upright, watermark laid out on the upright picture")
    }

    func testTheWatermarkCoversTheWholeImage() throws {
        try WatermarkChecker.requireImageMagick()
        let input = try blank("page.png", coder: "PNG", size: "1240x1754"), output = file("copy.png")
        try Watermarker().watermark(input: input, format: .png, text: WatermarkFixtures.lines, output: output)
        // Each quarter of the page is marked, not only the centre.
        for (i, crop) in ["620x877+0+0", "620x877+620+0", "620x877+0+877", "620x877+620+877"].enumerated() {
            let a = file("a\(i).png"), b = file("b\(i).png")
            _ = try WatermarkChecker.run("convert", package: "imagemagick", [input.path, "-crop", crop, "+repage", "PNG:" + a.path])
            _ = try WatermarkChecker.run("convert", package: "imagemagick", [output.path, "-crop", crop, "+repage", "PNG:" + b.path])
            XCTAssertGreaterThan(try differingPixels(a, b), 1000, "quarter \(i) unmarked")
        }
    }

    func testAwkwardNamesAndTextAreTakenLiterally() throws {
        try WatermarkChecker.requireImageMagick()
        // A name ImageMagick would read as an option, a frame selector or a coder prefix; text
        // that ImageMagick would read from a file (@) or expand (%) if passed unescaped.
        let input = try blank("-x [0] png:in.png", coder: "PNG"), output = file("@out.png")
        // Unescaped, "@FILE" makes ImageMagick read FILE into the picture (Debian's policy turns
        // that into an error): the copy is made only because the text is passed literally.
        let secret = file("secret.txt")
        try Data("not for the watermark".utf8).write(to: secret)
        try Watermarker().watermark(input: input, format: .png,
                                    text: ["@" + secret.path, "%[filename] 100% \\n", "-quiet"], output: output)
        XCTAssertEqual(try formatAndSize(output), "PNG 200x100")
        let args = ImageWatermarker.arguments(input: "PNG:in.png", output: "PNG:out.png",
                                              layout: WatermarkLayout(width: 200, height: 100, text: try WatermarkText(["@" + secret.path, "%[w]"])))
        XCTAssertTrue(args.contains("\\@" + secret.path))
        XCTAssertTrue(args.contains("%%[w]"))
        XCTAssertFalse(args.contains("@" + secret.path))
    }

    func testAPDFNamedAsAnImageIsRefused() throws {
        try WatermarkChecker.requireImageMagick()
        let input = file("scan.png"), output = file("copy.png")
        try WatermarkFixtures.pdf(WatermarkFixtures.threePages).write(to: input)
        // The explicit PNG: coder means ImageMagick does not sniff the content and go on to run
        // Ghostscript on it.
        XCTAssertThrowsError(try Watermarker().watermark(input: input, format: .png, text: ["LY-1"], output: output)) { error in
            guard case .toolFailed? = error as? WatermarkError else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        XCTAssertEqual(try leftovers(except: ["scan.png"]), [])
    }

    func testEscapingForImageMagick() {
        XCTAssertEqual(ImageWatermarker.escape("100% %[filename]"), "100%% %%[filename]")
        XCTAssertEqual(ImageWatermarker.escape("@/etc/passwd"), "\\@/etc/passwd")
        XCTAssertEqual(ImageWatermarker.escape("a\\nb"), "a\\\\nb")
        XCTAssertEqual(ImageWatermarker.escape("mid@dle"), "mid@dle")
    }
}
