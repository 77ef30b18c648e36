import XCTest
import ArchiveKit

/// The request workflow: every (status, step) pair and every (channel, role, step) triple,
/// checked against the rules written out again below.
final class AccessRequestWorkflowTests: XCTestCase {
    // MARK: - The rules, restated

    /// The legal steps; everything else must be refused.
    private static let legal: [String: RequestStatus] = [
        "nil+submit": .submitted,
        "submitted+accept": .accepted,
        "submitted+refuse": .refused,
        "submitted+withdraw": .withdrawn,
        "accepted+approve": .approved,
        "accepted+refuse": .refused,
        "accepted+withdraw": .withdrawn,
        "approved+deliver": .delivered,
    ]

    private static func mayTake(_ kind: RequestEvent.Kind, _ channel: RequestChannel, _ role: Role?) -> Bool {
        let registrar: Bool = switch channel {
        case .online: role == nil || role == .citizen || role == .official || role == .agencyOfficer
        case .onSite, .phone, .letter: role == .archivist
        case .servicePoint: role == .servicePoint
        }
        switch kind {
        case .submit, .withdraw: return registrar
        case .accept, .approve, .refuse: return role == .archivist
        case .deliver: return role == .archivist || (channel == .servicePoint && role == .servicePoint)
        }
    }

    private static let roles: [Role?] = [nil] + Role.allCases.map { $0 }
    private static let states: [RequestStatus?] = [nil] + RequestStatus.allCases.map { $0 }

    private static func event(_ kind: RequestEvent.Kind) -> RequestEvent {
        switch kind {
        case .submit: .submit
        case .accept: .accept
        case .approve: .approve
        case .refuse: .refuse(reason: "不属于本馆馆藏")
        case .deliver: .deliver
        case .withdraw: .withdraw
        }
    }

    /// The actor allowed to take `kind` on a request from `channel`.
    private static func allowedRole(_ kind: RequestEvent.Kind, _ channel: RequestChannel) -> Role? {
        roles.first { mayTake(kind, channel, $0) }!
    }

    private func outcome(_ kind: RequestEvent.Kind, from state: RequestStatus?, channel: RequestChannel, role: Role?)
        -> Result<RequestStatus, RequestWorkflowError> {
        do { return .success(try AccessRequestWorkflow.apply(Self.event(kind), to: state, channel: channel, by: role)) } catch {
            return .failure(error)
        }
    }

    // MARK: - Transitions

    func testEveryStatusAndStepAgainstTheTable() {
        var legalSeen = 0
        for channel in RequestChannel.allCases {
            for state in Self.states {
                for kind in RequestEvent.Kind.allCases {
                    let key = "\(state?.rawValue ?? "nil")+\(kind.rawValue)"
                    let role = Self.allowedRole(kind, channel)
                    let result = outcome(kind, from: state, channel: channel, role: role)
                    if let expected = Self.legal[key] {
                        XCTAssertEqual(try? result.get(), expected, "\(channel) \(key)")
                        legalSeen += 1
                    } else {
                        XCTAssertEqual(result, .failure(.illegalTransition(event: kind, from: state)), "\(channel) \(key)")
                    }
                    XCTAssertEqual(AccessRequestWorkflow.next(after: kind, from: state), Self.legal[key])
                }
            }
        }
        XCTAssertEqual(legalSeen, Self.legal.count * RequestChannel.allCases.count)
    }

    func testFinalStatesAllowNothing() {
        for state in RequestStatus.allCases where state.isFinal {
            XCTAssertEqual(AccessRequestWorkflow.possibleEvents(from: state), [], "\(state)")
        }
        XCTAssertEqual(AccessRequestWorkflow.possibleEvents(from: nil), [.submit])
        XCTAssertEqual(AccessRequestWorkflow.possibleEvents(from: .submitted), [.accept, .refuse, .withdraw])
        XCTAssertEqual(AccessRequestWorkflow.possibleEvents(from: .accepted), [.approve, .refuse, .withdraw])
        XCTAssertEqual(AccessRequestWorkflow.possibleEvents(from: .approved), [.deliver])
    }

    // MARK: - Who may do what

