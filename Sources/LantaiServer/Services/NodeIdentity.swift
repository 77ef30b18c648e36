import Crypto
import Foundation

/// The node's signing key (Ed25519). Receipts and, later, certificates are signed with it so
/// that an agency, another node or a citizen can check them against the node's public key.
/// Created once, on first use, and kept in the data directory readable by its owner only.
struct NodeIdentity: Sendable {
    let privateKey: Curve25519.Signing.PrivateKey

    var publicKeyBase64: String { privateKey.publicKey.rawRepresentation.base64EncodedString() }

    static func load(dataDirectory: String) throws -> NodeIdentity {
        let dir = URL(fileURLWithPath: dataDirectory).appendingPathComponent("keys")
        let file = dir.appendingPathComponent("node-ed25519.key")
        if let raw = FileManager.default.contents(atPath: file.path) {
            return NodeIdentity(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: raw))
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let key = Curve25519.Signing.PrivateKey()
        let temp = dir.appendingPathComponent(".node-ed25519.key.\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temp.path, contents: key.rawRepresentation,
                                             attributes: [.posixPermissions: 0o600]) else {
            throw LantaiError(.internalServerError, code: "internal", zh: "无法写入节点密钥", en: "cannot write the node key")
        }
        // link(2) fails if another process created the key meanwhile: then use theirs.
        if link(temp.path, file.path) != 0 {
            try? FileManager.default.removeItem(at: temp)
            return try load(dataDirectory: dataDirectory)
        }
        try? FileManager.default.removeItem(at: temp)
        return NodeIdentity(privateKey: key)
    }

    func sign(_ bytes: Data) throws -> String {
        try privateKey.signature(for: bytes).base64EncodedString()
    }
}

/// 移交接收单: what the archives received and accepted, signed by the node.
struct TransferReceipt: Codable, Sendable {
    struct Node: Codable, Sendable {
        var code: String
        var name: String
        var publicKey: String
    }
    struct Package: Codable, Sendable {
        var sha256: String
        var bytes: Int64
    }
    struct File: Codable, Sendable {
        var name: String
        var bytes: Int64
        var sha256: String
        var sm3: String
    }
    struct Record: Codable, Sendable {
        var archivalCode: String
        var title: String
        var objectId: String
        var files: [File]
    }
    struct Counts: Codable, Sendable {
        var records: Int
        var files: Int
        var bytes: Int64
    }

    var receipt: String
    var transferId: UUID
    var node: Node
    var agency: String
    var submittedBy: String
    var receivedAt: Date
    var acceptedBy: String
    var acceptedAt: Date
    var package: Package
    var records: [Record]
    var counts: Counts

    /// The exact bytes that are signed: sorted keys, ISO 8601 dates, no escaped slashes.
    func canonicalJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }
}
