import Fluent
import Foundation
import NIOConcurrencyHelpers
import Packaging
import Vapor

/// Replication: every OCFL object of the primary, all versions, to every replica location that
/// lacks its current version (异地/异质备份).
///
/// Resumable by construction: what to do is worked out from storage each time (an object whose
/// primary sidecar digest equals the one recorded for a replica, or whose replica inventory is
/// byte-identical, is done), and each object is copied by ``ObjectSync`` — staged, verified,
/// published last — so a run stopped anywhere (a crash, a kill, a store that went away) leaves
/// each replica's objects complete or absent, and the next run carries on from there. A
/// location that cannot be reached is left for the rest of the run (it is not hammered) and
/// the run ends `interrupted`; the next run — the job queued after each accession, the serving
/// node's periodic run (`LANTAI_REPLICATION_INTERVAL`), or `lantai replicate` — resumes it.
public enum Replication {
    /// What to replicate. Also the job's subject (JSON).
    public struct Scope: Codable, Sendable, Equatable {
        /// One replica location; nil for all.
        public var location: String?
        /// These object ids only; nil for every object.
        public var objects: [String]?

        public init(location: String? = nil, objects: [String]? = nil) {
            self.location = location
            self.objects = objects
        }

        var subject: String {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: (try? e.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
        }
    }

    /// Test hooks: called after each content file reaches a replica (location, content path).
    struct Hooks: Sendable {
        var afterFile: (@Sendable (String, String) throws -> Void)?
    }

    /// Hooks for runs started by the job (tests kill a store mid-run through them); nil in production.
    nonisolated(unsafe) static var jobHooks: Hooks?

    public struct Summary: Sendable {
        public var runID: UUID
        public var objects = 0
        public var created = 0
        public var updated = 0
        public var current = 0
        public var files = 0
        public var bytes: Int64 = 0
        public var seconds = 0.0
        /// Location → why it could not be reached (the run is interrupted for it).
        public var unreachable: [String: String] = [:]
        /// "object at location: why" for each object that could not be copied.
        public var failures: [String] = []

        public var complete: Bool { unreachable.isEmpty && failures.isEmpty }

        public var text: String {
            var s = "\(objects) objects: \(created) copied new, \(updated) brought up to date, \(current) already current; "
                + "\(files) files, \(StorageFigures.mib(bytes)) in \(String(format: "%.1f", seconds)) s (\(StorageFigures.rate(bytes, seconds)))"
            for (location, reason) in unreachable.sorted(by: { $0.key < $1.key }) {
                s += "\nINTERRUPTED \(location): \(reason) — 位置恢复后再次运行即可续传 / run again when it is back: the copy resumes"
            }
            if !failures.isEmpty { s += "\n\(failures.count) FAILED / 失败" }
            return s
        }
    }

