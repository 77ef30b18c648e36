import ArchiveKit
import Fluent
import Vapor

/// /api/v1/fonds, /api/v1/categories, /api/v1/items — thin: decode, call the catalogue, encode.
struct CatalogueAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let fonds = routes.grouped("fonds")
        fonds.get(use: listFonds)
        fonds.post(use: createFonds)
        fonds.get(":id", use: getFonds)
        fonds.patch(":id", use: updateFonds)

        let categories = routes.grouped("categories")
        categories.get(use: listCategories)
        categories.post(use: createCategory)
        categories.get(":code", use: getCategory)
        categories.patch(":code", use: updateCategory)

        let items = routes.grouped("items")
        items.get(use: listItems)
        items.post(use: createItem)
        items.on(.POST, "batch", body: .collect(maxSize: "64mb"), use: batchCreate)
        items.get(":id", use: getItem)
        items.patch(":id", use: updateItem)
        items.get(":id", "history", use: itemHistory)
    }

    static func uuid(_ req: Request, _ name: String = "id") throws -> UUID {
        guard let raw = req.parameters.get(name), let id = UUID(uuidString: raw) else {
            throw LantaiError.badRequest(zh: "路径中的 \(name) 不是有效的 UUID", en: "\(name) in the path is not a valid UUID", field: name)
        }
        return id
    }

    // MARK: Fonds

    func listFonds(req: Request) async throws -> [FondsDTO] {
        try await FondsModel.query(on: req.db).sort(\.$code).all().map(FondsDTO.init)
    }

    func getFonds(req: Request) async throws -> FondsDTO {
        let id = try Self.uuid(req)
        guard let f = try await FondsModel.find(id, on: req.db) else { throw LantaiError.notFound("fonds \(id)", zh: "全宗") }
        return FondsDTO(f)
    }

    func createFonds(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let input = try req.content.decode(FondsInput.self)
        let f = try await FondsRegistry.create(input, by: p, on: req.db)
        return try await FondsDTO(f).encodeResponse(status: .created, for: req)
    }

    func updateFonds(req: Request) async throws -> FondsDTO {
        let p = try req.requirePrincipal()
        let id = try Self.uuid(req)
        let input = try req.content.decode(FondsInput.self)
        return FondsDTO(try await FondsRegistry.update(id, input, by: p, on: req.db))
    }

    // MARK: Categories

    func listCategories(req: Request) async throws -> [CategoryDTO] {
        try await CategoryModel.query(on: req.db).sort(\.$id).all().map(CategoryDTO.init)
    }

    func getCategory(req: Request) async throws -> CategoryDTO {
        let code = req.parameters.get("code") ?? ""
        guard let c = try await CategoryModel.find(code, on: req.db) else { throw LantaiError.notFound("category \(code)", zh: "门类") }
        return CategoryDTO(c)
    }

    func createCategory(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let input = try req.content.decode(CategoryInput.self)
        let c = try await FondsRegistry.upsertCategory(code: input.code ?? "", nameZh: input.nameZh, nameEn: input.nameEn,
                                                       creating: true, by: p, on: req.db)
        return try await CategoryDTO(c).encodeResponse(status: .created, for: req)
    }

    func updateCategory(req: Request) async throws -> CategoryDTO {
        let p = try req.requirePrincipal()
        let input = try req.content.decode(CategoryInput.self)
        let code = req.parameters.get("code") ?? ""
        if let c = input.code, c != code {
            throw LantaiError.field("code", rule: "immutable", zh: "门类代码不能修改", en: "the category code cannot change", status: .conflict)
        }
        return CategoryDTO(try await FondsRegistry.upsertCategory(code: code, nameZh: input.nameZh, nameEn: input.nameEn,
                                                                  creating: false, by: p, on: req.db))
    }

    // MARK: Items

    func newRecord(_ input: ItemInput, prefix: String = "") throws -> NewRecord {
        guard let fondsId = input.fondsId else {
            throw LantaiError.field(prefix + "fondsId", rule: "required", zh: "缺少全宗 fondsId", en: "fondsId is required")
        }
        return NewRecord(fondsId: fondsId, parentId: input.parentId, archivalCode: input.archivalCode, draft: input.draft)
    }

    func createItem(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let input = try req.content.decode(ItemInput.self)
        let created = try await Catalogue.create([try newRecord(input)], actor: p, on: req.db)
        guard let item = try await ItemModel.find(created[0].id, on: req.db) else {
            throw LantaiError.notFound("record", zh: "档案")
        }
        return try await ItemDTO(item).encodeResponse(status: .created, for: req)
    }

    func batchCreate(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let input = try req.content.decode(BatchInput.self)
        let records = try input.items.enumerated().map { try newRecord($0.element, prefix: "items[\($0.offset)].") }
        let created = try await Catalogue.create(records, actor: p, on: req.db, batch: true)
        struct Result: Content {
            var created: Int
            var items: [Created]
        }
        struct Created: Content {
            var id: UUID
            var archivalCode: String
        }
        return try await Result(created: created.count, items: created.map { Created(id: $0.id, archivalCode: $0.archivalCode) })
            .encodeResponse(status: .created, for: req)
    }

    func getItem(req: Request) async throws -> ItemDTO {
        let item = try await Catalogue.read(try Self.uuid(req), actor: req.actor, on: req.db)
        if item.accessStatus != AccessStatus.open.rawValue, let p = req.principal {
            // A view of a non-public record is a use to be accounted for.
            try await AuditTrail.record(on: req.db, actor: p.username, action: "item.view", subject: item.id!.uuidString,
                                        ["archivalCode": item.archivalCode])
            // 利用登记: the statistics of use count views of controlled records too.
            if item.accessStatus == AccessStatus.controlled.rawValue {
                try await Uses.register(.view, item: item, reference: nil, actor: p.username, purpose: "view", on: req.db)
            }
        }
        return ItemDTO(item)
    }

    func updateItem(req: Request) async throws -> ItemDTO {
        let p = try req.requirePrincipal()
        let id = try Self.uuid(req)
        let input = try req.content.decode(ItemInput.self)
        for (field, given) in [("fondsId", input.fondsId != nil), ("parentId", input.parentId != nil),
                               ("archivalCode", input.archivalCode != nil)] where given {
            throw LantaiError.field(field, rule: "immutable", zh: "\(field) 不能通过编辑修改", en: "\(field) cannot be changed by an edit",
                                    status: .conflict)
        }
        var expected: Int?
        if let raw = req.headers.first(name: .ifMatch) {
            guard let v = Int(raw.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/"))) else {
                throw LantaiError.badRequest(zh: "If-Match 应为版本号", en: "If-Match must be the record's version number", field: "If-Match")
            }
            expected = v
        }
        return ItemDTO(try await Catalogue.update(id, draft: input.draft, expectedVersion: expected, actor: p, on: req.db))
    }

    func itemHistory(req: Request) async throws -> [HistoryDTO] {
        let p = try req.requirePrincipal()
        let id = try Self.uuid(req)
        let item = try await Catalogue.read(id, actor: p.actor, on: req.db)
        return try await Catalogue.history(of: item, on: req.db).map {
            HistoryDTO(at: $0.at, actor: $0.actor, action: $0.action, changes: $0.changes)
        }
    }

    func listItems(req: Request) async throws -> ItemPage {
        struct Query: Decodable {
            var fondsId: String?
            var category: String?
            var yearFrom: String?
            var yearTo: String?
            var retention: String?
            var accessStatus: String?
            var classification: String?
            var level: String?
            var parentId: String?
            var cursor: String?
            var limit: String?
        }
        let q = try req.query.decode(Query.self)
        var f = RecordFilter()
        func bad(_ field: String, _ zh: String, _ en: String) -> LantaiError {
            .field(field, rule: "query", zh: zh, en: en, status: .badRequest)
        }
        if let v = q.fondsId {
            guard let id = UUID(uuidString: v) else { throw bad("fondsId", "fondsId 不是有效的 UUID", "fondsId is not a valid UUID") }
            f.fondsId = id
        }
        if let v = q.parentId {
            guard let id = UUID(uuidString: v) else { throw bad("parentId", "parentId 不是有效的 UUID", "parentId is not a valid UUID") }
            f.parentId = id
        }
        if let v = q.category { f.category = CategoryCode.standard(parsing: v)?.code ?? v }
        for (field, raw) in [("yearFrom", q.yearFrom), ("yearTo", q.yearTo)] {
            guard let raw else { continue }
            guard let y = Int(raw), RecordDraft.Limit.years.contains(y) else {
                throw bad(field, "\(field) 应为 1000–2100 之间的年份", "\(field) must be a year between 1000 and 2100")
            }
            if field == "yearFrom" { f.yearFrom = y } else { f.yearTo = y }
        }
        if let a = f.yearFrom, let b = f.yearTo, a > b {
            throw bad("yearTo", "yearTo 不能早于 yearFrom", "yearTo must not be before yearFrom")
        }
        if let v = q.retention {
            guard let r = Retention(parsing: v) else { throw bad("retention", "保管期限无效，应为 permanent、30y 或 10y", "retention must be permanent, 30y or 10y") }
            f.retention = r
        }
        if let v = q.accessStatus {
            guard let s = AccessStatus(parsing: v) else { throw bad("accessStatus", "开放状态无效，应为 unreviewed、open 或 controlled", "accessStatus must be unreviewed, open or controlled") }
            f.accessStatus = s
        }
        if let v = q.classification {
            guard let s = Classification(parsing: v) else { throw bad("classification", "密级无效", "classification must be none, confidential, secret or top-secret") }
            f.classification = s
        }
        if let v = q.level {
            guard let l = DescriptionLevel(rawValue: v) else { throw bad("level", "层级应为 file 或 item", "level must be file or item") }
            f.level = l
        }
        var limit = 50
        if let raw = q.limit {
            guard let l = Int(raw), (1...500).contains(l) else { throw bad("limit", "limit 应为 1–500", "limit must be 1–500") }
            limit = l
        }
        var cursor: String?
        if let c = q.cursor {
            guard c.count <= 200, let decoded = Data(base64Encoded: c.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/").padded),
                  let text = String(data: decoded, encoding: .utf8) else {
                throw bad("cursor", "cursor 无效：请使用上一页返回的 nextCursor", "cursor is invalid: pass the nextCursor of the previous page")
            }
            cursor = text
        }
        let page = try await Catalogue.list(f, actor: req.actor, after: cursor, limit: limit, on: req.db)
        return ItemPage(items: page.items.map(ItemDTO.init), nextCursor: page.next.map {
            Data($0.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        })
    }
}

extension String {
    /// Restores base64 padding removed for URLs.
    var padded: String {
        let r = count % 4
        return r == 0 ? self : self + String(repeating: "=", count: 4 - r)
    }
}
