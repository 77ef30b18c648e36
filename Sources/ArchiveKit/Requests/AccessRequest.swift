import Foundation

/// 利用申请 — a request to use records, as the domain sees it: who asked (masked), how, why,
/// for what, and where it stands. The server maps it to and from its database model; every
/// change goes through `apply`, so the workflow rules hold whatever the caller.
public struct AccessRequest: Sendable, Equatable {
    public let reference: RequestReference
    public let channel: RequestChannel
    public var purpose: RequestPurpose
    /// 申请人姓名
    public var requesterName: String
    public let identityKind: IdentityDocumentKind
    /// e.g. `110105********002X`: what staff and receipts show.
    public let identityMasked: String
    /// HMAC-SHA256 of the normalised number (`IdentityDocument.keyedHash`): what lookups match.
    public let identityHash: String
    /// Items asked for by id, when the requester found them in the catalogue.
    public var itemIDs: [String]
    /// What is sought, in the requester's words, when they could not name items
    /// (e.g. "1987年在红星公社登记结婚的记录").
    public var soughtDescription: String

    public private(set) var status: RequestStatus
    public private(set) var refusalReason: String?
    public let submittedAt: Date
    /// When the answer deadline started.
    public private(set) var acceptedAt: Date?
    /// When the request was approved or refused.
    public private(set) var decidedAt: Date?
    public private(set) var deliveredAt: Date?
    public private(set) var withdrawnAt: Date?

    /// Submits a new request: checks that `role` may register requests from `channel` and
    /// keeps only the masked number and its keyed hash from `identity`.
    public init(reference: RequestReference, channel: RequestChannel, purpose: RequestPurpose,
                requesterName: String, identity: IdentityDocument, hashKey: IdentityHashKey,
                itemIDs: [String] = [], soughtDescription: String = "",
                submittedBy role: Role?, at now: Date) throws(RequestWorkflowError) {
        status = try AccessRequestWorkflow.apply(.submit, to: nil, channel: channel, by: role)
        self.reference = reference
        self.channel = channel
        self.purpose = purpose
        self.requesterName = requesterName.trimmed
        identityKind = identity.kind
        identityMasked = identity.masked
        identityHash = identity.keyedHash(with: hashKey)
        self.itemIDs = itemIDs
        self.soughtDescription = soughtDescription.trimmed
        submittedAt = now
    }

    /// Takes one step of the workflow, recording when it happened (and the refusal reason).
    /// On error nothing changes.
    public mutating func apply(_ event: RequestEvent, by role: Role?, at now: Date) throws(RequestWorkflowError) {
        status = try AccessRequestWorkflow.apply(event, to: status, channel: channel, by: role)
        switch event {
        case .accept: acceptedAt = now
        case .approve: decidedAt = now
        case .refuse(let reason):
            decidedAt = now
            refusalReason = reason.trimmed
        case .deliver: deliveredAt = now
        case .withdraw: withdrawnAt = now
        case .submit: break
        }
    }

    public func deadline(_ policy: RequestDeadlinePolicy = .standard) -> Date? {
        acceptedAt.map(policy.dueDate(acceptedAt:))
    }

    public func standing(now: Date, policy: RequestDeadlinePolicy = .standard) -> DeadlineStanding {
        policy.standing(status: status, acceptedAt: acceptedAt, now: now)
    }

    public func isOverdue(now: Date, policy: RequestDeadlinePolicy = .standard) -> Bool {
        policy.isOverdue(status: status, acceptedAt: acceptedAt, now: now)
    }
}
