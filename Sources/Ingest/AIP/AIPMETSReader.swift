import ArchiveKit
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Packaging

/// Reads an AIP's METS back into an ``AIPRecordSnapshot``: the DA/T 18 block gives the
/// description, PREMIS gives the files' fixity and formats, the events and agents, the METS
/// header gives the node and the item UUID, and the fileSec gives MIME types.
///
/// It is strict: a field that does not parse (a year that is not a number, a retention code
/// outside the vocabulary, a file listed in PREMIS but not in the fileSec, checksums that
/// disagree) is an error naming it, because `lantai rebuild-catalog` must not invent values.
/// It reads with Foundation's `XMLParser` (libxml2), which is independent of the writer, into a
/// small namespace-resolved tree; nothing is fetched (external entities are off).
enum AIPMETSReader {
    static func snapshot(from data: Data, objectID expected: String?) throws -> AIPRecordSnapshot {
        let label = expected ?? "METS"
        func fail(_ reason: String) -> AIPError { .unreadable(objectID: label, reason: reason) }

        let root = try AIPXMLTree.parse(data, label: label)
        guard root.is(METSDocument.namespace, "mets") else {
            throw fail("root element is {\(root.namespace)}\(root.name), not METS")
        }
        guard let objectID = root.attribute("OBJID"), !objectID.isEmpty else { throw fail("mets has no OBJID") }
        if let expected, expected != objectID {
            throw fail("OBJID is \(objectID), not the object's id \(expected)")
        }

        // Header: dates, node (custodian agent), item UUID.
        guard let header = root.child(METSDocument.namespace, "metsHdr") else { throw fail("no metsHdr") }
        guard let created = header.attribute("CREATEDATE").flatMap(AIPDateTime.parse) else {
            throw fail("metsHdr CREATEDATE is missing or not a UTC xs:dateTime")
        }
        var lastModified: Date?
        if let text = header.attribute("LASTMODDATE") {
            guard let d = AIPDateTime.parse(text) else { throw fail("metsHdr LASTMODDATE \(text) is not a UTC xs:dateTime") }
            lastModified = d
        }
        guard let custodian = header.children(METSDocument.namespace, "agent").first(where: { $0.attribute("ROLE") == "CUSTODIAN" }),
              let nodeName = custodian.child(METSDocument.namespace, "name")?.text,
              let nodeCode = custodian.child(METSDocument.namespace, "note")?.text else {
            throw fail("metsHdr has no CUSTODIAN agent with the node's name and code")
        }
        let altIDs = header.children(METSDocument.namespace, "altRecordID")
        guard let uuidText = altIDs.first(where: { $0.attribute("TYPE") == AIPLayout.uuidType })?.text,
              let itemID = UUID(uuidString: uuidText) else {
            throw fail("metsHdr has no altRecordID of TYPE UUID holding the item's UUID")
        }

        // The DA/T 18 description.
        let records = root.children(METSDocument.namespace, "dmdSec").compactMap { dmd -> AIPXMLTree.Node? in
            guard let wrap = dmd.child(METSDocument.namespace, "mdWrap"),
                  wrap.attribute("OTHERMDTYPE") == METSDescription.otherMDType else { return nil }
            return wrap.child(METSDocument.namespace, "xmlData")?.child(METSDescription.namespace, "record")
        }
        guard records.count == 1, let record = records.first else {
            throw fail("expected one DA/T 18 dmdSec, found \(records.count)")
        }
        let (fonds, archivalCode, description) = try Self.description(record, fail: fail)
        guard objectID == ArchivalPackage.objectID(node: nodeCode, archivalCode: archivalCode) else {
            throw fail("OBJID \(objectID) does not name node \(nodeCode) and 档号 \(archivalCode)")
        }

        // PREMIS.
        guard let premis = root.child(METSDocument.namespace, "amdSec")?.child(METSDocument.namespace, "digiprovMD")?
            .child(METSDocument.namespace, "mdWrap")?.child(METSDocument.namespace, "xmlData")?
            .child(PREMISDocument.namespace, "premis") else {
            throw fail("no PREMIS in amdSec/digiprovMD")
        }
        let p = PREMISDocument.namespace
        /// `<prefix>IdentifierType` + `<prefix>IdentifierValue` inside an identifier container.
        func identifier(_ node: AIPXMLTree.Node, _ prefix: String) -> PREMISIdentifier? {
            guard let type = node.child(p, "\(prefix)IdentifierType")?.text,
                  let value = node.child(p, "\(prefix)IdentifierValue")?.text else { return nil }
            return PREMISIdentifier(type: type, value: value)
        }

        var parent: String?
        var entityFound = false
        var fileNamesByID: [PREMISIdentifier: String] = [:]
        var premisFiles: [AIPStoredFile] = []
        for object in premis.children(p, "object") {
            let kind = object.attribute("type").map { $0.split(separator: ":").last.map(String.init) ?? $0 } ?? ""
            let ids = object.children(p, "objectIdentifier").compactMap { identifier($0, "object") }
            if kind == "intellectualEntity" {
                guard ids.contains(.uuid(itemID)) else {
                    throw fail("the intellectual entity is not identified by the item UUID \(itemID.uuidString.lowercased())")
                }
                entityFound = true
                for r in object.children(p, "relationship")
                where r.child(p, "relationshipType")?.text == AIPLayout.structural && r.child(p, "relationshipSubType")?.text == AIPLayout.isPartOf {
                    if let related = r.child(p, "relatedObjectIdentifier").flatMap({ identifier($0, "relatedObject") }),
                       related.type == AIPLayout.archivalCodeType {
                        parent = related.value
                    }
                }
                continue
            }
            guard kind == "file" else { continue }
            guard let id = ids.first, id.type == AIPLayout.fileIdentifierType, let nameFromPath = AIPLayout.name(fromLogicalPath: id.value) else {
                throw fail("a PREMIS file object is not identified by its content/ path")
            }
            let name = object.child(p, "originalName")?.text ?? nameFromPath
            guard name == nameFromPath, Array(name.utf8) == Array(nameFromPath.utf8) else {
                throw fail("PREMIS file \(id.value) has originalName \(name)")
            }
            guard let characteristics = object.child(p, "objectCharacteristics") else { throw fail("PREMIS file \(name) has no objectCharacteristics") }
            var digests: [String: String] = [:]
            for fixity in characteristics.children(p, "fixity") {
                if let algorithm = fixity.child(p, "messageDigestAlgorithm")?.text, let digest = fixity.child(p, "messageDigest")?.text {
                    digests[algorithm] = digest
                }
            }
            guard let sha256 = digests["SHA-256"], let sha512 = digests["SHA-512"], let sm3 = digests["SM3"] else {
                throw fail("PREMIS file \(name) lacks its SHA-256, SHA-512 or SM3 fixity")
            }
            guard let sizeText = characteristics.child(p, "size")?.text, let size = Int64(sizeText) else {
                throw fail("PREMIS file \(name) has no size")
            }
            let format = characteristics.child(p, "format")
            let designation = format?.child(p, "formatDesignation")
            let registry = format?.child(p, "formatRegistry")
            let puid = registry?.child(p, "formatRegistryName")?.text == "PRONOM" ? registry?.child(p, "formatRegistryKey")?.text : nil
            let stored = AIPStoredFile(
                name: name, size: size, sha256: sha256, sha512: sha512, sm3: sm3,
                format: AIPFormat(puid: puid, mimeType: nil, name: designation?.child(p, "formatName")?.text ?? "",
                                  version: designation?.child(p, "formatVersion")?.text))
            fileNamesByID[id] = name
            premisFiles.append(stored)
        }
        guard entityFound else { throw fail("PREMIS has no intellectual entity for the record") }

        // fileSec: MIME types, and the SHA-512 must agree with PREMIS.
        var metsFiles: [String: (mime: String?, checksum: String?)] = [:]
        for group in root.child(METSDocument.namespace, "fileSec")?.children(METSDocument.namespace, "fileGrp") ?? [] {
            for file in group.children(METSDocument.namespace, "file") {
                guard let href = file.child(METSDocument.namespace, "FLocat")?.attribute("href"),
                      let path = href.removingPercentEncoding, let name = AIPLayout.name(fromLogicalPath: path) else {
                    throw fail("a fileSec file has no FLocat href under content/")
                }
                metsFiles[name] = (file.attribute("MIMETYPE"), file.attribute("CHECKSUM"))
            }
        }
        guard metsFiles.count == premisFiles.count else {
            throw fail("fileSec lists \(metsFiles.count) files, PREMIS \(premisFiles.count)")
        }
        for i in premisFiles.indices {
            guard let m = metsFiles[premisFiles[i].name] else { throw fail("\(premisFiles[i].name) is in PREMIS but not in the fileSec") }
            guard m.checksum?.lowercased() == premisFiles[i].sha512 else {
                throw fail("\(premisFiles[i].name): fileSec SHA-512 differs from PREMIS fixity")
            }
            premisFiles[i].format.mimeType = m.mime
        }

        // Agents, then events.
        var agents: [PREMISIdentifier: AIPAgent] = [:]
        for a in premis.children(p, "agent") {
            guard let id = a.child(p, "agentIdentifier").flatMap({ identifier($0, "agent") }) else {
                throw fail("a PREMIS agent has no identifier")
            }
            let name = a.child(p, "agentName")?.text ?? ""
            switch a.child(p, "agentType")?.text {
            case "software": agents[id] = .software(name: name, version: a.child(p, "agentVersion")?.text ?? "")
            case "person" where id.type == "account": agents[id] = .person(account: id.value, name: name)
            case "organization" where id.type == "node code": agents[id] = .organization(code: id.value, name: name)
            default: continue
            }
        }
        var events: [AIPEvent] = []
        for e in premis.children(p, "event") {
            guard let id = e.child(p, "eventIdentifier").flatMap({ identifier($0, "event") }),
                  id.type == "UUID", let uuid = UUID(uuidString: id.value) else {
                throw fail("a PREMIS event is not identified by a UUID")
            }
            guard let type = e.child(p, "eventType")?.text else { throw fail("event \(id.value) has no type") }
            guard let dateText = e.child(p, "eventDateTime")?.text, let date = AIPDateTime.parse(dateText) else {
                throw fail("event \(id.value) has no UTC eventDateTime")
            }
            let detail = e.child(p, "eventDetailInformation")?.child(p, "eventDetail")?.text ?? ""
            let info = e.child(p, "eventOutcomeInformation")
            let outcome: AIPEvent.Outcome
            switch info?.child(p, "eventOutcome")?.text {
            case "success": outcome = .success
            case "fail": outcome = .failure
            case "warning": outcome = .warning
            case let other: throw fail("event \(id.value) has outcome \(other ?? "(none)")")
            }
            let note = info?.child(p, "eventOutcomeDetail")?.child(p, "eventOutcomeDetailNote")?.text ?? ""
            guard let agentID = e.child(p, "linkingAgentIdentifier").flatMap({ identifier($0, "linkingAgent") }),
                  let agent = agents[agentID] else {
                throw fail("event \(id.value) links to no agent described in PREMIS")
            }
            var names: [String] = []
            for link in e.children(p, "linkingObjectIdentifier") {
                guard let object = identifier(link, "linkingObject") else { continue }
                if object.type == AIPLayout.fileIdentifierType, let name = AIPLayout.name(fromLogicalPath: object.value) {
                    // Files of earlier versions may be gone from this one; their names still read back.
                    names.append(fileNamesByID[object] ?? name)
                }
            }
            events.append(AIPEvent(id: uuid, type: AIPEventType(rawValue: type), date: date, outcome: outcome,
                                   detail: detail, outcomeDetail: note, agent: agent, files: names))
        }

        return AIPRecordSnapshot(
            objectID: objectID, version: nil, node: AIPNode(code: nodeCode, name: nodeName),
            record: AIPRecord(fonds: fonds, archivalCode: archivalCode, itemID: itemID, description: description,
                              parentArchivalCode: parent),
            files: premisFiles, events: events, created: created, lastModified: lastModified)
    }

