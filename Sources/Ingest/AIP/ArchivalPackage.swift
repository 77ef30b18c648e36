import ArchiveKit
import Dispatch
import Foundation
import Packaging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Archival information packages (AIPs): a record, its files and its preservation history kept
/// as one self-describing OCFL 1.1 object, so that the catalogue database can be rebuilt from
/// storage alone (DESIGN.md, "Storage is the source of truth").
///
/// One object per catalogue record (a 件, or a 案卷 described on its own), not per transfer:
/// a record is what is described, opened, corrected and eventually disposed of, so its files
/// and metadata version together, and a description edit touches one small object rather than
/// a whole transfer. (The transfer stays visible in the events: the ingestion event names it.)
///
/// Each version of the object holds
///
///     content/<name as sent>   the agency's files, names kept byte for byte
///     metadata/mets.xml        METS 1.12: Dublin Core + DA/T 18 descriptions, PREMIS 3
///                              (file objects with SHA-256/SHA-512/SM3, the record as an
///                              intellectual entity, events, agents), fileSec, structMap
///
/// Versions are full states: unchanged content is not stored again (OCFL deduplicates by
/// SHA-512), so a description edit adds one METS file. Every version's METS carries the whole
/// event history, so the head alone is enough to rebuild the record.
public enum ArchivalPackage {
    /// The Lantai version recorded as the software agent (METS creator, PREMIS agent).
    public static let softwareVersion = "1.0.0"

    /// The OCFL object id of a record: `info:lantai/<node code>/<档号>`.
    ///
    /// - The 档号 rather than the item UUID, so that an operator holding only a storage root (or
    ///   a box label) can find a record's object, and other OCFL tools list meaningful ids.
    ///   A 档号 is assigned once, at acceptance, and is unique within a node (DA/T 13 puts the
    ///   fonds in it); the UUID is kept inside, in the METS header and PREMIS.
    /// - The node code, because the city node keeps replicas of district nodes' storage and a
    ///   union catalogue: two nodes may use the same fonds numbers, and ids must stay unique
    ///   wherever the objects travel.
    /// - An `info:` URI because OCFL asks for URI ids (W005); the 0004 layout hashes the id, so
    ///   `·`, `/` and any Unicode in it never become directory names.
    public static func objectID(node: String, archivalCode: String) -> String {
        "info:lantai/\(node)/\(archivalCode)"
    }

