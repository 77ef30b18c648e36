import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that could not be read for hashing, with the system's own reason, so an operator can
/// tell a missing file from a permissions problem or a failing disk.
public struct FileDigestError: Error, CustomStringConvertible, Sendable, Equatable {
    public var operation: String
    public var path: String
    public var errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// `open /a/b: No such file or directory`: what sha256sum would say, minus its own name.
    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno)))"
    }
}

/// Streaming digests of files, several algorithms in one pass.
///
/// Archives hold scans and video of many gigabytes, so a file is never loaded whole: it is read
/// in 1 MiB chunks into one reused buffer, and every requested hasher is fed from that buffer,
/// so each byte is read from disk once however many algorithms are asked for. Several files are
/// hashed concurrently, one worker per core, largest first so that one big file does not end
/// up alone at the back of the queue; results keep the order of the input.
///
/// Symbolic links are followed, as sha256sum follows them; BagIt, which must not vouch for a
/// file outside the bag, has its own reader that refuses them.
///
/// This is the engine for `lantai digest --algorithm sha256|sha512|sm3 FILE…`: `results(of:…)`
/// gives each file its digests or its own error, in order, which is what a sha256sum-like
/// command prints.
public enum FileDigest {
    /// 1 MiB: large enough that system-call overhead disappears against hashing time, small
    /// enough to stay in L2/L3 cache while every hasher runs over it.
    public static let chunkSize = 1 << 20

    /// Lowercase hex digests of the file at `file`, one per algorithm.
    ///
    /// With more than one algorithm on a machine with more than one core, the hashers run side
    /// by side over each chunk, so SHA-512 + SM3 together take about as long as SM3 alone.
    public static func digests(
        of file: URL,
        algorithms: Set<DigestAlgorithm>
    ) throws -> [DigestAlgorithm: String] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        let parallel = algorithms.count > 1 && ProcessInfo.processInfo.activeProcessorCount > 1
        return try digest(path: file.path, algorithms: algorithms, buffer: buffer, parallelAlgorithms: parallel)
    }

    /// Digests of many files, hashed concurrently on `concurrency` workers (all cores by
    /// default). The result at index i belongs to `files[i]`. Throws the error of the first
    /// file, in input order, that could not be read.
    public static func digests(
        of files: [URL],
        algorithms: Set<DigestAlgorithm>,
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws -> [[DigestAlgorithm: String]] {
        try results(of: files, algorithms: algorithms, concurrency: concurrency).map { try $0.get() }
    }

    /// Like `digests(of:algorithms:concurrency:)`, but one unreadable file does not stop the
    /// others: each file gets its digests or its own error, in input order, the way sha256sum
    /// reports every file it can and names the ones it cannot.
    public static func results(
        of files: [URL],
        algorithms: Set<DigestAlgorithm>,
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount
    ) -> [Result<[DigestAlgorithm: String], FileDigestError>] {
        guard !files.isEmpty else { return [] }
        let workers = max(1, min(concurrency, files.count))
        let paths = files.map(\.path)

        // Largest first (longest-processing-time scheduling): the run ends when the biggest
        // file is done, not when a big file picked up last is.
        let sizes = paths.map { path -> Int64 in
            var st = stat()
            return stat(path, &st) == 0 ? Int64(st.st_size) : 0
        }
        let order = paths.indices.sorted { sizes[$0] > sizes[$1] }

        // Fewer files than workers: let the spare cores split the algorithms instead.
        let parallelAlgorithms = algorithms.count > 1 && files.count < concurrency

        let out = DigestResults<Result<[DigestAlgorithm: String], FileDigestError>>(count: files.count)
        let next = DigestCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
            defer { buffer.deallocate() }
            while true {
                let k = next.increment()
                guard k < order.count else { break }
                let index = order[k]
                let result: Result<[DigestAlgorithm: String], FileDigestError>
                do {
                    result = .success(try digest(
                        path: paths[index], algorithms: algorithms, buffer: buffer,
                        parallelAlgorithms: parallelAlgorithms))
                } catch let error as FileDigestError {
                    result = .failure(error)
                } catch {
                    result = .failure(FileDigestError(operation: "read", path: paths[index], errno: EIO))
                }
                out.set(index, result)
            }
        }
        return out.values()
    }

    /// Digests of bytes already in memory.
    public static func digests<D: DataProtocol>(
        ofBytes data: D,
        algorithms: Set<DigestAlgorithm>
    ) -> [DigestAlgorithm: String] {
        var out: [DigestAlgorithm: String] = [:]
        for algorithm in algorithms {
            var hasher = DigestHasher(algorithm)
            hasher.update(data)
            out[algorithm] = hasher.finalizeHex()
        }
        return out
    }

    // MARK: The read loop

    static func digest(
        path: String,
        algorithms: Set<DigestAlgorithm>,
        buffer: UnsafeMutableRawBufferPointer,
        parallelAlgorithms: Bool
    ) throws -> [DigestAlgorithm: String] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileDigestError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }

        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileDigestError(operation: "stat", path: path, errno: errno) }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw FileDigestError(operation: "read", path: path, errno: EISDIR)
        }
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif

        let ordered = algorithms.sorted()
        let hashers = UnsafeMutableBufferPointer<DigestHasher>.allocate(capacity: ordered.count)
        _ = hashers.initialize(from: ordered.map(DigestHasher.init))
        defer {
            hashers.deinitialize()
            hashers.deallocate()
        }
        let box = DigestUnsafeBox(hashers)

        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileDigestError(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            let chunk = DigestUnsafeBox(UnsafeRawBufferPointer(rebasing: buffer[0 ..< n]))
            if parallelAlgorithms && hashers.count > 1 {
                // Each iteration touches only its own hasher; the chunk is read-only.
                DispatchQueue.concurrentPerform(iterations: hashers.count) { i in
                    box.value[i].update(chunk.value)
                }
            } else {
                for i in hashers.indices { hashers[i].update(chunk.value) }
            }
        }

        var out: [DigestAlgorithm: String] = [:]
        for hasher in hashers { out[hasher.algorithm] = hasher.finalizeHex() }
        return out
    }
}

/// Carries a pointer into a concurrent loop whose iterations touch disjoint parts of it.
struct DigestUnsafeBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A shared work-queue index for the hashing workers.
final class DigestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    /// Returns the current value and advances it.
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        let v = value
        value += 1
        return v
    }
}

/// Results written by index from several workers, read once they have all finished.
final class DigestResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    func values() -> [T] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}
