import ArchiveKit
import Foundation
import Packaging

// The values an archival information package (AIP, OAIS) is made of. They are plain values so
// that the ingest job, the catalogue's edit path and `lantai rebuild-catalog` can all speak
// them without knowing METS or PREMIS; ``ArchivalPackage`` turns them into an OCFL object and
// back.

/// The archives node that keeps the package: who the custodian is, written into the METS header
/// and as a PREMIS organisation agent, and part of the object id so that objects stay distinct
/// when the city node replicates district nodes' storage.
public struct AIPNode: Sendable, Hashable, Codable {
    /// The node code (`LANTAI_NODE_CODE`), e.g. `320100`.
    public var code: String
    /// The archives' name, e.g. `南京市档案馆`.
    public var name: String

    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }
}

/// The record an AIP preserves: its identity (fonds, 档号, item UUID), its description and,
/// for an item inside a 案卷, the 案卷's 档号. This is what the catalogue row holds; the AIP
/// holds it too so the catalogue can be rebuilt from storage alone.
public struct AIPRecord: Sendable, Equatable {
    /// 全宗号, e.g. `J012`.
    public var fonds: String
    /// 档号 (DA/T 13), e.g. `J012-WS·2015-Y-BGS-0001`. Names the OCFL object.
    public var archivalCode: String
    /// The catalogue's id of the file or item. Recorded so a rebuilt catalogue keeps the ids
    /// that links, requests and certificates already point at.
    public var itemID: UUID
    public var description: RecordDescription
    /// The 档号 of the 案卷 this item belongs to, when it is an item inside a file.
    public var parentArchivalCode: String?

    public init(fonds: String, archivalCode: String, itemID: UUID, description: RecordDescription,
                parentArchivalCode: String? = nil) {
        self.fonds = fonds
        self.archivalCode = archivalCode
        self.itemID = itemID
        self.description = description
        self.parentArchivalCode = parentArchivalCode
    }
}

/// A file format as format identification reported it.
public struct AIPFormat: Sendable, Hashable, Codable {
    /// PRONOM PUID (`fmt/354`), when the format has one.
    public var puid: String?
    /// MIME type, written as the METS file's `MIMETYPE`.
    public var mimeType: String?
    /// Format name, e.g. `Acrobat PDF/A - Portable Document Format`. PREMIS needs a name or a
    /// registry key: an empty name without a PUID is written (and read back) as `Unknown`, and
    /// leading or trailing spaces are not kept.
    public var name: String
    public var version: String?

    public init(puid: String? = nil, mimeType: String? = nil, name: String, version: String? = nil) {
        self.puid = puid
        self.mimeType = mimeType
        self.name = name
        self.version = version
    }

    /// The format as the signature identifier reported it (the usability check's result).
    public init(_ identification: FormatIdentification) {
        self.init(puid: identification.puid, mimeType: identification.mime, name: identification.name,
                  version: identification.version)
    }
}

/// A file as preserved: its name and the fixity and format the transfer checks established.
/// This is what a snapshot read back from storage holds (there is no source any more).
public struct AIPStoredFile: Sendable, Hashable, Codable {
    /// The name as the agency sent it, relative to the package's payload (`正文/会议纪要.pdf`),
    /// byte for byte: never transliterated, shortened or normalised.
    public var name: String
    /// Size in bytes.
    public var size: Int64
    /// Lowercase hex digests. SHA-512 is also the OCFL content address; SHA-256 and SM3 are the
    /// second and national (GB/T 32905) fixity values the preservation policy asks for.
    public var sha256: String
    public var sha512: String
    public var sm3: String
    public var format: AIPFormat

    public init(name: String, size: Int64, sha256: String, sha512: String, sm3: String, format: AIPFormat) {
        self.name = name
        self.size = size
        self.sha256 = sha256.lowercased()
        self.sha512 = sha512.lowercased()
        self.sm3 = sm3.lowercased()
        self.format = format
    }
}

/// A file to preserve: where its bytes are now, and what the transfer checks found out about it.
/// The digests are the ones the checks computed; ``ArchivalPackage/preserve(_:files:events:node:in:message:user:options:)``
/// confirms them against the source before anything is written (see ``AIPWriteOptions/verifySources``).
public struct AIPFile: Sendable, Hashable {
    /// Name as sent (see ``AIPStoredFile/name``); stored at `content/<name>` in the object.
    public var name: String
    /// A local file holding the content (e.g. in the unpacked transfer).
    public var source: URL
    public var size: Int64
    public var sha256: String
    public var sha512: String
    public var sm3: String
    public var format: AIPFormat

