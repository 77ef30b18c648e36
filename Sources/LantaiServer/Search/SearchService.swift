import ArchiveKit
import Fluent
import Foundation
import Search
import SQLKit

/// Full-text search of the catalogue (检索) with the actor's access rules inside the query:
/// hits, totals and facet counts are all computed over the records the actor may read, so a
/// classified or controlled record never shows — not even as a count.
enum SearchService {
    enum Sort: String, Sendable { case relevance, date, dateAscending = "date-asc" }

    struct Filters: Sendable, Equatable {
        var fonds: String?
        var category: String?
        var yearFrom: Int?
        var yearTo: Int?
        var retention: String?
        var carrier: String?
        var accessStatus: String?
    }

    struct Hit: Sendable {
        var id: UUID
        var archivalCode: String
        var title: String
        var creator: String
        var documentNumber: String
        var date: String
        var year: Int
        var fonds: String
        var category: String
        var accessStatus: String
        var titleSegments: [SnippetSegment]
        var snippet: [SnippetSegment]
        var hasObject: Bool
    }

    struct Result: Sendable {
        var total: Int
        var hits: [Hit]
        /// facet name → [(value, count)], most frequent first.
        var facets: [String: [(value: String, count: Int)]]
        var page: Int
        var pageSize: Int
        var query: ParsedQuery
    }

    static let facetColumns: [(name: String, column: String)] = [
        ("fonds", "fonds_code"), ("category", "category"), ("year", "year"), ("retention", "retention"),
        ("carrier", "carrier"), ("accessStatus", "access_status"),
    ]
    static let maxPageSize = 100
    /// Deep paging costs as much as it shows nobody: 100 pages is the end.
    static let maxPage = 100

    static func queryError(_ e: SearchQueryError) -> LantaiError {
        LantaiError(.badRequest, code: e.code, zh: e.messageZh, en: e.messageEn, field: "q")
    }

    /// Parses `q` (and `within`, a previous query to search inside).
    static func parse(_ q: String, within: String?) throws -> ParsedQuery {
        do {
            if let within, !within.trimmed.isEmpty {
                return try SearchQueryParser.parse(q, within: try SearchQueryParser.parse(within))
            }
            return try SearchQueryParser.parse(q)
        } catch {
            throw queryError(error)
        }
    }

