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

    // The operations the read loop names, so callers can put a failure in their own words.
    static let open = "open"
    static let stat = "stat"
    static let read = "read"
    /// With `FileDigest.Options.regularFilesOnly`: a FIFO, socket, device or directory (EINVAL).
    static let notRegular = "not a regular file"
}

/// Streaming digests of files, several algorithms in one pass: the one hashing engine behind
/// `lantai digest`, BagIt (`BagDigest`, `BagValidator`, `BagWriter`) and OCFL.
///
/// Archives hold scans and video of many gigabytes, so a file is never loaded whole: it is read
/// in 1 MiB chunks into one reused buffer, and every requested hasher is fed from that buffer,
/// so each byte is read from disk once however many algorithms are asked for. Several files are
/// hashed concurrently, one worker per core, largest first so that one big file does not end
/// up alone at the back of the queue; results keep the order of the input.
///
/// Symbolic links are followed by default, as sha256sum follows them; BagIt, which must not
/// vouch for a file outside the bag, asks for `Options.insideTree`, which refuses them.
///
/// This is the engine for `lantai digest --algorithm sha256|sha512|sm3 FILE…`: `results(of:…)`
/// gives each file its digests or its own error, in order, which is what a sha256sum-like
/// command prints.
public enum FileDigest {
    /// 1 MiB: large enough that system-call overhead disappears against hashing time, small
    /// enough to stay in L2/L3 cache while every hasher runs over it.
    public static let chunkSize = 1 << 20

    /// How a file is opened for reading.
    public struct Options: Sendable, Hashable {
        /// Follow a symbolic link to the file it names (the default, as sha256sum does). When
        /// false the link itself is refused (`O_NOFOLLOW`: the open fails with ELOOP), so a link
        /// planted in a tree cannot make us read — and vouch for — a file outside it.
        public var followSymlinks: Bool
        /// Read only regular files: FIFOs, sockets and devices are refused (as well as
        /// directories, which are never read), and opening one never blocks.
        public var regularFilesOnly: Bool

        public init(followSymlinks: Bool = true, regularFilesOnly: Bool = false) {
            self.followSymlinks = followSymlinks
            self.regularFilesOnly = regularFilesOnly
        }

        /// For files inside a package (a bag): regular files only, no links followed.
        public static let insideTree = Options(followSymlinks: false, regularFilesOnly: true)
    }

    /// Lowercase hex digests of the file at `file`, one per algorithm.
    ///
    /// With more than one algorithm on a machine with more than one core, the hashers run side
    /// by side over each chunk, so SHA-512 + SM3 together take about as long as SM3 alone.
    public static func digests(
        of file: URL,
        algorithms: Set<DigestAlgorithm>,
        options: Options = Options()
    ) throws -> [DigestAlgorithm: String] {
        let parallel = algorithms.count > 1 && ProcessInfo.processInfo.activeProcessorCount > 1
        return try withChunkBuffer(chunkSize) { buffer in
            try digest(path: file.path, algorithms: algorithms, buffer: buffer, parallelAlgorithms: parallel, options: options)
        }
    }

    /// Digests of many files, hashed concurrently on `concurrency` workers (all cores by
    /// default). The result at index i belongs to `files[i]`. Throws the error of the first
    /// file, in input order, that could not be read.
    public static func digests(
        of files: [URL],
        algorithms: Set<DigestAlgorithm>,
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
        options: Options = Options()
    ) throws -> [[DigestAlgorithm: String]] {
        try results(of: files, algorithms: algorithms, concurrency: concurrency, options: options).map { try $0.get() }
    }

