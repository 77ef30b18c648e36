import Foundation

/// A PREMIS 3.0 document (namespace `http://www.loc.gov/premis/v3`): the preservation
/// metadata of an AIP — its file objects, the events that happened to them, and the agents
/// that took part.
///
/// ``xml()`` writes a standalone document that validates against the official premis.xsd;
/// ``element()`` gives the same `<premis:premis>` element for wrapping in a METS
/// `digiprovMD` (``METSDocument`` does that). Everything is written in the order given, so the
/// same document always gives the same bytes.
///
/// ```swift
/// let lantai = PREMISAgent.software(name: "Lantai", version: "1.0.0")
/// let file = PREMISObject(identifier: .init(type: "local", value: "v1/content/a.pdf"),
///                         fixity: [.init(.sha512, digest: sha512Hex)], size: 1024,
///                         format: .init(name: "Acrobat PDF/A", puid: "fmt/354"),
///                         originalName: "会议纪要.pdf")
/// let ingest = PREMISEvent(id: UUID(), type: .ingestion, dateTime: Date(), outcome: .success,
///                          agents: [.init(lantai.identifier, roles: [.executingProgram])],
///                          objects: [.init(file.identifier, roles: [.source])])
/// let xml = try PREMISDocument(objects: [file], events: [ingest], agents: [lantai]).xml()
/// ```
public struct PREMISDocument: Sendable, Hashable {
    /// The PREMIS 3 namespace.
    public static let namespace = "http://www.loc.gov/premis/v3"
    /// Where the schema lives, for `xsi:schemaLocation`.
    public static let schemaLocation = "http://www.loc.gov/standards/premis/v3/premis.xsd"

    /// File objects. The schema requires at least one.
    public var objects: [PREMISObject]
    public var events: [PREMISEvent]
    public var agents: [PREMISAgent]

    public init(objects: [PREMISObject], events: [PREMISEvent] = [], agents: [PREMISAgent] = []) {
        self.objects = objects
        self.events = events
        self.agents = agents
    }

    /// The document as PREMIS 3.0 XML (UTF-8, with an XML declaration).
    /// Throws ``PreservationMetadataError`` when the content cannot make a valid document.
    public func xml() throws -> String {
        try XMLMarkup.document(element())
    }

    /// ``xml()`` as UTF-8 bytes.
    public func xmlData() throws -> Data {
        Data(try xml().utf8)
    }

    /// Checks what the schema and good practice require: at least one object; identifiers
    /// present, unique within their kind and free of characters XML cannot carry; digests in
    /// hex of the right length; sizes not negative; PRONOM keys shaped `fmt/N` or `x-fmt/N`.
    public func validate() throws {
        if objects.isEmpty {
            throw PreservationMetadataError(field: "premis.objects",
                                            reason: "a PREMIS document needs at least one object (premis.xsd)")
        }
        var objectIDs = Set<PREMISIdentifier>()
        for (i, o) in objects.enumerated() {
            let field = "premis.objects[\(i)]"
            try o.identifier.check(field: field + ".identifier")
            for (j, extra) in o.otherIdentifiers.enumerated() {
                try extra.check(field: field + ".otherIdentifiers[\(j)]")
            }
            guard objectIDs.insert(o.identifier).inserted else {
                throw PreservationMetadataError(field: field + ".identifier",
                                                reason: "object identifier \(o.identifier) is used twice")
            }
            for (j, f) in o.fixity.enumerated() { try f.check(field: field + ".fixity[\(j)]") }
            if let size = o.size, size < 0 {
                throw PreservationMetadataError(field: field + ".size", reason: "size \(size) is negative")
            }
            try o.format.check(field: field + ".format")
        }
        var eventIDs = Set<PREMISIdentifier>()
        for (i, e) in events.enumerated() {
            let field = "premis.events[\(i)]"
            try e.identifier.check(field: field + ".identifier")
            guard eventIDs.insert(e.identifier).inserted else {
                throw PreservationMetadataError(field: field + ".identifier",
                                                reason: "event identifier \(e.identifier) is used twice")
            }
            if e.type.value.isEmpty {
                throw PreservationMetadataError(field: field + ".type", reason: "event type is empty")
            }
            for (j, a) in e.linkingAgents.enumerated() {
                try a.identifier.check(field: field + ".linkingAgents[\(j)]")
            }
            for (j, o) in e.linkingObjects.enumerated() {
                try o.identifier.check(field: field + ".linkingObjects[\(j)]")
            }
        }
        var agentIDs = Set<PREMISIdentifier>()
        for (i, a) in agents.enumerated() {
            let field = "premis.agents[\(i)]"
            try a.identifier.check(field: field + ".identifier")
            guard agentIDs.insert(a.identifier).inserted else {
                throw PreservationMetadataError(field: field + ".identifier",
                                                reason: "agent identifier \(a.identifier) is used twice")
            }
        }
    }

