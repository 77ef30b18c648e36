import Fluent
import Foundation
import Packaging
import Vapor

/// Copies a set of objects from one location to another and, asked to, reads every file back:
/// the common step of `lantai storage migrate` and `lantai restore`.
struct BulkCopy {
    let work: StorageWork
    let source: StorageLocation
    let sourceRoot: OCFLStorageRoot
    let target: StorageLocation
    let targetRoot: OCFLStorageRoot
    /// Further places good bytes may come from (other replicas), after the source.
    var fallbacks: [(StorageLocation, OCFLStorageRoot)] = []
    let eventType: String
    let runID: UUID
    let agent: String
    let progress: RunProgress
    let output: @Sendable (String) -> Void

    struct Tally: Sendable {
        var objects = 0
        var copied = 0
        var files = 0
        var bytes: Int64 = 0
        var filesVerified = 0
        var bytesVerified: Int64 = 0
        /// Source inventory digest per object path, as copied.
        var digests: [String: String] = [:]
        var problems: [String] = []
    }

    /// Brings each object at `paths` (source paths) in line at the target; with `verify`, every
    /// file of the target's copy is read back and checked (and mended from the source if bad).
    func copy(_ paths: [String], verify: Bool, into tally: inout Tally) async throws {
        let configured = NodeStorage.all(work.config).contains { $0.spec.identity == target.spec.identity }
        for path in paths {
            let source = self.source
            let reading = try await work.blocking { try StoredInventory.read(source.storage, directory: path) }
            guard let reference = reading.valid else {
                tally.problems.append("\(path) at \(source.name): the source copy has no valid inventory")
                output("FAIL \(path): the copy at \(source.name) has no valid inventory; run `lantai storage repair` first")
                try await progress.update { $0.failures += 1 }
                continue
            }
            let id = reference.inventory.id
            var sources = [ObjectPlace(name: source.name, storage: source.storage, path: path)]
            for (location, root) in fallbacks { sources.append(ObjectPlace(name: location.name, storage: location.storage, path: root.objectPath(for: id))) }
            let targetPath = targetRoot.objectPath(for: id)
            let place = ObjectPlace(name: target.name, storage: target.storage, path: targetPath)
            let sync = ObjectSync(id: id, reference: reference, sources: sources, target: place, verify: verify)
            var outcome = try await work.blocking { try sync.run() }
            if verify, outcome.action == .created || outcome.action == .updated {
                // Just written: read it all back, as the verification promises.
                let written = outcome
                outcome = try await work.blocking { try sync.run() }
                outcome.filesCopied += written.filesCopied
                outcome.bytesCopied += written.bytesCopied
                if outcome.action == .current { outcome.action = written.action }
            }
            tally.objects += 1
            tally.files += outcome.filesCopied
            tally.bytes += outcome.bytesCopied
            tally.filesVerified += outcome.filesVerified
            tally.bytesVerified += outcome.bytesVerified
            let good = outcome.action != .failed && outcome.action != .diverged
            if good { tally.digests[path] = reference.digest }
            if outcome.action != .current { tally.copied += 1 }
            // Copies are tracked for the node's own locations; a URL given for a migration is not one (yet).
            if configured { try await StorageRecords.note(.init(objectID: id, location: target.name, objectPath: targetPath, head: outcome.head,
                                                inventoryDigest: outcome.inventoryDigest, status: good ? .current : (outcome.action == .diverged ? .diverged : .damaged),
                                                copied: outcome.filesCopied > 0, verified: good && verify, detail: outcome.detail), on: work.db) }
            if outcome.action != .current || !good {
                try await StorageRecords.event(eventType, objectID: id, location: target.name, success: good, source: source.name,
                                               files: outcome.filesCopied, bytes: outcome.bytesCopied,
                                               detail: ["action": outcome.action.rawValue, "head": "v\(outcome.head)", "reason": outcome.detail],
                                               runID: runID, agent: agent, on: work.db)
            }
            if !good {
                tally.problems.append("\(id): \(outcome.detail)")
                output("FAIL \(id) → \(target.name): \(outcome.detail)")
            } else if outcome.action != .current {
                output("\(outcome.action.rawValue) \(id) → \(target.name) (v\(outcome.head), \(outcome.filesCopied) files, \(StorageFigures.mib(outcome.bytesCopied)))")
            }
            let done = outcome
            try await progress.update { run in
                run.objectsDone += 1
                run.filesCopied += done.filesCopied
                run.bytesDone += done.bytesCopied
                if !good { run.failures += 1 }
            }
        }
    }
}
