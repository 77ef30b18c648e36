import CZlib
import Foundation

/// Reads ZIP archives (PKWARE APPNOTE 6.3.x), ZIP64 included.
///
/// The central directory at the end of the file is the authority: it is read first, every
/// entry is judged from it (name, type, encryption, method, declared sizes, overlaps), and only
/// an archive whose every entry passes is extracted. Local headers are then read just to find
/// each entry's data, and must repeat the central directory's name — two different names for
/// one entry is the classic way to show one tool one file and another tool another.
enum ZipExtraction {
    static let localHeaderSignature: UInt32 = 0x0403_4B50
    static let centralHeaderSignature: UInt32 = 0x0201_4B50
    static let zip64EndSignature: UInt32 = 0x0606_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50

    struct Entry {
        var name: String
        var rawName: [UInt8]
        var encoding: ArchiveNameEncoding
        var components: [String]
        var isDirectory: Bool
        var method: UInt16
        var crc: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        var localHeaderOffset: UInt64
    }

    /// Where the central directory is, from the end-of-central-directory record (and its ZIP64
    /// twin when present).
    struct Directory {
        var start: UInt64
        var end: UInt64
        var count: UInt64
        var zip64: Bool
        /// Bytes prepended to the archive (a self-extractor stub): stored offsets count from
        /// the start of the zip data, not of the file.
        var prefix: UInt64
    }

    static func extract(_ run: ExtractionRun) throws {
        let directory = try locateDirectory(run.input)
        // Extracted in the order the data lies in the file: one forward pass over the disk.
        let entries = try readDirectory(directory, run).sorted { $0.localHeaderOffset < $1.localHeaderOffset }
        try checkTotals(entries, run: run)
        let inflater = try RawInflater()
        for (i, entry) in entries.enumerated() {
            let limit = i + 1 < entries.count ? entries[i + 1].localHeaderOffset : directory.start
            try extractEntry(entry, dataLimit: limit, inflater: inflater, run)
        }
    }

    // MARK: - End of central directory

    /// The end record is found by scanning back from the end of the file (it may be followed by
    /// a comment of up to 65,535 bytes). A comment can itself contain the signature, so each
    /// candidate is tried, nearest the end first, until one leads to a real central directory.
    static func locateDirectory(_ input: ArchiveInput) throws -> Directory {
        let size = input.size
        guard size >= 22 else { throw ExtractionError.corrupt(entry: nil, reason: "too short to be a ZIP archive (no end of central directory record)") }
        let tailLength = Int(min(size, 22 + 0xFFFF))
        let tailStart = size - UInt64(tailLength)
        let tail = try input.bytes(at: tailStart, count: tailLength, entry: nil)
        var firstFailure: ExtractionError?
        var i = tailLength - 22
        while i >= 0 {
            defer { i -= 1 }
            guard tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 5, tail[i + 3] == 6,
                  i + 22 + Int(ArchiveBytes.u16(tail, i + 20)) <= tailLength else { continue }
            do {
                let directory = try directoryFromEndRecord(tail, at: i, endOffset: tailStart + UInt64(i), input)
                if directory.start == directory.end && directory.count == 0 && directory.prefix == 0 { return directory }
                let signature = try input.bytes(at: directory.start, count: 4, entry: nil)
                if ArchiveBytes.u32(signature, 0) == centralHeaderSignature { return directory }
                firstFailure = firstFailure ?? .corrupt(entry: nil, reason: "no central directory where the end record says (truncated archive?)")
            } catch let error as ExtractionError {
                firstFailure = firstFailure ?? error
            }
        }
        throw firstFailure ?? ExtractionError.corrupt(entry: nil, reason: "no end of central directory record: the archive is truncated or not a ZIP")
    }