    /// The `<premis:premis version="3.0">` element, with its own namespace declarations and
    /// schema location so that it reads the same standalone and inside METS `xmlData`.
    public func element() throws -> XMLMarkup.Element {
        try validate()
        var root = XMLMarkup.Element("premis:premis", [
            "xmlns:premis": Self.namespace,
            "xmlns:xsi": XMLNamespaces.xsi,
            "xsi:schemaLocation": "\(Self.namespace) \(Self.schemaLocation)",
            "version": "3.0",
        ])
        root.append(contentsOf: objects.map { $0.element() })
        root.append(contentsOf: events.map { $0.element() })
        root.append(contentsOf: agents.map { $0.element() })
        return root
    }
}

/// Namespaces shared by the METS and PREMIS writers.
enum XMLNamespaces {
    static let xsi = "http://www.w3.org/2001/XMLSchema-instance"
    static let xlink = "http://www.w3.org/1999/xlink"
}

/// Metadata that cannot be written as a valid document: which field, and why.
public struct PreservationMetadataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A path to the offending value, e.g. `premis.objects[1].fixity[0]` or `mets.files[2].path`.
    public var field: String
    public var reason: String
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
    public var description: String { "\(field): \(reason)" }
}

// MARK: - Values

/// A PREMIS identifier: a type (the identifier scheme) and a value.
public struct PREMISIdentifier: Sendable, Hashable, CustomStringConvertible {
    public var type: String
    public var value: String
    public init(type: String, value: String) {
        self.type = type
        self.value = value
    }

    /// A UUID identifier (type `UUID`, value in lower case as RFC 9562 prefers).
    public static func uuid(_ id: UUID) -> PREMISIdentifier {
        PREMISIdentifier(type: "UUID", value: id.uuidString.lowercased())
    }

    /// A repository-local identifier (type `local`).
    public static func local(_ value: String) -> PREMISIdentifier {
        PREMISIdentifier(type: "local", value: value)
    }

    public var description: String { "\(type) \(value)" }

    func check(field: String) throws {
        for (name, text) in [("type", type), ("value", value)] {
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw PreservationMetadataError(field: field, reason: "identifier \(name) is empty")
            }
            if let bad = XMLMarkup.firstDisallowedScalar(in: text) {
                throw PreservationMetadataError(
                    field: field,
                    reason: "identifier \(name) contains U+\(String(bad.value, radix: 16, uppercase: true)), which XML 1.0 cannot carry")
            }
        }
    }

    /// `<prefix>IdentifierType>` + `<prefix>IdentifierValue>` inside `<container>`.
    func element(_ container: String, _ prefix: String, extra: [XMLMarkup.Element] = []) -> XMLMarkup.Element {
        var e = XMLMarkup.Element("premis:\(container)")
        e.append("premis:\(prefix)IdentifierType", text: type)
        e.append("premis:\(prefix)IdentifierValue", text: value)
        e.append(contentsOf: extra)
        return e
    }
}

