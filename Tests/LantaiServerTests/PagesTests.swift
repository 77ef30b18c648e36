import ArchiveKit
import Foundation
@testable import LantaiServer
import SQLKit
import XCTest
import XCTVapor

/// The server-rendered pages, driven like a browser: the `lantai_session` cookie is carried from
/// Set-Cookie to the next request, and every POST sends the `_csrf` token read from the form.
/// A minimal browser over XCTVapor: cookies carried between requests, forms read from pages.
class PageTestCase: LantaiTestCase {

    // MARK: A minimal browser

    /// Cookies kept between requests, like a browser's jar.
    struct Jar {
        var cookies: [String: String] = [:]
        var header: String? {
            cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
    }

    struct Page {
        var status: HTTPStatus
        var headers: HTTPHeaders
        var body: String
        var location: String? { headers.first(name: .location) }
        var isRedirect: Bool { [301, 302, 303, 307].contains(status.code) }
        var setsSessionCookie: Bool { headers.setCookie?["lantai_session"].map { !$0.string.isEmpty } ?? false }
    }

    /// One request through the in-memory responder, with the jar's cookies; remembers what it sets.
    func page(_ method: HTTPMethod, _ path: String, jar: inout Jar, form: [(String, String)]? = nil,
              file: StaticString = #filePath, line: UInt = #line) async throws -> Page {
        var headers = HTTPHeaders()
        if let cookie = jar.header { headers.replaceOrAdd(name: .cookie, value: cookie) }
        var body: ByteBuffer?
        if let form {
            headers.contentType = .urlEncodedForm
            body = ByteBuffer(string: Self.urlEncode(form))
        }
        let res = try await app.sendRequest(method, path, headers: headers, body: body)
        if let set = res.headers.setCookie {
            for (name, value) in set.all {
                let expired = value.string.isEmpty || value.maxAge == 0 || (value.expires.map { $0 < Date() } ?? false)
                jar.cookies[name] = expired ? nil : value.string
            }
        }
        let p = Page(status: res.status, headers: res.headers, body: res.body.string)
        XCTAssertLessThan(p.status.code, 500, "\(method) \(path) answered \(p.status): \(p.body)", file: file, line: line)
        return p
    }

