import ArchiveKit
import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// 利用申请: requests to use records, from submission to delivery. The workflow's rules are
/// ArchiveKit's (`AccessRequestWorkflow`); this service stores, audits and finds requests.
enum AccessRequests {
    struct Submission: Sendable {
        var channel: RequestChannel
        var purpose: RequestPurpose
        var requesterName: String
        var identityKind: IdentityDocumentKind
        var identityNumber: String
        var contact: String
        var itemIDs: [UUID]
        var sought: String
    }

    static func workflowError(_ e: RequestWorkflowError) -> LantaiError {
        switch e {
        case .notAllowed: LantaiError.forbidden(zh: e.zh, en: e.en)
        case .illegalTransition: LantaiError(.conflict, code: "wrong_state", zh: e.zh, en: e.en)
        case .reasonRequired, .reasonTooLong: LantaiError.field("reason", rule: e.code, zh: e.zh, en: e.en, status: .unprocessableEntity)
        }
    }

    static func submit(_ s: Submission, by principal: Principal?, config: LantaiConfiguration,
                       on db: any Database) async throws -> AccessRequestModel {
        let role = principal?.actor.role
        let name = s.requesterName.trimmed
        guard !name.isEmpty, name.count <= 100 else {
            throw LantaiError.field("requesterName", rule: "required", zh: "请填写申请人姓名（100 字以内）",
                                    en: "give the requester's name (at most 100 characters)", status: .unprocessableEntity)
        }
        let identity: IdentityDocument
        do {
            identity = try IdentityDocument(kind: s.identityKind, number: s.identityNumber,
                                            today: CalendarDate(Date(), utcOffsetSeconds: 8 * 3600))
        } catch {
            throw LantaiError.field("identityNumber", rule: error.code, zh: error.zh, en: error.en, status: .unprocessableEntity)
        }
        guard s.contact.trimmed.count <= 100 else {
            throw LantaiError.field("contact", rule: "length", zh: "联系方式过长（100 字以内）", en: "contact too long (at most 100 characters)",
                                    status: .unprocessableEntity)
        }
        guard !s.itemIDs.isEmpty || !s.sought.trimmed.isEmpty else {
            throw LantaiError.field("sought", rule: "required", zh: "请写明要查的档案（或从检索结果中选择条目）",
                                    en: "say what is sought (or choose records from the search results)", status: .unprocessableEntity)
        }
        guard s.sought.count <= 2000, s.itemIDs.count <= 50 else {
            throw LantaiError.field("sought", rule: "length", zh: "说明不超过 2000 字，条目不超过 50 条",
                                    en: "at most 2,000 characters of description and 50 records", status: .unprocessableEntity)
        }
        let actor = principal?.actor ?? .anonymous
        for id in s.itemIDs {
            // Only records the requester can see may be named: a request never confirms a hidden one.
            guard let item = try await ItemModel.find(id, on: db),
                  AccessPolicy.decide(.read, record: item.accessAttributes, actor: actor).isAllowed else {
                throw LantaiError.field("itemIds", rule: "exists", zh: "找不到条目 \(id)", en: "no record \(id)", status: .unprocessableEntity)
            }
        }
        let key = try IdentityKeyStore.load(dataDirectory: config.dataDirectory)
        let now = Date()
        let domain: AccessRequest
        do {
            domain = try AccessRequest(reference: RequestReference.generate(at: now), channel: s.channel, purpose: s.purpose,
                                       requesterName: name, identity: identity, hashKey: key,
                                       itemIDs: s.itemIDs.map(\.uuidString), soughtDescription: s.sought, submittedBy: role, at: now)
        } catch {
            throw workflowError(error)
        }
        let username = principal?.username ?? ""
        let contact = s.contact.trimmed
        return try await AuditTrail.write(on: db, actor: username.isEmpty ? "public" : username) { tx, audit in
            let m = AccessRequestModel()
            m.id = UUID.timeOrdered()
            m.reference = domain.reference.description
            m.channel = domain.channel.rawValue
            m.purpose = domain.purpose.rawValue
            m.requesterName = domain.requesterName
            m.identityKind = domain.identityKind.rawValue
            m.identityMasked = domain.identityMasked
            m.identityHash = domain.identityHash
            m.contact = contact
            m.itemIDs = domain.itemIDs.joined(separator: "\n")
            m.sought = domain.soughtDescription
            m.status = domain.status.rawValue
            m.registeredBy = username
            m.submittedAt = now
            try await m.create(on: tx)
            audit.record("request.submit", subject: m.reference,
                         ["channel": m.channel, "purpose": m.purpose, "identity": m.identityMasked, "items": String(s.itemIDs.count)])
            return m
        }
    }

