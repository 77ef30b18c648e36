import Foundation

/// How ``OCFLObject/createOrUpdate(files:message:user:created:options:)`` builds a version.
public struct OCFLWriteOptions: Sendable {
    /// What the `files` list means for the new version's state.
    public enum StateMode: Sendable, Hashable {
        /// `files` is the complete state of the new version; anything not listed is not in it
        /// (still preserved in earlier versions, as OCFL never deletes).
        case replace
        /// `files` are added to or replace paths in the head state; `removing` are dropped; the
        /// rest carries over without needing its source again (e.g. add one PREMIS event file).
        case merge(removing: [String])
    }

    public var mode: StateMode
    /// Extra digests recorded in the inventory's `fixity` block for newly stored content.
    /// SHA-256 by default, as the preservation policy asks for a second, independent algorithm.
    public var fixityAlgorithms: [OCFLDigestAlgorithm]
    /// Bytes per read/write while streaming content (1 MiB): large files never sit in memory.
    public var chunkSize: Int

    public init(mode: StateMode = .replace, fixityAlgorithms: [OCFLDigestAlgorithm] = [.sha256], chunkSize: Int = 1 << 20) {
        self.mode = mode
        self.fixityAlgorithms = fixityAlgorithms
        self.chunkSize = chunkSize
    }
}

/// A version as listed by ``OCFLObject/versions()``.
public struct OCFLVersionSummary: Sendable, Hashable {
    public var number: Int
    /// The version directory name (`v1`).
    public var name: String
    /// As recorded (RFC 3339); ``createdDate`` parses it.
    public var created: String
    public var message: String?
    public var user: OCFLUser?
    public var fileCount: Int

    public var createdDate: Date? { OCFLTime.parse(created) }
}

/// Content for a new version: a local file, or bytes already in memory (a METS document just
/// built need not go through a temporary file first).
public enum OCFLSource: Sendable {
    case file(URL)
    case data(Data)
}

/// A version written in full to a private staging area and not yet visible to anyone; see
/// ``OCFLObject/stage(files:message:user:created:options:additionalDigests:)``. Publish it with
/// ``OCFLObject/publish(_:)`` or drop it with ``OCFLObject/discard(_:)``.
public struct OCFLStagedVersion: Sendable {
    public let objectID: String
    public let number: Int
    /// The inventory the version publishes (also written inside it).
    public let inventory: OCFLInventory
    /// Logical path → digests of the content read for it in this write: the object's digest
    /// algorithm, its fixity algorithms and the `additionalDigests` asked for. Paths whose
    /// content was found already stored (by SHA-512 alone) are not here.
    public let digests: [String: [DigestAlgorithm: String]]
    let stage: String
    let objectStage: String
    let versionStage: String
    let versionName: String
    let sidecar: String
    /// The root inventory the version was built on; nil for a new object.
    let previousInventory: Data?
}

/// Steps of a commit at which tests can simulate a crash (internal, test-only).
enum OCFLCommitStep: Sendable, Hashable {
    /// Content, version inventory and new root inventory are staged; nothing is published yet.
    case staged
    /// The version directory has been renamed into the object; the root inventory is still the old one.
    case versionDirectoryPublished
    /// The new root inventory is in place; its sidecar is still the old one.
    case rootInventoryPublished
}

/// Thrown by a test hook to stop a commit as a crash would: the writer does not clean up after it.
struct OCFLSimulatedCrash: Error {}

/// One OCFL 1.1 object in a storage: writes new versions and reads existing ones.
///
/// A version becomes visible all at once. Content and both inventories are first written to a
/// private staging directory (each file temp-name + fsync + rename); then the version directory
/// is renamed into the object, then `inventory.json`, then — last, as the spec requires (E062) —
/// `inventory.json.sha512`. Until the root inventory moves, readers and validators see the
/// previous version; a crash between those last renames is repaired by
/// ``recoverInterruptedCommit()`` (run by every write), which rolls forward to the complete
/// version directory. A brand-new object is staged whole and appears with one rename.
/// (Through a storage that defers durability the per-file flushes become one flush between
/// staging and publishing; see ``stage(files:message:user:created:options:additionalDigests:)``.)
public struct OCFLObject: Sendable {
    public static let declarationName = "0=ocfl_object_1.1"
    public static let declarationBody = "ocfl_object_1.1\n"

