import ArchiveKit
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import NIOSSL
import SQLKit
import Vapor

extension Application {
    private struct ConfigKey: StorageKey { typealias Value = LantaiConfiguration }

    private struct WorkerKey: StorageKey { typealias Value = JobWorker }

    /// The background job runner. `lantai serve` starts its loop; tests call `drain`.
    var jobWorker: JobWorker {
        if let w = storage[WorkerKey.self] { return w }
        let w = JobWorker(lease: TimeInterval(lantai.jobLeaseSeconds))
        storage[WorkerKey.self] = w
        return w
    }

    /// Starts running queued jobs in the background once the server has booted.
    public func startJobWorker() { lifecycle.use(jobWorker); lifecycle.use(ReplicationScheduler()) }

    /// The node configuration, set once by `configure`.
    public var lantai: LantaiConfiguration {
        get {
            guard let c = storage[ConfigKey.self] else { fatalError("configure(_:) has not run") }
            return c
        }
        set { storage[ConfigKey.self] = newValue }
    }
}

/// Sets up a node: database, migrations list, sessions, pages and routes. Commands and tests
/// call this, then do their own work.
public func configure(_ app: Application, _ config: LantaiConfiguration) async throws {
    app.lantai = config
    try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)

    let sqlLog: Logger.Level = config.logSQL ? .info : .trace
    switch config.database {
    case .sqlite(let path):
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        app.databases.use(.sqlite(.file(path), sqlLogLevel: sqlLog), as: .sqlite)
        // WAL lets readers go on while one writer writes; it is remembered in the file.
        _ = try await (app.db as! any SQLDatabase).raw("PRAGMA journal_mode=WAL").all()
    case .postgres(let url):
        var pg = try SQLPostgresConfiguration(url: url)
        if url.contains("sslmode=disable") { pg.coreConfiguration.tls = .disable }
        app.databases.use(.postgres(configuration: pg, maxConnectionsPerEventLoop: 4, sqlLogLevel: sqlLog), as: .psql)
    }
    app.migrations.add(LantaiMigrations.all)
    app.migrations.add(SessionRecord.migration)

    app.passwords.use(.bcrypt(cost: config.bcryptCost))
    app.routes.defaultMaxBodySize = ByteCount(stringLiteral: config.maxBodySize)

    // Pages
    let resources = Resources.directory(config: config, app: app)
    // Leaf reads <working directory>/Resources/Views/.
    app.directory = DirectoryConfiguration(workingDirectory: String(resources.dropLast("Resources/".count)))
    app.views.use(.leaf)
    app.leaf.cache.isEnabled = app.environment.isRelease

    app.sessions.use(.fluent)
    app.sessions.configuration.cookieName = "lantai_session"
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(string: id.string, expires: Date().addingTimeInterval(8 * 3600), maxAge: nil, domain: nil,
                          path: "/", isSecure: config.secureCookies, isHTTPOnly: true, sameSite: .lax)
    }

    app.middleware = .init()
    app.middleware.use(LantaiErrorMiddleware())
    app.middleware.use(StaticFiles(FileMiddleware(publicDirectory: resources + "Public/")))
    app.middleware.use(SecurityHeadersMiddleware())

    TransferCheckJob.register(on: app.jobWorker)
    TransferPreserveJob.register(on: app.jobWorker)
    CatalogueSnapshotJob.register(on: app.jobWorker)
    FixityAudits.register(on: app.jobWorker)
    ReplicationJob.register(on: app.jobWorker)
    try routes(app, config)
}

func routes(_ app: Application, _ config: LantaiConfiguration) throws {
    app.get("healthz") { _ in ["status": "ok"] }
    app.get("api", "openapi.yaml") { _ -> Response in
        let r = Response(status: .ok, body: .init(string: OpenAPIDocument.yaml))
        r.headers.contentType = HTTPMediaType(type: "application", subType: "yaml", parameters: ["charset": "utf-8"])
        return r
    }

    let api = app.grouped("api", "v1").grouped(BearerTokenAuthenticator(), PageSessionForAPI())
    try api.register(collection: CatalogueAPI())
    try api.register(collection: UploadsAPI(config: config))
    try api.register(collection: RequestsAPI(config: config))
    try api.register(collection: SearchAPI())
    try api.register(collection: AccountsAPI(config: config))
    try api.register(collection: TransfersAPI(config: config))
    try api.register(collection: PreservationAPI(config: config))
    try api.register(collection: StorageAPI(config: config))

    try app.register(collection: DeliveryRoutes(config: config))

    let pages = app.grouped(app.sessions.middleware, SessionPrincipalAuthenticator(), CSRFMiddleware())
    let cataloguePages = CataloguePages(config: config)
    try pages.register(collection: cataloguePages)
    try pages.register(collection: TransferPages(config: config, catalogue: cataloguePages))
    try pages.register(collection: PortalPages(config: config, catalogue: cataloguePages))
    try pages.register(collection: RequestPages(config: config, catalogue: cataloguePages))
}

/// Where Resources/Views and Resources/Public are: LANTAI_RESOURCES_DIR, the working
/// directory, or beside the source tree of a `swift build`.
enum Resources {
    static func directory(config: LantaiConfiguration, app: Application) -> String {
        var candidates: [String] = []
        if let d = config.resourcesDirectory { candidates.append(d.hasSuffix("/") ? d : d + "/") }
        candidates.append(app.directory.workingDirectory + "Resources/")
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        // .build/<triple>/debug/lantai → repository root
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.path + "/Resources/")
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "Views") } ?? candidates[0]
    }
}

/// Conservative headers for every response: no framing, no sniffing, no referrer leaks.
/// Serves Resources/Public for /css/ and /js/ only, so that every other path — however long or
/// odd — goes to the routes instead of a file-system lookup (a 5,000-character path made the
/// lookup itself fail with a 500).
struct StaticFiles: AsyncMiddleware {
    let files: FileMiddleware
    init(_ files: FileMiddleware) { self.files = files }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path
        guard path.utf8.count < 256, path.hasPrefix("/css/") || path.hasPrefix("/js/") else {
            return try await next.respond(to: request)
        }
        return try await files.respond(to: request, chainingTo: next)
    }
}

struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let res = try await next.respond(to: request)
        res.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        res.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        return res
    }
}

/// Boot-time work for a node that will serve: migrate, then create the three administrators.
public enum NodeSetup {
    public static func migrateAndBootstrap(_ app: Application) async throws -> [(String, String, String)] {
        try await app.autoMigrate()
        // A node upgraded from before the full-text index: index what it already holds.
        if try await SearchMaintenance.needsRebuild(app) {
            app.logger.notice("building the full-text index for existing records")
            _ = try await SearchMaintenance.rebuild(app) { _, _ in }
        }
        // A crash can stop a catalogue snapshot between publishing its inventory and its sidecar,
        // and a snapshot job killed repeatedly may have given up: roll such commits forward
        // before the node starts work, so the storage root is valid again (one object per fonds).
        if let root = try? PreservationStorage.existingRoot(app.lantai) {
            for fonds in try await FondsModel.query(on: app.db).all() {
                let object = root.object(CatalogueSnapshotFormat.objectID(node: app.lantai.nodeCode, fondsCode: fonds.code))
                _ = try? await app.threadPool.runIfActive { try object.recoverInterruptedCommit() }
            }
        }
        return try await Accounts.bootstrapAdministrators(config: app.lantai, on: app.db)
    }
}
