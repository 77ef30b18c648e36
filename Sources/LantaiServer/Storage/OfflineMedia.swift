import Crypto
import Fluent
import Foundation
import Packaging
import SQLKit
import Vapor

/// Offline media (异质备份): objects exported as BagIt bags to a directory, laid out in volumes
/// for writing to optical discs or tape, and imported back.
///
/// Each bag's payload is one whole OCFL object — every version, inventory, sidecar and
/// declaration — so an import restores the object byte for byte, history included, and any
/// BagIt tool can check a disc without Lantai. Layout:
///
///     DIR/manifest.json, DIR/manifest.txt    every bag: volume, object id, head, files, bytes,
///                                            SHA-256 of its tagmanifest; total size; volume size
///     DIR/vol-0001/lantai-volume.json        that volume's part of the manifest (each disc describes itself)
///     DIR/vol-0001/<bag>/                    bags named by the object root's digest name
///
/// Bags are assigned to volumes in order until the next would exceed the volume size; a bag
/// larger than a volume gets one of its own, with a warning (use a larger medium for it).
/// Each object is copied out through ``ObjectSync`` (every file checked against its inventory
/// on the way), so a damaged stored file is never written to a disc.
public enum OfflineMedia {
    public static let manifestFormat = "lantai-offline-media/1"

    public struct BagEntry: Codable, Sendable {
        public var volume: String
        public var bag: String
        public var objectId: String
        public var head: String
        public var files: Int
        public var bytes: Int64
        public var tagmanifestSHA256: String
    }

    public struct Volume: Codable, Sendable {
        public var name: String
        public var bytes: Int64
        public var bags: [BagEntry]
    }

    public struct Manifest: Codable, Sendable {
        public var format = OfflineMedia.manifestFormat
        public var node: String
        public var nodeName: String
        public var created: String
        public var fonds: String?
        public var volumeSize: Int64
        public var totalBytes: Int64
        public var bagCount: Int
        public var volumes: [Volume]
    }

    public struct ExportSummary: Sendable {
        public var directory: URL
        public var manifest: Manifest
        public var warnings: [String]
        public var seconds: Double

        public var text: String {
            var s = "wrote \(manifest.bagCount) bags, \(StorageFigures.mib(manifest.totalBytes)) in \(manifest.volumes.count) volumes of at most "
                + "\(StorageFigures.mib(manifest.volumeSize)) to \(directory.path) in \(String(format: "%.1f", seconds)) s"
            for volume in manifest.volumes { s += "\n  \(volume.name): \(volume.bags.count) bags, \(StorageFigures.mib(volume.bytes))" }
            for w in warnings { s += "\nwarning: \(w)" }
            return s
        }
    }

