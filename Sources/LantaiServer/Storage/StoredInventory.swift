import Foundation
import Packaging

/// An object's copy somewhere: a storage, and the object's root path in it (`""` when the
/// storage is the object itself, as in an imported bag's payload).
struct ObjectPlace: Sendable {
    var name: String
    var storage: any OCFLStorage
    var path: String

    func file(_ relative: String) -> String {
        path.isEmpty ? relative : path + "/" + relative
    }
}

/// An inventory as stored — its bytes, decoded, and vouched for by its sidecar — because
/// copying and comparing copies works on bytes: two copies agree when their inventories are
/// byte-identical, and a copy is only as good as an inventory that matches its sidecar.
struct StoredInventory: Sendable {
    let data: Data
    let inventory: OCFLInventory
    let algorithm: OCFLDigestAlgorithm
    let sidecarName: String
    let sidecarData: Data
    /// The inventory's digest, as its sidecar records it.
    let digest: String

    var head: Int { inventory.headNumber ?? 0 }

    enum Reading: Sendable {
        case absent
        case valid(StoredInventory)
        case invalid(String)

        var valid: StoredInventory? {
            if case .valid(let s) = self { return s }
            return nil
        }
    }

    /// Reads `directory/inventory.json` and its sidecar. A missing inventory is `.absent`, an
    /// unreadable or unvouched one `.invalid`; only failures to reach the storage throw.
    static func read(_ storage: any OCFLStorage, directory: String) throws -> Reading {
        let base = directory.isEmpty ? "" : directory + "/"
        let data: Data
        do {
            data = try storage.readData(base + "inventory.json", limit: 256 << 20)
        } catch let e as OCFLStorageError where e.kind == .notFound {
            return .absent
        }
        let inventory: OCFLInventory
        do {
            inventory = try OCFLInventory.decode(data)
        } catch {
            return .invalid("inventory.json cannot be parsed: \(error)")
        }
        guard let algorithm = OCFLDigestAlgorithm(rawValue: inventory.digestAlgorithm), algorithm.isContentAddressing else {
            return .invalid("inventory.json uses digest algorithm \(inventory.digestAlgorithm)")
        }
        let sidecarName = "inventory.json." + algorithm.rawValue
        let sidecar: Data
        do {
            sidecar = try storage.readData(base + sidecarName, limit: 4096)
        } catch let e as OCFLStorageError where e.kind == .notFound {
            return .invalid("\(sidecarName) is missing")
        }
        let digest = hexDigest(data, algorithm)
        guard let recorded = parseSidecar(sidecar), recorded.lowercased() == digest else {
            return .invalid("inventory.json does not match \(sidecarName)")
        }
        return .valid(StoredInventory(data: data, inventory: inventory, algorithm: algorithm, sidecarName: sidecarName,
                                      sidecarData: sidecar, digest: digest))
    }

    /// The digest a sidecar records (`DIGEST inventory.json`), without reading the inventory:
    /// the cheap question "has this object changed since we last looked?". Nil when there is none.
    static func sidecarDigest(_ storage: any OCFLStorage, directory: String) throws -> String? {
        for algorithm in ["sha512", "sha256"] {
            do {
                let data = try storage.readData(directory + "/inventory.json." + algorithm, limit: 4096)
                return parseSidecar(data)?.lowercased()
            } catch let e as OCFLStorageError where e.kind == .notFound {
                continue
            }
        }
        return nil
    }

    static func parseSidecar(_ data: Data) -> String? {
        guard let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        guard parts.count == 2, parts[1] == "inventory.json", !parts[0].isEmpty, parts[0].allSatisfy(\.isHexDigit) else { return nil }
        return String(parts[0])
    }

    static func hexDigest(_ data: Data, _ algorithm: OCFLDigestAlgorithm) -> String {
        var hasher = DigestHasher(algorithm.digestAlgorithm)
        hasher.update(data)
        return hasher.finalizeHex()
    }

    /// Whether `self` is an earlier state of `later`: same object, and every version and
    /// content address of `self` unchanged in `later`, which has more versions. Such a copy is
    /// behind and can be brought forward; any other difference is a divergence to report.
    func isAncestor(of later: StoredInventory) -> Bool {
        let a = inventory, b = later.inventory
        guard a.id == b.id, a.digestAlgorithm == b.digestAlgorithm, head < later.head,
              a.effectiveContentDirectory == b.effectiveContentDirectory else { return false }
        for (name, record) in a.versions where b.versions[name] != record { return false }
        for (digest, paths) in a.manifest {
            guard let others = b.manifest[digest], Set(paths).isSubset(of: Set(others)) else { return false }
        }
        return true
    }
}
