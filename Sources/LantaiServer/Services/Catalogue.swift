import ArchiveKit
import Fluent
import Foundation
import SQLKit

/// A record to be created: where it goes and what it says. Built from API input, form input,
/// imports and the demo generator alike.
public struct NewRecord: Sendable {
    public var fondsId: UUID
    public var parentId: UUID?
    /// A 档号 the record already has (imports); nil to number it.
    public var archivalCode: String?
    public var draft: RecordDraft

    public init(fondsId: UUID, parentId: UUID? = nil, archivalCode: String? = nil, draft: RecordDraft) {
        self.fondsId = fondsId
        self.parentId = parentId
        self.archivalCode = archivalCode
        self.draft = draft
    }
}

/// Filters for listing records.
public struct RecordFilter: Sendable {
    public var fondsId: UUID?
    public var category: String?
    public var yearFrom: Int?
    public var yearTo: Int?
    public var retention: Retention?
    public var accessStatus: AccessStatus?
    public var classification: Classification?
    public var level: DescriptionLevel?
    public var parentId: UUID?
    /// Only records that are not inside a file.
    public var topLevelOnly = false
    public init() {}
}

/// The catalogue: describing, numbering and listing files and items.
public enum Catalogue {
    public static let maxBatch = 5000

    struct Prepared {
        var id: UUID
        var fonds: FondsModel
        var parent: ItemModel?
        var description: RecordDescription
        var explicitCode: ArchivalCode?
    }

