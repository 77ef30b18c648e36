import Foundation

/// The record of a finished `lantai storage migrate` of the primary: `<data dir>/storage-switch.json`.
///
/// Why a file in the data directory and not only a message to the operator: the node keeps
/// serving while it migrates, so the moment of the switch is the migration's, not the next
/// restart's. Every instance of a node shares the data directory (transfers are unpacked
/// there), every opening of the primary reads this small file (``NodeStorage/primarySpec(_:)``),
/// and configuration honours it at start-up — but only while `LANTAI_STORAGE_URL` still names
/// the place migrated *from*. Once the operator sets `LANTAI_STORAGE_URL` to the new place (the
/// migration says to), or to anything else, the environment wins again and the file is history.
/// Written atomically (temporary file, then rename).
public struct StorageSwitch: Codable, Sendable, Equatable {
    public static let fileName = "storage-switch.json"

    /// The location URL migrated from and to, as given.
    public var from: String
    public var to: String
    /// `from`'s identity (see ``StorageLocationSpec/identity``), compared with the configured primary.
    public var fromIdentity: String
    public var at: String
    public var objects: Int
    public var files: Int
    public var bytes: Int64

    static func url(dataDirectory: String) -> URL {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent(fileName)
    }

    static func load(dataDirectory: String) -> StorageSwitch? {
        guard let data = try? Data(contentsOf: url(dataDirectory: dataDirectory)) else { return nil }
        return try? JSONDecoder().decode(StorageSwitch.self, from: data)
    }

    /// Whether this switch replaces `configured` (the primary the environment names).
    func applies(to configured: StorageLocationSpec) -> Bool {
        configured.identity == fromIdentity
    }

    func save(dataDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        try (encoder.encode(self) + Data([0x0A])).write(to: Self.url(dataDirectory: dataDirectory), options: .atomic)
    }
}
