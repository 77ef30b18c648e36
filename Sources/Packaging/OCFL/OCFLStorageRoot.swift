import Crypto
import Foundation

/// Errors from creating, reading or writing OCFL storage roots and objects. Each message says
/// what an operator can act on; codes are not attached because these are refusals to write,
/// not validation findings (use ``OCFLValidator`` for those).
public struct OCFLError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Hashable {
        /// The path is not an OCFL storage root / object, or it declares an unsupported version.
        case notOCFL
        /// A logical path the caller asked for breaks OCFL's path rules or cannot be stored here.
        case invalidLogicalPath
        case invalidObjectID
        /// The object, version or logical path asked for does not exist.
        case notFound
        /// Another writer committed a version of the same object first; re-read and retry.
        case conflict
        /// A source file changed while it was being ingested (its digest moved between passes).
        case sourceChanged
        /// The stored object fails a check the writer relies on (e.g. inventory ≠ sidecar digest).
        case corrupt
        /// Content read back did not match its manifest digest.
        case fixityMismatch
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// Configuration of community extension 0004 (hashed n-tuple storage layout): the object id's
/// digest, cut into `numberOfTuples` directories of `tupleSize` hex characters, then the whole
/// digest as the object's own directory.
public struct OCFLHashedNTupleLayout: Sendable, Hashable, Codable {
    public static let extensionName = "0004-hashed-n-tuple-storage-layout"

    public var extensionName: String = OCFLHashedNTupleLayout.extensionName
    public var digestAlgorithm: String = "sha256"
    public var tupleSize: Int = 3
    public var numberOfTuples: Int = 3
    public var shortObjectRoot: Bool = false

    public init(digestAlgorithm: String = "sha256", tupleSize: Int = 3, numberOfTuples: Int = 3, shortObjectRoot: Bool = false) {
        self.digestAlgorithm = digestAlgorithm
        self.tupleSize = tupleSize
        self.numberOfTuples = numberOfTuples
        self.shortObjectRoot = shortObjectRoot
    }

    enum CodingKeys: String, CodingKey {
        case extensionName, digestAlgorithm, tupleSize, numberOfTuples, shortObjectRoot
    }

    /// Missing parameters take the extension's defaults, as the extension requires.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        extensionName = try c.decodeIfPresent(String.self, forKey: .extensionName) ?? Self.extensionName
        digestAlgorithm = try c.decodeIfPresent(String.self, forKey: .digestAlgorithm) ?? "sha256"
        tupleSize = try c.decodeIfPresent(Int.self, forKey: .tupleSize) ?? 3
        numberOfTuples = try c.decodeIfPresent(Int.self, forKey: .numberOfTuples) ?? 3
        shortObjectRoot = try c.decodeIfPresent(Bool.self, forKey: .shortObjectRoot) ?? false
    }

    /// Nil if the parameters are usable, else why not.
    public var problem: String? {
        guard let algorithm = OCFLDigestAlgorithm(rawValue: digestAlgorithm) else {
            return "digestAlgorithm \(digestAlgorithm) is not one Lantai can compute"
        }
        if !(0...32).contains(tupleSize) || !(0...32).contains(numberOfTuples) { return "tupleSize and numberOfTuples must be 0…32" }
        if (tupleSize == 0) != (numberOfTuples == 0) { return "tupleSize and numberOfTuples must both be 0 or both be positive" }
        if tupleSize * numberOfTuples > algorithm.hexLength { return "tupleSize × numberOfTuples exceeds the digest length" }
        if shortObjectRoot && tupleSize * numberOfTuples == algorithm.hexLength { return "shortObjectRoot needs digest characters left over" }
        return nil
    }

    /// The object root path for an identifier.
    public func objectPath(for id: String) -> String {
        let algorithm = OCFLDigestAlgorithm(rawValue: digestAlgorithm) ?? .sha256
        let digest = algorithm.digestAlgorithm.hexDigest(of: Data(id.utf8))
        var parts: [String] = []
        var index = digest.startIndex
        for _ in 0..<numberOfTuples {
            let end = digest.index(index, offsetBy: tupleSize)
            parts.append(String(digest[index..<end]))
            index = end
        }
        parts.append(shortObjectRoot ? String(digest[index...]) : digest)
        return parts.joined(separator: "/")
    }
}