    /// Creates records in one transaction: all are numbered and written, or none.
    /// Validation problems are reported per record (`items[3].title`) before anything is written.
    /// - Parameter alsoInTransaction: work that must commit or fail with the new records (an
    ///   accession marks its transfer and queues preservation in the same transaction).
    /// - Parameter limit: the most records one call may create — the API's batch size; nil for an
    ///   accession, whose transfer is accepted whole however many records it holds.
    static func create(_ records: [NewRecord], actor principal: Principal, on db: any Database,
                       batch: Bool = false, limit: Int? = maxBatch,
                       alsoInTransaction: (@Sendable (any Database, AuditRecorder, [CreatedRecord]) async throws -> Void)? = nil)
    async throws -> [CreatedRecord] {
        guard !records.isEmpty else {
            throw LantaiError.field("items", rule: "minCount", zh: "至少提交一条档案", en: "send at least one record",
                                    status: .badRequest)
        }
        if let limit, records.count > limit {
            throw LantaiError.field("items", rule: "maxCount", zh: "每批最多 \(maxBatch) 条，请分批提交",
                                    en: "at most \(maxBatch) records a batch: split it", status: .payloadTooLarge)
        }
        let actor = principal.actor
        guard actor.has(.describeCatalogue) else {
            throw LantaiError.denied(AccessPolicy.decide(.describe, record: .init(accessStatus: .open, classification: .none, fonds: ""), actor: actor))
        }
        // Look up fonds and parents once.
        let fondsIds = Set(records.map(\.fondsId))
        let fondsList = try await FondsModel.query(on: db).filter(\.$id ~~ fondsIds).all()
        let fondsById = Dictionary(uniqueKeysWithValues: fondsList.map { ($0.id!, $0) })
        let parentIds = Set(records.compactMap(\.parentId))
        let parents = parentIds.isEmpty ? [] : try await ItemModel.query(on: db).filter(\.$id ~~ parentIds).all()
        let parentById = Dictionary(uniqueKeysWithValues: parents.map { ($0.id!, $0) })

        var preparing: [Prepared] = []
        preparing.reserveCapacity(records.count)
        var problems: [FieldError] = []
        var seenCodes: [String: Int] = [:]
        for (i, r) in records.enumerated() {
            let prefix = batch ? "items[\(i)]." : ""
            func fail(_ field: String, _ rule: String, _ zh: String, _ en: String) {
                problems.append(FieldError(field: prefix + field, rule: rule, zh: zh, en: en))
            }
            guard let fonds = fondsById[r.fondsId] else {
                fail("fondsId", "exists", "全宗 \(r.fondsId) 不存在", "fonds \(r.fondsId) does not exist")
                continue
            }
            var parent: ItemModel?
            if let pid = r.parentId {
                guard let p = parentById[pid] else {
                    fail("parentId", "exists", "案卷 \(pid) 不存在", "file \(pid) does not exist")
                    continue
                }
                guard p.level == DescriptionLevel.file.rawValue, p.fondsId == r.fondsId else {
                    fail("parentId", "isFile", "上级必须是同一全宗内的案卷", "parentId must be a file (案卷) of the same fonds")
                    continue
                }
                parent = p
            }
            let description: RecordDescription
            switch r.draft.validated() {
            case .success(let d): description = d
            case .failure(let f):
                problems += f.errors.map { var e = $0; e.field = prefix + e.field; return e }
                continue
            }
            if parent != nil && description.level == .file {
                fail("level", "nesting", "案卷不能放在案卷之内", "a file cannot be placed inside another file")
                continue
            }
            let decision = AccessPolicy.decide(.describe, record: .init(accessStatus: description.accessStatus,
                                                                         classification: description.classification,
                                                                         fonds: fonds.code), actor: actor)
            if case .deny(let zh, let en) = decision {
                throw LantaiError.forbidden(zh: zh, en: en)
            }
            var explicit: ArchivalCode?
            if let codeText = r.archivalCode?.trimmingCharacters(in: .whitespaces), !codeText.isEmpty {
                guard let code = ArchivalCode(parsing: codeText) else {
                    fail("archivalCode", "format", "档号「\(codeText.prefix(40))」格式不符合 DA/T 13（如 J012-WS·2015-Y-BGS-0001）",
                         "archivalCode '\(codeText.prefix(40))' is not a DA/T 13 code such as J012-WS·2015-Y-BGS-0001")
                    continue
                }
                let expectedGroup = parent.map { ArchivalCode(parsing: $0.archivalCode)?.group } ?? description.codeGroup(fonds: fonds.code)
                let matches = parent == nil
                    ? (code.group == expectedGroup && code.position == nil)
                    : (code.fileCode?.description == parent!.archivalCode)
                guard matches else {
                    fail("archivalCode", "matchesFields", "档号 \(codeText) 与全宗、门类、年度、保管期限、机构不一致（应以 \(parent?.archivalCode ?? expectedGroup?.description ?? "") 开头）",
                         "archivalCode \(codeText) does not agree with the fonds, category, year, retention and organisation (expected to start with \(parent?.archivalCode ?? expectedGroup?.description ?? ""))")
                    continue
                }
                if let j = seenCodes[code.description] {
                    fail("archivalCode", "unique", "档号 \(codeText) 在本批中重复（第 \(j) 条）",
                         "archivalCode \(codeText) repeats record \(j) of this batch")
                    continue
                }
                seenCodes[code.description] = i
                explicit = code
            }
            preparing.append(Prepared(id: UUID.timeOrdered(), fonds: fonds, parent: parent, description: description, explicitCode: explicit))
        }
        if !problems.isEmpty { throw LantaiError.validation(ValidationFailure(errors: problems)) }

        let prepared = preparing
        let explicitCodes = prepared.compactMap { $0.explicitCode?.description }
        let now = Date()
        let username = principal.username
        return try await AuditTrail.write(on: db, actor: username) { tx, audit in
            let sql = tx as! any SQLDatabase
            if !explicitCodes.isEmpty {
                for chunk in explicitCodes.chunked(500) {
                    let taken = try await sql.select().column("archival_code").from("items")
                        .where("archival_code", .in, Array(chunk)).all(decoding: CodeRow.self)
                    if let first = taken.first {
                        throw LantaiError.field("archivalCode", rule: "unique",
                                                zh: "档号 \(first.archival_code) 已被使用", en: "archivalCode \(first.archival_code) is already used",
                                                status: .conflict)
                    }
                }
            }
            // Number everything: explicit codes first raise their counters, then new numbers follow.
            var codes = [String](repeating: "", count: prepared.count)
            var bumps: [String: Int] = [:]
            var wanting: [String: [Int]] = [:]
            for (i, p) in prepared.enumerated() {
                let key = p.parent.map { "file:\($0.archivalCode)" } ?? p.description.codeGroup(fonds: p.fonds.code).description
                if let code = p.explicitCode {
                    codes[i] = code.description
                    bumps[key] = max(bumps[key] ?? 0, code.position ?? code.number)
                } else {
                    wanting[key, default: []].append(i)
                }
            }
            var counters = try await Counters.current(Array(Set(bumps.keys).union(wanting.keys)), on: sql)
            for (key, value) in bumps { counters[key] = max(counters[key] ?? 0, value) }
            for (key, indices) in wanting {
                var n = counters[key] ?? 0
                for i in indices {
                    n += 1
                    let p = prepared[i]
                    if let parent = p.parent, let file = ArchivalCode(parsing: parent.archivalCode) {
                        codes[i] = ArchivalCode(group: file.group, number: file.number, position: n).description
                    } else {
                        codes[i] = ArchivalCode(group: p.description.codeGroup(fonds: p.fonds.code), number: n).description
                    }
                }
                counters[key] = n
            }
            try await Counters.store(counters, on: sql)
            let rows = prepared.enumerated().map { i, p in
                ItemRow(id: p.id, fondsId: p.fonds.id!, fondsCode: p.fonds.code, parentId: p.parent?.id,
                        archivalCode: codes[i], description: p.description)
            }
            try await insertRows(rows, by: username, at: now, on: sql)
            try await SearchIndex.upsert(rows.map { SearchIndex.Document(itemId: $0.id, fondsCode: $0.fondsCode, description: $0.description,
                                                                         archivalCode: $0.archivalCode) }, fresh: true, on: tx)
            try await CatalogueSnapshotJob.enqueue(fonds: rows.map(\.fondsId), on: tx)
            let created = rows.map { CreatedRecord(id: $0.id, archivalCode: $0.archivalCode) }
            if batch {
                audit.record("item.batch-create", subject: "\(created.count) records",
                             ["count": String(created.count), "first": created.first?.archivalCode ?? "",
                              "last": created.last?.archivalCode ?? ""])
            } else {
                for c in created { audit.record("item.create", subject: c.id.uuidString, ["archivalCode": c.archivalCode]) }
            }
            try await alsoInTransaction?(tx, audit, created)
            return created
        }
    }

