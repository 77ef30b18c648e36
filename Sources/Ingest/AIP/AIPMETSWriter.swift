import ArchiveKit
import Foundation
import Packaging

/// Names shared by the AIP's METS writer and reader. They are part of the stored format: a
/// package written today must read back in ten years, so change them only with a reader for
/// the old spelling.
enum AIPLayout {
    /// Where the files go inside an object version. The payload sits under its own folder, so
    /// an agency's file can never collide with the package's metadata, whatever it is called.
    static let contentFolder = "content"
    /// The METS document of the version.
    static let metsPath = "metadata/mets.xml"
    /// PREMIS identifier type (and METS `altRecordID` `TYPE`) of a 档号.
    static let archivalCodeType = "archival code"
    /// METS `altRecordID` `TYPE` of the item UUID.
    static let uuidType = "UUID"
    /// PREMIS identifier type of a file object: its logical path in the version.
    static let fileIdentifierType = "local"
    /// `fileGrp` `USE` of the agency's files.
    static let originalUse = "original"
    /// Relationship written from the record's intellectual entity to its 案卷.
    static let structural = "structural"
    static let isPartOf = "is part of"

    static func logicalPath(_ name: String) -> String { "\(contentFolder)/\(name)" }

    /// The file name back from a logical path, or nil when the path is not under `content/`.
    static func name(fromLogicalPath path: String) -> String? {
        let prefix = contentFolder + "/"
        guard path.hasPrefix(prefix), path.utf8.count > prefix.utf8.count else { return nil }
        return String(decoding: path.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
    }
}

/// Builds an AIP's METS document from the record, its files and its events.
///
/// The document is the METS 1.12 that ``METSDocument`` writes — two `dmdSec`s (Dublin Core for
/// any METS reader, and the full DA/T 18 block that the catalogue is rebuilt from), one
/// `amdSec/digiprovMD` holding PREMIS 3, a `fileSec` and a `structMap` — with one addition
/// made on the element tree: the PREMIS intellectual entity.
///
/// PREMIS gets a `premis:object xsi:type="premis:intellectualEntity"` for the record itself
/// (identified by its UUID and its 档号, related to its 案卷 by a structural "is part of"
/// relationship). Events that concern the record as a whole (accession, a description edit)
/// link to it, and it is what lets a paper record's description-only package carry PREMIS at
/// all: premis.xsd needs at least one object, and such a package has no files. The Packaging
/// writer only speaks `premis:file` objects, so the entity is put in place of a stand-in file
/// object after the tree is built (the stand-in shares its identifier, so the writer's own
/// uniqueness checks still cover it).
struct AIPMETSWriter {
    var objectID: String
    var record: AIPRecord
    var files: [AIPStoredFile]
    var events: [AIPEvent]
    /// Events carried over from earlier versions: they may name files this version no longer
    /// has, and are linked to those files' identifiers all the same.
    var historyIDs: Set<UUID> = []
    var node: AIPNode
    var user: OCFLUser
    var software: AIPAgent
    var created: Date
    var lastModified: Date?

    func xml() throws -> Data {
        let mets = try document()
        var root: XMLMarkup.Element
        do {
            root = try mets.element()
        } catch let e as PreservationMetadataError {
            throw AIPError.invalidInput(field: e.field, reason: e.reason)
        }
        try Self.replaceFirstObject(in: &root, with: intellectualEntity())
        return Data(try XMLMarkup.document(root).utf8)
    }

    var intellectualEntityID: PREMISIdentifier { .uuid(record.itemID) }

    func document() throws -> METSDocument {
        let d = record.description
        let description = METSDescription(
            level: d.level.rawValue, fonds: record.fonds, category: d.category, archivalCode: record.archivalCode,
            title: d.title, creator: d.creator, documentNumber: d.documentNumber, date: d.date, year: d.year,
            retention: d.retention.rawValue, organisation: d.organisation, pages: d.pages,
            classification: d.classification.rawValue, accessStatus: d.accessStatus.rawValue, carrier: d.carrier,
            subjects: d.subjects, notes: d.notes, location: d.location,
            rights: ["\(d.accessStatus.chinese) \(d.accessStatus.english)",
                     "\(d.classification.chinese) \(d.classification.english)"],
            language: "zh")
        // FLocat hrefs are relative to the package root (the OCFL version's logical root), not
        // to metadata/: `content/<name>`, not `../content/<name>`. The METS writer refuses `..`
        // so that no path in a package can ever point outside it, and E-ARK and BagIt readers
        // resolve paths from the package root the same way.
        let metsFiles = files.map { f in
            METSFile(path: AIPLayout.logicalPath(f.name), mimeType: f.format.mimeType, size: f.size,
                     checksum: f.sha512, checksumType: .sha512, use: AIPLayout.originalUse, label: f.name)
        }
        return METSDocument(
            objectID: objectID, label: d.title, type: d.level.rawValue,
            createDate: created, lastModified: lastModified, recordStatus: lastModified == nil ? "NEW" : "REVISED",
            agents: [
                metsSoftwareAgent,
                // The custodian's note is its node code: the reader takes the node from here.
                .organization(node.name, role: .custodian, notes: [node.code]),
                .individual(user.name, role: .archivist, notes: [user.address ?? ""]),
            ],
            alternativeIDs: [
                METSAlternativeID(type: AIPLayout.uuidType, value: record.itemID.uuidString.lowercased()),
                METSAlternativeID(type: AIPLayout.archivalCodeType, value: record.archivalCode),
            ],
            root: METSDivision(type: d.level.rawValue, description: description, files: metsFiles),
            premis: try premis())
    }