    static func directoryFromEndRecord(_ tail: [UInt8], at e: Int, endOffset: UInt64, _ input: ArchiveInput) throws -> Directory {
        var disk = UInt32(ArchiveBytes.u16(tail, e + 4))
        var directoryDisk = UInt32(ArchiveBytes.u16(tail, e + 6))
        var count = UInt64(ArchiveBytes.u16(tail, e + 10))
        var directorySize = UInt64(ArchiveBytes.u32(tail, e + 12))
        var directoryOffset = UInt64(ArchiveBytes.u32(tail, e + 16))
        var directoryEnd = endOffset
        var zip64 = false

        if endOffset >= 20 {
            let locator = try input.bytes(at: endOffset - 20, count: 20, entry: nil)
            if ArchiveBytes.u32(locator, 0) == zip64LocatorSignature {
                let recordOffset = ArchiveBytes.u64(locator, 8)
                guard recordOffset <= endOffset - 20, endOffset - 20 - recordOffset >= 56 else {
                    throw ExtractionError.corrupt(entry: nil, reason: "the ZIP64 end of central directory locator points outside the archive")
                }
                let record = try input.bytes(at: recordOffset, count: 56, entry: nil)
                guard ArchiveBytes.u32(record, 0) == zip64EndSignature else {
                    throw ExtractionError.corrupt(entry: nil, reason: "no ZIP64 end of central directory record where the locator says")
                }
                zip64 = true
                disk = ArchiveBytes.u32(record, 16)
                directoryDisk = ArchiveBytes.u32(record, 20)
                count = ArchiveBytes.u64(record, 32)
                directorySize = ArchiveBytes.u64(record, 40)
                directoryOffset = ArchiveBytes.u64(record, 48)
                directoryEnd = recordOffset
            }
        }
        guard disk == 0, directoryDisk == 0 else {
            throw ExtractionError.corrupt(entry: nil, reason: "split (multi-volume) ZIP archives are not supported")
        }
        guard directorySize <= directoryEnd else {
            throw ExtractionError.corrupt(entry: nil, reason: "the central directory is larger than the archive")
        }
        let start = directoryEnd - directorySize
        guard directoryOffset <= start else {
            throw ExtractionError.corrupt(entry: nil, reason: "the central directory offset points past the central directory (truncated archive?)")
        }
        return Directory(start: start, end: directoryEnd, count: count, zip64: zip64, prefix: start - directoryOffset)
    }

    // MARK: - Central directory

