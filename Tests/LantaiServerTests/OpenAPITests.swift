import Foundation
@testable import LantaiServer
import XCTest
import XCTVapor
import Yams

/// The OpenAPI document against the routes and the JSON the server really sends.
final class OpenAPITests: LantaiTestCase {
    static let httpMethods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// YAML mappings come back as [AnyHashable: Any]; this gives [String: Any] at every level asked for.
    static func dict(_ any: Any?) -> [String: Any]? {
        if let d = any as? [String: Any] { return d }
        guard let d = any as? [AnyHashable: Any] else { return nil }
        return Dictionary(uniqueKeysWithValues: d.map { (String(describing: $0.key.base), $0.value) })
    }

    func document() throws -> [String: Any] {
        let loaded = try Yams.load(yaml: OpenAPIDocument.yaml)
        return try XCTUnwrap(Self.dict(loaded), "the document is a YAML mapping")
    }

    func schemaProperties(_ name: String) throws -> Set<String> {
        let doc = try document()
        let schemas = try XCTUnwrap(Self.dict(Self.dict(doc["components"])?["schemas"]), "components.schemas")
        let schema = try XCTUnwrap(Self.dict(schemas[name]), "schema \(name)")
        let props = try XCTUnwrap(Self.dict(schema["properties"]), "\(name).properties")
        return Set(props.keys)
    }

    struct Operation: Hashable, Comparable, CustomStringConvertible {
        var method: String
        var path: String
        var description: String { "\(method.uppercased()) \(path)" }
        static func < (a: Self, b: Self) -> Bool { (a.path, a.method) < (b.path, b.method) }
    }

    // MARK: Routes

    func testEveryAPIRouteIsDocumentedAndEveryDocumentedOperationExists() throws {
        var registered = Set<Operation>()
        for route in app.routes.all {
            let parts = route.path.map { component -> String in
                switch component {
                case .constant(let s): return s
                case .parameter(let name): return "{\(name)}"
                case .anything: return "*"
                case .catchall: return "**"
                }
            }
            guard let first = parts.first, first == "api" || (parts == ["healthz"]) else { continue }
            registered.insert(Operation(method: route.method.rawValue.lowercased(), path: "/" + parts.joined(separator: "/")))
        }
        XCTAssertGreaterThan(registered.count, 20, "the API routes were found: \(registered.sorted())")

        let paths = try XCTUnwrap(Self.dict(try document()["paths"]), "paths")
        var documented = Set<Operation>()
        for (path, item) in paths {
            for key in (Self.dict(item) ?? [:]).keys where Self.httpMethods.contains(key) {
                documented.insert(Operation(method: key, path: path))
            }
        }

        let undocumented = registered.subtracting(documented).sorted()
        let unrouted = documented.subtracting(registered).sorted()
        XCTAssertTrue(undocumented.isEmpty && unrouted.isEmpty,
                      "routes missing from the OpenAPI document: \(undocumented.map(\.description)); "
                      + "documented operations with no route: \(unrouted.map(\.description))")
    }

