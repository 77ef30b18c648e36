import ArchiveKit
import Fluent
import Vapor

/// /api/v1/transfers — agencies send packages; archivists review them.
struct TransfersAPI: RouteCollection {
    let config: LantaiConfiguration

    func boot(routes: any RoutesBuilder) throws {
        let transfers = routes.grouped("transfers")
        transfers.on(.POST, body: .stream, use: submit)
        transfers.get(use: list)
        transfers.get(":id", use: show)
        transfers.get(":id", "report", use: report)
        transfers.post(":id", "accept", use: accept)
        transfers.get(":id", "receipt", use: receipt)
        routes.get("node", use: node)
        transfers.post(":id", "reject", use: reject)
    }

    struct TransferDTO: Content {
        var id: UUID
        var agency: String
        var status: String
        var submittedBy: String
        var receivedAt: Date?
        var packageKind: String
        var uploadBytes: Int64
        var uploadSha256: String
        var progress: Progress
        var decidedBy: String?
        var decisionNote: String?
        struct Progress: Content {
            var filesDone: Int
            var filesTotal: Int
            var bytesDone: Int64
            var bytesTotal: Int64
        }
        init(_ t: TransferModel) {
            id = t.id!
            agency = t.agency
            status = t.status
            submittedBy = t.submittedBy
            receivedAt = t.receivedAt
            packageKind = t.packageKind
            uploadBytes = t.uploadBytes
            uploadSha256 = t.uploadSHA256
            progress = .init(filesDone: t.filesDone, filesTotal: t.filesTotal, bytesDone: t.bytesDone, bytesTotal: t.bytesTotal)
            decidedBy = t.decidedBy
            decisionNote = t.decisionNote
        }
    }

    func submit(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        guard let kind = Transfers.PackageKind(contentType: req.headers.first(name: .contentType)) else {
            throw LantaiError(.unsupportedMediaType, code: "unsupported_media_type",
                              zh: "请以 Content-Type: application/zip、application/x-tar 或 application/xml（DA/T 48 电子文件封装包）上传移交包",
                              en: "send the package with Content-Type: application/zip, application/x-tar or application/xml (a DA/T 48 EEP)")
        }
        // Refuse at once when the sender says how big it is; the stream is counted anyway.
        if let length = req.headers.first(name: .contentLength).flatMap(Int64.init), length > config.maxTransferBytes {
            throw Transfers.tooLarge(config)
        }
        let fonds = try await Transfers.agency(for: p, requested: req.query[String.self, at: "agency"], on: req.db)
        let chunks = req.body.map { Array($0.readableBytesView) }
        let t = try await Transfers.receive(chunks, kind: kind, fonds: fonds, by: p, config: config, on: req.db)
        req.application.jobWorker.nudge()
        return try await TransferDTO(t).encodeResponse(status: .created, for: req)
    }

    func list(req: Request) async throws -> [TransferDTO] {
        let p = try req.requirePrincipal()
        return try await Transfers.list(for: p, on: req.db).map(TransferDTO.init)
    }

    /// The four-property report (四性检测报告) as JSON, once the check has run.
    func report(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let t = try await Transfers.visible(try CatalogueAPI.uuid(req), to: p, on: req.db)
        guard let json = t.report else {
            throw LantaiError(.conflict, code: "not_checked", zh: "该移交尚未检测完毕（状态：\(t.status)），请稍后再看",
                              en: "the transfer has not been checked yet (status \(t.status)): look again shortly")
        }
        let res = Response(status: .ok, body: .init(string: json))
        res.headers.contentType = .json
        return res
    }

    struct ReceiptDTO: Content {
        /// The canonical JSON exactly as signed: verify the signature over these bytes.
        var receipt: String
        var signature: String
        var algorithm: String
        var publicKey: String
    }

    /// 移交接收单: downloadable by the agency and the archivists once the transfer is accepted.
    func receipt(req: Request) async throws -> ReceiptDTO {
        let p = try req.requirePrincipal()
        return try Self.signedReceipt(try await Transfers.visible(try CatalogueAPI.uuid(req), to: p, on: req.db), config: config)
    }

    /// The receipt with its signature and the key to check it, for the API and the page alike.
    static func signedReceipt(_ t: TransferModel, config: LantaiConfiguration) throws -> ReceiptDTO {
        guard let receipt = t.receipt, let signature = t.receiptSignature else {
            throw LantaiError(.conflict, code: "no_receipt", zh: "接收完成后才有接收单（当前状态：\(t.status)）",
                              en: "the receipt exists once the transfer is accepted (it is \(t.status))")
        }
        let identity = try NodeIdentity.load(dataDirectory: config.dataDirectory)
        return ReceiptDTO(receipt: receipt, signature: signature, algorithm: "Ed25519", publicKey: identity.publicKeyBase64)
    }

    struct NodeDTO: Content {
        var code: String
        var name: String
        var publicKey: String
        var algorithm: String
    }

    /// The node's name and public key, for checking its receipts and certificates.
    func node(req: Request) async throws -> NodeDTO {
        let identity = try NodeIdentity.load(dataDirectory: config.dataDirectory)
        return NodeDTO(code: config.nodeCode, name: config.nodeName, publicKey: identity.publicKeyBase64, algorithm: "Ed25519")
    }

    func accept(req: Request) async throws -> TransferDTO {
        let p = try req.requirePrincipal()
        let t = try await Accession.accept(try CatalogueAPI.uuid(req), by: p, on: req.db)
        req.application.jobWorker.nudge()
        return TransferDTO(t)
    }

    struct RejectInput: Decodable {
        var reason: String
        enum CodingKeys: String, CodingKey { case reason }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(["reason"])
            reason = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .reason)
        }
    }

    func reject(req: Request) async throws -> TransferDTO {
        let p = try req.requirePrincipal()
        let input = try req.content.decode(RejectInput.self)
        return TransferDTO(try await Accession.reject(try CatalogueAPI.uuid(req), reason: input.reason, by: p, on: req.db))
    }

    func show(req: Request) async throws -> TransferDTO {
        let p = try req.requirePrincipal()
        return TransferDTO(try await Transfers.visible(try CatalogueAPI.uuid(req), to: p, on: req.db))
    }
}
