import ArchiveKit
import Fluent
import Foundation
import Ingest
import Packaging
import SQLKit
import Vapor

/// A few digital objects for the demo catalogue: open records get a one-page PDF (digitised
/// copy, 数字化副本) preserved as a real archival package, so a visitor can follow a request
/// all the way to a watermarked copy on a fresh demo node.
enum DemoObjects {
    static func preserve(upTo count: Int, config: LantaiConfiguration, on db: any Database,
                         threadPool: NIOThreadPool) async throws -> Int {
        let items = try await ItemModel.query(on: db)
            .filter(\.$accessStatus == AccessStatus.open.rawValue)
            .filter(\.$classification == Classification.none.rawValue)
            .filter(\.$level == DescriptionLevel.item.rawValue)
            .filter(\.$objectID == nil)
            .sort(\.$archivalCode).limit(count).all()
        guard !items.isEmpty else { return 0 }
        let root = try NodeStorage.writableRoot(config)
        let node = AIPNode(code: config.nodeCode, name: config.nodeName)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var done = 0
        for item in items {
            let file = work.appendingPathComponent("\(done).pdf")
            try Data(pdf(lines: ["Lantai demo: digitised copy", item.archivalCode, "\(item.date)"]).utf8).write(to: file)
            let d = try FileDigest.digests(of: file, algorithms: [.sha256, .sha512, .sm3])
            let size = Int64((try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value ?? 0)
            let aipFile = AIPFile(name: "数字化副本.pdf", source: file, size: size, sha256: d[.sha256]!, sha512: d[.sha512]!, sm3: d[.sm3]!,
                                  format: AIPFormat(puid: "fmt/18", mimeType: "application/pdf", name: "Acrobat PDF 1.4 - Portable Document Format", version: "1.4"))
            let record = AIPRecord(fonds: item.fondsCode, archivalCode: item.archivalCode, itemID: item.id!, description: item.description_)
            let events = [AIPEvent(type: .ingestion, date: Date(), detail: "demo digitisation", agent: .lantai(), files: [aipFile.name])]
            let result = try await threadPool.runIfActive {
                try ArchivalPackage.preserve(record, files: [aipFile], events: events, node: node, in: root,
                                             message: "demo digitised copy", user: (name: "demo", address: "urn:lantai:user:demo"))
            }
            try await (db as! any SQLDatabase).update("items").set("object_id", to: result.objectID).where("id", .equal, item.id!).run()
            done += 1
        }
        return done
    }

    /// A one-page PDF of Helvetica lines with correct cross-reference offsets.
    static func pdf(lines: [String]) -> String {
        let text = lines.enumerated().map { i, l in
            "BT /F1 16 Tf 72 \(720 - i * 24) Td (\(l.filter { $0.isASCII && $0 != "(" && $0 != ")" && $0 != "\\" })) Tj ET"
        }.joined(separator: "\n")
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(text.utf8.count) >>\nstream\n\(text)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, o) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(i + 1) 0 obj\n\(o)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets { out += String(format: "%010d 00000 n \n", o) }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return out
    }
}
