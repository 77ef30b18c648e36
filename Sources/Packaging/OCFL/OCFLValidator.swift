import Foundation

/// Error (a MUST broken) or warning (a SHOULD not followed), as the OCFL validation codes define.
public enum OCFLSeverity: String, Sendable, Hashable {
    case error
    case warning
}

/// One finding, named by its OCFL 1.1 validation code (https://ocfl.io/1.1/spec/validation-codes.html).
public struct OCFLValidationIssue: Sendable, Hashable, CustomStringConvertible {
    /// `E001`…`E112` or `W001`…`W016`.
    public var code: String
    public var message: String
    /// Storage-relative path of the object (or file) concerned; `""` for the path validated.
    public var location: String

    public init(code: String, message: String, location: String = "") {
        self.code = code
        self.message = message
        self.location = location
    }

    public var severity: OCFLSeverity { code.hasPrefix("E") ? .error : .warning }

    /// `E092 [3c0/ff4/240/…] v1/content/a.txt: …` — one line for the CLI.
    public var description: String {
        location.isEmpty ? "\(code) \(message)" : "\(code) [\(location)] \(message)"
    }
}

/// The outcome of validating an object or a storage root.
public struct OCFLValidationReport: Sendable, CustomStringConvertible {
    public var issues: [OCFLValidationIssue] = []
    /// Objects examined (1 when validating a single object).
    public var objectsChecked = 0
    public var validObjects = 0

    public init() {}

    public var errors: [OCFLValidationIssue] { issues.filter { $0.severity == .error } }
    public var warnings: [OCFLValidationIssue] { issues.filter { $0.severity == .warning } }
    /// Valid means no errors; warnings are printed but do not fail (`lantai ocfl validate` exits 0).
    public var isValid: Bool { errors.isEmpty }
    public var codes: Set<String> { Set(issues.map(\.code)) }
    public var errorCodes: Set<String> { Set(errors.map(\.code)) }

    public var description: String {
        var lines = issues.map(\.description)
        lines.append(isValid
            ? "valid (\(objectsChecked) object\(objectsChecked == 1 ? "" : "s"), \(warnings.count) warning\(warnings.count == 1 ? "" : "s"))"
            : "INVALID: \(errors.count) error\(errors.count == 1 ? "" : "s") (\(validObjects) of \(objectsChecked) objects valid)")
        return lines.joined(separator: "\n")
    }
}

/// Validates OCFL 1.0/1.1 objects and storage roots against the specification, reporting the
/// spec's own codes so that findings can be compared with other validators (ocfl-py, ocfl-java)
/// and looked up at ocfl.io.
///
/// It reads through ``OCFLStorage`` (so it validates S3 roots the same way) and streams every
/// content file once, computing the inventory digest and any fixity digests in the same pass.
public struct OCFLValidator: Sendable {
    public let storage: any OCFLStorage
    /// Recompute content digests (E092, E093). Off, only structure and inventories are checked.
    public var checkDigests: Bool
    public var chunkSize: Int

    /// Extension names registered at https://ocfl.github.io/extensions/ (W013, W016, E071).
    static let registeredExtensions: Set<String> = [
        "0001-digest-algorithms", "0002-flat-direct-storage-layout", "0003-hash-and-id-n-tuple-storage-layout",
        "0004-hashed-n-tuple-storage-layout", "0005-mutable-head", "0006-flat-omit-prefix-storage-layout",
        "0007-n-tuple-omit-prefix-storage-layout", "0008-schema-registry", "0009-digest-algorithms",
        "0010-differential-ocfl-inventory", "0011-direct-clean-path-layout",
    ]
    static let specVersions = ["1.0", "1.1"]

    public init(storage: any OCFLStorage, checkDigests: Bool = true, chunkSize: Int = 1 << 20) {
        self.storage = storage
        self.checkDigests = checkDigests
        self.chunkSize = chunkSize
    }

    /// Validates whatever is at `url`: a storage root (it has `0=ocfl_1.x`) or an object.
    /// This is what `lantai ocfl validate PATH` runs.
    public static func validate(at url: URL, checkDigests: Bool = true) -> OCFLValidationReport {
        let storage = FileSystemOCFLStorage(root: url)
        let validator = OCFLValidator(storage: storage, checkDigests: checkDigests)
        guard let entries = try? storage.list("") else {
            var report = OCFLValidationReport()
            report.issues.append(OCFLValidationIssue(code: "E003", message: "\(url.path) is not a directory holding an OCFL object or storage root"))
            return report
        }
        let names = Set(entries.map(\.name))
        let isRoot = names.contains { $0.hasPrefix("0=ocfl_") && !$0.hasPrefix("0=ocfl_object_") }
            || (!names.contains { $0.hasPrefix("0=ocfl_object_") } && !names.contains("inventory.json")
                && (names.contains("ocfl_layout.json") || names.contains("extensions")))
        return isRoot ? validator.validateStorageRoot() : validator.validateObject()
    }