/// A value from a controlled vocabulary or a plain string (PREMIS `stringPlusAuthority`):
/// the text, and optionally the vocabulary's name and URI and the value's URI.
public struct PREMISTerm: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var value: String
    public var authority: String?
    public var authorityURI: String?
    public var valueURI: String?

    public init(_ value: String, authority: String? = nil, authorityURI: String? = nil, valueURI: String? = nil) {
        self.value = value
        self.authority = authority
        self.authorityURI = authorityURI
        self.valueURI = valueURI
    }

    /// A plain term with no vocabulary.
    public init(stringLiteral value: String) { self.init(value) }

    /// A term of a Library of Congress preservation vocabulary
    /// (`http://id.loc.gov/vocabulary/preservation/<vocabulary>/<code>`).
    public static func loc(_ vocabulary: String, code: String, label: String) -> PREMISTerm {
        let base = "http://id.loc.gov/vocabulary/preservation/\(vocabulary)"
        return PREMISTerm(label, authority: vocabulary, authorityURI: base, valueURI: "\(base)/\(code)")
    }

    public var description: String { value }

    func element(_ name: String) -> XMLMarkup.Element {
        XMLMarkup.Element(name, [
            "authority": authority,
            "authorityURI": authorityURI,
            "valueURI": valueURI,
        ], text: value)
    }
}

/// Timestamps as PREMIS and METS write them: UTC, `YYYY-MM-DDThh:mm:ssZ`, with milliseconds
/// only when the date has them. Valid as `xs:dateTime` and as EDTF. Computed with the
/// proleptic Gregorian calendar that `xs:dateTime` uses (not ICU's Julian/Gregorian hybrid),
/// and clamped to years 0001–9999 so that any `Date` gives a valid value.
enum XMLDateTime {
    static func string(_ date: Date) -> String {
        let lowest = -62_135_596_800.0  // 0001-01-01T00:00:00Z
        let highest = 253_402_300_799.999  // 9999-12-31T23:59:59.999Z
        var t = date.timeIntervalSince1970
        if !t.isFinite { t = t > 0 ? highest : lowest }
        t = min(max(t, lowest), highest)
        // Whole milliseconds, rounded down, so a date always gives the same text.
        let ms = Int64((t * 1000).rounded(.down))
        let secs = floorDiv(ms, 1000)
        let frac = ms - secs * 1000
        let days = floorDiv(secs, 86_400)
        let secondOfDay = secs - days * 86_400
        // Days since 1970-01-01 to a civil date (H. Hinnant, "chrono-compatible low-level date algorithms").
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)

        func pad(_ n: Int64, _ width: Int) -> String {
            let s = String(n)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        var out = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
        out += "\(pad(secondOfDay / 3_600, 2)):\(pad(secondOfDay % 3_600 / 60, 2)):\(pad(secondOfDay % 60, 2))"
        if frac != 0 { out += "." + pad(frac, 3) }
        return out + "Z"
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

// MARK: - Objects

/// A digest algorithm PREMIS fixity is recorded with.
public enum PREMISDigestAlgorithm: String, Sendable, Hashable, CaseIterable {
    case sha256 = "SHA-256"
    case sha512 = "SHA-512"
    /// SM3 (GB/T 32905-2016), the Chinese national hash. Not in the LoC vocabulary, so it is
    /// written as a plain term.
    case sm3 = "SM3"

    /// Length of the hex digest.
    public var hexLength: Int {
        switch self {
        case .sha256, .sm3: 64
        case .sha512: 128
        }
    }

    /// The `messageDigestAlgorithm` term: LoC cryptographicHashFunctions for SHA-2.
    public var term: PREMISTerm {
        switch self {
        case .sha256: .loc("cryptographicHashFunctions", code: "sha256", label: "SHA-256")
        case .sha512: .loc("cryptographicHashFunctions", code: "sha512", label: "SHA-512")
        case .sm3: PREMISTerm("SM3")
        }
    }
}

/// One fixity value of an object.
public struct PREMISFixity: Sendable, Hashable {
    public var algorithm: PREMISDigestAlgorithm
    /// Hex digest; written in lower case.
    public var digest: String
    /// Who computed it (`messageDigestOriginator`), e.g. the transferring agency or Lantai.
    public var originator: String?

    public init(_ algorithm: PREMISDigestAlgorithm, digest: String, originator: String? = nil) {
        self.algorithm = algorithm
        self.digest = digest
        self.originator = originator
    }

    func check(field: String) throws {
        let d = digest.lowercased()
        guard d.count == algorithm.hexLength, d.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) else {
            throw PreservationMetadataError(
                field: field,
                reason: "\(algorithm.rawValue) digest must be \(algorithm.hexLength) hex digits, got \(String(reflecting: String(digest.prefix(140))))")
        }
    }

    func element() -> XMLMarkup.Element {
        var e = XMLMarkup.Element("premis:fixity")
        e.append(algorithm.term.element("premis:messageDigestAlgorithm"))
        e.append("premis:messageDigest", text: digest.lowercased())
        if let originator, !originator.isEmpty {
            e.append(PREMISTerm(originator).element("premis:messageDigestOriginator"))
        }
        return e
    }
}

/// A file format: name (and version) and, when identified, its PRONOM PUID.
public struct PREMISFormat: Sendable, Hashable {
    public var name: String
    public var version: String?
    /// PRONOM persistent unique identifier, e.g. `fmt/354` (PDF/A-1b) or `x-fmt/111`.
    public var puid: String?

