import Foundation

/// The person or agent who made a version (`user` in a version block).
/// OCFL requires `name` (E054) and recommends an `address` that is a `mailto:` or other URI (W008, W009).
public struct OCFLUser: Codable, Sendable, Hashable {
    public var name: String
    public var address: String?

    public init(name: String, address: String? = nil) {
        self.name = name
        self.address = address
    }
}

/// One entry of an inventory's `versions` block.
public struct OCFLVersionRecord: Codable, Sendable, Equatable {
    /// RFC 3339 timestamp, kept as the exact string read so that rewriting an inventory written by
    /// another tool never changes it (W011 compares these between inventories).
    public var created: String
    public var message: String?
    public var user: OCFLUser?
    /// Digest → logical paths with that content.
    public var state: [String: [String]]

    public init(created: String, message: String?, user: OCFLUser?, state: [String: [String]]) {
        self.created = created
        self.message = message
        self.user = user
        self.state = state
    }

    /// `created` as a date, if it parses as RFC 3339.
    public var createdDate: Date? { OCFLTime.parse(created) }

    /// Logical path → digest.
    public var logicalState: [String: String] {
        var out: [String: String] = [:]
        for (digest, paths) in state { for p in paths { out[p] = digest } }
        return out
    }
}

/// An OCFL inventory (`inventory.json`), as written by ``OCFLObject`` and read back.
///
/// This model is for objects that parse; the ``OCFLValidator`` reads inventories as raw JSON
/// instead, so that it can name every structural fault with its spec code rather than stop at the
/// first decoding error.
public struct OCFLInventory: Codable, Sendable, Equatable {
    public static let type1_1 = "https://ocfl.io/1.1/spec/#inventory"
    public static let type1_0 = "https://ocfl.io/1.0/spec/#inventory"

    public var id: String
    public var type: String
    public var digestAlgorithm: String
    public var head: String
    public var contentDirectory: String?
    /// Digest → content paths (relative to the object root) holding that content.
    public var manifest: [String: [String]]
    public var versions: [String: OCFLVersionRecord]
    /// Fixity algorithm → digest → content paths.
    public var fixity: [String: [String: [String]]]?

    public init(id: String, type: String = OCFLInventory.type1_1, digestAlgorithm: String = "sha512",
                head: String, contentDirectory: String? = nil, manifest: [String: [String]],
                versions: [String: OCFLVersionRecord], fixity: [String: [String: [String]]]? = nil) {
        self.id = id
        self.type = type
        self.digestAlgorithm = digestAlgorithm
        self.head = head
        self.contentDirectory = contentDirectory
        self.manifest = manifest
        self.versions = versions
        self.fixity = fixity
    }

    /// The content directory name in effect (`content` unless the inventory says otherwise).
    public var effectiveContentDirectory: String { contentDirectory ?? "content" }

    /// The head version number (`v3` → 3; `v003` → 3).
    public var headNumber: Int? { OCFLVersionName.number(head) }

    /// The version block for version number `n`, whatever its padding.
    public func version(_ n: Int) -> (name: String, record: OCFLVersionRecord)? {
        for (name, record) in versions where OCFLVersionName.number(name) == n { return (name, record) }
        return nil
    }

    /// The first content path recorded for a digest (case-insensitively, as digests are).
    public func contentPath(for digest: String) -> String? {
        if let paths = manifest[digest], let first = paths.first { return first }
        let lower = digest.lowercased()
        for (d, paths) in manifest where d.lowercased() == lower { return paths.first }
        return nil
    }

    /// The JSON bytes written to `inventory.json`: sorted keys so identical inventories are
    /// identical files, unescaped slashes and Unicode so Chinese paths stay readable.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    public static func decode(_ data: Data) throws -> OCFLInventory {
        try JSONDecoder().decode(OCFLInventory.self, from: data)
    }
}

/// Version directory names: `v` + a positive base-ten integer, optionally zero-padded (E104, E105, E011).
enum OCFLVersionName {
    /// The number of a version name, or nil if it is not one.
    static func number(_ name: String) -> Int? {
        guard name.hasPrefix("v"), name.count >= 2 else { return nil }
        let digits = name.dropFirst()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits), n > 0 else { return nil }
        return n
    }

    /// Whether the name is zero-padded (`v001`), which fixes its width for all versions (E012, E013).
    static func isPadded(_ name: String) -> Bool { name.hasPrefix("v0") }

    /// The name for version `n` following the convention of `existing` (an earlier version's name).
    static func name(_ n: Int, like existing: String?) -> String {
        if let existing, isPadded(existing) {
            let width = existing.count - 1
            let digits = String(n)
            return "v" + String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "v\(n)"
    }
}