    struct CodeRow: Decodable { var archival_code: String }

    /// A new row of `items`, as plain values: building Fluent models for a 5,000-record batch
    /// costs more than inserting it.
    struct ItemRow {
        var id: UUID
        var fondsId: UUID
        var fondsCode: String
        var parentId: UUID?
        var archivalCode: String
        var description: RecordDescription
    }

    static let itemColumns = ["id", "created_at", "updated_at", "created_by", "updated_by", "version", "fonds_id", "fonds_code",
                              "parent_id", "archival_code", "level", "category", "title", "creator", "document_number", "date",
                              "year", "retention", "organisation", "pages", "classification", "access_status", "carrier",
                              "subjects", "notes", "location"]

    /// Multi-row inserts: the batch path must reach tens of thousands of rows a second.
    static func insertRows(_ rows: [ItemRow], by username: String, at now: Date, on sql: any SQLDatabase) async throws {
        for chunk in rows.chunked(400) {
            let ins = sql.insert(into: "items").columns(itemColumns)
            for r in chunk {
                let d = r.description
                ins.values([r.id, now, now, username, username, 1, r.fondsId, r.fondsCode,
                            r.parentId, r.archivalCode, d.level.rawValue, d.category, d.title, d.creator, d.documentNumber,
                            d.date, d.year, d.retention.rawValue, d.organisation, d.pages, d.classification.rawValue,
                            d.accessStatus.rawValue, d.carrier, d.subjects.joined(separator: "\n"), d.notes, d.location]
                           as [any Encodable & Sendable])
            }
            try await ins.run()
        }
    }

    /// Reads one record, if the actor may see it.
    static func read(_ id: UUID, actor: Actor, on db: any Database) async throws -> ItemModel {
        guard let item = try await ItemModel.find(id, on: db) else {
            throw LantaiError.notFound("record \(id)", zh: "档案 \(id)")
        }
        let decision = AccessPolicy.decide(.read, record: item.accessAttributes, actor: actor)
        guard decision.isAllowed else {
            // Do not confirm to an anonymous caller that a hidden record exists.
            if actor.role == nil { throw LantaiError.unauthenticated }
            throw LantaiError.denied(decision)
        }
        return item
    }