    public let storage: any OCFLStorage
    /// The object root, relative to the storage.
    public let path: String
    public let id: String
    /// Storage-relative directory for staging versions; must be on the same storage (and file
    /// system) as the object so that publishing is a rename.
    public let stagingDirectory: String

    /// Test-only fault injection: called at each ``OCFLCommitStep``; throw ``OCFLSimulatedCrash``
    /// to leave the storage exactly as a crash at that point would.
    var commitHook: (@Sendable (OCFLCommitStep) throws -> Void)?

    public init(storage: any OCFLStorage, path: String, id: String, stagingDirectory: String = OCFLStorageRoot.stagingDirectory) {
        self.storage = storage
        self.path = path
        self.id = id
        self.stagingDirectory = stagingDirectory
    }

    // MARK: - Reading

    /// Whether the object exists (its declaration file is present).
    public func exists() throws -> Bool {
        try storage.exists(ocflJoin(path, Self.declarationName))
    }

    /// The current inventory, checked against its sidecar digest.
    public func inventory() throws -> OCFLInventory {
        try loadRootInventory().inventory
    }

    /// Every version, oldest first.
    public func versions() throws -> [OCFLVersionSummary] {
        let inventory = try inventory()
        return inventory.versions.compactMap { name, record in
            OCFLVersionName.number(name).map {
                OCFLVersionSummary(number: $0, name: name, created: record.created, message: record.message,
                                   user: record.user, fileCount: record.state.values.reduce(0) { $0 + $1.count })
            }
        }.sorted { $0.number < $1.number }
    }

    /// Logical path → digest for a version (the head if `version` is nil).
    public func state(version: Int? = nil) throws -> [String: String] {
        let inventory = try inventory()
        return try versionRecord(version, in: inventory).logicalState
    }

    /// Streams a logical file's content to `body`. With `verify`, the content's digest is
    /// recomputed on the way and a mismatch throws ``OCFLError/Kind/fixityMismatch`` after the last
    /// chunk — callers writing somewhere must then discard what they wrote.
    public func read(logicalPath: String, version: Int? = nil, verify: Bool = true, chunkSize: Int = 1 << 20,
                     _ body: (Data) throws -> Void) throws {
        let inventory = try inventory()
        let record = try versionRecord(version, in: inventory)
        guard let digest = record.logicalState[logicalPath] else {
            throw OCFLError(.notFound, "object \(id) has no file \(logicalPath) in \(version.map { "v\($0)" } ?? inventory.head)")
        }
        guard let contentPath = inventory.contentPath(for: digest) else {
            throw OCFLError(.corrupt, "object \(id): digest of \(logicalPath) is not in the manifest")
        }
        guard let algorithm = OCFLDigestAlgorithm(rawValue: inventory.digestAlgorithm) else {
            throw OCFLError(.corrupt, "object \(id) uses unsupported digest algorithm \(inventory.digestAlgorithm)")
        }
        var hasher = DigestHasher(algorithm.digestAlgorithm)
        try storage.read(ocflJoin(path, contentPath), chunkSize: chunkSize) { chunk in
            if verify { hasher.update(chunk) }
            try body(chunk)
        }
        if verify, hasher.finalizeHex() != digest.lowercased() {
            throw OCFLError(.fixityMismatch, "object \(id): \(contentPath) does not match its \(algorithm.rawValue) digest")
        }
    }