    /// Sizes like `4.7GB`, `25GB`, `700MB` (decimal, as media are sold), `4GiB`, or bytes.
    public static func parseSize(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(String, Double)] = [("TIB", 1_099_511_627_776), ("GIB", 1_073_741_824), ("MIB", 1_048_576), ("KIB", 1024),
                                         ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("B", 1)]
        for (unit, factor) in units where t.hasSuffix(unit) {
            guard let n = Double(t.dropLast(unit.count).trimmingCharacters(in: .whitespaces)), n > 0 else { return nil }
            return Int64(n * factor)
        }
        return Int64(t).flatMap { $0 > 0 ? $0 : nil }
    }

    // MARK: - Export

    static func export(to directory: URL, fonds: String?, volumeSize: Int64, app: Application, agent: String,
                       output: @escaping @Sendable (String) -> Void = { _ in }) async throws -> ExportSummary {
        let work = StorageWork(app: app)
        let config = work.config
        let started = Date()
        let fm = FileManager.default
        if fm.fileExists(atPath: directory.path), !((try? fm.contentsOfDirectory(atPath: directory.path))?.isEmpty ?? true) {
            throw LantaiError(.conflict, code: "exists", zh: "目标目录不是空的：\(directory.path)", en: "the target directory is not empty: \(directory.path)")
        }
        let root = try await work.blocking { try NodeStorage.existingRoot(config) }
        let primary = NodeStorage.primary(config)

        // Which objects: a fonds' records' packages and its description object, or everything.
        var paths: [String]
        if let fonds {
            let sql = work.db as! any SQLDatabase
            guard try await sql.select().column("id").from("fonds").where("code", .equal, fonds).first() != nil else {
                throw LantaiError.notFound("fonds \(fonds)", zh: "全宗 \(fonds)")
            }
            let ids = try await sql.select().column("object_id").from("items").where("fonds_code", .equal, fonds)
                .where("object_id", .isNot, SQLLiteral.null).all().map { try $0.decode(column: "object_id", as: String.self) }
            let snapshot = CatalogueSnapshotFormat.objectID(node: config.nodeCode, fondsCode: fonds)
            let candidates = Set(ids + [snapshot]).map { root.objectPath(for: $0) }
            paths = try await work.blocking { try candidates.filter { try root.storage.exists($0 + "/" + OCFLObject.declarationName) } }.sorted()
        } else {
            paths = try await work.blocking { try root.objectPaths() }
        }

        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let scratch = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("tmp/export-\(UUID().uuidString.lowercased())")
        defer { try? fm.removeItem(at: scratch) }
        let exportID = UUID().uuidString.lowercased()
        var volumes: [Volume] = []
        var warnings: [String] = []
        for (index, path) in paths.enumerated() {
            let reading = try await work.blocking { try StoredInventory.read(primary.storage, directory: path) }
            guard let reference = reading.valid else {
                warnings.append("\(path): skipped, its stored inventory is not valid (run `lantai storage repair`)")
                continue
            }
            let id = reference.inventory.id
            let copyRoot = scratch.appendingPathComponent("\(index)")
            let place = ObjectPlace(name: "export", storage: FileSystemOCFLStorage(root: copyRoot), path: "object")
            try fm.createDirectory(at: copyRoot, withIntermediateDirectories: true)
            let sync = ObjectSync(id: id, reference: reference, sources: [ObjectPlace(name: primary.name, storage: primary.storage, path: path)],
                                  target: place)
            let outcome = try await work.blocking { try sync.run() }
            guard outcome.action == .created else {
                warnings.append("\(id): skipped, \(outcome.detail)")
                try? fm.removeItem(at: copyRoot)
                continue
            }
            let objectDir = copyRoot.appendingPathComponent("object")
            let payload = try files(under: objectDir)
            let payloadBytes = payload.reduce(Int64(0)) { $0 + $1.size }
            // Tag files are a few KiB; a margin keeps the volume arithmetic on the safe side.
            let estimate = payloadBytes + 64 * 1024
            if volumes.isEmpty || (volumes[volumes.count - 1].bytes + estimate > volumeSize && !volumes[volumes.count - 1].bags.isEmpty) {
                volumes.append(Volume(name: String(format: "vol-%04d", volumes.count + 1), bytes: 0, bags: []))
            }
            if estimate > volumeSize {
                warnings.append("\(id) (\(StorageFigures.mib(estimate))) is larger than a volume (\(StorageFigures.mib(volumeSize))): it needs a larger medium")
            }
            let volume = volumes[volumes.count - 1].name
            let bagName = (path as NSString).lastPathComponent
            let bag = directory.appendingPathComponent(volume).appendingPathComponent(bagName)
            try fm.createDirectory(at: bag.deletingLastPathComponent(), withIntermediateDirectories: true)
            let head = reference.inventory.head
            try await work.blocking {
                try BagWriter.write(bagAt: bag, payload: payload.map { ($0.relativePath, $0.url) }, bagInfo: [
                    ("Source-Organization", config.nodeName),
                    ("External-Identifier", id),
                    ("External-Description", "OCFL 对象 \(id)（\(head)）的完整副本，自兰台节点 \(config.nodeCode) 导出用于离线介质 / the whole OCFL object \(id) (\(head)) from Lantai node \(config.nodeCode), for offline media"),
                    ("Bag-Group-Identifier", "lantai-offline-\(exportID)"),
                ])
            }
            try? fm.removeItem(at: copyRoot)
            let bytes = try files(under: bag).reduce(Int64(0)) { $0 + $1.size }
            let tagmanifest = try Data(contentsOf: bag.appendingPathComponent("tagmanifest-sha256.txt"))
            let entry = BagEntry(volume: volume, bag: "\(volume)/\(bagName)", objectId: id, head: head, files: payload.count, bytes: bytes,
                                 tagmanifestSHA256: SHA256.hash(data: tagmanifest).map { String(format: "%02x", $0) }.joined())
            volumes[volumes.count - 1].bags.append(entry)
            volumes[volumes.count - 1].bytes += bytes
            output("\(entry.bag): \(id) \(head), \(payload.count) files, \(StorageFigures.mib(bytes))")
        }
        let manifest = Manifest(node: config.nodeCode, nodeName: config.nodeName, created: ISO8601DateFormatter().string(from: Date()),
                                fonds: fonds, volumeSize: volumeSize, totalBytes: volumes.reduce(0) { $0 + $1.bytes },
                                bagCount: volumes.reduce(0) { $0 + $1.bags.count }, volumes: volumes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        for volume in volumes {
            var part = manifest
            part.volumes = [volume]
            try (encoder.encode(part) + Data([0x0A])).write(to: directory.appendingPathComponent(volume.name).appendingPathComponent("lantai-volume.json"),
                                                            options: .atomic)
        }
        try (encoder.encode(manifest) + Data([0x0A])).write(to: directory.appendingPathComponent("manifest.json"), options: .atomic)
        try manifestText(manifest).write(to: directory.appendingPathComponent("manifest.txt"), atomically: true, encoding: .utf8)
        try await AuditTrail.record(on: work.db, actor: agent, action: "storage.export", subject: fonds ?? "all objects",
                                    ["bags": String(manifest.bagCount), "bytes": String(manifest.totalBytes),
                                     "volumes": String(volumes.count), "to": directory.path])
        return ExportSummary(directory: directory, manifest: manifest, warnings: warnings, seconds: Date().timeIntervalSince(started))
    }

    /// The manifest for people and for the label of each disc: one line per bag.
    static func manifestText(_ m: Manifest) -> String {
        var lines = ["# 兰台离线介质清单 / Lantai offline media manifest (\(m.format))",
                     "# node \(m.node) \(m.nodeName); created \(m.created)\(m.fonds.map { "; fonds \($0)" } ?? "")",
                     "# \(m.bagCount) bags, \(m.totalBytes) bytes in \(m.volumes.count) volumes of at most \(m.volumeSize) bytes",
                     "# volume\tbag\tbytes\tfiles\thead\ttagmanifest-sha256\tobject id"]
        for volume in m.volumes {
            lines.append("# \(volume.name): \(volume.bags.count) bags, \(volume.bytes) bytes")
            for b in volume.bags {
                lines.append("\(b.volume)\t\(b.bag)\t\(b.bytes)\t\(b.files)\t\(b.head)\t\(b.tagmanifestSHA256)\t\(b.objectId)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Regular files under a directory, with paths relative to it, sorted.
    static func files(under directory: URL) throws -> [(relativePath: String, url: URL, size: Int64)] {
        let base = directory.standardizedFileURL.path
        var out: [(String, URL, Int64)] = []
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        while let relative = walker.nextObject() as? String {
            let full = base + "/" + relative
            let attributes = try FileManager.default.attributesOfItem(atPath: full)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            out.append((relative, URL(fileURLWithPath: full), (attributes[.size] as? NSNumber)?.int64Value ?? 0))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    // MARK: - Import

    public struct ImportSummary: Sendable {
        public var bags = 0
        public var restored = 0
        public var alreadyPresent = 0
        public var files = 0
        public var bytes: Int64 = 0
        public var problems: [String] = []

        public var passed: Bool { problems.isEmpty }

        public var text: String {
            var s = "\(bags) bags: \(restored) objects restored, \(alreadyPresent) already present; \(files) files, \(StorageFigures.mib(bytes)) written"
            if !problems.isEmpty { s += "\n\(problems.count) bags could NOT be imported / 未能导入" }
            return s
        }
    }

    /// Validates every bag under `directory` (a whole export, or one volume) and restores the
    /// objects the location (default: the primary) is missing or holds an older state of.
    /// A bag that fails BagIt or OCFL validation is reported and skipped; a stored copy that
    /// is newer or different is never overwritten.
    static func `import`(from directory: URL, into locationName: String?, app: Application, agent: String,
                         output: @escaping @Sendable (String) -> Void = { _ in }) async throws -> ImportSummary {
        let work = StorageWork(app: app)
        let config = work.config
        let location = try locationName.map { try NodeStorage.resolve($0, config: config) } ?? NodeStorage.primary(config)
        let bags = findBags(under: directory)
        guard !bags.isEmpty else {
            throw LantaiError.notFound("BagIt bags under \(directory.path)", zh: "\(directory.path) 下的 BagIt 包")
        }
        _ = try await location.createBucketIfMissing()
        let root = try await work.blocking { try location.root(creatingWith: OCFLHashedNTupleLayout()) }
        let named = config.storage.locations.contains { $0.identity == location.spec.identity }
        var summary = ImportSummary()
        for bag in bags {
            summary.bags += 1
            let checked: Result<(StoredInventory, String), LantaiError> = try await work.blocking {
                let report = try BagValidator.validate(directory: bag)
                guard report.isValid else {
                    return .failure(.badRequest(zh: "BagIt 校验未通过", en: "not a valid bag: \(report.problems.prefix(3).map(\.description).joined(separator: "; "))"))
                }
                let payload = FileSystemOCFLStorage(root: bag.appendingPathComponent("data"))
                let validation = OCFLValidator(storage: payload).validateObject(at: "")
                guard validation.isValid else {
                    return .failure(.badRequest(zh: "载荷不是有效的 OCFL 对象", en: "the payload is not a valid OCFL object: \(validation.errors.prefix(3).map(\.description).joined(separator: "; "))"))
                }
                guard let reference = try StoredInventory.read(payload, directory: "").valid else {
                    return .failure(.badRequest(zh: "载荷清单无效", en: "the payload's inventory is not valid"))
                }
                let declared = report.bagInfoValue("External-Identifier")
                guard declared == nil || declared == reference.inventory.id else {
                    return .failure(.badRequest(zh: "包信息与对象标识不符", en: "bag-info names \(declared!), the object is \(reference.inventory.id)"))
                }
                return .success((reference, reference.inventory.id))
            }
            let reference: StoredInventory, id: String
            switch checked {
            case .failure(let e):
                summary.problems.append("\(bag.path): \(e.en)")
                output("FAIL \(bag.lastPathComponent): \(e.en)")
                continue
            case .success(let found):
                (reference, id) = found
            }
            let target = ObjectPlace(name: location.name, storage: location.storage, path: root.objectPath(for: id))
            let sync = ObjectSync(id: id, reference: reference,
                                  sources: [ObjectPlace(name: "bag \(bag.lastPathComponent)", storage: FileSystemOCFLStorage(root: bag.appendingPathComponent("data")), path: "")],
                                  target: target)
            let outcome: SyncOutcome
            do {
                outcome = try await work.blocking { try sync.run() }
            } catch let failure as TargetFailure {
                throw NodeStorage.unavailable(location.spec, failure.underlying)
            }
            summary.files += outcome.filesCopied
            summary.bytes += outcome.bytesCopied
            switch outcome.action {
            case .current:
                summary.alreadyPresent += 1
            case .created, .updated, .repaired:
                summary.restored += 1
                output("restored \(id) (v\(outcome.head), \(outcome.filesCopied) files) from \(bag.lastPathComponent)")
            case .diverged, .failed:
                summary.problems.append("\(id): \(outcome.detail)")
                output("FAIL \(id): \(outcome.detail)")
            }
            if named, outcome.action != .current {
                let good = outcome.action != .diverged && outcome.action != .failed
                try await StorageRecords.event("import", objectID: id, location: location.name, success: good, source: bag.path,
                                               files: outcome.filesCopied, bytes: outcome.bytesCopied,
                                               detail: ["action": outcome.action.rawValue, "reason": outcome.detail], runID: nil, agent: agent, on: work.db)
            }
        }
        let finished = summary
        try await AuditTrail.record(on: work.db, actor: agent, action: "storage.import", subject: directory.path,
                                    ["bags": String(finished.bags), "restored": String(finished.restored), "problems": String(finished.problems.count),
                                     "into": location.spec.url])
        return summary
    }

    /// Bag directories (holding bagit.txt) under `directory`, at most three levels down, sorted.
    static func findBags(under directory: URL) -> [URL] {
        var found: [URL] = []
        func walk(_ dir: URL, _ depth: Int) {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("bagit.txt").path) {
                found.append(dir)
                return
            }
            guard depth < 3, let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return }
            for name in names.sorted() where !name.hasPrefix(".") {
                var isDir: ObjCBool = false
                let child = dir.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: child.path, isDirectory: &isDir), isDir.boolValue { walk(child, depth + 1) }
            }
        }
        walk(directory, 0)
        return found
    }
}
