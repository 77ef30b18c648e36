import Foundation

/// One problem with one stored file (or with the object itself), as an audit found it.
public struct FixityFailure: Codable, Sendable, Equatable {
    public enum Problem: String, Codable, Sendable {
        /// The file (or the whole object) is not where the inventory says.
        case missing
        /// Its content does not match a recorded digest.
        case mismatch
        /// It is there but cannot be read (permissions, a failing disk, the store refusing).
        case unreadable
        /// The inventory itself cannot be trusted (does not match its sidecar, does not parse),
        /// so nothing in the object can be checked against it.
        case inventory
    }

    /// One recorded digest the content does not match.
    public struct Digest: Codable, Sendable, Equatable {
        /// `sha512`, `sha256`, `sm3` …
        public var algorithm: String
        public var expected: String
        public var actual: String
    }

    /// The content path inside the object (`v1/content/content/文书/通知.txt`), or
    /// `inventory.json`, or empty for the object as a whole.
    public var path: String
    /// The head version's logical paths with this content, to tell the archivist which file it is.
    public var logicalPaths: [String]
    public var problem: Problem
    public var digests: [Digest]
    /// The system's or the store's own words, when it gave any.
    public var detail: String

    public init(path: String, logicalPaths: [String] = [], problem: Problem, digests: [Digest] = [], detail: String = "") {
        self.path = path
        self.logicalPaths = logicalPaths
        self.problem = problem
        self.digests = digests
        self.detail = detail
    }

    /// `v1/content/content/a.txt (content/a.txt): sha512 mismatch (expected 1a2b…, found 3c4d…)`.
    public var summary: String {
        var s = path.isEmpty ? "the object" : path
        if !logicalPaths.isEmpty { s += " (\(logicalPaths.joined(separator: ", ")))" }
        switch problem {
        case .missing: s += ": missing / 文件缺失"
        case .unreadable: s += ": unreadable / 无法读取"
        case .inventory: s += ": inventory cannot be trusted / 清单不可信"
        case .mismatch:
            s += ": " + digests.map { "\($0.algorithm) mismatch (expected \($0.expected.prefix(16))…, found \($0.actual.prefix(16))…)" }
                .joined(separator: "; ") + " / 摘要不符"
        }
        if !detail.isEmpty { s += " — \(detail)" }
        return s
    }
}

/// What an audit of one object found: a PREMIS `fixity check` event in all but serialisation
/// (type, date, outcome, detail, the object and the program as agent), kept in `fixity_audits`.
public struct FixityOutcome: Sendable, Equatable {
    public var objectID: String
    /// The object root inside the storage root.
    public var objectPath: String
    /// Which copy was read: `primary` until replication adds others.
    public var location: String
    public var startedAt: Date
    public var finishedAt: Date
    public var filesChecked: Int
    public var bytesChecked: Int64
    public var failures: [FixityFailure]
    /// Things that limited the check without being a loss (e.g. SM3 not checked because the METS
    /// could not be read; its own digest failure is then among the failures).
    public var warnings: [String]

    public var passed: Bool { failures.isEmpty }
}
