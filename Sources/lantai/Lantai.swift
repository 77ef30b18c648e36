import ArchiveKit
import ArgumentParser
import Foundation
import LantaiServer

/// The `lantai` command: a thin shell over LantaiServer.
@main
struct Lantai: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lantai",
        abstract: "兰台数字档案馆节点 / Lantai digital archives node",
        subcommands: [Serve.self, Migrate.self, Demo.self, UserCommand.self, TokenCommand.self, AuditCommand.self,
                      DigestCommand.self, BagCommand.self, OCFLCommand.self, ExportCommand.self, TransferCommand.self, IndexCommand.self, RebuildCatalogCommand.self, FixityCommand.self,
                      ReplicateCommand.self, RestoreCommand.self, StorageCommand.self])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "运行节点 / Run the node: migrate, create the three administrators on first start, serve HTTP.")

    @Option(help: "Listen address (default LANTAI_HOSTNAME or 127.0.0.1)") var hostname: String?
    @Option(help: "Port (default LANTAI_PORT or 8080)") var port: Int?

    func run() async throws {
        try await NodeRunner.serve(hostname: hostname, port: port, demo: false)
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "载入演示目录后运行 / Load the demo catalogue into an empty node, then serve it.")

    @Flag(help: "Load the demo catalogue and exit without serving.") var noServe = false
    @Option(help: "Listen address") var hostname: String?
    @Option(help: "Port") var port: Int?

    func run() async throws {
        if noServe {
            try await NodeRunner.withApp { app in
                _ = try await NodeRunner.bootstrap(app)
                try await NodeRunner.loadDemo(app)
            }
        } else {
            try await NodeRunner.serve(hostname: hostname, port: port, demo: true)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "更新数据库结构 / Bring the database schema up to date.")
    func run() async throws {
        try await NodeRunner.withApp { app in
            try await app.autoMigrate()
            print("migrations complete")
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "管理账户 / Manage accounts.", subcommands: [Add.self, Passwd.self, RoleCmd.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "添加账户 / Add an account (password read from standard input).")
        @Argument(help: "Username") var name: String
        @Option(help: "Role: \(Role.allCases.map(\.rawValue).joined(separator: ", "))") var role: RoleArgument
        @Option(help: "Agency (fonds number) for agency-officer and official") var agency: String?
        @Option(help: "Clearance: none, confidential, secret, top-secret") var clearance: ClassificationArgument?
        @Option(help: "Display name") var displayName: String?
        @Flag(help: "Read the password from standard input (required).") var passwordStdin = false

        func validate() throws {
            guard passwordStdin else { throw ValidationError("--password-stdin is required: pipe the password in (passwords are never command-line arguments)") }
        }

        func run() async throws {
            let password = try readPassword()
            try await NodeRunner.withApp { app in
                try await app.autoMigrate()
                try await Accounts.create(.init(username: name, displayName: displayName, role: role.role, agency: agency,
                                                clearance: clearance?.value ?? .none, password: password),
                                          by: NodeRunner.cliActor, cost: app.lantai.bcryptCost, on: app.db)
                print("added \(name) (\(role.role.rawValue))")
            }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "passwd", abstract: "设置密码 / Set an account's password (from standard input).")
        @Argument(help: "Username") var name: String
        @Flag(help: "Read the password from standard input (required).") var passwordStdin = false
        @Flag(help: "The person must change it at next sign-in.") var temporary = false

        func validate() throws {
            guard passwordStdin else { throw ValidationError("--password-stdin is required: pipe the password in") }
        }

        func run() async throws {
            let password = try readPassword()
            try await NodeRunner.withApp { app in
                try await Accounts.setPassword(username: name, password: password, mustChange: temporary, by: NodeRunner.cliActor,
                                               cost: app.lantai.bcryptCost, on: app.db)
                print("password set for \(name)")
            }
        }
    }

    struct RoleCmd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "role", abstract: "授予角色、涉密等级、立档单位 / Grant a role, clearance or agency.")
        @Argument(help: "Username") var name: String
        @Option(help: "Role") var role: RoleArgument?
        @Option(help: "Clearance: none, confidential, secret, top-secret") var clearance: ClassificationArgument?
        @Option(help: "Agency (fonds number)") var agency: String?

        func validate() throws {
            guard role != nil || clearance != nil || agency != nil else {
                throw ValidationError("give at least one of --role, --clearance, --agency")
            }
        }

        func run() async throws {
            try await NodeRunner.withApp { app in
                try await Accounts.grant(username: name, role: role?.role, clearance: clearance?.value, agency: agency,
                                         by: NodeRunner.cliActor, on: app.db)
                print("updated \(name)")
            }
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "API 令牌 / API tokens.", subcommands: [Create.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "为账户签发令牌并打印 / Print a new API token for an account.")
        @Argument(help: "Username") var name: String
        @Option(help: "A label for the token") var label: String = "cli"

        func run() async throws {
            try await NodeRunner.withApp { app in
                let t = try await Accounts.createToken(username: name, name: label, by: NodeRunner.cliActor, on: app.db)
                FileHandle.standardError.write(Data("token id \(t.id.uuidString) for \(name)\n".utf8))
                print(t.token)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "吊销令牌 / Revoke a token, by its id or the token itself.")
        @Argument(help: "Token id (UUID) or the token") var token: String

        func run() async throws {
            try await NodeRunner.withApp { app in
                let id = try await Accounts.revokeToken(token, by: NodeRunner.cliActor, on: app.db)
                print("revoked \(id.uuidString)")
            }
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "审计日志 / The audit trail.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "校验哈希链 / Verify the hash chain: exit 0 \"intact\", or 1 and the first broken entry.")
        func run() async throws {
            var broken = false
            try await NodeRunner.withApp { app in
                switch try await AuditTrail.verify(on: app.db) {
                case .intact(let n):
                    print("intact (\(n) entries)")
                case .broken(let seq, let reason):
                    print("broken at entry \(seq): \(reason)")
                    broken = true
                }
            }
            if broken { throw ExitCode(1) }
        }
    }
}

struct RoleArgument: ExpressibleByArgument {
    var role: Role
    init?(argument: String) {
        guard let r = Role(rawValue: argument) else { return nil }
        role = r
    }
    static var allValueStrings: [String] { Role.allCases.map(\.rawValue) }
}

struct ClassificationArgument: ExpressibleByArgument {
    var value: Classification
    init?(argument: String) {
        guard let c = Classification(parsing: argument) else { return nil }
        value = c
    }
    static var allValueStrings: [String] { Classification.allCases.map(\.rawValue) }
}

func readPassword() throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw ValidationError("no password on standard input: pipe it in, e.g. printf '%s\\n' \"$PW\" | lantai …")
    }
    return line
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "导出 / Export holdings.", subcommands: [Bag.self])

    struct Bag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "把一条档案或一次移交导出为 BagIt 包 / Write a record's or a transfer's archival packages as a BagIt bag.")
        @Argument(help: "A record id, a 档号, or a transfer id") var what: String
        @Option(help: "The folder to write the bag into") var to: String

        func run() async throws {
            try await NodeRunner.withApp { app in
                let r = try await BagExport.export(what, to: URL(fileURLWithPath: to), config: app.lantai,
                                                   actor: NodeRunner.cliActor, on: app.db)
                print("wrote \(r.bag.path): \(r.records) records, \(r.files) files")
            }
        }
    }
}

struct TransferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer", abstract: "移交 / Transfers.", subcommands: [Submit.self])

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "提交移交包（BagIt 目录、zip 或 tar）并检测 / Submit a bag directory, zip or tar as a transfer, and check it.")
        @Argument(help: "A bag directory, or a zip or tar file") var path: String
        @Option(help: "The agency: its fonds number (全宗号)") var agency: String
        @Flag(help: "Only receive; leave the check to the server's worker.") var noCheck = false

        func run() async throws {
            try await NodeRunner.withApp { app in
                try await app.autoMigrate()
                print(try await TransferSubmission.submit(path: path, agency: agency, actor: NodeRunner.cliActor,
                                                          check: !noCheck, app: app))
            }
        }
    }
}
