import ArgumentParser
import Foundation
import LantaiServer

/// Prints a line at once (progress of long runs is read as it comes).
@Sendable private func say(_ line: String) {
    print(line)
    fflush(nil)
}

/// `lantai replicate`.
struct ReplicateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicate",
        abstract: "把对象复制到各副本位置 / Copy every object (all versions) to the replica locations that lack it.",
        discussion: """
            Copies each OCFL object of the primary to every replica of LANTAI_REPLICA_URLS that lacks \
            its current version: content first, verified against the inventory's digests, the inventory \
            last, so no replica ever shows a partial object. Resumes where an interrupted run stopped. \
            With --repair, then reads every copy back and mends damaged or missing files from a good \
            copy (as `lantai storage repair`). Exit 0 when every copy is complete, 1 otherwise.
            """)

    @Option(help: "Only this replica location") var location: String?
    @Option(help: "Only this object (its OCFL id)") var object: String?
    @Flag(help: "Afterwards, verify every copy and repair what is damaged or missing.") var repair = false
    @Flag(help: "Queue the replication for the serving node's worker, and return.") var queue = false

    func run() async throws {
        var ok = true
        try await NodeRunner.withApp { app in
            try await app.autoMigrate()
            ok = try await StorageTasks.replicate(app, location: location, object: object, repair: repair, queue: queue,
                                                  actor: NodeRunner.cliActor, output: say)
        }
        if !ok { throw ExitCode(1) }
    }
}

/// `lantai restore --from LOCATION`.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "从副本恢复主存储 / Bring the primary storage back from a replica.",
        discussion: """
            Copies every object of the replica to the primary (creating its storage root, and its \
            bucket on S3, if they are gone), reads every file back and checks its digest. If the \
            catalogue database is empty too, says to run `lantai rebuild-catalog` next. Exit 0 when \
            every object was restored and verified, 1 otherwise.
            """)

    @Option(help: "The replica to restore from: a location name from LANTAI_REPLICA_URLS, or a directory or s3:// URL") var from: String

    func run() async throws {
        var ok = true
        try await NodeRunner.withApp { app in
            try await app.autoMigrate()
            ok = try await StorageTasks.restore(app, from: from, actor: NodeRunner.cliActor, output: say)
        }
        if !ok { throw ExitCode(1) }
    }
}

/// `lantai storage …`.
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage", abstract: "存储位置 / Storage locations: status, repair, migration, offline media.",
        subcommands: [Status.self, Repair.self, Migrate.self, Export.self, Import.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "各存储位置及副本状态 / Each location, whether it answers, and its copies.")

        func run() async throws {
            var ok = true
            try await NodeRunner.withApp { app in
                try await app.autoMigrate()
                ok = try await StorageTasks.status(app, output: say)
            }
            if !ok { throw ExitCode(1) }
        }
    }

    struct Repair: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "比对各副本并自动修复 / Compare every copy of every object and repair from a good copy.",
            discussion: """
                Reads back every file of every copy (primary and replicas), compares it with the \
                inventory's digest, and rewrites missing or damaged files — and restores missing \
                objects — from a copy whose bytes match. A good copy is never overwritten; copies that \
                disagree are left alone and raised as alerts. Each repair is recorded (an event and an \
                audit-trail entry). Exit 0 when every copy is whole, 1 otherwise.
                """)

        @Option(help: "Only this object (its OCFL id)") var object: String?

        func run() async throws {
            var ok = true
            try await NodeRunner.withApp { app in
                try await app.autoMigrate()
                ok = try await StorageTasks.repair(app, object: object, actor: NodeRunner.cliActor, output: say)
            }
            if !ok { throw ExitCode(1) }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "把所有对象迁移到另一位置并切换 / Move every object to another location, verify, then switch.",
            discussion: """
                FROM and TO are location names (primary, or a name from LANTAI_REPLICA_URLS) or URLs \
                (a directory, or s3://bucket?endpoint=…). The node may keep serving: objects written \
                meanwhile are copied again. Every copied file is read back and checked before the \
                switch. Migrating the primary records the switch in <data dir>/storage-switch.json, \
                which the node follows at once and after restarts while LANTAI_STORAGE_URL still names \
                FROM; set LANTAI_STORAGE_URL to TO to make it permanent. FROM is left untouched.
                """)

        @Argument(help: "Where the objects are now") var from: String
        @Argument(help: "Where they should be") var to: String

        func run() async throws {
            var ok = true
            try await NodeRunner.withApp { app in
                try await app.autoMigrate()
                ok = try await StorageTasks.migrate(app, from: from, to: to, actor: NodeRunner.cliActor, output: say)
            }
            if !ok { throw ExitCode(1) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "导出为 BagIt 包以写入离线介质 / Export objects as BagIt bags, in volumes, for optical or tape media.",
            discussion: """
                Each bag holds one whole OCFL object (all versions). DIR gets manifest.json and \
                manifest.txt (every bag, its size and the SHA-256 of its tagmanifest, the total) and one \
                folder per volume (vol-0001, …) to write to one medium each.
                """)

        @Option(help: "The folder to write to (must be empty or missing)") var to: String
        @Option(help: "Only this fonds' records and its catalogue") var fonds: String?
        @Option(help: "Largest volume: 4.7GB (DVD), 25GB (BD), 700MB (CD), or bytes") var volumeSize = "25GB"

        func run() async throws {
            var ok = true
            try await NodeRunner.withApp { app in
                try await app.autoMigrate()
                ok = try await StorageTasks.export(app, to: to, fonds: fonds, volumeSize: volumeSize, actor: NodeRunner.cliActor, output: say)
            }
            if !ok { throw ExitCode(1) }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "从离线介质导入 / Validate the bags of an export (or one volume) and restore the objects that are missing.",
            discussion: """
                Each bag is validated (BagIt, then OCFL); valid ones restore objects the location \
                lacks or holds an older state of. A stored copy that is newer or different is never \
                overwritten. Exit 0 when every bag was valid and imported, 1 otherwise.
                """)

        @Option(help: "The export folder, or one volume of it") var from: String
        @Option(help: "The location to restore into (default the primary): a name or a URL") var into: String?

        func run() async throws {
            var ok = true
            try await NodeRunner.withApp { app in
                try await app.autoMigrate()
                ok = try await StorageTasks.importMedia(app, from: from, into: into, actor: NodeRunner.cliActor, output: say)
            }
            if !ok { throw ExitCode(1) }
        }
    }
}
