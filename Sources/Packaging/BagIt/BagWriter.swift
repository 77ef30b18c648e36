import Foundation

/// Writes BagIt 1.0 bags (RFC 8493): for `lantai export bag` and for handing transfers
/// (移交) to other archives' tools.
///
/// All-or-nothing: the bag is assembled in a hidden sibling directory and renamed into place
/// only when every file, manifest and tag manifest has been written and flushed, so a crash
/// or a full disk leaves either no bag or a complete one — never a half bag that a later
/// transfer would pick up.
public enum BagWriter {
    /// Why a bag was not written. Nothing is left behind in any of these cases.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// A payload path could escape `data/` or is not a plain relative path.
        case unsafePath(String, reason: String)
        /// Two payload paths name the same file (also after NFC normalisation), or one is a
        /// directory of the other.
        case conflictingPaths(String, String)
        /// A bag-info label or value cannot be written as RFC 8493 §2.2.2 requires.
        case badBagInfo(String)
        /// The destination exists and is not an empty directory.
        case destinationExists(String)
        case noAlgorithms

        public var description: String {
            switch self {
            case .unsafePath(let p, let reason): return "unsafe payload path \(BagPath.printable(p)): \(reason)"
            case .conflictingPaths(let a, let b): return "payload paths \(BagPath.printable(a)) and \(BagPath.printable(b)) conflict"
            case .badBagInfo(let m): return "bag-info: \(m)"
            case .destinationExists(let p): return "\(p) already exists and is not empty"
            case .noAlgorithms: return "at least one checksum algorithm is needed"
            }
        }
    }

    /// The name Lantai signs its bags with in `Bag-Software-Agent`.
    public static let softwareAgent = "Lantai"

    /// Writes a bag at `directory` (which must not exist, or be empty).
    ///
    /// - Parameters:
    ///   - payload: files to copy, each with its path relative to `data/` (e.g.
    ///     `文书/关于档案工作的通知.pdf`). Names are kept byte for byte — not normalised —
    ///     because the agency's own name for a file is part of the record.
    ///   - bagInfo: bag-info.txt elements in order; labels may repeat. `Payload-Oxum` is
    ///     always computed (a given one is dropped); `Bagging-Date` and `Bag-Software-Agent`
    ///     are added unless given. A value with line breaks is written as continuation lines.
    ///   - algorithms: one payload manifest and one tag manifest per algorithm.
    public static func write(
        bagAt directory: URL,
        payload: [(relativePath: String, source: URL)],
        bagInfo: [(String, String)],
        algorithms: [BagAlgorithm] = [.sha256, .sha512]
    ) throws {
        try write(bagAt: directory, payload: payload, bagInfo: bagInfo, algorithms: algorithms,
                  concurrency: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// As `write(bagAt:payload:bagInfo:algorithms:)`, with the number of files copied at once
    /// (benchmarks compare 1 with the core count).
    public static func write(
        bagAt directory: URL,
        payload: [(relativePath: String, source: URL)],
        bagInfo: [(String, String)],
        algorithms: [BagAlgorithm],
        concurrency: Int
    ) throws {
        let algorithms = Set(algorithms).sorted()
        guard !algorithms.isEmpty else { throw Failure.noAlgorithms }
        try checkPayloadPaths(payload.map(\.relativePath))
        let infoLines = try bagInfoLines(bagInfo)

        var destination = directory.standardizedFileURL.path
        while destination.count > 1 && destination.hasSuffix("/") { destination.removeLast() }
        if let info = BagFileIO.lstatInfo(path: destination) {
            let empty = info.kind == .directory
                && ((try? FileManager.default.contentsOfDirectory(atPath: destination))?.isEmpty ?? false)
            if !empty { throw Failure.destinationExists(destination) }
        }
        let parent = (destination as NSString).deletingLastPathComponent
        let name = (destination as NSString).lastPathComponent
        let staging = parent + "/." + name + ".partial-" + UUID().uuidString
        try BagFileIO.makeDirectory(staging)
        do {
            try assemble(at: staging, payload: payload, infoLines: infoLines,
                         algorithms: algorithms, concurrency: max(1, concurrency))
            BagFileIO.syncDirectory(staging)
            try BagFileIO.renameItem(staging, destination)
            BagFileIO.syncDirectory(parent)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    // MARK: checks

    /// Line boundaries of Python's `str.splitlines` besides CR and LF (which are escaped).
    static let lineSeparatorsOtherTools: Set<UInt32> = [0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]

    static func checkPayloadPaths(_ paths: [String]) throws {
        var seen: [String: String] = [:]
        var directories: [String: String] = [:]
        for path in paths {
            if let reason = BagPath.unsafeReason(path) { throw Failure.unsafePath(path, reason: reason) }
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            if parts.contains(where: { $0.isEmpty || $0 == "." }) {
                throw Failure.unsafePath(path, reason: "empty or . path component")
            }
            if let separator = path.unicodeScalars.first(where: { lineSeparatorsOtherTools.contains($0.value) }) {
                // RFC 8493 only escapes CR and LF, but bagit-python splits manifest lines at
                // every Unicode line boundary; a bag naming such a file is unreadable there.
                throw Failure.unsafePath(path, reason: String(format: "contains U+%04X, a line separator other BagIt tools split manifest lines at", separator.value))
            }
            if path.hasPrefix("data/") {
                // Almost always a caller passing bag-relative paths; data/data/… is surely not meant.
                throw Failure.unsafePath(path, reason: "payload paths are relative to data/; drop the data/ prefix")
            }
            let key = BagPath.key(path)
            if let other = seen[key] { throw Failure.conflictingPaths(other, path) }
            if let other = directories[key] { throw Failure.conflictingPaths(other, path) }
            seen[key] = path
            var prefix = ""
            for part in parts.dropLast() {
                prefix += (prefix.isEmpty ? "" : "/") + part
                let k = BagPath.key(prefix)
                if let other = seen[k] { throw Failure.conflictingPaths(other, path) }
                directories[k] = path
            }
        }
    }

    /// bag-info.txt lines in the caller's order, plus the elements Lantai always records.
    static func bagInfoLines(_ bagInfo: [(String, String)]) throws -> [(String, String)] {
        var out: [(String, String)] = []
        for (label, value) in bagInfo {
            if label.isEmpty { throw Failure.badBagInfo("empty label") }
            if label.contains(":") || label.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
                throw Failure.badBagInfo("label \(BagPath.printable(label)) contains a colon or a line break")
            }
            if label.first.map(BagTagText.isLinearWhitespace) == true
                || label.last.map(BagTagText.isLinearWhitespace) == true {
                throw Failure.badBagInfo("label \"\(label)\" starts or ends with whitespace")
            }
            if label.caseInsensitiveCompare("Payload-Oxum") == .orderedSame { continue }
            out.append((label, value))
        }
        func has(_ label: String) -> Bool { out.contains { $0.0.caseInsensitiveCompare(label) == .orderedSame } }
        if !has("Bagging-Date") {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.calendar = Calendar(identifier: .gregorian)
            f.dateFormat = "yyyy-MM-dd"
            out.append(("Bagging-Date", f.string(from: Date())))
        }
        if !has("Bag-Software-Agent") { out.append(("Bag-Software-Agent", softwareAgent)) }
        return out
    }

    static func renderTagLine(_ label: String, _ value: String) -> String {
        // Line breaks in a value become continuation lines (RFC 8493 §2.2.2), which a reader
        // unfolds back into one line with a space where the break was.
        let pieces = value
            .replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard let first = pieces.first else { return "\(label): \n" }
        return "\(label): \(first)\n" + pieces.dropFirst().map { " \($0)\n" }.joined()
    }

    // MARK: assembly

    private static func assemble(
        at staging: String, payload: [(relativePath: String, source: URL)],
        infoLines: [(String, String)], algorithms: [BagAlgorithm], concurrency: Int
    ) throws {
        try BagFileIO.makeDirectory(staging + "/data")
        var createdDirs: [String] = [staging + "/data"]
        var made: Set<String> = []
        for item in payload {
            var prefix = staging + "/data"
            for part in item.relativePath.split(separator: "/").dropLast() {
                prefix += "/" + part
                if made.insert(prefix).inserted {
                    try BagFileIO.makeDirectory(prefix)
                    createdDirs.append(prefix)
                }
            }
        }

        let sizes = payload.map { BagFileIO.lstatInfo(path: $0.source.path)?.size ?? 0 }
        let copied = BagFileIO.map(weights: sizes, concurrency: concurrency, chunkSize: BagDigest.defaultChunkSize) {
            index, parallelAlgorithms, buffer -> Result<BagFileDigest, Error> in
            let item = payload[index]
            return Result {
                try BagFileIO.copyAndDigest(
                    from: item.source.path, to: staging + "/data/" + item.relativePath,
                    algorithms: algorithms, buffer: buffer, parallelAlgorithms: parallelAlgorithms)
            }
        }
        var digests: [(path: String, digest: BagFileDigest)] = []
        var octets: UInt64 = 0
        for (item, result) in zip(payload, copied) {
            let d = try result.get()
            octets += d.byteCount
            digests.append(("data/" + item.relativePath, d))
        }
        for dir in createdDirs.reversed() { BagFileIO.syncDirectory(dir) }
        digests.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }

        var tagFiles: [(name: String, bytes: [UInt8])] = []
        tagFiles.append(("bagit.txt", Array("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".utf8)))
        var info = infoLines
        info.append(("Payload-Oxum", "\(octets).\(payload.count)"))
        tagFiles.append(("bag-info.txt", Array(info.map { renderTagLine($0.0, $0.1) }.joined().utf8)))
        for algorithm in algorithms {
            let text = digests.map { "\($0.digest.digests[algorithm]!)  \(BagPath.encode($0.path))\n" }.joined()
            tagFiles.append((algorithm.manifestFileName, Array(text.utf8)))
        }
        for file in tagFiles { try BagFileIO.writeNewFile(path: staging + "/" + file.name, bytes: file.bytes) }
        for algorithm in algorithms {
            let text = tagFiles.map {
                "\(BagDigest.digests(of: $0.bytes, algorithms: [algorithm])[algorithm]!)  \($0.name)\n"
            }.joined()
            try BagFileIO.writeNewFile(path: staging + "/" + algorithm.tagManifestFileName, bytes: Array(text.utf8))
        }
    }
}
