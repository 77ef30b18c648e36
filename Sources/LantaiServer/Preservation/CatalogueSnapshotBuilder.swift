import Fluent
import Foundation
import SQLKit

/// Writes the files of one fonds' description object into a scratch directory, reading the
/// catalogue a page at a time: a fonds of any size is never held in memory, only one page of
/// rows and a small write buffer per item file.
///
/// The pages are read outside a transaction, so an edit committed half-way may or may not be
/// in them; that edit queued another snapshot job, which will see it. The snapshot is
/// eventually exact, never stale for long.
struct CatalogueSnapshotBuilder {
    /// Rows per query (and per batch of history lookups).
    var pageSize = 1000

    struct Built: Sendable {
        var directory: URL
        var fondsCode: String
        var itemCount: Int
        /// Logical path → file in `directory`, README and fonds.json included.
        var files: [(logicalPath: String, source: URL)]
    }

    /// Nil when the fonds does not exist (any more).
    func build(fondsId: UUID, node: String, on db: any Database) async throws -> Built? {
        let sql = db as! any SQLDatabase
        guard let fonds = try await CatalogueRows.fonds(fondsId, on: sql) else { return nil }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-snapshot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        do {
            let writers = ItemFileWriters(directory: dir)
            defer { writers.closeAll() }
            let encoder = CatalogueSnapshotFormat.encoder()
            let total = try await CatalogueRows.itemCount(fondsId: fondsId, on: sql)
            var count = 0
            var after: String?
            while true {
                let page = try await CatalogueRows.itemPage(fondsCode: fonds.code, fondsId: fondsId, after: after,
                                                            limit: pageSize, on: sql)
                let history = try await CatalogueRows.history(of: page.items.map(\.id), on: sql)
                for row in page.items {
                    var line = try encoder.encode(SnapshotItemLine(item: row, history: history[row.id] ?? []))
                    line.append(0x0A)
                    try writers.append(line, to: CatalogueSnapshotFormat.itemsPath(archivalCode: row.archivalCode))
                }
                count += page.items.count
                guard let last = page.last else { break }
                after = last
            }
            // Every record of the fonds must be in (see CatalogueRows.itemPage). Counted before
            // the pages (records are never deleted, only added, and an addition queued its own
            // snapshot), so fewer lines than that means records the 档号 range missed: refuse.
            if count < total {
                throw CatalogueRows.Corrupt(description: "fonds \(fonds.code): \(total) records, but only \(count) have a 档号 starting with \(fonds.code)-")
            }
            try writers.flushAll()
            let itemFiles = writers.paths
            let snapshot = FondsSnapshot(node: node, fonds: fonds, categories: try await CatalogueRows.categories(on: sql),
                                         counters: try await CatalogueRows.counters(fondsCode: fonds.code, on: sql),
                                         itemCount: count, itemFiles: itemFiles)
            let prettyEncoder = CatalogueSnapshotFormat.encoder()
            prettyEncoder.outputFormatting.insert(.prettyPrinted)
            var fondsJSON = try prettyEncoder.encode(snapshot)
            fondsJSON.append(0x0A)
            try write(fondsJSON, CatalogueSnapshotFormat.fondsPath, in: dir)
            try write(Data(CatalogueSnapshotFormat.readme.utf8), CatalogueSnapshotFormat.readmePath, in: dir)
            let logical = [CatalogueSnapshotFormat.readmePath, CatalogueSnapshotFormat.fondsPath] + itemFiles
            return Built(directory: dir, fondsCode: fonds.code, itemCount: count,
                         files: logical.map { ($0, dir.appendingPathComponent($0)) })
        } catch {
            try? FileManager.default.removeItem(at: dir)
            throw error
        }
    }

    private func write(_ data: Data, _ logicalPath: String, in dir: URL) throws {
        let url = dir.appendingPathComponent(logicalPath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }
}

/// One buffered append-only file per item file: a fonds spans at most a few hundred years.
final class ItemFileWriters {
    private let directory: URL
    private var handles: [String: FileHandle] = [:]
    private var buffers: [String: Data] = [:]
    private let flushAt = 256 << 10

    init(directory: URL) { self.directory = directory }

    /// The logical paths written to, sorted.
    var paths: [String] { handles.keys.sorted() }

    func append(_ line: Data, to logicalPath: String) throws {
        if handles[logicalPath] == nil {
            let url = directory.appendingPathComponent(logicalPath)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw CatalogueRows.Corrupt(description: "cannot create \(url.path)")
            }
            handles[logicalPath] = try FileHandle(forWritingTo: url)
        }
        buffers[logicalPath, default: Data()].append(line)
        if buffers[logicalPath]!.count >= flushAt { try flush(logicalPath) }
    }

    private func flush(_ path: String) throws {
        guard let data = buffers[path], !data.isEmpty, let handle = handles[path] else { return }
        try handle.write(contentsOf: data)
        buffers[path] = Data()
    }

    func flushAll() throws {
        for path in handles.keys { try flush(path) }
    }

    func closeAll() {
        for handle in handles.values { try? handle.close() }
    }
}
