import Crypto
import Foundation

/// A digest algorithm Lantai computes for fixity: SHA-512 (OCFL content addressing), SHA-256
/// and SM3 (GB/T 32905, 国密) for fixity records, SHA-384 because BagIt manifests may be named
/// after it, and SHA-1 and MD5 only so that BagIt manifests written by older tools can still be
/// checked.
///
/// This is the one list every format hashes through: BagIt (`BagAlgorithm`) and OCFL
/// (`OCFLDigestAlgorithm`) keep their own lists of the names their specifications allow, each
/// name one of these cases (`digestAlgorithm`).
///
/// The raw value is the lowercase name used on the command line (`lantai digest --algorithm
/// sm3`), in BagIt manifest names and in OCFL fixity blocks.
public enum DigestAlgorithm: String, CaseIterable, Sendable, Hashable, Codable, Comparable {
    case md5
    case sha1
    case sha256
    case sha384
    case sha512
    case sm3

    /// The lowercase name (`sha256`, `sm3`, …).
    public var name: String { rawValue }

    /// Reads a name as people and other tools write it: `sha256`, `SHA-256`, `sha_256`, `SM3`,
    /// `sm-3`, `MD5`. Returns nil for anything else (including algorithms we do not compute).
    public init?(name: String) {
        let folded = name.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " }
        self.init(rawValue: folded)
    }

    /// The name PREMIS `messageDigestAlgorithm` carries, from the Library of Congress
    /// cryptographic hash vocabulary (`SHA-256`, `MD5`, …); SM3 has no entry there and is
    /// written as `SM3`, the name GB/T 32905 gives it.
    public var premisName: String {
        switch self {
        case .md5: return "MD5"
        case .sha1: return "SHA-1"
        case .sha256: return "SHA-256"
        case .sha384: return "SHA-384"
        case .sha512: return "SHA-512"
        case .sm3: return "SM3"
        }
    }

    /// Digest length in bytes.
    public var byteCount: Int {
        switch self {
        case .md5: return 16
        case .sha1: return 20
        case .sha256, .sm3: return 32
        case .sha384: return 48
        case .sha512: return 64
        }
    }

    /// Length of the lowercase hex digest.
    public var hexLength: Int { byteCount * 2 }

    /// MD5 and SHA-1 have practical collision attacks: fine for detecting accidental change,
    /// not for proving that nobody changed a file on purpose.
    public var isCollisionResistant: Bool { self != .md5 && self != .sha1 }

    /// Strongest first (SHA-512, SHA-384, SM3, SHA-256, SHA-1, MD5), so reports list the digest
    /// worth trusting before the legacy ones.
    public static func < (lhs: DigestAlgorithm, rhs: DigestAlgorithm) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .sha512: return 0
        case .sha384: return 1
        case .sm3: return 2
        case .sha256: return 3
        case .sha1: return 4
        case .md5: return 5
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of `bytes`.
    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `s` is hex digits, either case (manifests written by other tools may use upper
    /// case), and exactly `length` of them when a length is given.
    static func isHex<S: StringProtocol>(_ s: S, length: Int? = nil) -> Bool {
        if let length, s.utf8.count != length { return false }
        return !s.isEmpty && s.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
        }
    }

    /// Lowercase hex digest of bytes already in memory (inventories, sidecars, tag files).
    func hexDigest<D: DataProtocol>(of data: D) -> String {
        var hasher = DigestHasher(self)
        hasher.update(data)
        return hasher.finalizeHex()
    }
}

/// One running digest of any `DigestAlgorithm`: SM3 is ours, the others come from
/// swift-crypto. An enum rather than an existential, so the per-chunk call is a direct one.
public struct DigestHasher: Sendable {
    private enum State: Sendable {
        case md5(Insecure.MD5)
        case sha1(Insecure.SHA1)
        case sha256(SHA256)
        case sha384(SHA384)
        case sha512(SHA512)
        case sm3(SM3)
        /// Held only for the instant an update runs, so the hasher being updated is the sole
        /// owner of its context and swift-crypto does not copy it on write.
        case updating
    }

    public let algorithm: DigestAlgorithm
    private var state: State

    public init(_ algorithm: DigestAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .md5: state = .md5(Insecure.MD5())
        case .sha1: state = .sha1(Insecure.SHA1())
        case .sha256: state = .sha256(SHA256())
        case .sha384: state = .sha384(SHA384())
        case .sha512: state = .sha512(SHA512())
        case .sm3: state = .sm3(SM3())
        }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .md5(var h): state = .updating; h.update(bufferPointer: bytes); state = .md5(h)
        case .sha1(var h): state = .updating; h.update(bufferPointer: bytes); state = .sha1(h)
        case .sha256(var h): state = .updating; h.update(bufferPointer: bytes); state = .sha256(h)
        case .sha384(var h): state = .updating; h.update(bufferPointer: bytes); state = .sha384(h)
        case .sha512(var h): state = .updating; h.update(bufferPointer: bytes); state = .sha512(h)
        case .sm3(var h): state = .updating; h.update(bytes); state = .sm3(h)
        case .updating: preconditionFailure("DigestHasher updated re-entrantly")
        }
    }

    public mutating func update<D: DataProtocol>(_ data: D) {
        for region in data.regions {
            region.withUnsafeBytes { update($0) }
        }
    }

    /// The digest bytes of everything added so far.
    public func finalize() -> [UInt8] {
        switch state {
        case .md5(let h): return Array(h.finalize())
        case .sha1(let h): return Array(h.finalize())
        case .sha256(let h): return Array(h.finalize())
        case .sha384(let h): return Array(h.finalize())
        case .sha512(let h): return Array(h.finalize())
        case .sm3(let h): return h.finalize()
        case .updating: preconditionFailure("DigestHasher finalized during an update")
        }
    }

    /// The digest as lowercase hex.
    public func finalizeHex() -> String {
        DigestAlgorithm.hex(finalize())
    }
}
