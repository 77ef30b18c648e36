import Foundation
import XCTest
@testable import Packaging

final class FormatIdentificationTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-formats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    // MARK: Helpers

    private func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// Identifies `bytes` from a file, and checks the in-memory path says the same.
    private func identify(_ bytes: [UInt8], _ name: String = "sample.bin") throws -> FormatIdentification {
        let fromFile = try FormatIdentifier.identify(fileAt: try write(name, bytes))
        XCTAssertEqual(FormatIdentifier.identify(bytes: bytes), fromFile, "file and memory disagree for \(name)")
        return fromFile
    }

    private func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }

    private func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    private func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16((v >> 16) & 0xFFFF) }
    private func be16(_ v: Int) -> [UInt8] { [UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    private func be32(_ v: Int) -> [UInt8] { be16((v >> 16) & 0xFFFF) + be16(v & 0xFFFF) }

    private func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0 ..< 8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Writes a ZIP with Python's zipfile: entries are (name, text, stored?).
    private func makeZip(_ name: String, _ entries: [(String, String, Bool)]) throws -> URL {
        let python = try OutsideTool.python(with: "zipfile")
        let url = dir.appendingPathComponent(name)
        let spec = try JSONSerialization.data(withJSONObject: entries.map { [$0.0, $0.1, $0.2] as [Any] })
        let script = """
            import json, sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                for name, text, stored in json.loads(sys.stdin.read()):
                    z.writestr(name, text, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
            """
        let r = try OutsideTool.run(python, ["-c", script, url.path], stdin: spec)
        XCTAssertEqual(r.status, 0, r.output)
        return url
    }

    private func pdf(version: String = "1.4", body: String = "", trailerExtra: String = "", eof: Bool = true) -> [UInt8] {
        var s = "%PDF-\(version)\n%\u{E2}\u{E3}\u{CF}\u{D3}\n"
        s += "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        s += "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        s += body
        s += "xref\n0 3\n0000000000 65535 f \n0000000015 00000 n \n0000000060 00000 n \n"
        s += "trailer\n<< /Size 3 /Root 1 0 R \(trailerExtra)>>\nstartxref\n110\n"
        if eof { s += "%%EOF\n" }
        return Array(s.utf8)
    }

    private func xmp(part: Int, conformance: String, attributeForm: Bool) -> String {
        let description = attributeForm
            ? "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" pdfaid:part=\"\(part)\" pdfaid:conformance=\"\(conformance)\"/>"
            : "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"><pdfaid:part>\(part)</pdfaid:part><pdfaid:conformance>\(conformance)</pdfaid:conformance></rdf:Description>"
        let packet = "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\(description)</rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>"
        return "3 0 obj\n<< /Type /Metadata /Subtype /XML /Length \(packet.utf8.count) >>\nstream\n\(packet)\nendstream\nendobj\n"
    }

    // MARK: PDF

    func testPDFVersions() throws {
        let expected = ["1.0": "fmt/14", "1.1": "fmt/15", "1.2": "fmt/16", "1.3": "fmt/17", "1.4": "fmt/18",
                        "1.5": "fmt/19", "1.6": "fmt/20", "1.7": "fmt/276", "2.0": "fmt/1129"]
        for (version, puid) in expected {
            let r = try identify(pdf(version: version), "v\(version).pdf")
            XCTAssertEqual(r.puid, puid, version)
            XCTAssertEqual(r.mime, "application/pdf")
            XCTAssertEqual(r.version, version)
            XCTAssertEqual(r.flags, [], version)
        }
        XCTAssertEqual(try identify(pdf(version: "1.7")).name, "Acrobat PDF 1.7 - Portable Document Format")
    }

    func testPDFAByXMPClaim() throws {
        let cases: [(Int, String, Bool, String, String)] = [
            (1, "A", false, "fmt/95", "1a"), (1, "B", false, "fmt/354", "1b"),
            (2, "A", true, "fmt/476", "2a"), (2, "B", true, "fmt/477", "2b"), (2, "U", false, "fmt/478", "2u"),
            (3, "B", true, "fmt/480", "3b"), (3, "A", false, "fmt/479", "3a"),
        ]
        for (part, conformance, attributes, puid, version) in cases {
            let r = try identify(pdf(version: part == 1 ? "1.4" : "1.7", body: xmp(part: part, conformance: conformance, attributeForm: attributes)), "a\(version).pdf")
            XCTAssertEqual(r.puid, puid, "PDF/A-\(version)")
            XCTAssertEqual(r.version, version)
            XCTAssertEqual(r.name, "Acrobat PDF/A - Portable Document Format")
            XCTAssertTrue(r.warnings.isEmpty, "\(r.warnings)")
        }
    }

    func testPDFAClaimNearTheEndOfALargeFileIsFound() throws {
        // 200 KiB of page content first: the metadata is only in the tail window.
        let filler = "4 0 obj\n<< /Length 204800 >>\nstream\n" + String(repeating: "0 0 m 1 1 l S\n", count: 204_800 / 14) + "\nendstream\nendobj\n"
        let r = try identify(pdf(version: "1.7", body: filler + xmp(part: 2, conformance: "B", attributeForm: false)), "late-xmp.pdf")
        XCTAssertEqual(r.puid, "fmt/477")
    }

    func testEncryptedPDF() throws {
        let body = "4 0 obj\n<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <00> /U <00> >>\nendobj\n"
        let r = try identify(pdf(version: "1.6", body: body, trailerExtra: "/Encrypt 4 0 R /ID [<ab><ab>] "), "enc.pdf")
        XCTAssertEqual(r.puid, "fmt/20")
        XCTAssertTrue(r.isEncrypted)
        XCTAssertFalse(r.isTruncated)
        XCTAssertFalse(r.warnings.isEmpty)
    }

    func testEncryptedPDFAClaimIsNotedAsImpossible() throws {
        let body = xmp(part: 1, conformance: "B", attributeForm: false)
        let r = try identify(pdf(version: "1.4", body: body, trailerExtra: "/Encrypt 9 0 R "), "enc-a.pdf")
        XCTAssertEqual(r.puid, "fmt/354")
        XCTAssertTrue(r.isEncrypted)
        XCTAssertTrue(r.warnings.contains { $0.contains("forbids encryption") }, "\(r.warnings)")
    }

    func testTruncatedPDF() throws {
        let whole = pdf(version: "1.5")
        let r = try identify(Array(whole.prefix(whole.count - 30)), "cut.pdf")
        XCTAssertEqual(r.puid, "fmt/19")
        XCTAssertTrue(r.isTruncated)
        XCTAssertFalse(try identify(pdf(version: "1.5"), "whole.pdf").isTruncated)
        // %%EOF followed by a little padding is still complete.
        XCTAssertFalse(try identify(whole + Array(repeating: 0x0A, count: 100), "padded.pdf").isTruncated)
    }

    /// PDFs from a real writer: Ghostscript's pdfwrite makes PDF/A-1b, 2b and 3b (its XMP uses
    /// the attribute form with single quotes) and password-encrypted PDFs.
    func testGhostscriptPDFAAndEncryptedPDF() throws {
        guard let gs = OutsideTool.path("gs") else {
            throw XCTSkip("Ghostscript (gs) is not installed; the hand-written PDF/A and /Encrypt samples cover the same code")
        }
        let ps = try write("page.ps", ascii("%!PS\n/Helvetica findfont 20 scalefont setfont 72 700 moveto (Lantai) show showpage\n"))
        func make(_ name: String, _ options: [String]) throws -> FormatIdentification {
            let out = dir.appendingPathComponent(name)
            let r = try OutsideTool.run(gs, ["-q", "-dBATCH", "-dNOPAUSE", "-dNOOUTERSAVE", "-sDEVICE=pdfwrite"] + options
                                            + ["-sOutputFile=" + out.path, ps.path])
            XCTAssertEqual(r.status, 0, r.output)
            return try FormatIdentifier.identify(fileAt: out)
        }
        let pdfa = ["-sColorConversionStrategy=RGB", "-dPDFACompatibilityPolicy=1"]
        XCTAssertEqual(try make("a1.pdf", ["-dPDFA=1"] + pdfa).puid, "fmt/354")
        XCTAssertEqual(try make("a2.pdf", ["-dPDFA=2"] + pdfa).puid, "fmt/477")
        XCTAssertEqual(try make("a3.pdf", ["-dPDFA=3"] + pdfa).puid, "fmt/480")
        let plain = try make("plain.pdf", [])
        XCTAssertEqual(plain.mime, "application/pdf")
        XCTAssertEqual(plain.flags, [])
        let encrypted = try make("enc.pdf", ["-sOwnerPassword=owner", "-sUserPassword=user"])
        XCTAssertTrue(encrypted.isEncrypted)
        XCTAssertEqual(encrypted.puid, plain.puid)
    }

    func testPDFHeaderAfterJunkIsFoundWithAWarning() throws {
        let r = try identify(ascii("garbage\n") + pdf(version: "1.3"), "junk.pdf")
        XCTAssertEqual(r.puid, "fmt/17")
        XCTAssertTrue(r.warnings.contains { $0.contains("byte 8") })
    }

    // MARK: Images

    private func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = ascii(type) + data
        return be32(data.count) + typed + be32(Int(crc32(typed)))
    }

    private func minimalPNG() -> [UInt8] {
        let ihdr = be32(1) + be32(1) + [8, 0, 0, 0, 0] // 1×1, 8-bit greyscale
        // zlib stream with one stored block holding the filter byte and the pixel.
        let raw: [UInt8] = [0, 0x7F]
        var a: UInt32 = 1, b: UInt32 = 0
        for x in raw { a = (a + UInt32(x)) % 65521; b = (b + a) % 65521 }
        let zlib: [UInt8] = [0x78, 0x01, 0x01] + le16(raw.count) + le16(~raw.count & 0xFFFF) + raw + be32(Int(b << 16 | a))
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + pngChunk("IHDR", ihdr) + pngChunk("IDAT", zlib) + pngChunk("IEND", [])
    }

    func testPNG() throws {
        let png = minimalPNG()
        let r = try identify(png, "a.png")
        XCTAssertEqual(r.puid, "fmt/13")
        XCTAssertEqual(r.mime, "image/png")
        XCTAssertEqual(r.version, "1.2")
        XCTAssertEqual(r.flags, [])
        XCTAssertTrue(r.warnings.isEmpty, "\(r.warnings)")
        let cut = try identify(Array(png.prefix(png.count - 12)), "cut.png")
        XCTAssertEqual(cut.puid, "fmt/13")
        XCTAssertTrue(cut.isTruncated)
    }

    private func jpeg(app: [UInt8]) -> [UInt8] {
        // SOI, the given APP segment(s), a DQT, then EOI.
        let dqt: [UInt8] = [0xFF, 0xDB] + be16(67) + [0] + Array(repeating: 1, count: 64)
        return [0xFF, 0xD8] + app + dqt + [0xFF, 0xD9]
    }

    private func jfif(_ major: UInt8, _ minor: UInt8) -> [UInt8] {
        [0xFF, 0xE0] + be16(16) + ascii("JFIF") + [0, major, minor, 1] + be16(72) + be16(72) + [0, 0]
    }

    private func exif(_ version: String) -> [UInt8] {
        // Big-endian TIFF: IFD0 with one entry (ExifIFDPointer → 26), Exif IFD with ExifVersion.
        var tiff = ascii("MM") + be16(42) + be32(8)
        tiff += be16(1) + be16(0x8769) + be16(4) + be32(1) + be32(26) + be32(0)
        tiff += be16(1) + be16(0x9000) + be16(7) + be32(4) + ascii(version) + be32(0)
        let payload = ascii("Exif") + [0, 0] + tiff
        return [0xFF, 0xE1] + be16(payload.count + 2) + payload
    }

    func testJPEGVariants() throws {
        var r = try identify(jpeg(app: jfif(1, 2)), "jfif102.jpg")
        XCTAssertEqual(r.puid, "fmt/44")
        XCTAssertEqual(r.name, "JPEG File Interchange Format")
        XCTAssertEqual(r.version, "1.02")
        XCTAssertEqual(r.mime, "image/jpeg")
        XCTAssertEqual(r.flags, [])
        XCTAssertEqual(try identify(jpeg(app: jfif(1, 1)), "jfif101.jpg").puid, "fmt/43")
        XCTAssertEqual(try identify(jpeg(app: jfif(1, 0)), "jfif100.jpg").puid, "fmt/42")

        r = try identify(jpeg(app: exif("0231")), "exif231.jpg")
        XCTAssertEqual(r.puid, "fmt/1507")
        XCTAssertEqual(r.name, "Exchangeable Image File Format (Compressed)")
        XCTAssertEqual(try identify(jpeg(app: exif("0220")), "exif22.jpg").puid, "x-fmt/391")
        XCTAssertEqual(try identify(jpeg(app: exif("0221")), "exif221.jpg").puid, "fmt/645")
        // JFIF first, Exif second: the first segment decides, as in PRONOM's signatures.
        XCTAssertEqual(try identify(jpeg(app: jfif(1, 1) + exif("0230")), "both.jpg").puid, "fmt/43")
        // No APP segment at all: the generic JPEG.
        XCTAssertEqual(try identify(jpeg(app: []), "raw.jpg").puid, "fmt/41")

        let cut = jpeg(app: jfif(1, 2)).dropLast(2)
        r = try identify(Array(cut), "cut.jpg")
        XCTAssertEqual(r.puid, "fmt/44")
        XCTAssertTrue(r.isTruncated)
    }

    func testTIFFBothByteOrders() throws {
        // A one-entry IFD (ImageWidth = 1) right after the header.
        let little = ascii("II") + le16(42) + le32(8) + le16(1) + le16(256) + le16(3) + le32(1) + le32(1) + le32(0)
        let big = ascii("MM") + be16(42) + be32(8) + be16(1) + be16(256) + be16(3) + be32(1) + be32(0x0001_0000) + be32(0)
        for (name, bytes) in [("le.tif", little), ("be.tif", big)] {
            let r = try identify(bytes, name)
            XCTAssertEqual(r.puid, "fmt/353", name)
            XCTAssertEqual(r.mime, "image/tiff")
            XCTAssertFalse(r.isTruncated)
        }
        let broken = try identify(ascii("II") + le16(42) + le32(1_000_000), "cut.tif")
        XCTAssertEqual(broken.puid, "fmt/353")
        XCTAssertTrue(broken.isTruncated)
    }

    func testJPEG2000() throws {
        let signature: [UInt8] = [0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A]
        let ftyp = be32(20) + ascii("ftyp") + ascii("jp2 ") + be32(0) + ascii("jp2 ")
        let r = try identify(signature + ftyp + be32(8) + ascii("jp2h"), "a.jp2")
        XCTAssertEqual(r.puid, "x-fmt/392")
        XCTAssertEqual(r.mime, "image/jp2")
        let jpx = signature + be32(20) + ascii("ftyp") + ascii("jpx ") + be32(0) + ascii("jpx ")
        XCTAssertEqual(try identify(jpx, "a.jpf").puid, "fmt/151")
    }

    func testGIF() throws {
        XCTAssertEqual(try identify(ascii("GIF89a") + le16(1) + le16(1) + [0, 0, 0, 0x3B], "a.gif").puid, "fmt/4")
    }

    // MARK: Audio and video

    private func wav(fmtSize: Int, tag: Int, bextVersion: Int? = nil, declaredExtra: Int = 0) -> [UInt8] {
        var fmt = le16(tag) + le16(1) + le32(8000) + le32(16000) + le16(2) + le16(16)
        if fmtSize >= 18 { fmt += le16(fmtSize - 18) + Array(repeating: 0, count: fmtSize - 18) }
        var chunks: [UInt8] = []
        if let v = bextVersion {
            var bext = Array(repeating: UInt8(0x20), count: 346) + le16(v)
            bext += Array(repeating: 0, count: 602 - bext.count)
            chunks += ascii("bext") + le32(bext.count) + bext
        }
        chunks += ascii("fmt ") + le32(fmt.count) + fmt
        let samples: [UInt8] = Array(repeating: 0, count: 64)
        chunks += ascii("data") + le32(samples.count) + samples
        return ascii("RIFF") + le32(4 + chunks.count + declaredExtra) + ascii("WAVE") + chunks
    }

    func testWAVE() throws {
        var r = try identify(wav(fmtSize: 16, tag: 1), "pcm.wav")
        XCTAssertEqual(r.puid, "fmt/141")
        XCTAssertEqual(r.name, "Waveform Audio (PCMWAVEFORMAT)")
        XCTAssertEqual(r.mime, "audio/x-wav")
        XCTAssertEqual(r.flags, [])
        XCTAssertEqual(try identify(wav(fmtSize: 18, tag: 1), "ex.wav").puid, "fmt/142")
        XCTAssertEqual(try identify(wav(fmtSize: 40, tag: 0xFFFE), "ext.wav").puid, "fmt/143")
        r = try identify(wav(fmtSize: 16, tag: 1, bextVersion: 1), "bwf.wav")
        XCTAssertEqual(r.puid, "fmt/704")
        XCTAssertEqual(r.name, "Broadcast WAVE")
        XCTAssertEqual(r.version, "1 PCM Encoding")
        XCTAssertEqual(try identify(wav(fmtSize: 16, tag: 3, bextVersion: 2), "bwf2.wav").puid, "fmt/527")
        r = try identify(wav(fmtSize: 16, tag: 1, declaredExtra: 1000), "cut.wav")
        XCTAssertEqual(r.puid, "fmt/141")
        XCTAssertTrue(r.isTruncated)
    }

    /// MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417-byte frames.
    private func mp3Frames(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0 ..< count { out += [0xFF, 0xFB, 0x90, 0x64] + Array(repeating: 0, count: 413) }
        return out
    }

    func testMP3WithID3AndBareFrames() throws {
        let id3 = ascii("ID3") + [4, 0, 0] + [0, 0, 0, 20] + Array(repeating: 0, count: 20)
        var r = try identify(id3 + mp3Frames(3), "tagged.mp3")
        XCTAssertEqual(r.puid, "fmt/134")
        XCTAssertEqual(r.mime, "audio/mpeg")
        XCTAssertTrue(r.warnings.isEmpty, "\(r.warnings)")
        r = try identify(mp3Frames(3), "bare.mp3")
        XCTAssertEqual(r.puid, "fmt/134")
        // One plausible frame header followed by something that is not a second frame.
        let fake = [0xFF, 0xFB, 0x90, 0x64] + Array(repeating: UInt8(0x01), count: 2000)
        XCTAssertNotEqual(try identify(fake, "fake.mp3").puid, "fmt/134")
    }

    func testISOMedia() throws {
        func ftyp(_ brand: String) -> [UInt8] {
            be32(24) + ascii("ftyp") + ascii(brand) + be32(0x200) + ascii(brand) + ascii("isom") + be32(8) + ascii("free")
        }
        var r = try identify(ftyp("isom"), "a.mp4")
        XCTAssertEqual(r.puid, "fmt/199")
        XCTAssertEqual(r.mime, "video/mp4")
        r = try identify(ftyp("M4A "), "a.m4a")
        XCTAssertEqual(r.puid, "fmt/199")
        XCTAssertEqual(r.mime, "audio/mp4")
        XCTAssertEqual(try identify(ftyp("qt  "), "a.mov").puid, "x-fmt/384")
        XCTAssertEqual(try identify(ftyp("mp42"), "b.mp4").puid, "fmt/199")
    }

    // MARK: ZIP family

    func testOOXMLAndOFDPackages() throws {
        let contentTypes = "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
        let docx = try makeZip("a.docx", [("[Content_Types].xml", contentTypes, false), ("_rels/.rels", "<Relationships/>", false),
                                          ("word/document.xml", "<w:document/>", false)])
        var r = try FormatIdentifier.identify(fileAt: docx)
        XCTAssertEqual(r.puid, "fmt/412")
        XCTAssertEqual(r.mime, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        XCTAssertEqual(r.flags, [])

        let xlsx = try makeZip("a.xlsx", [("[Content_Types].xml", contentTypes, false), ("xl/workbook.xml", "<workbook/>", false),
                                          ("xl/worksheets/sheet1.xml", "<worksheet/>", false)])
        r = try FormatIdentifier.identify(fileAt: xlsx)
        XCTAssertEqual(r.puid, "fmt/214")
        XCTAssertEqual(r.mime, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

        let ofd = try makeZip("a.ofd", [("OFD.xml", "<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\" Version=\"1.0\" DocType=\"OFD\"/>", false),
                                        ("Doc_0/Document.xml", "<ofd:Document/>", false)])
        r = try FormatIdentifier.identify(fileAt: ofd)
        XCTAssertNil(r.puid, "PRONOM has no OFD entry")
        XCTAssertEqual(r.mime, "application/ofd")
        XCTAssertTrue(r.name.contains("OFD"))

        let plain = try makeZip("a.zip", [("bagit.txt", "BagIt-Version: 1.0\n", false), ("data/a.txt", "hello", false)])
        r = try FormatIdentifier.identify(fileAt: plain)
        XCTAssertEqual(r.puid, "x-fmt/263")
        XCTAssertEqual(r.mime, "application/zip")

        let epub = try makeZip("a.epub", [("mimetype", "application/epub+zip", true), ("META-INF/container.xml", "<container/>", false)])
        XCTAssertEqual(try FormatIdentifier.identify(fileAt: epub).puid, "fmt/483")
    }

    func testZipWhoseFirstMemberIsAStoredPDFIsAZip() throws {
        let zip = try makeZip("pdfs.zip", [("a.pdf", String(decoding: pdf(version: "1.7"), as: UTF8.self), true)])
        XCTAssertEqual(try FormatIdentifier.identify(fileAt: zip).puid, "x-fmt/263")
    }

    func testTruncatedZipIsFlaggedAndStillRecognisedFromItsFirstEntry() throws {
        let ofd = try makeZip("b.ofd", [("OFD.xml", "<ofd:OFD/>", true), ("Doc_0/Document.xml", String(repeating: "<x/>", count: 200), false)])
        let whole = Array(try Data(contentsOf: ofd))
        let r = try identify(Array(whole.prefix(whole.count - 60)), "cut.ofd")
        XCTAssertEqual(r.mime, "application/ofd")
        XCTAssertTrue(r.isTruncated)
    }

    /// The encryption flag (general purpose bit 0) set by hand in every local and central
    /// header: what any ZipCrypto or AES writer produces, without needing one.
    func testEncryptedEntriesCraftedByFlagBit() throws {
        let docx = try makeZip("c.docx", [("[Content_Types].xml", "<Types/>", true), ("word/document.xml", "<w:document/>", true)])
        var bytes = Array(try Data(contentsOf: docx))
        var i = 0
        while i + 4 <= bytes.count {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x03, bytes[i + 3] == 0x04 { bytes[i + 6] |= 1 }
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x01, bytes[i + 3] == 0x02 { bytes[i + 8] |= 1 }
            i += 1
        }
        let r = try identify(bytes, "enc.docx")
        XCTAssertEqual(r.puid, "fmt/412")
        XCTAssertTrue(r.isEncrypted)
        XCTAssertTrue(r.isPasswordProtected)
        XCTAssertTrue(r.warnings.contains { $0.contains("2 of 2 entries are encrypted") }, "\(r.warnings)")
    }

    /// The same with a real encrypting writer, Info-ZIP's `zip -P`, where installed.
    func testEncryptedZipFromInfoZip() throws {
        guard let zip = OutsideTool.path("zip") else {
            throw XCTSkip("the zip command is not installed; testEncryptedEntriesCraftedByFlagBit covers the flag")
        }
        let input = try write("secret.txt", ascii("档案 secret content\n"))
        let out = dir.appendingPathComponent("enc.zip")
        let r = try OutsideTool.run(zip, ["-j", "-q", "-P", "pw", out.path, input.path])
        XCTAssertEqual(r.status, 0, r.output)
        let id = try FormatIdentifier.identify(fileAt: out)
        XCTAssertEqual(id.puid, "x-fmt/263")
        XCTAssertTrue(id.isEncrypted)
        XCTAssertTrue(id.isPasswordProtected)
    }

    /// A ZIP with a 4 MiB stored entry is identified from its end record and central
    /// directory: a few dozen KiB read, not the file.
    func testZipIsIdentifiedWithoutReadingItsContent() throws {
        let big = String(repeating: "0123456789abcdef", count: 4 << 16)
        let url = try makeZip("big.docx", [("word/document.xml", big, true), ("[Content_Types].xml", "<Types/>", false)])
        let source = CountingSource(FormatMemorySource(bytes: Array(try Data(contentsOf: url))))
        let r = try FormatIdentifier.identify(source)
        XCTAssertEqual(r.puid, "fmt/412")
        XCTAssertLessThan(source.bytesRead, 128 * 1024, "read \(source.bytesRead) of \(source.size) bytes")
    }

    // MARK: OLE2

    /// A minimal compound file: header, one FAT sector, one directory sector with `names`.
    private func compoundFile(_ names: [String]) -> [UInt8] {
        var header = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + Array(repeating: UInt8(0), count: 16)
        header += le16(0x3E) + le16(3) + le16(0xFFFE) + le16(9) + le16(6) + Array(repeating: 0, count: 6)
        header += le32(0) + le32(1) + le32(1) + le32(0) + le32(4096) + le32(0xFFFF_FFFE) + le32(0) + le32(0xFFFF_FFFE) + le32(0)
        header += le32(0) + Array(repeating: 0xFF, count: 4 * 108) // DIFAT: FAT in sector 0
        XCTAssertEqual(header.count, 512)
        var fat = le32(0xFFFF_FFFD) + le32(0xFFFF_FFFE)
        fat += Array(repeating: 0xFF, count: 512 - fat.count)
        var directory: [UInt8] = []
        for (k, name) in (["Root Entry"] + names).enumerated() {
            var entry = Array(repeating: UInt8(0), count: 128)
            let units = Array(name.utf16) + [0]
            for (j, u) in units.enumerated() { entry[2 * j] = UInt8(u & 0xFF); entry[2 * j + 1] = UInt8(u >> 8) }
            entry[64] = UInt8(units.count * 2)
            entry[66] = k == 0 ? 5 : 2
            directory += entry
        }
        directory += Array(repeating: 0, count: 512 - directory.count)
        return header + fat + directory
    }

    func testOLE2OfficeFiles() throws {
        var r = try identify(compoundFile(["EncryptionInfo", "EncryptedPackage"]), "enc.docx")
        XCTAssertEqual(r.puid, "fmt/494")
        XCTAssertTrue(r.isEncrypted)
        XCTAssertTrue(r.isPasswordProtected)
        r = try identify(compoundFile(["WordDocument", "1Table"]), "a.doc")
        XCTAssertEqual(r.puid, "fmt/609")
        XCTAssertEqual(r.mime, "application/msword")
        XCTAssertEqual(try identify(compoundFile(["Workbook"]), "a.xls").puid, "fmt/61")
        XCTAssertEqual(try identify(compoundFile(["Other"]), "a.ole").puid, "fmt/111")
    }

    // MARK: Markup and text

    func testXML() throws {
        var r = try identify(ascii("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mets:mets xmlns:mets=\"http://www.loc.gov/METS/\"/>\n"), "a.xml")
        XCTAssertEqual(r.puid, "fmt/101")
        XCTAssertEqual(r.mime, "application/xml")
        XCTAssertEqual(r.version, "1.0")
        XCTAssertEqual(r.charset, "UTF-8")
        r = try identify([0xEF, 0xBB, 0xBF] + ascii("<?xml version='1.0' encoding='gb18030'?><档案/>"), "bom.xml")
        XCTAssertEqual(r.puid, "fmt/101")
        XCTAssertEqual(r.charset, "GB18030")
        // UTF-16 with a BOM.
        var utf16: [UInt8] = [0xFF, 0xFE]
        for u in "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>".utf16 { utf16 += le16(Int(u)) }
        XCTAssertEqual(try identify(utf16, "u16.xml").puid, "fmt/101")
        // No declaration.
        r = try identify(ascii("<ead xmlns=\"http://ead3.archivists.org/schema/\"></ead>"), "nodecl.xml")
        XCTAssertEqual(r.puid, "fmt/101")
        XCTAssertFalse(r.warnings.isEmpty)
        XCTAssertEqual(try identify(ascii("<!DOCTYPE html>\n<html><body>兰台</body></html>"), "a.html").puid, "fmt/471")
    }

    func testPlainTextEncodings() throws {
        var r = try identify(ascii("Fonds J012, series WS, 2015.\r\nItem 1\tpermanent\n"), "a.txt")
        XCTAssertEqual(r.puid, "x-fmt/111")
        XCTAssertEqual(r.mime, "text/plain")
        XCTAssertEqual(r.charset, "US-ASCII")
        r = try identify(ascii("兰台数字档案馆：归档文件整理规则 DA/T 22-2015。\n"), "utf8.txt")
        XCTAssertEqual(r.puid, "x-fmt/111")
        XCTAssertEqual(r.charset, "UTF-8")
        // The same sentence in GB18030 (two-byte characters), plus a four-byte one (ÿ).
        let gb: [UInt8] = [0xC0, 0xBC, 0xCC, 0xA8, 0xCA, 0xFD, 0xD7, 0xD6, 0xB5, 0xB5, 0xB0, 0xB8, 0xB9, 0xDD, 0xA3, 0xBA,
                           0xB9, 0xE9, 0xB5, 0xB5, 0xCE, 0xC4, 0xBC, 0xFE, 0xD5, 0xFB, 0xC0, 0xED, 0xB9, 0xE6, 0xD4, 0xF2,
                           0x20, 0x44, 0x41, 0x2F, 0x54, 0x20, 0x32, 0x32, 0x2D, 0x32, 0x30, 0x31, 0x35, 0xA1, 0xA3,
                           0x81, 0x30, 0x8B, 0x37, 0x0A]
        r = try identify(gb, "gb.txt")
        XCTAssertEqual(r.puid, "x-fmt/111")
        XCTAssertEqual(r.charset, "GB18030")
        // A GB18030 file cut in the middle of a character is not valid GB18030 any more.
        XCTAssertNotEqual(try identify(Array(gb.prefix(gb.count - 3)), "gbcut.txt").charset, "GB18030")
        // A UTF-8 sample cut mid-character at the 8 KiB read limit is still UTF-8.
        let long = Array(String(repeating: "档", count: 4000).utf8) // 12,000 bytes: 8192 is mid-character
        XCTAssertEqual(try identify(long, "long.txt").charset, "UTF-8")
    }

    // MARK: Not recognised

    func testBinaryJunkAndEmptyFilesAreUnknown() throws {
        var x: UInt64 = 0x1234_5678
        let junk: [UInt8] = (0 ..< 4096).map { i in
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return i == 100 ? 0 : UInt8(truncatingIfNeeded: x) // at least one NUL
        }
        var r = try identify([0x00, 0x01] + junk, "junk.bin")
        XCTAssertEqual(r, .unknown)
        XCTAssertNil(r.puid)
        XCTAssertEqual(r.mime, "application/octet-stream")
        XCTAssertEqual(r.name, "unknown")
        XCTAssertFalse(r.isIdentified)
        r = try identify([], "empty")
        XCTAssertFalse(r.isIdentified)
        XCTAssertEqual(r.warnings, ["the file is empty"])
    }

    func testMissingFileThrows() {
        XCTAssertThrowsError(try FormatIdentifier.identify(fileAt: dir.appendingPathComponent("none.pdf")))
    }

    func testDescriptionAndCodableRoundTrip() throws {
        let r = FormatIdentification(puid: "fmt/276", mime: "application/pdf", name: "Acrobat PDF 1.7 - Portable Document Format",
                                     version: "1.7", flags: [.encrypted, .truncated])
        XCTAssertEqual(r.description, "fmt/276 application/pdf \"Acrobat PDF 1.7 - Portable Document Format\" 1.7 [encrypted, truncated]")
        let decoded = try JSONDecoder().decode(FormatIdentification.self, from: JSONEncoder().encode(r))
        XCTAssertEqual(decoded, r)
    }
}

/// Counts what the identifier reads, to hold it to reading little.
private final class CountingSource: FormatSource {
    let inner: FormatMemorySource
    private(set) var bytesRead = 0
    init(_ inner: FormatMemorySource) { self.inner = inner }
    var size: Int64 { inner.size }
    func read(at offset: Int64, count: Int) throws -> [UInt8] {
        let out = try inner.read(at: offset, count: count)
        bytesRead += out.count
        return out
    }
}