    /// A logical file's whole content (for small files; use the streaming ``read(logicalPath:version:verify:chunkSize:_:)`` otherwise).
    public func data(logicalPath: String, version: Int? = nil) throws -> Data {
        var data = Data()
        try read(logicalPath: logicalPath, version: version) { data.append($0) }
        return data
    }

    private func versionRecord(_ version: Int?, in inventory: OCFLInventory) throws -> OCFLVersionRecord {
        if let version {
            guard let found = inventory.version(version) else { throw OCFLError(.notFound, "object \(id) has no version \(version)") }
            return found.record
        }
        guard let head = inventory.versions[inventory.head] else { throw OCFLError(.corrupt, "object \(id): head \(inventory.head) has no version block") }
        return head
    }

    private func sidecarName(_ algorithm: String) -> String { "inventory.json.\(algorithm)" }

    /// Reads `dir/inventory.json`, decodes it and checks it against its sidecar. Nil digestOK means no sidecar.
    private func readInventory(in dir: String) throws -> (data: Data, inventory: OCFLInventory, digestOK: Bool) {
        let data: Data
        do {
            data = try storage.readData(ocflJoin(dir, "inventory.json"))
        } catch let e as OCFLStorageError where e.kind == .notFound {
            throw OCFLError(.notFound, "no inventory.json in \(dir)")
        }
        let inventory: OCFLInventory
        do {
            inventory = try OCFLInventory.decode(data)
        } catch {
            throw OCFLError(.corrupt, "\(dir)/inventory.json is not a readable OCFL inventory (E033): \(error)")
        }
        guard let algorithm = OCFLDigestAlgorithm(rawValue: inventory.digestAlgorithm), algorithm.isContentAddressing else {
            throw OCFLError(.corrupt, "\(dir)/inventory.json uses digest algorithm \(inventory.digestAlgorithm) (E025)")
        }
        let recorded = (try? storage.readData(ocflJoin(dir, sidecarName(algorithm.rawValue)), limit: 4096))
            .flatMap { OCFLSidecar.parse($0) }
        let ok = recorded?.lowercased() == algorithm.digestAlgorithm.hexDigest(of: data)
        return (data, inventory, ok)
    }

    /// The root inventory, vouched for by its sidecar — or, in the instant between publishing a
    /// new root inventory and its sidecar, by the identical, intact copy in the head version.
    func loadRootInventory() throws -> (data: Data, inventory: OCFLInventory) {
        let root = try readInventory(in: path)
        if root.inventory.id != id {
            throw OCFLError(.corrupt, "object at \(path) has id \(root.inventory.id), not \(id)")
        }
        if root.digestOK { return (root.data, root.inventory) }
        if let head = try? readInventory(in: ocflJoin(path, root.inventory.head)), head.digestOK, head.data == root.data {
            // A commit stopped between its last two renames. Readers cope, but validators report
            // the stale sidecar (E060) until the next write of the object — and an object that
            // is only read (a snapshot found unchanged) may never get one. So the sidecar is put
            // right here, unless a writer in this process is busy with the object (it recovers
            // first itself); a read-only storage simply stays as it is.
            OCFLObjectLocks.shared.ifFree(path) { _ = try? recoverInterruptedCommit() }
            return (root.data, root.inventory)
        }
        throw OCFLError(.corrupt, "object \(id): inventory.json does not match its sidecar digest (E060); run the validator")
    }

    // MARK: - Recovery

