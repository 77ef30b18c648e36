import ArchiveKit
@testable import LantaiServer
import XCTest
import XCTVapor

/// The API answers exactly as the one authorisation function decides, for every role,
/// clearance and agency against every kind of record — in single reads, in lists and in writes.
final class AuthorizationTests: LantaiTestCase {
    func testAPIFollowsTheAccessMatrix() async throws {
        let own = try await makeFonds("J001")
        let other = try await makeFonds("J002", name: "其他单位")
        let loader = try await token("loader", role: .archivist, clearance: .topSecret)
        // One record of every status × classification in each fonds (open + classified is not allowed).
        var records: [(id: String, attrs: RecordAccessAttributes)] = []
        for f in [own, other] {
            for status in AccessStatus.allCases {
                for c in Classification.allCases where !(status == .open && c != .none) {
                    let r = try await call(.POST, "api/v1/items", token: loader,
                                           json: itemJSON(fonds: f, title: "\(f.code)-\(status.rawValue)-\(c.rawValue)",
                                                          classification: c.rawValue, accessStatus: status.rawValue))
                    XCTAssertEqual(r.status, .created, r.body)
                    records.append((r.object["id"] as! String, RecordAccessAttributes(accessStatus: status, classification: c, fonds: f.code)))
                }
            }
        }
        var callers: [(String?, Actor)] = [(nil, .anonymous)]
        var n = 0
        for role in Role.allCases {
            for clearance in Classification.allCases {
                n += 1
                let agency = role.needsAgency ? "J001" : nil
                callers.append((try await token("u\(n)", role: role, agency: agency, clearance: clearance),
                                Actor(role: role, clearance: clearance, agency: agency)))
            }
        }
        for (token, actor) in callers {
            let who = "\(actor.role?.rawValue ?? "anonymous")/\(actor.clearance.rawValue)"
            // Lists show exactly what may be read.
            let list = try await call(.GET, "api/v1/items?limit=500", token: token)
            let listed = Set((list.object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            let expected = Set(records.filter { AccessPolicy.decide(.read, record: $0.attrs, actor: actor).isAllowed }.map(\.id))
            XCTAssertEqual(listed, expected, "list for \(who)")
            // Single reads agree.
            for r in records {
                let got = try await call(.GET, "api/v1/items/\(r.id)", token: token)
                let allowed = AccessPolicy.decide(.read, record: r.attrs, actor: actor).isAllowed
                XCTAssertEqual(got.status, allowed ? .ok : (token == nil ? .unauthorized : .forbidden), "read \(r.attrs) as \(who)")
            }
            // Writes: a title edit needs .describe on the record.
            guard let token else { continue }
            for r in records.prefix(9) {
                let edit = try await call(.PATCH, "api/v1/items/\(r.id)", token: token, json: ["notes": "\(who) 编辑"])
                let canRead = AccessPolicy.decide(.read, record: r.attrs, actor: actor).isAllowed
                let canDescribe = AccessPolicy.decide(.describe, record: r.attrs, actor: actor).isAllowed
                XCTAssertEqual(edit.status == .ok, canRead && canDescribe, "edit \(r.attrs) as \(who): \(edit.status)")
            }
        }
    }

    func testAppraiserMayChangeAccessStatusButNotDescription() async throws {
        let fonds = try await makeFonds()
        let archivist = try await token("archivist", role: .archivist)
        let appraiser = try await token("appraiser", role: .appraiser)
        let r = try await call(.POST, "api/v1/items", token: archivist, json: itemJSON(fonds: fonds, accessStatus: "unreviewed"))
        let id = try XCTUnwrap(r.object["id"] as? String)
        let v1 = try await call(.PATCH, "api/v1/items/\(id)", token: appraiser, json: ["title": "改题名"]).status
        XCTAssertEqual(v1, .forbidden)
        let opened = try await call(.PATCH, "api/v1/items/\(id)", token: appraiser, json: ["accessStatus": "open"])
        XCTAssertEqual(opened.status, .ok, opened.body)
        XCTAssertEqual(opened.object["accessStatus"] as? String, "open")
    }

    func testSeparationOfDuties() async throws {
        let fonds = try await makeFonds()
        let sysadmin = try await token("sys", role: .systemAdmin)
        let secadmin = try await token("sec", role: .securityAdmin)
        let auditor = try await token("aud", role: .auditor)
        _ = try await token("someone", role: .citizen)

        // The system administrator opens accounts but cannot grant roles or read the audit trail.
        let opened = try await call(.POST, "api/v1/users", token: sysadmin, json: ["username": "newclerk", "password": "initial-pass-1"])
        XCTAssertEqual(opened.status, .created, opened.body)
        XCTAssertEqual(opened.object["role"] as? String, "citizen")
        let v2 = try await call(.POST, "api/v1/users/newclerk/grant", token: sysadmin, json: ["role": "archivist"]).status
        XCTAssertEqual(v2, .forbidden)
        let v3 = try await call(.GET, "api/v1/audit", token: sysadmin).status
        XCTAssertEqual(v3, .forbidden)
        let v4 = try await call(.POST, "api/v1/items", token: sysadmin, json: itemJSON(fonds: fonds)).status
        XCTAssertEqual(v4, .forbidden)

        // The security administrator grants roles and clearances but cannot touch the catalogue or the audit trail.
        let granted = try await call(.POST, "api/v1/users/someone/grant", token: secadmin,
                                     json: ["role": "official", "agency": "J001", "clearance": "secret"])
        XCTAssertEqual(granted.status, .ok, granted.body)
        XCTAssertEqual(granted.object["role"] as? String, "official")
        XCTAssertEqual(granted.object["clearance"] as? String, "secret")
        let v5 = try await call(.POST, "api/v1/users/someone/grant", token: secadmin, json: ["role": "official", "agency": "J999"]).status
        XCTAssertEqual(v5,
                       .unprocessableEntity)
        let v6 = try await call(.POST, "api/v1/users/sec/grant", token: secadmin, json: ["role": "auditor"]).status
        XCTAssertEqual(v6, .forbidden,
                       "no one grants roles to themselves")
        let v7 = try await call(.POST, "api/v1/items", token: secadmin, json: itemJSON(fonds: fonds)).status
        XCTAssertEqual(v7, .forbidden)
        let v8 = try await call(.POST, "api/v1/users", token: secadmin, json: ["username": "x1", "password": "initial-pass-1"]).status
        XCTAssertEqual(v8, .forbidden)
        let v9 = try await call(.GET, "api/v1/audit", token: secadmin).status
        XCTAssertEqual(v9, .forbidden)

        // The auditor reads the audit trail and nothing else.
        let trail = try await call(.GET, "api/v1/audit?limit=1000", token: auditor)
        XCTAssertEqual(trail.status, .ok)
        let actions = (trail.object["entries"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        XCTAssertTrue(actions.contains("user.grant"), "permission changes are audited: \(actions)")
        let v10 = try await call(.GET, "api/v1/audit/verify", token: auditor).object["intact"] as? Bool
        XCTAssertEqual(v10, true)
        let v11 = try await call(.GET, "api/v1/users", token: auditor).status
        XCTAssertEqual(v11, .forbidden)
        let v12 = try await call(.POST, "api/v1/items", token: auditor, json: itemJSON(fonds: fonds)).status
        XCTAssertEqual(v12, .forbidden)
        let v13 = try await call(.POST, "api/v1/users/someone/grant", token: auditor, json: ["role": "archivist"]).status
        XCTAssertEqual(v13, .forbidden)
    }

    func testTokensSignInThrottlingAndOneTimePasswords() async throws {
        try await Accounts.create(.init(username: "clerk", role: .archivist, password: "right-password"), by: "test", cost: 4, on: app.db)
        let ok = try await call(.POST, "api/v1/auth/token", json: ["username": "clerk", "password": "right-password"])
        XCTAssertEqual(ok.status, .ok, ok.body)
        let token = try XCTUnwrap(ok.object["token"] as? String)
        let v14 = try await call(.GET, "api/v1/me", token: token).object["username"] as? String
        XCTAssertEqual(v14, "clerk")
        let v15 = try await call(.DELETE, "api/v1/auth/token", token: token).status
        XCTAssertEqual(v15, .noContent)
        let v16 = try await call(.GET, "api/v1/me", token: token).status
        XCTAssertEqual(v16, .unauthorized, "a revoked token stops working")

        for _ in 0..<config.loginMaxFailures {
            let v17 = try await call(.POST, "api/v1/auth/token", json: ["username": "clerk", "password": "wrong"]).status
            XCTAssertEqual(v17, .unauthorized)
        }
        let throttled = try await call(.POST, "api/v1/auth/token", json: ["username": "clerk", "password": "right-password"])
        XCTAssertEqual(throttled.status, .tooManyRequests, "after too many failures even the right password waits")
        let failures = try await AuditTrail.entries(on: app.db, after: 0, limit: 1000).filter { $0.action == "auth.login.failed" }
        XCTAssertEqual(failures.count, config.loginMaxFailures)

        try await Accounts.create(.init(username: "fresh", role: .citizen, password: "one-time-pass", mustChangePassword: true),
                                  by: "test", cost: 4, on: app.db)
        let v18 = try await call(.POST, "api/v1/auth/token", json: ["username": "fresh", "password": "one-time-pass"]).status
        XCTAssertEqual(v18, .forbidden)
        let v19 = try await call(.POST, "api/v1/auth/password",
                                 json: ["username": "fresh", "password": "one-time-pass", "newPassword": "my-own-pass"]).status
        XCTAssertEqual(v19, .noContent)
        let v20 = try await call(.POST, "api/v1/auth/token", json: ["username": "fresh", "password": "my-own-pass"]).status
        XCTAssertEqual(v20, .ok)
    }
}
