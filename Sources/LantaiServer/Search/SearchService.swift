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
                    from = "search_fts JOIN search_docs d ON d.doc = search_fts.rowid WHERE search_fts MATCH \(bind: match)"
                    score = "bm25(search_fts, 10.0, 4.0, 4.0, 4.0, 1.0)"
                } else {
                    from = "search_docs d WHERE 1 = 1"
                    score = "0"
                }
            } else if let condition = try PostgresRenderer(columnPrefix: "d.search_").condition(for: query) {
                from = "search_docs d WHERE "
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
                from = "search_docs d WHERE 1 = 1"
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
            SELECT d.fonds_code AS f0, d.category AS f1, d.year AS f2, d.retention AS f3, d.carrier AS f4,
                   d.access_status AS f5, count(*) AS n FROM
            """ + " " + from + " GROUP BY d.fonds_code, d.category, d.year, d.retention, d.carrier, d.access_status").all()
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
        case .relevance: order = " ORDER BY score, d.date DESC, d.archival_code"
        case .date: order = " ORDER BY d.date DESC, d.archival_code"
        case .dateAscending: order = " ORDER BY d.date, d.archival_code"
        }
        // The page of hits from the index, then those records (and nothing else) from the catalogue.
        let pageRows = try await sql.raw("SELECT d.item_id, d.body_text, \(score) AS score FROM " + from + order
                                         + " LIMIT \(literal: pageSize) OFFSET \(literal: (page - 1) * pageSize)").all()
        var pageIds: [UUID] = []
        var bodies: [UUID: String] = [:]
        for row in pageRows {
            let id = try row.decode(column: "item_id", as: UUID.self)
            pageIds.append(id)
            bodies[id] = try row.decode(column: "body_text", as: String.self)
        }
        var byId: [UUID: SQLRow] = [:]
        if !pageIds.isEmpty {
            for row in try await sql.raw("""
                SELECT id, archival_code, title, creator, document_number, date, year, fonds_code, category, access_status,
                       subjects, notes, object_id FROM items WHERE id IN (\(binds: pageIds.map { $0 as any Encodable & Sendable }))
                """).all() {
                byId[try row.decode(column: "id", as: UUID.self)] = row
            }
        }
        let rows = pageIds.compactMap { byId[$0] }
        var hits: [Hit] = []
        for row in rows {
            let title = try row.decode(column: "title", as: String.self)
            let bodyText = bodies[try row.decode(column: "id", as: UUID.self)] ?? ""
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

    /// The SQL twin of `ReadScope.permits` (and of `Catalogue.restrict`), over the index (`search_docs d`).
    static func scopeCondition(_ scope: ReadScope) -> SQLQueryString {
        let classifications = scope.classifications.map { $0.rawValue as any Encodable & Sendable }
        var q: SQLQueryString = " AND d.classification IN (\(binds: classifications))"
        let statuses = scope.statuses.map(\.rawValue).sorted().map { $0 as any Encodable & Sendable }
        var alternatives: [SQLQueryString] = []
        if !statuses.isEmpty { alternatives.append("d.access_status IN (\(binds: statuses))") }
        if let agency = scope.agency, !scope.ownAgencyStatuses.isEmpty {
            let own = scope.ownAgencyStatuses.map(\.rawValue).sorted().map { $0 as any Encodable & Sendable }
            alternatives.append("(d.fonds_code = \(bind: agency) AND d.access_status IN (\(binds: own)))")
        }
        if alternatives.isEmpty { return " AND 1 = 0" }
        q += " AND (" + alternatives.joined(separator: " OR ") + ")"
        return q
    }

    static func filterCondition(_ f: Filters, years: ClosedRange<Int>?) -> SQLQueryString {
        var q: SQLQueryString = ""
        if let v = f.fonds { q += " AND d.fonds_code = \(bind: v)" }
        if let v = f.category { q += " AND d.category = \(bind: v)" }
        if let v = f.retention { q += " AND d.retention = \(bind: v)" }
        if let v = f.carrier { q += " AND d.carrier = \(bind: v)" }
        if let v = f.accessStatus { q += " AND d.access_status = \(bind: v)" }
        let lower = [f.yearFrom, years?.lowerBound].compactMap { $0 }.max()
        let upper = [f.yearTo, years?.upperBound].compactMap { $0 }.min()
        if let lower { q += " AND d.year >= \(bind: lower)" }
        if let upper { q += " AND d.year <= \(bind: upper)" }
        return q
    }
}
