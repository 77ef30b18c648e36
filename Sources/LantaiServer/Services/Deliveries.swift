import ArchiveKit
import Fluent
import Foundation
import Packaging
import SQLKit
import Vapor

/// Delivery of approved requests (提供利用): each approved record's PDFs and images are copied out
/// of its archival package and watermarked with the request reference, the date and the node;
/// the requester downloads them through unguessable links, a limited number of times, until
/// they expire. Every delivered copy is registered as a use (利用登记).
enum Deliveries {
    /// How long a download link stays valid.
    static let lifetime: TimeInterval = 30 * 24 * 3600
    /// How many times each copy may be downloaded.
    static let downloads = 5

    static func directory(_ config: LantaiConfiguration) -> URL {
        URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("deliveries")
    }

    struct Made {
        var id: UUID
        var item: ItemModel
        var fileName: String
        var relativePath: String
        var mediaType: String
        var token: String
    }

    static func deliver(_ reference: String, by principal: Principal?, config: LantaiConfiguration,
                        on db: any Database) async throws -> AccessRequestModel {
        let m = try await AccessRequests.find(reference, on: db)
        // Refuse before any copying if this step is not allowed now.
        do {
            _ = try AccessRequestWorkflow.apply(.deliver, to: RequestStatus(rawValue: m.status),
                                                channel: RequestChannel(rawValue: m.channel) ?? .online, by: principal?.actor.role)
        } catch {
            throw AccessRequests.workflowError(error)
        }
        let ids = m.itemIDs.isEmpty ? [] : m.itemIDs.components(separatedBy: "\n").compactMap(UUID.init(uuidString:))
        let items = ids.isEmpty ? [] : try await ItemModel.query(on: db).filter(\.$id ~~ ids).all()
        let made = try await Task.detached { try makeCopies(items, reference: m.reference, config: config) }.value
        do {
            let requestId = m.id!
            return try await AuditTrail.write(on: db, actor: principal?.username ?? "public") { tx, audit in
                guard let current = try await AccessRequestModel.find(requestId, on: tx),
                      current.status == RequestStatus.approved.rawValue else {
                    throw LantaiError(.conflict, code: "wrong_state", zh: "该申请已被处理", en: "the request has already been handled")
                }
                let now = Date()
                current.status = RequestStatus.delivered.rawValue
                current.deliveredAt = now
                try await current.update(on: tx)
                for copy in made {
                    let d = DeliveryModel()
                    d.id = copy.id
                    d.requestId = requestId
                    d.itemId = copy.item.id!
                    d.token = copy.token
                    d.fileName = copy.fileName
                    d.path = copy.relativePath
                    d.mediaType = copy.mediaType
                    d.downloadsLeft = downloads
                    d.createdAt = now
                    d.expiresAt = now.addingTimeInterval(lifetime)
                    try await d.create(on: tx)
                }
                for item in items {
                    try await Uses.register(.delivery, item: item, reference: current.reference, actor: principal?.username ?? "public",
                                            purpose: current.purpose, on: tx)
                }
                audit.record("request.deliver", subject: current.reference,
                             ["copies": String(made.count), "items": String(items.count)])
                return current
            }
        } catch {
            for copy in made { try? FileManager.default.removeItem(at: directory(config).appendingPathComponent(copy.id.uuidString)) }
            throw error
        }
    }

