import ArchiveKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// Accounts, passwords, API tokens and sign-in. Functions take a `Database`, not a request, so
/// the CLI and the HTTP layer share them.
public enum Accounts {
    public struct NewAccount: Sendable {
        public var username: String
        public var displayName: String?
        public var role: Role
        public var agency: String?
        public var clearance: Classification
        public var password: String
        public var mustChangePassword: Bool

        public init(username: String, displayName: String? = nil, role: Role, agency: String? = nil,
                    clearance: Classification = .none, password: String, mustChangePassword: Bool = false) {
            self.username = username
            self.displayName = displayName
            self.role = role
            self.agency = agency
            self.clearance = clearance
            self.password = password
            self.mustChangePassword = mustChangePassword
        }
    }

    static func validateUsername(_ name: String) throws {
        let ok = (2...64).contains(name.count)
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        guard ok else {
            throw LantaiError.field("username", rule: "pattern", zh: "用户名应为 2–64 个字母、数字或 . _ -",
                                    en: "username must be 2–64 letters, digits or . _ -")
        }
    }

    static func validatePassword(_ p: String) throws {
        guard p.count >= 8, p.count <= 128 else {
            throw LantaiError.field("password", rule: "length", zh: "密码应为 8–128 个字符",
                                    en: "password must be 8–128 characters")
        }
    }

    static func validateBinding(role: Role, agency: String?, on db: any Database) async throws {
        if role.needsAgency {
            guard let agency, !agency.isEmpty else {
                throw LantaiError.field("agency", rule: "required", zh: "该角色必须绑定立档单位（全宗号）",
                                        en: "role \(role.rawValue) must be bound to an agency (its fonds number)")
            }
            guard try await FondsModel.query(on: db).filter(\.$code == agency).first() != nil else {
                throw LantaiError.field("agency", rule: "exists", zh: "全宗号 \(agency) 不存在，请先建立全宗",
                                        en: "no fonds \(agency): create the fonds first")
            }
        }
    }

    public static func hash(_ password: String, cost: Int) throws -> String {
        try Bcrypt.hash(password, cost: cost)
    }

    @discardableResult
    public static func create(_ a: NewAccount, by actor: String, cost: Int, on db: any Database) async throws -> UUID {
        try validateUsername(a.username)
        try validatePassword(a.password)
        try await validateBinding(role: a.role, agency: a.agency, on: db)
        if try await UserModel.query(on: db).filter(\.$username == a.username).first() != nil {
            throw LantaiError.field("username", rule: "unique", zh: "用户名 \(a.username) 已存在",
                                    en: "username \(a.username) is taken", status: .conflict)
        }
        let hashed = try hash(a.password, cost: cost)
        return try await AuditTrail.write(on: db, actor: actor) { tx, audit in
            let u = UserModel()
            u.username = a.username
            u.displayName = a.displayName ?? a.username
            u.passwordHash = hashed
            u.role = a.role.rawValue
            u.agency = a.role.needsAgency ? a.agency : nil
            u.clearance = a.clearance.rawValue
            u.mustChangePassword = a.mustChangePassword
            u.disabled = false
            try await u.create(on: tx)
            audit.record("user.create", subject: a.username,
                         ["role": a.role.rawValue, "agency": u.agency ?? "", "clearance": a.clearance.rawValue])
            return try u.requireID()
        }
    }

    static func find(_ username: String, on db: any Database) async throws -> UserModel {
        guard let u = try await UserModel.query(on: db).filter(\.$username == username).first() else {
            throw LantaiError.notFound("user \(username)", zh: "用户 \(username)")
        }
        return u
    }

    public static func setPassword(username: String, password: String, mustChange: Bool, by actor: String,
                                   cost: Int, on db: any Database) async throws {
        try validatePassword(password)
        let user = try await find(username, on: db)
        let hashed = try hash(password, cost: cost)
        try await AuditTrail.write(on: db, actor: actor) { tx, audit in
            user.passwordHash = hashed
            user.mustChangePassword = mustChange
            try await user.update(on: tx)
            audit.record("user.password", subject: username, ["reset": mustChange ? "true" : "false"])
        }
    }

    /// Grants a role, clearance and agency — the security administrator's act.
    public static func grant(username: String, role: Role?, clearance: Classification?, agency: String?,
                             by actor: String, on db: any Database) async throws {
        let user = try await find(username, on: db)
        let newRole = role ?? Role(rawValue: user.role) ?? .citizen
        let newAgency = agency ?? user.agency
        try await validateBinding(role: newRole, agency: newAgency, on: db)
        try await AuditTrail.write(on: db, actor: actor) { tx, audit in
            let before = ["role": user.role, "clearance": user.clearance, "agency": user.agency ?? ""]
            user.role = newRole.rawValue
            if let clearance { user.clearance = clearance.rawValue }
            user.agency = newRole.needsAgency ? newAgency : nil
            try await user.update(on: tx)
            audit.record("user.grant", subject: username,
                         ["role": user.role, "clearance": user.clearance, "agency": user.agency ?? "",
                          "before": "\(before["role"]!)/\(before["clearance"]!)/\(before["agency"]!)"])
        }
    }

