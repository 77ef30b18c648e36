import Foundation

/// 答复期限 — how long the archives has to answer a request once it has accepted it.
///
/// The government-information rules (《政府信息公开条例》, 2019, art. 33) give 20 *working* days,
/// extendable by 20, and archives practice under the Archives Law and its implementing
/// regulations (《档案法实施条例》) follows the same order of magnitude. Counting working days needs
/// the State Council's yearly holiday calendar (调休 moves weekends), which is not domain logic a
/// library can ship; so the default is 20 *calendar* days — never later than the working-day
/// rule — and the number is a setting, not a constant.
///
/// Periods are counted as Chinese law counts them: the day of acceptance is not counted and the
/// period ends at midnight at the end of its last day, local time.
public struct RequestDeadlinePolicy: Sendable, Equatable {
    /// Calendar days after the day of acceptance within which the request must be answered.
    public var answerWithinDays: Int
    /// A request this many days or fewer from its deadline is highlighted as due soon.
    public var dueSoonDays: Int
    /// The local time's offset from UTC in seconds. China has kept UTC+8 without daylight saving
    /// since 1991, so a fixed offset is exact and keeps this arithmetic free of time-zone data.
    public var utcOffsetSeconds: Int

    public init(answerWithinDays: Int = 20, dueSoonDays: Int = 3, utcOffsetSeconds: Int = 8 * 3600) {
        precondition(answerWithinDays >= 1 && dueSoonDays >= 0)
        self.answerWithinDays = answerWithinDays
        self.dueSoonDays = dueSoonDays
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    public static let standard = RequestDeadlinePolicy()

    /// The local calendar day (days since 1970-01-01) of an instant.
    func localDay(_ date: Date) -> Int {
        Int(((date.timeIntervalSince1970 + Double(utcOffsetSeconds)) / 86_400).rounded(.down))
    }

    /// The last local day on which an answer is on time.
    func lastDay(acceptedAt: Date) -> Int { localDay(acceptedAt) + answerWithinDays }

    /// The instant the request becomes overdue: the end of its last day, local time.
    public func dueDate(acceptedAt: Date) -> Date {
        Date(timeIntervalSince1970: Double((lastDay(acceptedAt: acceptedAt) + 1) * 86_400 - utcOffsetSeconds))
    }

    /// Accepted, not yet answered, and past its due date.
    public func isOverdue(status: RequestStatus, acceptedAt: Date?, now: Date) -> Bool {
        if case .overdue = standing(status: status, acceptedAt: acceptedAt, now: now) { return true }
        return false
    }

    /// Where a request stands against its deadline, for highlighting in lists.
    public func standing(status: RequestStatus, acceptedAt: Date?, now: Date) -> DeadlineStanding {
        if status.isAnswered { return .answered }
        guard status == .accepted, let acceptedAt else { return .notStarted }
        let last = lastDay(acceptedAt: acceptedAt), today = localDay(now)
        if now >= dueDate(acceptedAt: acceptedAt) { return .overdue(daysLate: today - last) }
        let left = last - today
        return left <= dueSoonDays ? .dueSoon(daysLeft: left) : .onTime(daysLeft: left)
    }
}

/// A request measured against its deadline.
public enum DeadlineStanding: Sendable, Equatable {
    /// Not accepted yet: the period has not begun.
    case notStarted
    /// Approved, refused, delivered or withdrawn: nothing is due.
    case answered
    /// `daysLeft` whole days after today remain (0: due by the end of today).
    case onTime(daysLeft: Int)
    case dueSoon(daysLeft: Int)
    /// Past the deadline; `daysLate` is 1 on the first day after the last day.
    case overdue(daysLate: Int)

    public var chinese: String {
        switch self {
        case .notStarted: "未受理"
        case .answered: "已答复"
        case .onTime(let d): "剩余\(d)天"
        case .dueSoon(let d): d == 0 ? "今日到期" : "即将到期（剩余\(d)天）"
        case .overdue(let d): "已超期\(d)天"
        }
    }

    public var english: String {
        switch self {
        case .notStarted: "not accepted yet"
        case .answered: "answered"
        case .onTime(let d): "\(d) days left"
        case .dueSoon(let d): d == 0 ? "due today" : "due soon (\(d) days left)"
        case .overdue(let d): "overdue by \(d) days"
        }
    }
}