    static func readDirectory(_ directory: Directory, _ run: ExtractionRun) throws -> [Entry] {
        // A declared count over the limit is refused before anything is parsed; the real
        // count is enforced again entry by entry, since the declared one may lie.
        if directory.zip64, directory.count > UInt64(run.limits.maxEntries) {
            throw ExtractionError.tooManyEntries(limit: run.limits.maxEntries)
        }
        var cursor = ArchiveCursor(input: run.input, start: directory.start, end: directory.end)
        var entries: [Entry] = []
        while !cursor.atEnd {
            let h = try cursor.read(46)
            guard ArchiveBytes.u32(h, 0) == centralHeaderSignature else {
                throw ExtractionError.corrupt(entry: nil, reason: "bad central directory header signature at byte \(cursor.position - 46)")
            }
            let flags = ArchiveBytes.u16(h, 8)
            let method = ArchiveBytes.u16(h, 10)
            let crc = ArchiveBytes.u32(h, 16)
            var compressed = UInt64(ArchiveBytes.u32(h, 20))
            var uncompressed = UInt64(ArchiveBytes.u32(h, 24))
            let nameLength = Int(ArchiveBytes.u16(h, 28))
            let extraLength = Int(ArchiveBytes.u16(h, 30))
            let commentLength = Int(ArchiveBytes.u16(h, 32))
            var diskStart = UInt32(ArchiveBytes.u16(h, 34))
            let externalAttributes = ArchiveBytes.u32(h, 38)
            var offset = UInt64(ArchiveBytes.u32(h, 42))
            let rawName = try cursor.read(nameLength)
            let extra = try cursor.read(extraLength)
            _ = try cursor.read(commentLength)

            try run.budget.countEntry()
            let fields = extraFields(extra)
            let (name, encoding) = try decodeName(rawName, flags: flags, fields: fields, run.names)

            if uncompressed == 0xFFFF_FFFF || compressed == 0xFFFF_FFFF || offset == 0xFFFF_FFFF || diskStart == 0xFFFF {
                // ZIP64 extended information: only the saturated fields are present, in this order.
                guard let z = fields[0x0001] else {
                    throw ExtractionError.corrupt(entry: name, reason: "sizes need the ZIP64 extra field, which is missing")
                }
                var p = 0
                func next64() throws -> UInt64 {
                    guard p + 8 <= z.count else { throw ExtractionError.corrupt(entry: name, reason: "the ZIP64 extra field is too short") }
                    defer { p += 8 }
                    return ArchiveBytes.u64(z, p)
                }
                if uncompressed == 0xFFFF_FFFF { uncompressed = try next64() }
                if compressed == 0xFFFF_FFFF { compressed = try next64() }
                if offset == 0xFFFF_FFFF { offset = try next64() }
                if diskStart == 0xFFFF {
                    guard p + 4 <= z.count else { throw ExtractionError.corrupt(entry: name, reason: "the ZIP64 extra field is too short") }
                    diskStart = ArchiveBytes.u32(z, p)
                }
            }
            guard diskStart == 0 else {
                throw ExtractionError.corrupt(entry: name, reason: "split (multi-volume) ZIP archives are not supported")
            }

            // 1. Where would it go?
            let components = try ArchivePathRegistry.safeComponents(of: name, maxPathLength: run.limits.maxPathLength)
            // 2. What is it? Unix file types live in the top 16 bits of the external attributes
            //    (Info-ZIP, and 7-Zip even on Windows); MS-DOS attribute 0x10 marks a directory.
            let mode = externalAttributes >> 16
            var isDirectory = name.hasSuffix("/") || name.hasSuffix("\\")
            switch mode & 0o170000 {
            case 0o120000: throw ExtractionError.symlink(entry: name, kind: "symbolic link")
            case 0o020000: throw ExtractionError.device(entry: name, kind: "character device")
            case 0o060000: throw ExtractionError.device(entry: name, kind: "block device")
            case 0o010000: throw ExtractionError.device(entry: name, kind: "FIFO")
            case 0o140000: throw ExtractionError.device(entry: name, kind: "socket")
            case 0o040000: isDirectory = true
            default: if externalAttributes & 0x10 != 0, mode == 0 { isDirectory = true }
            }
            if isDirectory && uncompressed > 0 {
                throw ExtractionError.corrupt(entry: name, reason: "a directory entry that holds \(uncompressed) bytes of content")
            }
            if components.isEmpty && !isDirectory {
                throw ExtractionError.unsafePath(entry: name, reason: "a file cannot be the root")
            }
            // 3. Can it be read? Bit 0: encrypted; bit 6: strong encryption; bit 13: masked
            //    local headers (central directory encryption); method 99: WinZip AES.
            if flags & 0x0001 != 0 || flags & 0x0040 != 0 || flags & 0x2000 != 0 || method == 99 {
                throw ExtractionError.encrypted(entry: name)
            }
            if !isDirectory {
                guard method == 0 || method == 8 else {
                    throw ExtractionError.unsupportedCompression(entry: name, method: method)
                }
                if method == 0 && compressed != uncompressed {
                    throw ExtractionError.corrupt(entry: name, reason: "a stored entry whose compressed size \(compressed) differs from its size \(uncompressed)")
                }
                // 4. How big does it say it is?
                if uncompressed > run.limits.ratioGraceBytes && uncompressed > run.limits.ratioCeiling(forCompressed: compressed) {
                    throw ExtractionError.bomb(entry: name, reason: "declares \(uncompressed) bytes from \(compressed) compressed, more than \(run.limits.maxCompressionRatio) times")
                }
                if uncompressed > run.limits.maxTotalBytes {
                    throw ExtractionError.tooLarge(entry: name, bytes: uncompressed, limit: run.limits.maxTotalBytes)
                }
            }
            // 5. Is the name taken?
            if isDirectory {
                try run.registry.addDirectory(components, entry: name)
            } else {
                try run.registry.addFile(components, entry: name)
            }
            // Checked without ever adding untrusted 64-bit values, which could overflow.
            guard offset <= directory.start - directory.prefix,
                  directory.start - (offset + directory.prefix) >= 30,
                  directory.start - (offset + directory.prefix) - 30 >= compressed else {
                throw ExtractionError.corrupt(entry: name, reason: "its data would run into the central directory")
            }
            let absolute = offset + directory.prefix
            entries.append(Entry(
                name: name, rawName: rawName, encoding: encoding, components: components,
                isDirectory: isDirectory, method: method, crc: crc, compressedSize: compressed,
                uncompressedSize: isDirectory ? 0 : uncompressed, localHeaderOffset: absolute))
        }
        let declared = directory.count
        let counted = UInt64(entries.count)
        // Writers without ZIP64 let the 16-bit count wrap past 65,535 entries; accept that.
        if directory.zip64 ? counted != declared : counted & 0xFFFF != declared & 0xFFFF {
            throw ExtractionError.corrupt(entry: nil, reason: "the central directory holds \(counted) entries, its end record says \(declared)")
        }
        return entries
    }

