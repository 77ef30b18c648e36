import ArchiveKit
import Fluent
import Foundation
import Ingest
import NIOConcurrencyHelpers
import Packaging
import SQLKit
import Vapor

/// What the node keeps as a transfer's check result: the four-property report, or — when the
/// package could not even be unpacked — why not. Either way the archivist and the agency see
/// a reason for every failure.
struct StoredTransferReport: Codable, Sendable {
    struct Refusal: Codable, Sendable {
        var code: String
        var reasonZh: String
        var reasonEn: String
    }

    var passed: Bool
    /// Set when the package was refused before its contents could be checked.
    var refusal: Refusal?
    var report: TransferReport?
}

/// The `transfer.check` job: unpack the received package safely, run the four-property checks
/// (四性检测), keep the report. Running it again (after a crash) starts from the stored
/// package, which never changes, so the outcome is the same.
enum TransferCheckJob {
    static let kind = "transfer.check"

    static func register(on worker: JobWorker) {
        worker.register(kind) { job, app in
            guard let id = UUID(uuidString: job.subject) else { return }
            try await run(id, app: app)
        }
    }

    static func run(_ id: UUID, app: Application) async throws {
        let db = app.db
        guard let t = try await TransferModel.find(id, on: db) else { return }
        guard t.status == TransferModel.Status.received.rawValue || t.status == TransferModel.Status.checking.rawValue else { return }
        t.status = TransferModel.Status.checking.rawValue
        t.updatedAt = Date()
        try await t.update(on: db)

        let config = app.lantai
        let base = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("transfers/\(id.uuidString)")
        let package = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent(t.uploadPath)
        let unpacked = base.appendingPathComponent("unpacked")
        // A previous, interrupted attempt: its result and its half-written staging go.
        try? FileManager.default.removeItem(at: unpacked)
        _ = ArchiveExtractor.removeAbandonedExtractions(in: base, named: "unpacked")

        let taken = Set(try await (db as! any SQLDatabase).select().column("archival_code").from("items")
            .where("fonds_code", .equal, t.agency).all(decoding: Catalogue.CodeRow.self).map(\.archival_code))
        let context = TransferContext(agency: t.agency, officer: t.submittedBy, receivedAt: t.receivedAt ?? Date(),
                                      uploadDigest: t.uploadSHA256, uploadedArchive: package, takenArchivalCodes: taken)
        let progress = NIOLockedValueBox<TransferCheckProgress?>(nil)
        var checkOptions = TransferChecker.Options()
        checkOptions.progress = { p in progress.withLockedValue { $0 = p } }
        let options = checkOptions
        let kind: ArchiveKind = t.packageKind == "tar" ? .tar : .zip
        let isEEP = t.packageKind == Transfers.PackageKind.eep.rawValue

        // Progress goes to the database from here, not from the checking threads.
        let reporter = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 500_000_000)
                guard let p = progress.withLockedValue({ $0 }) else { continue }
                try? await (db as! any SQLDatabase).update("transfers")
                    .set("files_done", to: p.filesDone).set("files_total", to: p.filesTotal)
                    .set("bytes_done", to: Int64(p.bytesDone)).set("bytes_total", to: Int64(p.bytesTotal))
                    .where("id", .equal, id).run()
            }
        }
        defer { reporter.cancel() }

        let stored: StoredTransferReport = try await app.threadPool.runIfActive {
            do {
                if isEEP {
                    // DA/T 48: one XML file whose encoded files and metadata become a bag, checked alike.
                    var eepOptions = EEPPackage.Options()
                    eepOptions.category = "WS"
                    do {
                        let summary = try EEPPackage.unpack(xml: package, into: base, named: "unpacked", options: eepOptions)
                        let report = TransferChecker.check(bagDirectory: summary.bagDirectory, context: context, options: options)
                        return StoredTransferReport(passed: report.passed, refusal: nil, report: report)
                    } catch let error as EEPError {
                        if !error.isPackageFault { throw error }
                        return StoredTransferReport(passed: false, refusal: .init(
                            code: error.code, reasonZh: "电子文件封装包无法读取：\(error.reasonZh)",
                            reasonEn: "the EEP package cannot be read: \(error.reasonEn)"), report: nil)
                    }
                }
                let extraction = try ArchiveExtractor.extract(archive: package, kind: kind, into: base, named: "unpacked")
                guard let bag = bagDirectory(in: extraction.directory) else {
                    return StoredTransferReport(passed: false, refusal: .init(
                        code: "not-a-bag", reasonZh: "移交包内没有 BagIt 包（找不到 bagit.txt）",
                        reasonEn: "the package holds no BagIt bag (no bagit.txt at its top or in its single folder)"), report: nil)
                }
                let report = TransferChecker.check(bagDirectory: bag, context: context, options: options)
                return StoredTransferReport(passed: report.passed, refusal: nil, report: report)
            } catch let e as ExtractionError {
                return StoredTransferReport(passed: false, refusal: .init(
                    code: e.code.rawValue, reasonZh: "移交包无法安全解包：\(e)", reasonEn: "the package cannot be unpacked safely: \(e)"),
                    report: nil)
            }
        }
        reporter.cancel()
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(stored), as: UTF8.self)
        let final = progress.withLockedValue { $0 }
        try await AuditTrail.write(on: db, actor: "system") { tx, audit in
            t.status = TransferModel.Status.checked.rawValue
            t.report = json
            t.updatedAt = Date()
            if let final {
                t.filesDone = final.filesDone
                t.filesTotal = final.filesTotal
                t.bytesDone = Int64(final.bytesDone)
                t.bytesTotal = Int64(final.bytesTotal)
            }
            try await t.update(on: tx)
            audit.record("transfer.check", subject: id.uuidString,
                         ["passed": stored.passed ? "true" : "false", "refusal": stored.refusal?.code ?? ""])
        }
    }

    /// The bag is the unpacked top, or its single folder (zips made by "compress this folder").
    static func bagDirectory(in dir: URL) -> URL? {
        let fm = FileManager.default
        if fm.fileExists(atPath: dir.appendingPathComponent("bagit.txt").path) { return dir }
        let children = (try? fm.contentsOfDirectory(atPath: dir.path))?.filter { !$0.hasPrefix(".") } ?? []
        if children.count == 1 {
            let only = dir.appendingPathComponent(children[0])
            if fm.fileExists(atPath: only.appendingPathComponent("bagit.txt").path) { return only }
        }
        return nil
    }
}
