import XCTest
import ArchiveKit

/// The whole authorisation matrix, checked against the rules written out again, independently,
/// in plain data below. If `AccessPolicy` and this table ever disagree, one of them is wrong.
final class AccessPolicyTests: XCTestCase {

    // MARK: - The rules, restated independently of AccessPolicy

    /// What a role may read: statuses readable in every fonds, further statuses readable only in
    /// the fonds of the actor's own agency, and whether the actor's clearance lifts the
    /// classification ceiling (otherwise only unclassified records, whatever the clearance).
    private struct ReadRule {
        let everywhere: Set<AccessStatus>
        let ownAgencyOnly: Set<AccessStatus>
        let clearanceCounts: Bool
    }

    private static let all: Set<AccessStatus> = [.unreviewed, .open, .controlled]
    private static let publicRule = ReadRule(everywhere: [.open], ownAgencyOnly: [], clearanceCounts: false)

    /// `nil` is the anonymous visitor of the public portal.
    private static let readRules: [Role?: ReadRule] = [
        .archivist: ReadRule(everywhere: all, ownAgencyOnly: [], clearanceCounts: true),
        .appraiser: ReadRule(everywhere: all, ownAgencyOnly: [], clearanceCounts: true),
        .official: ReadRule(everywhere: [.open], ownAgencyOnly: [.controlled], clearanceCounts: true),
        .agencyOfficer: ReadRule(everywhere: [.open], ownAgencyOnly: [.controlled, .unreviewed], clearanceCounts: true),
        .citizen: publicRule,
        .servicePoint: publicRule,
        .systemAdmin: publicRule,
        .securityAdmin: publicRule,
        .auditor: publicRule,
        nil: publicRule,
    ]

    /// Who may write, by action.
    private static let writers: [RecordAction: Set<Role>] = [
        .describe: [.archivist],
        .appraise: [.archivist, .appraiser],
    ]

    /// Classification order, least to most restricted, written out rather than taken from `<`.
    private static let order: [Classification] = [.none, .confidential, .secret, .topSecret]
    private static func level(_ c: Classification) -> Int { order.firstIndex(of: c)! }

    private static func expected(_ action: RecordAction, role: Role?, clearance: Classification, agency: String?,
                                 record: RecordAccessAttributes) -> Bool {
        let withinClearance = level(record.classification) <= level(clearance)
        switch action {
        case .read:
            let rule = readRules[role]!
            let ceilingOK = rule.clearanceCounts ? withinClearance : record.classification == .none
            let ownAgency = agency != nil && agency == record.fonds
            let statusOK = rule.everywhere.contains(record.accessStatus)
                || (ownAgency && rule.ownAgencyOnly.contains(record.accessStatus))
            return ceilingOK && statusOK
        case .describe, .appraise:
            guard let role else { return false }
            return writers[action]!.contains(role) && withinClearance
        }
    }

    // MARK: - The matrix

    private static let roles: [Role?] = Role.allCases.map { Optional($0) } + [nil]
    private static let agencies: [String?] = ["J001", "J002", nil]
    private static let fondses = ["J001", "J002"]

    func testRuleTableCoversEveryRole() {
        for role in Role.allCases {
            XCTAssertNotNil(Self.readRules[role], "no read rule written for \(role): decide what it may read")
        }
        XCTAssertNotNil(Self.readRules[nil])
        XCTAssertEqual(Classification.allCases.count, Self.order.count)
        XCTAssertEqual(Set(RecordAction.allCases), Set(Self.writers.keys).union([.read]))
    }

    func testClassificationOrderMatchesTheTable() {
        for a in Classification.allCases {
            for b in Classification.allCases {
                XCTAssertEqual(a < b, Self.level(a) < Self.level(b), "\(a) < \(b)")
            }
        }
    }

