import Foundation
import Packaging
import Storage

/// A storage location opened for work: its OCFL view (what OCFL code reads and writes) and its
/// blob store (sizes, buckets). Opening does no I/O.
struct StorageLocation: Sendable {
    let spec: StorageLocationSpec
    let storage: any OCFLStorage
    let store: any BlobStore

    var name: String { spec.name }

    /// The storage root here, or nil when there is none (yet). Throws a 503 ``LantaiError`` when
    /// the place cannot be reached, so that "no root" and "cannot tell" are never confused.
    func existingRoot() throws -> OCFLStorageRoot? {
        let hasRoot: Bool
        do {
            hasRoot = try storage.exists(OCFLStorageRoot.declarationName)
        } catch {
            throw NodeStorage.unavailable(spec, error)
        }
        guard hasRoot else { return nil }
        do {
            return try OCFLStorageRoot.open(storage: storage)
        } catch let e as OCFLError {
            throw LantaiError(.conflict, code: "not_a_storage_root", zh: "\(spec.name)（\(spec.url)）不是可用的 OCFL 存储根：\(e.message)",
                              en: "\(spec.name) (\(spec.url)) is not a usable OCFL storage root: \(e.message)")
        } catch {
            throw NodeStorage.unavailable(spec, error)
        }
    }

    /// The root here, created (with `layout`) when the place is empty.
    func root(creatingWith layout: OCFLHashedNTupleLayout) throws -> OCFLStorageRoot {
        if let root = try existingRoot() { return root }
        do {
            if spec.kind == .directory { try FileManager.default.createDirectory(atPath: spec.path, withIntermediateDirectories: true) }
            return try OCFLStorageRoot.create(storage: storage, layout: layout)
        } catch let e as OCFLError {
            throw LantaiError(.conflict, code: "not_a_storage_root", zh: "无法在 \(spec.name)（\(spec.url)）创建 OCFL 存储根：\(e.message)",
                              en: "cannot create an OCFL storage root at \(spec.name) (\(spec.url)): \(e.message)")
        } catch {
            throw NodeStorage.unavailable(spec, error)
        }
    }

    /// Creates an S3 bucket that is not there yet (restore, migration, import into a new place).
    /// Returns whether it did.
    func createBucketIfMissing() async throws -> Bool {
        guard let s3 = store as? S3BlobStore else { return false }
        do {
            return try await s3.createBucketIfMissing()
        } catch {
            throw NodeStorage.unavailable(spec, error)
        }
    }
}

/// The one way the node opens its storage: the primary (a directory or an S3 bucket, from
/// `LANTAI_STORAGE_URL` or a finished migration's switch) and the replicas. Every caller —
/// accession, snapshots, deliveries, exports, audits, rebuilds, replication — goes through here,
/// so an S3 root needs nothing else anywhere.
public enum NodeStorage {
    /// The primary in force: the configured one, unless a `lantai storage migrate` has switched
    /// it since this process read its configuration (a serving node follows at once).
    static func primarySpec(_ config: LantaiConfiguration) -> StorageLocationSpec {
        let configured = config.storage.environmentPrimary
        guard let record = StorageSwitch.load(dataDirectory: config.dataDirectory), record.applies(to: configured) else {
            return configured
        }
        if record == config.storage.switched { return config.storage.primary }
        return (try? StorageLocationSpec.parse(name: configured.name, url: record.to, offsite: configured.offsite,
                                               environment: config.storage.credentials)) ?? config.storage.primary
    }

    static func open(_ spec: StorageLocationSpec, config: LantaiConfiguration) -> StorageLocation {
        switch spec.kind {
        case .directory:
            let url = URL(fileURLWithPath: spec.path)
            return StorageLocation(spec: spec, storage: FileSystemOCFLStorage(root: url), store: FileSystemBlobStore(root: url))
        case .s3:
            // S3BlobStore's default client is process-wide (AsyncHTTPClient over NIO's singleton
            // event loops), so opening a location per call costs no connections.
            let store = S3BlobStore(location: spec.s3!)
            let spool = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("tmp/spool")
            return StorageLocation(spec: spec, storage: BlobOCFLStorage(store: store, spoolDirectory: spool), store: store)
        }
    }

