import Foundation

/// The roles of a Lantai node. The three administrative roles (三员: system, security, audit)
/// are separate by law and none can do another's job.
public enum Role: String, Codable, CaseIterable, Sendable {
    /// 公众
    case citizen = "citizen"
    /// 立档单位档案员, bound to an agency (its fonds number)
    case agencyOfficer = "agency-officer"
    /// 档案管理员
    case archivist = "archivist"
    /// 鉴定员
    case appraiser = "appraiser"
    /// 服务终端操作员
    case servicePoint = "service-point"
    /// 领导/机关, bound to an agency
    case official = "official"
    /// 系统管理员
    case systemAdmin = "system-admin"
    /// 安全保密管理员
    case securityAdmin = "security-admin"
    /// 安全审计员
    case auditor = "auditor"

    public var chinese: String {
        switch self {
        case .citizen: "公众"
        case .agencyOfficer: "立档单位档案员"
        case .archivist: "档案管理员"
        case .appraiser: "鉴定员"
        case .servicePoint: "服务终端操作员"
        case .official: "机关用户"
        case .systemAdmin: "系统管理员"
        case .securityAdmin: "安全保密管理员"
        case .auditor: "安全审计员"
        }
    }

    /// Roles whose account must name the agency (fonds number) it acts for.
    public var needsAgency: Bool { self == .agencyOfficer || self == .official }

    public var permissions: Set<Permission> {
        switch self {
        case .archivist: [.describeCatalogue, .manageFonds, .appraise, .submitTransfer, .reviewTransfer]
        case .appraiser: [.appraise]
        case .systemAdmin: [.manageAccounts]
        case .securityAdmin: [.grantRoles]
        case .auditor: [.readAuditTrail]
        case .agencyOfficer: [.submitTransfer]
        case .citizen, .servicePoint, .official: []
        }
    }
}

/// What a role may do beyond reading records.
public enum Permission: String, Sendable, CaseIterable {
    /// Create and edit files and items (著录).
    case describeCatalogue
    /// Create and edit fonds and categories.
    case manageFonds
    /// Change access status and classification (鉴定, 解密).
    case appraise
    /// Create accounts, reset passwords, disable accounts — but not grant roles.
    case manageAccounts
    /// Grant roles, clearances and agencies — but not touch the catalogue.
    case grantRoles
    /// Read the audit trail — and nothing else.
    case readAuditTrail
    /// Send a transfer package (远程归档): an agency officer for their own agency, an archivist
    /// on an agency's behalf.
    case submitTransfer
    /// Accept or reject a checked transfer (接收审核).
    case reviewTransfer
}

/// Who is asking. `role == nil` is an anonymous visitor of the public portal.
public struct Actor: Sendable, Equatable {
    public var role: Role?
    /// 涉密等级: the highest classification the person may see.
    public var clearance: Classification
    /// The agency (fonds number) an agency officer or official acts for.
    public var agency: String?

    public init(role: Role?, clearance: Classification = .none, agency: String? = nil) {
        self.role = role
        self.clearance = clearance
        self.agency = agency
    }

    public static let anonymous = Actor(role: nil)

    public func has(_ permission: Permission) -> Bool { role?.permissions.contains(permission) ?? false }
}

/// What the authorisation function needs to know about a record.
public struct RecordAccessAttributes: Sendable, Equatable {
    public var accessStatus: AccessStatus
    public var classification: Classification
    /// The fonds number of the record: its agency.
    public var fonds: String

    public init(accessStatus: AccessStatus, classification: Classification, fonds: String) {
        self.accessStatus = accessStatus
        self.classification = classification
        self.fonds = fonds
    }
}

public enum RecordAction: String, Sendable, CaseIterable {
    case read
    /// Create or edit the description (著录).
    case describe
    /// Change access status or classification (鉴定, 开放, 解密).
    case appraise
}

public enum AccessDecision: Sendable, Equatable {
    case allow
    case deny(zh: String, en: String)

    public var isAllowed: Bool { self == .allow }
}

/// The set of records an actor may read, as data — so one rule serves a single read in Swift
/// and a list or search as an SQL condition.
public struct ReadScope: Sendable, Equatable {
    /// Access statuses readable in every fonds.
    public var statuses: Set<AccessStatus>
    /// Further statuses readable only in the actor's own agency's fonds.
    public var ownAgencyStatuses: Set<AccessStatus>
    public var agency: String?
    /// The highest classification readable.
    public var maxClassification: Classification

    public var classifications: [Classification] { Classification.allCases.filter { $0 <= maxClassification } }

    public func permits(_ r: RecordAccessAttributes) -> Bool {
        guard r.classification <= maxClassification else { return false }
        if statuses.contains(r.accessStatus) { return true }
        if let agency, agency == r.fonds, ownAgencyStatuses.contains(r.accessStatus) { return true }
        return false
    }
}

/// The one authorisation function for records: access status × classification × role ×
/// clearance × agency. Every read and write of a record, and every list and search, goes
/// through it.
public enum AccessPolicy {
    public static func readScope(for actor: Actor) -> ReadScope {
        let publicScope = ReadScope(statuses: [.open], ownAgencyStatuses: [], agency: nil, maxClassification: .none)
        guard let role = actor.role else { return publicScope }
        switch role {
        case .archivist, .appraiser:
            return ReadScope(statuses: Set(AccessStatus.allCases), ownAgencyStatuses: [], agency: nil,
                             maxClassification: actor.clearance)
        case .official:
            // 内部共享: an official also reads the controlled records of their own agency.
            return ReadScope(statuses: [.open], ownAgencyStatuses: [.controlled], agency: actor.agency,
                             maxClassification: actor.clearance)
        case .agencyOfficer:
            // The agency's own records, whatever their review state: it created and transferred them.
            return ReadScope(statuses: [.open], ownAgencyStatuses: [.controlled, .unreviewed], agency: actor.agency,
                             maxClassification: actor.clearance)
        case .citizen, .servicePoint, .systemAdmin, .securityAdmin, .auditor:
            // The public view: the administrators of the system are not readers of its records.
            return publicScope
        }
    }

    public static func decide(_ action: RecordAction, record: RecordAccessAttributes, actor: Actor) -> AccessDecision {
        switch action {
        case .read:
            let scope = readScope(for: actor)
            if scope.permits(record) { return .allow }
            if record.classification > scope.maxClassification {
                return .deny(zh: "无权查看：该档案密级为\(record.classification.chinese)，超出您的涉密等级",
                             en: "not allowed: the record is \(record.classification.english), above your clearance")
            }
            return .deny(zh: "无权查看：该档案开放状态为\(record.accessStatus.chinese)，您的角色不能查看",
                         en: "not allowed: the record is \(record.accessStatus.english) and your role may not read it")
        case .describe, .appraise:
            let permission: Permission = action == .describe ? .describeCatalogue : .appraise
            guard actor.has(permission) else {
                return .deny(zh: action == .describe ? "无权著录：只有档案管理员可以新建或修改档案" : "无权鉴定：只有档案管理员或鉴定员可以修改开放状态和密级",
                             en: action == .describe ? "not allowed: only archivists may create or edit records"
                                 : "not allowed: only archivists and appraisers may change access status or classification")
            }
            guard record.classification <= actor.clearance else {
                return .deny(zh: "无权修改：该档案密级为\(record.classification.chinese)，超出您的涉密等级",
                             en: "not allowed: the record is \(record.classification.english), above your clearance")
            }
            return .allow
        }
    }
}