    private static func description(_ r: AIPXMLTree.Node, fail: (String) -> AIPError) throws -> (String, String, RecordDescription) {
        let ns = METSDescription.namespace
        func text(_ name: String) throws -> String {
            guard let e = r.child(ns, name) else { throw fail("DA/T 18 block lacks <\(name)>") }
            return e.text
        }
        func number(_ name: String) throws -> Int {
            let t = try text(name)
            guard let n = Int(t) else { throw fail("DA/T 18 \(name) \(String(reflecting: t)) is not a number") }
            return n
        }
        func coded<T: RawRepresentable>(_ name: String, _ type: T.Type) throws -> T where T.RawValue == String {
            let t = try text(name)
            guard let v = T(rawValue: t) else { throw fail("DA/T 18 \(name) \(String(reflecting: t)) is not one of its codes") }
            return v
        }
        guard let levelText = r.attribute("level"), let level = DescriptionLevel(rawValue: levelText) else {
            throw fail("DA/T 18 level \(r.attribute("level") ?? "(none)") is not file or item")
        }
        guard let subjectList = r.child(ns, "subjects") else { throw fail("DA/T 18 block lacks <subjects>") }
        let description = RecordDescription(
            level: level, category: try text("category"), title: try text("title"), creator: try text("creator"),
            documentNumber: try text("documentNumber"), date: try text("date"), year: try number("year"),
            retention: try coded("retention", Retention.self), organisation: try text("organisation"),
            pages: try number("pages"), classification: try coded("classification", Classification.self),
            accessStatus: try coded("accessStatus", AccessStatus.self), carrier: try text("carrier"),
            subjects: subjectList.children(ns, "subject").map(\.text), notes: try text("notes"),
            location: try text("location"))
        return (try text("fonds"), try text("archivalCode"), description)
    }
}