    /// Whole-archive checks before any byte is written: honest totals over the limits, and
    /// entries that share compressed data (the overlapping-file bomb, where thousands of
    /// central directory entries point at one compressed kernel).
    /// `entries` are sorted by local header offset.
    static func checkTotals(_ entries: [Entry], run: ExtractionRun) throws {
        var total: UInt64 = 0
        for e in entries {
            let (sum, overflow) = total.addingReportingOverflow(e.uncompressedSize)
            total = overflow ? .max : sum
            if total > run.limits.maxTotalBytes {
                throw ExtractionError.tooLarge(entry: nil, bytes: total, limit: run.limits.maxTotalBytes)
            }
        }
        if total > run.limits.ratioGraceBytes && total > run.limits.ratioCeiling(forCompressed: run.input.size) {
            throw ExtractionError.bomb(entry: nil, reason: "declares \(total) bytes of content in a \(run.input.size)-byte archive, more than \(run.limits.maxCompressionRatio) times")
        }
        for (a, b) in zip(entries, entries.dropFirst()) where a.localHeaderOffset + 30 + a.compressedSize > b.localHeaderOffset {
            throw ExtractionError.bomb(entry: b.name, reason: "its data overlaps the entry \(a.name)")
        }
    }

    static func extraFields(_ extra: [UInt8]) -> [UInt16: [UInt8]] {
        var fields: [UInt16: [UInt8]] = [:]
        var p = 0
        while p + 4 <= extra.count {
            let id = ArchiveBytes.u16(extra, p)
            let length = Int(ArchiveBytes.u16(extra, p + 2))
            guard p + 4 + length <= extra.count else { break }
            if fields[id] == nil { fields[id] = Array(extra[(p + 4)..<(p + 4 + length)]) }
            p += 4 + length
        }
        return fields
    }

    /// Bit 11 → UTF-8. Else an Info-ZIP Unicode Path field (0x7075) whose CRC-32 matches the
    /// header name — a mismatch means a later tool renamed the entry without updating the
    /// field, and the header name wins. Else the legacy rule (GB18030 first).
    static func decodeName(
        _ raw: [UInt8], flags: UInt16, fields: [UInt16: [UInt8]], _ names: ArchiveNameDecoder
    ) throws -> (String, ArchiveNameEncoding) {
        if flags & 0x0800 != 0 { return try names.decodeUTF8Name(raw, flagged: true) }
        if let up = fields[0x7075], up.count > 5, up[0] == 1,
           ArchiveBytes.u32(up, 1) == crc32Of(raw),
           let s = ArchiveNameDecoder.utf8(Array(up[5...])) {
            return (s, .unicodePathExtra)
        }
        return try names.decodeLegacyZipName(raw)
    }

