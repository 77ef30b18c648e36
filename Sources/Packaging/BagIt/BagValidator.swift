import Foundation

/// Checks a BagIt bag (RFC 8493) the way `bagit.py --validate` does, and reports every
/// reason it fails instead of the first.
///
/// Judgement follows the RFC and bagit-python together: whatever bagit-python rejects is a
/// problem here; formal slips it tolerates (a missing space after a colon, a blank line)
/// are warnings, so a bag that other archives accept is not refused for style. Lantai is
/// stricter only where security asks (四性检测 安全性): symbolic links, device files and
/// `..` in any path are problems even where bagit-python would resolve them harmlessly.
public enum BagValidator {
    /// How much to check and with how many cores.
    public struct Options: Sendable {
        /// Check only Payload-Oxum and completeness (every file listed, every listed file
        /// present), not digests — like `bagit.py --validate --fast`. For a quick receipt
        /// while the full fixity check runs as a job.
        public var fast: Bool
        /// Files hashed at once. Defaults to the core count: hashing is CPU-bound on local
        /// disks, and one reader per core keeps both cores busy.
        public var concurrency: Int
        /// Read size; see `BagDigest.defaultChunkSize`.
        public var chunkSize: Int
        /// Also compute these digests of each payload file a manifest lists, on the same pass as
        /// its manifest digests, and keep every payload digest computed in
        /// ``BagReport/payloadDigests``: a caller that needs SHA-256, SHA-512 and SM3 of the
        /// payload anyway (the transfer checks) then reads each file once, not twice.
        public var additionalPayloadDigests: [DigestAlgorithm]

        public init(
            fast: Bool = false,
            concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
            chunkSize: Int = BagDigest.defaultChunkSize,
            additionalPayloadDigests: [DigestAlgorithm] = []
        ) {
            self.fast = fast
            self.concurrency = max(1, concurrency)
            self.chunkSize = max(1, chunkSize)
            self.additionalPayloadDigests = additionalPayloadDigests
        }
    }

    /// Thrown only when there is no bag to look at (the path is not a directory); everything
    /// wrong inside a bag is a `BagProblem` in the report.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        case notADirectory(String)

        public var description: String {
            switch self {
            case .notADirectory(let p): return "\(p) is not a directory"
            }
        }
    }

    /// Validates the bag at `directory`, hashing payload and tag files on all cores.
    ///
    /// Where the RFC and bagit-python 1.9 differ, the RFC wins and the difference is small:
    /// `%25` in a manifest path is read as `%` (bagit-python only decodes `%0A`/`%0D`), and a
    /// manifest written in NFD matches an NFC name on disk in both directions (bagit-python
    /// only finds it in one). `lantai bag validate` prints `BagReport.description` and exits
    /// 1 when `isValid` is false.
    public static func validate(directory: URL, options: BagValidator.Options = .init()) throws -> BagReport {
        var root = directory.standardizedFileURL.path
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
            throw Failure.notADirectory(root)
        }
        var run = BagValidationRun(root: root, options: options)
        try run.perform()
        return run.report
    }
}

extension BagValidator.Options {
    var keepsPayloadDigests: Bool { !additionalPayloadDigests.isEmpty }
}

/// One manifest as read: which algorithm, which file, and its entries keyed by NFC path.
private struct BagManifest {
    var fileName: String
    var algorithmName: String
    var algorithm: BagAlgorithm?
    var isTag: Bool
    /// NFC key → (path as written after percent-decoding, lowercase digest or nil if malformed)
    var entries: [String: (path: String, digest: String?)] = [:]
}

private struct BagHashJob {
    var path: String
    var isTag: Bool
    var expected: [BagAlgorithm: (digest: String, manifest: String)]
    var size: UInt64
}

private struct BagValidationRun {
    let root: String
    let options: BagValidator.Options
    var report = BagReport(
        problems: [], warnings: [], version: nil, payloadFiles: 0, payloadBytes: 0,
        algorithms: [], bagInfo: [], digestsChecked: false)