/// `xs:dateTime` in UTC as PREMIS and METS are written here (`2024-05-01T08:00:00Z`, optionally
/// with up to milliseconds), parsed exactly: the same `Date` the writer was given, to the millisecond.
enum AIPDateTime {
    static func parse(_ s: String) -> Date? {
        let u = Array(s.utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= u.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard u[i] >= 48, u[i] <= 57 else { return nil }
                v = v * 10 + Int(u[i] - 48)
            }
            return v
        }
        guard u.count >= 20, let year = digits(0, 4), u[4] == 45, let month = digits(5, 2), u[7] == 45,
              let day = digits(8, 2), u[10] == 84, let hour = digits(11, 2), u[13] == 58, let minute = digits(14, 2),
              u[16] == 58, let second = digits(17, 2), (1...12).contains(month), (1...31).contains(day),
              hour < 24, minute < 60, second < 60 else { return nil }
        var i = 19
        var millis = 0
        if u[i] == 46 {
            i += 1
            var n = 0
            while i < u.count, u[i] >= 48, u[i] <= 57 {
                if n < 3 { millis = millis * 10 + Int(u[i] - 48) }
                n += 1
                i += 1
            }
            guard n > 0 else { return nil }
            for _ in min(n, 3)..<3 { millis *= 10 }
        }
        guard i == u.count - 1, u[i] == 90 else { return nil }
        // Days from civil (H. Hinnant), the inverse of the writer's conversion: exact integers,
        // no calendar library, so the round trip is exact.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return Date(timeIntervalSince1970: Double(seconds * 1000 + Int64(millis)) / 1000)
    }
}

