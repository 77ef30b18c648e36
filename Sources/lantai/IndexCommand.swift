import ArgumentParser
import Foundation
import LantaiServer

struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "全文索引 / The full-text index.", subcommands: [Rebuild.self])

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "从目录重建全文索引 / Rebuild the full-text index from the catalogue, with progress.")

        func run() async throws {
            try await NodeRunner.withApp { app in
                try await app.autoMigrate()
                let started = Date()
                let n = try await SearchMaintenance.rebuild(app) { done, total in
                    let percent = total == 0 ? 100 : done * 100 / total
                    FileHandle.standardError.write(Data("\r索引中 / indexing \(done)/\(total) (\(percent)%)".utf8))
                }
                FileHandle.standardError.write(Data("\n".utf8))
                print(String(format: "indexed %d records in %.1f s", n, Date().timeIntervalSince(started)))
            }
        }
    }
}
