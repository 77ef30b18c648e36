import Foundation

/// Keeps an audit's reading under a rate, so a scheduled audit of a whole storage root does not
/// starve the node (or a shared disk, or an S3 bill) of bandwidth: after each chunk the audit
/// sleeps for as long as it is ahead of the rate.
///
/// Idle time (between objects, while results are written) earns at most `burst` seconds of
/// credit, so a long pause is not followed by a burst at full speed.
public final class FixityThrottle: @unchecked Sendable {
    public let bytesPerSecond: Double
    let burst: TimeInterval
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (TimeInterval) -> Void
    private let lock = NSLock()
    private var start: Date?
    private var bytes: Double = 0

    /// `mebibytesPerSecond` MiB/s; nil when it is not a positive number.
    public convenience init?(mebibytesPerSecond: Double?) {
        guard let m = mebibytesPerSecond, m > 0, m.isFinite else { return nil }
        self.init(bytesPerSecond: m * 1_048_576)
    }

    public init(bytesPerSecond: Double, burst: TimeInterval = 1,
                now: @escaping @Sendable () -> Date = { Date() },
                sleep: @escaping @Sendable (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }) {
        self.bytesPerSecond = bytesPerSecond
        self.burst = burst
        self.now = now
        self.sleep = sleep
    }

    /// How long to wait after reading `bytes` in all, `elapsed` seconds after starting.
    static func delay(bytes: Double, elapsed: TimeInterval, bytesPerSecond: Double) -> TimeInterval {
        max(0, bytes / bytesPerSecond - elapsed)
    }

    /// Counts `count` bytes just read and waits as long as needed to stay under the rate.
    public func consumed(_ count: Int) {
        lock.lock()
        let t = now()
        if start == nil { start = t }
        var elapsed = t.timeIntervalSince(start!)
        // Behind by more than the burst allowance: forget the idle time beyond it.
        if elapsed - bytes / bytesPerSecond > burst {
            start = t.addingTimeInterval(-burst)
            bytes = 0
            elapsed = burst
        }
        bytes += Double(count)
        let wait = Self.delay(bytes: bytes, elapsed: elapsed, bytesPerSecond: bytesPerSecond)
        lock.unlock()
        if wait > 0.0005 { sleep(wait) }
    }
}
