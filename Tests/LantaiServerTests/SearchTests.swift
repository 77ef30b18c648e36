import ArchiveKit
import Fluent
import Foundation
@testable import LantaiServer
import Search
import SQLKit
import XCTest
import XCTVapor

/// Full-text search through the API and the portal: Chinese by bigrams with traditional and
/// simplified alike, fields, years, NOT/OR, highlights, facets; access rules inside the query
/// for every role; hostile queries answered without a 500; the index following every change;
/// and SQLite and PostgreSQL giving the same hits for the same query.
final class SearchTests: PageTestCase {
    struct Record {
        var title: String
        var creator = "江临市人民政府办公室"
        var number = ""
        var year = 2015
        var access = "open"
        var classification = "none"
        var fonds = "J001"
        var subjects: [String] = []
        var notes = ""
    }

    static let corpus: [Record] = [
        Record(title: "关于加强档案馆建设的通知", number: "江政发〔2015〕12号", subjects: ["档案", "基本建设"]),
        Record(title: "江临市檔案管理辦法", creator: "江临市档案局", year: 1998),
        Record(title: "2015年婚姻登记工作总结", creator: "江临市民政局", notes: "含红星公社婚姻登记统计"),
        Record(title: "Annual report of the archives 2015", creator: "Jiangling Archives", year: 2016),
        Record(title: "关于土地承包经营权证发放的请示", creator: "江临市农业局", year: 2003, access: "controlled"),
        Record(title: "兵役登记工作安排", year: 2010, access: "unreviewed"),
        Record(title: "档案保密检查情况报告", year: 2012, access: "controlled", classification: "secret"),
        Record(title: "学籍档案移交清单", creator: "江临市第一中学", year: 1995, fonds: "J002"),
        Record(title: "关于档案工作的批复", year: 2015, access: "controlled", fonds: "J002"),
    ]

    var ids: [String: UUID] = [:]

    /// Loads the corpus through the catalogue service (so the index follows) and returns ids by title.
    static func load(_ records: [Record] = SearchTests.corpus, into app: Application) async throws -> [String: UUID] {
        var ids: [String: UUID] = [:]
        for code in Set(records.map(\.fonds)).sorted() {
            let f = FondsModel()
            f.code = code
            f.name = code == "J001" ? "江临市人民政府办公室" : "江临市教育局"
            f.agency = f.name
            f.history = ""
            try await f.create(on: app.db)
        }
        let fonds = try await FondsModel.query(on: app.db).all()
        let principal = Principal(system: "test", actor: Actor(role: .archivist, clearance: .topSecret))
        var batch: [NewRecord] = []
        for r in records {
            var d = RecordDraft()
            d.title = r.title
            d.creator = r.creator
            d.documentNumber = r.number
            d.date = "\(r.year)-03-02"
            d.year = String(r.year)
            d.category = "WS"
            d.retention = "permanent"
            d.organisation = "BGS"
            d.classification = r.classification
            d.accessStatus = r.access
            d.subjects = r.subjects
            d.notes = r.notes
            batch.append(NewRecord(fondsId: fonds.first { $0.code == r.fonds }!.id!, archivalCode: nil, draft: d))
        }
        let created = try await Catalogue.create(batch, actor: principal, on: app.db, batch: true)
        for (r, c) in zip(records, created) { ids[r.title] = c.id }
        return ids
    }


    func load(_ records: [Record] = SearchTests.corpus, into app: Application) async throws {
        ids = try await Self.load(records, into: app)
    }

    func search(_ q: String, token: String? = nil, extra: String = "", file: StaticString = #filePath, line: UInt = #line) async throws -> APIResponse {
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return try await call(.GET, "api/v1/search?q=\(encoded)\(extra)", token: token, file: file, line: line)
    }

    func titles(_ r: APIResponse) -> Set<String> {
        Set(((r.object["hits"] as? [[String: Any]]) ?? []).compactMap { $0["title"] as? String })
    }

