import ArchiveKit
import Fluent
import Vapor

/// /api/v1/requests — 利用申请. Anyone may submit online (the portal needs no account); the
/// requester follows a request by its reference; archivists (and the service point that took a
/// request) act on it.
struct RequestsAPI: RouteCollection {
    let config: LantaiConfiguration

    func boot(routes: any RoutesBuilder) throws {
        let requests = routes.grouped("requests")
        requests.post(use: submit)
        requests.get(use: list)
        requests.get(":ref", use: show)
        requests.post(":ref", "events", use: event)
    }

    struct SubmitInput: Decodable {
        var channel: String?
        var purpose: String
        var requesterName: String
        var identityKind: String?
        var identityNumber: String
        var contact: String?
        var itemIds: [UUID]?
        var sought: String?
        static let keys: Set<String> = ["channel", "purpose", "requesterName", "identityKind", "identityNumber", "contact", "itemIds", "sought"]
        enum CodingKeys: String, CodingKey { case channel, purpose, requesterName, identityKind, identityNumber, contact, itemIds, sought }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(Self.keys)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            channel = try c.decodeIfPresent(String.self, forKey: .channel)
            purpose = try c.decode(String.self, forKey: .purpose)
            requesterName = try c.decode(String.self, forKey: .requesterName)
            identityKind = try c.decodeIfPresent(String.self, forKey: .identityKind)
            identityNumber = try c.decode(String.self, forKey: .identityNumber)
            contact = try c.decodeIfPresent(String.self, forKey: .contact)
            itemIds = try c.decodeIfPresent([UUID].self, forKey: .itemIds)
            sought = try c.decodeIfPresent(String.self, forKey: .sought)
        }

