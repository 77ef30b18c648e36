import ArchiveKit
import Crypto
import Fluent
import Vapor

/// The signed-in person a request acts for.
public struct Principal: Authenticatable, Sendable {
    public var userId: UUID
    public var username: String
    public var displayName: String
    public var actor: Actor
    public var mustChangePassword: Bool

    init(_ user: UserModel) throws {
        userId = try user.requireID()
        username = user.username
        displayName = user.displayName
        actor = user.actor
        mustChangePassword = user.mustChangePassword
    }
}

extension Request {
    var principal: Principal? { auth.get(Principal.self) }

    /// The actor for access decisions: anonymous when nobody is signed in.
    var actor: Actor { principal?.actor ?? .anonymous }

    func requirePrincipal() throws -> Principal {
        guard let p = principal else { throw LantaiError.unauthenticated }
        if p.mustChangePassword {
            throw LantaiError.forbidden(zh: "请先修改一次性密码（POST /api/v1/auth/password 或登录页面）",
                                        en: "change your one-time password first (POST /api/v1/auth/password or the sign-in page)")
        }
        return p
    }

    func require(_ permission: Permission) throws -> Principal {
        let p = try requirePrincipal()
        guard p.actor.has(permission) else { throw LantaiError.forbidden(zh: permission.deniedZh, en: permission.deniedEn) }
        return p
    }

    var prefersEnglish: Bool {
        if let q = query[String.self, at: "lang"] { return q == "en" }
        return cookies["lang"]?.string == "en"
    }

    var clientAddress: String { remoteAddress?.ipAddress ?? "-" }
}

extension Permission {
    var deniedZh: String {
        switch self {
        case .describeCatalogue: "无权著录：只有档案管理员可以新建或修改档案"
        case .manageFonds: "无权管理全宗和门类：只有档案管理员可以"
        case .appraise: "无权鉴定：只有档案管理员或鉴定员可以"
        case .manageAccounts: "无权管理账户：只有系统管理员可以"
        case .grantRoles: "无权授予角色或涉密等级：只有安全保密管理员可以"
        case .readAuditTrail: "无权查看审计日志：只有安全审计员可以"
        case .submitTransfer: "无权移交：只有立档单位档案员或档案管理员可以提交移交包"
        case .reviewTransfer: "无权审核移交：只有档案管理员可以接收或退回"
        }
    }
    var deniedEn: String {
        switch self {
        case .describeCatalogue: "not allowed: only archivists may create or edit records"
        case .manageFonds: "not allowed: only archivists may manage fonds and categories"
        case .appraise: "not allowed: only archivists and appraisers may appraise"
        case .manageAccounts: "not allowed: only the system administrator manages accounts"
        case .grantRoles: "not allowed: only the security administrator grants roles and clearances"
        case .readAuditTrail: "not allowed: only the auditor reads the audit trail"
        case .submitTransfer: "not allowed: only agency officers and archivists submit transfers"
        case .reviewTransfer: "not allowed: only archivists accept or reject transfers"
        }
    }
}

/// `Authorization: Bearer …` → the token's account, unless the token is revoked or the account disabled.
struct BearerTokenAuthenticator: AsyncBearerAuthenticator {
    func authenticate(bearer: BearerAuthorization, for request: Request) async throws {
        guard let (user, _) = try await Accounts.user(forToken: bearer.token, on: request.db) else { return }
        request.auth.login(try Principal(user))
    }
}

/// The page session's account.
struct SessionPrincipalAuthenticator: AsyncSessionAuthenticator {
    typealias User = Principal
    func authenticate(sessionID: String, for request: Request) async throws {
        guard let id = UUID(uuidString: sessionID), let user = try await UserModel.find(id, on: request.db),
              !user.disabled else { return }
        request.auth.login(try Principal(user))
    }
}

extension Principal: SessionAuthenticatable {
    public var sessionID: String { userId.uuidString }
}

enum TokenHash {
    static func sha256(_ s: String) -> String {
        SHA256.hash(data: Array(s.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// 32 random bytes, URL-safe base64, with a recognisable prefix.
    static func newToken() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return "lt_" + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func newPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet.randomElement(using: &rng)! })
    }
}
