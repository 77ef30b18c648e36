import Foundation

/// A METS 1.12 document (namespace `http://www.loc.gov/METS/`) describing one AIP: who made it
/// (`metsHdr`), what it is (`dmdSec`: Dublin Core and the full DA/T 18 description), its
/// preservation history (`amdSec`/`digiprovMD` wrapping a ``PREMISDocument``), its files
/// (`fileSec`, with SHA-512 checksums and relative paths) and how they are arranged
/// (`structMap`: a `div` per 案卷 or 件, and a `div` per digital file).
///
/// Output validates against the official mets.xsd 1.12.1; the embedded PREMIS and oai_dc
/// validate against their own schemas too. IDs are generated from document order
/// (`DMD-DC-1`, `DMD-DAT18-1`, `DIGIPROV-PREMIS-1`, `FILE-1`, `DIV-1`…), so the same
/// document always gives the same bytes.
///
/// ```swift
/// var item = METSDivision(description: description)
/// item.files = [METSFile(path: "content/a.pdf", mimeType: "application/pdf", size: 1024, checksum: sha512Hex)]
/// let mets = METSDocument(objectID: "J012-WS·2015-Y-BGS-0001", createDate: Date(),
///                         agents: [.software(name: "Lantai", version: "1.0.0")],
///                         root: item, premis: premis)
/// let xml = try mets.xml()
/// ```
public struct METSDocument: Sendable, Hashable {
    /// The METS namespace.
    public static let namespace = "http://www.loc.gov/METS/"
    /// The METS 1.12.1 schema, for `xsi:schemaLocation`.
    public static let schemaLocation = "http://www.loc.gov/standards/mets/version1121/mets.xsd"
    /// The LoC XLink schema METS imports.
    public static let xlinkSchemaLocation = "http://www.loc.gov/standards/xlink/xlink.xsd"

    /// `OBJID`: the identifier of the object described, e.g. the 档号 or the item's UUID.
    public var objectID: String
    /// `LABEL`: a title for display.
    public var label: String?
    /// `TYPE`, e.g. `item` or `file`.
    public var type: String?
    /// `PROFILE`: the METS profile followed, if any.
    public var profile: String?
    /// `metsHdr/@CREATEDATE`.
    public var createDate: Date
    /// `metsHdr/@LASTMODDATE`.
    public var lastModified: Date?
    /// `metsHdr/@RECORDSTATUS`, e.g. `NEW` or `REVISED`.
    public var recordStatus: String?
    /// `metsHdr/agent`s, in order.
    public var agents: [METSAgent]
    /// `metsHdr/altRecordID`s: other identifiers of the object.
    public var alternativeIDs: [METSAlternativeID]
    /// The structure: the described unit, its files and any units inside it.
    public var root: METSDivision
    /// Preservation metadata, wrapped in `amdSec/digiprovMD` with `MDTYPE="PREMIS"`.
    public var premis: PREMISDocument?

    public init(objectID: String, label: String? = nil, type: String? = nil, profile: String? = nil,
                createDate: Date, lastModified: Date? = nil, recordStatus: String? = nil,
                agents: [METSAgent] = [], alternativeIDs: [METSAlternativeID] = [],
                root: METSDivision, premis: PREMISDocument? = nil) {
        self.objectID = objectID
        self.label = label
        self.type = type
        self.profile = profile
        self.createDate = createDate
        self.lastModified = lastModified
        self.recordStatus = recordStatus
        self.agents = agents
        self.alternativeIDs = alternativeIDs
        self.root = root
        self.premis = premis
    }

    /// The document as METS XML (UTF-8, with an XML declaration).
    /// Throws ``PreservationMetadataError`` when the content cannot make a valid document.
    public func xml() throws -> String {
        try XMLMarkup.document(element())
    }

    /// ``xml()`` as UTF-8 bytes.
    public func xmlData() throws -> Data {
        Data(try xml().utf8)
    }

    /// Every file of the structure, in document order.
    public var allFiles: [METSFile] {
        var out: [METSFile] = []
        func walk(_ d: METSDivision) {
            out += d.files
            d.children.forEach(walk)
        }
        walk(root)
        return out
    }

