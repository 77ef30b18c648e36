import Crypto
import Foundation

/// Digest algorithms OCFL names, and which of them Lantai can compute.
///
/// OCFL content addressing uses `sha512` (preferred) or `sha256` (E025, W004). Fixity blocks may
/// also use `md5`, `sha1`, `blake2b-512` and the names added by community extension 0001; we can
/// verify the ones swift-crypto provides and must ignore the others (E028).
public enum OCFLDigestAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case sha512
    case sha256
    case sha1
    case md5

    /// Algorithms allowed for content addressing (the inventory's `digestAlgorithm`).
    public var isContentAddressing: Bool { self == .sha512 || self == .sha256 }

    /// Length of the lowercase hex digest.
    public var hexLength: Int {
        switch self {
        case .sha512: return 128
        case .sha256: return 64
        case .sha1: return 40
        case .md5: return 32
        }
    }

    /// Every fixity algorithm name the spec or its registered extensions define (E056), whether
    /// or not we can compute it, with the hex length of its digests where that is fixed.
    static let knownFixityNames: [String: Int?] = [
        "md5": 32, "sha1": 40, "sha256": 64, "sha512": 128, "blake2b-512": 128,
        "blake2b-160": 40, "blake2b-256": 64, "blake2b-384": 96, "sha512/256": 64, "size": nil,
    ]
}

/// An incremental hasher over one of the algorithms we compute, so content is digested as it
/// streams past rather than loaded whole.
struct OCFLHasher {
    private enum State {
        case sha512(SHA512)
        case sha256(SHA256)
        case sha1(Insecure.SHA1)
        case md5(Insecure.MD5)
    }

    private var state: State
    let algorithm: OCFLDigestAlgorithm

    init(_ algorithm: OCFLDigestAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha512: state = .sha512(SHA512())
        case .sha256: state = .sha256(SHA256())
        case .sha1: state = .sha1(Insecure.SHA1())
        case .md5: state = .md5(Insecure.MD5())
        }
    }

    mutating func update(_ data: Data) {
        switch state {
        case .sha512(var h): h.update(data: data); state = .sha512(h)
        case .sha256(var h): h.update(data: data); state = .sha256(h)
        case .sha1(var h): h.update(data: data); state = .sha1(h)
        case .md5(var h): h.update(data: data); state = .md5(h)
        }
    }

    /// The lowercase hex digest.
    func finalize() -> String {
        switch state {
        case .sha512(let h): return ocflHex(h.finalize())
        case .sha256(let h): return ocflHex(h.finalize())
        case .sha1(let h): return ocflHex(h.finalize())
        case .md5(let h): return ocflHex(h.finalize())
        }
    }

    static func hex(_ algorithm: OCFLDigestAlgorithm, of data: Data) -> String {
        var h = OCFLHasher(algorithm)
        h.update(data)
        return h.finalize()
    }
}

/// Several hashers fed from one pass over the bytes, plus a byte count.
struct OCFLMultiHasher {
    private var hashers: [OCFLHasher]
    private(set) var byteCount: Int64 = 0

    init(_ algorithms: [OCFLDigestAlgorithm]) {
        var seen = Set<OCFLDigestAlgorithm>()
        hashers = algorithms.filter { seen.insert($0).inserted }.map(OCFLHasher.init)
    }

    mutating func update(_ data: Data) {
        byteCount += Int64(data.count)
        for i in hashers.indices { hashers[i].update(data) }
    }

    func finalize() -> [OCFLDigestAlgorithm: String] {
        Dictionary(uniqueKeysWithValues: hashers.map { ($0.algorithm, $0.finalize()) })
    }
}

private let ocflHexDigits: [UInt8] = Array("0123456789abcdef".utf8)

func ocflHex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    var out: [UInt8] = []
    out.reserveCapacity(128)
    for b in bytes {
        out.append(ocflHexDigits[Int(b >> 4)])
        out.append(ocflHexDigits[Int(b & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Whether `s` is `length` hex digits (either case: OCFL digests are case-insensitive, E096).
func ocflIsHex(_ s: String, length: Int?) -> Bool {
    if let length, s.utf8.count != length { return false }
    return !s.isEmpty && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
}
