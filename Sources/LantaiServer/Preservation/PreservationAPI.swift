import ArchiveKit
import Fluent
import Foundation
import Vapor

/// /api/v1/preservation — fixity audits on demand and their outcomes, and the alerts they
/// raise. Archivists only: they answer for the holdings (the system administrator runs the
/// machine; `lantai fixity audit` is the operator's way in).
struct PreservationAPI: RouteCollection {
    let config: LantaiConfiguration

    func boot(routes: any RoutesBuilder) throws {
        let p = routes.grouped("preservation")
        p.post("audits", use: requestAudit)
        p.get("audits", use: listAudits)
        p.get("alerts", use: listAlerts)
    }

    static func requireArchivist(_ req: Request) throws -> Principal {
        let p = try req.requirePrincipal()
        guard p.actor.role == .archivist else {
            throw LantaiError.forbidden(zh: "无权进行保存管理：只有档案管理员可以发起和查看固定性检查",
                                        en: "not allowed: only archivists request and read fixity audits")
        }
        return p
    }

    struct AuditRequest: Decodable {
        var objectId: String?
        var throttle: Double?
        enum CodingKeys: String, CodingKey { case objectId, throttle }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(["objectId", "throttle"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            objectId = try c.decodeIfPresent(String.self, forKey: .objectId)
            throttle = try c.decodeIfPresent(Double.self, forKey: .throttle)
        }
    }

    struct Queued: Content {
        var jobId: UUID
        var status: String
        var alreadyQueued: Bool
        var objectId: String?
        var throttle: Double?
    }

    func requestAudit(req: Request) async throws -> Response {
        let p = try Self.requireArchivist(req)
        var input = AuditRequest?.none
        if let body = req.body.data, body.readableBytes > 0 { input = try req.content.decode(AuditRequest.self) }
        let scope = FixityAudits.Scope(objectId: input?.objectId?.trimmingCharacters(in: .whitespaces), throttle: input?.throttle)
        if let t = scope.throttle, !(t > 0 && t <= 100_000) {
            throw LantaiError.field("throttle", rule: "range", zh: "throttle 应为 0–100000 之间的 MiB/s", en: "throttle must be MiB/s between 0 and 100000")
        }
        if let id = scope.objectId {
            try await FixityAudits.requireKnownObject(id, config: config, threadPool: req.application.threadPool, on: req.db)
        }
        let queued = try await FixityAudits.enqueue(scope, by: p.username, on: req.db)
        req.application.jobWorker.nudge()
        return try await Queued(jobId: queued.jobID, status: "queued", alreadyQueued: queued.alreadyQueued,
                                objectId: scope.objectId, throttle: scope.throttle)
            .encodeResponse(status: .accepted, for: req)
    }

    struct AuditDTO: Content {
        var id: UUID
        var runId: UUID
        /// PREMIS eventType.
        var eventType = "fixity check"
        var objectId: String
        var location: String
        var startedAt: Date
        var finishedAt: Date
        var outcome: String
        var filesChecked: Int
        var bytesChecked: Int64
        var failures: [FixityFailure]
        var warnings: [String]
        var agent: String

        init(_ m: FixityAuditModel) {
            id = m.id!
            runId = m.runID
            objectId = m.objectID
            location = m.location
            startedAt = m.startedAt
            finishedAt = m.finishedAt
            outcome = m.outcome
            filesChecked = m.filesChecked
            bytesChecked = m.bytesChecked
            failures = (try? JSONDecoder().decode([FixityFailure].self, from: Data(m.failures.utf8))) ?? []
            warnings = (try? JSONDecoder().decode([String].self, from: Data(m.warnings.utf8))) ?? []
            agent = m.agent
        }
    }

    struct AuditPage: Content {
        var audits: [AuditDTO]
        var nextOffset: Int?
    }

    struct PageQuery: Decodable {
        var objectId: String?
        var outcome: String?
        var limit: String?
        var offset: String?
        var resolved: String?
    }

    static func page(_ q: PageQuery) throws -> (limit: Int, offset: Int) {
        var limit = 100, offset = 0
        if let raw = q.limit {
            guard let l = Int(raw), (1...500).contains(l) else {
                throw LantaiError.field("limit", rule: "query", zh: "limit 应为 1–500", en: "limit must be 1–500", status: .badRequest)
            }
            limit = l
        }
        if let raw = q.offset {
            guard let o = Int(raw), o >= 0 else {
                throw LantaiError.field("offset", rule: "query", zh: "offset 应为非负整数", en: "offset must be 0 or more", status: .badRequest)
            }
            offset = o
        }
        return (limit, offset)
    }

    /// Newest first.
    func listAudits(req: Request) async throws -> AuditPage {
        _ = try Self.requireArchivist(req)
        let q = try req.query.decode(PageQuery.self)
        let (limit, offset) = try Self.page(q)
        let query = FixityAuditModel.query(on: req.db)
        if let id = q.objectId { query.filter(\.$objectID == id) }
        if let outcome = q.outcome {
            guard FixityAuditModel.Outcome(rawValue: outcome) != nil else {
                throw LantaiError.field("outcome", rule: "query", zh: "outcome 应为 pass 或 fail", en: "outcome must be pass or fail",
                                        status: .badRequest)
            }
            query.filter(\.$outcome == outcome)
        }
        let rows = try await query.sort(\.$finishedAt, .descending).sort(\.$id, .descending)
            .range(offset..<(offset + limit + 1)).all()
        return AuditPage(audits: rows.prefix(limit).map(AuditDTO.init), nextOffset: rows.count > limit ? offset + limit : nil)
    }

    struct AlertDTO: Content {
        var id: UUID
        var createdAt: Date
        var kind: String
        var objectId: String
        var location: String
        var auditId: UUID?
        var message: String
        var messageZh: String
        var messageEn: String
        var resolvedAt: Date?
        var resolvedBy: String?

        init(_ m: PreservationAlertModel) {
            id = m.id!
            createdAt = m.createdAt
            kind = m.kind
            objectId = m.objectID
            location = m.location
            auditId = m.auditID
            message = "\(m.messageZh) / \(m.messageEn)"
            messageZh = m.messageZh
            messageEn = m.messageEn
            resolvedAt = m.resolvedAt
            resolvedBy = m.resolvedBy
        }
    }

    struct AlertPage: Content {
        var alerts: [AlertDTO]
        var nextOffset: Int?
    }

    /// Open alerts (or, with `resolved=true`, resolved ones), newest first.
    func listAlerts(req: Request) async throws -> AlertPage {
        _ = try Self.requireArchivist(req)
        let q = try req.query.decode(PageQuery.self)
        let (limit, offset) = try Self.page(q)
        let query = PreservationAlertModel.query(on: req.db)
        switch q.resolved {
        case nil, "false": query.filter(\.$resolvedAt == nil)
        case "true": query.filter(\.$resolvedAt != nil)
        default:
            throw LantaiError.field("resolved", rule: "query", zh: "resolved 应为 true 或 false", en: "resolved must be true or false",
                                    status: .badRequest)
        }
        if let id = q.objectId { query.filter(\.$objectID == id) }
        let rows = try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending)
            .range(offset..<(offset + limit + 1)).all()
        return AlertPage(alerts: rows.prefix(limit).map(AlertDTO.init), nextOffset: rows.count > limit ? offset + limit : nil)
    }
}
