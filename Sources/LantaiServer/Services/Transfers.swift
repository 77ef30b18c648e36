import ArchiveKit
import Crypto
import Fluent
import Ingest
import Foundation
import Packaging
import Vapor

/// Receiving transfer packages (远程归档). The package is streamed to disk under a temporary
/// name while its SHA-256 is computed, then renamed into place; only then is the transfer row
/// written. A refused or interrupted upload leaves no row and no file.
enum Transfers {
    enum PackageKind: String, Codable {
        case zip, tar
        /// DA/T 48 电子文件封装包: one XML file.
        case eep

        init?(contentType: String?) {
            switch contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() {
            case "application/zip", "application/x-zip-compressed": self = .zip
            case "application/x-tar", "application/tar": self = .tar
            case "application/xml", "text/xml": self = .eep
            default: return nil
            }
        }

        /// The kind a stored file is, read from its first bytes (never from a name or a
        /// Content-Type the sender chose); nil when it is none of them.
        init?(contentOf file: URL) {
            switch try? ArchiveExtractor.detectKind(of: file) {
            case .zip?: self = .zip
            case .tar?: self = .tar
            case _ where EEPPackage.looksLikeEEP(at: file): self = .eep
            default: return nil
            }
        }
    }

    static let unrecognisedPackage = LantaiError(
        .unsupportedMediaType, code: "unsupported_media_type",
        zh: "上传的文件不是 zip 或 tar 移交包，也不是 DA/T 48 电子文件封装包（XML）",
        en: "the upload is not a zip or tar package, nor a DA/T 48 EEP (XML)")

    static func tooLarge(_ config: LantaiConfiguration) -> LantaiError {
        LantaiError(.payloadTooLarge, code: "too_large",
                    zh: "移交包超过 \(config.maxTransferBytes) 字节的上限，请分批移交",
                    en: "the package is larger than the limit of \(config.maxTransferBytes) bytes: split it into several transfers")
    }

    /// Who may send for which agency: an agency officer for their own, an archivist for any
    /// (naming it with `?agency=`).
    static func agency(for principal: Principal, requested: String?, on db: any Database) async throws -> FondsModel {
        guard principal.actor.has(.submitTransfer) else {
            throw LantaiError.forbidden(zh: Permission.submitTransfer.deniedZh, en: Permission.submitTransfer.deniedEn)
        }
        let code: String
        if principal.actor.role == .agencyOfficer {
            guard let own = principal.actor.agency else {
                throw LantaiError.forbidden(zh: "账户未绑定立档单位", en: "the account is not bound to an agency")
            }
            if let requested, requested != own {
                throw LantaiError.forbidden(zh: "只能为本单位（\(own)）移交", en: "you may only transfer for your own agency (\(own))")
            }
            code = own
        } else {
            guard let requested, !requested.isEmpty else {
                throw LantaiError.field("agency", rule: "required", zh: "请用 ?agency=全宗号 指明立档单位",
                                        en: "name the agency with ?agency=FONDS", status: .badRequest)
            }
            code = requested
        }
        guard let fonds = try await FondsModel.query(on: db).filter(\.$code == code).first() else {
            throw LantaiError.field("agency", rule: "exists", zh: "全宗 \(code) 不存在", en: "no fonds \(code)", status: .unprocessableEntity)
        }
        return fonds
    }

    /// Streams `body` into the data directory, refusing it once it passes `limit` bytes.
    static func receive<S: AsyncSequence>(_ body: S, kind: PackageKind, fonds: FondsModel, by principal: Principal,
                                          config: LantaiConfiguration, on db: any Database) async throws -> TransferModel
    where S.Element == [UInt8] {
        let spooled = try await spool(body, config: config)
        defer { spooled.discard() }
        return try await commit(spooled, kind: kind, fonds: fonds, by: principal, config: config, on: db)
    }

