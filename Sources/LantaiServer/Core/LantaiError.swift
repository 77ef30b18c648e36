import ArchiveKit
import Vapor

/// Every error a caller can cause, with its HTTP status and a message in Chinese and English
/// that says what to do. Mapped to a response in one place (`LantaiErrorMiddleware`).
public struct LantaiError: Error, Sendable {
    public var status: HTTPResponseStatus
    /// A stable machine-readable code: `validation`, `not_found`, `forbidden` …
    public var code: String
    public var zh: String
    public var en: String
    public var field: String?
    /// Per-field problems, for validation errors.
    public var details: [FieldError]

    public init(_ status: HTTPResponseStatus, code: String, zh: String, en: String, field: String? = nil,
                details: [FieldError] = []) {
        self.status = status
        self.code = code
        self.zh = zh
        self.en = en
        self.field = field
        self.details = details
    }

    public var message: String { "\(zh) / \(en)" }

    public static func validation(_ failure: ValidationFailure, prefix: String = "") -> LantaiError {
        let errs = failure.errors.map { e -> FieldError in
            var e = e
            e.field = prefix + e.field
            return e
        }
        let first = errs.first
        return LantaiError(.unprocessableEntity, code: "validation",
                           zh: first.map { errs.count > 1 ? "\($0.zh)（共 \(errs.count) 处错误）" : $0.zh } ?? "数据无效",
                           en: first.map { errs.count > 1 ? "\($0.en) (\(errs.count) problems in all)" : $0.en } ?? "invalid data",
                           field: first?.field, details: errs)
    }

    public static func field(_ field: String, rule: String, zh: String, en: String,
                             status: HTTPResponseStatus = .unprocessableEntity) -> LantaiError {
        LantaiError(status, code: status == .conflict ? "conflict" : "validation", zh: zh, en: en, field: field,
                    details: [FieldError(field: field, rule: rule, zh: zh, en: en)])
    }

    public static let unauthenticated = LantaiError(
        .unauthorized, code: "unauthenticated", zh: "请先登录（在 Authorization 头中提供 Bearer 令牌）",
        en: "sign in first: send a bearer token in the Authorization header")

    public static func forbidden(zh: String, en: String) -> LantaiError {
        LantaiError(.forbidden, code: "forbidden", zh: zh, en: en)
    }

    public static func denied(_ decision: AccessDecision) -> LantaiError {
        if case .deny(let zh, let en) = decision { return .forbidden(zh: zh, en: en) }
        return .forbidden(zh: "无权操作", en: "not allowed")
    }

    public static func notFound(_ what: String, zh: String) -> LantaiError {
        LantaiError(.notFound, code: "not_found", zh: "找不到\(zh)", en: "\(what) not found")
    }

    public static func badRequest(zh: String, en: String, field: String? = nil) -> LantaiError {
        LantaiError(.badRequest, code: "bad_request", zh: zh, en: en, field: field)
    }
}

extension LantaiError: AbortError {
    public var reason: String { message }
}
