import ArchiveKit
import Fluent
import Search
import Vapor

/// The public portal (公共服务门户): no sign-in needed. Search with facets and highlights,
/// guides to the common 民生档案 with a guided request form, and following a request by its
/// reference. What a visitor sees is what `AccessPolicy` lets an anonymous reader see.
struct PortalPages: RouteCollection {
    let config: LantaiConfiguration
    let catalogue: CataloguePages

    func boot(routes: any RoutesBuilder) throws {
        routes.get("portal", use: home)
        routes.get("search", use: search)
        routes.get("guides", ":topic", use: guide)
        routes.post("requests", use: submit)
        routes.get("requests", "status", use: status)
    }

    static let strings: [String: (String, String)] = [
        "portal": ("档案查询", "Find records"),
        "searchHint": ("输入题名、人名、地名、文号……例如：婚姻登记", "Title, name, place, document number… e.g. marriage registration"),
        "search": ("检索", "Search"),
        "within": ("在结果中检索", "Search within these results"),
        "results": ("检索结果", "Results"),
        "found": ("共找到 %d 条", "%d records found"),
        "none": ("没有找到符合条件的开放档案。可以换个说法，或提交利用申请由档案馆代查。",
                 "No open records match. Try other words, or send a request and the archives will look for you."),
        "sortRelevance": ("按相关度", "By relevance"),
        "sortDate": ("按日期", "By date"),
        "facetFonds": ("全宗", "Fonds"),
        "facetCategory": ("门类", "Category"),
        "facetYear": ("年度", "Year"),
        "facetRetention": ("保管期限", "Retention"),
        "facetCarrier": ("载体", "Carrier"),
        "facetAccessStatus": ("开放状态", "Access"),
        "clear": ("清除筛选", "Clear filters"),
        "prev": ("上一页", "Previous"),
        "next": ("下一页", "Next"),
        "guides": ("民生档案查询指南", "Guides to records about your life"),
        "follow": ("查询办理进度", "Follow a request"),
        "reference": ("查询号", "Reference"),
        "ask": ("提交利用申请", "Request records"),
        "name": ("申请人姓名", "Your name"),
        "idKind": ("证件类型", "Identity document"),
        "idNumber": ("证件号码", "Document number"),
        "contact": ("联系电话", "Telephone"),
        "sought": ("要查的档案（时间、地点、单位、人名等）", "What you are looking for (when, where, which office, names)"),
        "submit": ("提交申请", "Submit"),
        "submitted": ("申请已提交。请记下查询号，凭它查询办理进度：", "Your request has been sent. Keep this reference to follow it:"),
        "status": ("办理状态", "Status"),
        "due": ("答复期限", "Answer due"),
        "reason": ("不予提供的理由", "Reason"),
        "copies": ("利用副本下载", "Copies to download"),
        "downloadsLeft": ("剩余下载次数", "downloads left"),
        "print": ("打印", "Print"),
        "privacy": ("证件号码只以掩码和加密摘要保存，不会公开。", "Your document number is stored only masked and as a keyed digest, never shown."),
    ]

    struct Guide: Encodable {
        var topic: String
        var title: String
        var text: String
        var href: String
    }

    static let guides: [(RequestPurpose, String, String, String, String)] = [
        (.marriage, "婚姻登记档案", "Marriage registration records",
         "婚姻登记档案记录结婚、离婚登记。请写明登记年份、登记机关（如某公社、某街道办事处）和双方姓名。",
         "Marriage registration records cover marriages and divorces. Give the year, the registering office and both names."),
        (.schooling, "学籍档案", "School records",
         "学籍档案包括入学、毕业登记和成绩。请写明学校名称、入学和毕业年份、班级。",
         "School records hold enrolment, graduation and marks. Give the school, the years and the class."),
        (.employment, "工龄与就业档案", "Employment records",
         "招工、调动、退休审批等档案用于计算工龄。请写明工作单位、起止年份。",
         "Hiring, transfer and retirement records are used to count years of service. Give the employer and the years."),
        (.landHousing, "土地与房产档案", "Land and housing records",
         "土地分配、宅基地、房产登记档案。请写明地点（乡镇、村、组）、年份和户主姓名。",
         "Land allocation, homestead and housing records. Give the place, the year and the household head."),
        (.militaryService, "兵役档案", "Military service records",
         "征兵、退伍安置档案。请写明入伍和退伍年份、原籍和部队番号（如知道）。",
         "Conscription and discharge records. Give the years of service, home place and unit if known."),
    ]

    func strings(_ req: Request) -> [String: String] {
        Self.strings.mapValues { req.prefersEnglish ? $0.1 : $0.0 }
    }

    func guideList(_ req: Request) -> [Guide] {
        let en = req.prefersEnglish
        return Self.guides.map { Guide(topic: $0.0.rawValue, title: en ? $0.2 : $0.1, text: en ? $0.4 : $0.3, href: "/guides/\($0.0.rawValue)") }
    }

    struct HomeContext: Encodable {
        var base: CataloguePages.Base
        var s: [String: String]
        var guides: [Guide]
        var q: String
    }