/// A namespace-resolved element tree read with `XMLParser`, enough to walk METS by name.
enum AIPXMLTree {
    final class Node {
        let namespace: String
        let name: String
        let attributes: [String: String]
        var elements: [Node] = []
        var text = ""

        init(namespace: String, name: String, attributes: [String: String]) {
            self.namespace = namespace
            self.name = name
            self.attributes = attributes
        }

        func `is`(_ namespace: String, _ name: String) -> Bool { self.namespace == namespace && self.name == name }
        func children(_ namespace: String, _ name: String) -> [Node] { elements.filter { $0.is(namespace, name) } }
        func child(_ namespace: String, _ name: String) -> Node? { elements.first { $0.is(namespace, name) } }

        /// An attribute by local name: `href` finds `xlink:href`, `type` finds `xsi:type`. The
        /// attributes read here are unambiguous by local name (METS's own are upper case).
        func attribute(_ local: String) -> String? {
            if let v = attributes[local] { return v }
            return attributes.first { key, _ in key.hasSuffix(":" + local) }?.value
        }
    }

    static func parse(_ data: Data, label: String) throws -> Node {
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "not well-formed"
            throw AIPError.unreadable(objectID: label, reason: "XML error at line \(parser.lineNumber): \(reason)")
        }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: Node?
        var stack: [Node] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes: [String: String] = [:]) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            let node = Node(namespace: namespaceURI ?? "", name: local, attributes: attributes)
            if let parent = stack.last { parent.elements.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
        }
    }
}
