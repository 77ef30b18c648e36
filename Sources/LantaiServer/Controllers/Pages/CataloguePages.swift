import ArchiveKit
import Fluent
import SQLKit
import Vapor

/// Server-rendered pages: sign-in, the catalogue tree (fonds → category → year → records),
/// the record page and the archivist's edit form. Plain HTML, no scripts needed.
struct CataloguePages: RouteCollection {
    let config: LantaiConfiguration

    func boot(routes: any RoutesBuilder) throws {
        routes.get { req in req.redirect(to: "/portal") }
        routes.get("login", use: loginForm)
        routes.post("login", use: login)
        routes.post("logout", use: logout)
        routes.get("lang", ":lang", use: switchLanguage)
        routes.get("account", "password", use: passwordForm)
        routes.post("account", "password", use: changePassword)
        routes.get("catalogue", use: fondsList)
        routes.get("catalogue", ":fonds", use: categoryList)
        routes.get("catalogue", ":fonds", ":category", use: yearList)
        routes.get("catalogue", ":fonds", ":category", ":year", use: recordList)
        routes.get("items", ":id", use: itemPage)
        routes.get("items", ":id", "edit", use: editForm)
        routes.post("items", ":id", "edit", use: saveEdit)
    }

    // MARK: Context

    struct Crumb: Encodable {
        var label: String
        var href: String
    }

    struct Base: Encodable {
        var t: [String: String]
        var lang: String
        var otherLang: String
        var returnTo: String
        var csrf: String
        var user: String?
        var role: String?
        var crumbs: [Crumb]
        var pageTitle: String
    }

    func base(_ req: Request, title: String, crumbs: [Crumb] = []) -> Base {
        let en = req.prefersEnglish
        let p = req.principal
        // Where sign-in and the language switch return to: this page with its query, except
        // the sign-in and password pages themselves.
        var here = req.url.path + (req.url.query.map { "?" + $0 } ?? "")
        if req.url.path == "/login" || req.url.path.hasPrefix("/account") { here = "/catalogue" }
        return Base(t: UIStrings.strings(english: en), lang: en ? "en" : "zh-CN", otherLang: en ? "zh" : "en",
                    returnTo: here.urlQuery, csrf: CSRFMiddleware.token(for: req), user: p?.displayName,
                    role: p.flatMap { $0.actor.role.map { en ? $0.rawValue : $0.chinese } }, crumbs: crumbs, pageTitle: title)
    }

    // MARK: Sign-in

    struct LoginContext: Encodable {
        var base: Base
        var error: String?
        var username: String
        var next: String
    }

    func loginForm(req: Request) async throws -> View {
        let next = safeNext(req.query[String.self, at: "next"])
        return try await req.view.render("login", LoginContext(base: base(req, title: UIStrings.strings(english: req.prefersEnglish)["signIn"]!),
                                                                error: nil, username: "", next: next))
    }

    func safeNext(_ s: String?) -> String {
        guard let s, s.hasPrefix("/"), !s.hasPrefix("//"), !s.contains("\\") else { return "/catalogue" }
        return s
    }

    func login(req: Request) async throws -> Response {
        struct Form: Content {
            var username: String?
            var password: String?
            var next: String?
        }
        let form = try req.content.decode(Form.self)
        let next = safeNext(form.next)
        do {
            let user = try await Accounts.signIn(username: form.username ?? "", password: form.password ?? "",
                                                 address: req.clientAddress, config: config, on: req.db)
            // A new session id and CSRF token on sign-in, so a planted session cannot be taken over.
            let old = req.session.id
            req.session.id = nil
            req.session.data["csrf"] = TokenHash.newToken()
            req.auth.login(try Principal(user))
            req.session.authenticate(try Principal(user))
            if let old { try await req.application.sessions.driver.deleteSession(old, for: req).get() }
            return req.redirect(to: user.mustChangePassword ? "/account/password" : next)
        } catch let e as LantaiError {
            let ctx = LoginContext(base: base(req, title: UIStrings.strings(english: req.prefersEnglish)["signIn"]!),
                                   error: req.prefersEnglish ? e.en : e.zh, username: form.username ?? "", next: next)
            return try await req.view.render("login", ctx).encodeResponse(status: e.status, for: req)
        }
    }

