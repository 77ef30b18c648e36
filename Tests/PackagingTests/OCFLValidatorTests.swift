import Foundation
@testable import Packaging
import XCTest

/// Our validator against ocfl-py's `ocfl-validate.py` on the same storage: both accept what the
/// writer produces, both reject each corruption, and ours names the spec's code for it.
final class OCFLValidatorTests: OCFLTestCase {
    func testOutsideValidatorAcceptsTheWritersRootAndObject() throws {
        let ref = try makeReference()
        let root = try OCFLPy.validate(ref.url)
        XCTAssertTrue(root.valid, root.output)
        XCTAssertTrue(root.output.contains("1 are VALID") || root.output.contains("VALID"), root.output)
        let object = try OCFLPy.validate(ref.objectURL)
        XCTAssertTrue(object.valid, object.output)
        XCTAssertFalse(object.output.contains("W0"), "ocfl-py has no warnings for the object: \(object.output)")
        XCTAssertFalse(object.usedLayoutPlugin)
        XCTAssertEqual(OCFLValidator.validate(at: ref.url).issues, [])
        XCTAssertEqual(OCFLValidator.validate(at: ref.objectURL).issues, [])
    }

    /// The other direction: an object ocfl-py wrote passes our validator, reads back through our
    /// reader, and takes a new version from our writer that ocfl-py still accepts.
    func testObjectsWrittenByOCFLPyInteroperate() throws {
        let create = try OutsideTool.require("ocfl-object.py")
        let sources = scratch.appendingPathComponent("py-src")
        try FileManager.default.createDirectory(at: sources.appendingPathComponent("子目录"), withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: sources.appendingPathComponent("a.txt"))
        try Data("你好，档案\n".utf8).write(to: sources.appendingPathComponent("子目录/文件.txt"))
        let objectURL = scratch.appendingPathComponent("objects/py-object")
        try FileManager.default.createDirectory(at: objectURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        let made = try OutsideTool.run(create, ["create", "--srcdir", sources.path, "--objdir", objectURL.path, "--id", "urn:lantai:test:py",
                                                "--fixity", "md5", "--message", "written by ocfl-py", "--name", "ocfl-py",
                                                "--address", "mailto:py@example.org", "--created", "2024-01-01T00:00:00Z"])
        XCTAssertEqual(made.status, 0, made.output)

        let ours = OCFLValidator.validate(at: objectURL)
        XCTAssertTrue(ours.isValid, ours.description)

        let storage = FileSystemOCFLStorage(root: scratch.appendingPathComponent("objects"))
        let object = OCFLObject(storage: storage, path: "py-object", id: "urn:lantai:test:py", stagingDirectory: "staging")
        XCTAssertEqual(String(decoding: try object.data(logicalPath: "子目录/文件.txt"), as: UTF8.self), "你好，档案\n")
        XCTAssertEqual(try object.versions().first?.message, "written by ocfl-py")

        let v2 = try object.createOrUpdate(files: [(logicalPath: "新增/说明.txt", source: try source("n", "第二版\n"))], message: "added by Lantai",
                                           user: user, options: OCFLWriteOptions(mode: .merge(removing: ["a.txt"])))
        XCTAssertEqual(v2, 2)
        XCTAssertEqual(Set(try object.state().keys), ["子目录/文件.txt", "新增/说明.txt"])
        XCTAssertEqual(OCFLValidator.validate(at: objectURL).issues, [])
        let theirs = try OCFLPy.validate(objectURL)
        XCTAssertTrue(theirs.valid, theirs.output)
    }

    /// One corruption of the reference object: what to break, and the code both validators give.
    struct Corruption {
        var name: String
        var code: String
        var apply: (_ object: URL) throws -> Void
    }

    var corruptions: [Corruption] {
        [
            Corruption(name: "byte flipped in a content file", code: "E092") { object in
                let file = object.appendingPathComponent("v1/content/说明.txt")
                var data = try Data(contentsOf: file)
                data[3] ^= 0x01
                try data.write(to: file)
            },
            Corruption(name: "content file deleted", code: "E092") { object in
                try FileManager.default.removeItem(at: object.appendingPathComponent("v2/content/metadata/premis.xml"))
                // Keep the (now empty) directory out of it, so only the missing file is at stake.
                try FileManager.default.removeItem(at: object.appendingPathComponent("v2/content/metadata"))
            },
            Corruption(name: "inventory.json edited, sidecar not updated", code: "E060") { object in
                let file = object.appendingPathComponent("inventory.json")
                let text = try String(contentsOf: file, encoding: .utf8)
                try text.replacingOccurrences(of: "替换签章版本", with: "悄悄改过").write(to: file, atomically: true, encoding: .utf8)
            },
            Corruption(name: "extra file in a content directory", code: "E023") { object in
                try Data("smuggled\n".utf8).write(to: object.appendingPathComponent("v2/content/正文/夹带.txt"))
            },
            Corruption(name: "0=ocfl_object_1.1 missing", code: "E003") { object in
                try FileManager.default.removeItem(at: object.appendingPathComponent("0=ocfl_object_1.1"))
            },
        ]
    }

    func testCorruptionsAreCaughtByBothValidatorsWithTheSameCodes() throws {
        let ref = try makeReference()
        let objectPath = ref.object.path
        var comparisons: [String] = []
        for (i, corruption) in corruptions.enumerated() {
            let root = try copy(ref.url, as: "corrupt-\(i)")
            let object = root.appendingPathComponent(objectPath)
            try corruption.apply(object)

            let ours = OCFLValidator.validate(at: object)
            XCTAssertFalse(ours.isValid, "\(corruption.name): \(ours)")
            XCTAssertTrue(ours.errorCodes.contains(corruption.code), "\(corruption.name): expected \(corruption.code), got \(ours)")
            let oursRoot = OCFLValidator.validate(at: root)
            XCTAssertFalse(oursRoot.isValid, "\(corruption.name) (storage root): \(oursRoot)")

            guard OutsideTool.path("ocfl-validate.py") != nil else { continue }
            let theirs = try OCFLPy.validate(object)
            XCTAssertFalse(theirs.valid, "ocfl-validate.py accepted \(corruption.name): \(theirs.output)")
            let theirCodes = Self.codes(in: theirs.output)
            let theirsRoot = try OCFLPy.validate(root)
            XCTAssertFalse(theirsRoot.valid, "ocfl-validate.py accepted the root with \(corruption.name): \(theirsRoot.output)")
            if corruption.code == "E003" {
                // ocfl-py will not treat a directory without a declaration as an object at all
                // ("Bad path"); within the root it reports the directory as stray files (E072).
                XCTAssertTrue(theirs.output.contains("Bad path") || theirCodes.contains("E003"), theirs.output)
                XCTAssertTrue(Self.codes(in: theirsRoot.output).contains("E072"), theirsRoot.output)
            } else {
                XCTAssertTrue(theirCodes.contains(corruption.code), "\(corruption.name): ocfl-py said \(theirs.output)")
                // Every code ocfl-py reports for the object, we report too.
                XCTAssertTrue(theirCodes.isSubset(of: ours.codes), "\(corruption.name): ocfl-py \(theirCodes.sorted()) vs ours \(ours.codes.sorted())")
            }
            let theirVerdict = theirCodes.isEmpty
                ? "not an object (\(theirs.output.contains("Bad path") ? "Bad path" : "no code")); in the root: \(Self.codes(in: theirsRoot.output).sorted())"
                : "\(theirCodes.sorted())"
            comparisons.append("\(corruption.name): ours \(ours.errorCodes.sorted()) · ocfl-py \(theirVerdict)")
        }
        _ = try OutsideTool.require("ocfl-validate.py") // skips, saying so, if the comparison could not run
        print("OCFL corruption comparison:\n  " + comparisons.joined(separator: "\n  "))
    }

    /// Inventory faults made by editing the JSON and re-signing it, so that each is the only fault.
    func testInventoryStructureFaults() throws {
        let ref = try makeReference()
        let objectPath = ref.object.path
        // ocfl-py 2.1 does not check E102 (unknown keys) and crashes (TypeError) on a missing manifest.
        let ocflPyGaps: Set<String> = ["unknown key"]
        let cases: [(name: String, code: String, edit: (inout [String: Any]) -> Void)] = [
            ("missing id", "E036", { $0["id"] = nil }),
            ("missing head", "E036", { $0["head"] = nil }),
            ("missing manifest", "E041", { $0["manifest"] = nil }),
            ("unknown key", "E102", { $0["note"] = "x" }),
            ("md5 content addressing", "E025", { $0["digestAlgorithm"] = "md5" }),
            ("versions start at v2", "E009", { json in
                var versions = json["versions"] as! [String: Any]
                versions["v1"] = nil
                json["versions"] = versions
            }),
            ("versions skip v2", "E010", { json in
                var versions = json["versions"] as! [String: Any]
                versions["v3"] = versions["v2"]
                versions["v2"] = nil
                json["versions"] = versions
                json["head"] = "v3"
            }),
            ("head is not the latest version", "E040", { $0["head"] = "v1" }),
            ("state digest not in manifest", "E050", { json in
                var versions = json["versions"] as! [String: Any]
                var v2 = versions["v2"] as! [String: Any]
                var state = v2["state"] as! [String: Any]
                state[String(repeating: "ab", count: 64)] = ["幽灵.txt"]
                v2["state"] = state
                versions["v2"] = v2
                json["versions"] = versions
            }),
            ("logical path with leading slash", "E053", { json in
                Self.renameLogicalPath(&json, from: "说明.txt", to: "/说明.txt")
            }),
            ("logical path with ..", "E052", { json in
                Self.renameLogicalPath(&json, from: "说明.txt", to: "../说明.txt")
            }),
            ("logical path both file and directory", "E095", { json in
                Self.renameLogicalPath(&json, from: "说明.txt", to: "正文/关于档案数字化的通知.pdf/说明.txt")
            }),
            ("created without time zone", "E049", { json in
                var versions = json["versions"] as! [String: Any]
                var v2 = versions["v2"] as! [String: Any]
                v2["created"] = "2024-05-02T08:00:00"
                versions["v2"] = v2
                json["versions"] = versions
            }),
            ("user without name", "E054", { json in
                var versions = json["versions"] as! [String: Any]
                var v2 = versions["v2"] as! [String: Any]
                v2["user"] = ["address": "mailto:a@b.c"]
                versions["v2"] = v2
                json["versions"] = versions
            }),
            ("fixity with unknown algorithm", "E056", { json in
                var fixity = json["fixity"] as! [String: Any]
                fixity["sm3"] = [String: Any]()
                json["fixity"] = fixity
            }),
            ("content path with ..", "E099", { json in
                var manifest = json["manifest"] as! [String: [String]]
                let key = manifest.first { $0.value == ["v1/content/metadata/mets.xml"] }!.key
                manifest[key] = ["v1/content/../content/metadata/mets.xml"]
                json["manifest"] = manifest
            }),
        ]
        var comparisons: [String] = []
        let python = OutsideTool.path("ocfl-validate.py")
        for (i, c) in cases.enumerated() {
            let root = try copy(ref.url, as: "inventory-\(i)")
            let object = root.appendingPathComponent(objectPath)
            try rewriteInventory(object, c.edit)
            let ours = OCFLValidator.validate(at: object)
            XCTAssertTrue(ours.errorCodes.contains(c.code), "\(c.name): expected \(c.code), got \(ours)")
            if python != nil {
                let theirs = try OCFLPy.validate(object)
                if !ocflPyGaps.contains(c.name) {
                    XCTAssertFalse(theirs.valid, "ocfl-validate.py accepted \(c.name): \(theirs.output)")
                }
                let verdict = theirs.output.contains("Traceback") ? "crashed" : theirs.valid ? "VALID" : "\(Self.codes(in: theirs.output).sorted())"
                comparisons.append("\(c.name): ours \(ours.errorCodes.sorted()) · ocfl-py \(verdict)")
            }
        }
        if !comparisons.isEmpty { print("OCFL inventory fault comparison:\n  " + comparisons.joined(separator: "\n  ")) }
    }

    func testDeclarationAndSidecarFormatFaults() throws {
        let ref = try makeReference()
        let object = try copy(ref.objectURL, as: "object")
        try Data("ocfl_object_1.0\n".utf8).write(to: object.appendingPathComponent("0=ocfl_object_1.1"))
        XCTAssertTrue(OCFLValidator.validate(at: object).errorCodes.contains("E007"))

        let object2 = try copy(ref.objectURL, as: "object2")
        try Data("not a digest line\n".utf8).write(to: object2.appendingPathComponent("inventory.json.sha512"))
        XCTAssertEqual(OCFLValidator.validate(at: object2).errorCodes, ["E061"])

        let object3 = try copy(ref.objectURL, as: "object3")
        try FileManager.default.removeItem(at: object3.appendingPathComponent("inventory.json.sha512"))
        XCTAssertEqual(OCFLValidator.validate(at: object3).errorCodes, ["E058"])

        let object4 = try copy(ref.objectURL, as: "object4")
        try Data("{ not json".utf8).write(to: object4.appendingPathComponent("inventory.json"))
        XCTAssertTrue(OCFLValidator.validate(at: object4).errorCodes.contains("E033"))

        let object5 = try copy(ref.objectURL, as: "object5")
        try FileManager.default.removeItem(at: object5.appendingPathComponent("v1"))
        XCTAssertTrue(OCFLValidator.validate(at: object5).errorCodes.isSuperset(of: ["E046", "E092"]))

        let object6 = try copy(ref.objectURL, as: "object6")
        try Data("log\n".utf8).write(to: object6.appendingPathComponent("notes.txt"))
        try FileManager.default.createDirectory(at: object6.appendingPathComponent("logs"), withIntermediateDirectories: true)
        XCTAssertEqual(OCFLValidator.validate(at: object6).errorCodes, ["E001"], "logs/ is allowed, notes.txt is not")

        let object7 = try copy(ref.objectURL, as: "object7")
        try FileManager.default.createDirectory(at: object7.appendingPathComponent("v2/content/空目录"), withIntermediateDirectories: true)
        XCTAssertEqual(OCFLValidator.validate(at: object7).errorCodes, ["E024"])

        // A prior version's inventory that no longer agrees with the root (E066).
        let object8 = try copy(ref.objectURL, as: "object8")
        let v1Inventory = object8.appendingPathComponent("v1/inventory.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: v1Inventory)) as! [String: Any]
        Self.renameLogicalPath(&json, from: "说明.txt", to: "说明-改.txt", version: "v1")
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        try data.write(to: v1Inventory)
        try OCFLSidecar.body(DigestAlgorithm.sha512.hexDigest(of: data)).write(to: object8.appendingPathComponent("v1/inventory.json.sha512"))
        XCTAssertEqual(OCFLValidator.validate(at: object8).errorCodes, ["E066"])
    }

    func testStorageRootFaults() throws {
        let ref = try makeReference()
        let root = try copy(ref.url, as: "root-faults")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("abc/def"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("stray"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: root.appendingPathComponent("stray/file.txt"))
        try Data("x".utf8).write(to: root.appendingPathComponent("extensions/loose.txt"))
        let report = OCFLValidator.validate(at: root)
        XCTAssertEqual(report.errorCodes, ["E073", "E072", "E112"], report.description)
        XCTAssertEqual(report.objectsChecked, 1)
        XCTAssertEqual(report.validObjects, 1)

        // An object moved away from where the layout puts it (E083).
        let moved = try copy(ref.url, as: "root-moved")
        try FileManager.default.moveItem(at: moved.appendingPathComponent(ref.object.path),
                                         to: moved.appendingPathComponent("misplaced"))
        try FileManager.default.removeItem(at: moved.appendingPathComponent(String(ref.object.path.prefix(3))))
        XCTAssertEqual(OCFLValidator.validate(at: moved).errorCodes, ["E083"])

        // No declaration at all.
        let bare = try copy(ref.url, as: "root-bare")
        try FileManager.default.removeItem(at: bare.appendingPathComponent("0=ocfl_1.1"))
        XCTAssertTrue(OCFLValidator.validate(at: bare).errorCodes.contains("E069"))
        if let py = try? OCFLPy.validate(bare) { XCTAssertFalse(py.valid, py.output) }
    }

    // MARK: - Helpers

    /// Codes (E001, W004, …) in ocfl-validate.py's output, suffixes like E092a dropped.
    static func codes(in output: String) -> Set<String> {
        var found = Set<String>()
        let scalars = Array(output.unicodeScalars)
        var i = 0
        while i + 4 <= scalars.count {
            let c = scalars[i]
            // ocfl-validate.py writes codes as "[E092a] …"; anchoring on "[" keeps hex digests
            // and temporary directory names (…-E576…) from counting as codes.
            if (c == "E" || c == "W"), i > 0, scalars[i - 1] == "[",
               scalars[(i + 1)..<(i + 4)].allSatisfy({ $0.properties.numericType != nil && $0.isASCII }) {
                found.insert(String(String.UnicodeScalarView(scalars[i..<(i + 4)])))
                i += 4
            } else {
                i += 1
            }
        }
        return found
    }

    static func renameLogicalPath(_ json: inout [String: Any], from: String, to: String, version: String = "v2") {
        var versions = json["versions"] as! [String: Any]
        var block = versions[version] as! [String: Any]
        var state = block["state"] as! [String: [String]]
        for (digest, paths) in state { state[digest] = paths.map { $0 == from ? to : $0 } }
        block["state"] = state
        versions[version] = block
        json["versions"] = versions
    }
}
