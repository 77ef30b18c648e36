import AsyncHTTPClient
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// A response delegate that hands the head and then the body parts of one response to an async
/// consumer, with back-pressure: when the consumer falls `highWater` parts behind, the delegate
/// stops reading from the socket until it catches up.
///
/// Built on AHC's event-loop-future API rather than its async one because the async API starts
/// unstructured tasks on the global executor; everything here runs on NIO's event loops and the
/// consumer's own executor, which is what lets ``BlobOCFLStorage`` block on it safely.
final class S3ResponseStream: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void

    private struct State {
        var head: HTTPResponseHead?
        var headWaiter: CheckedContinuation<HTTPResponseHead, Error>?
        var parts = CircularBuffer<ByteBuffer>()
        var partWaiter: CheckedContinuation<ByteBuffer?, Error>?
        var finished = false
        var failure: Error?
        var demand: EventLoopPromise<Void>?
        var cancelled = false
    }

    private let state = NIOLockedValueBox(State())
    private let highWater: Int

    init(highWater: Int = 8) {
        self.highWater = highWater
    }

    // MARK: - Producer side (the event loop)

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let waiter = state.withLockedValue { state -> CheckedContinuation<HTTPResponseHead, Error>? in
            state.head = head
            defer { state.headWaiter = nil }
            return state.headWaiter
        }
        waiter?.resume(returning: head)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        enum Next { case deliver(CheckedContinuation<ByteBuffer?, Error>), wait(EventLoopFuture<Void>), go, stop }
        let next = state.withLockedValue { state -> Next in
            if state.cancelled { return .stop }
            if let waiter = state.partWaiter {
                state.partWaiter = nil
                return .deliver(waiter)
            }
            state.parts.append(buffer)
            if state.parts.count >= highWater {
                let promise = task.eventLoop.makePromise(of: Void.self)
                state.demand = promise
                return .wait(promise.futureResult)
            }
            return .go
        }
        switch next {
        case .deliver(let waiter):
            waiter.resume(returning: buffer)
            return task.eventLoop.makeSucceededVoidFuture()
        case .wait(let future): return future
        case .go: return task.eventLoop.makeSucceededVoidFuture()
        case .stop: return task.eventLoop.makeFailedFuture(CancellationError())
        }
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        let waiter = state.withLockedValue { state -> CheckedContinuation<ByteBuffer?, Error>? in
            state.finished = true
            defer { state.partWaiter = nil }
            return state.partWaiter
        }
        waiter?.resume(returning: nil)
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: Error) {
        let (headWaiter, partWaiter, demand) = state.withLockedValue { state in
            state.failure = error
            defer {
                state.headWaiter = nil
                state.partWaiter = nil
                state.demand = nil
            }
            return (state.headWaiter, state.partWaiter, state.demand)
        }
        headWaiter?.resume(throwing: error)
        partWaiter?.resume(throwing: error)
        demand?.fail(error)
    }

    // MARK: - Consumer side

    /// The response head, once it has arrived.
    func responseHead() async throws -> HTTPResponseHead {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = state.withLockedValue { state -> Result<HTTPResponseHead, Error>? in
                if let head = state.head { return .success(head) }
                if let failure = state.failure { return .failure(failure) }
                state.headWaiter = continuation
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// The next body part, or nil at the end of the body.
    func next() async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { continuation in
            let (outcome, demand) = state.withLockedValue { state -> (Result<ByteBuffer?, Error>?, EventLoopPromise<Void>?) in
                if let part = state.parts.popFirst() {
                    var demand: EventLoopPromise<Void>?
                    if state.parts.count < highWater / 2 {
                        demand = state.demand
                        state.demand = nil
                    }
                    return (.success(part), demand)
                }
                if let failure = state.failure { return (.failure(failure), nil) }
                if state.finished { return (.success(nil), nil) }
                state.partWaiter = continuation
                let demand = state.demand
                state.demand = nil
                return (nil, demand)
            }
            demand?.succeed(())
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// Stops accepting body parts; the caller should also cancel the HTTP task.
    func cancel() {
        let demand = state.withLockedValue { state -> EventLoopPromise<Void>? in
            state.cancelled = true
            state.parts.removeAll()
            defer { state.demand = nil }
            return state.demand
        }
        demand?.fail(CancellationError())
    }
}