    /// Reads each record's PDFs and images out of its OCFL object and writes watermarked copies.
    /// Blocking file work and outside programs: run off the event loop.
    static func makeCopies(_ items: [ItemModel], reference: String, config: LantaiConfiguration) throws -> [Made] {
        let preserved = items.filter { $0.objectID != nil }
        guard !preserved.isEmpty else { return [] }
        let root = NodeStorage.reader(config)  // the primary, or a replica when the primary cannot serve
        let stamp = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(secondsFromGMT: 8 * 3600)!, formatOptions: [.withFullDate])
        let lines = ["LANTAI \(config.nodeCode) \(reference)", "\(stamp) ACCESS COPY"]
        var made: [Made] = []
        do {
            for item in preserved {
                let object = try root.object(item.objectID!)
                for logical in try object.state().keys.sorted() where logical.hasPrefix("content/") {
                    let name = String(logical.split(separator: "/").last ?? "")
                    guard let format = WatermarkFormat(fileExtension: (name as NSString).pathExtension) else { continue }
                    let id = UUID()
                    let dir = directory(config).appendingPathComponent(id.uuidString)
                    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                    // Made first, then counted: a failure below removes this copy too.
                    made.append(Made(id: id, item: item, fileName: name, relativePath: "deliveries/\(id.uuidString)/copy",
                                     mediaType: mediaType(format), token: TokenHash.newToken()))
                    let original = dir.appendingPathComponent("original")
                    FileManager.default.createFile(atPath: original.path, contents: nil)
                    let handle = try FileHandle(forWritingTo: original)
                    try object.read(logicalPath: logical) { try handle.write(contentsOf: $0) }
                    try handle.close()
                    do {
                        try Watermarker().watermark(input: original, format: format, text: lines, output: dir.appendingPathComponent("copy"))
                    } catch {
                        throw LantaiError(.internalServerError, code: "watermark_failed", zh: "无法为 \(name) 加水印：\(error)",
                                          en: "cannot watermark \(name): \(error)")
                    }
                    try FileManager.default.removeItem(at: original)
                }
            }
        } catch {
            for copy in made { try? FileManager.default.removeItem(at: directory(config).appendingPathComponent(copy.id.uuidString)) }
            throw error
        }
        return made
    }

    static func mediaType(_ f: WatermarkFormat) -> String {
        switch f {
        case .pdf: "application/pdf"
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .tiff: "image/tiff"
        }
    }

    static func forRequest(_ m: AccessRequestModel, on db: any Database) async throws -> [DeliveryModel] {
        try await DeliveryModel.query(on: db).filter(\.$requestId == m.id!).sort(\.$fileName).all()
    }

    /// One download: refused once expired or used up; the count is taken atomically, so two
    /// downloads at once cannot both take the last one.
    static func download(_ token: String, config: LantaiConfiguration, on db: any Database) async throws -> (DeliveryModel, URL) {
        guard token.hasPrefix("lt_"), token.count < 100,
              let d = try await DeliveryModel.query(on: db).filter(\.$token == token).first() else {
            throw LantaiError.notFound("delivery", zh: "该下载链接")
        }
        if let expires = d.expiresAt, expires < Date() {
            throw LantaiError(.gone, code: "expired", zh: "下载链接已过期，请联系档案馆", en: "the download link has expired: contact the archives")
        }
        let sql = db as! any SQLDatabase
        let taken = try await sql.raw("UPDATE deliveries SET downloads_left = downloads_left - 1 WHERE id = \(bind: d.id!) AND downloads_left > 0 RETURNING downloads_left")
            .all()
        guard !taken.isEmpty else {
            throw LantaiError(.gone, code: "used_up", zh: "下载次数已用完，请联系档案馆", en: "the copy has been downloaded as often as allowed: contact the archives")
        }
        return (d, URL(fileURLWithPath: config.dataDirectory).appendingPathComponent(d.path))
    }
}

/// 利用登记: the register of uses that the plan's statistics count.
enum Uses {
    enum Kind: String { case delivery, view }

    static func register(_ kind: Kind, item: ItemModel, reference: String?, actor: String, purpose: String,
                         on db: any Database) async throws {
        let u = UseModel()
        u.id = UUID.timeOrdered()
        u.at = Date()
        u.kind = kind.rawValue
        u.itemId = item.id!
        u.fondsCode = item.fondsCode
        u.requestReference = reference
        u.actor = actor
        u.purpose = purpose
        try await u.create(on: db)
    }
}
