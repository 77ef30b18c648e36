import Fluent
import Foundation
import Packaging
import SQLKit
import Vapor

/// A record's (or object's) copies, and replication runs:
///
///     GET  /api/v1/items/{id}/copies                 the record's package at every location
///     GET  /api/v1/preservation/copies?object=ID     the same for any object (description objects too)
///     GET  /api/v1/preservation/replication          recent storage runs with their progress
///     POST /api/v1/preservation/replication          queue a replication ({"location"?})
///
/// Archivists only, like the rest of /preservation: they answer for the holdings.
struct StorageAPI: RouteCollection {
    let config: LantaiConfiguration

    func boot(routes: any RoutesBuilder) throws {
        routes.get("items", ":id", "copies", use: itemCopies)
        let p = routes.grouped("preservation")
        p.get("copies", use: objectCopies)
        p.get("replication", use: listRuns)
        p.post("replication", use: requestReplication)
    }

    struct AuditRef: Content {
        var outcome: String
        var at: Date
        var runId: UUID
    }

    struct CopyDTO: Content {
        var location: String
        var kind: String
        var offsite: Bool
        /// Whether the location is in the node's configuration now (false: history of a removed one).
        var configured: Bool
        var version: Int?
        /// current, behind, damaged, diverged, unreachable, or unknown (never looked at).
        var status: String
        var checkedAt: Date?
        var copiedAt: Date?
        /// When every file of this copy was last read back and matched (repair or fixity audit).
        var verifiedAt: Date?
        var lastAudit: AuditRef?
        var detail: String?
    }

    struct PolicyDTO: Content {
        var minCopies: Int
        var offsiteRequired: Bool
        var currentCopies: Int
        var offsiteCopies: Int
        var met: Bool
        var problems: [String]
    }

    struct CopiesDTO: Content {
        var objectId: String
        var itemId: UUID?
        var fonds: String?
        var policy: PolicyDTO
        var copies: [CopyDTO]
    }

    func itemCopies(req: Request) async throws -> CopiesDTO {
        _ = try PreservationAPI.requireArchivist(req)
        guard let id = req.parameters.get("id", as: UUID.self), let item = try await ItemModel.find(id, on: req.db) else {
            throw LantaiError.notFound("record", zh: "该档案")
        }
        guard let objectID = item.objectID else {
            throw LantaiError(.notFound, code: "not_preserved", zh: "\(item.archivalCode) 尚无归档信息包，因而没有副本",
                              en: "\(item.archivalCode) has no archival package yet, so it has no copies")
        }
        return try await copies(of: objectID, itemID: id, fonds: item.fondsCode, req: req)
    }

    func objectCopies(req: Request) async throws -> CopiesDTO {
        _ = try PreservationAPI.requireArchivist(req)
        guard let objectID = try? req.query.get(String.self, at: "object"), !objectID.isEmpty else {
            throw LantaiError.field("object", rule: "required", zh: "请用 object 参数指明 OCFL 对象标识", en: "name the OCFL object id in the object parameter",
                                    status: .badRequest)
        }
        let item = try await ItemModel.query(on: req.db).filter(\.$objectID == objectID).first()
        var fonds = item?.fondsCode
        if fonds == nil, let range = objectID.range(of: "/fonds/") { fonds = String(objectID[range.upperBound...]) }
        return try await copies(of: objectID, itemID: item?.id, fonds: fonds, req: req)
    }

    func copies(of objectID: String, itemID: UUID?, fonds: String?, req: Request) async throws -> CopiesDTO {
        let rows = try await StorageCopyModel.query(on: req.db).filter(\.$objectID == objectID).all()
        let audits = try await FixityAuditModel.query(on: req.db).filter(\.$objectID == objectID).sort(\.$finishedAt, .descending).all()
        let config = req.application.lantai
        let primary = NodeStorage.primarySpec(config)
        let configured = [primary] + NodeStorage.replicas(config).map(\.spec)
        var locations = configured.map { ($0.name, $0.kind.rawValue, $0.offsite, true) }
        for row in rows where !locations.contains(where: { $0.0 == row.location }) { locations.append((row.location, "unknown", false, false)) }

        // The primary is asked directly when nothing was recorded for it yet (no replica configured).
        var primaryHead: Int?
        var primaryStatus = "unknown"
        if !rows.contains(where: { $0.location == primary.name }) {
            let location = NodeStorage.primary(config)
            do {
                let head: Int? = try await req.application.threadPool.runIfActive {
                    guard let root = try location.existingRoot() else { return nil }
                    return try? root.object(objectID).inventory().headNumber
                }
                primaryHead = head
                primaryStatus = head == nil ? "behind" : "current"
            } catch {
                primaryStatus = "unreachable"
            }
        }

        var copies: [CopyDTO] = []
        for (name, kind, offsite, isConfigured) in locations {
            let row = rows.first { $0.location == name }
            let audit = audits.first { $0.location == name }
            var verified = row?.verifiedAt
            if let audit, audit.outcome == FixityAuditModel.Outcome.pass.rawValue, verified.map({ $0 < audit.finishedAt }) ?? true {
                verified = audit.finishedAt
            }
            copies.append(CopyDTO(location: name, kind: kind, offsite: offsite, configured: isConfigured,
                                  version: row?.head ?? (name == primary.name ? primaryHead : nil),
                                  status: row?.status ?? (name == primary.name ? primaryStatus : "unknown"),
                                  checkedAt: row?.checkedAt, copiedAt: row?.copiedAt, verifiedAt: verified,
                                  lastAudit: audit.map { AuditRef(outcome: $0.outcome, at: $0.finishedAt, runId: $0.runID) },
                                  detail: row?.detail.isEmpty == false ? row?.detail : nil))
        }
        return CopiesDTO(objectId: objectID, itemId: itemID, fonds: fonds,
                         policy: Self.policy(copies, settings: config.storage, fonds: fonds), copies: copies)
    }

