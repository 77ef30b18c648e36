import Foundation

/// Digest algorithms OCFL names, and which of them Lantai can compute.
///
/// OCFL content addressing uses `sha512` (preferred) or `sha256` (E025, W004). Fixity blocks may
/// also use `md5`, `sha1`, `blake2b-512` and the names added by community extension 0001; we can
/// verify the ones the shared engine computes and must ignore the others (E028).
///
/// This is OCFL's view of the engine: the names an inventory may carry. The hashing itself is
/// `DigestAlgorithm`'s (`digestAlgorithm`), through `DigestHasher` and `DigestHashers`.
public enum OCFLDigestAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case sha512
    case sha256
    case sha1
    case md5

    /// The engine's algorithm of the same name.
    public var digestAlgorithm: DigestAlgorithm { DigestAlgorithm(rawValue: rawValue)! }

    /// Algorithms allowed for content addressing (the inventory's `digestAlgorithm`).
    public var isContentAddressing: Bool { self == .sha512 || self == .sha256 }

    /// Length of the lowercase hex digest.
    public var hexLength: Int { digestAlgorithm.hexLength }

    /// Every fixity algorithm name the spec or its registered extensions define (E056), whether
    /// or not we can compute it, with the hex length of its digests where that is fixed.
    static let knownFixityNames: [String: Int?] = [
        "md5": 32, "sha1": 40, "sha256": 64, "sha512": 128, "blake2b-512": 128,
        "blake2b-160": 40, "blake2b-256": 64, "blake2b-384": 96, "sha512/256": 64, "size": nil,
    ]
}
