import CZlib
import Foundation

/// Reads single named entries of a ZIP file into memory, for formats built on ZIP whose text
/// lives in a few XML parts (DOCX's `word/document.xml`, OFD's `OFD.xml` and page contents).
///
/// It shares the extractor's ZIP reading (the end record, ZIP64, name decoding, raw inflate) but
/// writes nothing to disk: an entry is inflated straight into a buffer that may not grow past
/// the caller's cap, so a 10 GB "document.xml" is refused after the cap, not after memory runs
/// out. CRC-32 and the declared size are checked as when extracting.
struct ZipEntryReader {
    struct Entry {
        var name: String
        var flags: UInt16
        var method: UInt16
        var crc: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        var localHeaderOffset: UInt64
    }

    let input: ArchiveInput
    /// Entries by name as the archive spells them (`/`-separated).
    private(set) var entries: [String: Entry] = [:]
    /// Lower-cased name → name, for parts whose case a producer did not keep (OPC part names
    /// are case-insensitive).
    private var folded: [String: String] = [:]
    private let directoryStart: UInt64

    init(url: URL, maxEntries: Int = 100_000) throws {
        input = try ArchiveInput(path: url.path)
        let directory = try ZipExtraction.locateDirectory(input)
        directoryStart = directory.start
        let names = ArchiveNameDecoder()
        var cursor = ArchiveCursor(input: input, start: directory.start, end: directory.end)
        while !cursor.atEnd {
            if entries.count >= maxEntries { throw ExtractionError.tooManyEntries(limit: maxEntries) }
            let h = try cursor.read(46)
            guard ArchiveBytes.u32(h, 0) == ZipExtraction.centralHeaderSignature else {
                throw ExtractionError.corrupt(entry: nil, reason: "bad central directory header signature")
            }
            let flags = ArchiveBytes.u16(h, 8)
            var entry = Entry(name: "", flags: flags, method: ArchiveBytes.u16(h, 10), crc: ArchiveBytes.u32(h, 16),
                              compressedSize: UInt64(ArchiveBytes.u32(h, 20)), uncompressedSize: UInt64(ArchiveBytes.u32(h, 24)),
                              localHeaderOffset: UInt64(ArchiveBytes.u32(h, 42)))
            let rawName = try cursor.read(Int(ArchiveBytes.u16(h, 28)))
            let fields = ZipExtraction.extraFields(try cursor.read(Int(ArchiveBytes.u16(h, 30))))
            _ = try cursor.read(Int(ArchiveBytes.u16(h, 32)))
            entry.name = try ZipExtraction.decodeName(rawName, flags: flags, fields: fields, names).0
                .replacingOccurrences(of: "\\", with: "/")
            if entry.uncompressedSize == 0xFFFF_FFFF || entry.compressedSize == 0xFFFF_FFFF || entry.localHeaderOffset == 0xFFFF_FFFF,
               let z = fields[0x0001] {
                // ZIP64: only the saturated fields are present, in this order.
                var p = 0
                func next() -> UInt64? {
                    guard p + 8 <= z.count else { return nil }
                    defer { p += 8 }
                    return ArchiveBytes.u64(z, p)
                }
                if entry.uncompressedSize == 0xFFFF_FFFF, let v = next() { entry.uncompressedSize = v }
                if entry.compressedSize == 0xFFFF_FFFF, let v = next() { entry.compressedSize = v }
                if entry.localHeaderOffset == 0xFFFF_FFFF, let v = next() { entry.localHeaderOffset = v }
            }
            entry.localHeaderOffset += directory.prefix
            if entries[entry.name] == nil {
                entries[entry.name] = entry
                folded[entry.name.lowercased()] = folded[entry.name.lowercased()] ?? entry.name
            }
        }
    }

    /// The entry called `name` (a leading `/` ignored; case ignored when no exact match).
    func entry(_ name: String) -> Entry? {
        var n = name.replacingOccurrences(of: "\\", with: "/")
        while n.hasPrefix("/") { n.removeFirst() }
        if let e = entries[n] { return e }
        return folded[n.lowercased()].flatMap { entries[$0] }
    }