    /// The replication policy applied to what the copies show: enough current copies of the
    /// newest version among the configured locations, and one of them off-site.
    static func policy(_ copies: [CopyDTO], settings: StorageSettings, fonds: String?) -> PolicyDTO {
        let newest = copies.compactMap(\.version).max()
        let good = copies.filter { $0.configured && $0.status == "current" && $0.version != nil && $0.version == newest }
        let minimum = settings.minCopies(fonds: fonds)
        let offsite = good.filter(\.offsite).count
        var problems: [String] = []
        if good.count < minimum {
            problems.append("\(good.count) 份当前副本，策略要求至少 \(minimum) 份 / \(good.count) current copies, the policy asks for at least \(minimum)")
        }
        if settings.requireOffsite && offsite == 0 {
            problems.append(settings.locations.contains(where: \.offsite)
                ? "没有当前的异地副本 / no current off-site copy"
                : "没有标为异地的存储位置（LANTAI_OFFSITE）/ no storage location is marked off-site (LANTAI_OFFSITE)")
        }
        return PolicyDTO(minCopies: minimum, offsiteRequired: settings.requireOffsite, currentCopies: good.count,
                         offsiteCopies: offsite, met: problems.isEmpty, problems: problems)
    }

    // MARK: - Runs

    struct RunDTO: Content {
        var id: UUID
        var kind: String
        var status: String
        var locations: [String]
        var objectsDone: Int
        var objectsTotal: Int
        var bytesDone: Int64
        var bytesTotal: Int64
        var filesCopied: Int
        var failures: Int
        var startedAt: Date
        var updatedAt: Date
        var finishedAt: Date?
        var message: String
        var agent: String

        init(_ m: StorageRunModel) {
            id = m.id!
            kind = m.kind
            status = m.status
            locations = m.locations.split(separator: ",").map(String.init)
            objectsDone = m.objectsDone
            objectsTotal = m.objectsTotal
            bytesDone = m.bytesDone
            bytesTotal = m.bytesTotal
            filesCopied = m.filesCopied
            failures = m.failures
            startedAt = m.startedAt
            updatedAt = m.updatedAt
            finishedAt = m.finishedAt
            message = m.message
            agent = m.agent
        }
    }

    struct RunPage: Content {
        var runs: [RunDTO]
        var nextOffset: Int?
    }

    func listRuns(req: Request) async throws -> RunPage {
        _ = try PreservationAPI.requireArchivist(req)
        let q = try req.query.decode(PreservationAPI.PageQuery.self)
        let (limit, offset) = try PreservationAPI.page(q)
        let rows = try await StorageRunModel.query(on: req.db).sort(\.$startedAt, .descending).sort(\.$id, .descending)
            .range(offset..<(offset + limit + 1)).all()
        return RunPage(runs: rows.prefix(limit).map(RunDTO.init), nextOffset: rows.count > limit ? offset + limit : nil)
    }

    struct ReplicationRequest: Decodable {
        var location: String?
        enum CodingKeys: String, CodingKey { case location }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(["location"])
            location = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .location)
        }
    }

    struct Queued: Content {
        var jobId: UUID
        var status: String
        var alreadyQueued: Bool
        var location: String?
    }

    func requestReplication(req: Request) async throws -> Response {
        let p = try PreservationAPI.requireArchivist(req)
        var input = ReplicationRequest?.none
        if let body = req.body.data, body.readableBytes > 0 { input = try req.content.decode(ReplicationRequest.self) }
        let replicas = NodeStorage.replicas(req.application.lantai).map(\.name)
        guard !replicas.isEmpty else {
            throw LantaiError(.conflict, code: "no_replicas", zh: "本节点未配置副本位置（LANTAI_REPLICA_URLS）",
                              en: "this node has no replica locations (LANTAI_REPLICA_URLS)")
        }
        if let location = input?.location, !replicas.contains(location) {
            throw LantaiError.field("location", rule: "known", zh: "没有名为 \(location) 的副本位置（已配置：\(replicas.joined(separator: ", "))）",
                                    en: "there is no replica location named \(location) (configured: \(replicas.joined(separator: ", ")))")
        }
        let scope = Replication.Scope(location: input?.location)
        let queued = try await AuditTrail.write(on: req.db, actor: p.username) { tx, audit in
            let queued = try await ReplicationJob.enqueue(scope, on: tx)
            if !queued.alreadyQueued { audit.record("storage.replicate-request", subject: scope.location ?? "all replicas", ["job": queued.jobID.uuidString]) }
            return queued
        }
        req.application.jobWorker.nudge()
        return try await Queued(jobId: queued.jobID, status: "queued", alreadyQueued: queued.alreadyQueued, location: scope.location)
            .encodeResponse(status: .accepted, for: req)
    }
}