    /// Regular files, NFC key → entry (raw name kept).
    var payloadFiles: [String: BagEntry] = [:]
    var tagFiles: [String: BagEntry] = [:]
    /// NFC keys of links, devices and FIFOs already reported, so a manifest naming one is
    /// not also reported as a missing file.
    var nonRegular: Set<String> = []
    var topLevelDirectories: Set<String> = []

    init(root: String, options: BagValidator.Options) {
        self.root = root
        self.options = options
    }

    mutating func problem(_ code: BagProblemCode, _ path: String?, _ message: String) {
        report.problems.append(BagProblem(code, path: path, message))
    }

    mutating func warning(_ code: BagProblemCode, _ path: String?, _ message: String) {
        report.warnings.append(BagProblem(code, path: path, message))
    }

    mutating func perform() throws {
        try inventory()
        readBagitTxt()
        let oxum = readBagInfo()
        var manifests = readManifests()
        let fetchKeys = readFetch(manifests: manifests)
        checkCompleteness(manifests: manifests, fetchKeys: fetchKeys)
        checkOxum(oxum)
        if !options.fast {
            checkDigests(manifests: &manifests)
            report.digestsChecked = true
        }
    }

    // MARK: inventory

    mutating func inventory() throws {
        let walk = try BagFileIO.walk(root: root)
        for path in walk.undecodable.sorted() {
            problem(.encoding, path, "file name is not valid UTF-8, so no UTF-8 manifest can list it")
        }
        for (path, error) in walk.unreadable.sorted(by: { $0.path < $1.path }) {
            nonRegular.insert(BagPath.key(path))
            problem(.readError, path, "cannot be read: \(error)")
        }
        let entries = walk.entries
        var dataIsDirectory = false
        for entry in entries.sorted(by: { $0.path < $1.path }) {
            let key = BagPath.key(entry.path)
            switch entry.kind {
            case .directory:
                if entry.path == "data" { dataIsDirectory = true }
                if !entry.path.contains("/") { topLevelDirectories.insert(entry.path) }
            case .symlink:
                nonRegular.insert(key)
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/" + entry.path)) ?? "?"
                problem(.symlink, entry.path, "symbolic link (to \(BagPath.printable(target))); a bag must contain the files themselves")
            case .special(let what):
                nonRegular.insert(key)
                problem(.specialFile, entry.path, "\(what), not a regular file")
            case .regular:
                let isPayload = BagPath.isPayload(entry.path)
                if isPayload {
                    // Measured before the conflict check: Payload-Oxum counts what is on disk.
                    report.payloadFiles += 1
                    report.payloadBytes += entry.size
                }
                let existing = isPayload ? payloadFiles[key] : tagFiles[key]
                if let existing {
                    problem(.normalizationConflict, entry.path,
                            "differs from \(BagPath.printable(existing.path)) only in Unicode normalisation (NFC/NFD)")
                    continue
                }
                if isPayload {
                    payloadFiles[key] = entry
                } else if entry.path == "data" {
                    // A regular file called data: reported below as a missing payload directory.
                } else {
                    tagFiles[key] = entry
                }
            }
        }
        if !dataIsDirectory {
            problem(.missingPayloadDirectory, "data", "the payload directory data/ is missing or not a directory")
        }
    }

    // MARK: bagit.txt

