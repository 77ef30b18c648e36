import Crypto
import Foundation

/// A checksum algorithm a BagIt manifest may be named after (`manifest-ALG.txt`).
///
/// Only the algorithms bags met in practice actually carry are here: RFC 8493 asks for
/// sha512 (or sha256) on new bags, but agencies' older tools still produce md5 and sha1
/// manifests, and a transfer must be checkable whatever its producer chose. SM3 (国密) is
/// deliberately absent: it has no registered BagIt name, so a bag carrying it would not be
/// readable by any other BagIt tool; SM3 fixity lives in PREMIS/OCFL instead.
public enum BagAlgorithm: String, CaseIterable, Sendable, Hashable, Comparable {
    case md5
    case sha1
    case sha256
    case sha384
    case sha512

    /// Strongest first, so reports and writers list the algorithm worth trusting before the
    /// legacy ones.
    public static func < (lhs: BagAlgorithm, rhs: BagAlgorithm) -> Bool {
        lhs.strength > rhs.strength
    }

    var strength: Int {
        switch self {
        case .md5: return 0
        case .sha1: return 1
        case .sha256: return 2
        case .sha384: return 3
        case .sha512: return 4
        }
    }

    /// Hex digits a digest of this algorithm has, used to tell a malformed manifest line from
    /// a file whose content really changed.
    public var hexLength: Int {
        switch self {
        case .md5: return 32
        case .sha1: return 40
        case .sha256: return 64
        case .sha384: return 96
        case .sha512: return 128
        }
    }

    /// `manifest-ALG.txt`: the payload manifest file name RFC 8493 §2.1.3 fixes.
    public var manifestFileName: String { "manifest-\(rawValue).txt" }

    /// `tagmanifest-ALG.txt`: the tag manifest file name RFC 8493 §2.2.1 fixes.
    public var tagManifestFileName: String { "tagmanifest-\(rawValue).txt" }
}

/// Lowercase hex digests of one file, with the byte count seen while hashing them.
///
/// The byte count comes from the same pass as the digests, so a file that grows or shrinks
/// while it is read cannot make the Payload-Oxum and the manifests disagree.
public struct BagFileDigest: Sendable, Equatable {
    public var byteCount: UInt64
    public var digests: [BagAlgorithm: String]

    public init(byteCount: UInt64, digests: [BagAlgorithm: String]) {
        self.byteCount = byteCount
        self.digests = digests
    }
}

/// Streaming file digests for BagIt (and anything else that wants them).
///
/// Archives hold scans and video of many gigabytes, so a file is never loaded whole: it is
/// read in fixed chunks into one reused buffer and every requested algorithm is fed from
/// that buffer, so each byte is read from disk once however many manifests a bag has.
public enum BagDigest {
    /// 1 MiB: large enough that system-call overhead disappears against hashing time, small
    /// enough that two workers per core stay far below any memory limit.
    public static let defaultChunkSize = 1 << 20

    /// Digests of the file at `url`, read in `chunkSize` pieces.
    ///
    /// Symbolic links are refused (`O_NOFOLLOW`) rather than followed: a link inside a bag
    /// could otherwise make us hash — and so vouch for — a file outside it.
    public static func digests(
        ofFileAt url: URL,
        algorithms: [BagAlgorithm],
        chunkSize: Int = BagDigest.defaultChunkSize
    ) throws -> BagFileDigest {
        try BagFileIO.digest(path: url.path, algorithms: algorithms, chunkSize: chunkSize, parallelAlgorithms: false)
    }

    /// Digests of many files, hashed concurrently on `concurrency` workers.
    ///
    /// This is the hashing engine `BagValidator` and `BagWriter` use, exposed so benchmarks
    /// can time it against `sha256sum` or bagit-python on the same files without a bag
    /// around them. Results are in the order of `urls`.
    public static func digests(
        ofFilesAt urls: [URL],
        algorithms: [BagAlgorithm],
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
        chunkSize: Int = BagDigest.defaultChunkSize
    ) throws -> [BagFileDigest] {
        let sizes = urls.map { BagFileIO.lstatInfo(path: $0.path)?.size ?? 0 }
        let results = BagParallel.map(
            count: urls.count, weights: sizes, concurrency: concurrency
        ) { index, parallelAlgorithms -> Result<BagFileDigest, Error> in
            Result {
                try BagFileIO.digest(
                    path: urls[index].path, algorithms: algorithms,
                    chunkSize: chunkSize, parallelAlgorithms: parallelAlgorithms)
            }
        }
        return try results.map { try $0.get() }
    }

    /// Digest of bytes already in memory (tag files the writer has just produced).
    public static func digests(of bytes: [UInt8], algorithms: [BagAlgorithm]) -> [BagAlgorithm: String] {
        var out: [BagAlgorithm: String] = [:]
        for algorithm in Set(algorithms) {
            var hasher = BagHasher(algorithm)
            bytes.withUnsafeBytes { hasher.update($0) }
            out[algorithm] = hasher.finalizeHex()
        }
        return out
    }
}

/// One running hash of any supported algorithm, without existential boxing so the hot loop
/// stays monomorphic.
struct BagHasher {
    private enum State {
        case md5(Insecure.MD5)
        case sha1(Insecure.SHA1)
        case sha256(SHA256)
        case sha384(SHA384)
        case sha512(SHA512)
    }

    let algorithm: BagAlgorithm
    private var state: State

    init(_ algorithm: BagAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .md5: state = .md5(Insecure.MD5())
        case .sha1: state = .sha1(Insecure.SHA1())
        case .sha256: state = .sha256(SHA256())
        case .sha384: state = .sha384(SHA384())
        case .sha512: state = .sha512(SHA512())
        }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .md5(var h): h.update(bufferPointer: bytes); state = .md5(h)
        case .sha1(var h): h.update(bufferPointer: bytes); state = .sha1(h)
        case .sha256(var h): h.update(bufferPointer: bytes); state = .sha256(h)
        case .sha384(var h): h.update(bufferPointer: bytes); state = .sha384(h)
        case .sha512(var h): h.update(bufferPointer: bytes); state = .sha512(h)
        }
    }

    func finalizeHex() -> String {
        switch state {
        case .md5(let h): return BagHex.encode(h.finalize())
        case .sha1(let h): return BagHex.encode(h.finalize())
        case .sha256(let h): return BagHex.encode(h.finalize())
        case .sha384(let h): return BagHex.encode(h.finalize())
        case .sha512(let h): return BagHex.encode(h.finalize())
        }
    }
}

enum BagHex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isHex(_ s: Substring) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
        }
    }
}
