import ArchiveKit
import Fluent
import Ingest
import MultipartKit
import NIOCore
import Packaging
import Vapor

/// Transfer pages: the list, one transfer with its progress and four-property report, the
/// archivist's accept / return forms, and the signed receipt for download.
struct TransferPages: RouteCollection {
    let config: LantaiConfiguration
    let catalogue: CataloguePages

    func boot(routes: any RoutesBuilder) throws {
        routes.get("transfers", use: list)
        routes.on(.POST, "transfers", "upload", body: .stream, use: upload)
        routes.get("transfers", ":id", use: show)
        routes.post("transfers", ":id", "accept", use: accept)
        routes.post("transfers", ":id", "reject", use: reject)
        routes.get("transfers", ":id", "receipt.json", use: receipt)
    }

    static let statusNames: [String: (String, String)] = [
        "received": ("已接收，等待检测", "received, waiting to be checked"),
        "checking": ("检测中", "being checked"),
        "checked": ("已检测，待审核", "checked, waiting for review"),
        "accepting": ("已接收，正在写入归档信息包", "accepted, writing archival packages"),
        "accepted": ("已接收入馆", "accepted"),
        "rejected": ("已退回", "returned to the agency"),
    ]

    static let statusStrings: [String: (String, String)] = [
        "transfers": ("移交", "Transfers"),
        "agency": ("立档单位", "Agency"),
        "submittedBy": ("移交人", "Submitted by"),
        "receivedAt": ("接收时间", "Received"),
        "status": ("状态", "Status"),
        "package": ("移交包", "Package"),
        "progress": ("进度", "Progress"),
        "report": ("四性检测报告", "Four-property check report"),
        "item": ("检测项", "Check item"),
        "outcome": ("结论", "Outcome"),
        "reasons": ("理由", "Reasons"),
        "accept": ("接收入馆", "Accept"),
        "reject": ("退回", "Return to agency"),
        "reason": ("退回理由", "Reason"),
        "receipt": ("下载移交接收单", "Download the receipt"),
        "refused": ("移交包无法安全解包", "The package could not be unpacked safely"),
        "passed": ("全部检测项通过或仅有提示", "All check items passed or only warn"),
        "failed": ("有检测项不通过", "Some check items failed"),
        "none": ("暂无移交。", "No transfers yet."),
        "submit": ("提交移交包", "Submit a package"),
        "file": ("移交包（BagIt 的 zip 或 tar）", "Package (a BagIt bag as zip or tar)"),
        "send": ("上传", "Upload"),
        "uploadHint": ("大文件分段上传，网络中断后重新选择同一文件即可从断点继续。",
                       "Large files go up in pieces; after a dropped connection choose the same file again to go on where it stopped."),
        "decision": ("审核意见", "Decision"),
        "pass": ("通过", "pass"),
        "warning": ("提示", "warning"),
        "fail": ("不通过", "fail"),
    ]

    struct Row: Encodable {
        var id: String
        var agency: String
        var submittedBy: String
        var receivedAt: String
        var status: String
    }

    struct ListContext: Encodable {
        var base: CataloguePages.Base
        var s: [String: String]
        var rows: [Row]
        var canSubmit: Bool
        /// The agencies the user may send for: their own (officer) or every fonds (archivist).
        var agencies: [String]
        var fixedAgency: String?
    }

    func strings(_ req: Request) -> [String: String] {
        Self.statusStrings.mapValues { req.prefersEnglish ? $0.1 : $0.0 }
    }

    func statusName(_ status: String, _ req: Request) -> String {
        Self.statusNames[status].map { req.prefersEnglish ? $0.1 : $0.0 } ?? status
    }

    func principal(_ req: Request) throws -> Principal {
        guard let p = req.principal else { throw LantaiError.unauthenticated }
        return p
    }

    func list(req: Request) async throws -> Response {
        guard let p = req.principal else { return req.redirect(to: "/login?next=/transfers") }
        let s = strings(req)
        let rows = try await Transfers.list(for: p, on: req.db).map {
            Row(id: $0.id!.uuidString, agency: $0.agency, submittedBy: $0.submittedBy,
                receivedAt: $0.receivedAt?.formatted(.iso8601) ?? "", status: statusName($0.status, req))
        }
        let canSubmit = p.actor.has(.submitTransfer)
        let fixed = p.actor.role == .agencyOfficer ? p.actor.agency : nil
        let agencies = canSubmit && fixed == nil ? try await FondsModel.query(on: req.db).sort(\.$code).all().map(\.code) : []
        return try await req.view.render("transfers", ListContext(base: catalogue.base(req, title: s["transfers"]!), s: s, rows: rows,
                                                                  canSubmit: canSubmit, agencies: agencies, fixedAgency: fixed))
            .encodeResponse(for: req)
    }

