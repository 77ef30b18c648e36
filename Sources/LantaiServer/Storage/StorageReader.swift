import Foundation
import Logging
import Packaging

/// Reads records' objects for deliveries and exports: from the primary, or — when the primary
/// cannot be reached, has no root, or has lost or damaged the object's inventory — from the
/// first replica that holds it. Reading never writes anywhere, so falling back is always safe;
/// each object read from a replica is logged.
///
/// One reader serves one request or export: a location found unreachable is not asked again,
/// so a dead primary costs its retries once, not once per record. Not thread-safe (one caller).
final class StorageReader {
    private let locations: [StorageLocation]
    /// Root per location index: opened, missing (nil), or failed.
    private var roots: [Int: Result<OCFLStorageRoot?, any Error>] = [:]
    private let logger = Logger(label: "lantai.storage.reader")

    init(locations: [StorageLocation]) {
        self.locations = locations
    }

    private func root(_ index: Int) -> Result<OCFLStorageRoot?, any Error> {
        if let known = roots[index] { return known }
        let result = Result { try locations[index].existingRoot() }
        roots[index] = result
        return result
    }

    /// The object with this id, from the first location whose copy has a readable inventory.
    /// When no location has it, the primary's error is thrown (a 503 when it was unreachable).
    func object(_ id: String) throws -> OCFLObject {
        var firstError: (any Error)?
        for index in locations.indices {
            do {
                guard let root = try root(index).get() else {
                    throw OCFLError(.notFound, "no OCFL storage root at \(locations[index].spec.url)")
                }
                let object = root.object(id)
                _ = try object.inventory()
                if index > 0 {
                    let primary = firstError.map { Replication.reason($0) } ?? "unknown"
                    logger.warning("reading \(id) from replica \(locations[index].name): the primary failed (\(primary))")
                }
                return object
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        throw firstError ?? OCFLError(.notFound, "object \(id) is in no storage location")
    }
}
