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
        let url = URL(fileURLWithPath: config.storagePath)
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent(OCFLStorageRoot.declarationName).path) else {
            throw LantaiError(.notFound, code: "no_storage_root",
                              zh: "在 \(config.storagePath) 找不到 OCFL 存储根（请检查 LANTAI_STORAGE_URL / LANTAI_DATA_DIR）",
                              en: "there is no OCFL storage root at \(config.storagePath): check LANTAI_STORAGE_URL and LANTAI_DATA_DIR")
        }
        do {
            return try OCFLStorageRoot.open(at: url)
        } catch {
            throw LantaiError(.conflict, code: "not_a_storage_root",
                              zh: "\(config.storagePath) 不是可用的 OCFL 存储根：\(error)",
                              en: "\(config.storagePath) is not a usable OCFL storage root: \(error)")
        }
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