    /// Like `digests(of:algorithms:concurrency:)`, but one unreadable file does not stop the
    /// others: each file gets its digests or its own error, in input order, the way sha256sum
    /// reports every file it can and names the ones it cannot.
    public static func results(
        of files: [URL],
        algorithms: Set<DigestAlgorithm>,
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
        options: Options = Options()
    ) -> [Result<[DigestAlgorithm: String], FileDigestError>] {
        let paths = files.map(\.path)
        // Largest first by what a read will see: the link's target when links are followed.
        let sizes = paths.map { path -> UInt64 in
            var st = stat()
            let found = options.followSymlinks ? stat(path, &st) : lstat(path, &st)
            return found == 0 ? UInt64(max(0, st.st_size)) : 0
        }
        // Fewer files than workers: let the spare cores split the algorithms instead.
        let parallelAlgorithms = algorithms.count > 1 && files.count < concurrency

        return map(count: files.count, weights: sizes, concurrency: concurrency, bufferSize: chunkSize) { index, buffer in
            do {
                return .success(try digest(
                    path: paths[index], algorithms: algorithms, buffer: buffer,
                    parallelAlgorithms: parallelAlgorithms, options: options))
            } catch let error as FileDigestError {
                return .failure(error)
            } catch {
                return .failure(FileDigestError(operation: FileDigestError.read, path: paths[index], errno: EIO))
            }
        }
    }

    /// Digests of bytes already in memory.
    public static func digests<D: DataProtocol>(
        ofBytes data: D,
        algorithms: Set<DigestAlgorithm>
    ) -> [DigestAlgorithm: String] {
        var out: [DigestAlgorithm: String] = [:]
        for algorithm in algorithms {
            out[algorithm] = algorithm.hexDigest(of: data)
        }
        return out
    }

    // MARK: The engine

    /// Hex digests of one file, read through `buffer`.
    static func digest(
        path: String,
        algorithms: Set<DigestAlgorithm>,
        buffer: UnsafeMutableRawBufferPointer,
        parallelAlgorithms: Bool,
        options: Options = Options()
    ) throws -> [DigestAlgorithm: String] {
        try hash(path: path, algorithms: algorithms.sorted(), buffer: buffer,
                 parallelAlgorithms: parallelAlgorithms, options: options).finalizeHex()
    }

    /// Streams the file at `path` through every algorithm in one pass; the finished hashers
    /// also hold the byte count the pass saw.
    ///
    /// `parallelAlgorithms` hashes each chunk with the algorithms side by side on several
    /// cores; it is worth its small dispatch cost only when one big file would otherwise keep
    /// a single core busy while the others sit idle.
    static func hash(
        path: String,
        algorithms: [DigestAlgorithm],
        buffer: UnsafeMutableRawBufferPointer,
        parallelAlgorithms: Bool,
        options: Options
    ) throws -> DigestHashers {
        var hashers = DigestHashers(algorithms)
        try readChunks(path: path, options: options, buffer: buffer) { hashers.update($0, parallel: parallelAlgorithms) }
        return hashers
    }

    /// The read loop: opens `path` as `options` say and hands `body` each chunk as it is read
    /// into `buffer`, front to back. Errors are `FileDigestError`s, except what `body` throws.
    static func readChunks(
        path: String,
        options: Options,
        buffer: UnsafeMutableRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let fd = try openForReading(path: path, options: options)
        defer { close(fd) }
        try readChunks(fd: fd, path: path, buffer: buffer, body)
    }

    /// Opens `path` for `readChunks(fd:path:buffer:_:)` as `options` say, refusing what they
    /// refuse (and directories always). The caller closes the descriptor.
    static func openForReading(path: String, options: Options) throws -> Int32 {
        var flags = O_RDONLY | O_CLOEXEC
        if !options.followSymlinks { flags |= O_NOFOLLOW }
        // A FIFO with no writer would block the open; it is refused after the fstat anyway.
        if options.regularFilesOnly { flags |= O_NONBLOCK }
        let fd = open(path, flags)
        guard fd >= 0 else { throw FileDigestError(operation: FileDigestError.open, path: path, errno: errno) }
        var st = stat()
        var failure: FileDigestError?
        if fstat(fd, &st) != 0 {
            failure = FileDigestError(operation: FileDigestError.stat, path: path, errno: errno)
        } else if options.regularFilesOnly && (st.st_mode & S_IFMT) != S_IFREG {
            failure = FileDigestError(operation: FileDigestError.notRegular, path: path, errno: EINVAL)
        } else if (st.st_mode & S_IFMT) == S_IFDIR {
            failure = FileDigestError(operation: FileDigestError.read, path: path, errno: EISDIR)
        }
        if let failure {
            close(fd)
            throw failure
        }
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        return fd
    }