    mutating func readBagitTxt() {
        guard let entry = tagFiles["bagit.txt"] else {
            if !nonRegular.contains("bagit.txt") {
                problem(.missingBagitTxt, "bagit.txt", "bagit.txt is missing, so this is not a bag (RFC 8493 §2.1.1)")
            }
            return
        }
        guard let text = readTagText(entry.path) else { return }
        if text.hadBOM {
            problem(.encoding, entry.path, "bagit.txt must not start with a byte-order mark (RFC 8493 §2.1.1)")
        }
        let (elements, issues) = BagTagText.parseElements(text.lines)
        for issue in issues {
            if issue.isError {
                problem(.badBagitVersion, entry.path, "line \(issue.line): \(issue.message)")
            } else {
                warning(.format, entry.path, "line \(issue.line): \(issue.message)")
            }
        }
        let version = elements.first { $0.label == "BagIt-Version" }?.value
        let encoding = elements.first { $0.label == "Tag-File-Character-Encoding" }?.value
        report.version = version
        switch version {
        case nil:
            problem(.badBagitVersion, entry.path, "bagit.txt has no BagIt-Version")
        case "1.0", "0.97":
            break
        case let v?:
            problem(.badBagitVersion, entry.path, "BagIt-Version \(v) is not supported (expected 1.0 or 0.97)")
        }
        switch encoding {
        case nil:
            problem(.encoding, entry.path, "bagit.txt has no Tag-File-Character-Encoding")
        case let e? where e.uppercased() == "UTF-8":
            break
        case let e?:
            problem(.encoding, entry.path, "Tag-File-Character-Encoding \(e) is not supported; tag files must be UTF-8")
        }
        let labels = elements.map(\.label)
        if labels != ["BagIt-Version", "Tag-File-Character-Encoding"] && version != nil && encoding != nil {
            warning(.format, entry.path,
                    "bagit.txt should hold exactly BagIt-Version then Tag-File-Character-Encoding (RFC 8493 §2.1.1)")
        }
    }

    // MARK: bag-info.txt

    /// Returns the declared Payload-Oxum (octets, streams), if well formed.
    mutating func readBagInfo() -> (octets: UInt64, streams: Int)? {
        guard let entry = tagFiles["bag-info.txt"], let text = readTagText(entry.path) else {
            if options.fast {
                problem(.missingPayloadOxum, "bag-info.txt", "fast validation needs a Payload-Oxum in bag-info.txt")
            }
            return nil
        }
        if text.hadBOM {
            warning(.encoding, entry.path, "bag-info.txt starts with a byte-order mark; ignored")
        }
        let (elements, issues) = BagTagText.parseElements(text.lines)
        for issue in issues {
            if issue.isError {
                problem(.badBagInfo, entry.path, "line \(issue.line): \(issue.message)")
            } else {
                warning(.format, entry.path, "line \(issue.line): \(issue.message)")
            }
        }
        report.bagInfo = elements.map { ($0.label, $0.value) }
        let oxums = elements.filter { $0.label.caseInsensitiveCompare("Payload-Oxum") == .orderedSame }
        guard let first = oxums.first else {
            if options.fast {
                problem(.missingPayloadOxum, entry.path, "fast validation needs a Payload-Oxum in bag-info.txt")
            }
            return nil
        }
        if oxums.count > 1 {
            warning(.format, entry.path, "Payload-Oxum is given \(oxums.count) times; the first is used")
        }
        let parts = first.value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2,
              parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
              let octets = UInt64(parts[0]), let streams = Int(parts[1])
        else {
            problem(.badBagInfo, entry.path,
                    "line \(first.line): Payload-Oxum \"\(first.value)\" is not octets.streamcount")
            return nil
        }
        return (octets, streams)
    }

    // MARK: manifests

    mutating func readManifests() -> [BagManifest] {
        var manifests: [BagManifest] = []
        let topLevel = tagFiles.values.map(\.path).filter { !$0.contains("/") }.sorted()
        for name in topLevel {
            let isTag: Bool
            let algorithmName: String
            if name.hasPrefix("tagmanifest-") && name.hasSuffix(".txt") {
                isTag = true
                algorithmName = String(name.dropFirst("tagmanifest-".count).dropLast(4))
            } else if name.hasPrefix("manifest-") && name.hasSuffix(".txt") {
                isTag = false
                algorithmName = String(name.dropFirst("manifest-".count).dropLast(4))
            } else {
                continue
            }
            var manifest = BagManifest(
                fileName: name, algorithmName: algorithmName,
                algorithm: BagAlgorithm(rawValue: algorithmName), isTag: isTag)
            parseManifest(&manifest)
            manifests.append(manifest)
        }
        let payload = manifests.filter { !$0.isTag }
        let known = payload.filter { $0.algorithm != nil }
        if payload.isEmpty {
            problem(.noPayloadManifest, nil, "no payload manifest (manifest-ALG.txt) in the bag")
        }
        for m in manifests where m.algorithm == nil {
            let message = "\(m.fileName): algorithm \"\(m.algorithmName)\" is not supported (md5, sha1, sha256, sha384, sha512)"
            if !m.isTag && known.isEmpty {
                problem(.unknownAlgorithm, m.fileName, message + "; no payload manifest can be checked")
            } else {
                warning(.unknownAlgorithm, m.fileName, message + "; its digests are not checked")
            }
        }
        report.algorithms = known.compactMap(\.algorithm).sorted()
        return manifests
    }