    public init(name: String, source: URL, size: Int64, sha256: String, sha512: String, sm3: String, format: AIPFormat) {
        self.name = name
        self.source = source
        self.size = size
        self.sha256 = sha256.lowercased()
        self.sha512 = sha512.lowercased()
        self.sm3 = sm3.lowercased()
        self.format = format
    }

    /// A file whose size and digests are computed here, in one pass over `source` (for content
    /// that did not come through the transfer checks, e.g. a digitisation batch).
    public static func measuring(name: String, source: URL, format: AIPFormat) throws -> AIPFile {
        let digests = try FileDigest.digests(of: source, algorithms: [.sha256, .sha512, .sm3])
        let size = try AIPSourceCheck.size(of: source)
        return AIPFile(name: name, source: source, size: size, sha256: digests[.sha256]!, sha512: digests[.sha512]!,
                       sm3: digests[.sm3]!, format: format)
    }

    /// What is recorded about the file, without its source.
    public var stored: AIPStoredFile {
        AIPStoredFile(name: name, size: size, sha256: sha256, sha512: sha512, sm3: sm3, format: format)
    }
}

/// Who took part in an event, as a PREMIS agent.
public enum AIPAgent: Sendable, Hashable, Codable {
    /// A program: Lantai itself, a malware scanner. Identified as `preservation system` `name-version`.
    case software(name: String, version: String)
    /// A person, by their account on the node (identifier type `account`) and their name.
    case person(account: String, name: String)
    /// An organisation: an archives node by its node code, or the transferring agency by its fonds.
    case organization(code: String, name: String)

    /// Lantai as the executing program, at the version that writes the package.
    public static func lantai(version: String = ArchivalPackage.softwareVersion) -> AIPAgent {
        .software(name: "Lantai", version: version)
    }

    var premis: PREMISAgent {
        switch self {
        case .software(let name, let version): PREMISAgent.software(name: name, version: version)
        case .person(let account, let name): PREMISAgent.person(account: account, name: name)
        case .organization(let code, let name): PREMISAgent.organization(code: code, name: name)
        }
    }

    /// The role the agent plays in its events: programs execute, people implement, organisations authorise.
    var role: PREMISTerm {
        switch self {
        case .software: .executingProgram
        case .person: .implementer
        case .organization: .authorizer
        }
    }
}

/// The type of a preservation event: its label in the Library of Congress eventType vocabulary
/// (`ingestion`, `fixity check` …), written with that vocabulary's URIs, or any other text
/// (written as a plain term). The label is what is stored and read back.
public struct AIPEventType: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let ingestion: AIPEventType = "ingestion"
    public static let fixityCheck: AIPEventType = "fixity check"
    public static let formatIdentification: AIPEventType = "format identification"
    public static let virusCheck: AIPEventType = "virus check"
    public static let accession: AIPEventType = "accession"
    public static let validation: AIPEventType = "validation"
    public static let messageDigestCalculation: AIPEventType = "message digest calculation"
    public static let metadataModification: AIPEventType = "metadata modification"
    public static let replication: AIPEventType = "replication"

    /// The PREMIS event type: the LoC term when the label is one of its labels, else plain.
    var premis: PREMISEventType {
        if PREMISEventType.locTerms.contains(where: { $0.1 == rawValue }), let t = PREMISEventType(loc: rawValue) {
            return t
        }
        return PREMISEventType(stringLiteral: rawValue)
    }
}

/// Something that happened to the record or its files: a PREMIS event.
public struct AIPEvent: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
        case success, failure, warning
    }

    /// Identifies the event (PREMIS identifier type `UUID`); events are merged across versions by it.
    public var id: UUID
    public var type: AIPEventType
    /// When it happened. Stored to the millisecond (UTC), as PREMIS dates are written.
    public var date: Date
    public var outcome: Outcome
    /// What was done, in words (`eventDetail`); empty for none.
    public var detail: String
    /// What came of it, in words (`eventOutcomeDetailNote`), e.g. `2 of 2 files match`; empty for none.
    public var outcomeDetail: String
    /// Who (or what) did it.
    public var agent: AIPAgent
    /// Names of the files the event concerns; empty when it concerns the record as a whole
    /// (then it links to the record's intellectual entity instead).
    public var files: [String]

    public init(id: UUID = UUID(), type: AIPEventType, date: Date, outcome: Outcome = .success, detail: String = "",
                outcomeDetail: String = "", agent: AIPAgent, files: [String] = []) {
        self.id = id
        self.type = type
        self.date = date
        self.outcome = outcome
        self.detail = detail
        self.outcomeDetail = outcomeDetail
        self.agent = agent
        self.files = files
    }
}