    /// Reads the open file `fd` (named `path` in errors) to its end through `buffer`.
    static func readChunks(
        fd: Int32, path: String, buffer: UnsafeMutableRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileDigestError(operation: FileDigestError.read, path: path, errno: errno)
            }
            if n == 0 { break }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0 ..< n]))
        }
    }

    /// `readChunks(path:options:buffer:_:)` with a buffer of `chunkSize` bytes of its own.
    static func readChunks(
        path: String, options: Options, chunkSize: Int, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try withChunkBuffer(chunkSize) { try readChunks(path: path, options: options, buffer: $0, body) }
    }

    /// A read buffer of `size` bytes (at least one) for the length of `body`.
    static func withChunkBuffer<T>(_ size: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> T) rethrows -> T {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, size), alignment: 64)
        defer { buffer.deallocate() }
        return try body(buffer)
    }

    // MARK: Many files at once

    /// Runs `body` for jobs `0..<count` on up to `concurrency` workers and returns the results
    /// in job order. Workers pull the next job from a shared counter, heaviest first
    /// (longest-processing-time scheduling): the run ends when the biggest file is done, not
    /// when a big file picked up last is. Each worker has its own read buffer of `bufferSize`.
    static func map<T>(
        count: Int, weights: [UInt64], concurrency: Int, bufferSize: Int,
        _ body: (_ index: Int, _ buffer: UnsafeMutableRawBufferPointer) -> T
    ) -> [T] {
        guard count > 0 else { return [] }
        let workers = max(1, min(concurrency, count))
        let order = (0 ..< count).sorted { weights[$0] > weights[$1] }
        let results = DigestResults<T>(count: count)
        if workers == 1 {
            withChunkBuffer(bufferSize) { buffer in
                for i in order { results.set(i, body(i, buffer)) }
            }
        } else {
            let next = DigestCounter()
            withoutActuallyEscaping(body) { escapable in
                let work = DigestUnsafeBox(escapable)
                DispatchQueue.concurrentPerform(iterations: workers) { _ in
                    withChunkBuffer(bufferSize) { buffer in
                        while true {
                            let k = next.increment()
                            guard k < count else { break }
                            results.set(order[k], work.value(order[k], buffer))
                        }
                    }
                }
            }
        }
        return results.values()
    }
}

/// Several running digests of one stream, each fed every chunk, with the byte count: the
/// per-chunk step of every read loop, whether the bytes come from a file (`FileDigest`), a copy
/// (`BagWriter`) or an OCFL storage.
struct DigestHashers {
    private var hashers: [DigestHasher]
    private(set) var byteCount: UInt64 = 0

    /// One hasher per algorithm, in the given order, duplicates dropped.
    init<S: Sequence>(_ algorithms: S) where S.Element == DigestAlgorithm {
        var seen = Set<DigestAlgorithm>()
        hashers = algorithms.filter { seen.insert($0).inserted }.map(DigestHasher.init)
    }

    /// Feeds `chunk` to every hasher; with `parallel`, side by side on several cores.
    mutating func update(_ chunk: UnsafeRawBufferPointer, parallel: Bool = false) {
        byteCount += UInt64(chunk.count)
        if parallel && hashers.count > 1 {
            let bytes = DigestUnsafeBox(chunk)
            hashers.withUnsafeMutableBufferPointer { hs in
                // Each iteration touches only its own hasher; the chunk is read-only.
                let box = DigestUnsafeBox(hs)
                DispatchQueue.concurrentPerform(iterations: hs.count) { i in
                    box.value[i].update(bytes.value)
                }
            }
        } else {
            for i in hashers.indices { hashers[i].update(chunk) }
        }
    }

    mutating func update<D: DataProtocol>(_ data: D) {
        for region in data.regions {
            region.withUnsafeBytes { update($0) }
        }
    }

    /// Lowercase hex digest per algorithm.
    func finalizeHex() -> [DigestAlgorithm: String] {
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
