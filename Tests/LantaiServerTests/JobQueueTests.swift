import Fluent
@testable import LantaiServer
import SQLKit
import XCTest
import XCTVapor

/// The job queue hands each job to one worker, takes it up again when a worker dies, retries
/// failures a bounded number of times, and records why a job finally failed.
final class JobQueueTests: LantaiTestCase {
    func testEachJobIsLeasedOnceEvenWithManyWorkers() async throws {
        for i in 0..<30 { try await JobQueue.enqueue("test.echo", subject: "s\(i)", on: app.db) }
        let db = app.db
        let leased = try await withThrowingTaskGroup(of: [String].self) { group in
            for w in 0..<6 {
                group.addTask {
                    var mine: [String] = []
                    while let job = try await JobQueue.lease(owner: "w\(w)", for: 60, on: db) {
                        mine.append(job.subject)
                        try await JobQueue.finish(job.id, owner: "w\(w)", on: db)
                    }
                    return mine
                }
            }
            var all: [String] = []
            for try await m in group { all += m }
            return all
        }
        XCTAssertEqual(leased.count, 30)
        XCTAssertEqual(Set(leased).count, 30, "no job ran twice")
        let done = try await JobModel.query(on: app.db).filter(\.$status == "done").count()
        XCTAssertEqual(done, 30)
    }

    func testAJobWhoseWorkerDiedIsTakenUpAgainAfterItsLease() async throws {
        try await JobQueue.enqueue("test.echo", subject: "a", on: app.db)
        let first = try await JobQueue.lease(owner: "dead", for: 30, on: app.db)
        XCTAssertNotNil(first)
        let none = try await JobQueue.lease(owner: "other", for: 30, on: app.db)
        XCTAssertNil(none, "a job under a live lease is not handed out again")
        // The lease runs out (the dead worker never renews it).
        let later = Date().addingTimeInterval(31)
        let again = try await JobQueue.lease(owner: "other", for: 30, now: later, on: app.db)
        XCTAssertEqual(again?.id, first?.id)
        XCTAssertEqual(again?.attempts, 2)
    }

    func testWorkerRetriesThenRecordsTheFailure() async throws {
        let worker = JobWorker(lease: 30, pollInterval: 1, maxAttempts: 2)
        let counter = Counter()
        worker.register("test.flaky") { _, _ in
            await counter.add()
            struct Boom: Error {}
            throw Boom()
        }
        worker.register("test.ok") { _, _ in await counter.add() }
        try await JobQueue.enqueue("test.flaky", subject: "x", on: app.db)
        try await JobQueue.enqueue("test.ok", subject: "y", on: app.db)
        await worker.drain(app)
        let runs = await counter.value
        XCTAssertEqual(runs, 3, "the flaky job ran twice, the good one once")
        let flaky = try await JobModel.query(on: app.db).filter(\.$kind == "test.flaky").first()
        XCTAssertEqual(flaky?.status, "failed")
        XCTAssertTrue(flaky?.error?.contains("Boom") ?? false, flaky?.error ?? "")
        let ok = try await JobModel.query(on: app.db).filter(\.$kind == "test.ok").first()
        XCTAssertEqual(ok?.status, "done")
    }

    actor Counter {
        var value = 0
        func add() { value += 1 }
    }
}