    /// Checks the content before writing: `OBJID` present and XML-safe; every file path
    /// relative, inside the package and unique; checksums in hex of the right length; sizes
    /// not negative; the PREMIS document (if any) valid.
    public func validate() throws {
        if objectID.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw PreservationMetadataError(field: "mets.objectID", reason: "OBJID is empty")
        }
        if let bad = XMLMarkup.firstDisallowedScalar(in: objectID) {
            throw PreservationMetadataError(
                field: "mets.objectID",
                reason: "OBJID contains U+\(String(bad.value, radix: 16, uppercase: true)), which XML 1.0 cannot carry")
        }
        var paths = Set<String>()
        for (i, f) in allFiles.enumerated() {
            let field = "mets.files[\(i)]"
            try f.check(field: field)
            guard paths.insert(f.path).inserted else {
                throw PreservationMetadataError(field: field + ".path", reason: "path \(String(reflecting: f.path)) is listed twice")
            }
        }
        try premis?.validate()
    }

    /// The `<mets:mets>` element.
    public func element() throws -> XMLMarkup.Element {
        try validate()
        var mets = XMLMarkup.Element("mets:mets", [
            "xmlns:mets": Self.namespace,
            "xmlns:xlink": XMLNamespaces.xlink,
            "xmlns:xsi": XMLNamespaces.xsi,
            "xsi:schemaLocation": "\(Self.namespace) \(Self.schemaLocation) \(XMLNamespaces.xlink) \(Self.xlinkSchemaLocation)",
            "OBJID": objectID,
            "LABEL": label,
            "TYPE": type,
            "PROFILE": profile,
        ])

        // metsHdr
        var header = XMLMarkup.Element("mets:metsHdr", [
            "CREATEDATE": XMLDateTime.string(createDate),
            "LASTMODDATE": lastModified.map(XMLDateTime.string),
            "RECORDSTATUS": recordStatus,
        ])
        header.append(contentsOf: agents.map { $0.element() })
        for alt in alternativeIDs {
            header.append("mets:altRecordID", ["TYPE": alt.type], text: alt.value)
        }
        mets.append(header)

        // Number divisions and files in document order.
        var plan = Plan()
        plan.number(root)

        // dmdSec: two per described division, DC first.
        for (d, division) in plan.divisions.enumerated() {
            guard let description = division.description else { continue }
            let n = d + 1
            var dc = XMLMarkup.Element("mets:dmdSec", ["ID": "DMD-DC-\(n)"])
            var dcWrap = XMLMarkup.Element("mets:mdWrap", ["MIMETYPE": "text/xml", "MDTYPE": "DC", "LABEL": "Dublin Core"])
            dcWrap.append(XMLMarkup.Element("mets:xmlData", children: [.element(description.dublinCoreElement())]))
            dc.append(dcWrap)
            mets.append(dc)

            var dat = XMLMarkup.Element("mets:dmdSec", ["ID": "DMD-DAT18-\(n)"])
            var datWrap = XMLMarkup.Element("mets:mdWrap", [
                "MIMETYPE": "text/xml", "MDTYPE": "OTHER", "OTHERMDTYPE": METSDescription.otherMDType,
                "LABEL": "DA/T 18 档案著录",
            ])
            datWrap.append(XMLMarkup.Element("mets:xmlData", children: [.element(description.daT18Element())]))
            dat.append(datWrap)
            mets.append(dat)
        }

        // amdSec: the PREMIS document.
        let digiprovID = "DIGIPROV-PREMIS-1"
        if let premis {
            var amd = XMLMarkup.Element("mets:amdSec", ["ID": "AMD-1"])
            var digiprov = XMLMarkup.Element("mets:digiprovMD", ["ID": digiprovID])
            var wrap = XMLMarkup.Element("mets:mdWrap", [
                "MIMETYPE": "text/xml", "MDTYPE": "PREMIS", "MDTYPEVERSION": "3.0", "LABEL": "PREMIS",
            ])
            wrap.append(XMLMarkup.Element("mets:xmlData", children: [.element(try premis.element())]))
            digiprov.append(wrap)
            amd.append(digiprov)
            mets.append(amd)
        }

        // fileSec: one fileGrp per USE, in order of first appearance.
        if !plan.files.isEmpty {
            var uses: [String] = []
            for f in plan.files where !uses.contains(f.file.use) { uses.append(f.file.use) }
            var fileSec = XMLMarkup.Element("mets:fileSec", ["ID": "FILESEC-1"])
            for (g, use) in uses.enumerated() {
                var group = XMLMarkup.Element("mets:fileGrp", ["ID": "FILEGRP-\(g + 1)", "USE": use])
                for f in plan.files where f.file.use == use { group.append(f.file.element(id: f.id)) }
                fileSec.append(group)
            }
            mets.append(fileSec)
        }

        // structMap
        var structMap = XMLMarkup.Element("mets:structMap", ["ID": "STRUCTMAP-1", "TYPE": "logical", "LABEL": label])
        structMap.append(plan.divElement(root, admID: premis == nil ? nil : digiprovID))
        mets.append(structMap)
        return mets
    }

    /// IDs of divisions and files, assigned in document (pre-)order.
    private struct Plan {
        var divisions: [METSDivision] = []
        var files: [(id: String, file: METSFile)] = []
        private var divisionNumbers: [Int] = []

        mutating func number(_ d: METSDivision) {
            divisions.append(d)
            for f in d.files { files.append(("FILE-\(files.count + 1)", f)) }
            d.children.forEach { number($0) }
        }

        /// Builds the div tree, consuming numbers in the same order `number` assigned them.
        func divElement(_ root: METSDivision, admID: String?) -> XMLMarkup.Element {
            var nextDiv = 0
            var nextFile = 0
            func build(_ d: METSDivision, order: Int?, admID: String?) -> XMLMarkup.Element {
                nextDiv += 1
                let n = nextDiv
                var e = XMLMarkup.Element("mets:div", [
                    "ID": "DIV-\(n)",
                    "TYPE": d.type,
                    "LABEL": d.label ?? d.description?.title,
                    "ORDER": order.map(String.init),
                    "DMDID": d.description == nil ? nil : "DMD-DC-\(n) DMD-DAT18-\(n)",
                    "ADMID": admID,
                ])
                for (i, f) in d.files.enumerated() {
                    let fileID = files[nextFile].id
                    nextFile += 1
                    var fileDiv = XMLMarkup.Element("mets:div", [
                        "ID": "DIV-\(fileID)",
                        "TYPE": METSDivision.fileDivisionType,
                        "LABEL": f.displayLabel,
                        "ORDER": String(i + 1),
                    ])
                    fileDiv.append(XMLMarkup.Element("mets:fptr", ["FILEID": fileID]))
                    e.append(fileDiv)
                }
                for (i, c) in d.children.enumerated() {
                    e.append(build(c, order: i + 1, admID: nil))
                }
                return e
            }
            return build(root, order: nil, admID: admID)
        }
    }
}