    public init(name: String, version: String? = nil, puid: String? = nil) {
        self.name = name
        self.version = version
        self.puid = puid
    }

    /// A file whose format could not be identified.
    public static let unknown = PREMISFormat(name: "Unknown")

    /// Whether `puid` is shaped like a PRONOM identifier: `fmt/N`, `x-fmt/N`, `chr/N`, `x-chr/N`…
    public static func isPUID(_ puid: String) -> Bool {
        let parts = puid.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        let prefix = parts[0].hasPrefix("x-") ? parts[0].dropFirst(2) : parts[0]
        return !prefix.isEmpty && prefix.allSatisfy { $0.isASCII && $0.isLowercase }
    }

    func check(field: String) throws {
        if let puid, !Self.isPUID(puid) {
            throw PreservationMetadataError(field: field + ".puid",
                                            reason: "\(String(reflecting: puid)) is not a PRONOM PUID (fmt/N or x-fmt/N)")
        }
    }

    func element() -> XMLMarkup.Element {
        var e = XMLMarkup.Element("premis:format")
        let name = self.name.trimmingCharacters(in: .whitespacesAndNewlines)
        // formatDesignation or formatRegistry is required; an empty name with no PUID is
        // written as "Unknown" rather than dropped.
        if !name.isEmpty || puid == nil {
            var d = XMLMarkup.Element("premis:formatDesignation")
            d.append("premis:formatName", text: name.isEmpty ? Self.unknown.name : name)
            d.appendIfPresent("premis:formatVersion", text: version)
            e.append(d)
        }
        if let puid {
            var r = XMLMarkup.Element("premis:formatRegistry")
            r.append("premis:formatRegistryName", text: "PRONOM")
            r.append(PREMISTerm(puid).element("premis:formatRegistryKey"))
            e.append(r)
        }
        return e
    }
}

/// A file object (`<premis:object xsi:type="premis:file">`).
public struct PREMISObject: Sendable, Hashable {
    /// The identifier events link to.
    public var identifier: PREMISIdentifier
    /// Further identifiers of the same file (e.g. its UUID besides its path).
    public var otherIdentifiers: [PREMISIdentifier]
    public var fixity: [PREMISFixity]
    /// Size in bytes.
    public var size: Int64?
    public var format: PREMISFormat
    /// The name the file had when it was transferred (may differ from its stored path).
    public var originalName: String?

    public init(identifier: PREMISIdentifier, otherIdentifiers: [PREMISIdentifier] = [],
                fixity: [PREMISFixity] = [], size: Int64? = nil, format: PREMISFormat = .unknown,
                originalName: String? = nil) {
        self.identifier = identifier
        self.otherIdentifiers = otherIdentifiers
        self.fixity = fixity
        self.size = size
        self.format = format
        self.originalName = originalName
    }

    func element() -> XMLMarkup.Element {
        var o = XMLMarkup.Element("premis:object", ["xsi:type": "premis:file"])
        for id in [identifier] + otherIdentifiers { o.append(id.element("objectIdentifier", "object")) }
        var c = XMLMarkup.Element("premis:objectCharacteristics")
        c.append("premis:compositionLevel", text: "0")
        c.append(contentsOf: fixity.map { $0.element() })
        if let size { c.append("premis:size", text: String(size)) }
        c.append(format.element())
        o.append(c)
        if let originalName { o.append("premis:originalName", text: originalName) }
        return o
    }
}

// MARK: - Events

/// An event type: a term of the LoC eventType vocabulary
/// (`http://id.loc.gov/vocabulary/preservation/eventType`) or any plain string.
public struct PREMISEventType: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var term: PREMISTerm
    public var value: String { term.value }