    /// The upload form without scripts: a multipart body parsed as it streams in, the package part
    /// written straight to disk (never held in memory), then the same commit as the API.
    func upload(req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        guard let type = req.headers.contentType, type.type == "multipart", let boundary = type.parameters["boundary"],
              !boundary.isEmpty else {
            throw LantaiError(.unsupportedMediaType, code: "unsupported_media_type", zh: "请用页面上的表单上传移交包",
                              en: "upload the package with the form on the page")
        }
        let form = StreamedForm(incoming: try Transfers.incomingDirectory(config), config: config)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in form.header(name, value) }
        parser.onBody = { buffer in form.body(buffer.readableBytesView) }
        parser.onPartComplete = { form.partComplete() }
        do {
            for try await chunk in req.body {
                do { try parser.execute(chunk) } catch {
                    throw LantaiError.badRequest(zh: "表单数据不完整或格式有误，请重新上传", en: "the form data is malformed or cut short: upload again")
                }
                if let e = form.failure { throw e }
            }
        } catch {
            form.abandon()
            throw error
        }
        guard var sink = form.sink else {
            form.abandon()
            throw LantaiError.field("package", rule: "required", zh: "请选择要上传的移交包文件", en: "choose the package file to upload",
                                    status: .badRequest)
        }
        let spooled: Transfers.Spooled
        do { spooled = try sink.finish() } catch { sink.abandon(); throw error }
        defer { spooled.discard() }
        guard let kind = Transfers.PackageKind(contentOf: spooled.file) else { throw Transfers.unrecognisedPackage }
        let fonds = try await Transfers.agency(for: p, requested: form.fields["agency"].flatMap { $0.isEmpty ? nil : $0 }, on: req.db)
        let t = try await Transfers.commit(spooled, kind: kind, fonds: fonds, by: p, config: config, on: req.db)
        req.application.jobWorker.nudge()
        return req.redirect(to: "/transfers/\(t.id!.uuidString)")
    }

    struct ItemRow: Encodable {
        var property: String
        var name: String
        var status: String
        var statusClass: String
        var reasons: [String]
    }

    struct ShowContext: Encodable {
        var base: CataloguePages.Base
        var s: [String: String]
        var id: String
        var agency: String
        var submittedBy: String
        var receivedAt: String
        var status: String
        var packageLine: String
        var progress: String
        var inProgress: Bool
        var checked: Bool
        var passed: Bool
        var refusal: String?
        var items: [ItemRow]
        var canDecide: Bool
        var decision: String?
        var hasReceipt: Bool
    }

    func show(req: Request) async throws -> Response {
        guard let p = req.principal else { return req.redirect(to: "/login?next=\(req.url.path)") }
        let en = req.prefersEnglish
        let s = strings(req)
        let t = try await Transfers.visible(try CatalogueAPI.uuid(req), to: p, on: req.db)
        let stored = t.report != nil ? try? Accession.storedReport(t) : nil
        let items = stored?.report?.items.map { item in
            ItemRow(property: en ? item.property.rawValue : item.propertyZh, name: en ? item.nameEn : item.nameZh,
                    status: s[item.status.rawValue] ?? item.status.rawValue, statusClass: item.status.rawValue,
                    reasons: item.findings.filter { $0.status != .pass || item.findings.count == 1 }
                        .map { f in [f.path, f.row.map { en ? "row \($0)" : "第 \($0) 行" }].compactMap { $0 }.joined(separator: " ")
                            + (f.path == nil && f.row == nil ? "" : "：") + (en ? f.reasonEn : f.reasonZh) })
        } ?? []
        let inProgress = ["received", "checking", "accepting"].contains(t.status)
        let ctx = ShowContext(
            base: catalogue.base(req, title: s["transfers"]!), s: s, id: t.id!.uuidString, agency: t.agency,
            submittedBy: t.submittedBy, receivedAt: t.receivedAt?.formatted(.iso8601) ?? "", status: statusName(t.status, req),
            packageLine: "\(t.packageKind) · \(t.uploadBytes) bytes · SHA-256 \(t.uploadSHA256)",
            progress: "\(t.filesDone) / \(t.filesTotal) files · \(t.bytesDone) / \(t.bytesTotal) bytes",
            inProgress: inProgress, checked: stored != nil, passed: stored?.passed ?? false,
            refusal: stored?.refusal.map { en ? $0.reasonEn : $0.reasonZh }, items: items,
            canDecide: p.actor.has(.reviewTransfer) && t.status == "checked",
            decision: t.decisionNote, hasReceipt: t.receipt != nil)
        let res = try await req.view.render("transfer", ctx).encodeResponse(for: req)
        // Long jobs show progress: the page refreshes itself while work is going on.
        if inProgress { res.headers.replaceOrAdd(name: "Refresh", value: "3") }
        return res
    }

    func accept(req: Request) async throws -> Response {
        let p = try principal(req)
        let id = try CatalogueAPI.uuid(req)
        _ = try await Accession.accept(id, by: p, on: req.db)
        req.application.jobWorker.nudge()
        return req.redirect(to: "/transfers/\(id.uuidString)")
    }

    func reject(req: Request) async throws -> Response {
        let p = try principal(req)
        let id = try CatalogueAPI.uuid(req)
        let reason = (try? req.content.get(String.self, at: "reason")) ?? ""
        _ = try await Accession.reject(id, reason: reason, by: p, on: req.db)
        return req.redirect(to: "/transfers/\(id.uuidString)")
    }

    func receipt(req: Request) async throws -> Response {
        let p = try principal(req)
        let t = try await Transfers.visible(try CatalogueAPI.uuid(req), to: p, on: req.db)
        let body = try JSONEncoder().encode(try TransfersAPI.signedReceipt(t, config: config))
        let res = Response(status: .ok, body: .init(data: body))
        res.headers.contentType = .json
        res.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"receipt-\(t.id!.uuidString).json\"")
        return res
    }
}

