import Vapor

/// CSRF protection for pages: every session carries a random token; every form carries it in
/// `_csrf`; a POST without the matching token is refused and changes nothing.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method == .POST {
            let sent = try? request.content.get(String.self, at: Self.field)
            guard let expected = request.session.data["csrf"], let sent, constantTimeEqual(sent, expected) else {
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

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
