import ArchiveKit
import Crypto
import Fluent
import Ingest
import Foundation
import NIOConcurrencyHelpers
import Packaging
import Vapor

/// Resumable uploads (断点续传) of transfer packages: open a session announcing the size, send
/// the bytes in any number of pieces (each says at which offset it starts), ask where to go on
/// after a dropped connection, and finish — which makes the transfer exactly as a one-piece
/// upload would. A village office line that drops every few minutes still gets a 2 GB package in.
enum Uploads {
    /// How long an unfinished session is kept before it and its bytes are cleared.
    static let lifetime: TimeInterval = 7 * 24 * 3600

    /// Sessions a request is writing to right now: a second writer at the same time is refused,
    /// so two pieces can never interleave in the file.
    static let busy = NIOLockedValueBox<Set<UUID>>([])

    static func partFile(_ id: UUID, _ config: LantaiConfiguration) -> URL {
        URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("transfers/.uploads/\(id.uuidString).part")
    }

    /// The bytes received so far: the part file's size is the offset.
    static func offset(_ id: UUID, _ config: LantaiConfiguration) -> Int64 {
        let size = (try? FileManager.default.attributesOfItem(atPath: partFile(id, config).path)[.size] as? NSNumber)?.int64Value
        return size ?? 0
    }

    static func open(length: Int64, agency: String?, by principal: Principal, config: LantaiConfiguration,
                     on db: any Database) async throws -> UploadModel {
        guard length > 0 else {
            throw LantaiError.field("length", rule: "positive", zh: "请给出移交包的字节数（大于 0）",
                                    en: "give the package's size in bytes (more than 0)", status: .badRequest)
        }
        guard length <= config.maxTransferBytes else { throw Transfers.tooLarge(config) }
        let fonds = try await Transfers.agency(for: principal, requested: agency, on: db)
        try await clearExpired(config: config, on: db)
        let u = UploadModel()
        u.id = UUID.timeOrdered()
        u.createdAt = Date()
        u.expiresAt = u.createdAt!.addingTimeInterval(lifetime)
        u.owner = principal.username
        u.agency = fonds.code
        u.fondsId = fonds.id!
        u.length = length
        let file = partFile(u.id!, config)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw LantaiError(.internalServerError, code: "internal", zh: "无法写入数据目录", en: "cannot write to the data directory")
        }
        do {
            try await u.create(on: db)
        } catch {
            try? FileManager.default.removeItem(at: file)
            throw error
        }
        return u
    }

    /// The caller's own session; another account's is "not found", so ids cannot be probed.
    static func owned(_ id: UUID, by principal: Principal, on db: any Database) async throws -> UploadModel {
        guard let u = try await UploadModel.find(id, on: db), u.owner == principal.username else {
            throw LantaiError.notFound("upload \(id)", zh: "上传 \(id)")
        }
        return u
    }

    /// Appends a piece that must start exactly where the file ends. Whatever arrived before a
    /// connection dropped stays, so the client asks for the offset and goes on from there.
    static func append<S: AsyncSequence>(_ body: S, at claimed: Int64, to u: UploadModel,
                                         config: LantaiConfiguration) async throws -> Int64 where S.Element == [UInt8] {
        let id = u.id!
        let claimedFirst = busy.withLockedValue { $0.insert(id).inserted }
        guard claimedFirst else {
            throw LantaiError(.conflict, code: "upload_busy", zh: "另一个请求正在写入这个上传，请稍后再试",
                              en: "another request is writing to this upload: try again shortly")
        }
        defer { _ = busy.withLockedValue { $0.remove(id) } }
        let file = partFile(id, config)
        guard let handle = FileHandle(forWritingAtPath: file.path) else {
            throw LantaiError.notFound("upload \(id)", zh: "上传 \(id)")
        }
        defer { try? handle.close() }
        var offset = Int64(try handle.seekToEnd())
        guard claimed == offset else {
            throw LantaiError(.conflict, code: "offset_mismatch",
                              zh: "Upload-Offset 为 \(claimed)，但已收到 \(offset) 字节：请从 \(offset) 处继续",
                              en: "Upload-Offset is \(claimed) but \(offset) bytes have arrived: go on from \(offset)")
        }
        do {
            for try await chunk in body {
                guard offset + Int64(chunk.count) <= u.length else {
                    throw LantaiError(.payloadTooLarge, code: "beyond_length",
                                      zh: "数据超出了开始上传时声明的 \(u.length) 字节", en: "more bytes than the \(u.length) announced when the upload began")
                }
                try handle.write(contentsOf: chunk)
                offset += Int64(chunk.count)
            }
        } catch {
            try? handle.synchronize()
            throw error
        }
        try handle.synchronize()
        return offset
    }

    /// Turns a complete upload into a transfer: the package is identified by its first bytes,
    /// hashed, moved into place, and the session closed in the transaction that writes the transfer.
    static func complete(_ u: UploadModel, by principal: Principal, config: LantaiConfiguration,
                         on db: any Database) async throws -> TransferModel {
        let id = u.id!
        let file = partFile(id, config)
        let have = offset(id, config)
        guard have == u.length else {
            throw LantaiError(.conflict, code: "upload_incomplete",
                              zh: "上传尚未完成：已收到 \(have) / \(u.length) 字节", en: "the upload is not complete: \(have) of \(u.length) bytes")
        }
        guard let kind = Transfers.PackageKind(contentOf: file) else { throw Transfers.unrecognisedPackage }
        guard let fonds = try await FondsModel.find(u.fondsId, on: db) else {
            throw LantaiError.notFound("fonds \(u.agency)", zh: "全宗 \(u.agency)")
        }
        let spooled = Transfers.Spooled(file: file, bytes: have, sha256: try FileDigest.digests(of: file, algorithms: [.sha256])[.sha256]!)
        return try await Transfers.commit(spooled, kind: kind, fonds: fonds, by: principal, config: config, on: db) { tx in
            try await UploadModel.query(on: tx).filter(\.$id == id).delete()
        }
    }

    static func abandon(_ u: UploadModel, config: LantaiConfiguration, on db: any Database) async throws {
        try await u.delete(on: db)
        try? FileManager.default.removeItem(at: partFile(u.id!, config))
    }

    static func clearExpired(config: LantaiConfiguration, on db: any Database) async throws {
        for u in try await UploadModel.query(on: db).filter(\.$expiresAt < Date()).all() {
            try await abandon(u, config: config, on: db)
        }
    }
}