    public init(_ term: PREMISTerm) { self.term = term }
    /// A plain event type, outside the LoC vocabulary.
    public init(stringLiteral value: String) { self.term = PREMISTerm(value) }

    /// The LoC event type with this code (`ing`, `fix`…) or label (`ingestion`, `fixity check`…).
    public init?(loc codeOrLabel: String) {
        guard let (code, label) = Self.locTerms.first(where: { $0.0 == codeOrLabel || $0.1 == codeOrLabel }) else { return nil }
        self.term = .loc("eventType", code: code, label: label)
    }

    public var description: String { term.value }

    private static func loc(_ code: String, _ label: String) -> PREMISEventType {
        PREMISEventType(.loc("eventType", code: code, label: label))
    }

    public static let accession = loc("acc", "accession")
    public static let appraisal = loc("app", "appraisal")
    public static let capture = loc("cap", "capture")
    public static let compression = loc("com", "compression")
    public static let creation = loc("cre", "creation")
    public static let deaccession = loc("dea", "deaccession")
    public static let decompression = loc("dec", "decompression")
    public static let decryption = loc("der", "decryption")
    public static let deletion = loc("del", "deletion")
    public static let digitalSignatureGeneration = loc("dsg", "digital signature generation")
    public static let digitalSignatureValidation = loc("dig", "digital signature validation")
    public static let dissemination = loc("dis", "dissemination")
    public static let encryption = loc("enc", "encryption")
    public static let exporting = loc("exp", "exporting")
    public static let extraction = loc("ext", "extraction")
    public static let filenameChange = loc("fil", "filename change")
    public static let fixityCheck = loc("fix", "fixity check")
    public static let formatIdentification = loc("for", "format identification")
    public static let imaging = loc("ima", "imaging")
    public static let informationPackageCreation = loc("ipc", "information package creation")
    public static let ingestion = loc("ing", "ingestion")
    public static let ingestionStart = loc("ins", "ingestion start")
    public static let ingestionEnd = loc("ine", "ingestion end")
    public static let messageDigestCalculation = loc("mes", "message digest calculation")
    public static let metadataExtraction = loc("mee", "metadata extraction")
    public static let metadataModification = loc("mem", "metadata modification")
    public static let migration = loc("mig", "migration")
    public static let modification = loc("mod", "modification")
    public static let normalization = loc("nor", "normalization")
    public static let packing = loc("pac", "packing")
    public static let policyAssignment = loc("poa", "policy assignment")
    public static let quarantine = loc("qua", "quarantine")
    public static let recovery = loc("rec", "recovery")
    public static let redaction = loc("red", "redaction")
    public static let refreshment = loc("ref", "refreshment")
    public static let replication = loc("rep", "replication")
    public static let transfer = loc("tra", "transfer")
    public static let unpacking = loc("unp", "unpacking")
    public static let unquarantine = loc("unq", "unquarantine")
    public static let validation = loc("val", "validation")
    public static let virusCheck = loc("vir", "virus check")

    /// Every code and label of the LoC eventType vocabulary (as of its 2018 revision).
    public static let locTerms: [(String, String)] = [
        ("acc", "accession"), ("app", "appraisal"), ("cap", "capture"), ("com", "compression"),
        ("cop", "compiling"), ("cre", "creation"), ("dea", "deaccession"), ("dec", "decompression"),
        ("del", "deletion"), ("der", "decryption"), ("dig", "digital signature validation"),
        ("dis", "dissemination"), ("dsg", "digital signature generation"), ("dsp", "displaying"),
        ("enc", "encryption"), ("exe", "execution"), ("exp", "exporting"), ("ext", "extraction"),
        ("ffa", "forensic feature analysis"), ("fil", "filename change"), ("fix", "fixity check"),
        ("for", "format identification"), ("ima", "imaging"), ("ine", "ingestion end"),
        ("ing", "ingestion"), ("ins", "ingestion start"), ("int", "interpreting"),
        ("ipc", "information package creation"), ("ipm", "information package merging"),
        ("ips", "information package splitting"), ("mee", "metadata extraction"),
        ("mem", "metadata modification"), ("mes", "message digest calculation"), ("mig", "migration"),
        ("mod", "modification"), ("nor", "normalization"), ("pac", "packing"),
        ("poa", "policy assignment"), ("prt", "printing"), ("qua", "quarantine"), ("rec", "recovery"),
        ("red", "redaction"), ("ref", "refreshment"), ("ren", "rendering"), ("rep", "replication"),
        ("tra", "transfer"), ("unp", "unpacking"), ("unq", "unquarantine"), ("val", "validation"),
        ("vir", "virus check"),
    ]
}