        func submission() throws -> AccessRequests.Submission {
            guard let channel = RequestChannel(parsing: channel ?? "online") else {
                throw LantaiError.field("channel", rule: "vocabulary", zh: "受理渠道应为 online、on-site、phone、letter 或 service-point",
                                        en: "channel must be online, on-site, phone, letter or service-point", status: .badRequest)
            }
            guard let purpose = RequestPurpose(parsing: purpose) else {
                throw LantaiError.field("purpose", rule: "vocabulary",
                                        zh: "利用目的应为 " + RequestPurpose.allCases.map(\.rawValue).joined(separator: "、"),
                                        en: "purpose must be one of " + RequestPurpose.allCases.map(\.rawValue).joined(separator: ", "),
                                        status: .badRequest)
            }
            guard let kind = IdentityDocumentKind(parsing: identityKind ?? "resident-id") else {
                throw LantaiError.field("identityKind", rule: "vocabulary",
                                        zh: "证件类型应为 " + IdentityDocumentKind.allCases.map(\.rawValue).joined(separator: "、"),
                                        en: "identityKind must be one of " + IdentityDocumentKind.allCases.map(\.rawValue).joined(separator: ", "),
                                        status: .badRequest)
            }
            return .init(channel: channel, purpose: purpose, requesterName: requesterName, identityKind: kind,
                         identityNumber: identityNumber, contact: contact ?? "", itemIDs: itemIds ?? [], sought: sought ?? "")
        }
    }

    /// What anyone holding the reference sees: where the request stands, never who asked.
    struct StatusDTO: Content {
        var reference: String
        var status: String
        var statusName: String
        var channel: String
        var purpose: String
        var submittedAt: Date?
        var acceptedAt: Date?
        var decidedAt: Date?
        var deliveredAt: Date?
        var dueAt: Date?
        var overdue: Bool
        var refusalReason: String?
        /// For staff who handle it: the requester as registered (masked number).
        var requester: Requester?
        /// Watermarked copies, once delivered: the links work for whoever holds the reference.
        var deliveries: [Delivery]
        struct Delivery: Content {
            var fileName: String
            var url: String
            var downloadsLeft: Int
            var expiresAt: Date?
        }
        struct Requester: Content {
            var name: String
            var identityKind: String
            var identityMasked: String
            var contact: String
            var itemIds: [String]
            var sought: String
            var registeredBy: String
        }
    }

    static func dto(_ m: AccessRequestModel, full: Bool, on db: any Database) async throws -> StatusDTO {
        var d = dto(m, full: full)
        d.deliveries = try await Deliveries.forRequest(m, on: db).map {
            .init(fileName: $0.fileName, url: "/deliveries/\($0.token)", downloadsLeft: $0.downloadsLeft, expiresAt: $0.expiresAt)
        }
        return d
    }

    static func dto(_ m: AccessRequestModel, full: Bool, now: Date = Date()) -> StatusDTO {
        let status = RequestStatus(rawValue: m.status) ?? .submitted
        let policy = RequestDeadlinePolicy.standard
        return StatusDTO(
            reference: m.reference, status: m.status, statusName: status.chinese, channel: m.channel, purpose: m.purpose,
            submittedAt: m.submittedAt, acceptedAt: m.acceptedAt, decidedAt: m.decidedAt, deliveredAt: m.deliveredAt,
            dueAt: m.acceptedAt.map(policy.dueDate(acceptedAt:)),
            overdue: policy.isOverdue(status: status, acceptedAt: m.acceptedAt, now: now),
            refusalReason: m.refusalReason,
            requester: full ? .init(name: m.requesterName, identityKind: m.identityKind, identityMasked: m.identityMasked,
                                    contact: m.contact, itemIds: m.itemIDs.isEmpty ? [] : m.itemIDs.components(separatedBy: "\n"),
                                    sought: m.sought, registeredBy: m.registeredBy) : nil,
            deliveries: [])
    }

    func submit(req: Request) async throws -> Response {
        let p = req.principal
        if let p, p.mustChangePassword { _ = try req.requirePrincipal() }
        let input = try req.content.decode(SubmitInput.self)
        let m = try await AccessRequests.submit(try input.submission(), by: p, config: config, on: req.db)
        let res = try await Self.dto(m, full: AccessRequests.handles(m, p)).encodeResponse(status: .created, for: req)
        res.headers.replaceOrAdd(name: .location, value: "/api/v1/requests/\(m.reference)")
        return res
    }

    func list(req: Request) async throws -> [StatusDTO] {
        let p = try req.requirePrincipal()
        var status: RequestStatus?
        if let s = req.query[String.self, at: "status"] {
            guard let parsed = RequestStatus(rawValue: s) else {
                throw LantaiError.field("status", rule: "vocabulary", zh: "状态应为 " + RequestStatus.allCases.map(\.rawValue).joined(separator: "、"),
                                        en: "status must be one of " + RequestStatus.allCases.map(\.rawValue).joined(separator: ", "),
                                        status: .badRequest)
            }
            status = parsed
        }
        let now = Date()
        return try await AccessRequests.list(for: p, status: status, on: req.db).map { Self.dto($0, full: true, now: now) }
    }

    func show(req: Request) async throws -> StatusDTO {
        let m = try await AccessRequests.find(req.parameters.get("ref") ?? "", on: req.db)
        return try await Self.dto(m, full: AccessRequests.handles(m, req.principal), on: req.db)
    }

    struct EventInput: Decodable {
        var event: String
        var reason: String?
        enum CodingKeys: String, CodingKey { case event, reason }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(["event", "reason"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            event = try c.decode(String.self, forKey: .event)
            reason = try c.decodeIfPresent(String.self, forKey: .reason)
        }
    }

    func event(req: Request) async throws -> StatusDTO {
        let p = req.principal
        if p != nil { _ = try req.requirePrincipal() }
        let input = try req.content.decode(EventInput.self)
        let ref = req.parameters.get("ref") ?? ""
        let event: RequestEvent
        switch input.event {
        case "accept": event = .accept
        case "approve": event = .approve
        case "refuse": event = .refuse(reason: input.reason ?? "")
        case "withdraw": event = .withdraw
        case "deliver":
            let m = try await Deliveries.deliver(ref, by: p, config: config, on: req.db)
            return try await Self.dto(m, full: AccessRequests.handles(m, p), on: req.db)
        default:
            throw LantaiError.field("event", rule: "vocabulary", zh: "event 应为 accept、approve、refuse、deliver 或 withdraw",
                                    en: "event must be accept, approve, refuse, deliver or withdraw", status: .badRequest)
        }
        let m = try await AccessRequests.apply(event, to: ref, by: p, on: req.db)
        return Self.dto(m, full: AccessRequests.handles(m, p))
    }
}

/// GET /deliveries/{token}: a watermarked access copy, for whoever holds the link.
struct DeliveryRoutes: RouteCollection {
    let config: LantaiConfiguration

    func boot(routes: any RoutesBuilder) throws {
        routes.get("deliveries", ":token", use: download)
    }

    func download(req: Request) async throws -> Response {
        let (d, file) = try await Deliveries.download(req.parameters.get("token") ?? "", config: config, on: req.db)
        let res = try await req.fileio.asyncStreamFile(at: file.path, mediaType: HTTPMediaType.fileExtension(d.mediaType == "application/pdf" ? "pdf" : (d.fileName as NSString).pathExtension))
        let ascii = d.fileName.unicodeScalars.allSatisfy { $0.isASCII && $0 != "\"" && $0.value >= 0x20 } ? d.fileName : "copy"
        let encoded = d.fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "copy"
        res.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }
}