    /// Validates the object whose root is at `path` (storage-relative).
    public func validateObject(at path: String = "") -> OCFLValidationReport {
        var log = Log(location: path)
        _ = checkObject(path, &log)
        var report = OCFLValidationReport()
        report.issues = log.issues
        report.objectsChecked = 1
        report.validObjects = report.isValid ? 1 : 0
        return report
    }

    /// Validates the storage root at the top of the storage and every object under it.
    public func validateStorageRoot() -> OCFLValidationReport {
        var log = Log(location: "")
        var report = OCFLValidationReport()
        guard let entries = try? storage.list("") else {
            log.add("E069", "no storage root here (not a readable directory)")
            report.issues = log.issues
            return report
        }

        // Root conformance declaration (E069, E076, E079, E080).
        var rootVersion = "1.1"
        let declarations = entries.filter { $0.kind == .file && $0.name.hasPrefix("0=") }
        if declarations.isEmpty {
            log.add("E069", "storage root has no 0=ocfl_1.1 declaration file")
        } else if declarations.count > 1 {
            log.add("E076", "storage root has more than one declaration file: \(declarations.map(\.name).sorted().joined(separator: ", "))")
        } else {
            let name = declarations[0].name
            if let version = Self.specVersions.first(where: { name == "0=ocfl_\($0)" }) {
                rootVersion = version
                let body = try? storage.readData(name, limit: 4096)
                if body != Data("ocfl_\(version)\n".utf8) {
                    log.add("E080", "\(name) must contain exactly \"ocfl_\(version)\" and a newline")
                }
            } else {
                log.add("E079", "\(name) is not a storage root declaration for a known OCFL version (expected 0=ocfl_1.1)")
            }
        }

        // Layout (E070, E071), which also lets us check where each object sits (E083).
        var layout: OCFLHashedNTupleLayout?
        if entries.contains(where: { $0.name == "ocfl_layout.json" }) {
            let json = (try? storage.readData("ocfl_layout.json", limit: 1 << 20)).flatMap { try? JSONSerialization.jsonObject(with: $0) }
            if let object = json as? [String: Any], let ext = object["extension"] as? String, object["description"] is String {
                if !Self.registeredExtensions.contains(ext) {
                    log.add("E071", "ocfl_layout.json names \(ext), which is not a registered storage layout extension")
                } else if ext == OCFLHashedNTupleLayout.extensionName {
                    let configPath = ocflJoin("extensions", ext, "config.json")
                    if let data = try? storage.readData(configPath, limit: 1 << 20),
                       let config = try? JSONDecoder().decode(OCFLHashedNTupleLayout.self, from: data), config.problem == nil {
                        layout = config
                    } else if (try? storage.exists(configPath)) != true {
                        layout = OCFLHashedNTupleLayout()
                    }
                }
            } else {
                log.add("E070", "ocfl_layout.json must be a JSON object with string keys extension and description")
            }
        }

        // Storage root extensions (E112, W016).
        if let ext = entries.first(where: { $0.name == "extensions" }), ext.kind == .directory {
            for entry in ((try? storage.list("extensions")) ?? []).sorted(by: { $0.name < $1.name }) {
                if entry.kind != .directory {
                    log.add("E112", "extensions/\(entry.name) is not an extension directory")
                } else if ocflLastElement(OCFLStorageRoot.stagingDirectory) == entry.name {
                    log.add("W016", "extensions/\(entry.name) holds writes that were interrupted; remove them with purgeAbandonedStaging once no writer is running")
                } else if !Self.registeredExtensions.contains(entry.name) {
                    log.add("W016", "extensions/\(entry.name) is not a registered extension name")
                }
            }
        }

        // The storage hierarchy (E072, E073, E084, E090), and every object in it.
        var ids: [String: String] = [:]
        func walk(_ dir: String) {
            guard let entries = try? storage.list(dir) else {
                log.add("E073", "\(dir) cannot be listed")
                return
            }
            if entries.contains(where: { $0.kind == .file && $0.name.hasPrefix("0=ocfl_object_") }) {
                var objectLog = Log(location: dir)
                let found = checkObject(dir, &objectLog)
                if let version = found.specVersion, Self.specVersions.firstIndex(of: version)! > Self.specVersions.firstIndex(of: rootVersion)! {
                    objectLog.add("E081", "object declares OCFL \(version), later than the storage root's \(rootVersion)")
                }
                if let id = found.id {
                    if let layout, layout.objectPath(for: id) != dir {
                        objectLog.add("E083", "object \(id) is at \(dir), but the storage root's layout puts it at \(layout.objectPath(for: id))")
                    }
                    if let other = ids[id] {
                        objectLog.add("E037", "object id \(id) is also used by the object at \(other)")
                    } else {
                        ids[id] = dir
                    }
                }
                report.objectsChecked += 1
                if !objectLog.issues.contains(where: { $0.severity == .error }) { report.validObjects += 1 }
                log.append(contentsOf: objectLog.issues)
                return
            }
            if entries.isEmpty {
                log.add("E073", "\(dir) is an empty directory")
                return
            }
            for entry in entries where entry.kind == .other {
                log.add("E090", "\(ocflJoin(dir, entry.name)) is a link or special file")
            }
            let files = entries.filter { $0.kind == .file }
            let dirs = entries.filter { $0.kind == .directory }
            if !files.isEmpty {
                if files.contains(where: { $0.name == "inventory.json" }) {
                    log.add("E003", "\(dir) has an inventory.json but no 0=ocfl_object_1.1 declaration")
                    return
                } else if dirs.isEmpty {
                    log.add("E072", "\(dir) holds files (\(files.map(\.name).sorted().prefix(3).joined(separator: ", "))) that are not part of any OCFL object")
                } else {
                    log.add("E084", "intermediate directory \(dir) holds files (\(files.map(\.name).sorted().prefix(3).joined(separator: ", ")))")
                }
            }
            for entry in dirs.sorted(by: { $0.name < $1.name }) { walk(ocflJoin(dir, entry.name)) }
        }
        for entry in entries.sorted(by: { $0.name < $1.name }) where entry.kind == .directory && entry.name != "extensions" {
            walk(entry.name)
        }
        for entry in entries where entry.kind == .other {
            log.add("E090", "\(entry.name) is a link or special file")
        }
        report.issues = log.issues
        return report
    }

