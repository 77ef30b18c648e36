import Dispatch
import Foundation
import Packaging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file under `data/`, named as the file system has it.
struct PayloadFile {
    /// Relative to the bag root, `data/…`, exactly as on disk.
    var path: String
    var size: UInt64
}

enum PayloadFiles {
    /// Regular files under `root/data`, sorted by path. Links, devices and names that are not
    /// UTF-8 are left out: BagValidator reports each of them, and nothing here may follow a link.
    static func list(root: String) -> [PayloadFile] {
        var out: [PayloadFile] = []
        func visit(_ relative: String) {
            guard let dir = opendir(root + "/" + relative) else { return }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                    Array(raw.prefix { $0 != 0 })
                }
                guard let name = String(validating: bytes, as: UTF8.self), name != ".", name != ".." else { continue }
                let path = relative + "/" + name
                var st = stat()
                guard lstat(root + "/" + path, &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFREG: out.append(PayloadFile(path: path, size: UInt64(max(0, st.st_size))))
                case S_IFDIR: visit(path)
                default: continue
                }
            }
        }
        visit("data")
        return out.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// The comparison key of a path: NFC, so a name a Mac wrote decomposed (NFD) matches the
    /// same name typed into a sheet on Windows. Only keys are normalised; names are reported
    /// and kept as sent.
    static func key(_ path: String) -> String {
        path.precomposedStringWithCanonicalMapping
    }

    /// Whether a regular file (not a link) exists at `path`.
    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }
}

/// Results filled in by index from worker threads, read after all have finished.
final class ParallelSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]
    private var nextIndex = 0

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// The next index of work to take, or nil when all is taken.
    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < slots.count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

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

/// Files and bytes done, updated from workers, reported through the options' callback.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var files = 0
    private var bytes: UInt64 = 0
    let filesTotal: Int
    let bytesTotal: UInt64
    let phase: TransferCheckProgress.Phase
    let callback: (@Sendable (TransferCheckProgress) -> Void)?

    init(phase: TransferCheckProgress.Phase, filesTotal: Int, bytesTotal: UInt64,
         callback: (@Sendable (TransferCheckProgress) -> Void)?) {
        self.phase = phase
        self.filesTotal = filesTotal
        self.bytesTotal = bytesTotal
        self.callback = callback
    }

    func add(files: Int, bytes: UInt64) {
        guard let callback else { return }
        lock.lock()
        self.files += files
        self.bytes += bytes
        let p = TransferCheckProgress(phase: phase, filesDone: self.files, filesTotal: filesTotal,
                                      bytesDone: self.bytes, bytesTotal: bytesTotal)
        lock.unlock()
        callback(p)
    }

    func start() {
        callback?(TransferCheckProgress(phase: phase, filesDone: 0, filesTotal: filesTotal, bytesDone: 0,
                                        bytesTotal: bytesTotal))
    }
}