    mutating func parseManifest(_ manifest: inout BagManifest) {
        let name = manifest.fileName
        guard let entry = tagFiles[name], let text = readTagText(entry.path) else { return }
        if text.hadBOM {
            warning(.encoding, name, "starts with a byte-order mark; ignored")
        }
        var warnedStar = false
        for (index, line) in text.lines.enumerated() {
            let number = index + 1
            if line.allSatisfy(BagTagText.isLinearWhitespace) { continue }
            if line.hasPrefix("#") {
                warning(.format, name, "line \(number): comment line ignored")
                continue
            }
            guard let (digest, rawPath, hadStar) = BagTagText.splitManifestLine(line) else {
                problem(.badManifestLine, name, "line \(number): not \"DIGEST PATH\": \(BagPath.printable(line))")
                continue
            }
            if hadStar && !warnedStar {
                warnedStar = true
                warning(.format, name, "line \(number): leading * before the path ignored")
            }
            var path = BagPath.decode(rawPath)
            if let reason = BagPath.unsafeReason(path) {
                problem(.unsafePath, path, "\(name) line \(number): \(reason)")
                continue
            }
            if let clean = BagPath.cleaned(path) {
                warning(.format, path, "\(name) line \(number): path has empty or . components; read as \(BagPath.printable(clean))")
                path = clean
            }
            if manifest.isTag && (BagPath.isPayload(path) || path == "data") {
                problem(.badManifestLine, path, "\(name) line \(number): a tag manifest must not list payload files")
                continue
            }
            if !manifest.isTag && !BagPath.isPayload(path) {
                problem(.badManifestLine, path, "\(name) line \(number): a payload manifest must list only files under data/")
                continue
            }
            var lowered: String? = digest.lowercased()
            if let algorithm = manifest.algorithm,
               !DigestAlgorithm.isHex(digest, length: algorithm.hexLength) {
                problem(.badManifestLine, path,
                        "\(name) line \(number): \"\(BagPath.printable(String(digest)))\" is not a \(algorithm.rawValue) digest")
                lowered = nil
            }
            let key = BagPath.key(path)
            if manifest.entries[key] != nil {
                problem(.badManifestLine, path, "\(name) line \(number): file listed more than once")
                continue
            }
            manifest.entries[key] = (path, lowered)
        }
    }

    // MARK: fetch.txt

