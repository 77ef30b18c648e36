import XCTest
import ArchiveKit

/// Answer deadlines: counted in local (UTC+8) calendar days from the day after acceptance.
final class RequestDeadlineTests: XCTestCase {
    private func instant(_ iso: String) -> Date {
        let f = ISO8601DateFormatter()
        return f.date(from: iso)!
    }

    func testDefaultIsTwentyCalendarDaysEndingAtLocalMidnight() {
        let policy = RequestDeadlinePolicy.standard
        XCTAssertEqual(policy.answerWithinDays, 20)
        // Accepted 27 November, 10:00 Beijing time: the last day is 17 December, due at its end.
        let accepted = instant("2026-11-27T10:00:00+08:00")
        XCTAssertEqual(policy.dueDate(acceptedAt: accepted), instant("2026-12-18T00:00:00+08:00"))
        // The time of day on the day of acceptance does not matter.
        XCTAssertEqual(policy.dueDate(acceptedAt: instant("2026-11-27T00:00:01+08:00")), instant("2026-12-18T00:00:00+08:00"))
        XCTAssertEqual(policy.dueDate(acceptedAt: instant("2026-11-27T23:59:59+08:00")), instant("2026-12-18T00:00:00+08:00"))
    }

    func testDaysAreLocalNotUTC() {
        // 00:30 on 28 November in Beijing is still 27 November in UTC: the local day counts.
        let accepted = instant("2026-11-28T00:30:00+08:00")
        XCTAssertEqual(RequestDeadlinePolicy.standard.dueDate(acceptedAt: accepted), instant("2026-12-19T00:00:00+08:00"))
    }

    func testTheNumberOfDaysIsASetting() {
        let accepted = instant("2026-02-20T09:00:00+08:00")
        XCTAssertEqual(RequestDeadlinePolicy(answerWithinDays: 15).dueDate(acceptedAt: accepted), instant("2026-03-08T00:00:00+08:00"))
        XCTAssertEqual(RequestDeadlinePolicy(answerWithinDays: 1).dueDate(acceptedAt: accepted), instant("2026-02-22T00:00:00+08:00"))
    }

    func testIsOverdue() {
        let p = RequestDeadlinePolicy.standard
        let accepted = instant("2026-11-27T10:00:00+08:00")
        XCTAssertFalse(p.isOverdue(status: .accepted, acceptedAt: accepted, now: instant("2026-12-17T23:59:59+08:00")))
        XCTAssertTrue(p.isOverdue(status: .accepted, acceptedAt: accepted, now: instant("2026-12-18T00:00:00+08:00")))
        // An answered request is never overdue; a submitted one has no deadline yet.
        for status in [RequestStatus.approved, .refused, .delivered, .withdrawn] {
            XCTAssertFalse(p.isOverdue(status: status, acceptedAt: accepted, now: instant("2027-06-01T00:00:00+08:00")), "\(status)")
        }
        XCTAssertFalse(p.isOverdue(status: .submitted, acceptedAt: nil, now: instant("2027-06-01T00:00:00+08:00")))
    }

    func testStandingForHighlighting() {
        let p = RequestDeadlinePolicy.standard
        let accepted = instant("2026-11-27T10:00:00+08:00")
        func standing(_ now: String, _ status: RequestStatus = .accepted) -> DeadlineStanding {
            p.standing(status: status, acceptedAt: accepted, now: instant(now))
        }
        XCTAssertEqual(standing("2026-11-27T11:00:00+08:00"), .onTime(daysLeft: 20))
        XCTAssertEqual(standing("2026-12-13T23:00:00+08:00"), .onTime(daysLeft: 4))
        XCTAssertEqual(standing("2026-12-14T08:00:00+08:00"), .dueSoon(daysLeft: 3))
        XCTAssertEqual(standing("2026-12-17T23:00:00+08:00"), .dueSoon(daysLeft: 0))
        XCTAssertEqual(standing("2026-12-18T00:00:00+08:00"), .overdue(daysLate: 1))
        XCTAssertEqual(standing("2026-12-20T12:00:00+08:00"), .overdue(daysLate: 3))
        XCTAssertEqual(standing("2026-12-20T12:00:00+08:00", .approved), .answered)
        XCTAssertEqual(p.standing(status: .submitted, acceptedAt: nil, now: accepted), .notStarted)
        XCTAssertEqual(DeadlineStanding.dueSoon(daysLeft: 0).chinese, "今日到期")
        XCTAssertEqual(DeadlineStanding.overdue(daysLate: 3).chinese, "已超期3天")
    }

    func testRequestValueUsesThePolicy() throws {
        var rng = SystemRandomNumberGenerator()
        let accepted = instant("2026-11-27T10:00:00+08:00")
        var r = try AccessRequest(
            reference: RequestReference.generate(on: CalendarDate(year: 2026, month: 11, day: 27)!, using: &rng),
            channel: .online, purpose: .schooling, requesterName: "李四",
            identity: try IdentityDocument(kind: .passport, number: "E12345678"),
            hashKey: IdentityHashKey(bytes: Array(repeating: 1, count: 32))!,
            soughtDescription: "1990届毕业生学籍", submittedBy: .citizen, at: accepted - 3600)
        XCTAssertFalse(r.isOverdue(now: accepted + 100 * 86_400))
        try r.apply(.accept, by: .archivist, at: accepted)
        XCTAssertEqual(r.deadline(), instant("2026-12-18T00:00:00+08:00"))
        XCTAssertTrue(r.isOverdue(now: instant("2026-12-18T00:00:01+08:00")))
        XCTAssertFalse(r.isOverdue(now: instant("2026-12-18T00:00:01+08:00"), policy: RequestDeadlinePolicy(answerWithinDays: 30)))
        try r.apply(.approve, by: .archivist, at: instant("2026-12-19T09:00:00+08:00"))
        XCTAssertFalse(r.isOverdue(now: instant("2026-12-20T00:00:00+08:00")))
    }
}