    // MARK: - Objects

    struct Log {
        var location: String
        private(set) var issues: [OCFLValidationIssue] = []
        private var seen = Set<OCFLValidationIssue>()

        init(location: String) {
            self.location = location
        }

        mutating func add(_ code: String, _ message: String) {
            append(OCFLValidationIssue(code: code, message: message, location: location))
        }

        /// Adds an issue once, in order of discovery.
        mutating func append(_ issue: OCFLValidationIssue) {
            if seen.insert(issue).inserted { issues.append(issue) }
        }

        mutating func append(contentsOf other: [OCFLValidationIssue]) {
            for issue in other { append(issue) }
        }
    }

    /// Checks one object; returns its id and declared spec version when they could be read.
    private func checkObject(_ path: String, _ log: inout Log) -> (id: String?, specVersion: String?) {
        guard let entries = try? storage.list(path) else {
            log.add("E003", "no OCFL object here: \(path.isEmpty ? "the path" : path) is not a readable directory")
            return (nil, nil)
        }

        // Object conformance declaration (E003, E006, E007).
        var specVersion = "1.1"
        var declaredVersion: String?
        let declarations = entries.filter { $0.kind == .file && $0.name.hasPrefix("0=") }
        if declarations.isEmpty {
            log.add("E003", "object has no 0=ocfl_object_1.1 declaration file")
        } else if declarations.count > 1 {
            log.add("E003", "object has more than one declaration file: \(declarations.map(\.name).sorted().joined(separator: ", "))")
        } else {
            let name = declarations[0].name
            if let version = Self.specVersions.first(where: { name == "0=ocfl_object_\($0)" }) {
                specVersion = version
                declaredVersion = version
                let body = try? storage.readData(ocflJoin(path, name), limit: 4096)
                if body != Data("ocfl_object_\(version)\n".utf8) {
                    log.add("E007", "\(name) must contain exactly \"ocfl_object_\(version)\" and a newline")
                }
            } else {
                log.add("E006", "declaration \(name) is not 0=ocfl_object_ followed by a known OCFL version (expected 0=ocfl_object_1.1)")
            }
        }

        // Root inventory (E063, E033 and everything inside), sidecar (E058, E060, E061).
        guard entries.contains(where: { $0.name == "inventory.json" && $0.kind == .file }) else {
            log.add("E063", "object has no inventory.json")
            return (nil, declaredVersion)
        }
        guard let rootData = try? storage.readData(ocflJoin(path, "inventory.json")) else {
            log.add("E033", "inventory.json cannot be read")
            return (nil, declaredVersion)
        }
        guard let inventory = checkInventory(rootData, at: "inventory.json", specVersion: specVersion, &log) else {
            return (nil, declaredVersion)
        }
        let algorithm = inventory.digestAlgorithm.flatMap { OCFLDigestAlgorithm(rawValue: $0) }.flatMap { $0.isContentAddressing ? $0 : nil }
        if let algorithm {
            checkSidecar(inventoryData: rootData, dir: path, shownAs: "", algorithm: algorithm, &log)
        }

        // Object root entries (E001, E046, E067, W013, E090).
        let versionNames = Set(inventory.versions.keys)
        let sidecarName = "inventory.json.\(inventory.digestAlgorithm ?? "sha512")"
        for entry in entries.sorted(by: { $0.name < $1.name }) {
            switch entry.kind {
            case .file:
                if entry.name == "inventory.json" || entry.name == sidecarName || entry.name.hasPrefix("0=") { continue }
                log.add("E001", "unexpected file \(entry.name) in the object root")
            case .directory:
                if versionNames.contains(entry.name) || entry.name == "logs" { continue }
                if entry.name == "extensions" {
                    for ext in ((try? storage.list(ocflJoin(path, "extensions"))) ?? []).sorted(by: { $0.name < $1.name }) {
                        if ext.kind != .directory {
                            log.add("E067", "extensions/\(ext.name) is not an extension directory")
                        } else if !Self.registeredExtensions.contains(ext.name) {
                            log.add("W013", "extensions/\(ext.name) is not a registered extension name")
                        }
                    }
                } else if OCFLVersionName.number(entry.name) != nil {
                    log.add("E046", "version directory \(entry.name) is not in the inventory's versions")
                } else {
                    log.add("E001", "unexpected directory \(entry.name) in the object root")
                }
            case .other:
                log.add("E090", "\(entry.name) is a link or special file")
            }
        }

        // Version directories: layout (E015, W002, E046), their inventories (W010, E064, E066,
        // W011, E103, E110) and content on disk (E023, E024, W003).
        let contentDirectory = inventory.contentDirectory
        let manifestPaths = inventory.contentPathBytes
        var onDisk = Set<[UInt8]>()
        for name in inventory.sortedVersionNames {
            let dir = ocflJoin(path, name)
            guard let entry = entries.first(where: { $0.name == name }), entry.kind == .directory,
                  let versionEntries = try? storage.list(dir) else {
                log.add("E046", "inventory lists version \(name) but there is no \(name) directory")
                continue
            }
            var hasInventory = false
            for e in versionEntries.sorted(by: { $0.name < $1.name }) {
                switch e.kind {
                case .file:
                    if e.name == "inventory.json" { hasInventory = true; continue }
                    if e.name.hasPrefix("inventory.json."),
                       OCFLDigestAlgorithm(rawValue: String(e.name.dropFirst("inventory.json.".count)))?.isContentAddressing == true { continue }
                    log.add("E015", "\(name)/\(e.name): a version directory holds only inventory.json, its sidecar and the content directory")
                case .directory:
                    if e.name == contentDirectory { continue }
                    log.add("W002", "\(name)/\(e.name): a version directory should hold no directory other than \(contentDirectory)")
                case .other:
                    log.add("E090", "\(name)/\(e.name) is a link or special file")
                }
            }
            if hasInventory {
                checkVersionInventory(name, dir: dir, root: inventory, rootData: rootData, specVersion: specVersion, &log)
            } else {
                log.add("W010", "\(name) has no inventory.json of its own")
            }
            if versionEntries.contains(where: { $0.name == contentDirectory && $0.kind == .directory }) {
                let found = walkContent(ocflJoin(dir, contentDirectory), shownAs: ocflJoin(name, contentDirectory), &log)
                if found.isEmpty { log.add("W003", "\(name)/\(contentDirectory) is empty; a version with no new content should not have one") }
                for contentPath in found {
                    onDisk.insert(Array(contentPath.utf8))
                    if !manifestPaths.contains(Array(contentPath.utf8)) {
                        log.add("E023", "\(contentPath) is not in the manifest")
                    }
                }
            }
        }

        // Manifest ↔ disk and digests (E092, E093).
        var missing = Set<[UInt8]>()
        for (_, contentPath) in inventory.manifestPairs where !onDisk.contains(Array(contentPath.utf8)) {
            missing.insert(Array(contentPath.utf8))
            log.add("E092", "\(contentPath) is in the manifest but not in the object")
        }
        for (name, block) in inventory.fixity.sorted(by: { $0.key < $1.key }) {
            for (_, paths) in block {
                for p in paths where missing.contains(Array(p.utf8)) {
                    log.add("E093", "fixity \(name) has a digest for \(p), which is not in the object")
                }
            }
        }
        if checkDigests, let algorithm {
            checkContentDigests(path, inventory, algorithm, skip: missing, &log)
        }
        return (inventory.id, declaredVersion)
    }