    func testChineseBigramsTraditionalFoldingFieldsYearsAndHighlights() async throws {
        try await load(into: app)
        let archivist = try await token("archivist", role: .archivist, clearance: .topSecret)
        let both = try await search("档案", token: archivist)
        XCTAssertTrue(titles(both).isSuperset(of: ["关于加强档案馆建设的通知", "江临市檔案管理辦法", "学籍档案移交清单"]),
                      "档案 finds 檔案 too: \(titles(both))")
        let traditional = try await search("檔案館", token: archivist)
        XCTAssertEqual(titles(traditional), ["关于加强档案馆建设的通知"], "a traditional query finds simplified text")
        let middle = try await search("案馆", token: archivist)
        XCTAssertEqual(titles(middle), ["关于加强档案馆建设的通知"], "any substring of two characters")
        let single = try await search("婚", token: archivist)
        XCTAssertEqual(titles(single), ["2015年婚姻登记工作总结"], "one character")
        let field = try await search("责任者:档案局", token: archivist)
        XCTAssertEqual(titles(field), ["江临市檔案管理辦法"])
        let number = try await search("文号:江政发", token: archivist)
        XCTAssertEqual(titles(number), ["关于加强档案馆建设的通知"])
        let years = try await search("档案 年度:2010-2015", token: archivist)
        XCTAssertEqual(titles(years), ["关于加强档案馆建设的通知", "档案保密检查情况报告", "关于档案工作的批复"])
        let not = try await search("档案 -学籍 -年度:1998", token: archivist)
        XCTAssertEqual(not.status, .badRequest, "a year filter cannot be excluded")
        let excluded = try await search("档案 NOT 学籍 NOT 保密", token: archivist)
        XCTAssertFalse(titles(excluded).contains("学籍档案移交清单"))
        XCTAssertFalse(titles(excluded).contains("档案保密检查情况报告"))
        let or = try await search("婚姻 OR 兵役", token: archivist)
        XCTAssertEqual(titles(or), ["2015年婚姻登记工作总结", "兵役登记工作安排"])
        let phrase = try await search("\"档案工作\"", token: archivist)
        XCTAssertEqual(titles(phrase), ["关于档案工作的批复"])
        let latin = try await search("ANNUAL Archives", token: archivist)
        XCTAssertEqual(titles(latin), ["Annual report of the archives 2015"], "Latin words, case-folded")
        let notes = try await search("红星公社", token: archivist)
        XCTAssertEqual(titles(notes), ["2015年婚姻登记工作总结"], "notes are searched (body)")
        let snippetHit = (notes.object["hits"] as? [[String: Any]])?.first
        XCTAssertEqual(snippetHit?["snippet"] as? String, "含<mark>红星公社</mark>婚姻登记统计")
        let highlighted = (traditional.object["hits"] as? [[String: Any]])?.first?["titleHighlighted"] as? String
        XCTAssertEqual(highlighted, "关于加强<mark>档案馆</mark>建设的通知")
        let within = try await call(.GET, "api/v1/search?q=%E9%80%9A%E7%9F%A5&within=%E6%A1%A3%E6%A1%88", token: archivist)
        XCTAssertEqual(titles(within), ["关于加强档案馆建设的通知"], "通知 within 档案")
        let facets = try XCTUnwrap(both.object["facets"] as? [String: [[String: Any]]])
        let fondsCounts = Dictionary(uniqueKeysWithValues: (facets["fonds"] ?? []).map { ($0["value"] as! String, $0["count"] as! Int) })
        XCTAssertEqual(fondsCounts.values.reduce(0, +), both.object["total"] as? Int, "facet counts add up to the total")
        let byDate = try await search("档案", token: archivist, extra: "&sort=date")
        let years2 = ((byDate.object["hits"] as? [[String: Any]]) ?? []).compactMap { $0["year"] as? Int }
        XCTAssertEqual(years2, years2.sorted(by: >), "newest first")
        let filtered = try await search("档案", token: archivist, extra: "&fonds=J002")
        XCTAssertEqual(titles(filtered), ["学籍档案移交清单", "关于档案工作的批复"])
    }

    /// Every role against every record: hits, totals and facet counts equal exactly what
    /// `AccessPolicy` lets that actor read — nothing more, nothing less.
    func testEveryRoleSeesExactlyWhatItMayReadInHitsTotalsAndFacets() async throws {
        try await load(into: app)
        let records = try await ItemModel.query(on: app.db).all()
        struct Case { var name: String; var role: Role?; var agency: String?; var clearance: Classification }
        let cases: [Case] = [
            Case(name: "anonymous", role: nil, agency: nil, clearance: .none),
            Case(name: "citizen", role: .citizen, agency: nil, clearance: .none),
            Case(name: "service", role: .servicePoint, agency: nil, clearance: .none),
            Case(name: "official1", role: .official, agency: "J001", clearance: .none),
            Case(name: "official2", role: .official, agency: "J002", clearance: .secret),
            Case(name: "officer", role: .agencyOfficer, agency: "J001", clearance: .none),
            Case(name: "archivist0", role: .archivist, agency: nil, clearance: .none),
            Case(name: "archivist2", role: .archivist, agency: nil, clearance: .secret),
            Case(name: "appraiser", role: .appraiser, agency: nil, clearance: .topSecret),
            Case(name: "sysadmin", role: .systemAdmin, agency: nil, clearance: .topSecret),
            Case(name: "auditor", role: .auditor, agency: nil, clearance: .topSecret),
        ]
        for c in cases {
            var token: String?
            if let role = c.role {
                token = try await self.token(c.name, role: role, agency: c.agency, clearance: c.clearance)
            }
            let actor = Actor(role: c.role, clearance: c.clearance, agency: c.agency)
            for q in ["档案", "登记", "关于", "江临市", "年度:1990-2020"] {
                let r = try await search(q, token: token)
                XCTAssertEqual(r.status, .ok, "\(c.name) \(q): \(r.body)")
                let expected = Set(records.filter {
                    AccessPolicy.decide(.read, record: $0.accessAttributes, actor: actor).isAllowed
                        && SearchQueryParser.matchesForTest(q, $0)
                }.map(\.title))
                XCTAssertEqual(titles(r), expected, "\(c.name) searching \(q)")
                XCTAssertEqual(r.object["total"] as? Int, expected.count, "\(c.name) total for \(q)")
                let facets = r.object["facets"] as? [String: [[String: Any]]] ?? [:]
                for (name, values) in facets {
                    XCTAssertEqual(values.reduce(0) { $0 + ($1["count"] as? Int ?? 0) }, expected.count, "\(c.name) facet \(name) for \(q)")
                }
            }
        }
    }

