import ArchiveKit
import Fluent
import Foundation
import Ingest
import Packaging
import SQLKit
import Vapor

/// Accepting a checked transfer (接收入馆) or returning it (退回).
///
/// Acceptance is two steps so that a crash never leaves a catalogue row pointing at a package
/// that does not exist: one transaction numbers the records (档号), marks the transfer
/// `accepting` and queues the `transfer.preserve` job; the job then writes each record's
/// archival package (an OCFL object) and only after that records the object on the row. A
/// crash in between leaves rows without an object, which the job completes when it runs again.
enum Accession {
    static func storedReport(_ t: TransferModel) throws -> StoredTransferReport {
        guard let json = t.report else {
            throw LantaiError(.conflict, code: "not_checked", zh: "该移交尚未检测完毕", en: "the transfer has not been checked yet")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(StoredTransferReport.self, from: Data(json.utf8))
    }

    static func accept(_ id: UUID, by principal: Principal, on db: any Database) async throws -> TransferModel {
        guard principal.actor.has(.reviewTransfer) else {
            throw LantaiError.forbidden(zh: Permission.reviewTransfer.deniedZh, en: Permission.reviewTransfer.deniedEn)
        }
        let t = try await Transfers.visible(id, to: principal, on: db)
        guard t.status == TransferModel.Status.checked.rawValue else {
            throw LantaiError(.conflict, code: "wrong_state", zh: "只能接收已检测的移交（当前状态：\(t.status)）",
                              en: "only a checked transfer can be accepted (it is \(t.status))")
        }
        let stored = try storedReport(t)
        guard stored.passed, let report = stored.report else {
            throw LantaiError(.conflict, code: "checks_failed", zh: "四性检测未通过，不能接收；请退回并说明理由",
                              en: "the four-property checks failed, so it cannot be accepted: reject it with the reasons")
        }
        let records = report.records.compactMap { r -> NewRecord? in
            guard let d = r.description else { return nil }
            let draft = RecordDraft(d)
            return NewRecord(fondsId: t.fondsId, archivalCode: r.archivalCode, draft: draft)
        }
        guard records.count == report.records.count, !records.isEmpty else {
            throw LantaiError(.conflict, code: "checks_failed", zh: "移交中没有可接收的著录条目", en: "the transfer has no acceptable records")
        }
        let username = principal.username
        let created = try await Catalogue.create(records, actor: principal, on: db, batch: true, limit: nil) { tx, audit, created in
            // Still checked? (Two archivists pressing accept at once: the write lock orders them.)
            guard let current = try await TransferModel.find(id, on: tx), current.status == TransferModel.Status.checked.rawValue else {
                throw LantaiError(.conflict, code: "wrong_state", zh: "该移交已被处理", en: "the transfer has already been decided")
            }
            current.status = TransferModel.Status.accepting.rawValue
            current.decidedBy = username
            current.updatedAt = Date()
            try await current.update(on: tx)
            // created[i] is the record of sheet row report.records[i].row.
            for (record, row) in zip(created, report.records) {
                try await (tx as! any SQLDatabase).update("items").set("transfer_id", to: id).set("source_row", to: row.row)
                    .where("id", .equal, record.id).run()
            }
            try await JobQueue.enqueue(TransferPreserveJob.kind, subject: id.uuidString, on: tx)
            audit.record("transfer.accept", subject: id.uuidString,
                         ["records": String(created.count), "agency": current.agency, "packageSha256": current.uploadSHA256])
        }
        _ = created
        return try await Transfers.visible(id, to: principal, on: db)
    }

    static func reject(_ id: UUID, reason: String, by principal: Principal, on db: any Database) async throws -> TransferModel {
        guard principal.actor.has(.reviewTransfer) else {
            throw LantaiError.forbidden(zh: Permission.reviewTransfer.deniedZh, en: Permission.reviewTransfer.deniedEn)
        }
        let note = reason.trimmed
        guard !note.isEmpty, note.count <= 4000 else {
            throw LantaiError.field("reason", rule: "required", zh: "请写明退回理由（不超过 4000 字）",
                                    en: "give the reason for returning the transfer (at most 4,000 characters)")
        }
        let t = try await Transfers.visible(id, to: principal, on: db)
        guard t.status == TransferModel.Status.checked.rawValue else {
            throw LantaiError(.conflict, code: "wrong_state", zh: "只能退回已检测的移交（当前状态：\(t.status)）",
                              en: "only a checked transfer can be rejected (it is \(t.status))")
        }
        return try await AuditTrail.write(on: db, actor: principal.username) { tx, audit in
            t.status = TransferModel.Status.rejected.rawValue
            t.decidedBy = principal.username
            t.decisionNote = note
            t.updatedAt = Date()
            try await t.update(on: tx)
            audit.record("transfer.reject", subject: id.uuidString, ["reason": String(note.prefix(200))])
            return t
        }
    }
}

/// Texts extracted by index from worker threads ("" where there is none), read after all have finished.
private final class ParallelText: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [String]
    private var nextIndex = 0

