import ArgumentParser
import Foundation
import LantaiServer

/// `lantai rebuild-catalog`: a fresh catalogue database from the storage root alone.
struct RebuildCatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild-catalog",
        abstract: "从存储重建目录数据库 / Rebuild a fresh catalogue database from the storage root alone.",
        discussion: """
            Reads every description object (one per fonds) and every archival package of the node in \
            LANTAI_STORAGE_URL and writes fonds, categories, records, edit history and 档号 counters \
            into an empty database: LANTAI_DATABASE_URL, or the one named by --into. Refuses a \
            database that already has a catalogue. Exit 0 when rebuilt (warnings are printed), 1 otherwise.
            """)

    @Option(help: "The database to build (postgres://… or a SQLite file path); default LANTAI_DATABASE_URL") var into: String?
    @Option(help: "Rebuild this node's objects (default LANTAI_NODE_CODE)") var node: String?

    func run() async throws {
        // --into is LANTAI_DATABASE_URL for this run: one way of opening a database, not two.
        if let into { setenv("LANTAI_DATABASE_URL", into, 1) }
        try await NodeRunner.withApp { app in
            try await app.autoMigrate()
            let summary = try await PreservationTasks.rebuildCatalogue(app, node: node, actor: NodeRunner.cliActor) { line in print(line) }
            print(summary)
        }
    }
}

/// `lantai fixity audit`.
struct FixityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixity", abstract: "固定性检查 / Fixity: recompute stored digests.", subcommands: [Audit.self])

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "重新计算存储文件的摘要并比对 / Recompute every stored file's SHA-512, SHA-256 and SM3 and compare.",
            discussion: """
                Checks every object of the storage root (or one), records the outcome of each \
                (GET /api/v1/preservation/audits), raises an alert for each object that failed, and \
                exits 1 if any did. With --queue, leaves the audit to the serving node's worker instead \
                (for cron: `lantai fixity audit --queue --throttle 50`).
                """)

        @Option(help: "Audit only this object (its OCFL id, e.g. info:lantai/NODE/档号)") var object: String?
        @Option(help: "Read at most this many MiB per second") var throttle: Double?
        @Flag(help: "Queue the audit as a job for the serving node's worker, and return.") var queue = false

        func validate() throws {
            if let throttle, !(throttle > 0) { throw ValidationError("--throttle must be a positive number of MiB/s") }
        }

        func run() async throws {
            var failed = false
            try await NodeRunner.withApp { app in
                try await app.autoMigrate()
                if queue {
                    print(try await PreservationTasks.queueAudit(app, object: object, throttle: throttle, actor: NodeRunner.cliActor))
                    return
                }
                let run = try await PreservationTasks.audit(app, object: object, throttle: throttle, actor: NodeRunner.cliActor) { line in
                    print(line)
                }
                failed = !run
            }
            if failed { throw ExitCode(1) }
        }
    }
}