    static func search(_ query: ParsedQuery, filters: Filters, sort: Sort, page: Int, pageSize: Int, facets wantFacets: Bool = true,
                       actor: Actor, on db: any Database) async throws -> Result {
        guard (1...maxPage).contains(page) else {
            throw LantaiError.field("page", rule: "range", zh: "页码应在 1 到 \(maxPage) 之间；请缩小检索范围",
                                    en: "page must be between 1 and \(maxPage): narrow the search instead", status: .badRequest)
        }
        guard (1...maxPageSize).contains(pageSize) else {
            throw LantaiError.field("pageSize", rule: "range", zh: "每页条数应在 1 到 \(maxPageSize) 之间",
                                    en: "pageSize must be between 1 and \(maxPageSize)", status: .badRequest)
        }
        let empty = Result(total: 0, hits: [], facets: [:], page: page, pageSize: pageSize, query: query)
        guard query.yearsCanMatch else { return empty }
        let sql = db as! any SQLDatabase
        let sqlite = SearchIndex.isSQLite(sql)
        var from: SQLQueryString
        var score: SQLQueryString
        do {
            if sqlite {
                if let match = try FTS5Renderer().matchExpression(for: query) {
                    from = "search_fts JOIN search_docs d ON d.doc = search_fts.rowid JOIN items i ON i.id = d.item_id WHERE search_fts MATCH \(bind: match)"
                    score = "bm25(search_fts, 10.0, 4.0, 4.0, 4.0, 1.0)"
                } else {
                    from = "items i LEFT JOIN search_docs d ON d.item_id = i.id WHERE 1 = 1"
                    score = "0"
                }
            } else if let condition = try PostgresRenderer(columnPrefix: "d.search_").condition(for: query) {
                from = "items i JOIN search_docs d ON d.item_id = i.id WHERE "
                for part in condition.parts {
                    switch part {
                    case .sql(let s): from += "\(unsafeRaw: s)"
                    case .bind(let v): from += "\(bind: v)"
                    }
                }
                let ranking = PostgresRenderer.rankingTSQuery(for: query) ?? ""
                // ts_rank is higher-is-better; negated so both engines sort ascending.
                score = "-ts_rank(d.search_title || d.search_creator || d.search_document_number || d.search_archival_code || d.search_body, to_tsquery('simple', \(bind: ranking)))"
            } else {
                from = "items i LEFT JOIN search_docs d ON d.item_id = i.id WHERE 1 = 1"
                score = "0"
            }
        } catch {
            throw queryError(error)
        }
        from += scopeCondition(AccessPolicy.readScope(for: actor))
        from += filterCondition(filters, years: query.yearRange)

        // One pass over the hits gives the total and every facet: group by all six facet columns
        // at once (a few thousand combinations at most) and add up here, instead of a count and
        // six GROUP BYs each walking every hit again.
        let combos = try await sql.raw("""
            SELECT i.fonds_code AS f0, i.category AS f1, i.year AS f2, i.retention AS f3, i.carrier AS f4,
                   i.access_status AS f5, count(*) AS n FROM
            """ + " " + from + " GROUP BY i.fonds_code, i.category, i.year, i.retention, i.carrier, i.access_status").all()
        var total = 0
        var counts: [[String: Int]] = Array(repeating: [:], count: facetColumns.count)
        for row in combos {
            let n = try row.decode(column: "n", as: Int.self)
            total += n
            for k in 0..<facetColumns.count {
                let value = k == 2 ? String(try row.decode(column: "f2", as: Int.self)) : try row.decode(column: "f\(k)", as: String.self)
                counts[k][value, default: 0] += n
            }
        }
        guard total > 0 else { return empty }

        let order: SQLQueryString
        switch sort {
        case .relevance: order = " ORDER BY score, i.date DESC, i.archival_code"
        case .date: order = " ORDER BY i.date DESC, i.archival_code"
        case .dateAscending: order = " ORDER BY i.date, i.archival_code"
        }
        let select: SQLQueryString = """
            SELECT i.id, i.archival_code, i.title, i.creator, i.document_number, i.date, i.year, i.fonds_code, i.category,
                   i.access_status, i.subjects, i.notes, i.object_id, coalesce(d.body_text, '') AS body_text, \(score) AS score FROM
            """
        let rows = try await sql.raw(select + " " + from + order + " LIMIT \(literal: pageSize) OFFSET \(literal: (page - 1) * pageSize)").all()
        var hits: [Hit] = []
        for row in rows {
            let title = try row.decode(column: "title", as: String.self)
            let bodyText = try row.decode(column: "body_text", as: String.self)
            let notes = try row.decode(column: "notes", as: String.self)
            let subjects = try row.decode(column: "subjects", as: String.self)
            let context = [bodyText, subjects.replacingOccurrences(of: "\n", with: "；"), notes].first { !$0.isEmpty } ?? ""
            hits.append(Hit(
                id: try row.decode(column: "id", as: UUID.self),
                archivalCode: try row.decode(column: "archival_code", as: String.self),
                title: title,
                creator: try row.decode(column: "creator", as: String.self),
                documentNumber: try row.decode(column: "document_number", as: String.self),
                date: try row.decode(column: "date", as: String.self),
                year: try row.decode(column: "year", as: Int.self),
                fonds: try row.decode(column: "fonds_code", as: String.self),
                category: try row.decode(column: "category", as: String.self),
                accessStatus: try row.decode(column: "access_status", as: String.self),
                titleSegments: Snippet.make(text: title, query: query, maxLength: 400),
                snippet: context.isEmpty ? [] : Snippet.make(text: context, query: query, maxLength: 120),
                hasObject: (try row.decode(column: "object_id", as: String?.self)) != nil))
        }
        var facets: [String: [(value: String, count: Int)]] = [:]
        if wantFacets {
            for (k, (name, _)) in facetColumns.enumerated() {
                facets[name] = counts[k].map { (value: $0.key, count: $0.value) }
                    .sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
                    .prefix(30).map { $0 }
            }
        }
        return Result(total: total, hits: hits, facets: facets, page: page, pageSize: pageSize, query: query)
    }

    /// The SQL twin of `ReadScope.permits` (and of `Catalogue.restrict`), over `items i`.
    static func scopeCondition(_ scope: ReadScope) -> SQLQueryString {
        let classifications = scope.classifications.map { $0.rawValue as any Encodable & Sendable }
        var q: SQLQueryString = " AND i.classification IN (\(binds: classifications))"
        let statuses = scope.statuses.map(\.rawValue).sorted().map { $0 as any Encodable & Sendable }
        var alternatives: [SQLQueryString] = []
        if !statuses.isEmpty { alternatives.append("i.access_status IN (\(binds: statuses))") }
        if let agency = scope.agency, !scope.ownAgencyStatuses.isEmpty {
            let own = scope.ownAgencyStatuses.map(\.rawValue).sorted().map { $0 as any Encodable & Sendable }
            alternatives.append("(i.fonds_code = \(bind: agency) AND i.access_status IN (\(binds: own)))")
        }
        if alternatives.isEmpty { return " AND 1 = 0" }
        q += " AND (" + alternatives.joined(separator: " OR ") + ")"
        return q
    }

    static func filterCondition(_ f: Filters, years: ClosedRange<Int>?) -> SQLQueryString {
        var q: SQLQueryString = ""
        if let v = f.fonds { q += " AND i.fonds_code = \(bind: v)" }
        if let v = f.category { q += " AND i.category = \(bind: v)" }
        if let v = f.retention { q += " AND i.retention = \(bind: v)" }
        if let v = f.carrier { q += " AND i.carrier = \(bind: v)" }
        if let v = f.accessStatus { q += " AND i.access_status = \(bind: v)" }
        let lower = [f.yearFrom, years?.lowerBound].compactMap { $0 }.max()
        let upper = [f.yearTo, years?.upperBound].compactMap { $0 }.min()
        if let lower { q += " AND i.year >= \(bind: lower)" }
        if let upper { q += " AND i.year <= \(bind: upper)" }
        return q
    }
}