    func testWholeMatrix() {
        var cases = 0, allowed = 0
        var allowedByRole: [String: Int] = [:]
        for role in Self.roles {
            for clearance in Classification.allCases {
                for agency in Self.agencies {
                    let actor = Actor(role: role, clearance: clearance, agency: agency)
                    let scope = AccessPolicy.readScope(for: actor)
                    for status in AccessStatus.allCases {
                        for classification in Classification.allCases {
                            for fonds in Self.fondses {
                                let record = RecordAccessAttributes(accessStatus: status,
                                                                    classification: classification, fonds: fonds)
                                for action in RecordAction.allCases {
                                    cases += 1
                                    let want = Self.expected(action, role: role, clearance: clearance,
                                                             agency: agency, record: record)
                                    let got = AccessPolicy.decide(action, record: record, actor: actor)
                                    let label = "\(action) by \(role?.rawValue ?? "anonymous") clearance \(clearance) agency \(agency ?? "-") on \(status)/\(classification)/\(fonds)"
                                    XCTAssertEqual(got.isAllowed, want, label)
                                    if want {
                                        allowed += 1
                                        allowedByRole[role?.rawValue ?? "anonymous", default: 0] += 1
                                    }
                                    if case .deny(let zh, let en) = got {
                                        XCTAssertFalse(zh.isEmpty, label)
                                        XCTAssertFalse(en.isEmpty, label)
                                        XCTAssertTrue(zh.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) },
                                                      "zh reason is not Chinese: \(label)")
                                        XCTAssertTrue(en.hasPrefix("not allowed"), label)
                                    } else {
                                        XCTAssertEqual(got, .allow)
                                    }
                                    if action == .read {
                                        XCTAssertEqual(scope.permits(record), got.isAllowed,
                                                       "readScope disagrees with decide: \(label)")
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        XCTAssertEqual(cases, 10 * 4 * 3 * 3 * 4 * 2 * 3)
        // The matrix is not vacuous: some things are allowed, most are not, every role reads something.
        XCTAssertGreaterThan(allowed, 0)
        XCTAssertLessThan(allowed, cases / 2)
        XCTAssertEqual(allowedByRole.count, 10, "every role and the anonymous visitor can read open records")
    }

    /// The list and search pages turn the scope into an SQL condition from its data
    /// (`statuses`, `ownAgencyStatuses` with `agency`, `classifications`). That condition must
    /// select exactly the records `permits` allows.
    func testReadScopeDataMatchesItsPredicate() {
        for role in Self.roles {
            for clearance in Classification.allCases {
                for agency in Self.agencies {
                    let scope = AccessPolicy.readScope(for: Actor(role: role, clearance: clearance, agency: agency))
                    for status in AccessStatus.allCases {
                        for classification in Classification.allCases {
                            for fonds in Self.fondses {
                                let r = RecordAccessAttributes(accessStatus: status, classification: classification,
                                                               fonds: fonds)
                                let sql = scope.classifications.contains(classification)
                                    && (scope.statuses.contains(status)
                                        || (scope.agency == fonds && scope.ownAgencyStatuses.contains(status)))
                                XCTAssertEqual(sql, scope.permits(r), "\(String(describing: role)) \(clearance) \(String(describing: agency)) \(status) \(classification) \(fonds)")
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: - Readable examples of the same rules

    private func can(_ action: RecordAction, _ role: Role?, clearance: Classification = .none, agency: String? = nil,
                     _ status: AccessStatus, _ classification: Classification = .none, fonds: String = "J001") -> Bool {
        AccessPolicy.decide(action, record: .init(accessStatus: status, classification: classification, fonds: fonds),
                            actor: Actor(role: role, clearance: clearance, agency: agency)).isAllowed
    }

    func testSpotChecks() {
        // The public reads open, unclassified records only.
        XCTAssertTrue(can(.read, nil, .open))
        XCTAssertFalse(can(.read, nil, .controlled))
        XCTAssertFalse(can(.read, nil, .unreviewed))
        XCTAssertFalse(can(.read, .citizen, clearance: .topSecret, .open, .confidential),
                       "a citizen's clearance does not open classified records")
        XCTAssertEqual(Actor.anonymous, Actor(role: nil, clearance: .none, agency: nil))

        // Archivists read everything up to their clearance, in every fonds.
        XCTAssertTrue(can(.read, .archivist, clearance: .secret, .unreviewed, .secret, fonds: "J002"))
        XCTAssertFalse(can(.read, .archivist, clearance: .secret, .open, .topSecret))

        // Officials: controlled records of their own agency only.
        XCTAssertTrue(can(.read, .official, agency: "J001", .controlled, fonds: "J001"))
        XCTAssertFalse(can(.read, .official, agency: "J001", .controlled, fonds: "J002"))
        XCTAssertFalse(can(.read, .official, agency: "J001", .unreviewed, fonds: "J001"))
        XCTAssertFalse(can(.read, .official, agency: nil, .controlled, fonds: "J001"))
        XCTAssertFalse(can(.read, .official, clearance: .none, agency: "J001", .controlled, .confidential, fonds: "J001"))

        // Agency officers: also the unreviewed records they transferred.
        XCTAssertTrue(can(.read, .agencyOfficer, agency: "J001", .unreviewed, fonds: "J001"))
        XCTAssertFalse(can(.read, .agencyOfficer, agency: "J001", .unreviewed, fonds: "J002"))
        XCTAssertTrue(can(.read, .agencyOfficer, agency: "J002", .open, fonds: "J001"))

        // The three administrators are not readers of the records.
        for admin in [Role.systemAdmin, .securityAdmin, .auditor] {
            XCTAssertFalse(can(.read, admin, clearance: .topSecret, .controlled), "\(admin)")
            XCTAssertFalse(can(.describe, admin, clearance: .topSecret, .open), "\(admin)")
            XCTAssertFalse(can(.appraise, admin, clearance: .topSecret, .open), "\(admin)")
        }

        // Writing: describe is archivists', appraise archivists' and appraisers', within clearance.
        XCTAssertTrue(can(.describe, .archivist, clearance: .secret, .controlled, .secret))
        XCTAssertFalse(can(.describe, .archivist, clearance: .confidential, .controlled, .secret))
        XCTAssertFalse(can(.describe, .appraiser, clearance: .topSecret, .open))
        XCTAssertTrue(can(.appraise, .appraiser, clearance: .confidential, .controlled, .confidential))
        XCTAssertFalse(can(.appraise, .appraiser, clearance: .confidential, .controlled, .secret))
        XCTAssertFalse(can(.describe, .agencyOfficer, clearance: .topSecret, agency: "J001", .unreviewed))
    }

    func testDenyReasonsSayWhy() {
        let secretRecord = RecordAccessAttributes(accessStatus: .controlled, classification: .secret, fonds: "J001")
        let lowClearance = Actor(role: .archivist, clearance: .confidential)
        guard case .deny(let zh, let en) = AccessPolicy.decide(.read, record: secretRecord, actor: lowClearance) else {
            return XCTFail("expected deny")
        }
        XCTAssertTrue(en.contains("clearance"), en)
        XCTAssertTrue(zh.contains("涉密等级"), zh)
        XCTAssertTrue(zh.contains(Classification.secret.chinese), zh)

        let controlled = RecordAccessAttributes(accessStatus: .controlled, classification: .none, fonds: "J001")
        guard case .deny(let zh2, let en2) = AccessPolicy.decide(.read, record: controlled, actor: .anonymous) else {
            return XCTFail("expected deny")
        }
        XCTAssertTrue(en2.contains("controlled"), en2)
        XCTAssertTrue(zh2.contains("控制"), zh2)

        guard case .deny(_, let en3) = AccessPolicy.decide(.describe, record: controlled,
                                                           actor: Actor(role: .appraiser, clearance: .topSecret)) else {
            return XCTFail("expected deny")
        }
        XCTAssertTrue(en3.contains("archivists"), en3)
    }

    // MARK: - Separation of duties (三员分立)

    func testSystemAdminManagesAccountsOnly() {
        let p = Role.systemAdmin.permissions
        XCTAssertTrue(p.contains(.manageAccounts))
        XCTAssertFalse(p.contains(.grantRoles), "the system administrator must not grant roles")
        XCTAssertFalse(p.contains(.readAuditTrail), "the system administrator must not read the audit trail")
        XCTAssertFalse(p.contains(.describeCatalogue))
        XCTAssertFalse(p.contains(.appraise))
    }

    func testSecurityAdminGrantsRolesOnly() {
        let p = Role.securityAdmin.permissions
        XCTAssertTrue(p.contains(.grantRoles))
        XCTAssertFalse(p.contains(.describeCatalogue), "the security administrator must not touch the catalogue")
        XCTAssertFalse(p.contains(.readAuditTrail), "the security administrator must not read the audit trail")
        XCTAssertFalse(p.contains(.manageAccounts))
        XCTAssertFalse(p.contains(.appraise))
    }

    func testAuditorOnlyReadsTheAuditTrail() {
        XCTAssertEqual(Role.auditor.permissions, [.readAuditTrail])
    }

    func testEachAdministrativePermissionBelongsToExactlyOneRole() {
        for permission in [Permission.manageAccounts, .grantRoles, .readAuditTrail] {
            let holders = Role.allCases.filter { $0.permissions.contains(permission) }
            XCTAssertEqual(holders.count, 1, "\(permission) held by \(holders)")
        }
        XCTAssertEqual(Role.allCases.filter { $0.permissions.contains(.readAuditTrail) }, [.auditor])
        XCTAssertEqual(Role.allCases.filter { $0.permissions.contains(.grantRoles) }, [.securityAdmin])
        XCTAssertEqual(Role.allCases.filter { $0.permissions.contains(.manageAccounts) }, [.systemAdmin])
        XCTAssertEqual(Role.allCases.filter { $0.permissions.contains(.describeCatalogue) }, [.archivist])
        XCTAssertEqual(Set(Role.allCases.filter { $0.permissions.contains(.appraise) }), [.archivist, .appraiser])
    }

    func testPublicFacingRolesHaveNoPermissions() {
        for role in [Role.citizen, .servicePoint, .official] {
            XCTAssertEqual(role.permissions, [], "\(role)")
        }
        // An agency officer's one power is to send its agency's records to the archives.
        XCTAssertEqual(Role.agencyOfficer.permissions, [.submitTransfer])
        XCTAssertEqual(Role.allCases.filter { $0.permissions.contains(.reviewTransfer) }, [.archivist])
        for permission in Permission.allCases {
            XCTAssertFalse(Actor.anonymous.has(permission), "anonymous has \(permission)")
        }
    }

    func testOnlyAgencyBoundRolesNeedAnAgency() {
        XCTAssertEqual(Set(Role.allCases.filter(\.needsAgency)), [.agencyOfficer, .official])
    }
}
