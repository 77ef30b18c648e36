import Foundation

/// What `lantai rebuild-catalog` did, for the operator and the audit trail.
public struct CatalogueRebuildSummary: Sendable, CustomStringConvertible {
    public var node: String
    /// Description objects read (one per fonds).
    public var descriptionObjects = 0
    public var fonds = 0
    public var categories = 0
    /// Records put back from description objects.
    public var items = 0
    public var historyEntries = 0
    /// Record packages (AIPs) read.
    public var archivalPackages = 0
    /// Records whose link to their package was missing or wrong and was set from the package.
    public var linksRestored = 0
    /// Records in storage that no description object held (a snapshot that had not caught up):
    /// put back from their packages.
    public var restoredFromPackages = 0
    /// Records whose package describes them differently from the (newer) description object;
    /// the description object wins, as it is rewritten on every catalogue change.
    public var packagesWithOlderDescription = 0
    public var counters = 0
    /// Objects in the root that belong to another node or are not Lantai's.
    public var otherObjects = 0
    public var warnings: [String] = []
    public var seconds = 0.0

    public init(node: String) { self.node = node }

    public var description: String {
        var lines = [
            "catalogue rebuilt for node \(node) in \(String(format: "%.1f", seconds)) s / 目录已重建",
            "  fonds 全宗: \(fonds) (from \(descriptionObjects) description objects)",
            "  categories 门类: \(categories)",
            "  records 条目: \(items + restoredFromPackages) (\(items) from description objects, \(restoredFromPackages) from archival packages only)",
            "  edit history entries 修改记录: \(historyEntries)",
            "  archival packages 档案信息包: \(archivalPackages) (\(linksRestored) links restored, \(packagesWithOlderDescription) with an older description)",
            "  archival-code counters 档号计数器: \(counters)",
        ]
        if otherObjects > 0 { lines.append("  objects of other nodes or tools, left alone: \(otherObjects)") }
        lines.append("  warnings 警告: \(warnings.count)")
        lines += warnings.map { "    - \($0)" }
        return lines.joined(separator: "\n")
    }
}