    func logout(req: Request) async throws -> Response {
        req.auth.logout(Principal.self)
        req.session.destroy()
        return req.redirect(to: "/catalogue")
    }

    func switchLanguage(req: Request) async throws -> Response {
        let lang = req.parameters.get("lang") == "en" ? "en" : "zh"
        let res = req.redirect(to: safeNext(req.query[String.self, at: "next"]))
        res.cookies["lang"] = HTTPCookies.Value(string: lang, expires: Date().addingTimeInterval(365 * 86400), path: "/",
                                                isHTTPOnly: true, sameSite: .lax)
        return res
    }

    struct PasswordContext: Encodable {
        var base: Base
        var error: String?
        var mustChange: Bool
    }

    func passwordForm(req: Request) async throws -> Response {
        guard let p = req.principal else { return req.redirect(to: "/login?next=/account/password") }
        return try await req.view.render("password", PasswordContext(base: base(req, title: UIStrings.strings(english: req.prefersEnglish)["changePassword"]!),
                                                                     error: nil, mustChange: p.mustChangePassword)).encodeResponse(for: req)
    }

    func changePassword(req: Request) async throws -> Response {
        guard let p = req.principal else { return req.redirect(to: "/login") }
        struct Form: Content {
            var password: String?
            var newPassword: String?
        }
        let form = try req.content.decode(Form.self)
        do {
            try Accounts.validatePassword(form.newPassword ?? "")
            if form.newPassword == form.password {
                throw LantaiError.field("newPassword", rule: "different", zh: "新密码不能与旧密码相同", en: "the new password must differ from the old one")
            }
            _ = try await Accounts.signIn(username: p.username, password: form.password ?? "", address: req.clientAddress,
                                          config: config, on: req.db)
            try await Accounts.setPassword(username: p.username, password: form.newPassword!, mustChange: false, by: p.username,
                                           cost: config.bcryptCost, on: req.db)
            return req.redirect(to: "/catalogue")
        } catch let e as LantaiError {
            return try await req.view.render("password", PasswordContext(base: base(req, title: UIStrings.strings(english: req.prefersEnglish)["changePassword"]!),
                                                                         error: req.prefersEnglish ? e.en : e.zh, mustChange: p.mustChangePassword))
                .encodeResponse(status: e.status, for: req)
        }
    }

    // MARK: Tree

    struct Row: Encodable {
        var label: String
        var sub: String
        var href: String
        var count: Int
    }

    struct ListContext: Encodable {
        var base: Base
        var heading: String
        var intro: String?
        var columnLabel: String
        var rows: [Row]
    }

    struct CountRow: Decodable {
        var k: String
        var n: Int
    }

    struct IntCountRow: Decodable {
        var k: Int
        var n: Int
    }

    /// Counts of readable records grouped by `column`, with the actor's scope applied in SQL.
    func counts(_ req: Request, by column: String, where conditions: [(String, any Encodable & Sendable)]) -> SQLSelectBuilder {
        let scope = AccessPolicy.readScope(for: req.actor)
        let sel = (req.db as! any SQLDatabase).select()
            .column(SQLIdentifier(column), as: "k").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("items")
            .where("classification", .in, scope.classifications.map(\.rawValue))
            .where(group: { g in
                g.where("access_status", .in, scope.statuses.map(\.rawValue))
                if let agency = scope.agency, !scope.ownAgencyStatuses.isEmpty {
                    g.orWhere(group: { h in
                        h.where("fonds_code", .equal, agency).where("access_status", .in, scope.ownAgencyStatuses.map(\.rawValue))
                    })
                }
                return g
            })
        for (c, v) in conditions { sel.where(SQLIdentifier(c), .equal, SQLBind(v)) }
        return sel.groupBy(column).orderBy(column)
    }

    func mustPassword(_ req: Request) -> Response? {
        req.principal?.mustChangePassword == true ? req.redirect(to: "/account/password") : nil
    }