    func testDocumentedPathParametersAreDeclared() throws {
        // Every {name} in a path has a matching `in: path` parameter, at the path or the operation.
        let doc = try document()
        let paths = try XCTUnwrap(Self.dict(doc["paths"]))
        let components = Self.dict(Self.dict(doc["components"])?["parameters"]) ?? [:]
        func names(_ list: Any?) -> Set<String> {
            Set(((list as? [Any]) ?? []).compactMap { p -> String? in
                var d = Self.dict(p) ?? [:]
                if let ref = d["$ref"] as? String, let resolved = Self.dict(components[String(ref.split(separator: "/").last ?? "")]) {
                    d = resolved
                }
                return (d["in"] as? String) == "path" ? d["name"] as? String : nil
            })
        }
        var problems: [String] = []
        for (path, item) in paths {
            let d = Self.dict(item) ?? [:]
            let wanted = Set(path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
            for (key, op) in d where Self.httpMethods.contains(key) {
                let declared = names(d["parameters"]).union(names(Self.dict(op)?["parameters"]))
                if declared != wanted { problems.append("\(key.uppercased()) \(path): declares \(declared.sorted()), path has \(wanted.sorted())") }
            }
        }
        XCTAssertEqual(problems, [])
    }

    func testTheDocumentIsServedAsYAML() async throws {
        try await app.test(.GET, "/api/openapi.yaml") { res async throws in
            XCTAssertEqual(res.status, .ok)
            XCTAssertEqual(res.body.string, OpenAPIDocument.yaml)
            let type = try XCTUnwrap(res.headers.contentType, "a content type is sent")
            XCTAssertTrue(type.subType.contains("yaml"), "content type \(type)")
        }
    }

    // MARK: Schemas against reality

    func testItemSchemaMatchesARealItem() async throws {
        let fonds = try await makeFonds()
        let tok = try await token("archivist", role: .archivist)
        let created = try await call(.POST, "/api/v1/items", token: tok, json: itemJSON(fonds: fonds))
        XCTAssertEqual(created.status, .created, created.body)
        let id = try XCTUnwrap(created.object["id"] as? String, created.body)

        let got = try await call(.GET, "/api/v1/items/\(id)", token: tok)
        XCTAssertEqual(got.status, .ok, got.body)
        let actual = Set(got.object.keys)
        XCTAssertFalse(actual.isEmpty, got.body)
        let documented = try schemaProperties("Item")

        XCTAssertEqual(actual.subtracting(documented).sorted(), [], "keys the server sends but the Item schema lacks")
        // Documented but absent: only optional fields that are nil here (a top-level item has no parentId).
        let optionalNil: Set<String> = ["parentId"]
        XCTAssertEqual(documented.subtracting(actual).subtracting(optionalNil).sorted(), [],
                       "Item schema properties missing from a real item: \(got.body)")
        XCTAssertFalse(actual.contains("parentId"), "a record outside any file has no parentId: \(got.body)")

        // Everything the schema requires is present.
        let doc = try document()
        let item = try XCTUnwrap(Self.dict(Self.dict(Self.dict(doc["components"])?["schemas"])?["Item"]))
        let required = Set((item["required"] as? [Any] ?? []).compactMap { $0 as? String })
        XCTAssertEqual(required.subtracting(actual).sorted(), [], "required Item fields missing from a real item")
        XCTAssertEqual(required.subtracting(documented).sorted(), [], "required fields that are not properties")

        // A file's item does carry parentId.
        let file = try await call(.POST, "/api/v1/items", token: tok, json: itemJSON(fonds: fonds, title: "案卷", extra: ["level": "file"]))
        XCTAssertEqual(file.status, .created, file.body)
        let fileId = try XCTUnwrap(file.object["id"] as? String, file.body)
        let inner = try await call(.POST, "/api/v1/items", token: tok, json: itemJSON(fonds: fonds, title: "卷内文件", extra: ["parentId": fileId]))
        XCTAssertEqual(inner.status, .created, inner.body)
        XCTAssertEqual(Set(inner.object.keys).symmetricDifference(documented).sorted(), [],
                       "an item inside a file has exactly the documented keys: \(inner.body)")
    }

    func testItemInputSchemaMatchesTheDecoder() throws {
        let documented = try schemaProperties("ItemInput")
        let decoded = Set(ItemInput.CodingKeys.allCases.map(\.rawValue))
        XCTAssertEqual(documented.subtracting(decoded).sorted(), [], "documented ItemInput fields the decoder refuses")
        XCTAssertEqual(decoded.subtracting(documented).sorted(), [], "fields the decoder accepts but ItemInput does not document")
    }

    // MARK: Outside validator

    func testTheDocumentPassesOpenAPISpecValidator() throws {
        guard Self.run(["python3", "-c", "import openapi_spec_validator"]).status == 0 else {
            throw XCTSkip("openapi-spec-validator not installed: pip install openapi-spec-validator")
        }
        let dir = NSTemporaryDirectory() + "lantai-openapi-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/openapi.yaml"
        try OpenAPIDocument.yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let r = Self.run(["python3", "-m", "openapi_spec_validator", file])
        XCTAssertEqual(r.status, 0, "openapi-spec-validator rejected the document:\n\(r.output)")
    }

    /// Runs a command found on PATH; returns its exit status and its stdout and stderr together.
    static func run(_ args: [String]) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-openapi-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        guard let handle = try? FileHandle(forWritingTo: out) else { return (-1, "cannot open \(out.path)") }
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return (-1, "\(args[0]): \(error)") }
        p.waitUntilExit()
        try? handle.close()
        return (p.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "")
    }
}
