import ArchiveKit
import Fluent
import Foundation
import Ingest
import NIOPosix
import Packaging
import SQLKit

/// Disaster recovery: a fresh catalogue database from the storage root alone (DESIGN.md,
/// "Storage is the source of truth").
///
/// 1. Every description object of the node (one per fonds, ``CatalogueSnapshotFormat``) gives
///    back its fonds, the categories, the counters and every record with its edit history,
///    exactly as the tables held them.
/// 2. Every record package (AIP, ``ArchivalPackage``) is then read: it confirms or restores the
///    record's link to its package, and a record no description object holds (a snapshot that
///    had not caught up when the database was lost) is put back from its package's METS.
/// 3. The 档号 counters are set to the highest of what the snapshots recorded and what the
///    records use, so new records continue each sequence without a gap or a collision.
///
/// All of it is one transaction: a rebuild that fails half-way leaves the database empty, to be
/// run again. It refuses a database that already has a catalogue. Objects are read on the
/// thread pool (storage calls block; an S3 storage must not run on an event loop).
public enum CatalogueRebuild {
    /// Progress lines for the operator.
    public typealias Progress = @Sendable (String) -> Void

    public static func rebuild(from root: OCFLStorageRoot, node: String, into db: any Database, actor: String,
                               threadPool: NIOThreadPool, progress: @escaping Progress = { _ in }) async throws
    -> CatalogueRebuildSummary {
        let started = Date()
        progress("listing the objects in the storage root…")
        let objects = try await threadPool.runIfActive { try PreservationStorage.objects(in: root) }
        let nodePrefix = "info:lantai/\(node)/"
        let fondsPrefix = CatalogueSnapshotFormat.objectPrefix(node: node)
        var descriptionIDs: [String] = []
        var packageIDs: [String] = []
        var summary = CatalogueRebuildSummary(node: node)
        var nodesSeen = Set<String>()
        for (path, id) in objects {
            guard let id else {
                summary.warnings.append("object at \(path) has no readable inventory: skipped (run lantai fixity audit)")
                continue
            }
            if id.hasPrefix(fondsPrefix) {
                descriptionIDs.append(id)
            } else if id.hasPrefix(nodePrefix) {
                packageIDs.append(id)
            } else {
                summary.otherObjects += 1
                if id.hasPrefix("info:lantai/"), let n = id.dropFirst("info:lantai/".count).split(separator: "/").first {
                    nodesSeen.insert(String(n))
                }
            }
        }
        let descriptions = descriptionIDs.sorted(), packages = packageIDs.sorted()
        guard !descriptions.isEmpty || !packages.isEmpty else {
            let others = nodesSeen.sorted().joined(separator: ", ")
            throw LantaiError(.notFound, code: "nothing_to_rebuild",
                              zh: "存储根中没有节点 \(node) 的对象\(others.isEmpty ? "" : "（存在节点：\(others)；可用 --node 指定）")",
                              en: "the storage root holds no objects of node \(node)\(others.isEmpty ? "" : " (it has nodes \(others): choose one with --node)")")
        }
        progress("\(descriptions.count) description objects, \(packages.count) archival packages")
        let initial = summary
        var result = try await AuditTrail.write(on: db, actor: actor) { tx, audit in
            let run = RebuildRun(root: root, node: node, sql: tx as! any SQLDatabase, threadPool: threadPool,
                                 summary: initial, progress: progress)
            try await run.refuseNonEmpty()
            for id in descriptions { try await run.restoreDescription(id) }
            try await run.applyCategories()
            for batch in packages.chunked(200) { try await run.checkPackages(Array(batch)) }
            try await run.storeCounters()
            // Stale or missing description objects are rewritten once the node serves again.
            try await CatalogueSnapshotJob.enqueue(fonds: run.fondsIdByCode.values, on: tx)
            let s = run.summary
            audit.record("catalogue.rebuild", subject: node,
                         ["fonds": String(s.fonds), "items": String(s.items), "restoredFromPackages": String(s.restoredFromPackages),
                          "packages": String(s.archivalPackages), "linksRestored": String(s.linksRestored),
                          "warnings": String(s.warnings.count)])
            return s
        }
        result.seconds = Date().timeIntervalSince(started)
        return result
    }
}

/// The state of one rebuild, inside its transaction.
final class RebuildRun {
    let root: OCFLStorageRoot
    let node: String
    let sql: any SQLDatabase
    let threadPool: NIOThreadPool
    let progress: CatalogueRebuild.Progress
    var summary: CatalogueRebuildSummary
    var fondsIdByCode: [String: UUID] = [:]
    /// Category code → the row from the most recently written description object.
    private var categories: [String: (row: SnapshotCategory, written: Date)] = [:]
    /// Counter key → highest number: the snapshots' counters and every restored 档号.
    private var counters: [String: Int] = [:]
    private var reported = 0
    private var reportedPackages = 0