    func fondsList(req: Request) async throws -> Response {
        if let r = mustPassword(req) { return r }
        let t = UIStrings.strings(english: req.prefersEnglish)
        let fonds = try await FondsModel.query(on: req.db).sort(\.$code).all()
        let byCode = try await counts(req, by: "fonds_code", where: []).all(decoding: CountRow.self)
        let n = Dictionary(uniqueKeysWithValues: byCode.map { ($0.k, $0.n) })
        let rows = fonds.map { f in
            Row(label: "\(f.code) \(f.name)", sub: [f.agency, yearRange(f)].filter { !$0.isEmpty }.joined(separator: " · "),
                href: "/catalogue/\(f.code.urlPath)", count: n[f.code] ?? 0)
        }
        return try await req.view.render("list", ListContext(base: base(req, title: t["catalogue"]!), heading: t["catalogue"]!,
                                                             intro: nil, columnLabel: t["fonds"]!, rows: rows)).encodeResponse(for: req)
    }

    /// "WS 文书" (or "WS Administrative records"): the code with its name.
    func categoryLabel(_ code: String, _ req: Request) async throws -> String {
        guard let c = try await CategoryModel.find(code, on: req.db) else { return code }
        return "\(code) \(req.prefersEnglish ? c.nameEn : c.nameZh)"
    }

    func yearRange(_ f: FondsModel) -> String {
        switch (f.startYear, f.endYear) {
        case let (s?, e?): "\(s)–\(e)"
        case let (s?, nil): "\(s)–"
        default: ""
        }
    }

    func fonds(_ req: Request) async throws -> FondsModel {
        let code = req.parameters.get("fonds") ?? ""
        guard let f = try await FondsModel.query(on: req.db).filter(\.$code == code).first() else {
            throw LantaiError.notFound("fonds \(code)", zh: "全宗 \(code)")
        }
        return f
    }

    func categoryList(req: Request) async throws -> Response {
        if let r = mustPassword(req) { return r }
        let en = req.prefersEnglish
        let t = UIStrings.strings(english: en)
        let f = try await fonds(req)
        let cats = Dictionary(uniqueKeysWithValues: try await CategoryModel.query(on: req.db).all().map { ($0.id!, $0) })
        let rows = try await counts(req, by: "category", where: [("fonds_id", f.id!)]).all(decoding: CountRow.self).map { r in
            Row(label: "\(r.k) \(cats[r.k].map { en ? $0.nameEn : $0.nameZh } ?? "")", sub: "",
                href: "/catalogue/\(f.code.urlPath)/\(r.k.urlPath)", count: r.n)
        }
        let crumbs = [Crumb(label: t["catalogue"]!, href: "/catalogue")]
        return try await req.view.render("list", ListContext(base: base(req, title: "\(f.code) \(f.name)", crumbs: crumbs),
                                                             heading: "\(f.code) \(f.name)",
                                                             intro: [f.agency, yearRange(f), f.history].filter { !$0.isEmpty }.joined(separator: " · "),
                                                             columnLabel: t["category"]!, rows: rows)).encodeResponse(for: req)
    }

    func yearList(req: Request) async throws -> Response {
        if let r = mustPassword(req) { return r }
        let t = UIStrings.strings(english: req.prefersEnglish)
        let f = try await fonds(req)
        let category = req.parameters.get("category") ?? ""
        let rows = try await counts(req, by: "year", where: [("fonds_id", f.id!), ("category", category)])
            .all(decoding: IntCountRow.self).reversed().map { r in
                Row(label: String(r.k), sub: "", href: "/catalogue/\(f.code.urlPath)/\(category.urlPath)/\(r.k)", count: r.n)
            }
        let crumbs = [Crumb(label: t["catalogue"]!, href: "/catalogue"), Crumb(label: "\(f.code) \(f.name)", href: "/catalogue/\(f.code.urlPath)")]
        return try await req.view.render("list", ListContext(base: base(req, title: "\(f.code) · \(category)", crumbs: crumbs),
                                                             heading: "\(f.code) · \(try await categoryLabel(category, req))", intro: nil,
                                                             columnLabel: t["year"]!, rows: Array(rows))).encodeResponse(for: req)
    }

    struct RecordRow: Encodable {
        var id: String
        var archivalCode: String
        var title: String
        var date: String
        var retention: String
        var classification: String
        var accessStatus: String
        var isFile: Bool
    }