    /// Replicates the scope now. `output` gets a line per object copied and per failure.
    static func run(_ scope: Scope, app: Application, runID: UUID = UUID.timeOrdered(), agent: String, hooks: Hooks = Hooks(),
                    output: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Summary {
        let work = StorageWork(app: app)
        let config = work.config
        var summary = Summary(runID: runID)
        let primary = NodeStorage.primary(config)
        var targets = NodeStorage.replicas(config)
        if let name = scope.location {
            if name == StorageLocationSpec.primaryName {
                throw LantaiError.badRequest(zh: "主存储是复制的来源，不能作为目标", en: "the primary is where replication copies from, not a target",
                                             field: "location")
            }
            let known = targets.map(\.name)
            targets = targets.filter { $0.name == name }
            if targets.isEmpty {
                throw LantaiError(.badRequest, code: "unknown_location", zh: "没有名为 \(name) 的副本位置（已配置：\(known.joined(separator: ", "))）",
                                  en: "there is no replica location named \(name) (configured: \(known.joined(separator: ", ")))")
            }
        }
        guard !targets.isEmpty else {
            output("no replica locations are configured (LANTAI_REPLICA_URLS) / 未配置副本位置")
            return summary
        }
        let primaryRoot = try await work.blocking { try NodeStorage.existingRoot(config) }
        let run = try await StorageRecords.startRun(id: runID, kind: "replicate", locations: targets.map(\.name), agent: agent, on: work.db)
        let progress = RunProgress(run: run, db: work.db)

        // Each replica's root, created (with the primary's layout) on first use.
        var roots: [String: OCFLStorageRoot] = [:]
        var emptied = Set<String>()
        for target in targets {
            do {
                _ = try await target.createBucketIfMissing()
                // A root made just now means whatever was recorded of this place is gone with it.
                if try await work.blocking({ try target.existingRoot() }) == nil { emptied.insert(target.name) }
                roots[target.name] = try await work.blocking { try target.root(creatingWith: primaryRoot.layout) }
            } catch {
                summary.unreachable[target.name] = Self.reason(error)
            }
        }

        // The plan: objects whose primary sidecar differs from what each replica was last found holding.
        var listed = try await work.objects(in: primaryRoot)
        if let ids = scope.objects {
            let wanted = Set(ids.map { primaryRoot.objectPath(for: $0) })
            listed = listed.filter { wanted.contains($0.path) }
        }
        var known: [String: [String: StorageCopyModel]] = [:]
        for target in targets where roots[target.name] != nil {
            known[target.name] = emptied.contains(target.name) ? [:] : try await StorageRecords.copies(at: target.name, on: work.db)
        }
        var plan: [(path: String, targets: [StorageLocation])] = []
        for object in listed {
            let needing = targets.filter { target in
                guard roots[target.name] != nil else { return false }
                guard let row = known[target.name]?[object.path], let digest = object.digest else { return true }
                return !(row.status == StorageCopyModel.Status.current.rawValue && row.inventoryDigest == digest)
            }
            if needing.isEmpty { summary.current += 1 } else { plan.append((object.path, needing)) }
        }
        summary.objects = listed.count
        let sizes = await work.sizes(of: plan.map(\.path), at: primary)
        let total = plan.reduce(0) { $0 + $1.targets.count }
        let totalBytes = plan.reduce(Int64(0)) { $0 + (sizes[$1.path] ?? 0) * Int64($1.targets.count) }
        try await progress.update { run in
            run.objectsTotal = total
            run.bytesTotal = totalBytes
        }
        output("replicating \(plan.count) of \(listed.count) objects to \(targets.map(\.name).joined(separator: ", ")) (\(StorageFigures.mib(totalBytes)))")

        for item in plan {
            let reading = try await work.blocking { try StoredInventory.read(primary.storage, directory: item.path) }
            guard let reference = reading.valid else {
                let why: String
                if case .invalid(let reason) = reading { why = reason } else { why = "no inventory" }
                summary.failures.append("\(item.path) at primary: \(why)")
                output("FAIL \(item.path): the primary's copy is unusable (\(why)); run `lantai storage repair`")
                try await progress.update { $0.failures += 1; $0.objectsDone += item.targets.count }
                continue
            }
            let id = reference.inventory.id
            try await StorageRecords.note(.init(objectID: id, location: primary.name, objectPath: item.path, head: reference.head,
                                                inventoryDigest: reference.digest, status: .current), on: work.db)
            for target in item.targets {
                guard summary.unreachable[target.name] == nil, let targetRoot = roots[target.name] else {
                    try await progress.update { $0.objectsDone += 1 }
                    continue
                }
                var sources = [ObjectPlace(name: primary.name, storage: primary.storage, path: item.path)]
                for other in targets where other.name != target.name {
                    if let root = roots[other.name] { sources.append(ObjectPlace(name: other.name, storage: other.storage, path: root.objectPath(for: id))) }
                }
                let hook = hooks.afterFile
                let name = target.name
                let sync = ObjectSync(id: id, reference: reference, sources: sources,
                                      target: ObjectPlace(name: target.name, storage: target.storage, path: targetRoot.objectPath(for: id)),
                                      afterFile: hook.map { h in { @Sendable path in try h(name, path) } })
                let outcome: SyncOutcome
                do {
                    outcome = try await work.blocking { try sync.run() }
                } catch let failure as TargetFailure {
                    summary.unreachable[target.name] = Self.reason(failure.underlying)
                    try await StorageRecords.note(.init(objectID: id, location: target.name, objectPath: targetRoot.objectPath(for: id),
                                                        head: 0, inventoryDigest: nil, status: .unreachable,
                                                        detail: Self.reason(failure.underlying)), on: work.db)
                    try await StorageRecords.event("replication", objectID: id, location: target.name, success: false,
                                                   detail: ["reason": Self.reason(failure.underlying)], runID: runID, agent: agent, on: work.db)
                    output("INTERRUPTED \(target.name) at \(id): \(Self.reason(failure.underlying))")
                    try await progress.update { $0.objectsDone += 1 }
                    continue
                }
                try await record(outcome, id: id, target: target, path: targetRoot.objectPath(for: id), runID: runID, agent: agent,
                                 summary: &summary, output: output, on: work.db)
                let objectBytes = sizes[item.path] ?? 0
                try await progress.update { run in
                    run.objectsDone += 1
                    run.bytesDone += objectBytes  // progress in the units of the total: whole objects done
                    run.filesCopied += outcome.filesCopied
                    if outcome.action == .failed || outcome.action == .diverged { run.failures += 1 }
                }
            }
        }
        summary.seconds = await progress.seconds
        let status: StorageRunModel.Status = !summary.unreachable.isEmpty ? .interrupted : (summary.failures.isEmpty ? .done : .failed)
        try await progress.finish(status, message: summary.text)
        let finished = summary
        try await AuditTrail.record(on: work.db, actor: agent, action: "storage.replicate", subject: targets.map(\.name).joined(separator: ","),
                                    ["run": runID.uuidString, "objects": String(finished.objects), "copied": String(finished.created + finished.updated),
                                     "bytes": String(finished.bytes), "failed": String(finished.failures.count),
                                     "interrupted": finished.unreachable.keys.sorted().joined(separator: ",")])
        return summary
    }

    private static func record(_ outcome: SyncOutcome, id: String, target: StorageLocation, path: String, runID: UUID, agent: String,
                               summary: inout Summary, output: @Sendable (String) -> Void, on db: any Database) async throws {
        summary.files += outcome.filesCopied
        summary.bytes += outcome.bytesCopied
        let status: StorageCopyModel.Status
        switch outcome.action {
        case .current: status = .current; summary.current += 1
        case .created: status = .current; summary.created += 1
        case .updated: status = .current; summary.updated += 1
        case .repaired: status = .current; summary.updated += 1
        case .diverged: status = .diverged
        case .failed: status = .damaged
        }
        try await StorageRecords.note(.init(objectID: id, location: target.name, objectPath: path, head: outcome.head,
                                            inventoryDigest: outcome.inventoryDigest, status: status,
                                            copied: outcome.filesCopied > 0 || outcome.action == .created || outcome.action == .updated,
                                            detail: outcome.detail), on: db)
        guard outcome.action != .current else { return }
        let success = status == .current
        try await StorageRecords.event("replication", objectID: id, location: target.name, success: success,
                                       source: StorageLocationSpec.primaryName, files: outcome.filesCopied, bytes: outcome.bytesCopied,
                                       detail: ["action": outcome.action.rawValue, "head": "v\(outcome.head)", "reason": outcome.detail],
                                       runID: runID, agent: agent, on: db)
        if success {
            output("\(outcome.action == .created ? "copied" : "updated") \(id) → \(target.name) (v\(outcome.head), \(outcome.filesCopied) files, \(StorageFigures.mib(outcome.bytesCopied)))")
        } else {
            summary.failures.append("\(id) at \(target.name): \(outcome.detail)")
            output("FAIL \(id) → \(target.name): \(outcome.detail)")
            try await StorageRecords.alert(objectID: id, location: target.name,
                                           zh: "对象 \(id) 无法复制到 \(target.name)：\(outcome.detail)",
                                           en: "object \(id) could not be replicated to \(target.name): \(outcome.detail)", on: db)
        }
    }

    /// A failure in words, without Swift's type noise.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let e as LantaiError: return e.en
        case let e as TargetFailure: return reason(e.underlying)
        case let e as OCFLStorageError: return e.message
        case let e as OCFLError: return e.message
        default: return String(describing: error)
        }
    }
}
