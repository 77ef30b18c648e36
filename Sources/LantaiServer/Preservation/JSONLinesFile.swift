import Foundation
import Packaging

/// A JSON Lines file of a description object, copied out of storage (digest-checked on the way)
/// into a local scratch file, then read a line at a time: the rebuild inserts rows between
/// reads, which the storage's synchronous streaming callback cannot wait for.
/// (`@unchecked Sendable`: made on the thread pool, then used by one task alone.)
final class JSONLinesFile: @unchecked Sendable {
    let url: URL
    private var handle: FileHandle?
    private var buffer = Data()
    /// Where the unread part of `buffer` starts.
    private var cursor = 0
    private var atEnd = false

    /// Copies `logicalPath` of the object's head into a scratch file. Throws (removing the copy)
    /// when the content does not match its SHA-512: a damaged file is never half-read.
    static func copy(_ logicalPath: String, of object: OCFLObject) throws -> JSONLinesFile {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lantai-rebuild-\(UUID().uuidString).jsonl")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CatalogueRows.Corrupt(description: "cannot create \(url.path)")
        }
        do {
            let out = try FileHandle(forWritingTo: url)
            defer { try? out.close() }
            try object.read(logicalPath: logicalPath, verify: true) { try out.write(contentsOf: $0) }
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
        return try JSONLinesFile(url: url)
    }

    init(url: URL) throws {
        self.url = url
        handle = try FileHandle(forReadingFrom: url)
    }

    /// The next non-empty line without its newline, or nil at the end.
    func nextLine() throws -> Data? {
        while true {
            if let newline = buffer[cursor...].firstIndex(of: 0x0A) {
                let line = buffer[cursor..<newline]
                cursor = newline + 1
                if line.isEmpty { continue }
                return Data(line)
            }
            if atEnd {
                guard cursor < buffer.endIndex else { return nil }
                defer { cursor = buffer.endIndex }
                return Data(buffer[cursor...])
            }
            // Keep only the unread tail, once per chunk rather than once per line.
            buffer = Data(buffer[cursor...])
            cursor = buffer.startIndex
            if let chunk = try handle?.read(upToCount: 1 << 20), !chunk.isEmpty {
                buffer.append(chunk)
            } else {
                atEnd = true
            }
        }
    }

    /// Closes and deletes the scratch copy.
    func discard() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(at: url)
    }
}
