import ArchiveKit
import Fluent
import Foundation

/// An account of a person using the node.
final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") var role: String
    /// Fonds number of the agency an agency officer or official acts for.
    @OptionalField(key: "agency") var agency: String?
    @Field(key: "clearance") var clearance: String
    /// Set for generated one-time passwords: the person must choose a new one first.
    @Field(key: "must_change_password") var mustChangePassword: Bool
    @Field(key: "disabled") var disabled: Bool

    init() {}

    var actor: Actor {
        Actor(role: Role(rawValue: role), clearance: Classification(rawValue: clearance) ?? .none, agency: agency)
    }
}

/// A revocable API token. Only a SHA-256 of the token is stored.
final class APITokenModel: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "user_id") var userId: UUID
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    /// The first characters, to tell tokens apart in lists.
    @Field(key: "prefix") var prefix: String
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}

/// A failed sign-in, kept for throttling.
final class LoginFailureModel: Model, @unchecked Sendable {
    static let schema = "login_failures"

    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "address") var address: String
    @Field(key: "at") var at: Date

    init() {}
}