/// The state of one streamed multipart form: small text fields kept, the `package` file part
/// spooled to disk as it arrives. The parser's callbacks cannot throw, so the first failure is
/// kept and the upload loop stops on it.
final class StreamedForm {
    let incoming: URL
    let config: LantaiConfiguration
    private var headers: [String: String] = [:]
    private var current: Part?
    private(set) var fields: [String: String] = [:]
    private var fieldBytes: [UInt8] = []
    var sink: SpoolSink?
    var failure: (any Error)?

    private enum Part { case field(String), package, ignored }

    init(incoming: URL, config: LantaiConfiguration) {
        self.incoming = incoming
        self.config = config
    }

    func header(_ name: String, _ value: String) { headers[name.lowercased()] = value }

    func body(_ bytes: ByteBufferView) {
        guard failure == nil else { return }
        if current == nil { current = startPart() }
        switch current {
        case .package?:
            do { try sink?.write(bytes) } catch { failure = error }
        case .field?:
            fieldBytes.append(contentsOf: bytes.prefix(max(0, 4096 - fieldBytes.count)))
        default: break
        }
    }

    func partComplete() {
        if current == nil { current = startPart() }
        if case .field(let name)? = current { fields[name] = String(decoding: fieldBytes, as: UTF8.self).trimmed }
        current = nil
        headers = [:]
        fieldBytes = []
    }

    private func startPart() -> Part {
        let disposition = headers["content-disposition"] ?? ""
        guard let name = Self.parameter("name", in: disposition) else { return .ignored }
        if name == "package", Self.parameter("filename", in: disposition) != nil {
            guard sink == nil else { failure = LantaiError.badRequest(zh: "一次只能上传一个移交包", en: "upload one package at a time"); return .ignored }
            do {
                sink = try SpoolSink(incoming.appendingPathComponent("\(UUID().uuidString).part"), limit: config.maxTransferBytes, config: config)
            } catch { failure = error; return .ignored }
            return .package
        }
        return .field(name)
    }

    /// `name="value"` out of a Content-Disposition header.
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";") {
            let kv = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, kv[0].lowercased() == key else { continue }
            var v = kv[1]
            if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            return v
        }
        return nil
    }

    func abandon() { sink?.abandon() }
}