    init(count: Int) { slots = Array(repeating: "", count: count) }

    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < slots.count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func set(_ index: Int, _ value: String) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    func values() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}

/// The `transfer.preserve` job: one archival package per accepted record, then the transfer
/// is `accepted`. Safe to run again after a crash: rows that already have their object are
/// skipped, and writing a package again only adds an OCFL version.
enum TransferPreserveJob {
    static let kind = "transfer.preserve"

    static func register(on worker: JobWorker) {
        worker.register(kind) { job, app in
            guard let id = UUID(uuidString: job.subject) else { return }
            try await run(id, app: app)
        }
    }

    /// The primary root (a directory or S3), created on first use; a 503 when it cannot be reached.
    static func storageRoot(_ config: LantaiConfiguration) throws -> OCFLStorageRoot {
        try NodeStorage.writableRoot(config)
    }

    static func run(_ id: UUID, app: Application) async throws {
        let db = app.db
        let config = app.lantai
        guard let t = try await TransferModel.find(id, on: db), t.status == TransferModel.Status.accepting.rawValue else { return }
        let stored = try Accession.storedReport(t)
        guard let report = stored.report else { return }
        let bag = TransferCheckJob.bagDirectory(in: URL(fileURLWithPath: config.dataDirectory)
            .appendingPathComponent("transfers/\(id.uuidString)/unpacked"))
        let items = try await ItemModel.query(on: db).filter(\.$transferID == id).sort(\.$archivalCode).all()
        let root = try storageRoot(config)
        let node = AIPNode(code: config.nodeCode, name: config.nodeName)
        let filesByPath = Dictionary(report.files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let rowsByNumber = Dictionary(report.records.map { ($0.row, $0) }, uniquingKeysWith: { a, _ in a })
        let user = (name: t.decidedBy ?? "lantai", address: "urn:lantai:user:\(t.decidedBy ?? "lantai")")
        let message = "accession of transfer \(id.uuidString)"

        // Records go in batches: ArchivalPackage writes a batch's objects on all cores and makes
        // them durable with one flush (not several per file), and the batch's rows then learn of
        // their objects in one transaction. A batch is bounded in records and bytes so that a
        // crash costs little repeated work.
        var batch: [(item: ItemModel, request: AIPPreserveRequest)] = []
        var batchBytes: Int64 = 0
        func flush() async throws {
            guard !batch.isEmpty else { return }
            let work = batch
            batch = []
            batchBytes = 0
            let requests = work.map(\.request)
            let (results, texts) = try await app.threadPool.runIfActive { () -> ([Result<AIPWriteResult, any Error>], [String]) in
                let results = ArchivalPackage.preserve(requests, node: node, in: root, message: message, user: user)
                // Full text for search (正文检索): what text the files give, read from the checked bag.
                let texts = ParallelText(count: requests.count)
                DispatchQueue.concurrentPerform(iterations: max(1, min(ProcessInfo.processInfo.activeProcessorCount, requests.count))) { _ in
                    while let i = texts.take() {
                        guard case .success = results[i] else { continue }
                        texts.set(i, requests[i].files.compactMap { f -> String? in
                            guard let mime = f.format.mimeType, let format = TextExtractor.Format(mime: mime) else { return nil }
                            return TextExtractor.text(of: f.source, format: format)
                        }.joined(separator: "\n"))
                    }
                }
                return (results, texts.values())
            }
            // The rows learn of their packages only once the packages exist (and are durable).
            try await db.transaction { tx in
                let sql = tx as! any SQLDatabase
                var documents: [SearchIndex.Document] = []
                for (i, (item, _)) in work.enumerated() {
                    guard case .success(let result) = results[i] else { continue }
                    try await sql.update("items").set("object_id", to: result.objectID).where("id", .equal, item.id!).run()
                    if !texts[i].isEmpty {
                        documents.append(SearchIndex.Document(itemId: item.id!, fondsCode: item.fondsCode, description: item.description_,
                                                              archivalCode: item.archivalCode, fullText: texts[i]))
                    }
                }
                try await SearchIndex.upsert(documents, on: tx)
            }
            // As before, a record that cannot be preserved stops the job (it is retried); the
            // ones preserved before it keep their objects.
            for case .failure(let error) in results { throw error }
        }
        for item in items where item.objectID == nil {
            let description = item.description_
            guard let sourceRow = item.sourceRow, let row = rowsByNumber[sourceRow] else { continue }
            var collected: [AIPFile] = []
            for path in row.files {
                guard let bag, let f = filesByPath[path], let sha256 = f.sha256, let sha512 = f.sha512, let sm3 = f.sm3 else { continue }
                let name = path.hasPrefix("data/") ? String(path.dropFirst(5)) : path
                let format = f.format.map(AIPFormat.init) ?? AIPFormat(name: "unknown")
                collected.append(AIPFile(name: name, source: bag.appendingPathComponent(path), size: Int64(f.size),
                                     sha256: sha256, sha512: sha512, sm3: sm3, format: format))
            }
            let files = collected
            let names = files.map(\.name)
            let events: [AIPEvent] = [
                AIPEvent(type: .ingestion, date: report.receivedAt, detail: "transfer \(id.uuidString) from \(report.agency) by \(report.officer)",
                         agent: .organization(code: report.agency, name: report.agency), files: names),
                AIPEvent(type: .fixityCheck, date: report.checkedAt, detail: "SHA-256, SHA-512 and SM3 against the BagIt manifests",
                         agent: .lantai(), files: names),
                AIPEvent(type: .formatIdentification, date: report.checkedAt, detail: "by file signature (PRONOM)",
                         agent: .lantai(), files: names),
                AIPEvent(type: .virusCheck, date: report.checkedAt, detail: "malware signature scan", agent: .lantai(), files: names),
                AIPEvent(type: .accession, date: Date(), detail: "accepted into the catalogue as \(item.archivalCode)",
                         agent: .person(account: t.decidedBy ?? "archivist", name: t.decidedBy ?? "archivist"), files: names),
            ]
            let record = AIPRecord(fonds: item.fondsCode, archivalCode: item.archivalCode, itemID: item.id!, description: description)
            batch.append((item, AIPPreserveRequest(record: record, files: files, events: events)))
            batchBytes += files.reduce(Int64(0)) { $0 + $1.size }
            if batch.count >= 1000 || batchBytes >= 1 << 30 { try await flush() }
        }
        try await flush()
        // The receipt lists what is now in the archives' keeping, as stored.
        let preserved = try await ItemModel.query(on: db).filter(\.$transferID == id).sort(\.$archivalCode).all()
        var receiptRecords: [TransferReceipt.Record] = []
        for item in preserved {
            let row = item.sourceRow.flatMap { rowsByNumber[$0] }
            let files = (row?.files ?? []).compactMap { path -> TransferReceipt.File? in
                guard let f = filesByPath[path], let sha256 = f.sha256, let sm3 = f.sm3 else { return nil }
                return .init(name: path.hasPrefix("data/") ? String(path.dropFirst(5)) : path, bytes: Int64(f.size), sha256: sha256, sm3: sm3)
            }
            receiptRecords.append(.init(archivalCode: item.archivalCode, title: item.title, objectId: item.objectID ?? "", files: files))
        }
        let identity = try NodeIdentity.load(dataDirectory: config.dataDirectory)
        let acceptedAt = Date()
        let receipt = TransferReceipt(
            receipt: "移交接收单 / transfer receipt", transferId: id,
            node: .init(code: config.nodeCode, name: config.nodeName, publicKey: identity.publicKeyBase64),
            agency: t.agency, submittedBy: t.submittedBy, receivedAt: t.receivedAt ?? acceptedAt,
            acceptedBy: t.decidedBy ?? "", acceptedAt: acceptedAt,
            package: .init(sha256: t.uploadSHA256, bytes: t.uploadBytes), records: receiptRecords,
            counts: .init(records: receiptRecords.count, files: receiptRecords.reduce(0) { $0 + $1.files.count },
                          bytes: receiptRecords.reduce(Int64(0)) { $0 + $1.files.reduce(Int64(0)) { $0 + $1.bytes } }))
        let canonical = try receipt.canonicalJSON()
        let signature = try identity.sign(canonical)
        try await AuditTrail.write(on: db, actor: "system") { tx, audit in
            t.status = TransferModel.Status.accepted.rawValue
            t.updatedAt = acceptedAt
            t.receipt = String(decoding: canonical, as: UTF8.self)
            t.receiptSignature = signature
            try await t.update(on: tx)
            try await CatalogueSnapshotJob.enqueue(fonds: [t.fondsId], on: tx)  // the rows now name their packages
            try await ReplicationJob.enqueueAfterWrite(config: config, on: tx)  // then the new objects go to the replicas
            audit.record("transfer.preserve", subject: id.uuidString, ["records": String(items.count), "receiptSignature": signature])
        }
    }
}