/// An agent in the METS header: who made, keeps or owns the document.
public struct METSAgent: Sendable, Hashable {
    /// `ROLE` (METS vocabulary), or `OTHER` with `OTHERROLE`.
    public enum Role: Sendable, Hashable {
        case creator, editor, archivist, preservation, disseminator, custodian, ipOwner
        case other(String)

        var attributes: (role: String, otherRole: String?) {
            switch self {
            case .creator: ("CREATOR", nil)
            case .editor: ("EDITOR", nil)
            case .archivist: ("ARCHIVIST", nil)
            case .preservation: ("PRESERVATION", nil)
            case .disseminator: ("DISSEMINATOR", nil)
            case .custodian: ("CUSTODIAN", nil)
            case .ipOwner: ("IPOWNER", nil)
            case .other(let r): ("OTHER", r)
            }
        }
    }

    /// `TYPE` (METS vocabulary), or `OTHER` with `OTHERTYPE`.
    public enum Kind: Sendable, Hashable {
        case individual, organization
        case other(String)

        var attributes: (type: String, otherType: String?) {
            switch self {
            case .individual: ("INDIVIDUAL", nil)
            case .organization: ("ORGANIZATION", nil)
            case .other(let t): ("OTHER", t)
            }
        }
    }

    public var role: Role
    public var kind: Kind?
    public var name: String
    public var notes: [String]

