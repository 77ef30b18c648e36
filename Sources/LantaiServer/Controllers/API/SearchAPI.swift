import ArchiveKit
import Search
import Vapor

/// GET /api/v1/search — full-text search with facets; the actor's access rules apply inside
/// the query (anonymous callers see open records only).
struct SearchAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("search", use: search)
    }

    struct HitDTO: Content {
        var id: UUID
        var archivalCode: String
        var title: String
        /// The title with matches in `<mark>…</mark>`, HTML-escaped otherwise.
        var titleHighlighted: String
        /// Context from the full text, subjects or notes, likewise marked.
        var snippet: String
        var creator: String
        var documentNumber: String
        var date: String
        var year: Int
        var fonds: String
        var category: String
        var accessStatus: String
        var hasDigitalObject: Bool
    }

    struct FacetValue: Content {
        var value: String
        var count: Int
    }

    struct ResultDTO: Content {
        var total: Int
        var page: Int
        var pageSize: Int
        var hits: [HitDTO]
        var facets: [String: [FacetValue]]
    }

    static func marked(_ segments: [SnippetSegment]) -> String {
        segments.map { $0.isHighlighted ? "<mark>\(escapeHTML($0.text))</mark>" : escapeHTML($0.text) }.joined()
    }

    static func escapeHTML(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// The request's query parameters as a search; shared with the portal pages.
    struct Input {
        var query: ParsedQuery
        var filters: SearchService.Filters
        var sort: SearchService.Sort
        var page: Int
        var pageSize: Int

        init(_ req: Request, defaultPageSize: Int = 20) throws {
            let known: Set<String> = ["q", "within", "fonds", "category", "yearFrom", "yearTo", "retention", "carrier",
                                      "accessStatus", "sort", "page", "pageSize", "lang"]
            if let url = URLComponents(string: req.url.string), let unknown = url.queryItems?.first(where: { !known.contains($0.name) }) {
                throw LantaiError.field(unknown.name, rule: "unknown", zh: "未知的查询参数 \(unknown.name)",
                                        en: "unknown query parameter \(unknown.name)", status: .badRequest)
            }
            func int(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
                guard let raw = req.query[String.self, at: name], !raw.isEmpty else { return nil }
                guard let v = Int(raw), range.contains(v) else {
                    throw LantaiError.field(name, rule: "range", zh: "\(name) 应为 \(range.lowerBound) 到 \(range.upperBound) 之间的整数",
                                            en: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)", status: .badRequest)
                }
                return v
            }
            func text(_ name: String) -> String? {
                guard let v = req.query[String.self, at: name]?.trimmed, !v.isEmpty else { return nil }
                return v
            }
            let q = req.query[String.self, at: "q"] ?? ""
            query = try SearchService.parse(q, within: req.query[String.self, at: "within"])
            filters = .init(fonds: text("fonds"), category: text("category"), yearFrom: try int("yearFrom", 1000...2999),
                            yearTo: try int("yearTo", 1000...2999), retention: text("retention"), carrier: text("carrier"),
                            accessStatus: text("accessStatus"))
            if let from = filters.yearFrom, let to = filters.yearTo, from > to {
                throw LantaiError.field("yearFrom", rule: "range", zh: "起始年度 \(from) 晚于终止年度 \(to)",
                                        en: "yearFrom \(from) is after yearTo \(to)", status: .badRequest)
            }
            guard let s = SearchService.Sort(rawValue: text("sort") ?? "relevance") else {
                throw LantaiError.field("sort", rule: "vocabulary", zh: "排序应为 relevance、date 或 date-asc",
                                        en: "sort must be relevance, date or date-asc", status: .badRequest)
            }
            sort = s
            page = try int("page", 1...SearchService.maxPage) ?? 1
            pageSize = try int("pageSize", 1...SearchService.maxPageSize) ?? defaultPageSize
        }
    }

    func search(req: Request) async throws -> ResultDTO {
        if let p = req.principal, p.mustChangePassword { _ = try req.requirePrincipal() }
        let input = try Input(req)
        let r = try await SearchService.search(input.query, filters: input.filters, sort: input.sort, page: input.page,
                                               pageSize: input.pageSize, actor: req.actor, on: req.db)
        return ResultDTO(
            total: r.total, page: r.page, pageSize: r.pageSize,
            hits: r.hits.map {
                HitDTO(id: $0.id, archivalCode: $0.archivalCode, title: $0.title, titleHighlighted: Self.marked($0.titleSegments),
                       snippet: Self.marked($0.snippet), creator: $0.creator, documentNumber: $0.documentNumber, date: $0.date,
                       year: $0.year, fonds: $0.fonds, category: $0.category, accessStatus: $0.accessStatus, hasDigitalObject: $0.hasObject)
            },
            facets: r.facets.mapValues { $0.map { FacetValue(value: $0.value, count: $0.count) } })
    }
}