    /// Every file under a content directory as a content path; reports empty directories (E024) and links (E090).
    private func walkContent(_ dir: String, shownAs: String, _ log: inout Log) -> [String] {
        guard let entries = try? storage.list(dir) else { return [] }
        var found: [String] = []
        for entry in entries.sorted(by: { $0.name < $1.name }) {
            switch entry.kind {
            case .file:
                found.append(ocflJoin(shownAs, entry.name))
            case .directory:
                let inner = walkContent(ocflJoin(dir, entry.name), shownAs: ocflJoin(shownAs, entry.name), &log)
                if inner.isEmpty, ((try? storage.list(ocflJoin(dir, entry.name))) ?? []).isEmpty {
                    log.add("E024", "\(ocflJoin(shownAs, entry.name)) is an empty directory inside the content directory")
                }
                found += inner
            case .other:
                log.add("E090", "\(ocflJoin(shownAs, entry.name)) is a link or special file")
            }
        }
        return found
    }

    private func checkSidecar(inventoryData: Data, dir: String, shownAs: String, algorithm: OCFLDigestAlgorithm, _ log: inout Log) {
        let name = "inventory.json.\(algorithm.rawValue)"
        let shown = ocflJoin(shownAs, name)
        guard let data = try? storage.readData(ocflJoin(dir, name), limit: 64 << 10) else {
            log.add("E058", "\(shown) is missing")
            return
        }
        guard let recorded = OCFLSidecar.parse(data) else {
            log.add("E061", "\(shown) is not of the form \"DIGEST inventory.json\"")
            return
        }
        let actual = algorithm.digestAlgorithm.hexDigest(of: inventoryData)
        if recorded.lowercased() != actual {
            log.add("E060", "\(ocflJoin(shownAs, "inventory.json")) has \(algorithm.rawValue) \(actual), but \(shown) records \(recorded)")
        }
    }