    public init(role: Role, kind: Kind? = nil, name: String, notes: [String] = []) {
        self.role = role
        self.kind = kind
        self.name = name
        self.notes = notes
    }

    /// The software that wrote the document: `ROLE="CREATOR" TYPE="OTHER" OTHERTYPE="SOFTWARE"`.
    public static func software(name: String = "Lantai", version: String) -> METSAgent {
        METSAgent(role: .creator, kind: .other("SOFTWARE"), name: "\(name) \(version)")
    }

    /// An organisation, by default the archives that keeps the object (`CUSTODIAN`).
    public static func organization(_ name: String, role: Role = .custodian, notes: [String] = []) -> METSAgent {
        METSAgent(role: role, kind: .organization, name: name, notes: notes)
    }

    /// A person, by default the archivist responsible (`ARCHIVIST`).
    public static func individual(_ name: String, role: Role = .archivist, notes: [String] = []) -> METSAgent {
        METSAgent(role: role, kind: .individual, name: name, notes: notes)
    }

    func element() -> XMLMarkup.Element {
        let r = role.attributes
        let k = kind?.attributes
        var e = XMLMarkup.Element("mets:agent", [
            "ROLE": r.role, "OTHERROLE": r.otherRole, "TYPE": k?.type, "OTHERTYPE": k?.otherType,
        ])
        e.append("mets:name", text: name)
        for note in notes where !note.isEmpty { e.append("mets:note", text: note) }
        return e
    }
}

/// Another identifier of the object (`altRecordID`), e.g. type `UUID`.
public struct METSAlternativeID: Sendable, Hashable {
    public var type: String?
    public var value: String
    public init(type: String?, value: String) {
        self.type = type
        self.value = value
    }
}

/// A unit of the structure — a 案卷 (file) or 件 (item) — with its description, its digital
/// files and the units inside it. Written as a `structMap` `div` (with a child `div` per
/// digital file), and, when described, as two `dmdSec`s.
public struct METSDivision: Sendable, Hashable {
    /// `TYPE` of the `div` written for each digital file.
    public static let fileDivisionType = "digital-file"

    /// `TYPE`, e.g. `item` (件) or `file` (案卷).
    public var type: String
    /// `LABEL`; the description's title when nil.
    public var label: String?
    public var description: METSDescription?
    public var files: [METSFile]
    public var children: [METSDivision]

    public init(type: String? = nil, label: String? = nil, description: METSDescription? = nil,
                files: [METSFile] = [], children: [METSDivision] = []) {
        self.type = type ?? description?.level ?? "item"
        self.label = label
        self.description = description
        self.files = files
        self.children = children
    }
}

/// Checksum types METS allows in `CHECKSUMTYPE`.
public enum METSChecksumType: String, Sendable, Hashable, CaseIterable {
    case adler32 = "Adler-32"
    case crc32 = "CRC32"
    case haval = "HAVAL"
    case md5 = "MD5"
    case mnp = "MNP"
    case sha1 = "SHA-1"
    case sha256 = "SHA-256"
    case sha384 = "SHA-384"
    case sha512 = "SHA-512"
    case tiger = "TIGER"
    case whirlpool = "WHIRLPOOL"

    /// Hex length for the fixed-size digests, nil for the others.
    var hexLength: Int? {
        switch self {
        case .adler32, .crc32: 8
        case .md5: 32
        case .sha1: 40
        case .sha256: 64
        case .sha384: 96
        case .sha512, .whirlpool: 128
        case .haval, .mnp, .tiger: nil
        }
    }
}

/// A digital file of the package (`fileSec/fileGrp/file` with one `FLocat`).
public struct METSFile: Sendable, Hashable {
    /// Path relative to the METS document, `/`-separated (e.g. `content/会议纪要.pdf`); written
    /// as an IRI reference in `xlink:href`, with the characters a URI path cannot hold
    /// percent-encoded.
    public var path: String
    public var mimeType: String?
    /// Size in bytes.
    public var size: Int64?
    /// Hex digest of the content; written in lower case.
    public var checksum: String?
    public var checksumType: METSChecksumType
    public var created: Date?
    /// The `fileGrp` `USE` the file goes in, e.g. `original`, `preservation`, `access`.
    public var use: String
    /// A label for the file's `div`; the last path segment when nil.
    public var label: String?