    public static func setDisabled(username: String, disabled: Bool, by actor: String, on db: any Database) async throws {
        let user = try await find(username, on: db)
        try await AuditTrail.write(on: db, actor: actor) { tx, audit in
            user.disabled = disabled
            try await user.update(on: tx)
            audit.record(disabled ? "user.disable" : "user.enable", subject: username)
        }
    }

    // MARK: Tokens

    public struct IssuedToken: Sendable {
        public var id: UUID
        public var token: String
    }

    public static func createToken(username: String, name: String, by actor: String, on db: any Database) async throws -> IssuedToken {
        let user = try await find(username, on: db)
        let token = TokenHash.newToken()
        let userId = try user.requireID()
        let id = try await AuditTrail.write(on: db, actor: actor) { tx, audit in
            let t = APITokenModel()
            t.userId = userId
            t.name = String(name.prefix(100))
            t.tokenHash = TokenHash.sha256(token)
            t.prefix = String(token.prefix(10))
            try await t.create(on: tx)
            audit.record("token.create", subject: username, ["token": try t.requireID().uuidString, "name": t.name])
            return try t.requireID()
        }
        return IssuedToken(id: id, token: token)
    }

    /// Revokes by token id, or by the token itself.
    public static func revokeToken(_ idOrToken: String, by actor: String, on db: any Database) async throws -> UUID {
        let found: APITokenModel?
        if let id = UUID(uuidString: idOrToken) {
            found = try await APITokenModel.find(id, on: db)
        } else {
            found = try await APITokenModel.query(on: db).filter(\.$tokenHash == TokenHash.sha256(idOrToken)).first()
        }
        guard let t = found else { throw LantaiError.notFound("token", zh: "该令牌") }
        if t.revokedAt != nil { return try t.requireID() }
        try await AuditTrail.write(on: db, actor: actor) { tx, audit in
            t.revokedAt = Date()
            try await t.update(on: tx)
            audit.record("token.revoke", subject: try t.requireID().uuidString)
        }
        return try t.requireID()
    }

    static func user(forToken token: String, on db: any Database) async throws -> (UserModel, APITokenModel)? {
        guard token.count <= 200,
              let t = try await APITokenModel.query(on: db).filter(\.$tokenHash == TokenHash.sha256(token))
                .filter(\.$revokedAt == nil).first(),
              let u = try await UserModel.find(t.userId, on: db), !u.disabled else { return nil }
        return (u, t)
    }

    // MARK: Sign-in

    /// Checks a password with throttling: after too many failures for a name within the
    /// window, even the right password is refused until the window passes. Every success
    /// and failure is audited.
    static func signIn(username: String, password: String, address: String, config: LantaiConfiguration,
                              on db: any Database) async throws -> UserModel {
        let since = Date().addingTimeInterval(-Double(config.loginWindowSeconds))
        let failures = try await LoginFailureModel.query(on: db).filter(\.$username == username)
            .filter(\.$at > since).count()
        if failures >= config.loginMaxFailures {
            try await AuditTrail.record(on: db, actor: username.isEmpty ? "-" : String(username.prefix(64)),
                                        action: "auth.login.throttled", subject: String(username.prefix(64)),
                                        ["address": address])
            throw LantaiError(.tooManyRequests, code: "throttled",
                              zh: "登录失败次数过多，请 \(config.loginWindowSeconds / 60) 分钟后再试",
                              en: "too many failed sign-ins: try again in \(config.loginWindowSeconds / 60) minutes")
        }
        let user = try await UserModel.query(on: db).filter(\.$username == username).first()
        // Verify against a dummy hash when the name is unknown, so timing does not reveal names.
        let hash = user?.passwordHash ?? "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5Z6L9XxS8hQ8N6yHk3c3M0yPZ3r0Y0e"
        let ok = (try? Bcrypt.verify(password, created: hash)) ?? false
        guard ok, let user, !user.disabled else {
            try await AuditTrail.write(on: db, actor: "-") { tx, audit in
                let f = LoginFailureModel()
                f.username = String(username.prefix(64))
                f.address = address
                f.at = Date()
                try await f.create(on: tx)
                audit.record("auth.login.failed", subject: String(username.prefix(64)), ["address": address])
            }
            throw LantaiError(.unauthorized, code: "bad_credentials", zh: "用户名或密码错误",
                              en: "wrong username or password")
        }
        try await AuditTrail.write(on: db, actor: user.username) { tx, audit in
            try await LoginFailureModel.query(on: tx).filter(\.$username == username).delete()
            audit.record("auth.login", subject: user.username, ["address": address])
        }
        return user
    }

    /// On first start: one account per administrative role (三员), with the password from the
    /// environment or a random one-time password that is returned to be printed once.
    public static func bootstrapAdministrators(config: LantaiConfiguration, on db: any Database) async throws -> [(String, String, String)] {
        var printed: [(String, String, String)] = []
        for (role, username) in [(Role.systemAdmin, "sysadmin"), (.securityAdmin, "secadmin"), (.auditor, "auditor")] {
            if try await UserModel.query(on: db).filter(\.$role == role.rawValue).first() != nil { continue }
            let given = config.initialPasswords[role.rawValue]
            let password = given ?? TokenHash.newPassword()
            try await create(NewAccount(username: username, displayName: role.chinese, role: role, password: password,
                                        mustChangePassword: given == nil),
                             by: "system", cost: config.bcryptCost, on: db)
            if given == nil { printed.append((username, role.rawValue, password)) }
        }
        return printed
    }
}