    init(root: OCFLStorageRoot, node: String, sql: any SQLDatabase, threadPool: NIOThreadPool,
         summary: CatalogueRebuildSummary, progress: @escaping CatalogueRebuild.Progress) {
        self.root = root
        self.node = node
        self.sql = sql
        self.threadPool = threadPool
        self.summary = summary
        self.progress = progress
    }

    func refuseNonEmpty() async throws {
        struct N: Decodable { var n: Int }
        for table in ["items", "fonds"] {
            let n = try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first(decoding: N.self)?.n ?? 0
            if n > 0 {
                throw LantaiError(.conflict, code: "catalogue_not_empty",
                                  zh: "目标数据库已有目录（\(table) 表有 \(n) 行）：重建只写入全新的空数据库，请用 --into 指定一个新数据库",
                                  en: "the target database already has a catalogue (\(n) rows in \(table)): a rebuild writes only into a fresh, empty database; name one with --into")
            }
        }
    }

    // MARK: Description objects

    func restoreDescription(_ objectID: String) async throws {
        let root = self.root
        let read: (data: Data, written: Date)
        do {
            read = try await threadPool.runIfActive {
                let object = root.object(objectID)
                let inventory = try object.inventory()
                let written = inventory.versions[inventory.head]?.createdDate ?? Date(timeIntervalSince1970: 0)
                return (try object.data(logicalPath: CatalogueSnapshotFormat.fondsPath), written)
            }
        } catch {
            summary.warnings.append("description object \(objectID) cannot be read (\(error)): its records come from their archival packages only")
            return
        }
        let snapshot: FondsSnapshot
        do {
            snapshot = try JSONDecoder().decode(FondsSnapshot.self, from: read.data)
        } catch {
            summary.warnings.append("description object \(objectID): \(CatalogueSnapshotFormat.fondsPath) is not readable (\(error))")
            return
        }
        guard snapshot.format == CatalogueSnapshotFormat.formatName, snapshot.formatVersion <= CatalogueSnapshotFormat.formatVersion else {
            summary.warnings.append("description object \(objectID) is \(snapshot.format) \(snapshot.formatVersion), which this Lantai cannot read: skipped")
            return
        }
        try await CatalogueRows.insert(snapshot.fonds, on: sql)
        fondsIdByCode[snapshot.fonds.code] = snapshot.fonds.id
        summary.descriptionObjects += 1
        summary.fonds += 1
        for c in snapshot.categories where (categories[c.code]?.written ?? .distantPast) <= read.written {
            categories[c.code] = (c, read.written)
        }
        for c in snapshot.counters { counters[c.groupKey] = max(counters[c.groupKey] ?? 0, c.lastNumber) }

        var lines = 0
        for path in snapshot.itemFiles {
            lines += try await restoreItems(path, of: objectID)
        }
        if lines != snapshot.itemCount {
            summary.warnings.append("description object \(objectID) lists \(snapshot.itemCount) records but its item files hold \(lines)")
        }
        progress("fonds \(snapshot.fonds.code): \(lines) records")
    }

    /// Inserts one item file's records (and their history), 400 at a time. Returns the lines read.
    private func restoreItems(_ path: String, of objectID: String) async throws -> Int {
        let root = self.root
        let file: JSONLinesFile
        do {
            file = try await threadPool.runIfActive { try JSONLinesFile.copy(path, of: root.object(objectID)) }
        } catch {
            summary.warnings.append("\(objectID): \(path) cannot be read (\(error)): those records come from their archival packages only")
            return 0
        }
        defer { file.discard() }
        let decoder = JSONDecoder()
        var items: [SnapshotItem] = []
        var history: [SnapshotHistory] = []
        var count = 0
        func flush() async throws {
            try await CatalogueRows.insert(items, on: sql)
            try await CatalogueRows.insert(history, on: sql)
            summary.items += items.count
            summary.historyEntries += history.count
            for item in items { countCode(item.archivalCode) }
            items.removeAll(keepingCapacity: true)
            history.removeAll(keepingCapacity: true)
            if summary.items / 10_000 > reported {
                reported = summary.items / 10_000
                progress("… \(summary.items) records")
            }
        }
        while let line = try file.nextLine() {
            let parsed: SnapshotItemLine
            do {
                parsed = try decoder.decode(SnapshotItemLine.self, from: line)
            } catch {
                throw CatalogueRows.Corrupt(description: "\(objectID) \(path) line \(count + 1) is not a record: \(error)")
            }
            items.append(parsed.item)
            history += parsed.history
            count += 1
            if items.count >= 400 { try await flush() }
        }
        try await flush()
        return count
    }

    func applyCategories() async throws {
        for (_, c) in categories.sorted(by: { $0.key < $1.key }) {
            try await CatalogueRows.upsert(c.row, on: sql)
        }
        summary.categories = categories.count
    }

    /// Raises the counter of the 档号's numbering group (or of its 案卷) to the code's number.
    func countCode(_ code: String) {
        guard let parsed = ArchivalCode(parsing: code) else { return }
        if let file = parsed.fileCode, let position = parsed.position {
            let key = "file:\(file)"
            counters[key] = max(counters[key] ?? 0, position)
        } else {
            let key = parsed.group.description
            counters[key] = max(counters[key] ?? 0, parsed.number)
        }
    }