    /// Writes a record as a new version of its object (creating the object on first write) and
    /// returns the object id and version number.
    ///
    /// - `files`: the complete list of the record's files for this version (an empty list is a
    ///   description-only package, e.g. a paper record). Unchanged files are deduplicated by
    ///   OCFL, so re-supplying them costs a digest, not a copy.
    /// - `events`: this version's events. Events already in the object's head METS that are not
    ///   given again (by id) are kept, first and in their order, so the head always has the
    ///   whole history.
    /// - `user`: the archivist making the version (OCFL `user`; METS ARCHIVIST agent).
    ///
    /// Refuses, writing nothing: a record whose values METS, PREMIS or OCFL cannot carry; a
    /// source that does not match its recorded size or digests (see ``AIPWriteOptions/verifySources``);
    /// a 档号 already preserved for another item UUID. A crash during the write leaves the
    /// previous version (OCFL publishes a version by rename, inventory last).
    @discardableResult
    public static func preserve(_ record: AIPRecord, files: [AIPFile], events: [AIPEvent], node: AIPNode,
                                in root: OCFLStorageRoot, message: String, user: (name: String, address: String),
                                options: AIPWriteOptions = AIPWriteOptions()) throws -> AIPWriteResult {
        try check(record, files: files, node: node)
        let id = objectID(node: node.code, archivalCode: record.archivalCode)
        let object = root.object(id)
        let date = options.date ?? Date()
        if options.verifySources { try AIPSourceCheck.verify(files) }

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-aip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let metsURL = scratch.appendingPathComponent("mets.xml")
        let ocflUser = OCFLUser(name: user.name, address: user.address.isEmpty ? nil : user.address)
        let given = Set(events.map(\.id))

        // The METS is built from the head it follows. Should another writer of the same record
        // (another instance, outside the job lease) commit in between, the version written here
        // lacks that writer's events; they are collected from its versions and written again,
        // and as events merge by id and content deduplicates, the repeat adds only a METS file.
        var interleaved: [AIPEvent] = []
        let attempts = 5
        for attempt in 1...attempts {
            var previous: AIPRecordSnapshot?
            if try object.exists() {
                let before = try read(object: object, version: nil)
                guard before.itemID == record.itemID else {
                    throw AIPError.identityConflict(
                        objectID: id,
                        reason: "档号 \(record.archivalCode) is already preserved for item \(before.itemID.uuidString.lowercased()), not \(record.itemID.uuidString.lowercased())")
                }
                previous = before
            }
            var seen = given
            let carried = ((previous?.events ?? []) + interleaved).filter { seen.insert($0.id).inserted }
            let writer = AIPMETSWriter(objectID: id, record: record, files: files.map(\.stored), events: carried + events,
                                       historyIDs: Set(carried.map(\.id)), node: node, user: ocflUser,
                                       software: options.software, created: previous?.created ?? date,
                                       lastModified: previous == nil ? nil : date)
            try writer.xml().write(to: metsURL)

            var state = files.map { (logicalPath: AIPLayout.logicalPath($0.name), source: $0.source) }
            state.append((logicalPath: AIPLayout.metsPath, source: metsURL))
            let version: Int
            do {
                version = try object.createOrUpdate(files: state, message: message, user: ocflUser, created: date,
                                                    options: OCFLWriteOptions(mode: .replace, fixityAlgorithms: [.sha256]))
            } catch let e as OCFLError where e.kind == .conflict && attempt < attempts {
                continue  // another writer published first (or created the object); build on its version
            }
            try confirmStored(files, in: object, version: version)
            let expected = (previous?.version ?? 0) + 1
            if version == expected || attempt == attempts {
                return AIPWriteResult(objectID: id, version: version)
            }
            for other in expected..<version {
                interleaved += try read(object: object, version: other).events
            }
        }
        fatalError("unreachable: the last attempt returns")
    }

    /// Writes many records, each as ``preserve(_:files:events:node:in:message:user:options:)``
    /// would, and returns a result per request, in order. What differs is the cost, not the
    /// outcome: an ingest of thousands of small records spends its time flushing, not writing.
    ///
    /// - New objects are staged side by side on `concurrency` threads through a storage that
    ///   defers durability, each source copied and digested in one pass (size, SHA-512, SHA-256
    ///   and, with ``AIPWriteOptions/verifySources``, SM3 compared with what the checks recorded
    ///   before anything is published); then one flush makes every staged object durable, they
    ///   are published by rename, and a second flush makes the renames durable. So a published
    ///   object is whole even after a power cut, and every success is durable when this returns:
    ///   a caller may record it in the catalogue at once.
    /// - A crash leaves abandoned staging areas (purged by age) and perhaps objects that no
    ///   catalogue row names yet, which writing the record again turns into a new version.
    /// - Records whose object already exists (a re-run after a crash) are written one by one.
    public static func preserve(_ requests: [AIPPreserveRequest], node: AIPNode, in root: OCFLStorageRoot, message: String,
                                user: (name: String, address: String), options: AIPWriteOptions = AIPWriteOptions(),
                                concurrency: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Result<AIPWriteResult, any Error>] {
        enum Plan {
            case staged(OCFLObject, OCFLStagedVersion)
            case oneByOne
            case done(Result<AIPWriteResult, any Error>)
        }
        let deferred = root.deferringDurability()
        let ocflUser = OCFLUser(name: user.name, address: user.address.isEmpty ? nil : user.address)
        let slots = ParallelSlots<Plan>(count: requests.count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(concurrency, requests.count))) { _ in
            while let i = slots.take() {
                let request = requests[i]
                do {
                    if let (object, staged) = try stageNew(request, node: node, in: deferred, message: message, user: ocflUser, options: options) {
                        slots.set(i, .staged(object, staged))
                    } else {
                        slots.set(i, .oneByOne)
                    }
                } catch {
                    slots.set(i, .done(.failure(error)))
                }
            }
        }
        var plans = slots.values()

