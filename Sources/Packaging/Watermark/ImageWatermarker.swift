import Foundation

/// Stamps a JPEG, PNG or TIFF with ImageMagick: the same tiled diagonal text and footer as a
/// PDF page, drawn with `-annotate` at positions this code computes.
///
/// The watermark text reaches ImageMagick as argv entries, with its two in-text mini-languages
/// neutralised: `%` escapes (`%[...]` can read image properties) doubled to `%%`, backslashes
/// doubled, and a leading `@` (which makes ImageMagick read the text from a file) escaped.
/// File names carry an explicit coder prefix (`PNG:in.png`) so no content sniffing happens.
enum ImageWatermarker {
    static func stamp(in dir: URL, format: WatermarkFormat, text: WatermarkText, timeout: Int) throws(WatermarkError) {
        let coder = format.imageMagickCoder!
        let input = "\(coder):in.\(format.fileExtension)"
        let output = "\(coder):out.\(format.fileExtension)"

        // The first frame's size sets the layout (a multi-page TIFF's pages are usually alike).
        let identify = try WatermarkTool.imageMagick("identify")
        let probe = try identify.run(["-format", "%w %h %[orientation]\\n", input], in: dir, timeout: timeout)
        let fields = String(decoding: probe.stdout, as: UTF8.self).split(whereSeparator: \.isNewline).first?
            .split(separator: " ").map(String.init) ?? []
        guard probe.status == 0, fields.count >= 2, let w = Double(fields[0]), let h = Double(fields[1]), w > 0, h > 0 else {
            throw .toolFailed(tool: "identify", status: probe.status,
                              message: WatermarkTool.excerpt(probe.stderr.isEmpty ? "not a readable \(coder) image" : probe.stderr))
        }
        // Orientations that turn the picture by a quarter: -auto-orient will swap its sides.
        let quarterTurned = ["LeftTop", "RightTop", "RightBottom", "LeftBottom"].contains(fields.count > 2 ? fields[2] : "")
        let (width, height) = quarterTurned ? (h, w) : (w, h)
        let layout = WatermarkLayout(width: width, height: height, text: text)

        let convert = try WatermarkTool.imageMagick("convert")
        let run = try convert.run(arguments(input: input, output: output, layout: layout), in: dir, timeout: timeout)
        guard run.status == 0 else {
            throw .toolFailed(tool: "convert", status: run.status, message: WatermarkTool.excerpt(run.stderr))
        }
        // Without its default font ImageMagick only warns and may draw no text at all: an
        // unmarked copy must not go out as a marked one.
        if run.stderr.contains("unable to read font") {
            throw .toolMissing(tool: "ImageMagick's default font (Helvetica, URW Nimbus Sans)", debianPackage: "fonts-urw-base35")
        }
    }

    /// The convert command line. Image y grows downwards and ImageMagick turns text clockwise,
    /// so the layout's y-up positions are flipped and its angle negated.
    static func arguments(input: String, output: String, layout: WatermarkLayout) -> [String] {
        // -auto-orient first: a phone photo stored sideways with an EXIF orientation tag would
        // otherwise get its watermark drawn sideways too.
        var args = [input, "-auto-orient", "+gravity", "-stroke", "none", "-fill", "rgba(80,80,80,0.30)",
                    "-pointsize", WatermarkPDFWriter.num(layout.fontSize)]
        let angle = WatermarkPDFWriter.num(-layout.angleDegrees)
        for p in layout.tiles {
            args += ["-annotate", "\(angle)x\(angle)\(signed(p.x))\(signed(layout.height - p.y))", escape(p.text)]
        }
        // The footer on a light band so it stays readable on a dark photograph.
        args += ["-gravity", "SouthWest", "-pointsize", WatermarkPDFWriter.num(layout.footerSize),
                 "-undercolor", "rgba(255,255,255,0.65)", "-fill", "rgba(0,0,0,0.85)",
                 "-annotate", "+\(Int(layout.footer.x))+\(Int(layout.footer.y))", escape(layout.footer.text)]
        args.append(output)
        return args
    }

    /// `+12.5` or `-3` — the offset form of an ImageMagick geometry.
    private static func signed(_ v: Double) -> String {
        let s = WatermarkPDFWriter.num(v)
        return s.hasPrefix("-") ? s : "+" + s
    }

    /// Neutralises ImageMagick's escapes in annotation text.
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "%": out += "%%"
            case "\\": out += "\\\\"
            default: out.append(ch)
            }
        }
        return out.hasPrefix("@") ? "\\" + out : out
    }
}
