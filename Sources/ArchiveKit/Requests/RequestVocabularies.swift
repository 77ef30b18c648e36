import Foundation

/// 受理渠道 — how a request (利用申请) reached the archives. The raw values are stable codes for
/// the API and the database.
public enum RequestChannel: String, Codable, CaseIterable, Sendable {
    /// 网上: the requester on the public portal.
    case online = "online"
    /// 现场: at the archives' reading room, registered by an archivist.
    case onSite = "on-site"
    /// 电话: by telephone, registered by an archivist.
    case phone = "phone"
    /// 信函: by letter, registered by an archivist.
    case letter = "letter"
    /// 服务点: at a town or village service point, registered by its operator (就地受理).
    case servicePoint = "service-point"

    public var chinese: String {
        switch self {
        case .online: "网上"
        case .onSite: "现场"
        case .phone: "电话"
        case .letter: "信函"
        case .servicePoint: "服务点"
        }
    }

    public var english: String {
        switch self {
        case .online: "online"
        case .onSite: "on site"
        case .phone: "telephone"
        case .letter: "letter"
        case .servicePoint: "service point"
        }
    }

    /// Who may register (and withdraw) a request arriving this way; `nil` is an anonymous visitor
    /// of the public portal, whose request is found again by its reference number.
    public var registrars: Set<Role?> {
        switch self {
        case .online: [nil, .citizen, .official, .agencyOfficer]
        case .onSite, .phone, .letter: [.archivist]
        case .servicePoint: [.servicePoint]
        }
    }

    public init?(parsing text: String) {
        let t = text.trimmed
        guard let c = Self.allCases.first(where: { $0.rawValue == t.lowercased() || $0.chinese == t }) else { return nil }
        self = c
    }
}

/// 利用目的 — why the records are wanted. The first five are the 民生档案 the portal has guided
/// forms for.
public enum RequestPurpose: String, Codable, CaseIterable, Sendable {
    /// 婚姻登记
    case marriage = "marriage"
    /// 学籍
    case schooling = "schooling"
    /// 工龄、就业 (pension and seniority calculations)
    case employment = "employment"
    /// 土地、房产
    case landHousing = "land-housing"
    /// 兵役 (service records, veterans' benefits)
    case militaryService = "military-service"
    /// 学术研究
    case research = "research"
    /// 工作查考: an agency consulting its earlier decisions.
    case official = "official"
    /// 其他
    case other = "other"

    public var chinese: String {
        switch self {
        case .marriage: "婚姻"
        case .schooling: "学籍"
        case .employment: "工龄/就业"
        case .landHousing: "土地房产"
        case .militaryService: "兵役"
        case .research: "学术研究"
        case .official: "工作查考"
        case .other: "其他"
        }
    }

    public var english: String {
        switch self {
        case .marriage: "marriage"
        case .schooling: "schooling"
        case .employment: "employment"
        case .landHousing: "land and housing"
        case .militaryService: "military service"
        case .research: "research"
        case .official: "official business"
        case .other: "other"
        }
    }

    /// 民生档案: records about a person's own life, which the portal guides citizens to.
    public var isLivelihood: Bool {
        switch self {
        case .marriage, .schooling, .employment, .landHousing, .militaryService: true
        case .research, .official, .other: false
        }
    }

    public init?(parsing text: String) {
        let t = text.trimmed
        guard let p = Self.allCases.first(where: { $0.rawValue == t.lowercased() || $0.chinese == t }) else { return nil }
        self = p
    }
}

/// 办理状态 — where a request is in its workflow.
///
///     submitted ─accept→ accepted ─approve→ approved ─deliver→ delivered
///         │                 │
///         └──── refuse ─────┴──→ refused        (a reason is required)
///         └──── withdraw ───┴──→ withdrawn
public enum RequestStatus: String, Codable, CaseIterable, Sendable {
    /// 已提交: waiting for an archivist to take it on.
    case submitted = "submitted"
    /// 已受理: the answer deadline runs from here.
    case accepted = "accepted"
    /// 已批准: the records will be provided.
    case approved = "approved"
    /// 不予提供 / 不予受理, with a reason.
    case refused = "refused"
    /// 已提供: copies delivered or the certificate issued.
    case delivered = "delivered"
    /// 已撤回 by the requester.
    case withdrawn = "withdrawn"

    public var chinese: String {
        switch self {
        case .submitted: "已提交"
        case .accepted: "已受理"
        case .approved: "已批准"
        case .refused: "不予提供"
        case .delivered: "已提供"
        case .withdrawn: "已撤回"
        }
    }

    public var english: String { rawValue }

    /// Nothing more can happen to the request.
    public var isFinal: Bool { self == .refused || self == .delivered || self == .withdrawn }

    /// The requester has had an answer (so a deadline no longer runs).
    public var isAnswered: Bool { self == .approved || isFinal }
}
