import Foundation

// ZIP and the formats built on it (OFD, OOXML, ODF, EPUB, JAR), OLE2 compound files (the old
// Office formats and encrypted new ones), and the plain archive and compression formats.
extension FormatIdentifier {
    /// The central directory is read whole up to this size (about 400,000 entries); past it,
    /// only this much, with a warning.
    static let zipDirectoryLimit = 32 << 20

    struct ZipEntry {
        var name: String
        var flags: UInt16
        var method: UInt16
        var localHeaderOffset: UInt64
    }

    // MARK: ZIP

    static func identifyZIP(_ source: any FormatSource, _ head: FormatBytes) throws -> FormatIdentification? {
        let localHeader: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        let emptyArchive: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
        let spanned: [UInt8] = [0x50, 0x4B, 0x07, 0x08]
        guard head.has(localHeader, at: 0) || head.has(emptyArchive, at: 0) || head.has(spanned, at: 0) else {
            return nil
        }
        var flags: FormatIdentification.Flags = []
        var warnings: [String] = []

        var entries: [ZipEntry]
        if let directory = try readZipCentralDirectory(source) {
            entries = directory.entries
            warnings += directory.warnings
        } else {
            flags.insert(.truncated)
            warnings.append("no end-of-central-directory record: the ZIP file looks truncated; judged from the entries at its start")
            entries = zipLocalEntries(head)
        }

        // General purpose bit 0: the entry is encrypted (ZipCrypto, or AES with method 99).
        let encrypted = entries.filter { $0.flags & 0x0001 != 0 }
        if !encrypted.isEmpty {
            flags.formUnion([.encrypted, .passwordProtected])
            warnings.append("\(encrypted.count) of \(entries.count) entries are encrypted and need a password to read")
        }

        let names = Set(entries.map { $0.name.lowercased() })
        func result(_ puid: String?, _ mime: String, _ name: String, _ version: String? = nil) -> FormatIdentification {
            FormatIdentification(puid: puid, mime: mime, name: name, version: version, flags: flags, warnings: warnings)
        }

        // OFD (GB/T 33190-2016, 版式文档): a ZIP package whose root holds OFD.xml, the entry
        // point naming the documents. PRONOM has no OFD entry, so there is no PUID to give.
        if names.contains("ofd.xml") {
            return result(nil, "application/ofd", "OFD (Open Fixed-layout Document, GB/T 33190)")
        }
        // Office Open XML (ECMA-376 / ISO/IEC 29500): the main part's usual name tells which
        // application; PRONOM's container signatures look for the same parts.
        if names.contains("word/document.xml") {
            return result("fmt/412", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          "Microsoft Word for Windows", "2007 onwards")
        }
        if names.contains("xl/workbook.xml") {
            return result("fmt/214", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          "Microsoft Excel for Windows", "2007 onwards")
        }
        if names.contains("ppt/presentation.xml") {
            return result("fmt/215", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                          "Microsoft Powerpoint for Windows", "2007 onwards")
        }
        // ODF and EPUB put an uncompressed `mimetype` entry first.
        if let first = entries.min(by: { $0.localHeaderOffset < $1.localHeaderOffset }), first.name == "mimetype",
           let mimetype = try zipStoredText(source, entry: first) {
            if mimetype == "application/epub+zip" {
                return result("fmt/483", mimetype, "ePub format")
            }
            if mimetype.hasPrefix("application/vnd.oasis.opendocument.") {
                var r = result(nil, mimetype, "OpenDocument " + openDocumentKind(mimetype))
                // PRONOM distinguishes ODF 1.0/1.1/1.2 by the manifest's version attribute,
                // which sits in a compressed entry we do not inflate.
                r.warnings.append("OpenDocument version not determined (it is in the compressed manifest), so no PUID")
                return r
            }
        }
        if names.contains("meta-inf/manifest.mf") {
            return result("x-fmt/412", "application/java-archive", "Java Archive Format")
        }
        return result("x-fmt/263", "application/zip", "ZIP Format")
    }

