import ArchiveKit
import Foundation
import LantaiServer
import Logging
import Vapor
import ArgumentParser

/// Boots an Application for a command and shuts it down afterwards.
enum NodeRunner {
    static var cliActor: String { "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "operator") }

    static func makeApp(arguments: [String]) async throws -> Application {
        let config: LantaiConfiguration
        do {
            config = try LantaiConfiguration.fromEnvironment()
        } catch let e as LantaiConfiguration.Invalid {
            FileHandle.standardError.write(Data((e.description + "\n").utf8))
            throw ExitCode(2)
        }
        var env = Environment(name: ProcessInfo.processInfo.environment["LANTAI_ENV"] ?? "production", arguments: arguments)
        try LoggingSystem.bootstrap(from: &env)
        let app = try await Application.make(env)
        do {
            try await configure(app, config)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        return app
    }

    static func withApp(_ body: (Application) async throws -> Void) async throws {
        let app = try await makeApp(arguments: ["lantai"])
        do {
            try await body(app)
        } catch {
            try? await app.asyncShutdown()
            throw report(error)
        }
        try await app.asyncShutdown()
    }

    /// Turns our typed errors into a message and a non-zero exit.
    static func report(_ error: any Error) -> any Error {
        if let e = error as? LantaiError {
            FileHandle.standardError.write(Data("error: \(e.message)\n".utf8))
            return ExitCode(1)
        }
        return error
    }

    static func bootstrap(_ app: Application) async throws -> [(String, String, String)] {
        for line in app.lantai.summary { app.logger.info("\(line)") }
        let created = try await NodeSetup.migrateAndBootstrap(app)
        if !created.isEmpty {
            print("三员账户已创建，一次性密码仅显示这一次 / administrator accounts created; one-time passwords shown once:")
            for (user, role, password) in created { print("  \(user) (\(role)): \(password)") }
        }
        return created
    }

    static func loadDemo(_ app: Application) async throws {
        let report = try await DemoLoader.load(on: app.db, config: app.lantai)
        print(report)
        print(try await DemoLoader.addDigitisedCopies(app))
    }

    static func serve(hostname: String?, port: Int?, demo: Bool) async throws {
        let config = try LantaiConfiguration.fromEnvironment()
        let app = try await makeApp(arguments: ["lantai", "serve", "--hostname", hostname ?? config.hostname,
                                                "--port", String(port ?? config.port)])
        do {
            _ = try await bootstrap(app)
            if demo { try await loadDemo(app) }
            app.startJobWorker()
            try await app.execute()
        } catch {
            try? await app.asyncShutdown()
            throw report(error)
        }
        try await app.asyncShutdown()
    }
}
