import Foundation
import Ingest
import Packaging

/// Recomputes the digests of every content file of an OCFL object, through the root's
/// ``OCFLStorage`` (a directory now, S3 later, the same code), and says what does not match.
///
/// Each file is read once, front to back in 1 MiB chunks, and fed to every hasher it has a
/// recorded digest for: the inventory's content address (SHA-512), the fixity block's
/// (SHA-256, and any other the engine computes, SM3 included when a block names it), and for a
/// record package the SM3 its METS records (PREMIS), since OCFL's fixity block has no SM3 name.
/// The root inventory is checked against its sidecar first: an inventory that does not match
/// cannot vouch for anything, and is itself the failure.
///
/// No Vapor and no database: this is the engine behind `lantai fixity audit` and the
/// `fixity.audit` job, which record what it returns.
public struct FixityAuditor: Sendable {
    public let root: OCFLStorageRoot
    public let location: String
    public let throttle: FixityThrottle?
    public let chunkSize: Int
    /// Where a record package keeps its METS (``ArchivalPackage``'s layout).
    static let packageMETSPath = "metadata/mets.xml"

    public init(root: OCFLStorageRoot, location: String = "primary", throttle: FixityThrottle? = nil, chunkSize: Int = 1 << 20) {
        self.root = root
        self.location = location
        self.throttle = throttle
        self.chunkSize = chunkSize
    }

    /// Audits the object with this id (a missing object is a failure: its content is lost).
    public func audit(objectID: String) -> FixityOutcome {
        audit(path: root.objectPath(for: objectID), id: objectID)
    }

    /// Audits the object at `path`; `id` is nil when its inventory could not even be parsed.
    public func audit(path: String, id: String?) -> FixityOutcome {
        var outcome = FixityOutcome(objectID: id ?? path, objectPath: path, location: location, startedAt: Date(),
                                    finishedAt: Date(), filesChecked: 0, bytesChecked: 0, failures: [], warnings: [])
        defer { outcome.finishedAt = Date() }
        let object = OCFLObject(storage: root.storage, path: path, id: id ?? "")
        guard (try? object.exists()) == true else {
            outcome.failures.append(FixityFailure(path: "", problem: .missing,
                                                  detail: "no OCFL object at \(path) / 存储中没有该对象"))
            return outcome
        }
        let inventory: OCFLInventory
        do {
            guard id != nil else { throw OCFLError(.corrupt, "inventory.json cannot be parsed") }
            inventory = try object.inventory()
        } catch {
            outcome.failures.append(FixityFailure(path: "inventory.json", problem: .inventory, detail: "\(error)"))
            return outcome
        }
        guard let addressing = DigestAlgorithm(rawValue: inventory.digestAlgorithm) else {
            outcome.failures.append(FixityFailure(path: "inventory.json", problem: .inventory,
                                                  detail: "unsupported digestAlgorithm \(inventory.digestAlgorithm)"))
            return outcome
        }
        let expected = expectedDigests(inventory, objectID: id ?? "", warnings: &outcome.warnings)
        let headPaths = logicalPathsByDigest(inventory)
        for (digest, contentPaths) in inventory.manifest.sorted(by: { $0.key < $1.key }) {
            for contentPath in contentPaths.sorted() {
                var wanted = [(addressing, digest.lowercased())]
                wanted += expected[contentPath] ?? []
                let failure = check(object, contentPath, wanted: wanted, outcome: &outcome)
                outcome.filesChecked += 1
                if var failure {
                    failure.logicalPaths = headPaths[digest.lowercased()] ?? []
                    outcome.failures.append(failure)
                }
            }
        }
        return outcome
    }

    /// Content path → further digests to check: the fixity block's, and a package's SM3 from its METS.
    private func expectedDigests(_ inventory: OCFLInventory, objectID: String,
                                 warnings: inout [String]) -> [String: [(DigestAlgorithm, String)]] {
        var out: [String: [(DigestAlgorithm, String)]] = [:]
        for (name, block) in inventory.fixity ?? [:] {
            guard let algorithm = DigestAlgorithm(rawValue: name.lowercased()) else {
                warnings.append("fixity algorithm \(name) is not one Lantai computes: not checked")
                continue
            }
            for (digest, paths) in block { for p in paths { out[p, default: []].append((algorithm, digest.lowercased())) } }
        }
        let isPackage = objectID.hasPrefix("info:lantai/") && !objectID.contains("/fonds/")
        let hasMETS = inventory.versions[inventory.head]?.logicalState[Self.packageMETSPath] != nil
        guard isPackage, hasMETS else { return out }
        do {
            let snapshot = try ArchivalPackage.read(objectID: objectID, in: root)
            for file in snapshot.files {
                guard let contentPath = inventory.contentPath(for: file.sha512) else { continue }
                if !(out[contentPath] ?? []).contains(where: { $0.0 == .sm3 }) {
                    out[contentPath, default: []].append((.sm3, file.sm3))
                }
            }
        } catch {
            warnings.append("METS cannot be read, so SM3 was not checked: \(error)")
        }
        return out
    }

    /// The head's logical paths of each content digest.
    private func logicalPathsByDigest(_ inventory: OCFLInventory) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for (digest, paths) in inventory.versions[inventory.head]?.state ?? [:] {
            out[digest.lowercased(), default: []] += paths.sorted()
        }
        return out
    }

    /// Reads one content file through every wanted hasher; nil when all digests match.
    private func check(_ object: OCFLObject, _ contentPath: String, wanted: [(DigestAlgorithm, String)],
                       outcome: inout FixityOutcome) -> FixityFailure? {
        var seen = Set<DigestAlgorithm>()
        var hashers = wanted.filter { seen.insert($0.0).inserted }.map { DigestHasher($0.0) }
        var bytes: Int64 = 0
        do {
            try object.storage.read(object.path.isEmpty ? contentPath : object.path + "/" + contentPath, chunkSize: chunkSize) { chunk in
                for i in hashers.indices { hashers[i].update(chunk) }
                bytes += Int64(chunk.count)
                throttle?.consumed(chunk.count)
            }
        } catch let e as OCFLStorageError where e.kind == .notFound {
            return FixityFailure(path: contentPath, problem: .missing, detail: e.message)
        } catch {
            return FixityFailure(path: contentPath, problem: .unreadable, detail: "\(error)")
        }
        outcome.bytesChecked += bytes
        let actual = Dictionary(hashers.map { ($0.algorithm, $0.finalizeHex()) }, uniquingKeysWith: { a, _ in a })
        let mismatches = wanted.compactMap { algorithm, expected -> FixityFailure.Digest? in
            guard let found = actual[algorithm], found != expected else { return nil }
            return FixityFailure.Digest(algorithm: algorithm.rawValue, expected: expected, actual: found)
        }
        return mismatches.isEmpty ? nil : FixityFailure(path: contentPath, problem: .mismatch, digests: mismatches)
    }
}