    /// Repairs the traces of a commit interrupted between its final renames: a complete version
    /// directory newer than the root inventory, or a root inventory newer than its sidecar. Both
    /// are rolled forward from the version directory's own (intact, digest-checked) inventory —
    /// the version was fully written before it was renamed into place, so it is the new state.
    /// Returns whether anything was repaired. Run automatically before every write.
    @discardableResult
    public func recoverInterruptedCommit() throws -> Bool {
        guard try exists(), try storage.exists(ocflJoin(path, "inventory.json")) else { return false }
        let root = try readInventory(in: path)
        guard let rootHead = root.inventory.headNumber else { return false }
        let onDisk = try storage.list(path).filter { $0.kind == .directory }.compactMap { entry in
            OCFLVersionName.number(entry.name).map { ($0, entry.name) }
        }
        guard let newest = onDisk.max(by: { $0.0 < $1.0 }) else { return false }
        if newest.0 == rootHead && root.digestOK { return false }
        let candidate = try readInventory(in: ocflJoin(path, newest.1))
        guard candidate.digestOK, candidate.inventory.id == id, candidate.inventory.head == newest.1 else {
            throw OCFLError(.corrupt, "object \(id): cannot recover, \(newest.1)/inventory.json is not intact")
        }
        // Only the two shapes a crash can leave are repaired; anything else (say, an edited
        // root inventory) is evidence for an operator, not something to paper over.
        let versionPublished = newest.0 == rootHead + 1 && root.digestOK
        let inventoryPublished = newest.0 == rootHead && candidate.data == root.data
        guard versionPublished || inventoryPublished else {
            throw OCFLError(.corrupt, "object \(id): inventory.json does not match its sidecar or \(newest.1)/inventory.json; run the validator")
        }
        let sidecar = sidecarName(candidate.inventory.digestAlgorithm)
        let stage = try makeStage()
        do {
            try storage.write(ocflJoin(stage, "inventory.json"), data: candidate.data)
            try storage.write(ocflJoin(stage, sidecar), data: OCFLSidecar.body(OCFLDigestAlgorithm(rawValue: candidate.inventory.digestAlgorithm)!.digestAlgorithm.hexDigest(of: candidate.data)))
            try storage.rename(from: ocflJoin(stage, "inventory.json"), to: ocflJoin(path, "inventory.json"))
            try storage.rename(from: ocflJoin(stage, sidecar), to: ocflJoin(path, sidecar))
        } catch {
            discardStage(stage)
            throw error
        }
        discardStage(stage)
        return true
    }

    // MARK: - Writing

    /// Adds version N+1 (or creates the object with version 1) and returns its number.
    ///
    /// - `files`: logical path → local source file. Logical paths are kept exactly as given
    ///   (Chinese and other Unicode included) and must follow OCFL's rules: no leading or trailing
    ///   `/`, no empty, `.` or `..` elements, no path both a file and a directory.
    /// - Content is addressed by SHA-512: content already stored in any earlier version (or twice
    ///   in this one) is not stored again; new content is stored at `vN/content/<logical path>`.
    /// - Sources are streamed in `options.chunkSize` pieces, never read whole into memory.
    public func createOrUpdate(files: [(logicalPath: String, source: URL)], message: String, user: OCFLUser,
                               created: Date = Date(), options: OCFLWriteOptions = OCFLWriteOptions()) throws -> Int {
        let sources = files.map { (logicalPath: $0.logicalPath, source: OCFLSource.file($0.source)) }
        // Writers of one object in this process take turns; across processes the job lease
        // serialises them, and the publish step still refuses to overwrite a version (conflict).
        return try OCFLObjectLocks.shared.withLock(path) {
            let staged = try stageLocked(files: sources, message: message, user: user, created: created, options: options,
                                         additionalDigests: [])
            do {
                try commitHook?(.staged)
            } catch let crash as OCFLSimulatedCrash {
                throw crash
            } catch {
                discardStage(staged.stage)
                throw error
            }
            return try publishLocked(staged)
        }
    }