    /// NFC keys of payload files fetch.txt promises.
    mutating func readFetch(manifests: [BagManifest]) -> Set<String> {
        guard let entry = tagFiles["fetch.txt"], let text = readTagText(entry.path) else { return [] }
        var keys: Set<String> = []
        let payloadManifests = manifests.filter { !$0.isTag }
        for (index, line) in text.lines.enumerated() {
            let number = index + 1
            if line.allSatisfy(BagTagText.isLinearWhitespace) { continue }
            let fields = line.split(maxSplits: 2, omittingEmptySubsequences: true, whereSeparator: BagTagText.isLinearWhitespace)
            guard fields.count == 3 else {
                problem(.badFetchLine, "fetch.txt", "line \(number): not \"URL LENGTH PATH\"")
                continue
            }
            let url = fields[0], length = fields[1]
            let path = BagPath.decode(fields[2])
            if !(url.contains("://") || url.hasPrefix("file:")) {
                problem(.badFetchLine, "fetch.txt", "line \(number): \"\(url)\" is not a URL")
            }
            if length != "-" && !length.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                problem(.badFetchLine, "fetch.txt", "line \(number): length \"\(length)\" is neither a number nor -")
            }
            if let reason = BagPath.unsafeReason(path) {
                problem(.unsafePath, path, "fetch.txt line \(number): \(reason)")
                continue
            }
            guard BagPath.isPayload(path) else {
                problem(.badFetchLine, path, "fetch.txt line \(number): only payload files (under data/) may be fetched")
                continue
            }
            let key = BagPath.key(path)
            keys.insert(key)
            let unlisted = payloadManifests.filter { $0.entries[key] == nil }.map(\.fileName)
            if !unlisted.isEmpty {
                problem(.badFetchLine, path, "fetch.txt line \(number): not listed in \(unlisted.joined(separator: ", "))")
            }
            if let present = payloadFiles[key] {
                if length != "-", let expected = UInt64(length), expected != present.size {
                    warning(.format, path, "fetch.txt gives \(expected) bytes but the file present has \(present.size)")
                }
            }
        }
        let stillToFetch = keys.filter { payloadFiles[$0] == nil }
        if stillToFetch.isEmpty && !keys.isEmpty {
            warning(.fetchUnsupported, "fetch.txt", "fetch.txt is present but every file it lists is already in the bag")
        }
        return keys
    }

    // MARK: completeness

    mutating func checkCompleteness(manifests: [BagManifest], fetchKeys: Set<String>) {
        let payloadManifests = manifests.filter { !$0.isTag }
        // Every listed payload file present.
        var listed: [String: (path: String, manifests: [String])] = [:]
        for m in payloadManifests {
            for (key, e) in m.entries {
                listed[key, default: (e.path, [])].manifests.append(m.fileName)
            }
        }
        for (key, item) in listed.sorted(by: { $0.key < $1.key }) where payloadFiles[key] == nil {
            if nonRegular.contains(key) { continue }
            if fetchKeys.contains(key) {
                problem(.fetchUnsupported, item.path,
                        "listed in fetch.txt but not present; Lantai does not download fetch.txt files — fetch them and submit again")
            } else {
                problem(.missingFile, item.path,
                        "listed in \(item.manifests.sorted().joined(separator: ", ")) but not in the bag")
            }
        }
        // Every payload file listed in every payload manifest.
        if !payloadManifests.isEmpty {
            for (key, entry) in payloadFiles.sorted(by: { $0.value.path < $1.value.path }) {
                let missingFrom = payloadManifests.filter { $0.entries[key] == nil }.map(\.fileName)
                if !missingFrom.isEmpty {
                    problem(.unlistedFile, entry.path, "in data/ but not listed in \(missingFrom.joined(separator: ", "))")
                }
            }
        }
        // Every file a tag manifest lists present.
        let tagManifests = manifests.filter(\.isTag)
        var listedTags: [String: (path: String, manifests: [String])] = [:]
        for m in tagManifests {
            for (key, e) in m.entries {
                listedTags[key, default: (e.path, [])].manifests.append(m.fileName)
            }
        }
        for (key, item) in listedTags.sorted(by: { $0.key < $1.key }) where tagFiles[key] == nil {
            if nonRegular.contains(key) { continue }
            problem(.missingFile, item.path, "listed in \(item.manifests.sorted().joined(separator: ", ")) but not in the bag")
        }
        // The tag files that carry the bag's own description should be covered by the tag
        // manifests, or a changed bag-info.txt goes unnoticed. RFC 8493 only says SHOULD.
        if !tagManifests.isEmpty {
            let wanted = ["bagit.txt", "bag-info.txt", "fetch.txt"] + payloadManifests.map(\.fileName)
            for name in wanted where tagFiles[name] != nil {
                let missingFrom = tagManifests.filter { $0.entries[name] == nil }.map(\.fileName)
                if !missingFrom.isEmpty {
                    warning(.unlistedTagFile, name, "not listed in \(missingFrom.joined(separator: ", "))")
                }
            }
        }
    }

    mutating func checkOxum(_ oxum: (octets: UInt64, streams: Int)?) {
        guard let oxum else { return }
        if oxum.octets != report.payloadBytes || oxum.streams != report.payloadFiles {
            problem(.payloadOxumMismatch, "bag-info.txt",
                    "Payload-Oxum says \(oxum.octets) bytes in \(oxum.streams) files, but data/ holds \(report.payloadBytes) bytes in \(report.payloadFiles) files")
        }
    }

    // MARK: digests

    mutating func checkDigests(manifests: inout [BagManifest]) {
        var jobs: [BagHashJob] = []
        func collect(_ files: [String: BagEntry], isTag: Bool) {
            for (key, entry) in files {
                var expected: [BagAlgorithm: (digest: String, manifest: String)] = [:]
                for m in manifests where m.isTag == isTag {
                    guard let algorithm = m.algorithm, let digest = m.entries[key]?.digest else { continue }
                    expected[algorithm] = (digest, m.fileName)
                }
                if !expected.isEmpty {
                    jobs.append(BagHashJob(path: entry.path, isTag: isTag, expected: expected, size: entry.size))
                }
            }
        }
        collect(payloadFiles, isTag: false)
        collect(tagFiles, isTag: true)
        jobs.sort { $0.path < $1.path }

        let root = self.root
        let chunkSize = options.chunkSize
        let additional = options.additionalPayloadDigests
        let keep = options.keepsPayloadDigests
        let results = BagFileIO.map(
            weights: jobs.map(\.size), concurrency: options.concurrency, chunkSize: chunkSize
        ) { index, parallelAlgorithms, buffer -> Result<(BagFileDigest, [DigestAlgorithm: String]?), Error> in
            let job = jobs[index]
            return Result {
                let manifestAlgorithms = Array(job.expected.keys).sorted()
                guard keep, !job.isTag else {
                    return (try BagFileIO.digest(path: root + "/" + job.path, algorithms: manifestAlgorithms,
                                                 buffer: buffer, parallelAlgorithms: parallelAlgorithms), nil)
                }
                let all = try BagFileIO.digests(path: root + "/" + job.path,
                                                algorithms: manifestAlgorithms.map(\.digestAlgorithm) + additional,
                                                buffer: buffer, parallelAlgorithms: parallelAlgorithms)
                var found: [BagAlgorithm: String] = [:]
                for algorithm in manifestAlgorithms { found[algorithm] = all.digests[algorithm.digestAlgorithm] }
                return (BagFileDigest(byteCount: all.byteCount, digests: found), all.digests)
            }
        }
        for (job, result) in zip(jobs, results) {
            switch result {
            case .failure(let error):
                problem(.readError, job.path, "cannot be read: \(error)")
            case .success(let (found, all)):
                if let all { report.payloadDigests[job.path] = all }
                var mismatches: [String] = []
                for (algorithm, expected) in job.expected.sorted(by: { $0.key < $1.key }) {
                    let actual = found.digests[algorithm] ?? ""
                    if actual != expected.digest {
                        mismatches.append("\(expected.manifest) expects \(expected.digest), found \(actual)")
                    }
                }
                if !mismatches.isEmpty {
                    problem(job.isTag ? .tagmanifestDigestMismatch : .manifestDigestMismatch, job.path,
                            "content changed: " + mismatches.joined(separator: "; "))
                }
            }
        }
    }

    // MARK: helpers

    /// Reads and decodes a tag file, reporting unreadable or non-UTF-8 content.
    mutating func readTagText(_ path: String) -> BagTagText.Decoded? {
        let bytes: [UInt8]
        do {
            bytes = try BagFileIO.readSmallFile(path: root + "/" + path)
        } catch {
            problem(.readError, path, "cannot be read: \(error)")
            return nil
        }
        guard let text = BagTagText.decode(bytes) else {
            problem(.encoding, path, "not valid UTF-8")
            return nil
        }
        return text
    }
}