    /// The request a reference names. A mistyped or invented reference fails its check character
    /// and is refused before any lookup; a well-formed one that does not exist is "not found".
    static func find(_ text: String, on db: any Database) async throws -> AccessRequestModel {
        let reference: RequestReference
        do {
            reference = try RequestReference(parsing: text)
        } catch {
            throw LantaiError(.notFound, code: "bad_reference", zh: "查询号无效：\(error.zh)", en: "not a valid reference: \(error.en)")
        }
        guard let m = try await AccessRequestModel.query(on: db).filter(\.$reference == reference.description).first() else {
            throw LantaiError.notFound("request \(reference)", zh: "申请 \(reference)")
        }
        return m
    }

    /// Whether the principal handles this request (sees its personal data and acts on it).
    static func handles(_ m: AccessRequestModel, _ principal: Principal?) -> Bool {
        guard let p = principal, let role = p.actor.role else { return false }
        if role == .archivist { return true }
        if role == .servicePoint { return m.registeredBy == p.username }
        return false
    }

    static func list(for principal: Principal, status: RequestStatus?, on db: any Database) async throws -> [AccessRequestModel] {
        let q = AccessRequestModel.query(on: db).sort(\.$submittedAt, .descending).limit(500)
        switch principal.actor.role {
        case .archivist?: break
        case .servicePoint?: q.filter(\.$registeredBy == principal.username)
        default:
            throw LantaiError.forbidden(zh: "只有档案管理员和服务点经办人可以查看申请列表",
                                        en: "only archivists and service-point operators list requests")
        }
        if let status { q.filter(\.$status == status.rawValue) }
        return try await q.all()
    }

    /// Takes one step (accept, approve, refuse, withdraw); delivery has its own function because
    /// it makes copies.
    static func apply(_ event: RequestEvent, to reference: String, by principal: Principal?,
                      on db: any Database) async throws -> AccessRequestModel {
        let found = try await find(reference, on: db)
        let id = found.id!
        let role = principal?.actor.role
        let actorName = principal?.username ?? "public"
        return try await AuditTrail.write(on: db, actor: actorName) { tx, audit in
            guard let m = try await AccessRequestModel.find(id, on: tx), let channel = RequestChannel(rawValue: m.channel) else {
                throw LantaiError.notFound("request \(reference)", zh: "申请 \(reference)")
            }
            let next: RequestStatus
            do {
                next = try AccessRequestWorkflow.apply(event, to: RequestStatus(rawValue: m.status), channel: channel, by: role)
            } catch let e as RequestWorkflowError {
                throw workflowError(e)
            }
            let now = Date()
            m.status = next.rawValue
            switch event {
            case .accept: m.acceptedAt = now
            case .approve: m.decidedAt = now
            case .refuse(let reason):
                m.decidedAt = now
                m.refusalReason = reason.trimmed
            case .deliver: m.deliveredAt = now
            case .withdraw: m.withdrawnAt = now
            case .submit: break
            }
            try await m.update(on: tx)
            var detail = ["status": next.rawValue]
            if case .refuse(let reason) = event { detail["reason"] = reason.trimmed }
            audit.record("request.\(event.kind.rawValue)", subject: m.reference, detail)
            return m
        }
    }
}

/// The node's secret for hashing identity numbers, in the data directory beside the node key
/// (readable by the owner only). Kept out of the database: with both, numbers could be guessed.
enum IdentityKeyStore {
    static func load(dataDirectory: String) throws -> IdentityHashKey {
        let dir = URL(fileURLWithPath: dataDirectory).appendingPathComponent("keys")
        let file = dir.appendingPathComponent("identity-hmac.key")
        if let raw = FileManager.default.contents(atPath: file.path), let key = IdentityHashKey(bytes: Array(raw)) {
            return key
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = IdentityHashKey.generate()
        let temp = dir.appendingPathComponent(".identity-hmac.key.\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temp.path, contents: Data(key.bytes), attributes: [.posixPermissions: 0o600]) else {
            throw LantaiError(.internalServerError, code: "internal", zh: "无法写入密钥", en: "cannot write the identity key")
        }
        defer { try? FileManager.default.removeItem(at: temp) }
        // link(2) fails if another process made the key meanwhile: then theirs is the key.
        if link(temp.path, file.path) != 0 { return try load(dataDirectory: dataDirectory) }
        return key
    }
}