    func home(req: Request) async throws -> View {
        let s = strings(req)
        return try await req.view.render("portal", HomeContext(base: catalogue.base(req, title: s["portal"]!), s: s,
                                                               guides: guideList(req), q: ""))
    }

    // MARK: Search

    struct FacetLink: Encodable {
        var label: String
        var count: Int
        var href: String
        var active: Bool
    }
    struct FacetGroup: Encodable {
        var title: String
        var values: [FacetLink]
    }
    struct HitRow: Encodable {
        var href: String
        var archivalCode: String
        var titleHTML: String
        var snippetHTML: String
        var meta: String
    }
    struct SearchContext: Encodable {
        var base: CataloguePages.Base
        var s: [String: String]
        var q: String
        var foundLine: String
        var hits: [HitRow]
        var facets: [FacetGroup]
        var error: String?
        var prevHref: String?
        var nextHref: String?
        var sortRelevanceHref: String
        var sortDateHref: String
        var clearHref: String?
        var hasFilters: Bool
    }

    /// The current query string with some parameters changed (nil removes), always back to page 1
    /// unless the page is what changes.
    static func link(_ req: Request, _ changes: [String: String?]) -> String {
        var items = (URLComponents(string: req.url.string)?.queryItems ?? []).filter { $0.name != "page" || changes.keys.contains("page") }
        for (k, v) in changes {
            items.removeAll { $0.name == k }
            if let v { items.append(URLQueryItem(name: k, value: v)) }
        }
        var c = URLComponents()
        c.path = "/search"
        c.queryItems = items.isEmpty ? nil : items
        return c.string ?? "/search"
    }

    func search(req: Request) async throws -> Response {
        let s = strings(req)
        let en = req.prefersEnglish
        let q = req.query[String.self, at: "q"] ?? ""
        var ctx = SearchContext(base: catalogue.base(req, title: s["results"]!), s: s, q: q, foundLine: "", hits: [], facets: [],
                                error: nil, prevHref: nil, nextHref: nil, sortRelevanceHref: Self.link(req, ["sort": nil]),
                                sortDateHref: Self.link(req, ["sort": "date"]), clearHref: nil, hasFilters: false)
        let input: SearchAPI.Input
        do {
            input = try SearchAPI.Input(req)
        } catch let e as LantaiError {
            // A query the parser refuses is shown with its message, never an error page.
            ctx.error = en ? e.en : e.zh
            return try await req.view.render("search", ctx).encodeResponse(status: .ok, for: req)
        }
        let r = try await SearchService.search(input.query, filters: input.filters, sort: input.sort, page: input.page,
                                               pageSize: input.pageSize, actor: req.actor, on: req.db)
        ctx.foundLine = String(format: s["found"]!, r.total)
        ctx.hits = r.hits.map { h in
            HitRow(href: "/items/\(h.id.uuidString)", archivalCode: h.archivalCode, titleHTML: SearchAPI.marked(h.titleSegments),
                   snippetHTML: SearchAPI.marked(h.snippet),
                   meta: [h.creator, h.documentNumber, h.date].filter { !$0.isEmpty }.joined(separator: " · "))
        }
        let names = ["fonds": "facetFonds", "category": "facetCategory", "year": "facetYear", "retention": "facetRetention",
                     "carrier": "facetCarrier", "accessStatus": "facetAccessStatus"]
        let params = ["fonds": "fonds", "category": "category", "year": "yearFrom", "retention": "retention", "carrier": "carrier",
                      "accessStatus": "accessStatus"]
        for (name, _) in SearchService.facetColumns {
            let values = r.facets[name] ?? []
            guard !values.isEmpty else { continue }
            let param = params[name]!
            let current = req.query[String.self, at: param]
            ctx.facets.append(FacetGroup(title: s[names[name]!]!, values: values.map { v in
                let label: String
                switch name {
                case "retention": label = Retention(rawValue: v.value).map { en ? $0.english : $0.chinese } ?? v.value
                case "accessStatus": label = AccessStatus(rawValue: v.value).map { en ? $0.english : $0.chinese } ?? v.value
                default: label = v.value.isEmpty ? "—" : v.value
                }
                let change: [String: String?] = name == "year" ? ["yearFrom": v.value, "yearTo": v.value] : [param: v.value]
                return FacetLink(label: label, count: v.count, href: Self.link(req, change), active: current == v.value)
            }))
        }
        let filterNames = ["fonds", "category", "yearFrom", "yearTo", "retention", "carrier", "accessStatus"]
        ctx.hasFilters = filterNames.contains { req.query[String.self, at: $0] != nil }
        if ctx.hasFilters { ctx.clearHref = Self.link(req, Dictionary(uniqueKeysWithValues: filterNames.map { ($0, String?.none) })) }
        let pages = (r.total + r.pageSize - 1) / r.pageSize
        if r.page > 1 { ctx.prevHref = Self.link(req, ["page": String(r.page - 1)]) }
        if r.page < min(pages, SearchService.maxPage) { ctx.nextHref = Self.link(req, ["page": String(r.page + 1)]) }
        return try await req.view.render("search", ctx).encodeResponse(for: req)
    }

    // MARK: Guides and requests