/// The outcome of an event (LoC eventOutcome vocabulary).
public enum PREMISOutcome: String, Sendable, Hashable, CaseIterable {
    case success
    case failure
    case warning

    public var term: PREMISTerm {
        switch self {
        case .success: .loc("eventOutcome", code: "suc", label: "success")
        case .failure: .loc("eventOutcome", code: "fai", label: "fail")
        case .warning: .loc("eventOutcome", code: "war", label: "warning")
        }
    }
}

/// An agent taking part in an event, and its roles (LoC eventRelatedAgentRole, or plain).
public struct PREMISLinkingAgent: Sendable, Hashable {
    public var identifier: PREMISIdentifier
    public var roles: [PREMISTerm]
    public init(_ identifier: PREMISIdentifier, roles: [PREMISTerm] = []) {
        self.identifier = identifier
        self.roles = roles
    }
}

/// An object an event acted on, and its roles (LoC eventRelatedObjectRole, or plain).
public struct PREMISLinkingObject: Sendable, Hashable {
    public var identifier: PREMISIdentifier
    public var roles: [PREMISTerm]
    public init(_ identifier: PREMISIdentifier, roles: [PREMISTerm] = []) {
        self.identifier = identifier
        self.roles = roles
    }
}

extension PREMISTerm {
    /// Agent role: the agent that gave permission for the event.
    public static let authorizer = PREMISTerm.loc("eventRelatedAgentRole", code: "aut", label: "authorizer")
    /// Agent role: the software that ran the event.
    public static let executingProgram = PREMISTerm.loc("eventRelatedAgentRole", code: "exe", label: "executing program")
    /// Agent role: the agent that carried out the event.
    public static let implementer = PREMISTerm.loc("eventRelatedAgentRole", code: "imp", label: "implementer")
    /// Agent role: the agent that checked requirements were met.
    public static let validator = PREMISTerm.loc("eventRelatedAgentRole", code: "val", label: "validator")
    /// Object role: the object the event acted on.
    public static let source = PREMISTerm.loc("eventRelatedObjectRole", code: "sou", label: "source")
    /// Object role: an object the event produced.
    public static let outcome = PREMISTerm.loc("eventRelatedObjectRole", code: "out", label: "outcome")
}

/// Something that happened to one or more objects.
public struct PREMISEvent: Sendable, Hashable {
    public var identifier: PREMISIdentifier
    public var type: PREMISEventType
    public var dateTime: Date
    /// What was done, in words (`eventDetail`).
    public var detail: String?
    public var outcome: PREMISOutcome?
    /// Notes on the outcome (`eventOutcomeDetailNote`), e.g. the format found or why it failed.
    public var outcomeDetails: [String]
    public var linkingAgents: [PREMISLinkingAgent]
    public var linkingObjects: [PREMISLinkingObject]

    public init(identifier: PREMISIdentifier, type: PREMISEventType, dateTime: Date, detail: String? = nil,
                outcome: PREMISOutcome? = nil, outcomeDetails: [String] = [],
                agents: [PREMISLinkingAgent] = [], objects: [PREMISLinkingObject] = []) {
        self.identifier = identifier
        self.type = type
        self.dateTime = dateTime
        self.detail = detail
        self.outcome = outcome
        self.outcomeDetails = outcomeDetails
        self.linkingAgents = agents
        self.linkingObjects = objects
    }

