import Foundation

/// Writes a directory as a POSIX (pax) tar, streaming file by file: how `lantai transfer submit`
/// sends a bag directory through the same path as an uploaded package. Names go in pax
/// `path` records (UTF-8, any length), so Chinese file names survive exactly; links, devices and
/// anything but regular files and directories are refused, as the extractor would refuse them.
public enum TarWriter {
    public enum Failure: Error, CustomStringConvertible {
        case unsupported(path: String, kind: String)
        case io(path: String, message: String)

        public var description: String {
            switch self {
            case .unsupported(let path, let kind): "\(path): \(kind) cannot go into a transfer package"
            case .io(let path, let message): "\(path): \(message)"
            }
        }
    }

    /// Writes `directory`'s contents (not the directory itself) to `output`.
    public static func write(directory: URL, to output: URL) throws {
        guard FileManager.default.createFile(atPath: output.path, contents: nil) else {
            throw Failure.io(path: output.path, message: "cannot create")
        }
        let out = try FileHandle(forWritingTo: output)
        defer { try? out.close() }
        let base = directory.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: base) else {
            throw Failure.io(path: base, message: "cannot list")
        }
        var paths: [String] = []
        while let p = walker.nextObject() as? String { paths.append(p) }
        for relative in paths.sorted() {
            let full = base + "/" + relative
            let attrs = try FileManager.default.attributesOfItem(atPath: full)
            let type = attrs[.type] as? FileAttributeType
            switch type {
            case .typeDirectory:
                try writeEntry(name: relative + "/", size: 0, typeflag: UInt8(ascii: "5"), to: out)
            case .typeRegular:
                let size = (attrs[.size] as? NSNumber)?.uint64Value ?? 0
                try writeEntry(name: relative, size: size, typeflag: UInt8(ascii: "0"), to: out)
                guard let input = FileHandle(forReadingAtPath: full) else { throw Failure.io(path: full, message: "cannot read") }
                defer { try? input.close() }
                var written: UInt64 = 0
                while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                    try out.write(contentsOf: chunk)
                    written += UInt64(chunk.count)
                }
                guard written == size else { throw Failure.io(path: full, message: "changed while being packed") }
                try pad(size, out)
            default:
                throw Failure.unsupported(path: relative, kind: type.map { "\($0.rawValue)" } ?? "unknown file type")
            }
        }
        try out.write(contentsOf: Data(count: 1024))  // two zero blocks end the archive
    }

    static func writeEntry(name: String, size: UInt64, typeflag: UInt8, to out: FileHandle) throws {
        let nameBytes = Array(name.utf8)
        if nameBytes.count > 99 || nameBytes.contains(where: { $0 >= 0x80 }) {
            // pax record "LEN path=NAME\n", where LEN counts itself.
            let body = " path=" + name + "\n"
            var length = body.utf8.count + 1
            while String(length).utf8.count + body.utf8.count != length { length += 1 }
            let record = Data((String(length) + body).utf8)
            try out.write(contentsOf: header(name: "PaxHeaders/entry", size: UInt64(record.count), typeflag: UInt8(ascii: "x")))
            try out.write(contentsOf: record)
            try pad(UInt64(record.count), out)
        }
        let shortName = nameBytes.count <= 99 && !nameBytes.contains(where: { $0 >= 0x80 }) ? name : "entry"
        try out.write(contentsOf: header(name: shortName, size: size, typeflag: typeflag))
    }

    static func header(name: String, size: UInt64, typeflag: UInt8) -> Data {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ s: String, _ offset: Int, _ width: Int) {
            for (i, b) in s.utf8.prefix(width).enumerated() { h[offset + i] = b }
        }
        // Zero-padded octal filling width-1 bytes, then NUL.
        func octal(_ v: UInt64, _ offset: Int, _ width: Int) {
            let digits = String(v, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, offset, width - 1)
        }
        put(name, 0, 100)
        octal(typeflag == UInt8(ascii: "5") ? 0o755 : 0o644, 100, 8)
        octal(0, 108, 8)
        octal(0, 116, 8)
        octal(size, 124, 12)
        octal(UInt64(Date().timeIntervalSince1970), 136, 12)
        for i in 148..<156 { h[i] = 0x20 }
        h[156] = typeflag
        put("ustar", 257, 6)
        put("00", 263, 2)
        let sum = h.reduce(0) { $0 + UInt64($1) }
        octal(sum, 148, 7)
        h[154] = 0
        h[155] = 0x20
        return Data(h)
    }

    static func pad(_ size: UInt64, _ out: FileHandle) throws {
        let r = Int(size % 512)
        if r != 0 { try out.write(contentsOf: Data(count: 512 - r)) }
    }
}