    /// The first half of ``createOrUpdate(files:message:user:created:options:)``: writes version
    /// N+1 (or the whole new object) to a private staging area and returns it unpublished, so a
    /// caller can stage many objects through a storage that defers durability, make them all
    /// durable with one ``OCFLStorage/synchronize()``, and only then publish them — a published
    /// version is still complete after a power cut, at one flush per batch instead of several
    /// per file. `additionalDigests` are computed on the same pass as the copy (see
    /// ``OCFLStagedVersion/digests``), so a caller can verify its sources without reading them twice.
    ///
    /// Another writer may publish a version of the same object in between; ``publish(_:)`` then
    /// refuses with ``OCFLError/Kind/conflict`` and the staged version must be discarded.
    public func stage(files: [(logicalPath: String, source: OCFLSource)], message: String, user: OCFLUser,
                      created: Date = Date(), options: OCFLWriteOptions = OCFLWriteOptions(),
                      additionalDigests: [DigestAlgorithm] = []) throws -> OCFLStagedVersion {
        try OCFLObjectLocks.shared.withLock(path) {
            try stageLocked(files: files, message: message, user: user, created: created, options: options,
                            additionalDigests: additionalDigests)
        }
    }

    /// Makes a staged version visible (the second half of ``createOrUpdate(files:message:user:created:options:)``)
    /// and returns its number. The staged content must already be durable when the storage
    /// defers durability (``OCFLStorage/synchronize()`` after staging); the renames done here are
    /// durable at the next synchronisation.
    @discardableResult
    public func publish(_ staged: OCFLStagedVersion) throws -> Int {
        try OCFLObjectLocks.shared.withLock(path) { try publishLocked(staged) }
    }

    /// Drops a staged version that will not be published.
    public func discard(_ staged: OCFLStagedVersion) {
        discardStage(staged.stage)
    }