    private func checkVersionInventory(_ name: String, dir: String, root: ParsedInventory, rootData: Data, specVersion: String, _ log: inout Log) {
        guard let data = try? storage.readData(ocflJoin(dir, "inventory.json")) else {
            log.add("E033", "\(name)/inventory.json cannot be read")
            return
        }
        if name == root.head {
            if data != rootData {
                log.add("E064", "inventory.json differs from \(name)/inventory.json, the inventory of the head version")
            }
            if let algorithm = root.digestAlgorithm.flatMap(OCFLDigestAlgorithm.init(rawValue:)), algorithm.isContentAddressing {
                checkSidecar(inventoryData: data, dir: dir, shownAs: name, algorithm: algorithm, &log)
            }
            return
        }
        // A prior version's inventory: checked in full, then against the root one.
        var versionLog = Log(location: log.location)
        guard let prior = checkInventory(data, at: "\(name)/inventory.json", specVersion: nil, &versionLog) else {
            log.append(contentsOf: versionLog.issues)
            return
        }
        log.append(contentsOf: versionLog.issues)
        if let algorithm = prior.digestAlgorithm.flatMap(OCFLDigestAlgorithm.init(rawValue:)), algorithm.isContentAddressing {
            checkSidecar(inventoryData: data, dir: dir, shownAs: name, algorithm: algorithm, &log)
        }
        if let priorID = prior.id, let rootID = root.id, priorID != rootID {
            log.add("E110", "\(name)/inventory.json has id \(priorID), but the object's id is \(rootID)")
        }
        if let head = prior.head, head != name {
            log.add("E040", "\(name)/inventory.json has head \(head), not \(name)")
        }
        if let priorType = prior.type, let rootType = root.type,
           let p = Self.specVersions.firstIndex(where: { priorType == "https://ocfl.io/\($0)/spec/#inventory" }),
           let r = Self.specVersions.firstIndex(where: { rootType == "https://ocfl.io/\($0)/spec/#inventory" }), p > r {
            log.add("E103", "\(name)/inventory.json conforms to a later OCFL version than the root inventory")
        }
        let sameAlgorithm = prior.digestAlgorithm == root.digestAlgorithm
        for (versionName, priorVersion) in prior.versions.sorted(by: { $0.key < $1.key }) {
            guard let rootVersion = root.versions[versionName] else {
                log.add("E066", "\(name)/inventory.json has version \(versionName), which the root inventory lacks")
                continue
            }
            // Same logical files with the same content: by digest when both use one algorithm,
            // else by the content paths the digests resolve to.
            let priorState = priorVersion.logicalState
            let rootState = rootVersion.logicalState
            var same = Set(priorState.keys.map { Array($0.utf8) }) == Set(rootState.keys.map { Array($0.utf8) })
            if same {
                for (logical, digest) in priorState {
                    let other = rootState[logical] ?? ""
                    if sameAlgorithm {
                        if digest.lowercased() != other.lowercased() { same = false; break }
                    } else if Set(prior.manifestPaths(digest)) != Set(root.manifestPaths(other)) {
                        same = false
                        break
                    }
                }
            }
            if !same {
                log.add("E066", "version \(versionName) in \(name)/inventory.json does not have the same state as in the root inventory")
            }
            if priorVersion.created != rootVersion.created || priorVersion.message != rootVersion.message || priorVersion.user != rootVersion.user {
                log.add("W011", "version \(versionName) metadata (created, message, user) in \(name)/inventory.json differs from the root inventory")
            }
        }
    }

    /// Streams every content file once, checking the manifest digest (E092) and any fixity
    /// digests we can compute (E093).
    private func checkContentDigests(_ path: String, _ inventory: ParsedInventory, _ algorithm: OCFLDigestAlgorithm,
                                     skip: Set<[UInt8]>, _ log: inout Log) {
        var fixityByPath: [[UInt8]: [(OCFLDigestAlgorithm, String)]] = [:]
        var sizeByPath: [[UInt8]: String] = [:]
        for (name, block) in inventory.fixity {
            for (digest, paths) in block {
                for p in paths {
                    if let a = OCFLDigestAlgorithm(rawValue: name) {
                        fixityByPath[Array(p.utf8), default: []].append((a, digest))
                    } else if name == "size" {
                        sizeByPath[Array(p.utf8)] = digest
                    }
                }
            }
        }
        for (digest, contentPath) in inventory.manifestPairs.sorted(by: { $0.1 < $1.1 }) {
            let key = Array(contentPath.utf8)
            if skip.contains(key) { continue }
            let fixity = fixityByPath[key] ?? []
            var hasher = DigestHashers(([algorithm] + fixity.map(\.0)).map(\.digestAlgorithm))
            do {
                try storage.read(ocflJoin(path, contentPath), chunkSize: chunkSize) { hasher.update($0) }
            } catch {
                log.add("E092", "\(contentPath) cannot be read: \(error)")
                continue
            }
            let actual = hasher.finalizeHex()
            if actual[algorithm.digestAlgorithm] != digest.lowercased() {
                log.add("E092", "\(contentPath) has \(algorithm.rawValue) \(actual[algorithm.digestAlgorithm] ?? "?"), but the manifest records \(digest)")
            }
            for (fixityAlgorithm, expected) in fixity where actual[fixityAlgorithm.digestAlgorithm] != expected.lowercased() {
                log.add("E093", "\(contentPath) has \(fixityAlgorithm.rawValue) \(actual[fixityAlgorithm.digestAlgorithm] ?? "?"), but the fixity block records \(expected)")
            }
            if let size = sizeByPath[key], size != String(hasher.byteCount) {
                log.add("E093", "\(contentPath) is \(hasher.byteCount) bytes, but the fixity block records size \(size)")
            }
        }
    }

