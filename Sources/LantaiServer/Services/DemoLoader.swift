import ArchiveKit
import Fluent
import Foundation
import Vapor

/// Fills an empty node with the generated demo catalogue and a demo account per role.
public enum DemoLoader {
    public static func load(on db: any Database, config: LantaiConfiguration, itemCount: Int = 2000) async throws -> String {
        if try await ItemModel.query(on: db).count() > 0 {
            return "catalogue is not empty: demo data not loaded / 目录非空，未载入演示数据"
        }
        let demo = DemoCatalogue.generate(itemCount: itemCount)
        let loader = Principal(system: "demo", actor: Actor(role: .archivist, clearance: .topSecret))
        var fondsIds: [String: UUID] = [:]
        for f in demo.fonds {
            let input = FondsModel()
            input.code = f.code
            input.name = f.name
            input.agency = f.agency
            input.history = f.history
            input.startYear = f.startYear
            input.endYear = f.endYear
            try await AuditTrail.write(on: db, actor: "demo") { tx, audit in
                try await input.create(on: tx)
                audit.record("fonds.create", subject: f.code, ["name": f.name])
            }
            fondsIds[f.code] = input.id!
        }
        var idsByKey: [Int: UUID] = [:]
        func newRecord(_ r: DemoCatalogue.Record) -> NewRecord {
            let d = r.description
            let draft = RecordDraft(d)
            return NewRecord(fondsId: fondsIds[r.fonds]!, parentId: r.parentKey.flatMap { idsByKey[$0] }, draft: draft)
        }
        // Files and stand-alone items first, then the items inside files.
        for pass in [false, true] {
            let records = demo.records.filter { ($0.parentKey != nil) == pass }
            for chunk in records.chunked(1000) {
                let created = try await Catalogue.create(chunk.map(newRecord), actor: loader, on: db, batch: true)
                for (r, c) in zip(chunk, created) { idsByKey[r.key] = c.id }
            }
        }
        // One account per role, to try the node with.
        let password = ProcessInfo.processInfo.environment["LANTAI_DEMO_PASSWORD"].flatMap { $0.count >= 8 ? $0 : nil }
            ?? TokenHash.newPassword()
        let agencyFonds = demo.fonds.count > 1 ? demo.fonds[1].code : demo.fonds[0].code
        let accounts: [(String, Role, String?, Classification)] = [
            ("archivist", .archivist, nil, .secret), ("appraiser", .appraiser, nil, .secret), ("citizen", .citizen, nil, .none),
            ("official", .official, agencyFonds, .confidential), ("officer", .agencyOfficer, agencyFonds, .none),
            ("servicepoint", .servicePoint, nil, .none),
        ]
        var lines = ["demo catalogue loaded / 演示目录已载入: \(demo.fonds.count) fonds, \(demo.records.count) records",
                     "demo accounts (password \(password)) / 演示账户（密码 \(password)）:"]
        for (name, role, agency, clearance) in accounts
        where try await UserModel.query(on: db).filter(\.$username == name).first() == nil {
            try await Accounts.create(.init(username: name, displayName: role.chinese, role: role, agency: agency, clearance: clearance,
                                            password: password), by: "demo", cost: config.bcryptCost, on: db)
            lines.append("  \(name) — \(role.rawValue)\(agency.map { " @\($0)" } ?? "") clearance \(clearance.rawValue)")
        }
        return lines.joined(separator: "\n")
    }
}

extension DemoLoader {
    /// Gives the first open records a digitised copy preserved as an archival package, so that a
    /// request can be followed to a watermarked delivery on a fresh demo node.
    public static func addDigitisedCopies(_ app: Application, count: Int = 24) async throws -> String {
        let n = try await DemoObjects.preserve(upTo: count, config: app.lantai, on: app.db, threadPool: app.threadPool)
        return "demo digital objects preserved / 演示数字化副本已保存: \(n)"
    }
}

extension Principal {
    /// A principal for work the node does itself (demo loading, imports from the command line).
    init(system name: String, actor: Actor) {
        userId = UUID()
        username = name
        displayName = name
        self.actor = actor
        mustChangePassword = false
    }
}
