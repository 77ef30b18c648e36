import Fluent
import Foundation
import Packaging
import Vapor

/// `lantai storage repair` (and `lantai replicate --repair`): every copy of every object, at
/// every location, read back and compared; what is lost or damaged is mended from a good copy.
///
/// Per object: each location's root inventory is read and checked against its sidecar; the
/// reference is the newest valid one (the primary's when several agree). Copies whose valid
/// inventories tell different stories at the same version are not touched: that is a
/// divergence for an archivist (an alert). Every other copy — the reference's own included —
/// has each file's digest recomputed against the reference inventory; a missing or mismatching
/// file is rewritten from the first copy whose bytes match (checked on the way, so a bad copy
/// is never spread and a good one never overwritten); a copy that is missing or behind is
/// completed. Each repair is a `repair` event (storage_events), an audit-trail entry, and
/// resolves the object's open alerts at that location; a file with no good copy anywhere is an
/// alert.
public enum StorageRepair {
    public struct Summary: Sendable {
        public var runID: UUID
        public var objects = 0
        public var intactCopies = 0
        public var repairedCopies = 0
        public var filesRepaired = 0
        public var filesVerified = 0
        public var bytesVerified: Int64 = 0
        public var seconds = 0.0
        public var unreachable: [String: String] = [:]
        /// "object at location: why".
        public var problems: [String] = []

        public var passed: Bool { problems.isEmpty && unreachable.isEmpty }

        public var text: String {
            var s = "\(objects) objects: \(intactCopies) copies intact, \(repairedCopies) copies repaired (\(filesRepaired) files); "
                + "\(filesVerified) files, \(StorageFigures.mib(bytesVerified)) verified in \(String(format: "%.1f", seconds)) s"
            for (location, reason) in unreachable.sorted(by: { $0.key < $1.key }) { s += "\nUNREACHABLE \(location): \(reason)" }
            if !problems.isEmpty { s += "\n\(problems.count) copies could NOT be repaired / 无法修复" }
            return s
        }
    }

