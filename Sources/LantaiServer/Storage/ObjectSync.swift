import Foundation
import Packaging

/// What bringing one object's copy in line with a reference copy did.
struct SyncOutcome: Sendable {
    enum Action: String, Sendable {
        /// The copy already matched (its inventory byte for byte; with `verify`, every file too).
        case current
        /// The object was not there and now is, complete.
        case created
        /// The copy was behind and now has every version.
        case updated
        /// Damaged or missing files (or inventories) were rewritten from a good copy.
        case repaired
        /// The copy's history differs from the reference's, or is newer: nothing was touched.
        case diverged
        /// Some file has no good copy anywhere, or the reference itself is unusable.
        case failed
    }

    struct Repair: Sendable, Codable {
        var path: String
        /// `missing`, `mismatch` or `inventory`.
        var problem: String
        /// The location the good bytes came from.
        var source: String
    }

    var action: Action = .current
    var head = 0
    var inventoryDigest: String?
    var filesCopied = 0
    var bytesCopied: Int64 = 0
    var filesVerified = 0
    var bytesVerified: Int64 = 0
    var repairs: [Repair] = []
    var unrecoverable: [String] = []
    var detail = ""
}

/// The target could not be read or written: stop working on that location for this run.
struct TargetFailure: Error, CustomStringConvertible {
    var underlying: any Error
    var description: String { "\(underlying)" }
}

/// Brings an object's copy at `target` in line with a reference copy — the one engine under
/// replication, repair, restore, migration and import.
///
/// Rules that keep every copy safe:
/// - every byte written is hashed on its way and checked against the reference inventory's
///   digest before the write completes; a mismatch discards the write and the next copy is
///   tried (`sources`, in order), so a bad copy is never spread and a good one never overwritten
///   by a bad one;
/// - only files that are missing or fail their digest are written; a copy whose inventory is
///   valid but tells another history (or a newer one) is left alone and reported;
/// - a new object is assembled whole in the target's staging area
///   (`extensions/lantai-staging/…`, which validators treat as interrupted writes, W016) and
///   published with one rename; a copy that is behind gets one version at a time, each staged
///   and renamed into place and followed by its inventory and then the sidecar — the order of
///   OCFL's own writer, so an interruption leaves the previous state or one that
///   ``OCFLObject/recoverInterruptedCommit()`` rolls forward, never a partial object.
///
/// Synchronous (OCFL storage calls block): run it on a thread pool, never on an event loop.
struct ObjectSync {
    let id: String
    let reference: StoredInventory
    /// Where good bytes may come from, best first (the reference's own place first).
    let sources: [ObjectPlace]
    let target: ObjectPlace
    /// Check every file of a copy whose inventory already matches (repair), not just the inventory.
    var verify = false
    /// Called after each content file is written at the target (tests interrupt here).
    var afterFile: (@Sendable (String) throws -> Void)?

    private var algorithm: OCFLDigestAlgorithm { reference.algorithm }

    func run() throws -> SyncOutcome {
        var outcome = SyncOutcome()
        outcome.head = reference.head
        outcome.inventoryDigest = reference.digest
        let storage = target.storage
        // A crash of an earlier copy (or of OCFL's writer) between its last renames is rolled
        // forward first, exactly as the writer itself would.
        _ = try? OCFLObject(storage: storage, path: target.path, id: id).recoverInterruptedCommit()
        let declared: Bool
        do {
            declared = try storage.exists(target.file(OCFLObject.declarationName))
        } catch {
            throw TargetFailure(underlying: error)
        }
        do {
            return try reconcile(declared: declared, &outcome)
        } catch let refusal as SyncRefusal {
            outcome.action = .failed
            outcome.detail = refusal.description
            return outcome
        }
    }