    public init(path: String, mimeType: String? = nil, size: Int64? = nil, checksum: String? = nil,
                checksumType: METSChecksumType = .sha512, created: Date? = nil, use: String = "original",
                label: String? = nil) {
        self.path = path
        self.mimeType = mimeType
        self.size = size
        self.checksum = checksum
        self.checksumType = checksumType
        self.created = created
        self.use = use
        self.label = label
    }

    var displayLabel: String {
        label ?? String(path.split(separator: "/").last ?? Substring(path))
    }

    func check(field: String) throws {
        if path.isEmpty {
            throw PreservationMetadataError(field: field + ".path", reason: "path is empty")
        }
        if path.hasPrefix("/") {
            throw PreservationMetadataError(field: field + ".path", reason: "path \(String(reflecting: path)) is absolute; it must be relative to the package")
        }
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty || segment == "." || segment == ".." {
                throw PreservationMetadataError(
                    field: field + ".path",
                    reason: "path \(String(reflecting: path)) has an empty, '.' or '..' segment; it must stay inside the package")
            }
        }
        if let size, size < 0 {
            throw PreservationMetadataError(field: field + ".size", reason: "size \(size) is negative")
        }
        if let checksum {
            let c = checksum.lowercased()
            let hex = !c.isEmpty && c.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
            if !hex || (checksumType.hexLength.map { $0 != c.count } ?? false) {
                let want = checksumType.hexLength.map { "\($0) hex digits" } ?? "hex digits"
                throw PreservationMetadataError(
                    field: field + ".checksum",
                    reason: "\(checksumType.rawValue) checksum must be \(want), got \(String(reflecting: String(checksum.prefix(140))))")
            }
        }
        if use.isEmpty {
            throw PreservationMetadataError(field: field + ".use", reason: "USE is empty")
        }
    }

    func element(id: String) -> XMLMarkup.Element {
        var e = XMLMarkup.Element("mets:file", [
            "ID": id,
            "MIMETYPE": mimeType,
            "SIZE": size.map { String($0) },
            "CREATED": created.map(XMLDateTime.string),
            "CHECKSUM": checksum?.lowercased(),
            "CHECKSUMTYPE": checksum == nil ? nil : checksumType.rawValue,
        ])
        e.append(XMLMarkup.Element("mets:FLocat", [
            "LOCTYPE": "URL",
            "xlink:type": "simple",
            "xlink:href": METSFile.hrefEncode(path),
        ]))
        return e
    }

    /// A relative path as an IRI reference (RFC 3987): unreserved ASCII, sub-delims, `@` and
    /// `/` stay; other ASCII (space, `%`, `#`, `?`, `:`, controls…) is percent-encoded, `:` so
    /// that a first segment is never read as a scheme. Non-ASCII stays as it is when RFC 3987
    /// allows it (`ucschar`, so Chinese names stay readable) and is percent-encoded as UTF-8
    /// otherwise (C1 controls, private use, non-characters, bidi formatting controls).
    public static func hrefEncode(_ path: String) -> String {
        var out = ""
        for s in path.unicodeScalars {
            if keepsInHref(s) {
                out.unicodeScalars.append(s)
            } else {
                for byte in String(s).utf8 {
                    out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
                }
            }
        }
        return out
    }

    private static func keepsInHref(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 {
            if ("A"..."Z").contains(s) || ("a"..."z").contains(s) || ("0"..."9").contains(s) { return true }
            return "-._~!$&'()*+,;=@/".unicodeScalars.contains(s)
        }
        // Bidi formatting characters must not appear literally in IRIs (RFC 3987 §4.1).
        if v == 0x200E || v == 0x200F || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) { return false }
        // ucschar (RFC 3987 §2.2).
        switch v {
        case 0xA0...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFEF: return true
        default:
            let plane = v >> 16, low = v & 0xFFFF
            return (1...14).contains(plane) && low <= 0xFFFD && !(plane == 14 && low < 0x1000)
        }
    }
}