    static func openDocumentKind(_ mimetype: String) -> String {
        let kind = mimetype.split(separator: ".").last.map(String.init) ?? ""
        switch kind {
        case "text": return "Text"
        case "spreadsheet": return "Spreadsheet"
        case "presentation": return "Presentation"
        case "graphics": return "Graphics"
        default: return kind.capitalized
        }
    }

    /// The entries of the central directory, found through the end-of-central-directory record
    /// (and its ZIP64 counterpart) at the end of the file. Nil when there is no such record.
    static func readZipCentralDirectory(_ source: any FormatSource) throws -> (entries: [ZipEntry], warnings: [String])? {
        // The EOCD record is 22 bytes plus a comment of up to 65,535.
        let (tailOffset, tail) = try source.tail(22 + 0xFFFF)
        let eocdSignature: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
        var at: Int? = nil
        var searchEnd = tail.count
        while let candidate = FormatBytes(tail.slice(0 ..< searchEnd)).findLast(eocdSignature) {
            if let commentLength = tail.u16le(candidate + 20), candidate + 22 + Int(commentLength) <= tail.count {
                at = candidate
                break
            }
            searchEnd = candidate + 3
            if searchEnd < 4 { break }
        }
        guard let eocd = at,
              let disk = tail.u16le(eocd + 4),
              var total = tail.u16le(eocd + 10).map(UInt64.init),
              var cdSize = tail.u32le(eocd + 12).map(UInt64.init),
              var cdOffset = tail.u32le(eocd + 16).map(UInt64.init)
        else { return nil }
        var warnings: [String] = []
        if disk != 0 { warnings.append("a multi-part (spanned) ZIP archive: this file is part \(Int(disk) + 1)") }
        let eocdAbsolute = UInt64(tailOffset) + UInt64(eocd)

        // ZIP64: the real values are in the ZIP64 end record its locator points to.
        if total == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF,
           eocd >= 20, tail.has([0x50, 0x4B, 0x06, 0x07], at: eocd - 20),
           let recordOffset = tail.u64le(eocd - 20 + 8) {
            let record = FormatBytes(try source.read(at: Int64(clamping: recordOffset), count: 56))
            if record.has([0x50, 0x4B, 0x06, 0x06], at: 0),
               let t = record.u64le(32), let s = record.u64le(40), let o = record.u64le(48) {
                total = t
                cdSize = s
                cdOffset = o
            }
        }

        let readLength = Int(min(cdSize, UInt64(zipDirectoryLimit)))
        if cdSize > UInt64(zipDirectoryLimit) {
            warnings.append("the central directory is larger than \(zipDirectoryLimit >> 20) MiB; only its first part was read")
        }
        var directory = FormatBytes(try source.read(at: Int64(clamping: cdOffset), count: readLength))
        if !directory.has([0x50, 0x4B, 0x01, 0x02], at: 0), cdSize <= eocdAbsolute {
            // Data before the archive (a self-extractor stub): the directory ends where the
            // end record starts.
            let shifted = eocdAbsolute - cdSize
            directory = FormatBytes(try source.read(at: Int64(shifted), count: readLength))
        }

        var entries: [ZipEntry] = []
        var p = 0
        while directory.has([0x50, 0x4B, 0x01, 0x02], at: p),
              let flags = directory.u16le(p + 8), let method = directory.u16le(p + 10),
              let nameLength = directory.u16le(p + 28), let extraLength = directory.u16le(p + 30),
              let commentLength = directory.u16le(p + 32), let local = directory.u32le(p + 42) {
            let nameStart = p + 46
            guard nameStart + Int(nameLength) <= directory.count else { break }
            let name = String(decoding: directory.slice(nameStart ..< nameStart + Int(nameLength)), as: UTF8.self)
            entries.append(ZipEntry(name: name, flags: flags, method: method, localHeaderOffset: UInt64(local)))
            p = nameStart + Int(nameLength) + Int(extraLength) + Int(commentLength)
        }
        if UInt64(entries.count) < total && cdSize <= UInt64(zipDirectoryLimit) {
            warnings.append("the central directory lists \(total) entries but only \(entries.count) could be read")
        }
        return (entries, warnings)
    }