        // Staged content is durable before any of it becomes visible.
        var flushed: Result<Void, any Error> = Result { try deferred.synchronize() }
        for i in plans.indices {
            guard case .staged(let object, let staged) = plans[i] else { continue }
            if case .failure(let error) = flushed {
                object.discard(staged)
                plans[i] = .done(.failure(error))
                continue
            }
            do {
                let version = try object.publish(staged)
                plans[i] = .done(.success(AIPWriteResult(objectID: staged.objectID, version: version)))
            } catch let e as OCFLError where e.kind == .conflict {
                plans[i] = .oneByOne  // another writer created the object meanwhile; build on its version
            } catch {
                plans[i] = .done(.failure(error))
            }
        }
        // The publishing renames are durable before the caller may point at them.
        flushed = Result { try deferred.synchronize() }
        return plans.enumerated().map { i, plan in
            switch plan {
            case .done(.success(let result)):
                if case .failure(let error) = flushed { return .failure(error) }
                return .success(result)
            case .done(let result):
                return result
            case .staged:
                fatalError("unreachable: every staged version was published or dropped")
            case .oneByOne:
                let r = requests[i]
                return Result {
                    try preserve(r.record, files: r.files, events: r.events, node: node, in: root, message: message, user: user,
                                 options: options)
                }
            }
        }
    }

    /// Stages the first version of a record's object, its sources verified on the way; nil when
    /// the object already exists (the one-by-one path then builds on its head).
    static func stageNew(_ request: AIPPreserveRequest, node: AIPNode, in root: OCFLStorageRoot, message: String,
                         user: OCFLUser, options: AIPWriteOptions) throws -> (OCFLObject, OCFLStagedVersion)? {
        let (record, files, events) = (request.record, request.files, request.events)
        try check(record, files: files, node: node)
        let id = objectID(node: node.code, archivalCode: record.archivalCode)
        let object = root.object(id)
        if try object.exists() { return nil }
        if options.verifySources {
            for f in files {
                let size = try AIPSourceCheck.size(of: f.source)
                if size != f.size {
                    throw AIPError.sourceMismatch(file: f.name, reason: "is \(size) bytes, the checks recorded \(f.size)")
                }
            }
        }
        let date = options.date ?? Date()
        let writer = AIPMETSWriter(objectID: id, record: record, files: files.map(\.stored), events: events, historyIDs: [],
                                   node: node, user: user, software: options.software, created: date, lastModified: nil)
        var state = files.map { (logicalPath: AIPLayout.logicalPath($0.name), source: OCFLSource.file($0.source)) }
        state.append((logicalPath: AIPLayout.metsPath, source: .data(try writer.xml())))
        let staged = try object.stage(files: state, message: message, user: user, created: date,
                                      options: OCFLWriteOptions(mode: .replace, fixityAlgorithms: [.sha256]),
                                      additionalDigests: options.verifySources ? [.sm3] : [])
        guard staged.number == 1 else {
            object.discard(staged)  // created by another writer since the look above
            return nil
        }
        // The copy's own digests against the checks' record: nothing is published that differs.
        for f in files {
            let read = staged.digests[AIPLayout.logicalPath(f.name)] ?? [:]
            var expected: [(DigestAlgorithm, String)] = [(.sha512, f.sha512), (.sha256, f.sha256)]
            if options.verifySources { expected.append((.sm3, f.sm3)) }
            for (algorithm, recorded) in expected where read[algorithm] != recorded {
                object.discard(staged)
                throw AIPError.sourceMismatch(file: f.name,
                                              reason: "\(algorithm.premisName) is \(read[algorithm] ?? "?"), the checks recorded \(recorded)")
            }
        }
        return (object, staged)
    }

    /// The record as the head version of its object describes it.
    public static func read(objectID: String, in root: OCFLStorageRoot) throws -> AIPRecordSnapshot {
        try read(objectID: objectID, version: nil, in: root)
    }

    /// The record as version `version` of its object describes it (the head when nil), checked
    /// against the object: the METS names the object, and each file's SHA-512 is the digest the
    /// version's inventory holds for it.
    public static func read(objectID: String, version: Int?, in root: OCFLStorageRoot) throws -> AIPRecordSnapshot {
        let object = root.object(objectID)
        guard try object.exists() else { throw AIPError.notFound("object \(objectID)") }
        return try read(object: object, version: version)
    }

    /// A record from METS bytes alone (no object around them): for tools that copy packages
    /// out of storage. No cross-check with an inventory is possible here.
    public static func snapshot(fromMETS data: Data) throws -> AIPRecordSnapshot {
        try AIPMETSReader.snapshot(from: data, objectID: nil)
    }

    /// Ids of every AIP in a storage root (objects whose id is an `info:lantai/` id), sorted:
    /// what `lantai rebuild-catalog` walks.
    public static func objectIDs(in root: OCFLStorageRoot) throws -> [String] {
        var ids: [String] = []
        for path in try root.objectPaths() {
            let data = try root.storage.readData(path + "/inventory.json", limit: 64 << 20)
            let inventory = try OCFLInventory.decode(data)
            if inventory.id.hasPrefix("info:lantai/") { ids.append(inventory.id) }
        }
        return ids.sorted()
    }

    // MARK: - Internals

    static func read(object: OCFLObject, version: Int?) throws -> AIPRecordSnapshot {
        let inventory = try object.inventory()
        let number = version ?? inventory.headNumber ?? 0
        guard let record = inventory.version(number)?.record else {
            throw AIPError.notFound("version \(number) of object \(object.id)")
        }
        let data: Data
        do {
            data = try object.data(logicalPath: AIPLayout.metsPath, version: number)
        } catch let e as OCFLError where e.kind == .notFound {
            throw AIPError.unreadable(objectID: object.id, reason: "v\(number) has no \(AIPLayout.metsPath)")
        }
        var snapshot = try AIPMETSReader.snapshot(from: data, objectID: object.id)
        snapshot.version = number
        let state = record.logicalState
        for f in snapshot.files {
            guard let digest = state[AIPLayout.logicalPath(f.name)] else {
                throw AIPError.unreadable(objectID: object.id, reason: "METS lists \(f.name), which v\(number) does not hold")
            }
            guard digest.lowercased() == f.sha512 else {
                throw AIPError.unreadable(objectID: object.id, reason: "METS SHA-512 of \(f.name) differs from the inventory's")
            }
        }
        return snapshot
    }

    /// Checks what OCFL, METS and PREMIS would refuse, before anything is read or written, so
    /// the caller gets the field and the reason rather than a writer's error.
    static func check(_ record: AIPRecord, files: [AIPFile], node: AIPNode) throws {
        func nonEmpty(_ field: String, _ value: String) throws {
            if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw AIPError.invalidInput(field: field, reason: "is empty")
            }
            if let bad = XMLMarkup.firstDisallowedScalar(in: value) {
                throw AIPError.invalidInput(field: field, reason: "contains U+\(String(bad.value, radix: 16, uppercase: true)), which XML cannot carry")
            }
        }
        try nonEmpty("node.code", node.code)
        try nonEmpty("record.archivalCode", record.archivalCode)
        try nonEmpty("record.fonds", record.fonds)
        if node.code.contains("/") { throw AIPError.invalidInput(field: "node.code", reason: "must not contain /") }
        if let parent = record.parentArchivalCode { try nonEmpty("record.parentArchivalCode", parent) }

        var seen = Set<[UInt8]>()
        var seenCanonical = Set<String>()
        for (i, f) in files.enumerated() {
            let field = "files[\(i)]"
            try nonEmpty(field + ".name", f.name)
            for element in f.name.split(separator: "/", omittingEmptySubsequences: false) {
                if element.isEmpty || element == "." || element == ".." {
                    throw AIPError.invalidInput(field: field + ".name",
                                                reason: "\(String(reflecting: f.name)) has an empty, . or .. path element")
                }
                if element.utf8.count > 255 {
                    throw AIPError.invalidInput(field: field + ".name", reason: "a path element of \(String(reflecting: f.name)) is longer than 255 bytes")
                }
            }
            guard seen.insert(Array(f.name.utf8)).inserted else {
                throw AIPError.invalidInput(field: field + ".name", reason: "\(String(reflecting: f.name)) is given twice")
            }
            guard seenCanonical.insert(f.name).inserted else {
                throw AIPError.invalidInput(field: field + ".name",
                                            reason: "\(String(reflecting: f.name)) differs from another file's name only in Unicode normalisation")
            }
            if f.size < 0 { throw AIPError.invalidInput(field: field + ".size", reason: "is negative") }
            for (algorithm, digest, length) in [("sha256", f.sha256, 64), ("sha512", f.sha512, 128), ("sm3", f.sm3, 64)] {
                if digest.utf8.count != length || !digest.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) {
                    throw AIPError.invalidInput(field: field + "." + algorithm, reason: "must be \(length) hex digits")
                }
            }
            if let puid = f.format.puid, !PREMISFormat.isPUID(puid) {
                throw AIPError.invalidInput(field: field + ".format.puid", reason: "\(String(reflecting: puid)) is not a PRONOM PUID")
            }
        }
    }

    /// The version's inventory must hold, for each file, the SHA-512 the METS records and, in
    /// its fixity block, the SHA-256: otherwise a source changed between check and copy.
    static func confirmStored(_ files: [AIPFile], in object: OCFLObject, version: Int) throws {
        let inventory = try object.inventory()
        guard let state = inventory.version(version)?.record.logicalState else {
            throw AIPError.notFound("version \(version) of object \(object.id)")
        }
        let sha256Paths = inventory.fixity?["sha256"] ?? [:]
        for f in files {
            guard let digest = state[AIPLayout.logicalPath(f.name)], digest.lowercased() == f.sha512 else {
                throw AIPError.storedContentMismatch(objectID: object.id, version: version,
                                                     reason: "\(f.name) was stored with a SHA-512 other than the one the METS records")
            }
            if let contentPath = inventory.contentPath(for: digest), !sha256Paths.isEmpty {
                let recorded = sha256Paths.first { $0.value.contains(contentPath) }?.key.lowercased()
                if let recorded, recorded != f.sha256 {
                    throw AIPError.storedContentMismatch(objectID: object.id, version: version,
                                                         reason: "\(f.name) was stored with a SHA-256 other than the one the METS records")
                }
            }
        }
    }
}

