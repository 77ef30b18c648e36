import Foundation
import NIOPosix

/// Runs async ``BlobStore`` work for synchronous callers (``BlobOCFLStorage``: the OCFL code is
/// synchronous, the stores are async).
///
/// The calling thread blocks on a condition until the work is done. The work itself runs as a
/// task whose executor preference is a small pool of dedicated threads (``BridgeExecutor``), and
/// the stores wait only on NIO event loops and NIO's blocking pool. So nothing the blocked caller
/// waits for ever needs a Swift concurrency thread: calling from inside a task, even with every
/// cooperative thread blocked the same way, cannot deadlock. It does hold that cooperative thread
/// for the duration, so async code should prefer the ``BlobStore`` methods themselves.
///
/// Refused (with an error, not a hang) on a NIO event loop thread, whose blocking would stall the
/// very loop the request needs, and on the bridge's own threads.
enum BlockingBridge {
    /// Runs `operation` and waits for its result.
    static func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        try checkCaller()
        let box = ResultBox<T>()
        start {
            do {
                box.finish(.success(try await operation()))
            } catch {
                box.finish(.failure(error))
            }
        }
        return try box.wait()
    }

    /// Starts `body` as a task on the bridge's threads without waiting.
    static func start(_ body: @escaping @Sendable () async -> Void) {
        if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *) {
            Task(executorPreference: BridgeExecutor.shared) { await body() }
        } else {
            // Before task executors existed: the global executor. Then a caller must not block
            // every cooperative thread at once (documented on BlobOCFLStorage).
            Task.detached { await body() }
        }
    }

    static func checkCaller() throws {
        if MultiThreadedEventLoopGroup.currentEventLoop != nil {
            throw StorageError(.rejected, "a blocking storage call on a NIO event loop thread would stall that loop; call it from another thread or use the async BlobStore API")
        }
        if Thread.current.name?.hasPrefix(BridgeExecutorNames.threadPrefix) == true {
            throw StorageError(.rejected, "a blocking storage call from inside the storage bridge would wait on itself")
        }
    }
}

enum BridgeExecutorNames {
    static let threadPrefix = "lantai-storage-bridge-"
}

/// A task executor on a few dedicated threads. Tasks that prefer it run their nonisolated code
/// here, including every resumption after an `await`, never on the cooperative pool.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *)
final class BridgeExecutor: TaskExecutor, @unchecked Sendable {
    /// Two threads: the work is mostly waiting on the network; two keep one slow hash from
    /// holding up every other bridged call.
    static let shared = BridgeExecutor(threads: 2)

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0

    init(threads: Int) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in self.work() }
            thread.name = BridgeExecutorNames.threadPrefix + String(index)
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// One result handed from the bridge's task to the blocked caller.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<T, Error>?

    func finish(_ result: Result<T, Error>) {
        condition.lock()
        self.result = result
        condition.broadcast()
        condition.unlock()
    }

    func wait() throws -> T {
        condition.lock()
        while result == nil { condition.wait() }
        let result = self.result!
        condition.unlock()
        return try result.get()
    }
}

/// Chunks handed from an async producer (a bridged `get`) to a blocked synchronous consumer,
/// at most `capacity` in flight: the producer suspends (without holding a thread) when the
/// consumer falls behind.
final class ChunkChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [Data] = []
    private let capacity: Int
    private var producerWaiter: CheckedContinuation<Void, Error>?
    private var finished = false
    private var failure: Error?
    private var cancelled = false

    init(capacity: Int = 4) {
        self.capacity = max(1, capacity)
    }

    /// Producer: queues a chunk; returns once there is room for another. Throws once the consumer has cancelled.
    func send(_ chunk: Data) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            condition.lock()
            if cancelled {
                condition.unlock()
                continuation.resume(throwing: CancellationError())
                return
            }
            chunks.append(chunk)
            condition.broadcast()
            if chunks.count >= capacity {
                producerWaiter = continuation
                condition.unlock()
                return
            }
            condition.unlock()
            continuation.resume()
        }
    }

    /// Producer: no more chunks (with the error that stopped it, if any).
    func finish(_ error: Error?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// Consumer: the next chunk, nil at the end; rethrows the producer's error.
    func receive() throws -> Data? {
        condition.lock()
        while chunks.isEmpty && !finished { condition.wait() }
        if !chunks.isEmpty {
            let chunk = chunks.removeFirst()
            var waiter: CheckedContinuation<Void, Error>?
            if chunks.count < capacity {
                waiter = producerWaiter
                producerWaiter = nil
            }
            condition.unlock()
            waiter?.resume()
            return chunk
        }
        let failure = self.failure
        condition.unlock()
        if let failure { throw failure }
        return nil
    }

    /// Consumer: stop; the producer's next (or pending) send throws.
    func cancel() {
        condition.lock()
        cancelled = true
        chunks.removeAll()
        let waiter = producerWaiter
        producerWaiter = nil
        condition.unlock()
        waiter?.resume(throwing: CancellationError())
    }

    /// Consumer: waits until the producer has finished (after a cancel, so nothing outlives the call).
    func waitUntilFinished() {
        condition.lock()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
