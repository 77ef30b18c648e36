import Foundation
import Packaging

/// What the archives knows about a transfer that the package itself does not say: who sent it,
/// when it arrived, what the upload's digest was on arrival, and which 档号 the catalogue already
/// holds. The checker has no database; the caller answers these from its own.
public struct TransferContext: Sendable {
    /// 立档单位 as its fonds number (全宗号), e.g. `J012`: the agency the transfer is from.
    public var agency: String
    /// Username of the agency officer who submitted it.
    public var officer: String
    /// When the archives received it.
    public var receivedAt: Date
    /// SHA-256 (hex) of the uploaded zip or tar as recorded at receipt, before unpacking. Nil
    /// for a directory submitted in place (`lantai transfer submit DIR`).
    public var uploadDigest: String?
    /// The uploaded archive as kept since receipt, re-digested to prove it did not change
    /// between upload and check.
    public var uploadedArchive: URL?
    /// Whether an 档号 (in `ArchivalCode.description` form) is already used in the catalogue.
    public var isArchivalCodeTaken: @Sendable (String) -> Bool

    public init(agency: String, officer: String, receivedAt: Date = Date(), uploadDigest: String? = nil,
                uploadedArchive: URL? = nil, isArchivalCodeTaken: @escaping @Sendable (String) -> Bool = { _ in false }) {
        self.agency = agency
        self.officer = officer
        self.receivedAt = receivedAt
        self.uploadDigest = uploadDigest
        self.uploadedArchive = uploadedArchive
        self.isArchivalCodeTaken = isArchivalCodeTaken
    }

    /// The same, with the used codes given as a set (tests, small catalogues).
    public init(agency: String, officer: String, receivedAt: Date = Date(), uploadDigest: String? = nil,
                uploadedArchive: URL? = nil, takenArchivalCodes: Set<String>) {
        self.init(agency: agency, officer: officer, receivedAt: receivedAt, uploadDigest: uploadDigest,
                  uploadedArchive: uploadedArchive, isArchivalCodeTaken: { takenArchivalCodes.contains($0) })
    }
}

/// How far a check has got, for the transfer's job page (files and bytes done of the total).
public struct TransferCheckProgress: Sendable, Equatable {
    public enum Phase: String, Sendable {
        /// BagIt validation: manifests, completeness and fixity against the manifests.
        case bag
        /// Lantai's own digests (SHA-256, SHA-512, SM3) for the report and preservation.
        case digests
        /// Format identification and the malware signature scan.
        case contents
        case done
    }

    public var phase: Phase
    public var filesDone: Int
    public var filesTotal: Int
    public var bytesDone: UInt64
    public var bytesTotal: UInt64
}

extension TransferChecker {
    /// Settings of the check that are the node's, not the transfer's.
    public struct Options: Sendable {
        /// Digests recorded per file. SHA-512 is OCFL's content address, SHA-256 and SM3 the
        /// fixity values PREMIS carries, so computing all three here spares preservation a pass.
        public var digestAlgorithms: Set<DigestAlgorithm>
        /// The signature list of the malware check; extend it per node.
        public var malwareSignatures: MalwareSignatures
        /// Files read at once. Defaults to the core count: hashing is CPU-bound.
        public var concurrency: Int
        /// Options for the BagIt validation (set `fast` for a quick preliminary receipt: the
        /// fixity item then warns that digests were not compared).
        public var bagValidation: BagValidator.Options
        /// Called from worker threads as work completes.
        public var progress: (@Sendable (TransferCheckProgress) -> Void)?

        public init(
            digestAlgorithms: Set<DigestAlgorithm> = [.sha256, .sha512, .sm3],
            malwareSignatures: MalwareSignatures = .default,
            concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
            bagValidation: BagValidator.Options = .init(),
            progress: (@Sendable (TransferCheckProgress) -> Void)? = nil
        ) {
            self.digestAlgorithms = digestAlgorithms
            self.malwareSignatures = malwareSignatures
            self.concurrency = max(1, concurrency)
            self.bagValidation = bagValidation
            self.progress = progress
        }
    }
}
