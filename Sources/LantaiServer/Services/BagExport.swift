import ArchiveKit
import Fluent
import Foundation
import Packaging

/// `lantai export bag`: a record's archival package, or every record of a transfer, written out
/// as a BagIt bag that any BagIt tool can validate — files exactly as preserved (checked against
/// their OCFL digests on the way out) and each record's METS beside them.
public enum BagExport {
    public struct Result: Sendable {
        public var bag: URL
        public var records: Int
        public var files: Int
    }

    /// `what` is a record id, a 档号, or a transfer id.
    public static func export(_ what: String, to directory: URL, config: LantaiConfiguration, actor: String,
                              on db: any Database) async throws -> Result {
        var items: [ItemModel] = []
        var name = what
        if let id = UUID(uuidString: what) {
            if let item = try await ItemModel.find(id, on: db) {
                items = [item]
                name = item.archivalCode
            } else {
                items = try await ItemModel.query(on: db).filter(\.$transferID == id).sort(\.$archivalCode).all()
                name = "transfer-\(id.uuidString)"
            }
        } else if let item = try await ItemModel.query(on: db).filter(\.$archivalCode == what).first() {
            items = [item]
        }
        guard !items.isEmpty else {
            throw LantaiError.notFound("record or transfer \(what)", zh: "档案或移交 \(what)")
        }
        let unpreserved = items.filter { $0.objectID == nil }
        guard unpreserved.isEmpty else {
            throw LantaiError(.conflict, code: "not_preserved", zh: "\(unpreserved[0].archivalCode) 尚无归档信息包，无法导出",
                              en: "\(unpreserved[0].archivalCode) has no archival package yet, so it cannot be exported")
        }
        let root = NodeStorage.reader(config)  // the primary, or a replica when the primary cannot serve
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        var payload: [(relativePath: String, source: URL)] = []
        for item in items {
            let object = try root.object(item.objectID!)
            for logical in try object.state().keys.sorted() {
                let out = scratch.appendingPathComponent(UUID().uuidString)
                FileManager.default.createFile(atPath: out.path, contents: nil)
                let handle = try FileHandle(forWritingTo: out)
                defer { try? handle.close() }
                try object.read(logicalPath: logical) { try handle.write(contentsOf: $0) }
                // One folder per record, named by its 档号 (a file-system-safe spelling of it).
                payload.append((relativePath: "\(safeName(item.archivalCode))/\(logical)", source: out))
            }
        }
        let bag = directory.appendingPathComponent(safeName(name))
        guard !FileManager.default.fileExists(atPath: bag.path) else {
            throw LantaiError(.conflict, code: "exists", zh: "目标目录已存在：\(bag.path)", en: "the target exists already: \(bag.path)")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try BagWriter.write(bagAt: bag, payload: payload, bagInfo: [
            ("Source-Organization", config.nodeName),
            ("External-Identifier", name),
            ("External-Description", "\(items.count) 条档案，自兰台节点 \(config.nodeCode) 导出 / \(items.count) records exported from Lantai node \(config.nodeCode)"),
        ])
        try await AuditTrail.record(on: db, actor: actor, action: "export.bag", subject: name,
                                    ["records": String(items.count), "files": String(payload.count), "to": bag.path])
        return Result(bag: bag, records: items.count, files: payload.count)
    }

    /// 档号 contain "·", which every file system takes, but "/" would not be; keep the rest.
    static func safeName(_ s: String) -> String {
        String(s.map { $0 == "/" || $0 == "\\" || $0 == ":" ? "_" : $0 })
    }
}