    static func crc32Of(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    // MARK: - Entry data

    static func extractEntry(_ entry: Entry, dataLimit: UInt64, inflater: RawInflater, _ run: ExtractionRun) throws {
        let header = try run.input.bytes(at: entry.localHeaderOffset, count: 30, entry: entry.name)
        guard ArchiveBytes.u32(header, 0) == localHeaderSignature else {
            throw ExtractionError.corrupt(entry: entry.name, reason: "no local header where the central directory says")
        }
        let nameLength = UInt64(ArchiveBytes.u16(header, 26))
        let extraLength = UInt64(ArchiveBytes.u16(header, 28))
        let localName = try run.input.bytes(at: entry.localHeaderOffset + 30, count: Int(nameLength), entry: entry.name)
        guard localName == entry.rawName else {
            throw ExtractionError.corrupt(entry: entry.name, reason: "its local header names it differently from the central directory")
        }
        let dataStart = entry.localHeaderOffset + 30 + nameLength + extraLength
        guard dataStart + entry.compressedSize <= dataLimit else {
            throw ExtractionError.bomb(entry: entry.name, reason: "its data overlaps the next entry or the central directory")
        }
        let path = entry.components.joined(separator: "/")
        if entry.isDirectory {
            try run.staging.ensureDirectory(entry.components)
            run.entries.append(ExtractedEntry(
                name: entry.name, path: path, kind: .directory, size: 0, nameEncoding: entry.encoding, crc32: nil))
            return
        }

        let file = try run.staging.createTemporaryFile()
        var crc = crc32(0, nil, 0)
        var produced: UInt64 = 0
        let entryCeiling = run.limits.ratioCeiling(forCompressed: entry.compressedSize)
        // Every chunk passes here before it is written: sizes are enforced on what actually
        // comes out, so headers that understate the content stop the extraction at once.
        func emit(_ chunk: UnsafeRawBufferPointer) throws {
            produced += UInt64(chunk.count)
            if produced > entry.uncompressedSize {
                throw ExtractionError.bomb(entry: entry.name, reason: "expands past the \(entry.uncompressedSize) bytes its header declares")
            }
            if produced > run.limits.ratioGraceBytes && produced > entryCeiling {
                throw ExtractionError.bomb(entry: entry.name, reason: "expands more than \(run.limits.maxCompressionRatio) times its \(entry.compressedSize) compressed bytes")
            }
            try run.budget.add(chunk.count, entry: entry.name)
            crc = crc32(crc, chunk.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(chunk.count))
            try file.write(chunk)
        }

        var position = dataStart
        var remaining = entry.compressedSize
        /// The next slice of compressed data, into the input buffer.
        func readCompressed() throws -> UnsafeMutableRawBufferPointer {
            let n = Int(min(remaining, UInt64(run.inBuffer.count)))
            let chunk = UnsafeMutableRawBufferPointer(rebasing: run.inBuffer[0..<n])
            try run.input.readFully(at: position, into: chunk, entry: entry.name)
            position += UInt64(n)
            remaining -= UInt64(n)
            return chunk
        }

        if entry.method == 0 {
            while remaining > 0 { try emit(UnsafeRawBufferPointer(try readCompressed())) }
        } else {
            let s = inflater.reset()
            var finished = false
            while !finished {
                if s.pointee.avail_in == 0 && remaining > 0 {
                    let chunk = try readCompressed()
                    s.pointee.next_in = chunk.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    s.pointee.avail_in = uInt(chunk.count)
                }
                s.pointee.next_out = run.outBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                s.pointee.avail_out = uInt(run.outBuffer.count)
                let rc = inflate(s, Z_NO_FLUSH)
                let n = run.outBuffer.count - Int(s.pointee.avail_out)
                if n > 0 { try emit(UnsafeRawBufferPointer(rebasing: run.outBuffer[0..<n])) }
                switch rc {
                case Z_STREAM_END:
                    finished = true
                case Z_OK:
                    continue
                case Z_BUF_ERROR where s.pointee.avail_in == 0 && remaining > 0:
                    continue
                case Z_BUF_ERROR:
                    throw ExtractionError.corrupt(entry: entry.name, reason: "the compressed data ends before the deflate stream does (truncated?)")
                default:
                    let message = s.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                    throw ExtractionError.corrupt(entry: entry.name, reason: "invalid deflate data: \(message)")
                }
            }
            if remaining > 0 || s.pointee.avail_in > 0 {
                throw ExtractionError.corrupt(entry: entry.name, reason: "compressed data continues after the end of the deflate stream")
            }
        }
        if produced != entry.uncompressedSize {
            throw ExtractionError.corrupt(entry: entry.name, reason: "holds \(produced) bytes, its header declares \(entry.uncompressedSize)")
        }
        let actual = UInt32(truncatingIfNeeded: crc)
        if actual != entry.crc {
            throw ExtractionError.crcMismatch(entry: entry.name, expected: entry.crc, actual: actual)
        }
        try run.staging.commit(file, to: entry.components)
        run.entries.append(ExtractedEntry(
            name: entry.name, path: path, kind: .file, size: produced, nameEncoding: entry.encoding, crc32: actual))
    }
}

/// A raw-deflate (windowBits −15, no zlib header: ZIP stores bare deflate streams) inflater,
/// made once per extraction and reset between entries. The z_stream lives at a fixed address
/// because zlib keeps a pointer back to it and checks it on every call.
final class RawInflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init() throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = inflateInit2_(stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw ExtractionError.io(operation: "cannot initialise zlib (\(rc))", path: "", errno: ENOMEM)
        }
    }

    /// Ready for a new entry; returns the stream to drive.
    func reset() -> UnsafeMutablePointer<z_stream> {
        inflateReset(stream)
        stream.pointee.avail_in = 0
        return stream
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }
}