    private func reconcile(declared: Bool, _ outcome: inout SyncOutcome) throws -> SyncOutcome {
        let storage = target.storage
        if !declared {
            try createWhole(&outcome)
            outcome.action = .created
            return outcome
        }
        let current: StoredInventory.Reading
        do {
            current = try StoredInventory.read(storage, directory: target.path)
        } catch {
            throw TargetFailure(underlying: error)
        }
        switch current {
        case .valid(let copy) where copy.data == reference.data:
            guard verify else { return outcome }
            try repairFiles(&outcome, rewriteRoot: false)
        case .valid(let copy) where copy.isAncestor(of: reference):
            try appendVersions(after: copy.head, &outcome)
            outcome.action = .updated
            if verify { try repairFiles(&outcome, rewriteRoot: false) }
            return outcome
        case .valid(let copy):
            outcome.action = .diverged
            outcome.head = copy.head
            outcome.inventoryDigest = copy.digest
            outcome.detail = copy.head > reference.head
                ? "the copy at \(target.name) is newer (v\(copy.head)) than the reference (v\(reference.head))"
                : "the copy at \(target.name) has a different history from the reference at v\(reference.head)"
            return outcome
        case .absent, .invalid:
            // Declared but without a trustworthy inventory: check and mend every file against
            // the reference, then put the inventory back, last — unless the copy holds versions
            // the reference lacks, which a rewritten inventory would orphan.
            let newer = try targetIO { try storage.list(target.path) }.compactMap { entry -> Int? in
                guard entry.kind == .directory, entry.name.hasPrefix("v") else { return nil }
                return Int(entry.name.dropFirst())
            }.filter { $0 > reference.head }
            if let newest = newer.max() {
                outcome.action = .diverged
                outcome.detail = "the copy at \(target.name) has a damaged inventory and v\(newest), which the reference (v\(reference.head)) lacks"
                return outcome
            }
            try repairFiles(&outcome, rewriteRoot: true)
        }
        if !outcome.unrecoverable.isEmpty {
            outcome.action = .failed
            outcome.detail = "no good copy of \(outcome.unrecoverable.joined(separator: ", "))"
        } else if !outcome.repairs.isEmpty {
            outcome.action = .repaired
        }
        return outcome
    }

    // MARK: - Whole objects and versions

    private func makeStage() throws -> String {
        let stage = OCFLStorageRoot.stagingDirectory + "/\(Int(Date().timeIntervalSince1970))-\(UUID().uuidString.lowercased())"
        do {
            try target.storage.createDirectory(stage)
        } catch {
            throw TargetFailure(underlying: error)
        }
        return stage
    }

    private func discard(_ stage: String) {
        try? target.storage.remove(stage)
        try? target.storage.removeDirectoryIfEmpty(OCFLStorageRoot.stagingDirectory)
    }