    private func stageLocked(files: [(logicalPath: String, source: OCFLSource)], message: String, user: OCFLUser,
                             created: Date, options: OCFLWriteOptions, additionalDigests: [DigestAlgorithm]) throws -> OCFLStagedVersion {
        guard !id.isEmpty else { throw OCFLError(.invalidObjectID, "object id is empty") }
        try Self.checkLogicalPaths(files.map(\.logicalPath))
        try recoverInterruptedCommit()
        let previous: (data: Data, inventory: OCFLInventory)?
        if try exists() {
            previous = try loadRootInventory()
            if previous?.inventory.type != OCFLInventory.type1_1 {
                throw OCFLError(.notOCFL, "object \(id) is not an OCFL 1.1 object; upgrading older objects is not supported")
            }
        } else {
            previous = nil
        }
        let old = previous?.inventory
        let algorithmName = old?.digestAlgorithm ?? OCFLDigestAlgorithm.sha512.rawValue
        guard let algorithm = OCFLDigestAlgorithm(rawValue: algorithmName), algorithm.isContentAddressing else {
            throw OCFLError(.corrupt, "object \(id) uses digest algorithm \(algorithmName)")
        }
        let number = (old?.headNumber ?? 0) + 1
        let versionName = OCFLVersionName.name(number, like: old?.head)
        let contentDirectory = old?.effectiveContentDirectory ?? "content"
        let fixityAlgorithms = options.fixityAlgorithms.filter { $0 != algorithm }
        let copyAlgorithms = ([algorithm] + fixityAlgorithms).map(\.digestAlgorithm) + additionalDigests

        // The new state: logical path → digest.
        var state: [String: String] = [:]
        if case .merge(let removing) = options.mode, let old, let head = old.versions[old.head] {
            state = head.logicalState
            for path in removing { state[path] = nil }
        }

        var manifest = old?.manifest ?? [:]
        var fixity = old?.fixity ?? [:]
        var read: [String: [DigestAlgorithm: String]] = [:]
        // Digest (lowercase) → the manifest's own spelling of it: objects written by other tools
        // may use upper-case hex, and a state must name the manifest key exactly.
        var known: [String: String] = [:]
        for key in manifest.keys { known[key.lowercased()] = key }

        let stage = try makeStage()
        // A new object is staged as the staging directory itself and published by renaming it:
        // one directory fewer to create and delete per object, which on ext4 is what an ingest
        // of many small records spends its time on (inode allocation).
        let objectStage = stage
        let versionStage = ocflJoin(objectStage, versionName)
        do {
            for file in files {
                let contentPath = ocflJoin(versionName, contentDirectory, file.logicalPath)
                let staged = ocflJoin(objectStage, contentPath)
                let digests: [DigestAlgorithm: String]
                if previous != nil {
                    // Updates usually re-supply mostly unchanged files: digest first, copy only what is new.
                    let first = try Self.digestLocal(file.source, [algorithm.digestAlgorithm], chunkSize: options.chunkSize)
                    if let existing = known[first[algorithm.digestAlgorithm]!] {
                        state[file.logicalPath] = existing
                        continue
                    }
                    digests = try copy(file.source, to: staged, algorithms: copyAlgorithms, chunkSize: options.chunkSize)
                    if digests[algorithm.digestAlgorithm] != first[algorithm.digestAlgorithm] {
                        throw OCFLError(.sourceChanged, "\(Self.describe(file.source)) changed while it was being stored; try again")
                    }
                } else {
                    // A new object is mostly new content: copy and digest in one pass.
                    digests = try copy(file.source, to: staged, algorithms: copyAlgorithms, chunkSize: options.chunkSize)
                }
                read[file.logicalPath] = digests
                let digest = digests[algorithm.digestAlgorithm]!
                if let existing = known[digest] {
                    state[file.logicalPath] = existing
                    try storage.remove(staged)
                    try pruneEmptyDirectories(from: ocflParent(staged), stopAt: versionStage)
                    continue
                }
                state[file.logicalPath] = digest
                known[digest] = digest
                manifest[digest] = [contentPath]
                for fixityAlgorithm in fixityAlgorithms {
                    fixity[fixityAlgorithm.rawValue, default: [:]][digests[fixityAlgorithm.digestAlgorithm]!, default: []].append(contentPath)
                }
            }
            try Self.checkLogicalPaths(Array(state.keys))

            var grouped: [String: [String]] = [:]
            for (logicalPath, digest) in state { grouped[digest, default: []].append(logicalPath) }
            for key in grouped.keys { grouped[key]?.sort() }
            var versions = old?.versions ?? [:]
            versions[versionName] = OCFLVersionRecord(created: OCFLTime.format(created), message: message, user: user, state: grouped)
            let inventory = OCFLInventory(id: id, type: OCFLInventory.type1_1, digestAlgorithm: algorithm.rawValue, head: versionName,
                                          contentDirectory: old?.contentDirectory, manifest: manifest, versions: versions,
                                          fixity: fixity.isEmpty ? nil : fixity)
            let inventoryData = try inventory.encoded()
            let sidecarData = OCFLSidecar.body(algorithm.digestAlgorithm.hexDigest(of: inventoryData))
            let sidecar = sidecarName(algorithm.rawValue)

            try storage.write(ocflJoin(versionStage, "inventory.json"), data: inventoryData)
            try storage.write(ocflJoin(versionStage, sidecar), data: sidecarData)
            try storage.write(ocflJoin(objectStage, "inventory.json"), data: inventoryData)
            try storage.write(ocflJoin(objectStage, sidecar), data: sidecarData)
            if previous == nil {
                try storage.write(ocflJoin(objectStage, Self.declarationName), data: Data(Self.declarationBody.utf8))
            }
            return OCFLStagedVersion(objectID: id, number: number, inventory: inventory, digests: read, stage: stage,
                                     objectStage: objectStage, versionStage: versionStage, versionName: versionName,
                                     sidecar: sidecar, previousInventory: previous?.data)
        } catch {
            discardStage(stage)
            throw error
        }
    }