    private var metsSoftwareAgent: METSAgent {
        switch software {
        case .software(let name, let version): .software(name: name, version: version)
        case .person(_, let name): .individual(name, role: .creator)
        case .organization(_, let name): .organization(name, role: .creator)
        }
    }

    func premis() throws -> PREMISDocument {
        var objects = [PREMISObject(identifier: intellectualEntityID)]  // stand-in, replaced by the entity
        var fileIDs: [String: PREMISIdentifier] = [:]
        for f in files {
            let id = PREMISIdentifier(type: AIPLayout.fileIdentifierType, value: AIPLayout.logicalPath(f.name))
            fileIDs[f.name] = id
            objects.append(PREMISObject(
                identifier: id,
                fixity: [PREMISFixity(.sha256, digest: f.sha256), PREMISFixity(.sha512, digest: f.sha512),
                         PREMISFixity(.sm3, digest: f.sm3)],
                size: f.size,
                format: PREMISFormat(name: f.format.name, version: f.format.version, puid: f.format.puid),
                originalName: f.name))
        }

        // One PREMIS agent per identifier, in order of first appearance, described as it was
        // last given: a person renamed since an earlier version's event appears once, under the
        // current name.
        var agents: [PREMISAgent] = []
        var agentIndex: [PREMISIdentifier: Int] = [:]
        func add(_ agent: AIPAgent) {
            let p = agent.premis
            if let i = agentIndex[p.identifier] {
                agents[i] = p
            } else {
                agentIndex[p.identifier] = agents.count
                agents.append(p)
            }
        }
        let custodian = AIPAgent.organization(code: node.code, name: node.name)
        add(software)
        add(custodian)
        for e in events { add(e.agent) }
        add(custodian)  // the node's own current name wins
        // The archivist who made the version, unless the events already name a person.
        if !agents.contains(where: { $0.type == .person }) {
            agents.append(PREMISAgent(identifier: PREMISIdentifier(type: "OCFL user", value: user.address ?? user.name),
                                      name: user.name, type: .person))
        }

        var premisEvents: [PREMISEvent] = []
        for (i, e) in events.enumerated() {
            var links: [PREMISLinkingObject] = []
            if e.files.isEmpty {
                links = [PREMISLinkingObject(intellectualEntityID, roles: [.source])]
            } else {
                for name in e.files {
                    if let id = fileIDs[name] {
                        links.append(PREMISLinkingObject(id, roles: [.source]))
                    } else if historyIDs.contains(e.id) {
                        links.append(PREMISLinkingObject(
                            PREMISIdentifier(type: AIPLayout.fileIdentifierType, value: AIPLayout.logicalPath(name)), roles: [.source]))
                    } else {
                        throw AIPError.invalidInput(field: "events[\(i - historyIDs.count)].files",
                                                    reason: "event \(e.type) names \(String(reflecting: name)), which is not a file of the package")
                    }
                }
            }
            premisEvents.append(PREMISEvent(
                identifier: .uuid(e.id), type: e.type.premis, dateTime: e.date, detail: e.detail,
                outcome: PREMISOutcome(rawValue: e.outcome.rawValue), outcomeDetails: [e.outcomeDetail],
                agents: [PREMISLinkingAgent(e.agent.premis.identifier, roles: [e.agent.role])],
                objects: links))
        }
        return PREMISDocument(objects: objects, events: premisEvents, agents: agents)
    }

    /// `<premis:object xsi:type="premis:intellectualEntity">` for the record.
    func intellectualEntity() -> XMLMarkup.Element {
        func identifier(_ container: String, _ prefix: String, type: String, value: String) -> XMLMarkup.Element {
            var e = XMLMarkup.Element("premis:\(container)")
            e.append("premis:\(prefix)IdentifierType", text: type)
            e.append("premis:\(prefix)IdentifierValue", text: value)
            return e
        }
        var ie = XMLMarkup.Element("premis:object", ["xsi:type": "premis:intellectualEntity"])
        ie.append(identifier("objectIdentifier", "object", type: intellectualEntityID.type, value: intellectualEntityID.value))
        ie.append(identifier("objectIdentifier", "object", type: AIPLayout.archivalCodeType, value: record.archivalCode))
        if let parent = record.parentArchivalCode {
            var r = XMLMarkup.Element("premis:relationship")
            r.append("premis:relationshipType", text: AIPLayout.structural)
            r.append("premis:relationshipSubType", text: AIPLayout.isPartOf)
            r.append(identifier("relatedObjectIdentifier", "relatedObject", type: AIPLayout.archivalCodeType, value: parent))
            ie.append(r)
        }
        return ie
    }

    /// Puts `replacement` in place of the first `premis:object` under the METS amdSec.
    static func replaceFirstObject(in root: inout XMLMarkup.Element, with replacement: XMLMarkup.Element) throws {
        func replace(_ e: inout XMLMarkup.Element) -> Bool {
            if e.name == "premis:premis" {
                for i in e.children.indices {
                    if case .element(let c) = e.children[i], c.name == "premis:object" {
                        e.children[i] = .element(replacement)
                        return true
                    }
                }
                return false
            }
            for i in e.children.indices {
                if case .element(var c) = e.children[i] {
                    if replace(&c) {
                        e.children[i] = .element(c)
                        return true
                    }
                }
            }
            return false
        }
        guard replace(&root) else {
            throw AIPError.invalidInput(field: "premis", reason: "the METS writer produced no PREMIS object to replace (Packaging changed?)")
        }
    }
}
