/// Advance widths of Helvetica (Adobe's AFM, 1/1000 em) for printable ASCII in WinAnsiEncoding,
/// to lay out watermark tiles without overlap. ImageMagick's default font on Debian is URW's
/// Nimbus Sans, metric-compatible with Helvetica, so the same widths serve the images.
enum HelveticaMetrics {
    private static let widths: [Int] = [
        // space ! " # $ % & ' ( ) * + , - . /
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
        // 0-9
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556,
        // : ; < = > ? @
        278, 278, 584, 584, 584, 556, 1015,
        // A-Z
        667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
        722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611,
        // [ \ ] ^ _ `
        278, 278, 278, 469, 556, 333,
        // a-z
        556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,
        556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500,
        // { | } ~
        334, 260, 334, 584,
    ]

    /// Width of `text` at `size` (points or pixels), in the same unit.
    static func width(of text: String, size: Double) -> Double {
        let units = text.unicodeScalars.reduce(0) { sum, s in
            let i = Int(s.value) - 32
            return sum + (widths.indices.contains(i) ? widths[i] : 556)
        }
        return Double(units) * size / 1000
    }
}