    private func publishLocked(_ staged: OCFLStagedVersion) throws -> Int {
        let stage = staged.stage
        let versionName = staged.versionName
        let sidecar = staged.sidecar
        do {
            if staged.previousInventory == nil {
                try storage.createDirectory(ocflParent(path))
                do {
                    try storage.rename(from: staged.objectStage, to: path)
                } catch {
                    // Leave no empty tuple directories behind (E073).
                    var parent = ocflParent(path)
                    while !parent.isEmpty {
                        try? storage.removeDirectoryIfEmpty(parent)
                        parent = ocflParent(parent)
                    }
                    if let e = error as? OCFLStorageError, e.kind == .alreadyExists {
                        throw OCFLError(.conflict, "object \(id) was created by another writer at the same time (or \(path) holds something else)")
                    }
                    throw error
                }
            } else {
                // Optimistic concurrency: publish only onto the inventory this version was built from.
                let current = try storage.readData(ocflJoin(path, "inventory.json"))
                guard current == staged.previousInventory else {
                    throw OCFLError(.conflict, "object \(id) changed while version \(versionName) was being written; try again")
                }
                // The three renames all change the object directory: they go back to back and
                // are flushed together, so the instants in which a validator would see the
                // commit unfinished (E046, E060) last microseconds rather than three directory
                // flushes — a crash there is repaired by the next read or write, but the fewer
                // the better. Journalling file systems commit renames in the order made, so the
                // shapes a power cut can leave are still only those recovery rolls forward.
                var publisher = storage
                var flushObjectDirectory: () throws -> Void = {}
                if let fs = storage as? FileSystemOCFLStorage, !fs.defersDurability {
                    publisher = fs.deferringDurability()
                    flushObjectDirectory = { try fs.flushDirectory(path) }
                }
                do {
                    try publisher.rename(from: staged.versionStage, to: ocflJoin(path, versionName))
                } catch let e as OCFLStorageError where e.kind == .alreadyExists {
                    throw OCFLError(.conflict, "another writer committed \(versionName) of object \(id) first; try again")
                }
                try commitHook?(.versionDirectoryPublished)
                try publisher.rename(from: ocflJoin(stage, "inventory.json"), to: ocflJoin(path, "inventory.json"))
                try commitHook?(.rootInventoryPublished)
                try publisher.rename(from: ocflJoin(stage, sidecar), to: ocflJoin(path, sidecar))
                try flushObjectDirectory()
            }
        } catch let crash as OCFLSimulatedCrash {
            throw crash
        } catch {
            discardStage(stage)
            throw error
        }
        discardStage(stage)
        return staged.number
    }

    /// Refuses logical paths OCFL forbids or this storage cannot hold as content paths.
    static func checkLogicalPaths(_ paths: [String]) throws {
        for p in paths {
            if let problem = OCFLPathRules.logicalPathProblem(p) {
                throw OCFLError(.invalidLogicalPath, "\(p): \(problem.reason) (\(problem.code))")
            }
            if p.utf8.contains(0) {
                throw OCFLError(.invalidLogicalPath, "\(p): contains a NUL character")
            }
            // The logical path is also the content path, so each element must be a legal file name.
            if p.split(separator: "/").contains(where: { $0.utf8.count > 255 }) {
                throw OCFLError(.invalidLogicalPath, "\(p): a path element is longer than 255 bytes")
            }
        }
        if let conflict = OCFLPathRules.conflicts(paths).first {
            throw OCFLError(.invalidLogicalPath, "\(conflict.path): \(conflict.reason) (E095)")
        }
        // Swift strings compare Unicode-canonically; two byte-different spellings of one name
        // (NFC and NFD 档案) would be one file on macOS and a trap for any reader. Refuse them.
        if Set(paths).count != Set(paths.map { Array($0.utf8) }).count {
            throw OCFLError(.invalidLogicalPath, "two logical paths differ only in Unicode normalisation")
        }
    }

    /// A fresh staging directory: `<epoch seconds>-<uuid>`, so abandoned ones can be aged out.
    private func makeStage() throws -> String {
        let stage = ocflJoin(stagingDirectory, "\(Int(Date().timeIntervalSince1970))-\(UUID().uuidString.lowercased())")
        try storage.createDirectory(stage)
        return stage
    }

