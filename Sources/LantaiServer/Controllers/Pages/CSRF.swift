import Vapor

/// CSRF protection for pages: every session carries a random token; every form carries it in
/// `_csrf`; a POST without the matching token is refused and changes nothing.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"
    static let header = "X-CSRF-Token"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method == .POST {
            // A streamed upload form carries the token in its URL or header: its body is not read here.
            let sent = request.headers.first(name: Self.header) ?? request.query[String.self, at: Self.field]
                ?? (try? request.content.get(String.self, at: Self.field))
            guard let expected = request.session.data["csrf"], let sent, Self.constantTimeEqual(sent, expected) else {
                throw LantaiError(.forbidden, code: "csrf", zh: "表单已过期或来源不明：请刷新页面后重新提交",
                                  en: "the form expired or came from elsewhere: reload the page and submit again")
            }
        }
        return try await next.respond(to: request)
    }

    static func token(for request: Request) -> String {
        if let t = request.session.data["csrf"] { return t }
        let t = TokenHash.newToken()
        request.session.data["csrf"] = t
        return t
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Lets the pages' own scripts (the resumable upload) call the JSON API with the page session,
/// but only when the request carries the session's CSRF token in `X-CSRF-Token` — which another
/// site cannot read — so a cookie alone never authorises an API call. Nothing is written to the
/// session here.
struct PageSessionForAPI: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.principal == nil, let sent = request.headers.first(name: CSRFMiddleware.header),
              let cookie = request.cookies[request.application.sessions.configuration.cookieName] else {
            return try await next.respond(to: request)
        }
        let id = SessionID(string: cookie.string)
        if let data = try await request.application.sessions.driver.readSession(id, for: request).get(),
           let expected = data["csrf"], CSRFMiddleware.constantTimeEqual(sent, expected),
           let userID = Session(id: id, data: data).authenticated(Principal.self) {
            try await SessionPrincipalAuthenticator().authenticate(sessionID: userID, for: request)
        }
        return try await next.respond(to: request)
    }
}
