import ArchiveKit
import Fluent
import Vapor

/// Sign-in, tokens, accounts (三员分立) and the audit trail.
struct AccountsAPI: RouteCollection {
    let config: LantaiConfiguration

    func boot(routes: any RoutesBuilder) throws {
        routes.post("auth", "token", use: issueToken)
        routes.delete("auth", "token", use: revokeOwnToken)
        routes.post("auth", "password", use: changePassword)
        routes.get("me", use: me)
        routes.get("users", use: listUsers)
        routes.post("users", use: createUser)
        routes.post("users", ":username", "password", use: resetPassword)
        routes.post("users", ":username", "grant", use: grant)
        routes.post("users", ":username", "disable", use: disable)
        routes.get("audit", use: auditEntries)
        routes.get("audit", "verify", use: auditVerify)
    }

    struct Credentials: Decodable {
        var username: String
        var password: String
        var name: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case username, password, name }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            username = try c.decode(String.self, forKey: .username)
            password = try c.decode(String.self, forKey: .password)
            name = try c.decodeIfPresent(String.self, forKey: .name)
        }
    }

    struct TokenResponse: Content {
        var token: String
        var tokenId: UUID
        var username: String
        var role: String
    }

    func issueToken(req: Request) async throws -> TokenResponse {
        let c = try req.content.decode(Credentials.self)
        let user = try await Accounts.signIn(username: c.username, password: c.password, address: req.clientAddress,
                                             config: config, on: req.db)
        if user.mustChangePassword {
            throw LantaiError.forbidden(zh: "这是一次性密码：请先通过 POST /api/v1/auth/password 设置新密码",
                                        en: "this is a one-time password: set a new one with POST /api/v1/auth/password first")
        }
        let t = try await Accounts.createToken(username: user.username, name: c.name ?? "api", by: user.username, on: req.db)
        return TokenResponse(token: t.token, tokenId: t.id, username: user.username, role: user.role)
    }

    func revokeOwnToken(req: Request) async throws -> HTTPStatus {
        let p = try req.requirePrincipal()
        guard let bearer = req.headers.bearerAuthorization else { throw LantaiError.unauthenticated }
        _ = try await Accounts.revokeToken(bearer.token, by: p.username, on: req.db)
        return .noContent
    }

    struct PasswordChange: Decodable {
        var username: String
        var password: String
        var newPassword: String
        enum CodingKeys: String, CodingKey, CaseIterable { case username, password, newPassword }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            username = try c.decode(String.self, forKey: .username)
            password = try c.decode(String.self, forKey: .password)
            newPassword = try c.decode(String.self, forKey: .newPassword)
        }
    }

    func changePassword(req: Request) async throws -> HTTPStatus {
        let c = try req.content.decode(PasswordChange.self)
        try Accounts.validatePassword(c.newPassword)
        if c.newPassword == c.password {
            throw LantaiError.field("newPassword", rule: "different", zh: "新密码不能与旧密码相同", en: "the new password must differ from the old one")
        }
        let user = try await Accounts.signIn(username: c.username, password: c.password, address: req.clientAddress,
                                             config: config, on: req.db)
        try await Accounts.setPassword(username: user.username, password: c.newPassword, mustChange: false,
                                       by: user.username, cost: config.bcryptCost, on: req.db)
        return .noContent
    }

    struct UserDTO: Content {
        var id: UUID
        var username: String
        var displayName: String
        var role: String
        var agency: String?
        var clearance: String
        var disabled: Bool
        var mustChangePassword: Bool
        init(_ u: UserModel) {
            id = u.id!
            username = u.username
            displayName = u.displayName
            role = u.role
            agency = u.agency
            clearance = u.clearance
            disabled = u.disabled
            mustChangePassword = u.mustChangePassword
        }
    }

    func me(req: Request) async throws -> UserDTO {
        guard let p = req.principal, let u = try await UserModel.find(p.userId, on: req.db) else { throw LantaiError.unauthenticated }
        return UserDTO(u)
    }

    func listUsers(req: Request) async throws -> [UserDTO] {
        let p = try req.requirePrincipal()
        guard p.actor.has(.manageAccounts) || p.actor.has(.grantRoles) else {
            throw LantaiError.forbidden(zh: Permission.manageAccounts.deniedZh, en: Permission.manageAccounts.deniedEn)
        }
        return try await UserModel.query(on: req.db).sort(\.$username).all().map(UserDTO.init)
    }

    struct NewUserInput: Decodable {
        var username: String
        var displayName: String?
        var password: String
        enum CodingKeys: String, CodingKey, CaseIterable { case username, displayName, password }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            username = try c.decode(String.self, forKey: .username)
            displayName = try c.decodeIfPresent(String.self, forKey: .displayName)
            password = try c.decode(String.self, forKey: .password)
        }
    }

    /// The system administrator opens accounts as citizens; only the security administrator
    /// can then grant a role.
    func createUser(req: Request) async throws -> Response {
        let p = try req.require(.manageAccounts)
        let input = try req.content.decode(NewUserInput.self)
        let id = try await Accounts.create(.init(username: input.username, displayName: input.displayName, role: .citizen,
                                                 password: input.password, mustChangePassword: true),
                                           by: p.username, cost: config.bcryptCost, on: req.db)
        guard let u = try await UserModel.find(id, on: req.db) else { throw LantaiError.notFound("user", zh: "用户") }
        return try await UserDTO(u).encodeResponse(status: .created, for: req)
    }

    struct PasswordReset: Decodable {
        var password: String
        enum CodingKeys: String, CodingKey, CaseIterable { case password }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(["password"])
            password = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .password)
        }
    }

    func resetPassword(req: Request) async throws -> HTTPStatus {
        let p = try req.require(.manageAccounts)
        let input = try req.content.decode(PasswordReset.self)
        try await Accounts.setPassword(username: req.parameters.get("username") ?? "", password: input.password, mustChange: true,
                                       by: p.username, cost: config.bcryptCost, on: req.db)
        return .noContent
    }

    struct GrantInput: Decodable {
        var role: String?
        var clearance: String?
        var agency: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case role, clearance, agency }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            role = try c.decodeIfPresent(String.self, forKey: .role)
            clearance = try c.decodeIfPresent(String.self, forKey: .clearance)
            agency = try c.decodeIfPresent(String.self, forKey: .agency)
        }
    }

    func grant(req: Request) async throws -> UserDTO {
        let p = try req.require(.grantRoles)
        let input = try req.content.decode(GrantInput.self)
        let username = req.parameters.get("username") ?? ""
        var role: Role?
        if let r = input.role {
            guard let parsed = Role(rawValue: r) else {
                throw LantaiError.field("role", rule: "vocabulary", zh: "角色无效，应为 \(Role.allCases.map(\.rawValue).joined(separator: ", "))",
                                        en: "role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            role = parsed
        }
        var clearance: Classification?
        if let c = input.clearance {
            guard let parsed = Classification(parsing: c) else {
                throw LantaiError.field("clearance", rule: "vocabulary", zh: "涉密等级无效，应为 none、confidential、secret 或 top-secret",
                                        en: "clearance must be none, confidential, secret or top-secret")
            }
            clearance = parsed
        }
        if username == p.username {
            throw LantaiError.forbidden(zh: "不能给自己授权", en: "you cannot grant roles to yourself")
        }
        try await Accounts.grant(username: username, role: role, clearance: clearance, agency: input.agency, by: p.username, on: req.db)
        return UserDTO(try await Accounts.find(username, on: req.db))
    }

    func disable(req: Request) async throws -> HTTPStatus {
        let p = try req.require(.manageAccounts)
        try await Accounts.setDisabled(username: req.parameters.get("username") ?? "", disabled: true, by: p.username, on: req.db)
        return .noContent
    }

    struct AuditDTO: Content {
        var seq: Int64
        var at: Date
        var actor: String
        var action: String
        var subject: String
        var detail: String
        var hash: String
    }

    struct AuditPage: Content {
        var entries: [AuditDTO]
        var nextAfter: Int64?
    }

    func auditEntries(req: Request) async throws -> AuditPage {
        _ = try req.require(.readAuditTrail)
        let after = try req.query.get(Int64?.self, at: "after") ?? 0
        let limit = min(max(try req.query.get(Int?.self, at: "limit") ?? 100, 1), 1000)
        let entries = try await AuditTrail.entries(on: req.db, after: after, limit: limit)
        return AuditPage(entries: entries.map {
            AuditDTO(seq: $0.seq, at: Date(timeIntervalSince1970: Double($0.at) / 1000), actor: $0.actor, action: $0.action,
                     subject: $0.subject, detail: $0.detail, hash: $0.hash)
        }, nextAfter: entries.count == limit ? entries.last?.seq : nil)
    }

    struct VerifyDTO: Content {
        var intact: Bool
        var entries: Int64?
        var brokenAt: Int64?
        var reason: String?
    }

    func auditVerify(req: Request) async throws -> VerifyDTO {
        _ = try req.require(.readAuditTrail)
        switch try await AuditTrail.verify(on: req.db) {
        case .intact(let n): return VerifyDTO(intact: true, entries: n)
        case .broken(let seq, let reason): return VerifyDTO(intact: false, brokenAt: seq, reason: reason)
        }
    }
}
