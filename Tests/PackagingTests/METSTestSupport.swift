import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Packaging

/// Fixtures and the outside validator (scripts/validate-xml.py, xmlschema + the official XSDs
/// in the shared schemas folder) for the METS and PREMIS tests.
enum METSFixture {
    static let created = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14T22:13:20Z
    static let sha512A = String(repeating: "0123456789abcdef", count: 8)
    static let sha512B = String(repeating: "fedcba9876543210", count: 8)
    static let sha256A = String(repeating: "a1b2c3d4", count: 8)
    static let sha256B = String(repeating: "9f8e7d6c", count: 8)
    static let sm3A = String(repeating: "5a", count: 32)
    static let sm3B = String(repeating: "c3", count: 32)

    static let lantai = PREMISAgent.software(name: "Lantai", version: "1.0.0")
    static let archives = PREMISAgent.organization(code: "320100", name: "南京市档案馆")
    static let archivist = PREMISAgent.person(account: "wang.fang", name: "王芳")

    static let objectA = PREMISObject(
        identifier: .local("v1/content/data/会议纪要.pdf"),
        otherIdentifiers: [.uuid(UUID(uuidString: "6F1C2D3E-4B5A-4C6D-8E7F-901A2B3C4D5E")!)],
        fixity: [.init(.sha256, digest: sha256A), .init(.sha512, digest: sha512A, originator: "Lantai"),
                 .init(.sm3, digest: sm3A)],
        size: 123_456,
        format: PREMISFormat(name: "Acrobat PDF/A - Portable Document Format", version: "1b", puid: "fmt/354"),
        originalName: "会议纪要.pdf")
    static let objectB = PREMISObject(
        identifier: .local("v1/content/data/附件 1 & 2.ofd"),
        fixity: [.init(.sha256, digest: sha256B), .init(.sha512, digest: sha512B), .init(.sm3, digest: sm3B)],
        size: 2_048,
        format: PREMISFormat(name: "OFD"),
        originalName: "附件 1 & 2.ofd")

    static func event(_ n: Int, _ type: PREMISEventType, detail: String, outcome: PREMISOutcome = .success,
                      note: String? = nil, agents: [PREMISLinkingAgent]? = nil) -> PREMISEvent {
        PREMISEvent(
            id: UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n))!,
            type: type, dateTime: created.addingTimeInterval(Double(n)), detail: detail,
            outcome: outcome, outcomeDetail: note,
            agents: agents ?? [.init(lantai.identifier, roles: [.executingProgram]),
                               .init(archivist.identifier, roles: [.implementer])],
            objects: [.init(objectA.identifier, roles: [.source]), .init(objectB.identifier, roles: [.source])])
    }

    /// PREMIS for an item with two files: ingestion, fixity check, format identification,
    /// virus check, accession, and a replication with a plain (non-LoC) event type.
    static func premis() -> PREMISDocument {
        PREMISDocument(
            objects: [objectA, objectB],
            events: [
                event(1, .ingestion, detail: "接收移交包 transfer T-2024-0001"),
                event(2, .fixityCheck, detail: "SHA-256, SHA-512 and SM3 checked against the bag manifests",
                      note: "2 of 2 files match"),
                event(3, .formatIdentification, detail: "signature identification",
                      outcome: .warning, note: "附件 1 & 2.ofd: OFD has no PRONOM PUID"),
                event(4, .virusCheck, detail: "ClamAV 1.4", note: "no signature found"),
                event(5, .accession, detail: "移交接收 accepted by the archivist",
                      agents: [.init(archivist.identifier, roles: [.authorizer]),
                               .init(archives.identifier, roles: [PREMISTerm("custodian")])]),
                event(6, "replication to district node", detail: "plain event type, no vocabulary",
                      outcome: .failure, note: "node 320102 unreachable"),
            ],
            agents: [lantai, archives, archivist])
    }

    static func description(title: String = "关于2015年档案工作的通知", notes: String = "原件存于档案库房") -> METSDescription {
        METSDescription(
            level: "item", fonds: "J012", category: "WS", archivalCode: "J012-WS·2015-Y-BGS-0001",
            title: title, creator: "南京市档案局", documentNumber: "宁档〔2015〕12号", date: "2015-03-18",
            year: 2015, retention: "permanent", organisation: "BGS", pages: 12, classification: "none",
            accessStatus: "open", carrier: "电子", subjects: ["档案工作", "通知"], notes: notes,
            location: "3号库 12架", rights: ["开放 open", "非密 unclassified"], language: "zh")
    }

    static let fileA = METSFile(path: "data/会议纪要.pdf", mimeType: "application/pdf", size: 123_456,
                                checksum: sha512A, created: created)
    static let fileB = METSFile(path: "data/附件 1 & 2.ofd", mimeType: "application/ofd", size: 2_048,
                                checksum: sha512B.uppercased())

    /// METS for one item (件) with two files and the PREMIS above.
    static func mets(description: METSDescription = description(), files: [METSFile] = [fileA, fileB]) -> METSDocument {
        METSDocument(
            objectID: description.archivalCode, label: description.title, type: "item",
            createDate: created, recordStatus: "NEW",
            agents: [.software(name: "Lantai", version: "1.0.0"), .organization("南京市档案馆"), .individual("王芳")],
            alternativeIDs: [METSAlternativeID(type: "UUID", value: "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e")],
            root: METSDivision(description: description, files: files),
            premis: premis())
    }
}