/// An OCFL 1.1 storage root: the `0=ocfl_1.1` declaration, `ocfl_layout.json` naming the
/// 0004 hashed n-tuple layout, and objects placed by that layout.
///
/// Why 0004: object ids in Lantai are archival codes and URNs full of `·`, `/` and Chinese;
/// hashing them gives portable, evenly spread directory names on any file system or bucket,
/// and the id is always recoverable from the object's own inventory.
public struct OCFLStorageRoot: Sendable {
    public static let declarationName = "0=ocfl_1.1"
    public static let declarationBody = "ocfl_1.1\n"
    /// Where writers stage versions before publishing them by rename. Inside `extensions/` so an
    /// abandoned staging area (after a crash) is at worst an unregistered-extension warning
    /// (W016), never a damaged object.
    public static let stagingDirectory = "extensions/lantai-staging"

    public let storage: any OCFLStorage
    public let layout: OCFLHashedNTupleLayout

    /// Creates a storage root in an empty (or missing) directory, or opens it if it is already one.
    public static func create(at url: URL, layout: OCFLHashedNTupleLayout = OCFLHashedNTupleLayout()) throws -> OCFLStorageRoot {
        let storage = FileSystemOCFLStorage(root: url)
        try storage.createDirectory("")
        return try create(storage: storage, layout: layout)
    }