/// RFC 3339 timestamps for `created`.
enum OCFLTime {
    /// Second precision, UTC, `Z` suffix: what OCFL validators expect (E049).
    static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ v: Int?, _ w: Int) -> String {
            let s = String(v ?? 0)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))Z"
    }

    /// Parses RFC 3339 `date-time` (`2024-05-01T08:00:00Z`, `…T08:00:00.123+08:00`); nil if it is not one.
    static func parse(_ s: String) -> Date? {
        let u = Array(s.utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= u.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard u[i] >= 48, u[i] <= 57 else { return nil }
                v = v * 10 + Int(u[i] - 48)
            }
            return v
        }
        guard u.count >= 20,
              let year = digits(0, 4), u[4] == 45, let month = digits(5, 2), u[7] == 45, let day = digits(8, 2),
              u[10] == 84 || u[10] == 116, let hour = digits(11, 2), u[13] == 58, let minute = digits(14, 2),
              u[16] == 58, let second = digits(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var i = 19
        var fraction = 0.0
        if i < u.count, u[i] == 46 {
            i += 1
            var scale = 0.1
            let start = i
            while i < u.count, u[i] >= 48, u[i] <= 57 {
                fraction += Double(u[i] - 48) * scale
                scale /= 10
                i += 1
            }
            if i == start { return nil }
        }
        guard i < u.count else { return nil }
        var offset = 0
        if u[i] == 90 || u[i] == 122 {
            i += 1
        } else if u[i] == 43 || u[i] == 45 {
            guard let oh = digits(i + 1, 2), i + 3 < u.count, u[i + 3] == 58, let om = digits(i + 4, 2) else { return nil }
            offset = (oh * 60 + om) * 60 * (u[i] == 45 ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == u.count else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let comps = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59))
        guard let base = calendar.date(from: comps) else { return nil }
        return base.addingTimeInterval(fraction - Double(offset))
    }
}

/// OCFL's path rules, shared by the writer (refuse) and the validator (report).
enum OCFLPathRules {
    /// Why a logical path is not allowed, with its code: E053 (begins or ends with `/`),
    /// E052 (an element is empty, `.` or `..`). Nil when it is fine.
    static func logicalPathProblem(_ path: String) -> (code: String, reason: String)? {
        if path.isEmpty { return ("E052", "logical path is empty") }
        if path.hasPrefix("/") || path.hasSuffix("/") { return ("E053", "logical path begins or ends with /") }
        for element in path.split(separator: "/", omittingEmptySubsequences: false) {
            if element.isEmpty || element == "." || element == ".." {
                return ("E052", "logical path has an empty, . or .. element")
            }
        }
        return nil
    }

    /// The same rules for content paths: E100 (begins or ends with `/`), E099 (bad element).
    static func contentPathProblem(_ path: String) -> (code: String, reason: String)? {
        if path.isEmpty { return ("E099", "content path is empty") }
        if path.hasPrefix("/") || path.hasSuffix("/") { return ("E100", "content path begins or ends with /") }
        for element in path.split(separator: "/", omittingEmptySubsequences: false) {
            if element.isEmpty || element == "." || element == ".." {
                return ("E099", "content path has an empty, . or .. element")
            }
        }
        return nil
    }

    /// Paths that repeat, or that are used both as a file and as a directory (`a` and `a/b`):
    /// E095 for logical paths in one version, E101 for content paths. Compared byte for byte,
    /// because OCFL paths are byte strings and Swift's `==` folds Unicode normalisation forms.
    static func conflicts(_ paths: [String]) -> [(path: String, reason: String)] {
        var seen = Set<[UInt8]>()
        var problems: [(String, String)] = []
        for p in paths where !seen.insert(Array(p.utf8)).inserted {
            problems.append((p, "appears more than once"))
        }
        for p in paths {
            var prefix: [UInt8] = []
            let bytes = Array(p.utf8)
            for (i, b) in bytes.enumerated() where b == UInt8(ascii: "/") && i > 0 {
                prefix = Array(bytes[0..<i])
                if seen.contains(prefix) {
                    problems.append((p, "is inside \(String(decoding: prefix, as: UTF8.self)), which is also a file"))
                    break
                }
            }
        }
        return problems
    }
}
