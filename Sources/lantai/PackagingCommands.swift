import ArgumentParser
import Foundation
import Packaging

/// `lantai digest`: like sha256sum, for the algorithms an archives uses (SM3 is 国密, GB/T 32905).
struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "计算文件摘要 / Print file digests as `HEX  FILE`, like sha256sum.")

    @Option(name: .shortAndLong, help: "sha256, sha512 or sm3 (also sha384, sha1, md5)") var algorithm: DigestAlgorithmArgument = .init(.sha256)
    @Argument(help: "Files to hash") var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one FILE") }
    }

    func run() throws {
        let urls = files.map { URL(fileURLWithPath: $0) }
        var failed = false
        for (file, result) in zip(files, FileDigest.results(of: urls, algorithms: [algorithm.value])) {
            switch result {
            case .success(let digests):
                print("\(digests[algorithm.value]!)  \(file)")
            case .failure(let error):
                FileHandle.standardError.write(Data("lantai digest: \(file): \(error)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

struct DigestAlgorithmArgument: ExpressibleByArgument {
    var value: DigestAlgorithm
    init(_ value: DigestAlgorithm) { self.value = value }
    init?(argument: String) {
        guard let a = DigestAlgorithm(name: argument) else { return nil }
        value = a
    }
    static var allValueStrings: [String] { DigestAlgorithm.allCases.map(\.rawValue) }
    var defaultValueDescription: String { value.rawValue }
}

struct BagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bag", abstract: "BagIt 包 / BagIt bags (RFC 8493).", subcommands: [Validate.self])

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "校验 BagIt 包 / Validate a bag: exit 0 when valid, 1 with every reason when not.")
        @Argument(help: "The bag directory") var directory: String
        @Flag(help: "Check only completeness and Payload-Oxum, not digests (like bagit.py --fast).") var fast = false

        func run() throws {
            let report: BagReport
            do {
                report = try BagValidator.validate(directory: URL(fileURLWithPath: directory), options: .init(fast: fast))
            } catch {
                FileHandle.standardError.write(Data("lantai bag validate: \(error)\n".utf8))
                throw ExitCode(1)
            }
            print(report)
            if !report.isValid { throw ExitCode(1) }
        }
    }
}

struct OCFLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ocfl", abstract: "OCFL 1.1 对象与存储根 / OCFL objects and storage roots.", subcommands: [Validate.self])

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "校验 OCFL 对象或存储根 / Validate an OCFL object or storage root: exit 0 when valid (warnings printed), 1 with the specification's error codes.")
        @Argument(help: "An OCFL object or storage root") var path: String
        @Flag(help: "Skip recomputing content digests (structure only).") var noDigests = false

        func run() throws {
            guard FileManager.default.fileExists(atPath: path) else {
                FileHandle.standardError.write(Data("lantai ocfl validate: \(path): no such file or directory\n".utf8))
                throw ExitCode(1)
            }
            let report = OCFLValidator.validate(at: URL(fileURLWithPath: path), checkDigests: !noDigests)
            print(report)
            if !report.isValid { throw ExitCode(1) }
        }
    }
}
