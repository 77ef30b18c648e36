import Foundation

/// Writes the overlay PDF that qpdf stamps onto the access copy: one page per page of the
/// original, each the size of that page as displayed, carrying the watermark text in Helvetica
/// (a standard 14 font, so nothing is embedded) in translucent grey.
///
/// A minimal PDF 1.4 written by hand: a catalogue, a page tree, one content stream per distinct
/// page size (a 500-page scan of A4 leaves has one), a shared font and two graphics states for
/// the transparency. Byte offsets for the cross-reference table are counted as it is written.
enum WatermarkPDFWriter {
    /// Tile opacity: visible on white and on a dark scan, without hiding the text beneath.
    static let tileOpacity = 0.22
    static let footerOpacity = 0.7

    /// - Parameter pageSizes: width and height (points) of each page, in page order.
    static func overlay(pageSizes: [(width: Double, height: Double)], text: WatermarkText) -> Data {
        var objects: [String] = []  // object n is objects[n - 1]
        func add(_ body: String) -> Int {
            objects.append(body)
            return objects.count
        }
        let catalog = add("")  // filled in once the page tree's number is known
        let font = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        let states = add("<< /GS0 << /Type /ExtGState /ca \(num(tileOpacity)) /CA \(num(tileOpacity)) >> "
                         + "/GS1 << /Type /ExtGState /ca \(num(footerOpacity)) /CA \(num(footerOpacity)) >> >>")
        let resources = add("<< /Font << /F1 \(font) 0 R >> /ExtGState \(states) 0 R >>")

        var contentBySize: [String: Int] = [:]
        var pageRefs: [Int] = []
        let tree = add("")  // the page tree, filled in once the pages are numbered
        for size in pageSizes {
            let key = "\(num(size.width)) \(num(size.height))"
            let content: Int
            if let existing = contentBySize[key] {
                content = existing
            } else {
                let stream = contentStream(WatermarkLayout(width: size.width, height: size.height, text: text))
                content = add("<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream")
                contentBySize[key] = content
            }
            pageRefs.append(add("<< /Type /Page /Parent \(tree) 0 R /MediaBox [0 0 \(key)] "
                                + "/Resources \(resources) 0 R /Contents \(content) 0 R >>"))
        }
        objects[catalog - 1] = "<< /Type /Catalog /Pages \(tree) 0 R >>"
        objects[tree - 1] = "<< /Type /Pages /Kids [\(pageRefs.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(pageRefs.count) >>"

        // Everything is ASCII, so characters are bytes and offsets can be counted on the string.
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, body) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(i + 1) 0 obj\n\(body)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets { out += pad10(o) + " 00000 n \n" }
        out += "trailer\n<< /Size \(objects.count + 1) /Root \(catalog) 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }

    /// The drawing operators for one page: the faint tiles, then the footer.
    static func contentStream(_ layout: WatermarkLayout) -> String {
        let a = layout.angleDegrees * .pi / 180
        let (c, s) = (num(cos(a)), num(sin(a)))
        var ops = "q /GS0 gs 0.35 g BT /F1 \(num(layout.fontSize)) Tf\n"
        for p in layout.tiles {
            ops += "\(c) \(s) \(num(-sin(a))) \(c) \(num(p.x)) \(num(p.y)) Tm (\(escape(p.text))) Tj\n"
        }
        ops += "ET Q\nq /GS1 gs 0.2 g BT /F1 \(num(layout.footerSize)) Tf "
        ops += "1 0 0 1 \(num(layout.footer.x)) \(num(layout.footer.y)) Tm (\(escape(layout.footer.text))) Tj ET Q"
        return ops
    }

    /// A PDF literal string's special characters escaped (the text is printable ASCII already).
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            if ch == "\\" || ch == "(" || ch == ")" { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// A number as PDF writes it: at most three decimals, no exponent, no "-0".
    static func num(_ v: Double) -> String {
        let r = (v * 1000).rounded() / 1000
        if r == r.rounded() { return String(Int(r)) }
        return String(format: "%.3f", r).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }

    private static func pad10(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 10 - s.count)) + s
    }
}
