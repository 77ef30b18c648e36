import ArchiveKit
import Fluent
import Vapor

/// Staff pages for 利用申请: the archivist's list (overdue ones highlighted) and one request with
/// the steps that may follow; a service-point operator sees the requests it registered and can
/// print the outcome for the citizen.
struct RequestPages: RouteCollection {
    let config: LantaiConfiguration
    let catalogue: CataloguePages

    func boot(routes: any RoutesBuilder) throws {
        routes.get("requests", use: list)
        routes.get("requests", ":ref", use: show)
        routes.post("requests", ":ref", "events", use: act)
    }

    static let strings: [String: (String, String)] = [
        "requests": ("利用申请", "Requests"),
        "reference": ("查询号", "Reference"),
        "purpose": ("利用目的", "Purpose"),
        "channel": ("渠道", "Channel"),
        "requester": ("申请人", "Requester"),
        "identity": ("证件", "Identity document"),
        "contact": ("联系方式", "Contact"),
        "sought": ("查档内容", "Sought"),
        "status": ("状态", "Status"),
        "submittedAt": ("提交日期", "Submitted"),
        "due": ("答复期限", "Due"),
        "overdue": ("已逾期", "overdue"),
        "none": ("暂无申请。", "No requests."),
        "reason": ("不予提供的理由", "Reason for refusal"),
        "copies": ("利用副本", "Copies"),
        "print": ("打印", "Print"),
        "registeredBy": ("登记人", "Registered by"),
        "items": ("所申请的条目", "Records asked for"),
        "newRequest": ("代为登记申请", "Register a request"),
    ]

    func strings(_ req: Request) -> [String: String] { Self.strings.mapValues { req.prefersEnglish ? $0.1 : $0.0 } }

    struct Row: Encodable {
        var reference: String
        var href: String
        var purpose: String
        var channel: String
        var requester: String
        var status: String
        var submittedAt: String
        var due: String
        var overdue: Bool
    }

    struct ListContext: Encodable {
        var base: CataloguePages.Base
        var s: [String: String]
        var rows: [Row]
        var canRegister: Bool
    }

    func list(req: Request) async throws -> Response {
        guard let p = req.principal else { return req.redirect(to: "/login?next=/requests") }
        let en = req.prefersEnglish
        let s = strings(req)
        let now = Date()
        let rows = try await AccessRequests.list(for: p, status: nil, on: req.db).map { m -> Row in
            let dto = RequestsAPI.dto(m, full: true, now: now)
            return Row(reference: m.reference, href: "/requests/\(m.reference)",
                       purpose: RequestPurpose(rawValue: m.purpose).map { en ? $0.english : $0.chinese } ?? m.purpose,
                       channel: RequestChannel(rawValue: m.channel).map { en ? $0.english : $0.chinese } ?? m.channel,
                       requester: "\(m.requesterName)（\(m.identityMasked)）",
                       status: RequestStatus(rawValue: m.status).map { en ? $0.english : $0.chinese } ?? m.status,
                       submittedAt: m.submittedAt.map(PortalPages.day) ?? "", due: dto.dueAt.map(PortalPages.day) ?? "",
                       overdue: dto.overdue)
        }
        return try await req.view.render("requests", ListContext(base: catalogue.base(req, title: s["requests"]!), s: s, rows: rows,
                                                                 canRegister: p.actor.role == .servicePoint || p.actor.role == .archivist))
            .encodeResponse(for: req)
    }

    struct Action: Encodable {
        var event: String
        var label: String
        var needsReason: Bool
    }

    struct ShowContext: Encodable {
        var base: CataloguePages.Base
        var s: [String: String]
        var reference: String
        var fields: [CataloguePages.Field]
        var overdue: Bool
        var actions: [Action]
        var copies: [RequestsAPI.StatusDTO.Delivery]
        var items: [CataloguePages.Crumb]
    }

    func show(req: Request) async throws -> Response {
        guard let p = req.principal else { return req.redirect(to: "/login?next=\(req.url.path)") }
        let en = req.prefersEnglish
        let s = strings(req)
        let m = try await AccessRequests.find(req.parameters.get("ref") ?? "", on: req.db)
        guard AccessRequests.handles(m, p) else {
            throw LantaiError.forbidden(zh: "无权办理该申请", en: "not allowed to handle this request")
        }
        let dto = try await RequestsAPI.dto(m, full: true, on: req.db)
        let status = RequestStatus(rawValue: m.status)
        let channel = RequestChannel(rawValue: m.channel) ?? .online
        let actions = AccessRequestWorkflow.possibleEvents(from: status)
            .filter { $0 != .submit && AccessRequestWorkflow.mayTake($0, channel: channel, role: p.actor.role) }
            .map { Action(event: $0.rawValue, label: en ? $0.rawValue : $0.chinese, needsReason: $0 == .refuse) }
        var items: [CataloguePages.Crumb] = []
        for id in dto.requester?.itemIds ?? [] {
            if let uuid = UUID(uuidString: id), let item = try? await Catalogue.read(uuid, actor: p.actor, on: req.db) {
                items.append(.init(label: "\(item.archivalCode) \(item.title)", href: "/items/\(id)"))
            }
        }
        let fields: [CataloguePages.Field] = [
            .init(label: s["status"]!, value: en ? m.status : (status?.chinese ?? m.status)),
            .init(label: s["purpose"]!, value: RequestPurpose(rawValue: m.purpose).map { en ? $0.english : $0.chinese } ?? m.purpose),
            .init(label: s["channel"]!, value: en ? channel.english : channel.chinese),
            .init(label: s["requester"]!, value: m.requesterName),
            .init(label: s["identity"]!, value: m.identityMasked),
            .init(label: s["contact"]!, value: m.contact),
            .init(label: s["sought"]!, value: m.sought),
            .init(label: s["submittedAt"]!, value: m.submittedAt.map(PortalPages.day) ?? ""),
            .init(label: s["due"]!, value: dto.dueAt.map(PortalPages.day) ?? ""),
            .init(label: s["reason"]!, value: m.refusalReason ?? ""),
            .init(label: s["registeredBy"]!, value: m.registeredBy.isEmpty ? (en ? "online" : "网上") : m.registeredBy),
        ].filter { !$0.value.isEmpty }
        return try await req.view.render("request", ShowContext(
            base: catalogue.base(req, title: "\(s["requests"]!) \(m.reference)"), s: s, reference: m.reference, fields: fields,
            overdue: dto.overdue, actions: actions, copies: dto.deliveries, items: items)).encodeResponse(for: req)
    }

    func act(req: Request) async throws -> Response {
        guard let p = req.principal else { throw LantaiError.unauthenticated }
        _ = try req.requirePrincipal()
        let ref = req.parameters.get("ref") ?? ""
        let event = (try? req.content.get(String.self, at: "event")) ?? ""
        let reason = (try? req.content.get(String.self, at: "reason")) ?? ""
        switch event {
        case "accept": _ = try await AccessRequests.apply(.accept, to: ref, by: p, on: req.db)
        case "approve": _ = try await AccessRequests.apply(.approve, to: ref, by: p, on: req.db)
        case "refuse": _ = try await AccessRequests.apply(.refuse(reason: reason), to: ref, by: p, on: req.db)
        case "withdraw": _ = try await AccessRequests.apply(.withdraw, to: ref, by: p, on: req.db)
        case "deliver": _ = try await Deliveries.deliver(ref, by: p, config: config, on: req.db)
        default: throw LantaiError.badRequest(zh: "未知的办理步骤", en: "unknown step")
        }
        return req.redirect(to: "/requests/\(ref)")
    }
}