    static func run(object: String? = nil, app: Application, runID: UUID = UUID.timeOrdered(), agent: String,
                    output: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Summary {
        let work = StorageWork(app: app)
        var summary = Summary(runID: runID)
        let locations = NodeStorage.all(work.config)
        var roots: [String: OCFLStorageRoot] = [:]
        var missingRoot: [StorageLocation] = []
        for location in locations {
            do {
                if let root = try await work.blocking({ try location.existingRoot() }) {
                    roots[location.name] = root
                } else {
                    missingRoot.append(location)
                }
            } catch {
                summary.unreachable[location.name] = Replication.reason(error)
            }
        }
        guard let layout = locations.compactMap({ roots[$0.name]?.layout }).first else {
            throw LantaiError(.notFound, code: "no_storage_root", zh: "没有任何存储位置有 OCFL 存储根，无从修复",
                              en: "no storage location has an OCFL storage root: there is nothing to repair from")
        }
        // A location that lost its whole root gets a new one, to be filled from the others.
        for location in missingRoot {
            roots[location.name] = try await work.blocking { try location.root(creatingWith: layout) }
            output("created a new storage root at \(location.name) (\(location.spec.url)) to restore into")
        }
        let usable = locations.filter { roots[$0.name] != nil }
        let run = try await StorageRecords.startRun(id: runID, kind: "repair", locations: usable.map(\.name), agent: agent, on: work.db)
        let progress = RunProgress(run: run, db: work.db)

        // Every object any location holds, by path (all roots share the layout they were made with).
        let paths: [String]
        if let object {
            paths = [layout.objectPath(for: object)]
        } else {
            var all = Set<String>()
            for location in usable {
                let root = roots[location.name]!
                all.formUnion(try await work.blocking { try root.objectPaths() })
            }
            paths = all.sorted()
        }
        try await progress.update { $0.objectsTotal = paths.count }

        for path in paths {
            summary.objects += 1
            let readings: [(StorageLocation, StoredInventory.Reading)] = try await work.blocking {
                usable.map { location in
                    (location, (try? StoredInventory.read(location.storage, directory: path)) ?? .invalid("cannot be read"))
                }
            }
            let valid = readings.compactMap { location, reading in reading.valid.map { (location, $0) } }
            guard let best = valid.max(by: { $0.1.head < $1.1.head }) else {
                summary.problems.append("\(path): no location has a valid inventory")
                output("FAIL \(path): no copy has a valid inventory / 所有副本的清单都已损坏")
                try await StorageRecords.alert(objectID: path, location: "all", zh: "对象 \(path) 的所有副本清单均已损坏，无法自动修复",
                                               en: "every copy of the object at \(path) has a damaged inventory: it cannot be repaired automatically",
                                               on: work.db)
                try await progress.update { $0.objectsDone += 1; $0.failures += 1 }
                continue
            }
            // Prefer the primary's (or the earliest location's) copy among the newest.
            let reference = valid.first { $0.1.head == best.1.head }!
            let id = reference.1.inventory.id
            if let other = valid.first(where: { $0.1.head == reference.1.head && $0.1.data != reference.1.data }) {
                let why = "copies at \(reference.0.name) and \(other.0.name) differ at v\(reference.1.head)"
                summary.problems.append("\(id): \(why)")
                output("DIVERGED \(id): \(why) — not touched / 副本不一致，未作改动")
                try await StorageRecords.alert(objectID: id, location: other.0.name, zh: "对象 \(id) 的副本不一致：\(why)，需人工判断",
                                               en: "the copies of object \(id) disagree: \(why); an archivist must decide", on: work.db)
                try await progress.update { $0.objectsDone += 1; $0.failures += 1 }
                continue
            }
            var sources = [ObjectPlace(name: reference.0.name, storage: reference.0.storage, path: path)]
            for (location, _) in valid.sorted(by: { $0.1.head > $1.1.head }) where location.name != reference.0.name {
                sources.append(ObjectPlace(name: location.name, storage: location.storage, path: path))
            }
            for location in usable {
                let sync = ObjectSync(id: id, reference: reference.1, sources: sources,
                                      target: ObjectPlace(name: location.name, storage: location.storage, path: path), verify: true)
                let outcome: SyncOutcome
                do {
                    outcome = try await work.blocking { try sync.run() }
                } catch let failure as TargetFailure {
                    summary.unreachable[location.name] = Replication.reason(failure.underlying)
                    continue
                }
                try await record(outcome, id: id, path: path, location: location, runID: runID, agent: agent, summary: &summary,
                                 output: output, on: work.db)
            }
            try await progress.update { $0.objectsDone += 1 }
        }
        summary.seconds = await progress.seconds
        let (failures, verified) = (summary.problems.count, summary.bytesVerified)
        try await progress.update { run in
            run.failures = failures
            run.bytesDone = verified
        }
        try await progress.finish(!summary.unreachable.isEmpty ? .interrupted : (summary.problems.isEmpty ? .done : .failed),
                                  message: summary.text)
        let finished = summary
        try await AuditTrail.record(on: work.db, actor: agent, action: "storage.repair-run", subject: object ?? "all objects",
                                    ["run": runID.uuidString, "objects": String(finished.objects), "repairedCopies": String(finished.repairedCopies),
                                     "files": String(finished.filesRepaired), "problems": String(finished.problems.count)])
        return summary
    }

    private static func record(_ outcome: SyncOutcome, id: String, path: String, location: StorageLocation, runID: UUID, agent: String,
                               summary: inout Summary, output: @Sendable (String) -> Void, on db: any Database) async throws {
        summary.filesVerified += outcome.filesVerified
        summary.bytesVerified += outcome.bytesVerified
        let good = outcome.action != .failed && outcome.action != .diverged
        try await StorageRecords.note(.init(objectID: id, location: location.name, objectPath: path, head: outcome.head,
                                            inventoryDigest: outcome.inventoryDigest,
                                            status: good ? .current : (outcome.action == .diverged ? .diverged : .damaged),
                                            copied: outcome.filesCopied > 0, verified: good, detail: outcome.detail), on: db)
        switch outcome.action {
        case .current:
            summary.intactCopies += 1
            return
        case .created, .updated, .repaired:
            summary.repairedCopies += 1
            summary.filesRepaired += max(outcome.repairs.count, outcome.filesCopied)
            let what = outcome.action == .repaired
                ? outcome.repairs.map { "\($0.path) (\($0.problem), from \($0.source))" }.joined(separator: "; ")
                : "\(outcome.action == .created ? "restored the whole object" : "added missing versions") (\(outcome.filesCopied) files)"
            output("REPAIRED \(id) at \(location.name): \(what)")
            let repairs = String(decoding: (try? JSONEncoder().encode(outcome.repairs)) ?? Data("[]".utf8), as: UTF8.self)
            try await StorageRecords.event("repair", objectID: id, location: location.name, success: true,
                                           source: outcome.repairs.first?.source, files: outcome.filesCopied, bytes: outcome.bytesCopied,
                                           detail: ["action": outcome.action.rawValue, "repairs": String(repairs.prefix(3000))],
                                           runID: runID, agent: agent, on: db)
            try await AuditTrail.record(on: db, actor: agent, action: "storage.repair", subject: id,
                                        ["location": location.name, "action": outcome.action.rawValue, "files": String(outcome.filesCopied),
                                         "repairs": String(repairs.prefix(500))])
            try await StorageRecords.resolveAlerts(objectID: id, location: location.name, by: agent, on: db)
        case .diverged, .failed:
            summary.problems.append("\(id) at \(location.name): \(outcome.detail)")
            output("FAIL \(id) at \(location.name): \(outcome.detail)")
            try await StorageRecords.event("repair", objectID: id, location: location.name, success: false,
                                           detail: ["action": outcome.action.rawValue, "reason": outcome.detail,
                                                    "unrecoverable": outcome.unrecoverable.joined(separator: ";")],
                                           runID: runID, agent: agent, on: db)
            try await StorageRecords.alert(objectID: id, location: location.name,
                                           zh: "对象 \(id) 在 \(location.name) 的副本无法修复：\(outcome.detail)",
                                           en: "the copy of object \(id) at \(location.name) cannot be repaired: \(outcome.detail)", on: db)
        }
    }
}