/// How ``ArchivalPackage/preserve(_:files:events:node:in:message:user:options:)`` writes.
public struct AIPWriteOptions: Sendable {
    /// Recompute size, SHA-512, SHA-256 and SM3 of every source and refuse the package when any
    /// differs from what the checks recorded. On by default: a transfer may wait days between
    /// its check and the archivist's acceptance, and the AIP must not vouch for bytes nobody
    /// checked. It costs one extra read of the content; a caller that computed the digests from
    /// the same files moments before may turn it off. Either way the OCFL inventory's SHA-512
    /// and SHA-256 are compared with the METS after the write.
    public var verifySources: Bool
    /// The time of the version (OCFL `created`, METS `CREATEDATE`/`LASTMODDATE`); now when nil.
    public var date: Date?
    /// The program recorded as the METS creator and the first PREMIS agent.
    public var software: AIPAgent

    public init(verifySources: Bool = true, date: Date? = nil, software: AIPAgent = .lantai()) {
        self.verifySources = verifySources
        self.date = date
        self.software = software
    }
}

/// What a write produced.
public struct AIPWriteResult: Sendable, Hashable {
    /// The OCFL object id, `info:lantai/<node code>/<档号>`.
    public var objectID: String
    /// The OCFL version written (1 for a new object).
    public var version: Int
}

/// A record as read back from an AIP's METS: everything the catalogue needs to recreate its row
/// (identity, description, files with digests, preservation history).
public struct AIPRecordSnapshot: Sendable, Equatable {
    /// The METS `OBJID`: the OCFL object id.
    public var objectID: String
    /// The OCFL version the METS was read from; nil when parsed from bytes outside an object.
    public var version: Int?
    public var node: AIPNode
    public var record: AIPRecord
    /// Files in the order they were written.
    public var files: [AIPStoredFile]
    /// Every event of the record's history, oldest version's first.
    public var events: [AIPEvent]
    /// When the package was first written (METS `CREATEDATE`).
    public var created: Date
    /// When this version was written, for versions after the first (METS `LASTMODDATE`).
    public var lastModified: Date?

    public var fonds: String { record.fonds }
    public var archivalCode: String { record.archivalCode }
    public var itemID: UUID { record.itemID }
    public var description: RecordDescription { record.description }
    public var parentArchivalCode: String? { record.parentArchivalCode }
}

/// Why a package could not be written or read. Each message names the record or file and says
/// what to do; nothing is written when a write fails before its version is published.
public enum AIPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A value cannot go into a package (empty 档号, a file name OCFL or XML cannot hold, a
    /// malformed digest, an event naming a file the package does not have …).
    case invalidInput(field: String, reason: String)
    /// A source file is not what the checks recorded (size or a digest differs, or it cannot be read).
    case sourceMismatch(file: String, reason: String)
    /// The 档号 is already preserved on this node for another item.
    case identityConflict(objectID: String, reason: String)
    /// No such object or version.
    case notFound(String)
    /// The METS of an object cannot be read back as a record.
    case unreadable(objectID: String, reason: String)
    /// After a write, the inventory's digests differ from the METS: the source changed while it
    /// was being stored. The version is published; preserve the record again from good sources.
    case storedContentMismatch(objectID: String, version: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidInput(let field, let reason): "\(field): \(reason)"
        case .sourceMismatch(let file, let reason): "\(file): \(reason)"
        case .identityConflict(let id, let reason): "\(id): \(reason)"
        case .notFound(let what): "\(what) not found"
        case .unreadable(let id, let reason): "\(id): METS cannot be read back: \(reason)"
        case .storedContentMismatch(let id, let version, let reason): "\(id) v\(version): \(reason)"
        }
    }
}