    struct RecordsContext: Encodable {
        var base: Base
        var heading: String
        var records: [RecordRow]
        var nextHref: String?
    }

    func recordRow(_ m: ItemModel, english en: Bool) -> RecordRow {
        let d = m.description_
        return RecordRow(id: m.id!.uuidString, archivalCode: m.archivalCode, title: m.title, date: m.date.isEmpty ? String(m.year) : m.date,
                         retention: en ? d.retention.english : d.retention.chinese,
                         classification: en ? d.classification.english : d.classification.chinese,
                         accessStatus: en ? d.accessStatus.english : d.accessStatus.chinese, isFile: d.level == .file)
    }

    func recordList(req: Request) async throws -> Response {
        if let r = mustPassword(req) { return r }
        let en = req.prefersEnglish
        let t = UIStrings.strings(english: en)
        let f = try await fonds(req)
        let category = req.parameters.get("category") ?? ""
        guard let year = Int(req.parameters.get("year") ?? ""), RecordDraft.Limit.years.contains(year) else {
            throw LantaiError.badRequest(zh: "年度无效", en: "invalid year")
        }
        var filter = RecordFilter()
        filter.fondsId = f.id
        filter.category = category
        filter.yearFrom = year
        filter.yearTo = year
        filter.topLevelOnly = true
        let after = req.query[String.self, at: "after"].flatMap { $0.count <= 200 ? $0 : nil }
        let page = try await Catalogue.list(filter, actor: req.actor, after: after, limit: 100, on: req.db)
        let crumbs = [Crumb(label: t["catalogue"]!, href: "/catalogue"), Crumb(label: "\(f.code) \(f.name)", href: "/catalogue/\(f.code.urlPath)"),
                      Crumb(label: category, href: "/catalogue/\(f.code.urlPath)/\(category.urlPath)")]
        let heading = "\(f.code) · \(category) · \(year)"
        return try await req.view.render("records", RecordsContext(
            base: base(req, title: heading, crumbs: crumbs), heading: heading,
            records: page.items.map { recordRow($0, english: en) },
            nextHref: page.next.map { "/catalogue/\(f.code.urlPath)/\(category.urlPath)/\(year)?after=\($0.urlQuery)" }
        )).encodeResponse(for: req)
    }

    // MARK: Record

    struct Field: Encodable {
        var label: String
        var value: String
    }

    struct HistoryRow: Encodable {
        var at: String
        var actor: String
        var what: String
    }

    struct ItemContext: Encodable {
        var base: Base
        var record: RecordRow
        var fields: [Field]
        var children: [RecordRow]
        var parent: RecordRow?
        var canEdit: Bool
        var history: [HistoryRow]
        var saved: Bool
    }

