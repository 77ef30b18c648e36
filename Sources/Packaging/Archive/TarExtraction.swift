import Foundation

/// Reads TAR archives: POSIX ustar, pax extended headers (`path`, `linkpath`, `size`), GNU
/// long names (`L`, `K`) and GNU base-256 sizes for files over 8 GiB.
///
/// A tar has no directory at the end, so entries are judged one by one as they are met; a
/// refusal half-way still leaves nothing behind because everything goes to the staging
/// directory. Headers are checksummed, every entry's data must be present in full, and the
/// archive must end with its end-of-archive block: a tar cut off at an entry boundary would
/// otherwise look complete.
///
/// Permissions, owners and times in the headers are not applied: files are written 0644 and
/// directories 0755, so no set-uid bit or unreadable directory arrives from outside.
enum TarExtraction {
    /// Largest pax extended header or GNU long name accepted; real ones are a few hundred bytes.
    static let maxMetadataSize: UInt64 = 1 << 20

    static func extract(_ run: ExtractionRun) throws {
        let size = run.input.size
        var offset: UInt64 = 0
        var pax: [String: [UInt8]] = [:]
        var longName: [UInt8]?
        var metadataPending = false

        while true {
            guard offset + 512 <= size else {
                throw ExtractionError.corrupt(entry: nil, reason: offset >= size
                    ? "the archive ends without its end-of-archive block (truncated?)"
                    : "the archive ends inside a header (truncated?)")
            }
            let h = try run.input.bytes(at: offset, count: 512, entry: nil)
            let headerOffset = offset
            offset += 512
            if h.allSatisfy({ $0 == 0 }) {
                if metadataPending {
                    throw ExtractionError.corrupt(entry: nil, reason: "an extended header is not followed by the entry it describes")
                }
                // End of archive. What follows (a second zero block, padding to the record
                // size) carries nothing.
                return
            }
            guard checksumMatches(h) else {
                throw ExtractionError.corrupt(entry: nil, reason: "header checksum mismatch at byte \(headerOffset)")
            }
            let type = h[156]
            guard let headerSize = number(h[124..<136]) else {
                throw ExtractionError.corrupt(entry: nil, reason: "unreadable size field at byte \(headerOffset)")
            }
            let dataOffset = offset

            // Metadata headers describe the next entry.
            switch type {
            case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K"):
                guard headerSize <= maxMetadataSize else {
                    throw ExtractionError.corrupt(entry: nil, reason: "an extended header of \(headerSize) bytes at byte \(headerOffset)")
                }
                let data = try run.input.bytes(at: dataOffset, count: Int(headerSize), entry: nil)
                offset = dataOffset + padded(headerSize)
                switch type {
                case UInt8(ascii: "x"):
                    for (k, v) in try paxRecords(data) {
                        if v.isEmpty { pax[k] = nil } else { pax[k] = v }
                    }
                    metadataPending = true
                case UInt8(ascii: "g"):
                    // Global headers carry defaults such as a comment or a charset; a global
                    // path would name every file alike and is ignored, as GNU tar does.
                    _ = try paxRecords(data)
                case UInt8(ascii: "L"):
                    longName = Array(data.prefix { $0 != 0 })
                    metadataPending = true
                default:
                    // 'K': the long target of a link, which is refused anyway.
                    metadataPending = true
                }
                continue
            case UInt8(ascii: "V"):
                // A volume label names the tape, not a file.
                guard headerSize <= size - dataOffset else {
                    throw ExtractionError.corrupt(entry: nil, reason: "the archive ends inside a volume label (truncated?)")
                }
                offset = dataOffset + padded(headerSize)
                continue
            default:
                break
            }

            // A real entry.
            let rawName: [UInt8]
            if let p = pax["path"] {
                rawName = p
            } else if let l = longName {
                rawName = l
            } else {
                let base = Array(h[0..<100].prefix { $0 != 0 })
                let prefix = Array(h[345..<500].prefix { $0 != 0 })
                // Only POSIX ustar ("ustar\0") has a prefix field; GNU ("ustar  ") keeps times there.
                let posix = Array(h[257..<263]) == Array("ustar\0".utf8)
                rawName = posix && !prefix.isEmpty ? prefix + [UInt8(ascii: "/")] + base : base
            }
            var entrySize = headerSize
            if let s = pax["size"] {
                guard let v = UInt64(String(decoding: s, as: UTF8.self)) else {
                    throw ExtractionError.corrupt(entry: nil, reason: "unreadable pax size at byte \(headerOffset)")
                }
                entrySize = v
            }
            let sparse = pax.keys.contains { $0.hasPrefix("GNU.sparse.") }
            pax.removeAll()
            longName = nil
            metadataPending = false

            let (name, encoding) = try run.names.decodeUTF8Name(rawName, flagged: false)
            try run.budget.countEntry()
            guard entrySize <= size - dataOffset else {
                throw ExtractionError.corrupt(entry: name, reason: "the archive ends inside this entry's data (truncated?)")
            }
            offset = dataOffset + padded(entrySize)
            let components = try ArchivePathRegistry.safeComponents(of: name, maxPathLength: run.limits.maxPathLength)

            var isDirectory = false
            switch type {
            case UInt8(ascii: "1"): throw ExtractionError.symlink(entry: name, kind: "hard link")
            case UInt8(ascii: "2"): throw ExtractionError.symlink(entry: name, kind: "symbolic link")
            case UInt8(ascii: "3"): throw ExtractionError.device(entry: name, kind: "character device")
            case UInt8(ascii: "4"): throw ExtractionError.device(entry: name, kind: "block device")
            case UInt8(ascii: "6"): throw ExtractionError.device(entry: name, kind: "FIFO")
            case UInt8(ascii: "5"), UInt8(ascii: "D"): isDirectory = true
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                // Pre-POSIX tars mark directories only by the trailing slash.
                isDirectory = rawName.last == UInt8(ascii: "/") && entrySize == 0
            case UInt8(ascii: "S"): throw ExtractionError.unsupportedEntryType(entry: name, type: "GNU sparse file")
            case UInt8(ascii: "M"): throw ExtractionError.unsupportedEntryType(entry: name, type: "multi-volume continuation")
            default:
                throw ExtractionError.unsupportedEntryType(entry: name, type: "tar type '\(String(UnicodeScalar(type)))'")
            }
            if sparse { throw ExtractionError.unsupportedEntryType(entry: name, type: "GNU sparse file (pax)") }

            let path = components.joined(separator: "/")
            if isDirectory {
                try run.registry.addDirectory(components, entry: name)
                try run.staging.ensureDirectory(components)
                run.entries.append(ExtractedEntry(
                    name: name, path: path, kind: .directory, size: 0, nameEncoding: encoding, crc32: nil))
                continue
            }
            try run.registry.addFile(components, entry: name)
            let after = run.budget.totalBytes + entrySize
            if after > run.limits.maxTotalBytes {
                throw ExtractionError.tooLarge(entry: name, bytes: after, limit: run.limits.maxTotalBytes)
            }
            let file = try run.staging.createTemporaryFile()
            var position = dataOffset
            var remaining = entrySize
            while remaining > 0 {
                let n = Int(min(remaining, UInt64(run.inBuffer.count)))
                let chunk = UnsafeMutableRawBufferPointer(rebasing: run.inBuffer[0..<n])
                try run.input.readFully(at: position, into: chunk, entry: name)
                try run.budget.add(n, entry: name)
                try file.write(UnsafeRawBufferPointer(chunk))
                position += UInt64(n)
                remaining -= UInt64(n)
            }
            try run.staging.commit(file, to: components)
            run.entries.append(ExtractedEntry(
                name: name, path: path, kind: .file, size: entrySize, nameEncoding: encoding, crc32: nil))
        }
    }

