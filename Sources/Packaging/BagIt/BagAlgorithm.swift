import Foundation

/// A checksum algorithm a BagIt manifest may be named after (`manifest-ALG.txt`).
///
/// Only the algorithms bags met in practice actually carry are here: RFC 8493 asks for
/// sha512 (or sha256) on new bags, but agencies' older tools still produce md5 and sha1
/// manifests, and a transfer must be checkable whatever its producer chose. SM3 (国密) is
/// deliberately absent: it has no registered BagIt name, so a bag carrying it would not be
/// readable by any other BagIt tool; SM3 fixity lives in PREMIS/OCFL instead.
///
/// This is BagIt's view of the shared engine: which names a bag may use and the manifest file
/// names they give. The hashing itself is `DigestAlgorithm`'s (`digestAlgorithm`).
public enum BagAlgorithm: String, CaseIterable, Sendable, Hashable, Comparable {
    case md5
    case sha1
    case sha256
    case sha384
    case sha512

    /// The engine's algorithm of the same name.
    public var digestAlgorithm: DigestAlgorithm { DigestAlgorithm(rawValue: rawValue)! }

    /// The BagIt name of an engine algorithm; nil for one a bag may not use (SM3).
    init?(_ algorithm: DigestAlgorithm) {
        self.init(rawValue: algorithm.rawValue)
    }

    /// Strongest first, so reports and writers list the algorithm worth trusting before the
    /// legacy ones.
    public static func < (lhs: BagAlgorithm, rhs: BagAlgorithm) -> Bool {
        lhs.digestAlgorithm < rhs.digestAlgorithm
    }

    /// Hex digits a digest of this algorithm has, used to tell a malformed manifest line from
    /// a file whose content really changed.
    public var hexLength: Int { digestAlgorithm.hexLength }

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

    /// What a finished pass of the engine's hashers saw.
    init(_ hashers: DigestHashers) {
        var digests: [BagAlgorithm: String] = [:]
        for (algorithm, hex) in hashers.finalizeHex() {
            if let name = BagAlgorithm(algorithm) { digests[name] = hex }
        }
        self.init(byteCount: hashers.byteCount, digests: digests)
    }
}

/// Streaming file digests for BagIt: the shared `FileDigest` engine, opening files as a bag
/// needs (`FileDigest.Options.insideTree`) and naming algorithms as BagIt does.
///
/// Archives hold scans and video of many gigabytes, so a file is never loaded whole: it is
/// read in fixed chunks into one reused buffer and every requested algorithm is fed from
/// that buffer, so each byte is read from disk once however many manifests a bag has.
public enum BagDigest {
    /// 1 MiB (`FileDigest.chunkSize`): large enough that system-call overhead disappears
    /// against hashing time, small enough that two workers per core stay far below any memory
    /// limit.
    public static let defaultChunkSize = FileDigest.chunkSize

    /// Digests of the file at `url`, read in `chunkSize` pieces.
    ///
    /// Symbolic links are refused (`O_NOFOLLOW`) rather than followed: a link inside a bag
    /// could otherwise make us hash — and so vouch for — a file outside it.
    public static func digests(
        ofFileAt url: URL,
        algorithms: [BagAlgorithm],
        chunkSize: Int = BagDigest.defaultChunkSize
    ) throws -> BagFileDigest {
        try FileDigest.withChunkBuffer(chunkSize) { buffer in
            try BagFileIO.digest(path: url.path, algorithms: algorithms, buffer: buffer, parallelAlgorithms: false)
        }
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
        let results = BagFileIO.map(
            weights: sizes, concurrency: concurrency, chunkSize: chunkSize
        ) { index, parallelAlgorithms, buffer -> Result<BagFileDigest, Error> in
            Result {
                try BagFileIO.digest(
                    path: urls[index].path, algorithms: algorithms,
                    buffer: buffer, parallelAlgorithms: parallelAlgorithms)
            }
        }
        return try results.map { try $0.get() }
    }

    /// Digest of bytes already in memory (tag files the writer has just produced).
    public static func digests(of bytes: [UInt8], algorithms: [BagAlgorithm]) -> [BagAlgorithm: String] {
        var out: [BagAlgorithm: String] = [:]
        for algorithm in Set(algorithms) {
            out[algorithm] = algorithm.digestAlgorithm.hexDigest(of: bytes)
        }
        return out
    }
}