    func storeCounters() async throws {
        try await Counters.store(counters, on: sql)
        summary.counters = counters.count
    }

    // MARK: Archival packages

    func checkPackages(_ ids: [String]) async throws {
        let root = self.root
        let read = try await threadPool.runIfActive {
            ids.map { id -> Result<AIPRecordSnapshot, RebuildFailure> in
                do { return .success(try ArchivalPackage.read(objectID: id, in: root)) } catch { return .failure(RebuildFailure(text: "\(error)")) }
            }
        }
        var snapshots: [AIPRecordSnapshot] = []
        for (id, r) in zip(ids, read) {
            switch r {
            case .success(let s): snapshots.append(s)
            case .failure(let reason):
                summary.warnings.append("archival package \(id) cannot be read (\(reason.text)): its record keeps what the description object says")
            }
        }
        summary.archivalPackages += snapshots.count
        let existing = try await sql.select().columns(SnapshotItem.columns.map { SQLIdentifier($0) }).from("items")
            .where("id", .in, snapshots.map(\.itemID)).all().map(CatalogueRows.item)
        let byID = Dictionary(existing.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for snapshot in snapshots {
            if let row = byID[snapshot.itemID] {
                try await confirm(row, snapshot)
            } else {
                try await restore(snapshot)
            }
        }
        if summary.archivalPackages / 1000 > reportedPackages {
            reportedPackages = summary.archivalPackages / 1000
            progress("… \(summary.archivalPackages) archival packages checked")
        }
    }

    private func confirm(_ row: SnapshotItem, _ snapshot: AIPRecordSnapshot) async throws {
        if row.archivalCode != snapshot.archivalCode {
            summary.warnings.append("archival package \(snapshot.objectID) holds record \(snapshot.itemID.uuidString.lowercased()) as \(snapshot.archivalCode), the catalogue as \(row.archivalCode): the catalogue's 档号 kept")
        }
        if row.objectId != snapshot.objectID {
            if let other = row.objectId {
                summary.warnings.append("record \(row.archivalCode) pointed at \(other); its package is \(snapshot.objectID): link corrected")
            }
            try await sql.update("items").set("object_id", to: snapshot.objectID).where("id", .equal, row.id).run()
            summary.linksRestored += 1
        }
        if RebuildRecord.description(of: row) != snapshot.description {
            summary.packagesWithOlderDescription += 1
        }
    }

    /// A record storage holds but no description object does.
    private func restore(_ snapshot: AIPRecordSnapshot) async throws {
        let taken = try await sql.select().column("id").from("items").where("archival_code", .equal, snapshot.archivalCode).first()
        if taken != nil {
            summary.warnings.append("archival package \(snapshot.objectID): 档号 \(snapshot.archivalCode) belongs to another record in the description object; the package's record \(snapshot.itemID.uuidString.lowercased()) was not restored")
            return
        }
        let fondsId = try await fonds(snapshot.fonds)
        var parentId: UUID?
        if let parentCode = snapshot.parentArchivalCode {
            parentId = try await sql.select().column("id").from("items").where("archival_code", .equal, parentCode).first()?
                .decode(column: "id", as: UUID.self)
            if parentId == nil {
                summary.warnings.append("record \(snapshot.archivalCode): its 案卷 \(parentCode) is neither described nor preserved; restored without it")
            }
        }
        let row = RebuildRecord.row(from: snapshot, fondsId: fondsId, parentId: parentId)
        try await CatalogueRows.insert([row], on: sql)
        countCode(row.archivalCode)
        summary.restoredFromPackages += 1
        summary.warnings.append("record \(snapshot.archivalCode) was not in the description object of fonds \(snapshot.fonds) (not yet rewritten when the catalogue was lost): restored from \(snapshot.objectID); its sheet row and edit history are not in packages")
    }

    /// The fonds of a restored record: from its description object, or — when that is lost too —
    /// a placeholder named by its number, for the archivist to complete.
    private func fonds(_ code: String) async throws -> UUID {
        if let id = fondsIdByCode[code] { return id }
        let now = SnapshotTime.format(Date())
        let row = SnapshotFonds(id: UUID(), createdAt: now, updatedAt: now, code: code, name: code, agency: code,
                           history: "由 lantai rebuild-catalog 依档案信息包恢复，请补充著录 / restored from archival packages by lantai rebuild-catalog: complete this description",
                           startYear: nil, endYear: nil)
        try await CatalogueRows.insert(row, on: sql)
        fondsIdByCode[code] = row.id
        summary.fonds += 1
        summary.warnings.append("fonds \(code) has no description object: created with its number as its name; complete it")
        return row.id
    }
}

/// Why a package could not be read, as a value the thread pool can hand back.
struct RebuildFailure: Error, Sendable {
    var text: String
}