    func itemPage(req: Request) async throws -> Response {
        if let r = mustPassword(req) { return r }
        let en = req.prefersEnglish
        let t = UIStrings.strings(english: en)
        let id = try CatalogueAPI.uuid(req)
        let item: ItemModel
        do {
            item = try await Catalogue.read(id, actor: req.actor, on: req.db)
        } catch let e as LantaiError where e.status == .unauthorized {
            return req.redirect(to: "/login?next=/items/\(id.uuidString)")
        }
        let d = item.description_
        let fonds = try await FondsModel.find(item.fondsId, on: req.db)
        let fields: [Field] = [
            .init(label: t["archivalCode"]!, value: item.archivalCode),
            .init(label: t["fonds"]!, value: "\(item.fondsCode) \(fonds?.name ?? "")"),
            .init(label: t["level"]!, value: en ? d.level.rawValue : d.level.chinese),
            .init(label: t["category"]!, value: try await categoryLabel(d.category, req)),
            .init(label: t["title"]!, value: d.title),
            .init(label: t["creator"]!, value: d.creator),
            .init(label: t["documentNumber"]!, value: d.documentNumber),
            .init(label: t["date"]!, value: d.date),
            .init(label: t["year"]!, value: String(d.year)),
            .init(label: t["retention"]!, value: en ? d.retention.english : d.retention.chinese),
            .init(label: t["organisation"]!, value: d.organisation),
            .init(label: t["pages"]!, value: String(d.pages)),
            .init(label: t["classification"]!, value: en ? d.classification.english : d.classification.chinese),
            .init(label: t["accessStatus"]!, value: en ? d.accessStatus.english : d.accessStatus.chinese),
            .init(label: t["carrier"]!, value: d.carrier),
            .init(label: t["subjects"]!, value: d.subjects.joined(separator: "；")),
            .init(label: t["notes"]!, value: d.notes),
            .init(label: t["location"]!, value: d.location),
        ]
        var children: [RecordRow] = []
        if d.level == .file {
            var filter = RecordFilter()
            filter.parentId = id
            children = try await Catalogue.list(filter, actor: req.actor, after: nil, limit: 500, on: req.db).items.map { recordRow($0, english: en) }
        }
        var parent: RecordRow?
        if let pid = item.parentId, let p = try? await Catalogue.read(pid, actor: req.actor, on: req.db) {
            parent = recordRow(p, english: en)
        }
        let actor = req.actor
        let canEdit = actor.has(.describeCatalogue) || actor.has(.appraise)
        var history: [HistoryRow] = []
        if canEdit {
            history = try await Catalogue.history(of: item, on: req.db).reversed().map { h in
                let changes = h.changes
                return HistoryRow(at: h.at.formatted(.iso8601), actor: h.actor,
                                  what: h.action == "create" ? t["created"]! : changes.map { "\(t[$0.field] ?? $0.field)：\($0.old) → \($0.new)" }.joined(separator: "；"))
            }
        }
        if d.accessStatus != .open, let p = req.principal {
            try await AuditTrail.record(on: req.db, actor: p.username, action: "item.view", subject: id.uuidString,
                                        ["archivalCode": item.archivalCode])
            if d.accessStatus == .controlled {
                try await Uses.register(.view, item: item, reference: nil, actor: p.username, purpose: "view", on: req.db)
            }
        }
        let crumbs = [Crumb(label: t["catalogue"]!, href: "/catalogue"),
                      Crumb(label: "\(item.fondsCode)", href: "/catalogue/\(item.fondsCode.urlPath)"),
                      Crumb(label: d.category, href: "/catalogue/\(item.fondsCode.urlPath)/\(d.category.urlPath)"),
                      Crumb(label: String(d.year), href: "/catalogue/\(item.fondsCode.urlPath)/\(d.category.urlPath)/\(d.year)")]
        return try await req.view.render("item", ItemContext(base: base(req, title: d.title, crumbs: crumbs), record: recordRow(item, english: en),
                                                             fields: fields, children: children, parent: parent, canEdit: canEdit,
                                                             history: history, saved: req.query[String.self, at: "saved"] != nil))
            .encodeResponse(for: req)
    }

    // MARK: Edit

    struct Option: Encodable {
        var value: String
        var label: String
        var selected: Bool
    }

    struct FormField: Encodable {
        var name: String
        var label: String
        var value: String
        var error: String?
        var multiline: Bool
        var options: [Option]?
    }

    struct EditContext: Encodable {
        var base: Base
        var record: RecordRow
        var version: Int
        var fields: [FormField]
        var errors: [String]
    }

    func formFields(_ values: [String: String], errors: [FieldError], english en: Bool) -> [FormField] {
        let t = UIStrings.strings(english: en)
        func err(_ f: String) -> String? {
            let e = errors.filter { $0.field == f }
            return e.isEmpty ? nil : e.map { en ? $0.en : $0.zh }.joined(separator: "；")
        }
        func options<T: CaseIterable & RawRepresentable>(_ type: T.Type, _ name: String, _ label: (T) -> String) -> [Option]
        where T.RawValue == String {
            T.allCases.map { Option(value: $0.rawValue, label: label($0), selected: values[name] == $0.rawValue) }
        }
        func field(_ name: String, multiline: Bool = false, options: [Option]? = nil) -> FormField {
            FormField(name: name, label: t[name] ?? name, value: values[name] ?? "", error: err(name), multiline: multiline, options: options)
        }
        return [
            field("title", multiline: true), field("creator"), field("documentNumber"), field("date"), field("year"),
            field("retention", options: options(Retention.self, "retention") { en ? $0.english : $0.chinese }),
            field("organisation"), field("pages"),
            field("classification", options: options(Classification.self, "classification") { en ? $0.english : $0.chinese }),
            field("accessStatus", options: options(AccessStatus.self, "accessStatus") { en ? $0.english : $0.chinese }),
            field("carrier"), field("subjects", multiline: true), field("notes", multiline: true), field("location"),
        ]
    }

