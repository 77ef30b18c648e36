import Fluent
import Vapor

/// /api/v1/uploads — resumable uploads of transfer packages (see `Uploads`).
struct UploadsAPI: RouteCollection {
    let config: LantaiConfiguration

    func boot(routes: any RoutesBuilder) throws {
        let uploads = routes.grouped("uploads")
        uploads.post(use: open)
        uploads.get(":id", use: show)
        uploads.on(.PATCH, ":id", body: .stream, use: append)
        uploads.delete(":id", use: abandon)
        uploads.post(":id", "complete", use: complete)
    }

    struct UploadDTO: Content {
        var id: UUID
        var agency: String
        var length: Int64
        var offset: Int64
        var expiresAt: Date?
    }

    struct OpenInput: Decodable {
        var length: Int64
        var agency: String?
        enum CodingKeys: String, CodingKey { case length, agency }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(["length", "agency"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            length = try c.decode(Int64.self, forKey: .length)
            agency = try c.decodeIfPresent(String.self, forKey: .agency)
        }
    }

    func dto(_ u: UploadModel, offset: Int64? = nil) -> UploadDTO {
        UploadDTO(id: u.id!, agency: u.agency, length: u.length, offset: offset ?? Uploads.offset(u.id!, config), expiresAt: u.expiresAt)
    }

    func open(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let input = try req.content.decode(OpenInput.self)
        let u = try await Uploads.open(length: input.length, agency: input.agency, by: p, config: config, on: req.db)
        let res = try await dto(u, offset: 0).encodeResponse(status: .created, for: req)
        res.headers.replaceOrAdd(name: .location, value: "/api/v1/uploads/\(u.id!.uuidString)")
        return res
    }

    func show(req: Request) async throws -> UploadDTO {
        let p = try req.requirePrincipal()
        return dto(try await Uploads.owned(try CatalogueAPI.uuid(req), by: p, on: req.db))
    }

    func append(req: Request) async throws -> UploadDTO {
        let p = try req.requirePrincipal()
        let u = try await Uploads.owned(try CatalogueAPI.uuid(req), by: p, on: req.db)
        guard let claimed = req.headers.first(name: "Upload-Offset").flatMap(Int64.init), claimed >= 0 else {
            throw LantaiError.badRequest(zh: "请在 Upload-Offset 头中给出这段数据的起始字节位置（先 GET 查询已收到多少）",
                                         en: "give the piece's starting byte in the Upload-Offset header (GET the upload to learn how much arrived)")
        }
        let offset = try await Uploads.append(req.body.map { Array($0.readableBytesView) }, at: claimed, to: u, config: config)
        return dto(u, offset: offset)
    }

    func abandon(req: Request) async throws -> HTTPStatus {
        let p = try req.requirePrincipal()
        try await Uploads.abandon(try await Uploads.owned(try CatalogueAPI.uuid(req), by: p, on: req.db), config: config, on: req.db)
        return .noContent
    }

    func complete(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let u = try await Uploads.owned(try CatalogueAPI.uuid(req), by: p, on: req.db)
        let t = try await Uploads.complete(u, by: p, config: config, on: req.db)
        req.application.jobWorker.nudge()
        return try await TransfersAPI.TransferDTO(t).encodeResponse(status: .created, for: req)
    }
}
