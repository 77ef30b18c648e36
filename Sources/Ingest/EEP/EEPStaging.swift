import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The bag an unpacking builds, out of sight until it is complete.
///
/// Layout: `<parent>/.<name>.partial-XXXXXX/content/` is the bag and `…/scratch/` holds each
/// file while it is decoded, so a scratch name never collides with a payload name. The bag is
/// renamed to `<parent>/<name>` only at the very end; a refusal removes the partial directory,
/// and a crash leaves only a `.partial-` directory — the same layout `ArchiveExtractor` uses,
/// so `ArchiveExtractor.removeAbandonedExtractions(in:named:)` clears abandoned unpackings too.
final class EEPStaging {
    let finalPath: String
    let stagingRoot: String
    let bagRoot: String
    private let scratch: String
    private var madeDirectories: Set<String> = []
    private var counter = 0
    private var finished = false

    init(parent: String, name: String) throws(EEPError) {
        finalPath = parent + "/" + name
        var st = stat()
        if lstat(finalPath, &st) == 0 { throw .destinationExists(path: finalPath) }
        var template = Array((parent + "/." + name + ".partial-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw .io(operation: "cannot create directory", path: parent + "/." + name + ".partial-XXXXXX", errno: errno)
        }
        stagingRoot = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        bagRoot = stagingRoot + "/content"
        scratch = stagingRoot + "/scratch"
        for dir in [bagRoot, scratch, bagRoot + "/data"] where mkdir(dir, 0o755) != 0 {
            let e = errno
            abandon()
            throw .io(operation: "cannot create directory", path: dir, errno: e)
        }
    }

    /// A new, empty file in scratch for the next file's decoded bytes.
    func newScratchFile() throws(EEPError) -> EEPOutputFile {
        counter += 1
        return try EEPOutputFile(creating: scratch + "/" + String(counter))
    }

    /// Moves a finished file to `data/<components>`.
    func place(_ file: EEPOutputFile, at components: [String]) throws(EEPError) {
        var dir = bagRoot + "/data"
        for part in components.dropLast() {
            dir += "/" + part
            if madeDirectories.insert(dir).inserted, mkdir(dir, 0o755) != 0, errno != EEXIST {
                throw .io(operation: "cannot create directory", path: dir, errno: errno)
            }
        }
        let target = bagRoot + "/data/" + components.joined(separator: "/")
        guard rename(file.path, target) == 0 else { throw .io(operation: "cannot rename to \(target)", path: file.path, errno: errno) }
    }

    /// Copies an already placed payload file into a new scratch file (a 编码数据 that refers to
    /// another one's content), to be placed like a decoded one.
    func copy(from source: [String]) throws(EEPError) -> EEPOutputFile {
        let from = bagRoot + "/data/" + source.joined(separator: "/")
        let out = try newScratchFile()
        guard let input = FileHandle(forReadingAtPath: from) else {
            throw .io(operation: "cannot open", path: from, errno: errno)
        }
        defer { try? input.close() }
        while true {
            let chunk: Data
            do { chunk = try input.read(upToCount: 1 << 20) ?? Data() } catch { throw .io(operation: "cannot read", path: from, errno: EIO) }
            if chunk.isEmpty { break }
            try EEPStaging.write(chunk, to: out)
        }
        try out.close()
        return out
    }

    /// Writes a tag file at the top of the bag.
    func writeTagFile(_ name: String, _ bytes: [UInt8]) throws(EEPError) {
        let file = try EEPOutputFile(creating: bagRoot + "/" + name)
        try EEPStaging.write(bytes, to: file)
        try file.close()
    }

    /// `withUnsafeBytes` rethrows untyped, so the typed error is carried out by hand.
    private static func write<D: ContiguousBytes>(_ bytes: D, to file: EEPOutputFile) throws(EEPError) {
        var failure: EEPError?
        bytes.withUnsafeBytes { b in
            do throws(EEPError) { try file.write(b) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Puts the complete bag in place and removes the scaffolding.
    func finish() throws(EEPError) -> String {
        var st = stat()
        if lstat(finalPath, &st) == 0 { throw .destinationExists(path: finalPath) }
        guard rename(bagRoot, finalPath) == 0 else {
            throw .io(operation: "cannot rename to \(finalPath)", path: bagRoot, errno: errno)
        }
        finished = true
        rmdir(scratch)
        rmdir(stagingRoot)
        return finalPath
    }

    /// Removes everything this unpacking wrote.
    func abandon() {
        guard !finished else { return }
        try? FileManager.default.removeItem(atPath: stagingRoot)
    }
}

/// One file being written, straight to its descriptor.
final class EEPOutputFile {
    let path: String
    private var fd: Int32

    init(creating path: String) throws(EEPError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "cannot create", path: path, errno: errno) }
        self.fd = fd
        self.path = path
    }

    deinit { if fd >= 0 { _ = systemClose(fd) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws(EEPError) {
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "cannot write", path: path, errno: errno)
            }
            offset += n
        }
    }

    func close() throws(EEPError) {
        guard fd >= 0 else { return }
        let rc = systemClose(fd)
        fd = -1
        if rc != 0 { throw .io(operation: "cannot close", path: path, errno: errno) }
    }
}

// The C calls under names the methods `write` and `close` above do not shadow.
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