    func testEveryChannelRoleAndStepAgainstTheRules() {
        for channel in RequestChannel.allCases {
            for role in Self.roles {
                for kind in RequestEvent.Kind.allCases {
                    let allowed = Self.mayTake(kind, channel, role)
                    XCTAssertEqual(AccessRequestWorkflow.mayTake(kind, channel: channel, role: role), allowed,
                                   "\(channel) \(role?.rawValue ?? "anonymous") \(kind)")
                    // From a status where the step is legal, a forbidden role is refused as such.
                    let from = Self.states.first { AccessRequestWorkflow.next(after: kind, from: $0) != nil }!
                    let result = outcome(kind, from: from, channel: channel, role: role)
                    if allowed {
                        XCTAssertNotNil(try? result.get())
                    } else {
                        XCTAssertEqual(result, .failure(.notAllowed(event: kind, role: role, channel: channel)))
                    }
                }
            }
        }
    }

    func testPermissionIsCheckedBeforeStatus() {
        // A citizen trying to approve a delivered request learns it is not theirs to do, not its status.
        XCTAssertEqual(outcome(.approve, from: .delivered, channel: .online, role: .citizen),
                       .failure(.notAllowed(event: .approve, role: .citizen, channel: .online)))
    }

    func testActorOverloadUsesTheRole() throws {
        XCTAssertEqual(try AccessRequestWorkflow.apply(.accept, to: .submitted, channel: .letter,
                                                       by: Actor(role: .archivist, clearance: .secret)), .accepted)
        XCTAssertThrowsError(try AccessRequestWorkflow.apply(.submit, to: nil, channel: .letter, by: Actor.anonymous))
        XCTAssertEqual(try AccessRequestWorkflow.apply(.submit, to: nil, channel: .online, by: Actor.anonymous), .submitted)
    }

    func testTheAdministratorsCannotTouchRequests() {
        for role in [Role.systemAdmin, .securityAdmin, .auditor, .appraiser] {
            for kind in RequestEvent.Kind.allCases {
                for channel in RequestChannel.allCases {
                    XCTAssertFalse(AccessRequestWorkflow.mayTake(kind, channel: channel, role: role))
                }
            }
        }
    }

    // MARK: - Refusal reasons

    func testRefusalNeedsAReason() {
        for reason in ["", "   ", "\n\t"] {
            XCTAssertThrowsError(try AccessRequestWorkflow.apply(.refuse(reason: reason), to: .accepted, channel: .online, by: .archivist)) {
                XCTAssertEqual($0 as? RequestWorkflowError, .reasonRequired)
            }
        }
        let long = String(repeating: "理", count: AccessRequestWorkflow.maxReasonLength + 1)
        XCTAssertThrowsError(try AccessRequestWorkflow.apply(.refuse(reason: long), to: .accepted, channel: .online, by: .archivist)) {
            XCTAssertEqual($0 as? RequestWorkflowError, .reasonTooLong(limit: AccessRequestWorkflow.maxReasonLength))
        }
        XCTAssertEqual(try AccessRequestWorkflow.apply(.refuse(reason: String(long.dropLast())), to: .accepted, channel: .online, by: .archivist), .refused)
    }

    func testErrorsSpeakBothLanguages() {
        let errors: [RequestWorkflowError] = [
            .notAllowed(event: .approve, role: .citizen, channel: .online),
            .notAllowed(event: .submit, role: nil, channel: .phone),
            .illegalTransition(event: .approve, from: .withdrawn),
            .illegalTransition(event: .accept, from: nil),
            .illegalTransition(event: .submit, from: .submitted),
            .reasonRequired, .reasonTooLong(limit: 500),
        ]
        for e in errors {
            XCTAssertFalse(e.zh.isEmpty)
            XCTAssertFalse(e.en.isEmpty)
            XCTAssertEqual(e.message, "\(e.zh) / \(e.en)")
        }
        XCTAssertTrue(RequestWorkflowError.illegalTransition(event: .approve, from: .withdrawn).zh.contains("已撤回"))
        XCTAssertTrue(RequestWorkflowError.notAllowed(event: .approve, role: .citizen, channel: .online).zh.contains("公众"))
    }

    // MARK: - The request value