    func testHostileQueriesGetAClearAnswerNeverA500() async throws {
        try await load(into: app)
        let cases: [(String, Int)] = [
            ("", 400), ("   ", 400), (String(repeating: "档", count: 10_000), 400), ("\"档案", 200), ("(档案 OR", 200),
            ("\"", 400), ("*", 400), ("档案 NEAR 工作", 200), ("^档案", 200), ("'; drop table items; --", 200),
            ("档案*", 200), ("title:", 400), ("年度:0-99999", 400), ("年度:2015-2010", 400), ("年度:去年", 400),
            ("-档案", 400), ("{title} : 档案", 200), ("档案 AND AND OR", 200), ("\u{0}档案", 200),
        ]
        for (q, status) in cases {
            let r = try await search(q)
            XCTAssertEqual(Int(r.status.code), status, "\(q.prefix(30)): \(r.body.prefix(300))")
            if status == 400 { XCTAssertNotNil(r.error["message"], "a refused query says why") }
        }
        for extra in ["&page=0", "&page=101", "&pageSize=1000", "&yearFrom=0", "&yearFrom=2015&yearTo=2010", "&sort=random", "&bogus=1"] {
            let r = try await search("档案", extra: extra)
            XCTAssertEqual(r.status, .badRequest, extra)
        }
        let items = try await count("items")
        XCTAssertEqual(items, SearchTests.corpus.count, "nothing was dropped")
        // The portal shows the message instead of an error page.
        var jar = Jar()
        let page = try await page(.GET, "/search?q=%22", jar: &jar)
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.contains("id=\"search-error\""), page.body)
    }

    func testTheIndexFollowsEveryChangeAndRebuildsToTheSameAnswers() async throws {
        try await load(into: app)
        let archivist = try await token("archivist", role: .archivist, clearance: .topSecret)
        let id = try XCTUnwrap(ids["兵役登记工作安排"])
        let edited = try await call(.PATCH, "api/v1/items/\(id)", token: archivist, json: ["title": "征兵工作安排"])
        XCTAssertEqual(edited.status, .ok, edited.body)
        let old = try await search("兵役", token: archivist)
        XCTAssertEqual(titles(old), [], "the old title is gone from the index")
        let new = try await search("征兵", token: archivist)
        XCTAssertEqual(titles(new), ["征兵工作安排"])
        let fonds = try await FondsModel.query(on: app.db).filter(\.$code == "J001").first()!
        let created = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, title: "新建的拆迁安置档案"))
        XCTAssertEqual(created.status, .created, created.body)
        let found = try await search("拆迁", token: archivist)
        XCTAssertEqual(titles(found), ["新建的拆迁安置档案"])

        let before = try await search("档案", token: archivist, extra: "&pageSize=100")
        let n = try await SearchMaintenance.rebuild(app) { _, _ in }
        XCTAssertEqual(n, SearchTests.corpus.count + 1)
        let after = try await search("档案", token: archivist, extra: "&pageSize=100")
        XCTAssertEqual(titles(after), titles(before))
        XCTAssertEqual(after.object["total"] as? Int, before.object["total"] as? Int)
    }

    /// The same queries on SQLite and on PostgreSQL give the same hits. Runs when the suite
    /// runs on PostgreSQL (scripts/test's second run): a SQLite node is made beside it.
    func testSQLiteAndPostgreSQLGiveTheSameHits() async throws {
        guard isPostgres else { throw XCTSkip("runs in the PostgreSQL pass of scripts/test (LANTAI_TEST_DATABASE_URL)") }
        try await load(into: app)
        let sqliteDir = NSTemporaryDirectory() + "lantai-test-sqlite-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: sqliteDir) }
        let other = try await Application.make(.testing)
        do {
            try await configure(other, try LantaiConfiguration.fromEnvironment(["LANTAI_DATA_DIR": sqliteDir, "LANTAI_BCRYPT_COST": "4"]))
            try await other.autoMigrate()
            try await load(into: other)
            let queries = ["档案", "檔案", "案", "档案馆", "\"档案工作\"", "档案 NOT 学籍", "婚姻 OR 兵役 OR 土地", "题名:档案 年度:2000-2015",
                           "江临市 (通知 OR 请示)", "annual", "arch*", "2015", "j001", "登记 -婚姻", "责任者:江临市 档案", "\"江临市 档案\"",
                           "工作 OR (学籍 AND 清单)", "'; drop", "NEAR", "档案 年度:2012"]
            let principal = Actor(role: .archivist, clearance: .topSecret)
            for q in queries {
                let parsed = try SearchService.parse(q, within: nil)
                let pg = try await SearchService.search(parsed, filters: .init(), sort: .date, page: 1, pageSize: 100, facets: true,
                                                        actor: principal, on: app.db)
                let lite = try await SearchService.search(parsed, filters: .init(), sort: .date, page: 1, pageSize: 100, facets: true,
                                                          actor: principal, on: other.db)
                XCTAssertEqual(pg.hits.map(\.archivalCode), lite.hits.map(\.archivalCode), "same hits in the same order for \(q)")
                XCTAssertEqual(pg.total, lite.total, q)
                XCTAssertEqual(pg.facets["year"]?.map(\.count), lite.facets["year"]?.map(\.count), q)
            }
        } catch {
            try? await other.asyncShutdown()
            throw error
        }
        try await other.asyncShutdown()
    }

    func testThePortalFindsOpenRecordsWithFacetsAndHighlightsWithoutSignIn() async throws {
        try await load(into: app)
        var jar = Jar()
        let home = try await page(.GET, "/portal", jar: &jar)
        XCTAssertTrue(home.body.contains("action=\"/search\""))
        XCTAssertTrue(home.body.contains("/guides/marriage"))
        let res = try await page(.GET, "/search?q=%E6%A1%A3%E6%A1%88", jar: &jar)
        XCTAssertEqual(res.status, .ok)
        XCTAssertTrue(res.body.contains("<mark>档案</mark>") || res.body.contains("<mark>檔案</mark>"), res.body)
        XCTAssertTrue(res.body.contains("id=\"facets\""))
        XCTAssertTrue(res.body.contains("移交清单"))
        XCTAssertFalse(res.body.contains("档案保密检查情况报告"), "a classified record never shows")
        XCTAssertFalse(res.body.contains("关于档案工作的批复"), "nor a controlled one, to the public")
        let guide = try await page(.GET, "/guides/marriage", jar: &jar)
        let values = Self.replacing(try Self.formValues(guide.body, action: "/requests"),
                                    ["requesterName": "王秀英", "identityNumber": "11010519491231002X", "sought": "1987年结婚登记"])
        let sent = try await page(.POST, "/requests", jar: &jar, form: values)
        XCTAssertEqual(sent.status, .created, sent.body)
        let reference = try XCTUnwrap(sent.body.range(of: "LY-[0-9]{8}-[0-9A-Z]{7}", options: .regularExpression).map { String(sent.body[$0]) })
        let status = try await page(.GET, "/requests/status?ref=\(reference)", jar: &jar)
        XCTAssertTrue(status.body.contains("已提交"), "\(status.status) \(status.headers) \(status.body)")
        let wrong = try await page(.GET, "/guides/marriage", jar: &jar)
        let bad = Self.replacing(try Self.formValues(wrong.body, action: "/requests"),
                                 ["requesterName": "王秀英", "identityNumber": "110105194912310021", "sought": "x"])
        let refused = try await page(.POST, "/requests", jar: &jar, form: bad)
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(refused.body.contains("id=\"request-error\""), "the form comes back with the reason")
    }
}

extension SearchQueryParser {
    /// The reference evaluator over a catalogue row, as the index sees it.
    static func matchesForTest(_ q: String, _ item: ItemModel) -> Bool {
        guard let parsed = try? parse(q) else { return false }
        let d = item.description_
        let body = [d.subjects.joined(separator: " "), d.notes, d.organisation, d.carrier].filter { !$0.isEmpty }.joined(separator: "\n")
        return parsed.matches(SearchDocument(texts: [.title: d.title, .creator: d.creator, .documentNumber: d.documentNumber,
                                                     .archivalCode: item.archivalCode, .body: body], year: d.year))
    }
}