    static let editable = ["title", "creator", "documentNumber", "date", "year", "retention", "organisation", "pages",
                           "classification", "accessStatus", "carrier", "subjects", "notes", "location"]

    func values(of d: RecordDescription) -> [String: String] {
        ["title": d.title, "creator": d.creator, "documentNumber": d.documentNumber, "date": d.date, "year": String(d.year),
         "retention": d.retention.rawValue, "organisation": d.organisation, "pages": String(d.pages),
         "classification": d.classification.rawValue, "accessStatus": d.accessStatus.rawValue, "carrier": d.carrier,
         "subjects": d.subjects.joined(separator: "；"), "notes": d.notes, "location": d.location]
    }

    func editableItem(_ req: Request) async throws -> (Principal, ItemModel) {
        guard let p = req.principal else { throw LantaiError.unauthenticated }
        guard p.actor.has(.describeCatalogue) || p.actor.has(.appraise) else {
            throw LantaiError.forbidden(zh: Permission.describeCatalogue.deniedZh, en: Permission.describeCatalogue.deniedEn)
        }
        return (p, try await Catalogue.read(try CatalogueAPI.uuid(req), actor: p.actor, on: req.db))
    }

    func editForm(req: Request) async throws -> Response {
        if let r = mustPassword(req) { return r }
        if req.principal == nil { return req.redirect(to: "/login?next=\(req.url.path)") }
        let (_, item) = try await editableItem(req)
        let en = req.prefersEnglish
        return try await req.view.render("edit", EditContext(base: base(req, title: item.title), record: recordRow(item, english: en),
                                                             version: item.version, fields: formFields(values(of: item.description_), errors: [], english: en),
                                                             errors: [])).encodeResponse(for: req)
    }

    func saveEdit(req: Request) async throws -> Response {
        if req.principal == nil { return req.redirect(to: "/login?next=\(req.url.path)") }
        let (p, item) = try await editableItem(req)
        let en = req.prefersEnglish
        var form: [String: String] = [:]
        for name in Self.editable + ["version"] {
            if let v = try? req.content.get(String.self, at: name) { form[name] = v }
        }
        var draft = RecordDraft()
        draft.title = form["title"]
        draft.creator = form["creator"]
        draft.documentNumber = form["documentNumber"]
        draft.date = form["date"]
        draft.year = form["year"]
        draft.retention = form["retention"]
        draft.organisation = form["organisation"]
        draft.pages = form["pages"]
        draft.classification = form["classification"]
        draft.accessStatus = form["accessStatus"]
        draft.carrier = form["carrier"]
        draft.subjects = form["subjects"].map { $0.split(whereSeparator: { ";；\n\r".contains($0) }).map(String.init) }
        draft.notes = form["notes"]
        draft.location = form["location"]
        do {
            let updated = try await Catalogue.update(item.id!, draft: draft, expectedVersion: form["version"].flatMap(Int.init),
                                                     actor: p, on: req.db)
            return req.redirect(to: "/items/\(updated.id!.uuidString)?saved=1")
        } catch let e as LantaiError where e.status.code < 500 && e.status != .forbidden {
            let errors = e.details.isEmpty ? [FieldError(field: e.field ?? "", rule: e.code, zh: e.zh, en: e.en)] : e.details
            var values = values(of: item.description_)
            for (k, v) in form { values[k] = v }
            let ctx = EditContext(base: base(req, title: item.title), record: recordRow(item, english: en), version: item.version,
                                  fields: formFields(values, errors: errors, english: en),
                                  errors: errors.map { en ? $0.en : $0.zh })
            return try await req.view.render("edit", ctx).encodeResponse(status: e.status, for: req)
        }
    }
}

extension String {
    var urlPath: String { addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? self }
    var urlQuery: String { addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? self }
}