    private let key = IdentityHashKey(bytes: Array(repeating: 7, count: 32))!
    private let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    private func makeRequest(channel: RequestChannel = .servicePoint, role: Role? = .servicePoint) throws -> AccessRequest {
        var rng = SystemRandomNumberGenerator()
        return try AccessRequest(
            reference: RequestReference.generate(on: CalendarDate(year: 2026, month: 11, day: 27)!, using: &rng),
            channel: channel, purpose: .marriage, requesterName: " 张三 ",
            identity: try IdentityDocument(kind: .residentIdentityCard, number: "11010519491231002X"), hashKey: key,
            soughtDescription: "1975年婚姻登记档案", submittedBy: role, at: t0)
    }

    func testARequestFollowedToDelivery() throws {
        var r = try makeRequest()
        XCTAssertEqual(r.status, .submitted)
        XCTAssertEqual(r.requesterName, "张三")
        XCTAssertEqual(r.identityMasked, "110105********002X")
        XCTAssertEqual(r.identityHash, try IdentityDocument(kind: .residentIdentityCard, number: "11010519491231002x").keyedHash(with: key))
        XCTAssertNil(r.deadline())
        try r.apply(.accept, by: .archivist, at: t0 + 3600)
        XCTAssertEqual(r.acceptedAt, t0 + 3600)
        XCTAssertNotNil(r.deadline())
        try r.apply(.approve, by: .archivist, at: t0 + 7200)
        XCTAssertEqual(r.decidedAt, t0 + 7200)
        // The service-point operator hands over the copy for a request taken at the service point.
        try r.apply(.deliver, by: .servicePoint, at: t0 + 9000)
        XCTAssertEqual(r.status, .delivered)
        XCTAssertEqual(r.deliveredAt, t0 + 9000)
    }

    func testARefusedRequestKeepsItsReasonAndAFailedStepChangesNothing() throws {
        var r = try makeRequest(channel: .online, role: .citizen)
        let before = r
        XCTAssertThrowsError(try r.apply(.approve, by: .archivist, at: t0))
        XCTAssertThrowsError(try r.apply(.accept, by: .citizen, at: t0))
        XCTAssertThrowsError(try r.apply(.refuse(reason: " "), by: .archivist, at: t0))
        XCTAssertEqual(r, before)
        try r.apply(.refuse(reason: "  该档案不属于本馆馆藏  "), by: .archivist, at: t0 + 60)
        XCTAssertEqual(r.status, .refused)
        XCTAssertEqual(r.refusalReason, "该档案不属于本馆馆藏")
        XCTAssertEqual(r.decidedAt, t0 + 60)
    }

    func testSubmittingThroughTheWrongChannelIsRefused() {
        XCTAssertThrowsError(try makeRequest(channel: .phone, role: .citizen)) {
            XCTAssertEqual($0 as? RequestWorkflowError, .notAllowed(event: .submit, role: .citizen, channel: .phone))
        }
        XCTAssertNoThrow(try makeRequest(channel: .phone, role: .archivist))
        XCTAssertNoThrow(try makeRequest(channel: .online, role: nil))
    }

    func testVocabularies() {
        XCTAssertEqual(RequestChannel(parsing: "服务点"), .servicePoint)
        XCTAssertEqual(RequestChannel(parsing: "ON-SITE"), .onSite)
        XCTAssertEqual(RequestPurpose(parsing: "工龄/就业"), .employment)
        XCTAssertEqual(RequestPurpose(parsing: "land-housing"), .landHousing)
        XCTAssertNil(RequestPurpose(parsing: "fun"))
        XCTAssertEqual(RequestPurpose.allCases.filter(\.isLivelihood),
                       [.marriage, .schooling, .employment, .landHousing, .militaryService])
        // Codes are the API and database contract.
        XCTAssertEqual(RequestChannel.allCases.map(\.rawValue), ["online", "on-site", "phone", "letter", "service-point"])
        XCTAssertEqual(RequestStatus.allCases.map(\.rawValue), ["submitted", "accepted", "approved", "refused", "delivered", "withdrawn"])
        for c in RequestChannel.allCases { XCTAssertEqual(RequestChannel(parsing: c.chinese), c) }
        for p in RequestPurpose.allCases { XCTAssertEqual(RequestPurpose(parsing: p.chinese), p) }
    }
}