    static func urlEncode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s }
        return pairs.map { "\(enc($0.0))=\(enc($0.1))" }.joined(separator: "&")
    }

    // MARK: Reading forms

    static func unescapeHTML(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func escapeHTML(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    static func attribute(_ name: String, in tag: String) -> String? {
        guard let regex = try? Regex("\\s\(name)=\"([^\"]*)\""),
              let m = tag.firstMatch(of: regex), let v = m.output[1].substring else { return nil }
        return unescapeHTML(String(v))
    }

    static func csrfToken(_ html: String) -> String? {
        guard let regex = try? Regex("<input[^>]*name=\"_csrf\"[^>]*>"), let m = html.firstMatch(of: regex) else { return nil }
        return attribute("value", in: String(html[m.range]))
    }

    /// What a browser would submit for the first form whose action is `action`: inputs, textareas
    /// and the selected option of each select, in document order.
    static func formValues(_ html: String, action: String) throws -> [(String, String)] {
        let formRegex = try Regex("<form[^>]*action=\"\(NSRegularExpression.escapedPattern(for: action))\"[^>]*>(.*?)</form>")
            .dotMatchesNewlines()
        guard let form = html.firstMatch(of: formRegex), let inner = form.output[1].substring else {
            throw PageError(message: "no form with action \(action) in the page: \(html)")
        }
        let body = String(inner)
        var out: [(Int, String, String)] = []
        func offset(_ r: Range<String.Index>) -> Int { body.distance(from: body.startIndex, to: r.lowerBound) }
        for m in body.matches(of: try Regex("<input[^>]*>")) {
            let tag = String(body[m.range])
            guard let name = attribute("name", in: tag) else { continue }
            out.append((offset(m.range), name, attribute("value", in: tag) ?? ""))
        }
        for m in body.matches(of: try Regex("<textarea([^>]*)>(.*?)</textarea>").dotMatchesNewlines()) {
            guard let attrs = m.output[1].substring, let name = attribute("name", in: String(attrs)) else { continue }
            out.append((offset(m.range), name, unescapeHTML(String(m.output[2].substring ?? ""))))
        }
        for m in body.matches(of: try Regex("<select([^>]*)>(.*?)</select>").dotMatchesNewlines()) {
            guard let attrs = m.output[1].substring, let name = attribute("name", in: String(attrs)) else { continue }
            let options = String(m.output[2].substring ?? "").matches(of: try Regex("<option[^>]*>")).map { String($0.output[0].substring ?? "") }
            let chosen = options.first { $0.range(of: #"\sselected(\s|>|=)"#, options: .regularExpression) != nil } ?? options.first
            out.append((offset(m.range), name, chosen.flatMap { attribute("value", in: $0) } ?? ""))
        }
        return out.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
    }

    struct PageError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func replacing(_ values: [(String, String)], _ changes: [String: String]) -> [(String, String)] {
        values.map { (name, value) in (name, changes[name] ?? value) }
    }

    /// The count in the row whose link is `href` on a list page.
    static func rowCount(_ html: String, href: String) -> Int? {
        guard let regex = try? Regex("<a href=\"\(NSRegularExpression.escapedPattern(for: href))\">.*?<td class=\"num\">(\\d+)</td>")
            .dotMatchesNewlines(),
              let m = html.firstMatch(of: regex), let n = m.output[1].substring else { return nil }
        return Int(n)
    }

    // MARK: Fixture

    struct Fixture {
        var fonds: FondsModel
        var archivistToken: String
        var itemId: String
        var archivalCode: String
        var title: String
    }

    /// Fonds J001, an archivist (password `password-archivist`) and one open record in WS·2015.
    func fixture(title: String = "关于加强档案工作的通知") async throws -> Fixture {
        let fonds = try await makeFonds()
        let tok = try await token("archivist", role: .archivist)
        let r = try await call(.POST, "/api/v1/items", token: tok, json: itemJSON(fonds: fonds, title: title))
        XCTAssertEqual(r.status, .created, r.body)
        let id = try XCTUnwrap(r.object["id"] as? String, r.body)
        let code = try XCTUnwrap(r.object["archivalCode"] as? String, r.body)
        return Fixture(fonds: fonds, archivistToken: tok, itemId: id, archivalCode: code, title: title)
    }

    /// Signs in through the page: GET /login for the form and its CSRF token, then POST it.
    func signIn(_ username: String, _ password: String, jar: inout Jar,
                file: StaticString = #filePath, line: UInt = #line) async throws -> Page {
        let form = try await page(.GET, "/login", jar: &jar, file: file, line: line)
        XCTAssertEqual(form.status, .ok, file: file, line: line)
        let values = Self.replacing(try Self.formValues(form.body, action: "/login"), ["username": username, "password": password])
        return try await page(.POST, "/login", jar: &jar, form: values, file: file, line: line)
    }

    func auditActions(_ action: String) async throws -> [String] {
        struct Row: Decodable { var subject: String }
        return try await sql.raw("SELECT subject FROM audit_log WHERE action = \(bind: action) ORDER BY seq")
            .all(decoding: Row.self).map(\.subject)
    }

}

final class PagesTests: PageTestCase {
    // MARK: Sign-in page

    func testLoginPageRendersInChineseAndInEnglish() async throws {
        var jar = Jar()
        let zh = try await page(.GET, "/login", jar: &jar)
        XCTAssertEqual(zh.status, .ok)
        XCTAssertTrue(zh.body.contains("登录"), zh.body)
        XCTAssertNotNil(Self.csrfToken(zh.body), "the sign-in form carries a hidden _csrf input: \(zh.body)")
        XCTAssertTrue(zh.setsSessionCookie, "the form's CSRF token lives in a session: a lantai_session cookie is set")
        XCTAssertFalse(zh.body.contains("Sign in"))

        let query = try await page(.GET, "/login?lang=en", jar: &jar)
        XCTAssertEqual(query.status, .ok)
        XCTAssertTrue(query.body.contains("Sign in"), query.body)

        var enJar = Jar()
        let switched = try await page(.GET, "/lang/en?next=/login", jar: &enJar)
        XCTAssertTrue(switched.isRedirect, "\(switched.status)")
        XCTAssertEqual(switched.location, "/login")
        XCTAssertEqual(enJar.cookies["lang"], "en")
        let en = try await page(.GET, "/login", jar: &enJar)
        XCTAssertEqual(en.status, .ok)
        XCTAssertTrue(en.body.contains("Sign in"), en.body)
        XCTAssertNotNil(Self.csrfToken(en.body))

        // An off-site `next` is not followed.
        var other = Jar()
        let offsite = try await page(.GET, "/lang/zh?next=//evil.example/", jar: &other)
        XCTAssertEqual(offsite.location, "/catalogue")
    }

    // MARK: Signed-in browsing

    func testArchivistSignsInAndBrowsesTheCatalogueTree() async throws {
        let f = try await fixture()
        var jar = Jar()
        _ = try await page(.GET, "/login", jar: &jar)
        let planted = try XCTUnwrap(jar.cookies["lantai_session"], "the sign-in form starts a session")
        let res = try await signIn("archivist", "password-archivist", jar: &jar)
        XCTAssertTrue(res.isRedirect, "sign-in answers with a redirect, got \(res.status): \(res.body)")
        XCTAssertEqual(res.location, "/catalogue")
        XCTAssertNotNil(jar.cookies["lantai_session"],
                        "after sign-in the browser must still hold a lantai_session cookie (Set-Cookie: \(res.headers[.setCookie]))")
        XCTAssertNotEqual(jar.cookies["lantai_session"], planted, "sign-in gives a new session id")
        var attacker = Jar(cookies: ["lantai_session": planted])
        let withOldId = try await page(.GET, "/catalogue", jar: &attacker)
        XCTAssertTrue(withOldId.body.contains("id=\"sign-in\""), "the session id from before sign-in is not signed in")
        let logins = try await auditActions("auth.login")
        XCTAssertEqual(logins, ["archivist"])

        let list = try await page(.GET, "/catalogue", jar: &jar)
        XCTAssertEqual(list.status, .ok)
        XCTAssertTrue(list.body.contains("J001"), list.body)
        XCTAssertTrue(list.body.contains("测试市人民政府办公室"))
        XCTAssertEqual(Self.rowCount(list.body, href: "/catalogue/J001"), 1, list.body)
        XCTAssertTrue(list.body.contains("archivist"), "the page names the signed-in user: \(list.body)")
        XCTAssertTrue(list.body.contains(Role.archivist.chinese), list.body)

        let fondsPage = try await page(.GET, "/catalogue/J001", jar: &jar)
        XCTAssertEqual(fondsPage.status, .ok)
        XCTAssertTrue(fondsPage.body.contains("文书"), fondsPage.body)
        XCTAssertEqual(Self.rowCount(fondsPage.body, href: "/catalogue/J001/WS"), 1, fondsPage.body)

        let category = try await page(.GET, "/catalogue/J001/WS", jar: &jar)
        XCTAssertEqual(category.status, .ok)
        XCTAssertEqual(Self.rowCount(category.body, href: "/catalogue/J001/WS/2015"), 1, category.body)

        for path in ["/catalogue/J001/WS/2015", "/items/\(f.itemId)"] {
            let p = try await page(.GET, path, jar: &jar)
            XCTAssertEqual(p.status, .ok, path)
            XCTAssertTrue(p.body.contains(f.title), "\(path) shows the title: \(p.body)")
            XCTAssertTrue(p.body.contains(Self.escapeHTML(f.archivalCode)), "\(path) shows the 档号 \(f.archivalCode): \(p.body)")
        }
        let records = try await page(.GET, "/catalogue/J001/WS/2015", jar: &jar)
        XCTAssertTrue(records.body.contains("href=\"/items/\(f.itemId)\""), records.body)

        let item = try await page(.GET, "/items/\(f.itemId)", jar: &jar)
        for text in ["档号", "题名", "测试市人民政府办公室", "测政发〔2015〕1号", "2015-03-02", "永久", "BGS", "纸质", "档案工作",
                     "开放", "id=\"edit-link\""] {
            XCTAssertTrue(item.body.contains(text), "the record page shows \(text): \(item.body)")
        }
        XCTAssertTrue(item.body.contains("修改记录"), "an archivist sees the edit history: \(item.body)")

        // Unknown places are plain 404 pages, not server errors.
        let missing = try await page(.GET, "/catalogue/J999", jar: &jar)
        XCTAssertEqual(missing.status, .notFound)
        let badYear = try await page(.GET, "/catalogue/J001/WS/notayear", jar: &jar)
        XCTAssertEqual(badYear.status, .badRequest)

        // Signing out ends the session.
        let logout = try await page(.POST, "/logout", jar: &jar, form: try Self.formValues(list.body, action: "/logout"))
        XCTAssertTrue(logout.isRedirect, "\(logout.status): \(logout.body)")
        let out = try await page(.GET, "/catalogue", jar: &jar)
        XCTAssertTrue(out.body.contains("id=\"sign-in\""), "signed out: \(out.body)")
        XCTAssertEqual(Self.rowCount(out.body, href: "/catalogue/J001"), 1)
    }

    func testSignInWithoutAValidCSRFTokenIsRefused() async throws {
        _ = try await fixture()
        var jar = Jar()
        let form = try await page(.GET, "/login", jar: &jar)
        let token = try XCTUnwrap(Self.csrfToken(form.body))

        // No token at all, then a wrong one, then the right token without the session it belongs to.
        let attempts: [(String, [(String, String)], Jar)] = [
            ("missing", [("username", "archivist"), ("password", "password-archivist")], jar),
            ("wrong", [("username", "archivist"), ("password", "password-archivist"), ("_csrf", "lt_forged")], jar),
            ("no session", [("username", "archivist"), ("password", "password-archivist"), ("_csrf", token)], Jar()),
        ]
        for (label, values, startJar) in attempts {
            var j = startJar
            let res = try await page(.POST, "/login", jar: &j, form: values)
            XCTAssertEqual(res.status, .forbidden, "\(label): \(res.body)")
            XCTAssertFalse(res.setsSessionCookie, "\(label): no session is started")
            XCTAssertTrue(res.body.contains("表单已过期"), "\(label): the page says why: \(res.body)")
            let after = try await page(.GET, "/catalogue", jar: &j)
            XCTAssertTrue(after.body.contains("id=\"sign-in\""), "\(label): still signed out: \(after.body)")
            XCTAssertFalse(after.body.contains("/logout"), label)
        }
        let logins = try await auditActions("auth.login")
        XCTAssertEqual(logins, [], "no sign-in happened")
    }

    func testWrongPasswordShowsTheFormAgainWith401AndIsAudited() async throws {
        _ = try await fixture()
        var jar = Jar()
        let res = try await signIn("archivist", "not-the-password", jar: &jar)
        XCTAssertEqual(res.status, .unauthorized, res.body)
        XCTAssertTrue(res.body.contains("用户名或密码错误"), res.body)
        XCTAssertNotNil(Self.csrfToken(res.body), "the form is shown again, ready to retry")
        XCTAssertTrue(res.body.contains("value=\"archivist\""), "the username is kept: \(res.body)")
        let failed = try await auditActions("auth.login.failed")
        XCTAssertEqual(failed, ["archivist"])
        let logins = try await auditActions("auth.login")
        XCTAssertEqual(logins, [])
        let after = try await page(.GET, "/catalogue", jar: &jar)
        XCTAssertTrue(after.body.contains("id=\"sign-in\""), "still signed out")

        // In English the same failure says so in English.
        var en = Jar()
        _ = try await page(.GET, "/lang/en", jar: &en)
        let enRes = try await signIn("nobody", "whatever-password", jar: &en)
        XCTAssertEqual(enRes.status, .unauthorized)
        XCTAssertTrue(enRes.body.contains("wrong username or password"), enRes.body)
        let failedAgain = try await auditActions("auth.login.failed")
        XCTAssertEqual(failedAgain, ["archivist", "nobody"])
    }

    // MARK: Editing

    func testEditFormRefusesAnImpossibleDateWithTheAPIsMessageAndChangesNothing() async throws {
        let f = try await fixture()
        var jar = Jar()
        let res = try await signIn("archivist", "password-archivist", jar: &jar)
        XCTAssertTrue(res.isRedirect, "\(res.status)")

        let form = try await page(.GET, "/items/\(f.itemId)/edit", jar: &jar)
        XCTAssertEqual(form.status, .ok, form.body)
        for name in ["_csrf", "version", "title", "creator", "date", "year", "retention", "classification", "accessStatus", "subjects"] {
            XCTAssertTrue(form.body.contains("name=\"\(name)\""), "the edit form has \(name): \(form.body)")
        }
        let values = try Self.formValues(form.body, action: "/items/\(f.itemId)/edit")
        let byName = Dictionary(values, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(byName["title"], f.title)
        XCTAssertEqual(byName["date"], "2015-03-02")
        XCTAssertEqual(byName["version"], "1")
        XCTAssertEqual(byName["retention"], "permanent")
        XCTAssertEqual(byName["accessStatus"], "open")

        // The API's words for the same mistake.
        let api = try await call(.PATCH, "/api/v1/items/\(f.itemId)", token: f.archivistToken, json: ["date": "2015-02-30"])
        XCTAssertEqual(api.status, .unprocessableEntity, api.body)
        let details = try XCTUnwrap(api.error["details"] as? [[String: Any]], api.body)
        let apiMessage = try XCTUnwrap(details.first?["message"] as? String, api.body)
        let chinese = try XCTUnwrap(apiMessage.components(separatedBy: " / ").first)
        XCTAssertFalse(chinese.isEmpty)

        let bad = try await page(.POST, "/items/\(f.itemId)/edit", jar: &jar, form: Self.replacing(values, ["date": "2015-02-30"]))
        XCTAssertEqual(bad.status, .unprocessableEntity, bad.body)
        XCTAssertTrue(bad.body.contains(Self.escapeHTML(chinese)),
                      "the page gives the API's message «\(chinese)»: \(bad.body)")
        XCTAssertTrue(bad.body.contains("value=\"2015-02-30\""), "the form keeps what was typed: \(bad.body)")
        XCTAssertNotNil(Self.csrfToken(bad.body), "the form is shown again")

        let after = try await call(.GET, "/api/v1/items/\(f.itemId)", token: f.archivistToken)
        XCTAssertEqual((after.object["version"] as? NSNumber)?.intValue, 1, after.body)
        XCTAssertEqual(after.object["date"] as? String, "2015-03-02")
        let history = try await call(.GET, "/api/v1/items/\(f.itemId)/history", token: f.archivistToken)
        XCTAssertEqual((history.json as? [Any])?.count, 1, "only the creation: \(history.body)")
    }

    func testEditFormSavesATitleChangeAndTheHistoryShowsIt() async throws {
        let f = try await fixture()
        var jar = Jar()
        _ = try await signIn("archivist", "password-archivist", jar: &jar)
        let form = try await page(.GET, "/items/\(f.itemId)/edit", jar: &jar)
        XCTAssertEqual(form.status, .ok, form.body)
        let values = try Self.formValues(form.body, action: "/items/\(f.itemId)/edit")
        let newTitle = "关于进一步加强档案工作的通知"

        let saved = try await page(.POST, "/items/\(f.itemId)/edit", jar: &jar, form: Self.replacing(values, ["title": newTitle]))
        XCTAssertTrue(saved.isRedirect, "\(saved.status): \(saved.body)")
        let location = try XCTUnwrap(saved.location)
        XCTAssertTrue(location.hasPrefix("/items/\(f.itemId)"), location)

        let item = try await page(.GET, location, jar: &jar)
        XCTAssertEqual(item.status, .ok)
        XCTAssertTrue(item.body.contains("<h1 id=\"record-title\">\(newTitle)</h1>"), item.body)
        XCTAssertTrue(item.body.contains("已保存"), item.body)
        XCTAssertTrue(item.body.contains("题名：\(f.title) → \(newTitle)"), "the history lists the change: \(item.body)")
        XCTAssertTrue(item.body.contains("<td>archivist</td>"), item.body)

        let api = try await call(.GET, "/api/v1/items/\(f.itemId)", token: f.archivistToken)
        XCTAssertEqual(api.object["title"] as? String, newTitle)
        XCTAssertEqual((api.object["version"] as? NSNumber)?.intValue, 2, "only the title changed, once: \(api.body)")
        XCTAssertEqual(api.object["subjects"] as? [String], ["档案工作"], "untouched fields survive the form round trip")
        XCTAssertEqual(api.object["date"] as? String, "2015-03-02")

        // The form sent version 1; the record is now at 2, so sending the old form again is stale.
        let stale = try await page(.POST, "/items/\(f.itemId)/edit", jar: &jar, form: Self.replacing(values, ["title": "又一个题名"]))
        XCTAssertEqual(stale.status, .preconditionFailed, stale.body)
        let again = try await call(.GET, "/api/v1/items/\(f.itemId)", token: f.archivistToken)
        XCTAssertEqual(again.object["title"] as? String, newTitle)
    }

    func testEditPagesNeedAnArchivist() async throws {
        let f = try await fixture()
        var anon = Jar()
        let form = try await page(.GET, "/items/\(f.itemId)/edit", jar: &anon)
        XCTAssertTrue(form.isRedirect)
        XCTAssertTrue(form.location?.hasPrefix("/login") ?? false, "\(String(describing: form.location))")

        try await Accounts.create(.init(username: "reader", role: .citizen, password: "password-reader"), by: "test", cost: 4, on: app.db)
        var jar = Jar()
        _ = try await signIn("reader", "password-reader", jar: &jar)
        let refused = try await page(.GET, "/items/\(f.itemId)/edit", jar: &jar)
        XCTAssertEqual(refused.status, .forbidden, refused.body)
        let item = try await page(.GET, "/items/\(f.itemId)", jar: &jar)
        XCTAssertEqual(item.status, .ok)
        XCTAssertFalse(item.body.contains("edit-link"), "no edit link for a citizen")
    }

    // MARK: Access

    func testAnonymousVisitorSeesOnlyOpenUnclassifiedRecords() async throws {
        let f = try await fixture()
        let controlled = try await call(.POST, "/api/v1/items", token: f.archivistToken,
                                        json: itemJSON(fonds: f.fonds, title: "内部控制使用的文件", accessStatus: "controlled"))
        XCTAssertEqual(controlled.status, .created, controlled.body)
        let controlledId = try XCTUnwrap(controlled.object["id"] as? String)

        var anon = Jar()
        let list = try await page(.GET, "/catalogue", jar: &anon)
        XCTAssertEqual(list.status, .ok)
        XCTAssertEqual(Self.rowCount(list.body, href: "/catalogue/J001"), 1, "only the open record is counted: \(list.body)")
        XCTAssertTrue(list.body.contains("id=\"sign-in\""))
        let fondsPage = try await page(.GET, "/catalogue/J001", jar: &anon)
        XCTAssertEqual(Self.rowCount(fondsPage.body, href: "/catalogue/J001/WS"), 1, fondsPage.body)
        let records = try await page(.GET, "/catalogue/J001/WS/2015", jar: &anon)
        XCTAssertTrue(records.body.contains(f.title))
        XCTAssertFalse(records.body.contains("内部控制使用的文件"), records.body)

        let open = try await page(.GET, "/items/\(f.itemId)", jar: &anon)
        XCTAssertEqual(open.status, .ok)
        XCTAssertFalse(open.body.contains("修改记录"), "no edit history for visitors")
        XCTAssertFalse(open.body.contains("edit-link"))

        let hidden = try await page(.GET, "/items/\(controlledId)", jar: &anon)
        XCTAssertTrue(hidden.isRedirect, "\(hidden.status): \(hidden.body)")
        XCTAssertTrue(hidden.location?.hasPrefix("/login") ?? false, "\(String(describing: hidden.location))")
        XCTAssertFalse(hidden.body.contains("内部控制使用的文件"))

        // The archivist counts both.
        var jar = Jar()
        _ = try await signIn("archivist", "password-archivist", jar: &jar)
        let full = try await page(.GET, "/catalogue", jar: &jar)
        XCTAssertEqual(Self.rowCount(full.body, href: "/catalogue/J001"), 2, full.body)
    }

    func testSignedInCitizenIsRefusedAControlledRecord() async throws {
        let f = try await fixture()
        let controlled = try await call(.POST, "/api/v1/items", token: f.archivistToken,
                                        json: itemJSON(fonds: f.fonds, title: "内部控制使用的文件", accessStatus: "controlled"))
        let controlledId = try XCTUnwrap(controlled.object["id"] as? String, controlled.body)
        try await Accounts.create(.init(username: "reader", role: .citizen, password: "password-reader"), by: "test", cost: 4, on: app.db)

        var jar = Jar()
        let res = try await signIn("reader", "password-reader", jar: &jar)
        XCTAssertTrue(res.isRedirect, "\(res.status)")
        let hidden = try await page(.GET, "/items/\(controlledId)", jar: &jar)
        XCTAssertEqual(hidden.status, .forbidden, hidden.body)
        XCTAssertFalse(hidden.body.contains("内部控制使用的文件"))
        XCTAssertEqual(hidden.headers.contentType?.subType, "html", "a page, not JSON")
        let open = try await page(.GET, "/items/\(f.itemId)", jar: &jar)
        XCTAssertEqual(open.status, .ok)
        let list = try await page(.GET, "/catalogue", jar: &jar)
        XCTAssertEqual(Self.rowCount(list.body, href: "/catalogue/J001"), 1, list.body)
    }

    // MARK: One-time passwords

    func testOneTimePasswordLeadsToThePasswordForm() async throws {
        try await makeFonds()
        try await Accounts.create(.init(username: "newcomer", role: .archivist, password: "one-time-pw-1",
                                        mustChangePassword: true), by: "test", cost: 4, on: app.db)
        var jar = Jar()
        let res = try await signIn("newcomer", "one-time-pw-1", jar: &jar)
        XCTAssertTrue(res.isRedirect, "\(res.status): \(res.body)")
        XCTAssertEqual(res.location, "/account/password")

        // Until the password is changed, every page leads back to the form.
        let list = try await page(.GET, "/catalogue", jar: &jar)
        XCTAssertTrue(list.isRedirect, "\(list.status)")
        XCTAssertEqual(list.location, "/account/password")

        let form = try await page(.GET, "/account/password", jar: &jar)
        XCTAssertEqual(form.status, .ok, form.body)
        XCTAssertTrue(form.body.contains("一次性密码"), form.body)
        let values = Self.replacing(try Self.formValues(form.body, action: "/account/password"),
                                    ["password": "one-time-pw-1", "newPassword": "my-own-password-2"])
        let changed = try await page(.POST, "/account/password", jar: &jar, form: values)
        XCTAssertTrue(changed.isRedirect, "\(changed.status): \(changed.body)")
        XCTAssertEqual(changed.location, "/catalogue")
        let now = try await page(.GET, "/catalogue", jar: &jar)
        XCTAssertEqual(now.status, .ok, "the same session goes on once the password is changed: \(now.body)")

        // Signed in afresh with the new password, the catalogue opens.
        var fresh = Jar()
        let again = try await signIn("newcomer", "my-own-password-2", jar: &fresh)
        XCTAssertEqual(again.location, "/catalogue")
        let open = try await page(.GET, "/catalogue", jar: &fresh)
        XCTAssertEqual(open.status, .ok, open.body)
    }
}
