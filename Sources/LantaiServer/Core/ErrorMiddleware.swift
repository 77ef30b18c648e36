import ArchiveKit
import FluentKit
import Vapor

/// Turns every error into a response in one place: JSON `{"error": {…}}` under /api, a plain
/// page elsewhere. Bad input is always a 4xx that says what to do; only our own faults are 500.
struct LantaiErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let e = Self.lantaiError(for: error, on: request)
            if e.status == .internalServerError {
                request.logger.report(error: error)
            } else {
                request.logger.debug("\(e.status.code) \(e.code): \(e.en)")
            }
            return Self.response(for: e, on: request)
        }
    }

    static func lantaiError(for error: any Error, on request: Request) -> LantaiError {
        switch error {
        case let e as LantaiError:
            return e
        case let f as ValidationFailure:
            return .validation(f)
        case let d as DecodingError:
            return decodingError(d)
        case let a as any AbortError:
            switch a.status {
            case .payloadTooLarge:
                return LantaiError(.payloadTooLarge, code: "too_large", zh: "请求体过大：请分批提交",
                                   en: "request body too large: send it in smaller batches")
            case .unsupportedMediaType:
                return LantaiError(.unsupportedMediaType, code: "unsupported_media_type",
                                   zh: "不支持的内容类型：请使用 Content-Type: application/json",
                                   en: "unsupported content type: send Content-Type: application/json")
            case .notFound:
                return LantaiError(.notFound, code: "not_found", zh: "找不到该地址", en: "no such route or resource")
            case .badRequest where a.reason.lowercased().contains("json") || a.reason.contains("decode"):
                return .badRequest(zh: "请求体不是有效的 JSON", en: "the body is not valid JSON: \(a.reason)")
            default:
                return LantaiError(a.status, code: a.status.code >= 500 ? "internal" : "http_\(a.status.code)",
                                   zh: a.status.code >= 500 ? "服务器内部错误" : "请求无效：\(a.reason)",
                                   en: a.reason)
            }
        default:
            let text = String(describing: error)
            if text.contains("UNIQUE constraint") || text.contains("23505") || text.lowercased().contains("duplicate key") {
                return LantaiError(.conflict, code: "conflict", zh: "与已有记录冲突（唯一性约束），请检查后重试",
                                   en: "conflicts with an existing record (uniqueness): check and retry")
            }
            return LantaiError(.internalServerError, code: "internal", zh: "服务器内部错误，已记录日志",
                               en: "internal error; it has been logged")
        }
    }

    static func decodingError(_ d: DecodingError) -> LantaiError {
        func path(_ p: [any CodingKey]) -> String {
            p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch d {
        case .typeMismatch(let type, let ctx):
            let f = path(ctx.codingPath)
            return .field(f, rule: "type", zh: "字段 \(f) 的类型错误，应为\(typeName(type, zh: true))",
                          en: "field \(f) has the wrong type: expected \(typeName(type, zh: false))", status: .badRequest)
        case .valueNotFound(let type, let ctx):
            let f = path(ctx.codingPath)
            return .field(f, rule: "type", zh: "字段 \(f) 不能为 null，应为\(typeName(type, zh: true))",
                          en: "field \(f) must not be null: expected \(typeName(type, zh: false))", status: .badRequest)
        case .keyNotFound(let key, let ctx):
            let f = path(ctx.codingPath + [key])
            return .field(f, rule: "required", zh: "缺少字段 \(f)", en: "field \(f) is missing", status: .badRequest)
        case .dataCorrupted(let ctx):
            if ctx.codingPath.isEmpty {
                return .badRequest(zh: "请求体不是有效的 JSON", en: "the body is not valid JSON")
            }
            let f = path(ctx.codingPath)
            return .field(f, rule: "format", zh: "字段 \(f) 的格式无效", en: "field \(f) is malformed: \(ctx.debugDescription)",
                          status: .badRequest)
        @unknown default:
            return .badRequest(zh: "请求体无效", en: "invalid request body")
        }
    }

    static func typeName(_ t: Any.Type, zh: Bool) -> String {
        let n = String(describing: t)
        switch n {
        case "Int", "Int64", "Int32": return zh ? "整数" : "an integer"
        case "String": return zh ? "字符串" : "a string"
        case "UUID": return zh ? "UUID 字符串" : "a UUID string"
        case "Bool": return zh ? "布尔值" : "a boolean"
        case _ where n.hasPrefix("Array"): return zh ? "数组" : "an array"
        case _ where n.hasPrefix("Dictionary"): return zh ? "对象" : "an object"
        default: return zh ? "正确的类型" : "a value of type \(n)"
        }
    }

    static func response(for e: LantaiError, on request: Request) -> Response {
        let isAPI = request.url.path.hasPrefix("/api") || request.headers.accept.first?.mediaType == .json
        let res: Response
        if isAPI {
            let body = ErrorBody(error: .init(code: e.code, message: e.message, messageZh: e.zh, messageEn: e.en,
                                              field: e.field,
                                              details: e.details.isEmpty ? nil : e.details.map {
                                                  .init(field: $0.field, rule: $0.rule, message: $0.message)
                                              }))
            res = Response(status: e.status)
            try? res.content.encode(body, as: .json)
        } else {
            res = Response(status: e.status, body: .init(string: ErrorPage.html(e, english: request.prefersEnglish)))
            res.headers.contentType = .html
        }
        if e.status == .unauthorized && isAPI {
            res.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer")
        }
        return res
    }
}

struct ErrorBody: Content {
    struct Detail: Content {
        var field: String
        var rule: String
        var message: String
    }
    struct Inner: Content {
        var code: String
        var message: String
        var messageZh: String
        var messageEn: String
        var field: String?
        var details: [Detail]?
    }
    var error: Inner
}

enum ErrorPage {
    static func html(_ e: LantaiError, english: Bool) -> String {
        let title = english ? "Error \(e.status.code)" : "出错了（\(e.status.code)）"
        let first = english ? e.en : e.zh
        let second = english ? e.zh : e.en
        return """
        <!doctype html><html lang="\(english ? "en" : "zh-CN")"><head><meta charset="utf-8"><title>\(title.htmlEscaped)</title>
        <link rel="stylesheet" href="/css/lantai.css"></head><body><main class="page">
        <h1>\(title.htmlEscaped)</h1><p>\(first.htmlEscaped)</p><p class="muted">\(second.htmlEscaped)</p>
        <p><a href="/">\(english ? "Home" : "返回首页")</a></p></main></body></html>
        """
    }
}

extension String {
    var htmlEscaped: String {
        var out = ""
        out.reserveCapacity(count)
        for c in unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
