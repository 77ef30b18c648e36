import ArchiveKit
import Fluent
import Foundation

/// Fonds (全宗) and categories (门类).
enum FondsRegistry {
    struct Values {
        var code: String
        var name: String
        var agency: String
        var history: String
        var startYear: Int?
        var endYear: Int?
    }

    static func validate(_ v: Values) throws {
        var errs: [FieldError] = []
        if !FondsCode.isWellFormed(v.code) {
            errs.append(.init(field: "code", rule: "pattern", zh: "全宗号应为 1–12 个大写字母或数字（如 J012）",
                              en: "code must be 1–12 capital letters or digits, e.g. J012"))
        }
        for (field, value, zh, limit) in [("name", v.name, "全宗名称", 200), ("agency", v.agency, "立档单位", 200),
                                          ("history", v.history, "机构沿革", 8000)] {
            if (field == "name" || field == "agency") && value.trimmingCharacters(in: .whitespaces).isEmpty {
                errs.append(.init(field: field, rule: "required", zh: "\(zh)不能为空", en: "\(field) is required"))
            }
            if value.count > limit {
                errs.append(.init(field: field, rule: "maxLength", zh: "\(zh)最多 \(limit) 个字符",
                                  en: "\(field) must be at most \(limit) characters"))
            }
        }
        for (field, y) in [("startYear", v.startYear), ("endYear", v.endYear)] {
            if let y, !RecordDraft.Limit.years.contains(y) {
                errs.append(.init(field: field, rule: "range", zh: "年份应在 1000–2100 之间", en: "\(field) must be between 1000 and 2100"))
            }
        }
        if let s = v.startYear, let e = v.endYear, s > e {
            errs.append(.init(field: "endYear", rule: "order", zh: "截止年不能早于起始年", en: "endYear must not be before startYear"))
        }
        if !errs.isEmpty { throw LantaiError.validation(ValidationFailure(errors: errs)) }
    }

    static func create(_ input: FondsInput, by principal: Principal, on db: any Database) async throws -> FondsModel {
        guard principal.actor.has(.manageFonds) else {
            throw LantaiError.forbidden(zh: Permission.manageFonds.deniedZh, en: Permission.manageFonds.deniedEn)
        }
        let v = Values(code: (input.code ?? "").trimmingCharacters(in: .whitespaces), name: input.name ?? "",
                       agency: input.agency ?? "", history: input.history ?? "", startYear: input.startYear,
                       endYear: input.endYear)
        try validate(v)
        if try await FondsModel.query(on: db).filter(\.$code == v.code).first() != nil {
            throw LantaiError.field("code", rule: "unique", zh: "全宗号 \(v.code) 已存在", en: "fonds \(v.code) already exists",
                                    status: .conflict)
        }
        return try await AuditTrail.write(on: db, actor: principal.username) { tx, audit in
            let f = FondsModel()
            f.code = v.code
            f.name = v.name
            f.agency = v.agency
            f.history = v.history
            f.startYear = v.startYear
            f.endYear = v.endYear
            try await f.create(on: tx)
            try await CatalogueSnapshotJob.enqueue(fonds: [f.id!], on: tx)
            audit.record("fonds.create", subject: v.code, ["name": v.name])
            return f
        }
    }

    static func update(_ id: UUID, _ input: FondsInput, by principal: Principal, on db: any Database) async throws -> FondsModel {
        guard principal.actor.has(.manageFonds) else {
            throw LantaiError.forbidden(zh: Permission.manageFonds.deniedZh, en: Permission.manageFonds.deniedEn)
        }
        guard let f = try await FondsModel.find(id, on: db) else { throw LantaiError.notFound("fonds \(id)", zh: "全宗") }
        if let code = input.code, code != f.code {
            throw LantaiError.field("code", rule: "immutable", zh: "全宗号是档号的组成部分，不能修改",
                                    en: "the fonds number is part of every archival code and cannot change", status: .conflict)
        }
        let v = Values(code: f.code, name: input.name ?? f.name, agency: input.agency ?? f.agency,
                       history: input.history ?? f.history, startYear: input.startYear ?? f.startYear,
                       endYear: input.endYear ?? f.endYear)
        try validate(v)
        return try await AuditTrail.write(on: db, actor: principal.username) { tx, audit in
            f.name = v.name
            f.agency = v.agency
            f.history = v.history
            f.startYear = v.startYear
            f.endYear = v.endYear
            try await f.update(on: tx)
            try await CatalogueSnapshotJob.enqueue(fonds: [f.id!], on: tx)
            audit.record("fonds.update", subject: f.code)
            return f
        }
    }

    static func upsertCategory(code: String, nameZh: String?, nameEn: String?, creating: Bool, by principal: Principal,
                               on db: any Database) async throws -> CategoryModel {
        guard principal.actor.has(.manageFonds) else {
            throw LantaiError.forbidden(zh: Permission.manageFonds.deniedZh, en: Permission.manageFonds.deniedEn)
        }
        guard CategoryCode.isWellFormed(code) else {
            throw LantaiError.field("code", rule: "pattern", zh: "门类代码应为 1–4 个大写字母（如 WS）",
                                    en: "code must be 1–4 capital letters, e.g. WS")
        }
        let existing = try await CategoryModel.find(code, on: db)
        if creating, existing != nil {
            throw LantaiError.field("code", rule: "unique", zh: "门类 \(code) 已存在", en: "category \(code) exists", status: .conflict)
        }
        if !creating, existing == nil { throw LantaiError.notFound("category \(code)", zh: "门类 \(code)") }
        let zh = (nameZh ?? existing?.nameZh ?? "").trimmingCharacters(in: .whitespaces)
        let en = (nameEn ?? existing?.nameEn ?? "").trimmingCharacters(in: .whitespaces)
        guard !zh.isEmpty, zh.count <= 50, en.count <= 100 else {
            throw LantaiError.field("nameZh", rule: "required", zh: "门类名称不能为空且不超过 50 字", en: "nameZh is required (at most 50 characters)")
        }
        return try await AuditTrail.write(on: db, actor: principal.username) { tx, audit in
            let c = existing ?? CategoryModel(code: code, nameZh: zh, nameEn: en)
            c.nameZh = zh
            c.nameEn = en
            if creating { try await c.create(on: tx) } else { try await c.update(on: tx) }
            try await CatalogueSnapshotJob.enqueueEveryFonds(on: tx)
            audit.record(creating ? "category.create" : "category.update", subject: code)
            return c
        }
    }
}