    /// A package written to a temporary name in the data directory, with its size and SHA-256.
    struct Spooled {
        var file: URL
        var bytes: Int64
        var sha256: String
        /// Removes the temporary file unless `commit` has already moved it into place.
        func discard() { try? FileManager.default.removeItem(at: file) }
    }

    static func incomingDirectory(_ config: LantaiConfiguration) throws -> URL {
        let incoming = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("transfers/.incoming")
        try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
        return incoming
    }

    /// Writes `body` to `transfers/.incoming/<id>.part` while hashing it; a failure removes the file.
    static func spool<S: AsyncSequence>(_ body: S, config: LantaiConfiguration) async throws -> Spooled where S.Element == [UInt8] {
        let part = try incomingDirectory(config).appendingPathComponent("\(UUID().uuidString).part")
        var sink = try SpoolSink(part, limit: config.maxTransferBytes, config: config)
        do {
            for try await chunk in body { try sink.write(chunk) }
            return try sink.finish()
        } catch {
            sink.abandon()
            throw error
        }
    }

    /// Moves a spooled package into `transfers/<id>/package.<kind>` and writes the transfer row
    /// and its check job in one transaction — the row is the commit point. `also` runs inside
    /// that transaction (an upload session is closed there, for example).
    static func commit(_ spooled: Spooled, kind: PackageKind, fonds: FondsModel, by principal: Principal,
                       config: LantaiConfiguration, on db: any Database,
                       also: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> TransferModel {
        guard spooled.bytes > 0 else {
            throw LantaiError.badRequest(zh: "移交包为空", en: "the package is empty")
        }
        let id = UUID.timeOrdered()
        let relative = "transfers/\(id.uuidString)/package.\(kind.rawValue)"
        let final = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: final.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: spooled.file, to: final)
        let size = spooled.bytes, digest = spooled.sha256
        do {
            return try await AuditTrail.write(on: db, actor: principal.username) { tx, audit in
                let t = TransferModel()
                t.id = id
                t.receivedAt = Date()
                t.updatedAt = t.receivedAt
                t.agency = fonds.code
                t.fondsId = fonds.id!
                t.submittedBy = principal.username
                t.status = TransferModel.Status.received.rawValue
                t.packageKind = kind.rawValue
                t.uploadBytes = size
                t.uploadSHA256 = digest
                t.uploadPath = relative
                t.filesTotal = 0
                t.filesDone = 0
                t.bytesTotal = size
                t.bytesDone = 0
                try await t.create(on: tx)
                try await JobQueue.enqueue(TransferCheckJob.kind, subject: id.uuidString, on: tx)
                try await also?(tx)
                audit.record("transfer.receive", subject: id.uuidString,
                             ["agency": fonds.code, "bytes": String(size), "sha256": digest, "kind": kind.rawValue])
                return t
            }
        } catch {
            // Without the row the stored package must go too.
            try? FileManager.default.removeItem(at: final.deletingLastPathComponent())
            throw error
        }
    }

    /// A transfer the principal may see: its own agency's for an officer, any for an archivist.
    static func visible(_ id: UUID, to principal: Principal, on db: any Database) async throws -> TransferModel {
        guard let t = try await TransferModel.find(id, on: db) else {
            throw LantaiError.notFound("transfer \(id)", zh: "移交 \(id)")
        }
        let actor = principal.actor
        let allowed = actor.has(.reviewTransfer) || (actor.role == .agencyOfficer && actor.agency == t.agency)
        guard allowed else {
            throw LantaiError.forbidden(zh: "无权查看该移交", en: "not allowed to see this transfer")
        }
        return t
    }

    static func list(for principal: Principal, on db: any Database) async throws -> [TransferModel] {
        let q = TransferModel.query(on: db).sort(\.$receivedAt, .descending).limit(200)
        if principal.actor.has(.reviewTransfer) { return try await q.all() }
        guard principal.actor.role == .agencyOfficer, let agency = principal.actor.agency else {
            throw LantaiError.forbidden(zh: Permission.submitTransfer.deniedZh, en: Permission.submitTransfer.deniedEn)
        }
        return try await q.filter(\.$agency == agency).all()
    }
}