    private func discardStage(_ stage: String) {
        try? storage.remove(stage)
        try? storage.removeDirectoryIfEmpty(stagingDirectory)
    }

    /// After dropping a duplicate staged file, removes directories it leaves empty (E024).
    private func pruneEmptyDirectories(from dir: String, stopAt limit: String) throws {
        var current = dir
        while current.count > limit.count, current.hasPrefix(limit) {
            try storage.removeDirectoryIfEmpty(current)
            if try storage.exists(current) { return }
            current = ocflParent(current)
        }
    }

    /// Streams a source into storage at `destination`, digesting it on the way.
    private func copy(_ source: OCFLSource, to destination: String, algorithms: [DigestAlgorithm], chunkSize: Int) throws -> [DigestAlgorithm: String] {
        var hasher = DigestHashers(algorithms)
        try storage.write(destination) { sink in
            try Self.readSource(source, chunkSize: chunkSize) { chunk in
                hasher.update(chunk)
                try sink(chunk)
            }
        }
        return hasher.finalizeHex()
    }

    static func digestLocal(_ source: OCFLSource, _ algorithms: [DigestAlgorithm], chunkSize: Int) throws -> [DigestAlgorithm: String] {
        var hasher = DigestHashers(algorithms)
        try readSource(source, chunkSize: chunkSize) { hasher.update($0) }
        return hasher.finalizeHex()
    }

    static func readSource(_ source: OCFLSource, chunkSize: Int, _ body: (Data) throws -> Void) throws {
        switch source {
        case .file(let url): try readLocal(url, chunkSize: chunkSize, body)
        case .data(let data): try body(data)
        }
    }

    static func describe(_ source: OCFLSource) -> String {
        switch source {
        case .file(let url): return url.path
        case .data: return "content in memory"
        }
    }

    static func readLocal(_ url: URL, chunkSize: Int, _ body: (Data) throws -> Void) throws {
        let directory = url.deletingLastPathComponent()
        let storage = FileSystemOCFLStorage(root: directory)
        do {
            try storage.read(url.lastPathComponent, chunkSize: chunkSize, body)
        } catch let e as OCFLStorageError {
            throw OCFLError(.notFound, "cannot read source \(url.path): \(e.message)")
        }
    }
}

/// Per-object-path mutual exclusion for writers in this process.
final class OCFLObjectLocks: @unchecked Sendable {
    static let shared = OCFLObjectLocks()
    private let condition = NSCondition()
    private var busy = Set<String>()

    /// Runs `body` under the lock only if nobody holds it (including this thread: no deadlock
    /// when a writer's own reads get here).
    func ifFree(_ key: String, _ body: () -> Void) {
        condition.lock()
        if busy.contains(key) {
            condition.unlock()
            return
        }
        busy.insert(key)
        condition.unlock()
        defer {
            condition.lock()
            busy.remove(key)
            condition.broadcast()
            condition.unlock()
        }
        body()
    }

    func withLock<T>(_ key: String, _ body: () throws -> T) rethrows -> T {
        condition.lock()
        while busy.contains(key) { condition.wait() }
        busy.insert(key)
        condition.unlock()
        defer {
            condition.lock()
            busy.remove(key)
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }
}

/// The inventory sidecar: `DIGEST inventory.json` (E061).
enum OCFLSidecar {
    static func body(_ digest: String) -> Data { Data("\(digest) inventory.json\n".utf8) }

    /// The digest in a sidecar, or nil if it is not of the form `DIGEST<whitespace>inventory.json`.
    static func parse(_ data: Data) -> String? {
        guard let text = String(data: data, encoding: .utf8) else { return nil }
        var body = Substring(text)
        if body.hasSuffix("\n") { body = body.dropLast() }
        if body.hasSuffix("\r") { body = body.dropLast() }
        let parts = body.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, parts[1] == "inventory.json", !body.contains("\n"),
              DigestAlgorithm.isHex(parts[0]) else { return nil }
        return String(parts[0])
    }
}