    /// Entries read from consecutive local headers at the start of the file: the fallback for a
    /// ZIP whose end (and so its central directory) is missing.
    static func zipLocalEntries(_ head: FormatBytes) -> [ZipEntry] {
        var entries: [ZipEntry] = []
        var p = 0
        while head.has([0x50, 0x4B, 0x03, 0x04], at: p),
              let flags = head.u16le(p + 6), let method = head.u16le(p + 8),
              let compressedSize = head.u32le(p + 18),
              let nameLength = head.u16le(p + 26), let extraLength = head.u16le(p + 28) {
            let nameStart = p + 30
            guard nameStart + Int(nameLength) <= head.count else { break }
            let name = String(decoding: head.slice(nameStart ..< nameStart + Int(nameLength)), as: UTF8.self)
            entries.append(ZipEntry(name: name, flags: flags, method: method, localHeaderOffset: UInt64(p)))
            // With a data descriptor (bit 3) the size is not known here: stop after this entry.
            if flags & 0x0008 != 0 { break }
            p = nameStart + Int(nameLength) + Int(extraLength) + Int(compressedSize)
        }
        return entries
    }

    /// The content of a small stored (uncompressed, unencrypted) entry, such as ODF's mimetype.
    static func zipStoredText(_ source: any FormatSource, entry: ZipEntry) throws -> String? {
        guard entry.method == 0, entry.flags & 0x0001 == 0 else { return nil }
        let header = FormatBytes(try source.read(at: Int64(clamping: entry.localHeaderOffset), count: 30 + 256 + 128))
        guard header.has([0x50, 0x4B, 0x03, 0x04], at: 0),
              let size = header.u32le(18), size <= 128,
              let nameLength = header.u16le(26), let extraLength = header.u16le(28)
        else { return nil }
        let start = 30 + Int(nameLength) + Int(extraLength)
        let bytes = header.slice(start ..< start + Int(size))
        guard bytes.count == Int(size) else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: OLE2 compound files

    /// OLE2 (Microsoft Compound File Binary): the container of Word 97–2003, Excel 97–2003,
    /// PowerPoint 97–2003 and Outlook .msg files, and of an OOXML file encrypted with a
    /// password (the ZIP inside as an `EncryptedPackage` stream). The top-level stream names in
    /// the directory tell them apart, as PRONOM's container signatures do. (An RC4-encrypted
    /// Word 97 file flags it in the WordDocument stream's header, which we do not read: such a
    /// file is identified but not flagged.)
    static func identifyOLE2(_ source: any FormatSource, _ head: FormatBytes) throws -> FormatIdentification? {
        guard head.has([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], at: 0) else { return nil }
        let names = try ole2DirectoryNames(source, head)
        if names.contains("EncryptedPackage") {
            return FormatIdentification(
                puid: "fmt/494", mime: "application/octet-stream",
                name: "Microsoft Office Encrypted Document", version: "2007 onwards",
                flags: [.encrypted, .passwordProtected],
                warnings: ["an Office Open XML document encrypted with a password: its content cannot be read or checked without it"])
        }
        if names.contains("WordDocument") {
            // The generic Word 6.0–2003 PUID: telling 6.0/95 (fmt/39) from 97–2003 (fmt/40)
            // needs the version number inside the WordDocument stream.
            return FormatIdentification(puid: "fmt/609", mime: "application/msword", name: "Microsoft Word (Generic)", version: "6.0-2003")
        }
        if names.contains("Workbook") {
            return FormatIdentification(puid: "fmt/61", mime: "application/vnd.ms-excel", name: "Microsoft Excel 97 Workbook (xls)", version: "8")
        }
        if names.contains("Book") {
            return FormatIdentification(puid: "fmt/59", mime: "application/vnd.ms-excel", name: "Microsoft Excel 5.0/95 Workbook (xls)", version: "5.0/95")
        }
        if names.contains("PowerPoint Document") {
            return FormatIdentification(puid: "fmt/126", mime: "application/vnd.ms-powerpoint", name: "Microsoft Powerpoint Presentation", version: "97-2003")
        }
        if names.contains("__properties_version1.0") || names.contains(where: { $0.hasPrefix("__substg1.0_") }) {
            return FormatIdentification(puid: "x-fmt/430", mime: "application/vnd.ms-outlook", name: "Microsoft Outlook Email Message", version: "97-2003")
        }
        return FormatIdentification(puid: "fmt/111", mime: "application/x-ole-storage", name: "OLE2 Compound Document Format")
    }

    /// Names in the compound file's directory, following the directory's sector chain through
    /// the FAT for up to 32 sectors (128 to 1024 entries, far more than Office files have).
    static func ole2DirectoryNames(_ source: any FormatSource, _ head: FormatBytes) throws -> Set<String> {
        guard let shift = head.u16le(30), shift == 9 || shift == 12,
              let firstDirectorySector = head.u32le(48)
        else { return [] }
        let sectorSize = 1 << Int(shift)
        let perFATSector = sectorSize / 4
        var fatCache: [UInt32: FormatBytes] = [:]

        func nextSector(_ sid: UInt32) throws -> UInt32? {
            let fatIndex = Int(sid) / perFATSector
            // The first 109 FAT sector locations are in the header; larger files are not
            // followed further (their directory's first sectors still are read).
            guard fatIndex < 109, let fatSID = head.u32le(76 + 4 * fatIndex), fatSID < 0xFFFF_FFFA else { return nil }
            let fat: FormatBytes
            if let cached = fatCache[fatSID] {
                fat = cached
            } else {
                fat = FormatBytes(try source.read(at: Int64(fatSID + 1) << Int64(shift), count: sectorSize))
                fatCache[fatSID] = fat
            }
            guard let next = fat.u32le((Int(sid) % perFATSector) * 4), next < 0xFFFF_FFFA else { return nil }
            return next
        }

        var names = Set<String>()
        var sid = firstDirectorySector
        var seen = Set<UInt32>()
        for _ in 0 ..< 32 {
            guard sid < 0xFFFF_FFFA, seen.insert(sid).inserted else { break }
            let sector = FormatBytes(try source.read(at: Int64(sid + 1) << Int64(shift), count: sectorSize))
            guard sector.count == sectorSize else { break }
            for entry in stride(from: 0, to: sectorSize, by: 128) {
                guard let length = sector.u16le(entry + 64), length >= 2, length <= 64,
                      let type = sector[entry + 66], type != 0 else { continue }
                var units: [UInt16] = []
                for k in stride(from: 0, to: Int(length) - 2, by: 2) {
                    if let u = sector.u16le(entry + k) { units.append(u) }
                }
                names.insert(String(decoding: units, as: UTF16.self))
            }
            guard let next = try nextSector(sid) else { break }
            sid = next
        }
        return names
    }

    // MARK: Archives and compression

    static func identifyArchive(_ source: any FormatSource, _ head: FormatBytes) throws -> FormatIdentification? {
        if head.has([0x1F, 0x8B, 0x08], at: 0) {
            return FormatIdentification(puid: "x-fmt/266", mime: "application/gzip", name: "GZIP Format")
        }
        if head.has([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], at: 0) {
            return FormatIdentification(puid: "fmt/484", mime: "application/x-7z-compressed", name: "7Zip format")
        }
        if head.has([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], at: 0) {
            return FormatIdentification(puid: "fmt/1098", mime: "application/x-xz", name: "XZ File Format")
        }
        if head.has("BZh", at: 0), let level = head[3], level >= UInt8(ascii: "1"), level <= UInt8(ascii: "9"),
           head.has([0x31, 0x41, 0x59, 0x26, 0x53, 0x59], at: 4) {
            return FormatIdentification(puid: "x-fmt/268", mime: "application/x-bzip2", name: "BZIP2 Compressed Archive")
        }
        // POSIX ustar (and GNU tar): the magic sits in the first header block.
        if head.has("ustar", at: 257) {
            return FormatIdentification(puid: "x-fmt/265", mime: "application/x-tar", name: "Tape Archive Format")
        }
        return nil
    }
}