    /// Edits a record's description. Fields that make up the 档号 are fixed once numbered.
    static func update(_ id: UUID, draft: RecordDraft, expectedVersion: Int?, actor principal: Principal,
                              on db: any Database) async throws -> ItemModel {
        let actor = principal.actor
        guard actor.has(.describeCatalogue) || actor.has(.appraise) else {
            throw LantaiError.forbidden(zh: Permission.describeCatalogue.deniedZh, en: Permission.describeCatalogue.deniedEn)
        }
        return try await AuditTrail.write(on: db, actor: principal.username) { tx, audit in
            let item = try await read(id, actor: actor, on: tx)
            if let expectedVersion, expectedVersion != item.version {
                throw LantaiError(.preconditionFailed, code: "stale", zh: "该档案已被他人修改（当前版本 \(item.version)），请刷新后重试",
                                  en: "the record was changed by someone else (now version \(item.version)): reload and retry")
            }
            let old = item.description_
            let new: RecordDescription
            switch draft.validated(over: old) {
            case .success(let d): new = d
            case .failure(let f): throw LantaiError.validation(f)
            }
            let changes = old.changes(to: new)
            if changes.isEmpty { return item }
            let locked = Set(["category", "year", "retention", "organisation"])
            if let c = changes.first(where: { locked.contains($0.field) }) {
                throw LantaiError.field(c.field, rule: "archivalCodeFixed",
                                        zh: "\(c.field) 是档号 \(item.archivalCode) 的组成部分，编号后不能直接修改；如需改变请新建条目并注销原条目",
                                        en: "\(c.field) is part of the archival code \(item.archivalCode) and cannot change once numbered: create a new record instead",
                                        status: .conflict)
            }
            if old.level != new.level {
                let children = try await ItemModel.query(on: tx).filter(\.$parentId == id).count()
                if children > 0 || item.parentId != nil {
                    throw LantaiError.field("level", rule: "nesting", zh: "含有卷内文件的案卷或卷内文件不能改变层级",
                                            en: "a file with items, or an item inside a file, cannot change level", status: .conflict)
                }
            }
            let appraisal = Set(["accessStatus", "classification"])
            let touchesDescription = changes.contains { !appraisal.contains($0.field) }
            let touchesAppraisal = changes.contains { appraisal.contains($0.field) }
            let newAttributes = RecordAccessAttributes(accessStatus: new.accessStatus, classification: new.classification,
                                                       fonds: item.fondsCode)
            for (needed, action) in [(touchesDescription, RecordAction.describe), (touchesAppraisal, .appraise)] where needed {
                for attrs in [item.accessAttributes, newAttributes] {
                    let d = AccessPolicy.decide(action, record: attrs, actor: actor)
                    if !d.isAllowed { throw LantaiError.denied(d) }
                }
            }
            item.apply(new)
            item.version += 1
            item.updatedAt = Date()
            item.updatedBy = principal.username
            try await item.update(on: tx)
            let h = ItemHistoryModel()
            h.itemId = id
            h.at = item.updatedAt!
            h.actor = principal.username
            h.action = "update"
            h.changes = String(decoding: try JSONEncoder().encode(changes), as: UTF8.self)
            try await h.create(on: tx)
            try await SearchIndex.refresh([item], on: tx)
            audit.record("item.update", subject: id.uuidString,
                         ["archivalCode": item.archivalCode, "fields": changes.map(\.field).joined(separator: ",")])
            try await CatalogueSnapshotJob.enqueue(fonds: [item.fondsId], on: tx)
            return item
        }
    }

    /// Applies the actor's read scope to a query: the SQL twin of `ReadScope.permits`.
    static func restrict(_ q: QueryBuilder<ItemModel>, to scope: ReadScope) -> QueryBuilder<ItemModel> {
        q.filter(\.$classification ~~ scope.classifications.map(\.rawValue))
        q.group(.or) { or in
            or.filter(\.$accessStatus ~~ scope.statuses.map(\.rawValue))
            if let agency = scope.agency, !scope.ownAgencyStatuses.isEmpty {
                or.group(.and) { and in
                    and.filter(\.$fondsCode == agency)
                    and.filter(\.$accessStatus ~~ scope.ownAgencyStatuses.map(\.rawValue))
                }
            }
        }
        return q
    }