/// One record for the batch ``ArchivalPackage/preserve(_:node:in:message:user:options:concurrency:)``.
public struct AIPPreserveRequest: Sendable {
    public var record: AIPRecord
    public var files: [AIPFile]
    public var events: [AIPEvent]

    public init(record: AIPRecord, files: [AIPFile], events: [AIPEvent]) {
        self.record = record
        self.files = files
        self.events = events
    }
}

/// Confirms sources against the digests the transfer checks recorded.
enum AIPSourceCheck {
    /// lstat(2), not Foundation's attributes: this runs once per file of every ingest.
    static func size(of url: URL) throws -> Int64 {
        var st = stat()
        guard lstat(url.path, &st) == 0 else {
            throw AIPError.sourceMismatch(file: url.path, reason: "cannot be read: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw AIPError.sourceMismatch(file: url.path, reason: "is not a regular file")
        }
        return Int64(st.st_size)
    }

    /// Size first (cheap), then SHA-512, SHA-256 and SM3 in one pass per file, files in parallel.
    static func verify(_ files: [AIPFile]) throws {
        for f in files {
            let size = try Self.size(of: f.source)
            if size != f.size {
                throw AIPError.sourceMismatch(file: f.name, reason: "is \(size) bytes, the checks recorded \(f.size)")
            }
        }
        let results = FileDigest.results(of: files.map(\.source), algorithms: [.sha512, .sha256, .sm3])
        for (f, result) in zip(files, results) {
            let digests: [DigestAlgorithm: String]
            switch result {
            case .success(let d): digests = d
            case .failure(let e): throw AIPError.sourceMismatch(file: f.name, reason: "cannot be read: \(e)")
            }
            for (algorithm, recorded) in [(DigestAlgorithm.sha512, f.sha512), (.sha256, f.sha256), (.sm3, f.sm3)]
            where digests[algorithm] != recorded {
                throw AIPError.sourceMismatch(file: f.name,
                                              reason: "\(algorithm.premisName) is \(digests[algorithm] ?? "?"), the checks recorded \(recorded)")
            }
        }
    }
}