    struct Option: Encodable {
        var value: String
        var label: String
    }
    struct GuideContext: Encodable {
        var base: CataloguePages.Base
        var s: [String: String]
        var guide: Guide
        var idKinds: [Option]
        var error: String?
        var values: [String: String]
    }

    func guideContext(_ req: Request, topic: String, error: String? = nil, values: [String: String] = [:]) throws -> GuideContext {
        let s = strings(req)
        guard let guide = guideList(req).first(where: { $0.topic == topic }) ?? (topic == "other" ? Guide(topic: "other", title: s["ask"]!, text: "", href: "/guides/other") : nil) else {
            throw LantaiError.notFound("guide \(topic)", zh: "指南 \(topic)")
        }
        let en = req.prefersEnglish
        return GuideContext(base: catalogue.base(req, title: guide.title), s: s, guide: guide,
                            idKinds: IdentityDocumentKind.allCases.map { Option(value: $0.rawValue, label: en ? $0.english : $0.chinese) },
                            error: error, values: values)
    }

    func guide(req: Request) async throws -> View {
        try await req.view.render("guide", try guideContext(req, topic: req.parameters.get("topic") ?? ""))
    }

    struct SubmittedContext: Encodable {
        var base: CataloguePages.Base
        var s: [String: String]
        var reference: String
        var statusHref: String
    }

    func submit(req: Request) async throws -> Response {
        struct Form: Decodable {
            var purpose: String
            var requesterName: String?
            var identityKind: String?
            var identityNumber: String?
            var contact: String?
            var sought: String?
            var itemId: UUID?
            var channel: String?
        }
        let form = try req.content.decode(Form.self)
        let p = req.principal
        // Who registers decides the channel: a service point's operator (就地受理), an archivist
        // at the counter, or the requester online.
        let channel = form.channel ?? (p?.actor.role == .servicePoint ? "service-point" : p?.actor.role == .archivist ? "on-site" : "online")
        let values = ["requesterName": form.requesterName ?? "", "contact": form.contact ?? "", "sought": form.sought ?? "",
                      "identityKind": form.identityKind ?? "resident-id"]
        do {
            let input = try JSONDecoder().decode(RequestsAPI.SubmitInput.self, from: JSONSerialization.data(withJSONObject: [
                "channel": channel, "purpose": form.purpose, "requesterName": form.requesterName ?? "",
                "identityKind": form.identityKind ?? "resident-id", "identityNumber": form.identityNumber ?? "",
                "contact": form.contact ?? "", "sought": form.sought ?? "",
                "itemIds": form.itemId.map { [$0.uuidString] } ?? [],
            ]))
            let m = try await AccessRequests.submit(try input.submission(), by: p, config: config, on: req.db)
            let s = strings(req)
            return try await req.view.render("request-submitted", SubmittedContext(
                base: catalogue.base(req, title: s["ask"]!), s: s, reference: m.reference,
                statusHref: "/requests/status?ref=\(m.reference)")).encodeResponse(status: .created, for: req)
        } catch let e as LantaiError where e.status.code < 500 {
            let ctx = try guideContext(req, topic: RequestPurpose(rawValue: form.purpose)?.rawValue ?? "other",
                                       error: req.prefersEnglish ? e.en : e.zh, values: values)
            return try await req.view.render("guide", ctx).encodeResponse(status: e.status, for: req)
        }
    }

    struct StatusContext: Encodable {
        var base: CataloguePages.Base
        var s: [String: String]
        var ref: String
        var error: String?
        var found: Bool
        var statusName: String
        var submittedAt: String
        var dueAt: String
        var overdue: Bool
        var refusalReason: String?
        var copies: [RequestsAPI.StatusDTO.Delivery]
    }

    func status(req: Request) async throws -> Response {
        let s = strings(req)
        let ref = (req.query[String.self, at: "ref"] ?? "").trimmed
        var ctx = StatusContext(base: catalogue.base(req, title: s["follow"]!), s: s, ref: ref, error: nil, found: false, statusName: "",
                                submittedAt: "", dueAt: "", overdue: false, refusalReason: nil, copies: [])
        if !ref.isEmpty {
            do {
                let m = try await AccessRequests.find(ref, on: req.db)
                let dto = try await RequestsAPI.dto(m, full: false, on: req.db)
                let en = req.prefersEnglish
                ctx.found = true
                ctx.statusName = en ? dto.status : dto.statusName
                ctx.submittedAt = dto.submittedAt.map(Self.day) ?? ""
                ctx.dueAt = dto.dueAt.map(Self.day) ?? ""
                ctx.overdue = dto.overdue
                ctx.refusalReason = dto.refusalReason
                ctx.copies = dto.deliveries
            } catch let e as LantaiError where e.status.code < 500 {
                ctx.error = req.prefersEnglish ? e.en : e.zh
            }
        }
        return try await req.view.render("request-status", ctx).encodeResponse(for: req)
    }

    static func day(_ d: Date) -> String {
        ISO8601DateFormatter.string(from: d, timeZone: TimeZone(secondsFromGMT: 8 * 3600)!, formatOptions: [.withFullDate])
    }
}