    // MARK: - Inventories

    /// What could be read from an inventory, kept for the cross-checks after structural validation.
    struct ParsedInventory {
        struct Version: Equatable {
            var created: String?
            var message: String?
            var user: OCFLUser?
            var state: [String: [String]] = [:]

            var logicalState: [String: String] {
                var out: [String: String] = [:]
                for (digest, paths) in state { for p in paths { out[p] = digest } }
                return out
            }
        }

        var id: String?
        var type: String?
        var digestAlgorithm: String?
        var head: String?
        var contentDirectory = "content"
        var manifest: [String: [String]] = [:]
        var versions: [String: Version] = [:]
        var fixity: [String: [String: [String]]] = [:]

        var manifestPairs: [(String, String)] { manifest.flatMap { digest, paths in paths.map { (digest, $0) } } }
        var contentPathBytes: Set<[UInt8]> { Set(manifestPairs.map { Array($0.1.utf8) }) }
        var sortedVersionNames: [String] {
            versions.keys.sorted { (OCFLVersionName.number($0) ?? 0, $0) < (OCFLVersionName.number($1) ?? 0, $1) }
        }

        func manifestPaths(_ digest: String) -> [String] {
            if let paths = manifest[digest] { return paths }
            let lower = digest.lowercased()
            return manifest.first { $0.key.lowercased() == lower }?.value ?? []
        }
    }

