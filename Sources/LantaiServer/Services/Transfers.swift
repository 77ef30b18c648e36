import ArchiveKit
import Crypto
import Fluent
import Foundation

/// Receiving transfer packages (远程归档). The package is streamed to disk under a temporary
/// name while its SHA-256 is computed, then renamed into place; only then is the transfer row
/// written. A refused or interrupted upload leaves no row and no file.
enum Transfers {
    enum PackageKind: String, Codable {
        case zip, tar

        init?(contentType: String?) {
            switch contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() {
            case "application/zip", "application/x-zip-compressed": self = .zip
            case "application/x-tar", "application/tar": self = .tar
            default: return nil
            }
        }
    }

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
        let id = UUID.timeOrdered()
        let dir = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("transfers")
        let incoming = dir.appendingPathComponent(".incoming")
        try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
        let part = incoming.appendingPathComponent("\(id.uuidString).part")
        guard FileManager.default.createFile(atPath: part.path, contents: nil) else {
            throw LantaiError(.internalServerError, code: "internal", zh: "无法写入数据目录", en: "cannot write to the data directory")
        }
        var keep = false
        defer { if !keep { try? FileManager.default.removeItem(at: part) } }
        let handle = try FileHandle(forWritingTo: part)
        var hasher = SHA256()
        var bytes: Int64 = 0
        do {
            for try await chunk in body {
                bytes += Int64(chunk.count)
                if bytes > config.maxTransferBytes { throw tooLarge(config) }
                hasher.update(data: chunk)
                try handle.write(contentsOf: chunk)
            }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        guard bytes > 0 else {
            throw LantaiError.badRequest(zh: "移交包为空", en: "the package is empty")
        }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let relative = "transfers/\(id.uuidString)/package.\(kind.rawValue)"
        let final = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: final.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: part, to: final)
        keep = true
        let size = bytes
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
                audit.record("transfer.receive", subject: id.uuidString,
                             ["agency": fonds.code, "bytes": String(size), "sha256": digest, "kind": kind.rawValue])
                return t
            }
        } catch {
            // The row is the commit point: without it the stored package must go too.
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