/// `lantai transfer submit`: a bag directory (packed as a tar on the way) or a zip/tar file goes
/// in by the same path as an upload, then — unless asked not to — is checked at once.
public enum TransferSubmission {
    public static func submit(path: String, agency: String, actor: String, check: Bool, app: Application) async throws -> String {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw LantaiError.badRequest(zh: "找不到 \(path)", en: "\(path) does not exist")
        }
        var package = url
        var kind = Transfers.PackageKind.tar
        var temporary: URL?
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        if isDirectory.boolValue {
            let tar = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-submit-\(UUID().uuidString).tar")
            temporary = tar
            do {
                try TarWriter.write(directory: url, to: tar)
            } catch let e as TarWriter.Failure {
                throw LantaiError.badRequest(zh: "无法打包目录：\(e)", en: "cannot pack the directory: \(e)")
            }
            package = tar
        } else {
            guard let detected = Transfers.PackageKind(contentOf: url) else {
                throw LantaiError.badRequest(zh: "\(path) 既不是目录，也不是 zip 或 tar 文件", en: "\(path) is neither a directory nor a zip or tar file")
            }
            kind = detected
        }
        let principal = Principal(system: actor, actor: Actor(role: .archivist))
        let fonds = try await Transfers.agency(for: principal, requested: agency, on: app.db)
        let t = try await Transfers.receive(FileChunks(url: package), kind: kind, fonds: fonds, by: principal,
                                            config: app.lantai, on: app.db)
        var lines = ["transfer \(t.id!.uuidString) received: \(t.uploadBytes) bytes, sha256 \(t.uploadSHA256)"]
        if check {
            await app.jobWorker.drain(app)
            if let checked = try await TransferModel.find(t.id!, on: app.db), let stored = try? Accession.storedReport(checked) {
                lines.append(stored.passed ? "四性检测通过 / all checks passed" : "四性检测未通过 / checks failed:")
                if let r = stored.refusal { lines.append("  \(r.code): \(r.reasonZh) / \(r.reasonEn)") }
                for (item, finding) in stored.report?.failures ?? [] {
                    lines.append("  \(item.id): \(finding.reasonZh) / \(finding.reasonEn)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Writes a package to a temporary file while counting and hashing it, refusing it past the limit.
struct SpoolSink {
    let url: URL
    let limit: Int64
    let config: LantaiConfiguration
    private let handle: FileHandle
    private var hasher = SHA256()
    private(set) var bytes: Int64 = 0

    init(_ url: URL, limit: Int64, config: LantaiConfiguration) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw LantaiError(.internalServerError, code: "internal", zh: "无法写入数据目录", en: "cannot write to the data directory")
        }
        self.url = url
        self.limit = limit
        self.config = config
        handle = try FileHandle(forWritingTo: url)
    }

    mutating func write<C: Collection>(_ chunk: C) throws where C.Element == UInt8 {
        bytes += Int64(chunk.count)
        if bytes > limit { throw Transfers.tooLarge(config) }
        let array = Array(chunk)
        hasher.update(data: array)
        try handle.write(contentsOf: array)
    }

    mutating func finish() throws -> Transfers.Spooled {
        try handle.synchronize()
        try handle.close()
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return Transfers.Spooled(file: url, bytes: bytes, sha256: digest)
    }

    func abandon() {
        try? handle.close()
        try? FileManager.default.removeItem(at: url)
    }
}

/// A file read as a sequence of 1 MiB chunks.
struct FileChunks: AsyncSequence {
    typealias Element = [UInt8]
    let url: URL

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        mutating func next() async throws -> [UInt8]? {
            guard let handle, let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else {
                try? handle?.close()
                return nil
            }
            return Array(data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: FileHandle(forReadingAtPath: url.path)) }
}