    /// Validates an inventory's JSON structure and internal consistency (E033–E111, W001–W009).
    /// `specVersion` is the object's declared version for the root inventory (E038), nil for prior ones.
    private func checkInventory(_ data: Data, at shown: String, specVersion: String?, _ log: inout Log) -> ParsedInventory? {
        guard let any = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
              let json = any as? [String: Any] else {
            log.add("E033", "\(shown) is not a JSON object")
            return nil
        }
        var inv = ParsedInventory()
        let allowed: Set<String> = ["id", "type", "digestAlgorithm", "head", "contentDirectory", "manifest", "versions", "fixity"]
        for key in json.keys.sorted() where !allowed.contains(key) {
            log.add("E102", "\(shown) has key \(key), which the specification does not define")
        }
        for key in ["id", "type", "digestAlgorithm", "head"] where json[key] == nil {
            log.add("E036", "\(shown) lacks the required key \(key)")
        }

        if let value = json["id"] {
            if let id = value as? String, !id.isEmpty {
                inv.id = id
                if !Self.looksLikeURI(id) { log.add("W005", "\(shown): id \(id) should be a URI") }
            } else {
                log.add("E037", "\(shown): id must be a non-empty string")
            }
        }
        if let value = json["type"] {
            if let type = value as? String {
                inv.type = type
                if let specVersion {
                    let expected = "https://ocfl.io/\(specVersion)/spec/#inventory"
                    if type != expected { log.add("E038", "\(shown): type is \(type), expected \(expected) to match the object declaration") }
                } else if !Self.specVersions.contains(where: { type == "https://ocfl.io/\($0)/spec/#inventory" }) {
                    log.add("E038", "\(shown): type \(type) is not an OCFL inventory type")
                }
            } else {
                log.add("E038", "\(shown): type must be a string")
            }
        }
        var algorithm: OCFLDigestAlgorithm?
        if let value = json["digestAlgorithm"] {
            if let name = value as? String, let a = OCFLDigestAlgorithm(rawValue: name), a.isContentAddressing {
                inv.digestAlgorithm = name
                algorithm = a
                if a == .sha256 { log.add("W004", "\(shown): digestAlgorithm should be sha512 (it is sha256)") }
            } else {
                log.add("E025", "\(shown): digestAlgorithm must be sha512 or sha256, not \(value)")
            }
        }
        if let value = json["contentDirectory"] {
            if let dir = value as? String, !dir.contains("/"), !dir.isEmpty {
                if dir == "." || dir == ".." {
                    log.add("E018", "\(shown): contentDirectory must not be . or ..")
                } else {
                    inv.contentDirectory = dir
                }
            } else {
                log.add("E017", "\(shown): contentDirectory must be a string without /")
            }
        }

        // versions (E041, E044, E008, E104, E009, E010, E011, E012, E040, W001).
        var versionNumbers: [(Int, String)] = []
        if let value = json["versions"] {
            if let versions = value as? [String: Any] {
                if versions.isEmpty { log.add("E008", "\(shown): versions is empty; an object has at least version v1") }
                for name in versions.keys.sorted() {
                    if let n = OCFLVersionName.number(name) {
                        versionNumbers.append((n, name))
                    } else {
                        log.add("E104", "\(shown): version \(name) is not v followed by a positive integer")
                    }
                }
                versionNumbers.sort { $0.0 < $1.0 }
                let padded = versionNumbers.filter { OCFLVersionName.isPadded($0.1) }
                if !padded.isEmpty {
                    log.add("W001", "\(shown): version names should not be zero-padded")
                    let widths = Set(versionNumbers.map { $0.1.count })
                    if padded.count != versionNumbers.count || widths.count > 1 {
                        log.add("E012", "\(shown): version names mix zero-padded and unpadded or differing widths")
                    }
                }
                if let first = versionNumbers.first, first.0 != 1 {
                    log.add("E009", "\(shown): versions start at \(first.1), not v1")
                }
                for (a, b) in zip(versionNumbers, versionNumbers.dropFirst()) where b.0 != a.0 + 1 {
                    log.add("E010", "\(shown): versions jump from \(a.1) to \(b.1)")
                }
                if let head = json["head"] {
                    if let head = head as? String {
                        inv.head = head
                        if let last = versionNumbers.last, head != last.1 {
                            log.add("E040", "\(shown): head is \(head), but the latest version is \(last.1)")
                        }
                    } else {
                        log.add("E040", "\(shown): head must be a string")
                    }
                }
                for (_, name) in versionNumbers {
                    guard let block = versions[name] as? [String: Any] else {
                        log.add("E047", "\(shown): version \(name) is not a JSON object")
                        continue
                    }
                    inv.versions[name] = checkVersionBlock(block, name: name, shown: shown, algorithm: algorithm, &log)
                }
            } else {
                log.add("E044", "\(shown): versions must be a JSON object")
            }
        } else {
            log.add("E041", "\(shown) lacks the required versions block")
            if let head = json["head"] as? String { inv.head = head }
        }
        let versionNames = Set(versionNumbers.map(\.1))

        // manifest (E041, E106, E092, E025, E096, E099, E100, E101, E042, E107).
        if let value = json["manifest"] {
            if let manifest = value as? [String: Any] {
                var seenDigests: [String: String] = [:]
                var allPaths: [String] = []
                for digest in manifest.keys.sorted() {
                    guard let paths = manifest[digest] as? [String] else {
                        log.add("E092", "\(shown): manifest entry \(digest) must be an array of content paths")
                        continue
                    }
                    if let algorithm, !DigestAlgorithm.isHex(digest, length: algorithm.hexLength) {
                        log.add("E025", "\(shown): manifest key \(digest) is not a \(algorithm.rawValue) digest")
                    }
                    if let other = seenDigests[digest.lowercased()] {
                        log.add("E096", "\(shown): manifest has digest \(digest) twice (as \(other) too)")
                    }
                    seenDigests[digest.lowercased()] = digest
                    inv.manifest[digest] = paths
                    allPaths += paths
                    for p in paths {
                        if let problem = OCFLPathRules.contentPathProblem(p) {
                            log.add(problem.code, "\(shown): manifest content path \(p): \(problem.reason)")
                            continue
                        }
                        let elements = p.split(separator: "/", omittingEmptySubsequences: false)
                        if elements.count < 3 || !versionNames.contains(String(elements[0])) || String(elements[1]) != inv.contentDirectory {
                            log.add("E042", "\(shown): manifest content path \(p) is not inside a version's \(inv.contentDirectory) directory")
                        }
                    }
                }
                for conflict in OCFLPathRules.conflicts(allPaths) {
                    log.add("E101", "\(shown): manifest content path \(conflict.path) \(conflict.reason)")
                }
            } else {
                log.add("E106", "\(shown): manifest must be a JSON object")
            }
        } else {
            log.add("E041", "\(shown) lacks the required manifest block")
        }

        // State digests must be in the manifest (E050); manifest digests must be used (E107).
        let manifestDigests = Set(inv.manifest.keys.map { $0.lowercased() })
        var used = Set<String>()
        for name in versionNumbers.map(\.1) {
            guard let version = inv.versions[name] else { continue }
            for digest in version.state.keys.sorted() {
                used.insert(digest.lowercased())
                if json["manifest"] is [String: Any], !manifestDigests.contains(digest.lowercased()) {
                    log.add("E050", "\(shown): version \(name) state has digest \(digest), which is not in the manifest")
                }
            }
        }
        if json["versions"] is [String: Any] {
            for digest in inv.manifest.keys.sorted() where !used.contains(digest.lowercased()) {
                log.add("E107", "\(shown): manifest digest \(digest) is not used in any version's state")
            }
        }

        // fixity (E111, E056, E057, E097).
        if let value = json["fixity"] {
            if let fixity = value as? [String: Any] {
                let contentPaths = inv.contentPathBytes
                for name in fixity.keys.sorted() {
                    guard let expectedLength = OCFLDigestAlgorithm.knownFixityNames[name] else {
                        log.add("E056", "\(shown): fixity algorithm \(name) is not one the specification or its extensions define")
                        continue
                    }
                    guard let block = fixity[name] as? [String: Any] else {
                        log.add("E057", "\(shown): fixity block for \(name) must be a JSON object")
                        continue
                    }
                    var seen = Set<String>()
                    var parsed: [String: [String]] = [:]
                    for digest in block.keys.sorted() {
                        guard let paths = block[digest] as? [String] else {
                            log.add("E057", "\(shown): fixity \(name) entry \(digest) must be an array of content paths")
                            continue
                        }
                        if let length = expectedLength, !DigestAlgorithm.isHex(digest, length: length) {
                            log.add("E057", "\(shown): fixity \(name) key \(digest) is not a \(name) digest")
                        }
                        if !seen.insert(digest.lowercased()).inserted {
                            log.add("E097", "\(shown): fixity \(name) has digest \(digest) more than once")
                        }
                        for p in paths where !contentPaths.contains(Array(p.utf8)) {
                            log.add("E057", "\(shown): fixity \(name) lists \(p), which is not a content path in the manifest")
                        }
                        parsed[digest] = paths
                    }
                    inv.fixity[name] = parsed
                }
            } else {
                log.add("E111", "\(shown): fixity must be a JSON object")
            }
        }
        return inv
    }

