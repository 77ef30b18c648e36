import Foundation

/// Where the watermark's text goes on one page or image: the lines as a block, repeated in a
/// staggered grid turned by `angleDegrees`, covering the whole surface so that no crop of the
/// copy escapes it; plus one small horizontal footer line, which stays legible (and extractable
/// as text) where the diagonal tiles are deliberately faint.
///
/// Coordinates are y-up with the origin at the lower left, in the unit of the surface (PDF
/// points or image pixels). The PDF and image writers share this one layout.
struct WatermarkLayout: Sendable {
    /// One line of text to draw: its baseline origin and the angle of its baseline.
    struct Placement: Sendable, Equatable {
        var text: String
        var x: Double
        var y: Double
    }

    let width: Double
    let height: Double
    let angleDegrees: Double
    let fontSize: Double
    let tiles: [Placement]
    let footerSize: Double
    let footer: Placement

    /// Keeps a pathological surface (a 1 : 50 scroll) from producing an enormous page stream.
    static let maxPlacements = 600

    init(width: Double, height: Double, text: WatermarkText, angleDegrees: Double = 30) {
        self.width = width
        self.height = height
        self.angleDegrees = angleDegrees
        let short = min(width, height)
        // Large enough to read across a room, small enough for several repeats per page.
        let fontSize = max(8, short / 24)
        self.fontSize = fontSize
        // Small, and smaller still on a narrow surface so that the whole line fits across it.
        let footerFit = width * 0.9 / HelveticaMetrics.width(of: text.joined, size: 1)
        let footerSize = max(4, min(12, short / 80, footerFit))
        self.footerSize = footerSize
        footer = Placement(text: text.joined, x: footerSize * 1.5, y: footerSize * 1.5)

        let leading = fontSize * 1.25
        let lineWidths = text.lines.map { HelveticaMetrics.width(of: $0, size: fontSize) }
        let blockWidth = lineWidths.max()!
        let blockHeight = leading * Double(text.lines.count)
        let pitchX = blockWidth + fontSize * 3
        let pitchY = blockHeight + fontSize * 2.5
        let radius = (width * width + height * height).squareRoot() / 2 + max(pitchX, pitchY)
        let tileRadius = (blockWidth * blockWidth + blockHeight * blockHeight).squareRoot() / 2
        let a = angleDegrees * .pi / 180, c = cos(a), s = sin(a)
        let cx = width / 2, cy = height / 2

        var tiles: [Placement] = []
        let rows = Int((radius / pitchY).rounded(.up)), cols = Int((radius / pitchX).rounded(.up)) + 1
        rowLoop: for row in -rows...rows {
            // Every other row shifted by half a tile (a brick pattern) leaves no straight gaps.
            let shift = row.isMultiple(of: 2) ? 0 : pitchX / 2
            for col in -cols...cols {
                // Tile centre in the turned frame (u along the text, v across it), then on the surface.
                let u = Double(col) * pitchX + shift, v = Double(row) * pitchY
                let tx = cx + u * c - v * s, ty = cy + u * s + v * c
                // Skip tiles that cannot touch the surface.
                let dx = max(0, max(-tx, tx - width)), dy = max(0, max(-ty, ty - height))
                if dx * dx + dy * dy > tileRadius * tileRadius { continue }
                for (i, line) in text.lines.enumerated() {
                    // Each line centred in the block; the block centred on the tile.
                    let lu = -lineWidths[i] / 2
                    let lv = blockHeight / 2 - leading * Double(i + 1) + (leading - fontSize) / 2 + fontSize * 0.25
                    tiles.append(Placement(text: line, x: tx + lu * c - lv * s, y: ty + lu * s + lv * c))
                }
                if tiles.count >= Self.maxPlacements { break rowLoop }
            }
        }
        self.tiles = tiles
    }
}