enum METSXMLValidator {
    /// scripts/validate-xml.py of this checkout (found through the test file's real path, so a
    /// package that symlinks Tests/ still finds it), else of the current directory.
    static func script() throws -> String {
        let here = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let fromSource = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/validate-xml.py").path
        for candidate in [fromSource, FileManager.default.currentDirectoryPath + "/scripts/validate-xml.py"]
        where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        throw XCTSkip("scripts/validate-xml.py not found")
    }

    /// Writes each document to a temporary file and runs the validator over all of them.
    static func run(schema: String, _ documents: [String], file: StaticString = #filePath, line: UInt = #line) throws -> OutsideTool.Result {
        let python = try OutsideTool.python(with: "xmlschema")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-mets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (i, doc) in documents.enumerated() {
            let url = dir.appendingPathComponent("doc-\(i).xml")
            try Data(doc.utf8).write(to: url)
            paths.append(url.path)
        }
        let result = try OutsideTool.run(python, [try script(), "--schema", schema] + paths)
        if result.status == 2, result.output.contains("no schemas folder found") {
            // Like a missing validator: the official XSDs are not on this machine.
            throw XCTSkip("validate-xml.py found no shared schemas folder: \(result.output)")
        }
        return result
    }

    /// Asserts the validator accepts the documents (exit 0), showing its output otherwise.
    static func assertValid(schema: String, _ documents: String..., file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try run(schema: schema, documents)
        XCTAssertEqual(r.status, 0, "validate-xml.py --schema \(schema) rejected the document:\n\(r.output)", file: file, line: line)
    }

    /// Asserts the validator rejects the document (exit 1) and returns its output.
    @discardableResult
    static func assertInvalid(schema: String, _ document: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let r = try run(schema: schema, [document])
        XCTAssertEqual(r.status, 1, "validate-xml.py --schema \(schema) should have rejected the document:\n\(r.output)", file: file, line: line)
        XCTAssertTrue(r.output.contains("INVALID"), r.output, file: file, line: line)
        return r.output
    }
}

extension METSFixture {
    /// Replaces exactly one occurrence, failing the test when there is not exactly one.
    static func replaceOnce(_ target: String, with replacement: String, in text: String,
                            file: StaticString = #filePath, line: UInt = #line) -> String {
        let parts = text.components(separatedBy: target)
        XCTAssertEqual(parts.count, 2, "expected exactly one \(target.debugDescription)", file: file, line: line)
        return parts.joined(separator: replacement)
    }
}

/// Reads documents back with libxml2 (FoundationXML), a parser independent of the writer.
struct METSParsedXML {
    let doc: XMLDocument

    init(_ xml: String) throws {
        doc = try XMLDocument(data: Data(xml.utf8), options: [])
    }

    /// Elements by qualified name (prefix:local, as written), in document order.
    func all(_ qname: String) -> [XMLElement] {
        var out: [XMLElement] = []
        func walk(_ node: XMLNode) {
            if node.kind == .element, node.name == qname, let e = node as? XMLElement { out.append(e) }
            for c in node.children ?? [] { walk(c) }
        }
        if let root = doc.rootElement() { walk(root) }
        return out
    }

    func texts(_ qname: String) -> [String] { all(qname).map { $0.stringValue ?? "" } }

    func attribute(_ name: String, of qname: String) -> String? {
        all(qname).first?.attribute(forName: name)?.stringValue
    }

    func attributes(_ name: String, of qname: String) -> [String?] {
        all(qname).map { $0.attribute(forName: name)?.stringValue }
    }
}