    private func checkVersionBlock(_ block: [String: Any], name: String, shown: String, algorithm: OCFLDigestAlgorithm?, _ log: inout Log) -> ParsedInventory.Version {
        var version = ParsedInventory.Version()
        let allowed: Set<String> = ["created", "message", "user", "state"]
        for key in block.keys.sorted() where !allowed.contains(key) {
            log.add("E102", "\(shown): version \(name) has key \(key), which the specification does not define")
        }
        if let created = block["created"] {
            if let s = created as? String, OCFLTime.parse(s) != nil {
                version.created = s
            } else {
                log.add("E049", "\(shown): version \(name) created must be an RFC 3339 date-time with time zone, not \(created)")
            }
        } else {
            log.add("E048", "\(shown): version \(name) lacks created")
        }
        if let message = block["message"] {
            if let s = message as? String { version.message = s } else { log.add("E094", "\(shown): version \(name) message must be a string") }
        } else {
            log.add("W007", "\(shown): version \(name) should have a message")
        }
        if let user = block["user"] {
            if let u = user as? [String: Any], let userName = u["name"] as? String {
                var address: String?
                if let a = u["address"] {
                    if let s = a as? String {
                        address = s
                        if !Self.looksLikeURI(s) { log.add("W009", "\(shown): version \(name) user address \(s) should be a URI such as mailto:") }
                    } else {
                        log.add("E054", "\(shown): version \(name) user address must be a string")
                    }
                } else {
                    log.add("W008", "\(shown): version \(name) user should have an address")
                }
                version.user = OCFLUser(name: userName, address: address)
            } else {
                log.add("E054", "\(shown): version \(name) user must be an object with a string name")
            }
        } else {
            log.add("W007", "\(shown): version \(name) should have a user")
        }
        if let state = block["state"] {
            if let s = state as? [String: Any] {
                var logicalPaths: [String] = []
                for digest in s.keys.sorted() {
                    guard let paths = s[digest] as? [String] else {
                        log.add("E050", "\(shown): version \(name) state entry \(digest) must be an array of logical paths")
                        continue
                    }
                    if let algorithm, !DigestAlgorithm.isHex(digest, length: algorithm.hexLength) {
                        log.add("E050", "\(shown): version \(name) state key \(digest) is not a \(algorithm.rawValue) digest")
                    }
                    version.state[digest] = paths
                    logicalPaths += paths
                    for p in paths {
                        if let problem = OCFLPathRules.logicalPathProblem(p) {
                            log.add(problem.code, "\(shown): version \(name) logical path \(p): \(problem.reason)")
                        }
                    }
                }
                for conflict in OCFLPathRules.conflicts(logicalPaths) {
                    log.add("E095", "\(shown): version \(name) logical path \(conflict.path) \(conflict.reason)")
                }
            } else {
                log.add("E050", "\(shown): version \(name) state must be a JSON object")
            }
        } else {
            log.add("E048", "\(shown): version \(name) lacks state")
        }
        return version
    }

    /// `scheme:rest` per RFC 3986 — enough to tell `mailto:x@y` or `urn:…` from a bare name.
    static func looksLikeURI(_ s: String) -> Bool {
        guard let colon = s.firstIndex(of: ":"), colon != s.startIndex, s.index(after: colon) != s.endIndex else { return false }
        let scheme = s[..<colon]
        guard let first = scheme.unicodeScalars.first, first.isASCII, CharacterSet.letters.contains(first) else { return false }
        return scheme.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "+-.".unicodeScalars.contains($0)) }
    }
}

func ocflLastElement(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
}
