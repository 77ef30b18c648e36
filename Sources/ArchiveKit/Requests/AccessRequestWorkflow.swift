import Foundation

/// What someone does to a request. `refuse` carries the reason the requester will read.
public enum RequestEvent: Sendable, Equatable {
    case submit
    case accept
    case approve
    case refuse(reason: String)
    case deliver
    case withdraw

    public var kind: Kind {
        switch self {
        case .submit: .submit
        case .accept: .accept
        case .approve: .approve
        case .refuse: .refuse
        case .deliver: .deliver
        case .withdraw: .withdraw
        }
    }

    /// The event without its data: a stable code for the audit trail and the API.
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case submit, accept, approve, refuse, deliver, withdraw

        public var chinese: String {
            switch self {
            case .submit: "提交"
            case .accept: "受理"
            case .approve: "批准"
            case .refuse: "不予提供"
            case .deliver: "提供"
            case .withdraw: "撤回"
            }
        }
    }
}

/// Why a step was refused.
public enum RequestWorkflowError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The actor's role may not take this step on a request that came by this channel.
    case notAllowed(event: RequestEvent.Kind, role: Role?, channel: RequestChannel)
    /// The step does not follow from the current status (approving a withdrawn request).
    case illegalTransition(event: RequestEvent.Kind, from: RequestStatus?)
    /// A refusal without a reason.
    case reasonRequired
    /// A reason longer than `AccessRequestWorkflow.maxReasonLength`.
    case reasonTooLong(limit: Int)

    public var code: String {
        switch self {
        case .notAllowed: "forbidden"
        case .illegalTransition: "illegalTransition"
        case .reasonRequired: "reasonRequired"
        case .reasonTooLong: "reasonTooLong"
        }
    }

    public var zh: String {
        switch self {
        case .notAllowed(let e, let role, let channel):
            return "无权操作：\(role?.chinese ?? "未登录访客")不能对\(channel.chinese)申请执行「\(e.chinese)」"
        case .illegalTransition(let e, let from):
            guard let from else { return "申请尚未提交，不能「\(e.chinese)」" }
            return "申请当前为「\(from.chinese)」，不能「\(e.chinese)」"
        case .reasonRequired: return "不予提供时必须说明理由"
        case .reasonTooLong(let n): return "理由不能超过\(n)个字"
        }
    }

    public var en: String {
        switch self {
        case .notAllowed(let e, let role, let channel):
            return "not allowed: \(role?.rawValue ?? "an anonymous visitor") may not \(e.rawValue) a request made by \(channel.english)"
        case .illegalTransition(let e, let from):
            guard let from else { return "the request has not been submitted, so it cannot \(e.rawValue)" }
            return "a request that is \(from.english) cannot be \(e == .submit ? "submitted again" : "given the step '\(e.rawValue)'")"
        case .reasonRequired: return "a refusal needs a reason"
        case .reasonTooLong(let n): return "the reason may have at most \(n) characters"
        }
    }

    public var message: String { "\(zh) / \(en)" }
    public var description: String { "\(code): \(en)" }
}

/// The rules of the request workflow as one pure function: which step may follow which, and who
/// may take it. The server records the returned status (and the event, in the audit trail); it
/// also checks what this function cannot see — that a citizen withdrawing a request is the one
/// who made it.
public enum AccessRequestWorkflow {
    /// Long enough for a paragraph citing the rule that applies, short enough for a certificate.
    public static let maxReasonLength = 500

    /// The status after `event`, or why the event is refused.
    ///
    /// - Parameters:
    ///   - state: the current status; `nil` for a request not yet submitted.
    ///   - channel: how the request came in: it decides who registers and withdraws it.
    ///   - role: the actor's role; `nil` for an anonymous visitor.
    ///
    /// Who does what:
    /// - submit, withdraw: the channel's `registrars` (the requester online, the service-point
    ///   operator for their office, an archivist for on-site, telephone and letter requests);
    /// - accept, approve, refuse: an archivist (审核 is an archivist's job, 档案管理员);
    /// - deliver: an archivist, or the service-point operator for a request taken at a service
    ///   point, who hands over the copy or prints the certificate (跨馆出证).
    ///
    /// Permission is checked before the status, so an actor who may not act on requests learns
    /// nothing about the request's state.
    public static func apply(_ event: RequestEvent, to state: RequestStatus?, channel: RequestChannel,
                             by role: Role?) throws(RequestWorkflowError) -> RequestStatus {
        guard mayTake(event.kind, channel: channel, role: role) else {
            throw .notAllowed(event: event.kind, role: role, channel: channel)
        }
        if case .refuse(let reason) = event {
            let r = reason.trimmed
            guard !r.isEmpty else { throw .reasonRequired }
            guard r.count <= maxReasonLength else { throw .reasonTooLong(limit: maxReasonLength) }
        }
        guard let next = next(after: event.kind, from: state) else {
            throw .illegalTransition(event: event.kind, from: state)
        }
        return next
    }

    /// The same, for an `Actor` as the authorisation layer has it (only the role matters here).
    public static func apply(_ event: RequestEvent, to state: RequestStatus?, channel: RequestChannel,
                             by actor: Actor) throws(RequestWorkflowError) -> RequestStatus {
        try apply(event, to: state, channel: channel, by: actor.role)
    }

    /// Whether `role` may take steps of this kind on a request from `channel`, whatever its
    /// status: for showing or hiding buttons.
    public static func mayTake(_ kind: RequestEvent.Kind, channel: RequestChannel, role: Role?) -> Bool {
        switch kind {
        case .submit, .withdraw: channel.registrars.contains(role)
        case .accept, .approve, .refuse: role == .archivist
        case .deliver: role == .archivist || (role == .servicePoint && channel == .servicePoint)
        }
    }

    /// The transition table.
    public static func next(after kind: RequestEvent.Kind, from state: RequestStatus?) -> RequestStatus? {
        switch (kind, state) {
        case (.submit, nil): .submitted
        case (.accept, .submitted?): .accepted
        case (.approve, .accepted?): .approved
        // Refusing straight away is 不予受理 (out of scope, or not this archives' records).
        case (.refuse, .submitted?), (.refuse, .accepted?): .refused
        case (.deliver, .approved?): .delivered
        // Once a decision is made the requester can no longer take the request back.
        case (.withdraw, .submitted?), (.withdraw, .accepted?): .withdrawn
        default: nil
        }
    }

    /// The steps that may follow `state`, for the UI.
    public static func possibleEvents(from state: RequestStatus?) -> [RequestEvent.Kind] {
        RequestEvent.Kind.allCases.filter { next(after: $0, from: state) != nil }
    }
}