    /// An event identified by a UUID (identifier type `UUID`).
    public init(id: UUID, type: PREMISEventType, dateTime: Date, detail: String? = nil,
                outcome: PREMISOutcome? = nil, outcomeDetail: String? = nil,
                agents: [PREMISLinkingAgent] = [], objects: [PREMISLinkingObject] = []) {
        self.init(identifier: .uuid(id), type: type, dateTime: dateTime, detail: detail, outcome: outcome,
                  outcomeDetails: outcomeDetail.map { [$0] } ?? [], agents: agents, objects: objects)
    }

    func element() -> XMLMarkup.Element {
        var e = XMLMarkup.Element("premis:event")
        e.append(identifier.element("eventIdentifier", "event"))
        e.append(type.term.element("premis:eventType"))
        e.append("premis:eventDateTime", text: XMLDateTime.string(dateTime))
        if let detail, !detail.isEmpty {
            var d = XMLMarkup.Element("premis:eventDetailInformation")
            d.append("premis:eventDetail", text: detail)
            e.append(d)
        }
        let notes = outcomeDetails.filter { !$0.isEmpty }
        if outcome != nil || !notes.isEmpty {
            var info = XMLMarkup.Element("premis:eventOutcomeInformation")
            if let outcome { info.append(outcome.term.element("premis:eventOutcome")) }
            for note in notes {
                var d = XMLMarkup.Element("premis:eventOutcomeDetail")
                d.append("premis:eventOutcomeDetailNote", text: note)
                info.append(d)
            }
            e.append(info)
        }
        for a in linkingAgents {
            e.append(a.identifier.element("linkingAgentIdentifier", "linkingAgent",
                                          extra: a.roles.map { $0.element("premis:linkingAgentRole") }))
        }
        for o in linkingObjects {
            e.append(o.identifier.element("linkingObjectIdentifier", "linkingObject",
                                          extra: o.roles.map { $0.element("premis:linkingObjectRole") }))
        }
        return e
    }
}

// MARK: - Agents

/// The kind of an agent (LoC agentType vocabulary).
public enum PREMISAgentType: String, Sendable, Hashable, CaseIterable {
    case software
    case organization
    case person
    case hardware

    public var term: PREMISTerm {
        switch self {
        case .software: .loc("agentType", code: "sof", label: "software")
        case .organization: .loc("agentType", code: "org", label: "organization")
        case .person: .loc("agentType", code: "per", label: "person")
        case .hardware: .loc("agentType", code: "har", label: "hardware")
        }
    }
}

/// A person, organisation or piece of software that takes part in events.
public struct PREMISAgent: Sendable, Hashable {
    public var identifier: PREMISIdentifier
    public var name: String
    public var type: PREMISAgentType
    /// Software version (`agentVersion`).
    public var version: String?
    public var notes: [String]

    public init(identifier: PREMISIdentifier, name: String, type: PREMISAgentType, version: String? = nil,
                notes: [String] = []) {
        self.identifier = identifier
        self.name = name
        self.type = type
        self.version = version
        self.notes = notes
    }

    /// A software agent, identified as `preservation system` `<name>-<version>`; by default Lantai.
    public static func software(name: String = "Lantai", version: String) -> PREMISAgent {
        PREMISAgent(identifier: PREMISIdentifier(type: "preservation system", value: "\(name)-\(version)"),
                    name: name, type: .software, version: version)
    }

    /// An organisation — the archives node — identified by its node code.
    public static func organization(code: String, name: String) -> PREMISAgent {
        PREMISAgent(identifier: PREMISIdentifier(type: "node code", value: code), name: name, type: .organization)
    }

    /// A person — the archivist — identified by their account name on the node.
    public static func person(account: String, name: String) -> PREMISAgent {
        PREMISAgent(identifier: PREMISIdentifier(type: "account", value: account), name: name, type: .person)
    }

    func element() -> XMLMarkup.Element {
        var e = XMLMarkup.Element("premis:agent")
        e.append(identifier.element("agentIdentifier", "agent"))
        if !name.isEmpty { e.append(PREMISTerm(name).element("premis:agentName")) }
        e.append(type.term.element("premis:agentType"))
        e.appendIfPresent("premis:agentVersion", text: version)
        for note in notes where !note.isEmpty { e.append("premis:agentNote", text: note) }
        return e
    }
}