    /// Content paths of the reference, sorted, with their digests.
    private func contentFiles(prefix: String? = nil) -> [(path: String, digest: String)] {
        var out: [(String, String)] = []
        for (digest, paths) in reference.inventory.manifest {
            for path in paths where prefix.map({ path.hasPrefix($0 + "/") }) ?? true { out.append((path, digest)) }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    private func versionNames() -> [(number: Int, name: String)] {
        reference.inventory.versions.keys.compactMap { name in
            Int(name.dropFirst()).map { ($0, name) }
        }.sorted { $0.number < $1.number }
    }

    private func createWhole(_ outcome: inout SyncOutcome) throws {
        let stage = try makeStage()
        do {
            for file in contentFiles() {
                guard let copied = try copyFile(file.path, digest: file.digest, to: stage + "/" + file.path) else {
                    throw SyncRefusal("no good copy of \(file.path) of \(id) anywhere")
                }
                outcome.filesCopied += 1
                outcome.bytesCopied += copied.bytes
                try afterFile?(file.path)
            }
            for version in versionNames() {
                guard let inventory = versionInventory(version.number, name: version.name) else { continue }
                try writeTarget(stage + "/" + version.name + "/inventory.json", inventory.data)
                try writeTarget(stage + "/" + version.name + "/" + inventory.sidecarName, inventory.sidecarData)
            }
            try writeTarget(stage + "/inventory.json", reference.data)
            try writeTarget(stage + "/" + reference.sidecarName, reference.sidecarData)
            try writeTarget(stage + "/" + OCFLObject.declarationName, Data(OCFLObject.declarationBody.utf8))
            try targetIO {
                let parent = (target.path as NSString).deletingLastPathComponent
                if !parent.isEmpty { try target.storage.createDirectory(parent) }
                // Whatever is at the path without a declaration is no object (the leftovers of an
                // interrupted publish, or a copy that lost its declaration): the complete,
                // verified copy staged above replaces it.
                if try target.storage.exists(target.path) {
                    // Another run (the job and `lantai replicate` at once) may have just published it.
                    if try target.storage.exists(target.file(OCFLObject.declarationName)) { return }
                    try target.storage.remove(target.path)
                }
                try target.storage.rename(from: stage, to: target.path)
            }
        } catch {
            discard(stage)
            throw error
        }
        discard(stage)
    }

    private func appendVersions(after head: Int, _ outcome: inout SyncOutcome) throws {
        for version in versionNames() where version.number > head {
            let stage = try makeStage()
            do {
                let versionStage = stage + "/" + version.name
                for file in contentFiles(prefix: version.name) {
                    guard let copied = try copyFile(file.path, digest: file.digest, to: stage + "/" + file.path) else {
                        throw SyncRefusal("no good copy of \(file.path) of \(id) anywhere")
                    }
                    outcome.filesCopied += 1
                    outcome.bytesCopied += copied.bytes
                    try afterFile?(file.path)
                }
                let inventory = versionInventory(version.number, name: version.name)
                if let inventory {
                    try writeTarget(versionStage + "/inventory.json", inventory.data)
                    try writeTarget(versionStage + "/" + inventory.sidecarName, inventory.sidecarData)
                }
                // A version that added no content and has no inventory copy has nothing to publish.
                if inventory != nil || !contentFiles(prefix: version.name).isEmpty { try targetIO {
                    // A version directory the copy's inventory does not name is an interrupted publish.
                    let destination = target.file(version.name)
                    if try target.storage.exists(destination) { try target.storage.remove(destination) }
                    try target.storage.rename(from: versionStage, to: destination)
                } }
                // The inventory that was the root when this version was the head, then its sidecar.
                if let inventory {
                    try writeTarget(target.file("inventory.json"), inventory.data)
                    try writeTarget(target.file(inventory.sidecarName), inventory.sidecarData)
                }
            } catch {
                discard(stage)
                throw error
            }
            discard(stage)
        }
    }

    /// The inventory of version `number` as a source holds it, vouched for by its sidecar and
    /// agreeing with the reference's history; the reference itself for the head.
    private func versionInventory(_ number: Int, name: String) -> StoredInventory? {
        if number == reference.head { return reference }
        for source in sources {
            guard let found = (try? StoredInventory.read(source.storage, directory: source.file(name)))?.valid,
                  found.inventory.id == id, found.inventory.head == name,
                  found.inventory.versions.allSatisfy({ reference.inventory.versions[$0.key] == $0.value })
            else { continue }
            return found
        }
        return nil
    }

    // MARK: - Checking and mending files in place

    private func repairFiles(_ outcome: inout SyncOutcome, rewriteRoot: Bool) throws {
        for file in contentFiles() {
            let destination = target.file(file.path)
            let found = try targetDigest(destination)
            if let found, found.digest == file.digest.lowercased() {
                outcome.filesVerified += 1
                outcome.bytesVerified += found.bytes
                continue
            }
            let problem = found == nil ? "missing" : "mismatch"
            if let copied = try copyFile(file.path, digest: file.digest, to: destination) {
                outcome.repairs.append(.init(path: file.path, problem: problem, source: copied.source))
                outcome.filesCopied += 1
                outcome.bytesCopied += copied.bytes
            } else {
                outcome.unrecoverable.append(file.path)
            }
        }
        // Version inventories: rewritten only where the copy's differ from a vouched-for one.
        for version in versionNames() {
            guard let good = versionInventory(version.number, name: version.name) else { continue }
            let directory = target.file(version.name)
            let here = try targetIO { try StoredInventory.read(target.storage, directory: directory) }
            if here.valid?.data == good.data { continue }
            try writeTarget(directory + "/inventory.json", good.data)
            try writeTarget(directory + "/" + good.sidecarName, good.sidecarData)
            outcome.repairs.append(.init(path: version.name + "/inventory.json", problem: "inventory", source: sources.first?.name ?? ""))
        }
        guard outcome.unrecoverable.isEmpty else { return }
        if rewriteRoot {
            try writeTarget(target.file("inventory.json"), reference.data)
            try writeTarget(target.file(reference.sidecarName), reference.sidecarData)
            outcome.repairs.append(.init(path: "inventory.json", problem: "inventory", source: sources.first?.name ?? ""))
        }
        if !(try targetIO { try target.storage.exists(target.file(OCFLObject.declarationName)) }) {
            try writeTarget(target.file(OCFLObject.declarationName), Data(OCFLObject.declarationBody.utf8))
            outcome.repairs.append(.init(path: OCFLObject.declarationName, problem: "missing", source: "(standard text)"))
        }
    }

    /// The digest and size of a file at the target, or nil when it is missing.
    private func targetDigest(_ path: String) throws -> (digest: String, bytes: Int64)? {
        var hasher = DigestHasher(algorithm.digestAlgorithm)
        var bytes: Int64 = 0
        do {
            try target.storage.read(path, chunkSize: 1 << 20) { chunk in
                hasher.update(chunk)
                bytes += Int64(chunk.count)
            }
        } catch let e as OCFLStorageError where e.kind == .notFound {
            return nil
        } catch {
            throw TargetFailure(underlying: error)
        }
        return (hasher.finalizeHex(), bytes)
    }

    // MARK: - Copying one file

    private struct SourceFailure: Error { var reason: String }
    private struct TargetWriteFailure: Error { var underlying: any Error }

    /// Streams a content file from the first source whose bytes match `digest` to `destination`
    /// at the target. The digest is checked before the write completes, so a mismatch stores
    /// nothing. Nil when no source has a good copy.
    private func copyFile(_ contentPath: String, digest: String, to destination: String) throws -> (bytes: Int64, source: String)? {
        let expected = digest.lowercased()
        for source in sources where !(source.name == target.name && source.path == target.path) {
            var hasher = DigestHasher(algorithm.digestAlgorithm)
            var bytes: Int64 = 0
            do {
                try target.storage.write(destination) { sink in
                    do {
                        try source.storage.read(source.file(contentPath), chunkSize: 1 << 20) { chunk in
                            hasher.update(chunk)
                            bytes += Int64(chunk.count)
                            do { try sink(chunk) } catch { throw TargetWriteFailure(underlying: error) }
                        }
                    } catch let e as TargetWriteFailure {
                        throw e
                    } catch {
                        throw SourceFailure(reason: "\(error)")
                    }
                    if hasher.finalizeHex() != expected {
                        throw SourceFailure(reason: "digest mismatch")
                    }
                }
                return (bytes, source.name)
            } catch is SourceFailure {
                continue
            } catch let e as TargetWriteFailure {
                throw TargetFailure(underlying: e.underlying)
            } catch {
                throw TargetFailure(underlying: error)
            }
        }
        return nil
    }

    private func writeTarget(_ path: String, _ data: Data) throws {
        try targetIO { try target.storage.write(path, data: data) }
    }

    private func targetIO<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as TargetFailure {
            throw e
        } catch {
            throw TargetFailure(underlying: error)
        }
    }
}

/// The engine will not do this (no good copy of a file): the object is reported, nothing half-done stays.
struct SyncRefusal: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