    static func padded(_ n: UInt64) -> UInt64 { (n + 511) / 512 * 512 }

    /// The header checksum: the byte sum with the checksum field read as spaces. Historic tars
    /// summed signed chars, so either sum is accepted.
    static func checksumMatches(_ h: [UInt8]) -> Bool {
        guard h.count == 512, let stored = number(h[148..<156]) else { return false }
        var unsigned: Int = 0
        var signed: Int = 0
        for (i, b) in h.enumerated() {
            let v = (148..<156).contains(i) ? UInt8(ascii: " ") : b
            unsigned += Int(v)
            signed += Int(Int8(bitPattern: v))
        }
        return UInt64(unsigned) == stored || Int(exactly: stored) == signed
    }

    /// A numeric header field: octal digits (padded with spaces or NULs), or GNU base-256
    /// (high bit of the first byte set) for values that do not fit, such as sizes ≥ 8 GiB.
    static func number(_ field: ArraySlice<UInt8>) -> UInt64? {
        guard let first = field.first else { return nil }
        if first & 0x80 != 0 {
            if first == 0xFF { return nil }  // negative
            var v = UInt64(first & 0x7F)
            for b in field.dropFirst() {
                guard v >> 56 == 0 else { return nil }
                v = v << 8 | UInt64(b)
            }
            return v
        }
        var v: UInt64 = 0
        var digits = 0
        var ended = false
        for b in field {
            if b == 0 || b == UInt8(ascii: " ") {
                if digits > 0 { ended = true }
                continue
            }
            guard !ended, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "7"), v >> 60 == 0 else { return nil }
            v = v << 3 | UInt64(b - UInt8(ascii: "0"))
            digits += 1
        }
        return digits > 0 ? v : nil
    }

    /// pax records: `"%d %s=%s\n"`, the length counting the whole record.
    static func paxRecords(_ data: [UInt8]) throws -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = []
        var p = 0
        func bad() -> ExtractionError { .corrupt(entry: nil, reason: "malformed pax extended header") }
        while p < data.count {
            if data[p] == 0 { break }
            var q = p
            var length = 0
            while q < data.count, data[q] >= 0x30, data[q] <= 0x39 {
                length = length * 10 + Int(data[q] - 0x30)
                guard length <= data.count else { throw bad() }
                q += 1
            }
            guard q < data.count, data[q] == 0x20, length > q - p + 1, p + length <= data.count,
                  data[p + length - 1] == 0x0A else { throw bad() }
            let record = data[(q + 1)..<(p + length - 1)]
            guard let eq = record.firstIndex(of: 0x3D) else { throw bad() }
            out.append((String(decoding: record[..<eq], as: UTF8.self), Array(record[(eq + 1)...])))
            p += length
        }
        return out
    }
}