    static func filtered(_ filter: RecordFilter, actor: Actor, on db: any Database) -> QueryBuilder<ItemModel> {
        let q = restrict(ItemModel.query(on: db), to: AccessPolicy.readScope(for: actor))
        if let v = filter.fondsId { q.filter(\.$fondsId == v) }
        if let v = filter.category { q.filter(\.$category == v) }
        if let v = filter.yearFrom { q.filter(\.$year >= v) }
        if let v = filter.yearTo { q.filter(\.$year <= v) }
        if let v = filter.retention { q.filter(\.$retention == v.rawValue) }
        if let v = filter.accessStatus { q.filter(\.$accessStatus == v.rawValue) }
        if let v = filter.classification { q.filter(\.$classification == v.rawValue) }
        if let v = filter.level { q.filter(\.$level == v.rawValue) }
        if let v = filter.parentId { q.filter(\.$parentId == v) }
        if filter.topLevelOnly { q.filter(\.$parentId == nil) }
        return q
    }

    /// A page of records in 档号 order, after `cursor` (the last 档号 of the previous page).
    static func list(_ filter: RecordFilter, actor: Actor, after cursor: String?, limit: Int,
                            on db: any Database) async throws -> (items: [ItemModel], next: String?) {
        let q = filtered(filter, actor: actor, on: db)
        if let cursor { q.filter(\.$archivalCode > cursor) }
        let rows = try await q.sort(\.$archivalCode).limit(limit + 1).all()
        let page = Array(rows.prefix(limit))
        return (page, rows.count > limit ? page.last?.archivalCode : nil)
    }

    struct HistoryEntry: Sendable {
        var at: Date
        var actor: String
        var action: String
        var changes: [FieldChange]
    }

    /// Who changed what and when: the creation (from the record itself, so imports need not
    /// write a history row per record), then every edit.
    static func history(of item: ItemModel, on db: any Database) async throws -> [HistoryEntry] {
        let edits = try await ItemHistoryModel.query(on: db).filter(\.$itemId == item.id!).filter(\.$action != "create")
            .sort(\.$at).all()
        return [HistoryEntry(at: item.createdAt ?? Date(timeIntervalSince1970: 0), actor: item.createdBy, action: "create", changes: [])]
            + edits.map {
                HistoryEntry(at: $0.at, actor: $0.actor, action: $0.action,
                             changes: (try? JSONDecoder().decode([FieldChange].self, from: Data($0.changes.utf8))) ?? [])
            }
    }
}

/// Gap-free counters in `code_counters`. They are only used inside a write transaction, which
/// holds the node's write lock, so reading, advancing and storing them cannot interleave with
/// another writer, and a rolled-back transaction gives its numbers back. A batch reads and
/// writes all its groups in a few statements, not two per group.
enum Counters {
    struct Row: Decodable {
        var group_key: String
        var last_number: Int
    }

    static func current(_ keys: [String], on sql: any SQLDatabase) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for chunk in keys.chunked(500) {
            let rows = try await sql.select().columns("group_key", "last_number").from("code_counters")
                .where("group_key", .in, Array(chunk)).all(decoding: Row.self)
            for r in rows { out[r.group_key] = r.last_number }
        }
        return out
    }

    static func store(_ values: [String: Int], on sql: any SQLDatabase) async throws {
        for chunk in values.sorted(by: { $0.key < $1.key }).chunked(500) {
            let ins = sql.insert(into: "code_counters").columns("group_key", "last_number")
            for (k, v) in chunk { ins.values(k, v) }
            try await ins.onConflict(with: ["group_key"]) { $0.set(excludedValueOf: "last_number") }.run()
        }
    }
}

/// What a create returns: the new record's id and 档号.
public struct CreatedRecord: Sendable, Equatable {
    public var id: UUID
    public var archivalCode: String
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension UUID {
    /// A version 7 UUID: milliseconds since 1970 first, then random bits. New records then land
    /// at the end of the primary-key index instead of at random places in it.
    static func timeOrdered(now: Date = Date()) -> UUID {
        var rng = SystemRandomNumberGenerator()
        var b = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let ms = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        for i in 0..<6 { b[i] = UInt8(truncatingIfNeeded: ms >> (8 * (5 - UInt64(i)))) }
        b[6] = (b[6] & 0x0F) | 0x70
        b[8] = (b[8] & 0x3F) | 0x80
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}