    /// Creates a storage root on any storage, or opens it if it is already one.
    public static func create(storage: any OCFLStorage, layout: OCFLHashedNTupleLayout = OCFLHashedNTupleLayout()) throws -> OCFLStorageRoot {
        if try storage.exists(declarationName) { return try open(storage: storage) }
        if let problem = layout.problem { throw OCFLError(.notOCFL, "layout: \(problem)") }
        let entries = (try? storage.list("")) ?? []
        if !entries.isEmpty {
            throw OCFLError(.notOCFL, "refusing to create an OCFL storage root in a non-empty directory without \(declarationName)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try storage.write(ocflJoin("extensions", OCFLHashedNTupleLayout.extensionName, "config.json"), data: try encoder.encode(layout) + Data([0x0A]))
        let layoutFile: [String: String] = [
            "extension": OCFLHashedNTupleLayout.extensionName,
            "description": "OCFL object identifiers are hashed with \(layout.digestAlgorithm); the lowercase hex digest is split into \(layout.numberOfTuples) directories of \(layout.tupleSize) characters, then the \(layout.shortObjectRoot ? "rest of the" : "full") digest names the object root.",
        ]
        try storage.write("ocfl_layout.json", data: try encoder.encode(layoutFile) + Data([0x0A]))
        // The declaration goes last: a root is only a root once everything it promises is there.
        try storage.write(declarationName, data: Data(declarationBody.utf8))
        return OCFLStorageRoot(storage: storage, layout: layout)
    }

    public static func open(at url: URL) throws -> OCFLStorageRoot {
        try open(storage: FileSystemOCFLStorage(root: url))
    }

    /// Opens an existing storage root, reading its layout. Refuses anything that is not an OCFL
    /// 1.x root using the 0004 layout, because placing objects under a layout we do not speak would
    /// make them unfindable by other tools.
    public static func open(storage: any OCFLStorage) throws -> OCFLStorageRoot {
        let declarations = ((try? storage.list("")) ?? []).filter { $0.kind == .file && $0.name.hasPrefix("0=") }
        guard declarations.count == 1, let name = declarations.first?.name, name == declarationName || name == "0=ocfl_1.0" else {
            throw OCFLError(.notOCFL, "not an OCFL 1.1 storage root (no single \(declarationName) declaration)")
        }
        var layout = OCFLHashedNTupleLayout()
        if try storage.exists("ocfl_layout.json") {
            let data = try storage.readData("ocfl_layout.json", limit: 1 << 20)
            guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let ext = json["extension"] as? String else {
                throw OCFLError(.notOCFL, "ocfl_layout.json is not a JSON object with an extension name")
            }
            guard ext == OCFLHashedNTupleLayout.extensionName else {
                throw OCFLError(.notOCFL, "storage root uses layout \(ext); Lantai writes only \(OCFLHashedNTupleLayout.extensionName)")
            }
            let configPath = ocflJoin("extensions", ext, "config.json")
            if try storage.exists(configPath) {
                do {
                    layout = try JSONDecoder().decode(OCFLHashedNTupleLayout.self, from: storage.readData(configPath, limit: 1 << 20))
                } catch {
                    throw OCFLError(.notOCFL, "\(configPath) is not a valid 0004 configuration: \(error)")
                }
                if let problem = layout.problem { throw OCFLError(.notOCFL, "\(configPath): \(problem)") }
            }
        } else {
            throw OCFLError(.notOCFL, "storage root has no ocfl_layout.json, so object paths cannot be derived from ids")
        }
        return OCFLStorageRoot(storage: storage, layout: layout)
    }

    init(storage: any OCFLStorage, layout: OCFLHashedNTupleLayout) {
        self.storage = storage
        self.layout = layout
    }

    /// The same root through a storage that defers durability to ``synchronize()`` (see
    /// ``OCFLStorage/deferringDurability()``): for staging many objects at one flush.
    public func deferringDurability() -> OCFLStorageRoot {
        OCFLStorageRoot(storage: storage.deferringDurability(), layout: layout)
    }

    /// Makes everything written so far durable (see ``OCFLStorage/synchronize()``).
    public func synchronize() throws {
        try storage.synchronize()
    }

    /// The object root path of an identifier under this root's layout.
    public func objectPath(for id: String) -> String { layout.objectPath(for: id) }

    /// A handle on the object with this id (which need not exist yet).
    public func object(_ id: String) -> OCFLObject {
        OCFLObject(storage: storage, path: objectPath(for: id), id: id, stagingDirectory: Self.stagingDirectory)
    }

    /// Adds a version to an object, creating it if needed; see ``OCFLObject/createOrUpdate(files:message:user:created:options:)``.
    @discardableResult
    public func createOrUpdate(objectID: String, files: [(logicalPath: String, source: URL)], message: String,
                               user: OCFLUser, created: Date = Date(), options: OCFLWriteOptions = OCFLWriteOptions()) throws -> Int {
        try object(objectID).createOrUpdate(files: files, message: message, user: user, created: created, options: options)
    }

    /// Storage paths of every object root under this storage root (found by walking, so it also
    /// finds objects placed by other tools), sorted.
    public func objectPaths() throws -> [String] {
        var found: [String] = []
        func walk(_ dir: String) throws {
            let entries = try storage.list(dir)
            if entries.contains(where: { $0.kind == .file && $0.name.hasPrefix("0=ocfl_object_") }) {
                found.append(dir)
                return
            }
            for entry in entries where entry.kind == .directory {
                if dir.isEmpty && entry.name == "extensions" { continue }
                try walk(ocflJoin(dir, entry.name))
            }
        }
        try walk("")
        return found.sorted()
    }

    /// Removes staging areas that writers abandoned (a crash, a killed process) more than `age`
    /// seconds ago. Staging names start with their creation time, so this needs no clock on the
    /// storage side. Returns how many were removed.
    @discardableResult
    public func purgeAbandonedStaging(olderThan age: TimeInterval = 24 * 3600, now: Date = Date()) throws -> Int {
        guard try storage.exists(Self.stagingDirectory) else { return 0 }
        var removed = 0
        for entry in try storage.list(Self.stagingDirectory) {
            let stamp = entry.name.split(separator: "-").first.flatMap { Double($0) } ?? 0
            if now.timeIntervalSince1970 - stamp > age {
                try storage.remove(ocflJoin(Self.stagingDirectory, entry.name))
                removed += 1
            }
        }
        try storage.removeDirectoryIfEmpty(Self.stagingDirectory)
        return removed
    }
}
