import Foundation
import Packaging

/// The storage root the preservation commands read. Writers (accession, snapshots) go through
/// `TransferPreserveJob.storageRoot`, which creates the root on first use; an audit or a
/// rebuild must never create one, since an empty new root where the operator expected the
/// archives' holdings would read as "nothing to check" or "nothing to rebuild".
///
/// Everything else here talks to ``OCFLStorageRoot`` and its ``OCFLStorage`` only, so an S3
/// root (Storage's `BlobOCFLStorage`) needs a change in this one function and nowhere else.
enum PreservationStorage {
    static func existingRoot(_ config: LantaiConfiguration) throws -> OCFLStorageRoot {
        // Directory or S3, with the same error codes (no_storage_root, not_a_storage_root; 503 when unreachable).
        try NodeStorage.existingRoot(config)
    }

    /// Ids of the objects in a root, read from their inventories (not yet checked against
    /// their sidecars: the fixity audit does that). An object whose inventory cannot be read
    /// is listed with id nil, so the audit reports it rather than passing over it.
    static func objects(in root: OCFLStorageRoot) throws -> [(path: String, id: String?)] {
        try root.objectPaths().map { path in
            let id = try? OCFLInventory.decode(root.storage.readData(path + "/inventory.json", limit: 64 << 20)).id
            return (path, id)
        }
    }
}