    static func primary(_ config: LantaiConfiguration) -> StorageLocation {
        open(primarySpec(config), config: config)
    }

    /// The replicas, minus one that a migration made the primary.
    static func replicas(_ config: LantaiConfiguration) -> [StorageLocation] {
        let primary = primarySpec(config).identity
        return config.storage.replicas.filter { $0.identity != primary }.map { open($0, config: config) }
    }

    /// Every location, the primary first.
    static func all(_ config: LantaiConfiguration) -> [StorageLocation] {
        [primary(config)] + replicas(config)
    }

    /// A location by its configured name, or a location given as a URL (directory or s3://)
    /// for migration, restore and import. Unknown names are a 400 that lists the known ones.
    static func resolve(_ nameOrURL: String, config: LantaiConfiguration) throws -> StorageLocation {
        if let spec = config.storage.locations.first(where: { $0.name == nameOrURL }) {
            return spec.isPrimary ? primary(config) : open(spec, config: config)
        }
        if nameOrURL.contains("/") || nameOrURL.contains(":") {
            // An unconfigured place is named by its URL in events and messages.
            let spec = try StorageLocationSpec.parse(name: nameOrURL, url: nameOrURL, environment: config.storage.credentials)
            // A URL that is a configured place keeps that place's name (and off-site mark).
            if let known = all(config).first(where: { $0.spec.identity == spec.identity }) { return known }
            return open(spec, config: config)
        }
        let known = config.storage.locations.map(\.name).joined(separator: ", ")
        throw LantaiError(.badRequest, code: "unknown_location", zh: "没有名为 \(nameOrURL) 的存储位置（已配置：\(known)）",
                          en: "there is no storage location named \(nameOrURL) (configured: \(known))")
    }

    /// For writers (accession, catalogue snapshots): the primary root, created on first use.
    /// An unreachable primary is a 503 with the reason, before anything is written.
    static func writableRoot(_ config: LantaiConfiguration) throws -> OCFLStorageRoot {
        try primary(config).root(creatingWith: OCFLHashedNTupleLayout())
    }

    /// For audits and rebuilds: the primary root, which must exist — an empty new root where
    /// the operator expected the holdings would read as "nothing to check".
    static func existingRoot(_ config: LantaiConfiguration) throws -> OCFLStorageRoot {
        let location = primary(config)
        guard let root = try location.existingRoot() else {
            throw LantaiError(.notFound, code: "no_storage_root",
                              zh: "在 \(location.spec.url) 找不到 OCFL 存储根（请检查 LANTAI_STORAGE_URL / LANTAI_DATA_DIR）",
                              en: "there is no OCFL storage root at \(location.spec.url): check LANTAI_STORAGE_URL and LANTAI_DATA_DIR")
        }
        return root
    }

    /// For readers of records (deliveries, exports): objects from the primary, or from a
    /// replica when the primary cannot be reached or has lost the object.
    static func reader(_ config: LantaiConfiguration) -> StorageReader {
        StorageReader(locations: all(config))
    }

    /// The 503 for a location that cannot be reached (or refuses us), with the store's reason.
    static func unavailable(_ spec: StorageLocationSpec, _ error: any Error) -> LantaiError {
        if let e = error as? LantaiError { return e }
        let detail: String
        switch error {
        case let e as OCFLStorageError: detail = e.message
        case let e as StorageError: detail = e.description
        default: detail = String(describing: error)
        }
        return LantaiError(.serviceUnavailable, code: "storage_unavailable",
                           zh: "存储位置 \(spec.name)（\(spec.url)）不可用，未写入任何内容，请稍后重试：\(detail)",
                           en: "storage location \(spec.name) (\(spec.url)) is unavailable; nothing was written, try again later: \(detail)")
    }
}