    /// The content of entry `name`, or nil when there is none.
    ///
    /// - Throws: `ExtractionError.tooLarge` past `maxBytes`, `.encrypted`, `.unsupportedCompression`,
    ///   `.corrupt` and `.crcMismatch` as the extractor would.
    func read(_ name: String, maxBytes: Int) throws -> [UInt8]? {
        guard let e = entry(name) else { return nil }
        if e.flags & 0x0001 != 0 || e.flags & 0x0040 != 0 || e.method == 99 { throw ExtractionError.encrypted(entry: e.name) }
        guard e.method == 0 || e.method == 8 else { throw ExtractionError.unsupportedCompression(entry: e.name, method: e.method) }
        if e.uncompressedSize > UInt64(maxBytes) {
            throw ExtractionError.tooLarge(entry: e.name, bytes: e.uncompressedSize, limit: UInt64(maxBytes))
        }
        let header = try input.bytes(at: e.localHeaderOffset, count: 30, entry: e.name)
        guard ArchiveBytes.u32(header, 0) == ZipExtraction.localHeaderSignature else {
            throw ExtractionError.corrupt(entry: e.name, reason: "no local header where the central directory says")
        }
        let dataStart = e.localHeaderOffset + 30 + UInt64(ArchiveBytes.u16(header, 26)) + UInt64(ArchiveBytes.u16(header, 28))
        guard dataStart <= directoryStart, directoryStart - dataStart >= e.compressedSize else {
            throw ExtractionError.corrupt(entry: e.name, reason: "its data would run into the central directory")
        }
        var out: [UInt8] = []
        out.reserveCapacity(Int(e.uncompressedSize))
        func emit(_ chunk: UnsafeRawBufferPointer) throws {
            if out.count + chunk.count > maxBytes || UInt64(out.count + chunk.count) > e.uncompressedSize {
                throw ExtractionError.bomb(entry: e.name, reason: "expands past the \(min(UInt64(maxBytes), e.uncompressedSize)) bytes allowed")
            }
            out.append(contentsOf: chunk)
        }
        let chunkSize = 1 << 16
        let inBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        let outBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer {
            inBuffer.deallocate()
            outBuffer.deallocate()
        }
        var position = dataStart
        var remaining = e.compressedSize
        func readCompressed() throws -> UnsafeMutableRawBufferPointer {
            let n = Int(min(remaining, UInt64(chunkSize)))
            let chunk = UnsafeMutableRawBufferPointer(rebasing: inBuffer[0 ..< n])
            try input.readFully(at: position, into: chunk, entry: e.name)
            position += UInt64(n)
            remaining -= UInt64(n)
            return chunk
        }
        if e.method == 0 {
            while remaining > 0 { try emit(UnsafeRawBufferPointer(try readCompressed())) }
        } else {
            let inflater = try RawInflater()
            let s = inflater.reset()
            var finished = false
            while !finished {
                if s.pointee.avail_in == 0 && remaining > 0 {
                    let chunk = try readCompressed()
                    s.pointee.next_in = chunk.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    s.pointee.avail_in = uInt(chunk.count)
                }
                s.pointee.next_out = outBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                s.pointee.avail_out = uInt(chunkSize)
                let rc = inflate(s, Z_NO_FLUSH)
                let n = chunkSize - Int(s.pointee.avail_out)
                if n > 0 { try emit(UnsafeRawBufferPointer(rebasing: outBuffer[0 ..< n])) }
                switch rc {
                case Z_STREAM_END: finished = true
                case Z_OK: continue
                case Z_BUF_ERROR where s.pointee.avail_in == 0 && remaining > 0: continue
                case Z_BUF_ERROR:
                    throw ExtractionError.corrupt(entry: e.name, reason: "the compressed data ends before the deflate stream does (truncated?)")
                default:
                    throw ExtractionError.corrupt(entry: e.name, reason: "invalid deflate data (zlib \(rc))")
                }
            }
        }
        if UInt64(out.count) != e.uncompressedSize {
            throw ExtractionError.corrupt(entry: e.name, reason: "holds \(out.count) bytes, its header declares \(e.uncompressedSize)")
        }
        let crc = out.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: crc32(0, $0.baseAddress, uInt($0.count))) }
        if crc != e.crc { throw ExtractionError.crcMismatch(entry: e.name, expected: e.crc, actual: crc) }
        return out
    }
}
