import Foundation

// Raster images, audio and video.
extension FormatIdentifier {
    // MARK: Images

    static func identifyImage(_ source: any FormatSource, _ head: FormatBytes) throws -> FormatIdentification? {
        if head.has([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], at: 0) {
            return try identifyPNG(source, head)
        }
        if head.has([0xFF, 0xD8, 0xFF], at: 0) {
            return try identifyJPEG(source, head)
        }
        if head.has([0x49, 0x49, 0x2A, 0x00], at: 0) || head.has([0x4D, 0x4D, 0x00, 0x2A], at: 0) {
            return identifyTIFF(source, head)
        }
        if head.has([0x49, 0x49, 0x2B, 0x00], at: 0) || head.has([0x4D, 0x4D, 0x00, 0x2B], at: 0) {
            // BigTIFF (64-bit offsets): not in the PRONOM release we map.
            return FormatIdentification(puid: nil, mime: "image/tiff", name: "BigTIFF")
        }
        // JPEG 2000 family: the 12-byte signature box, then a file type box naming the brand.
        if head.has([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A], at: 0) {
            let brand = head.has("ftyp", at: 16) ? head.fourCC(20) : nil
            switch brand {
            case "jpx ": return FormatIdentification(puid: "fmt/151", mime: "image/jpx", name: "JPX (JPEG 2000 part 2)")
            case "jpm ": return FormatIdentification(puid: "fmt/463", mime: "image/jpm", name: "JPM (JPEG 2000 part 6)")
            case "mjp2": return FormatIdentification(puid: "fmt/337", mime: "video/mj2", name: "MJ2 (Motion JPEG 2000)")
            default:
                var r = FormatIdentification(puid: "x-fmt/392", mime: "image/jp2", name: "JP2 (JPEG 2000 part 1)")
                if brand != "jp2 " { r.warnings.append("JPEG 2000 signature without the jp2 brand (found \(brand.map { "'\($0)'" } ?? "no file type box"))") }
                return r
            }
        }
        if head.has([0xFF, 0x4F, 0xFF, 0x51], at: 0) {
            // A bare JPEG 2000 codestream (.j2k/.j2c), no JP2 wrapper; no PUID in the PRONOM
            // release we map.
            return FormatIdentification(puid: nil, mime: "image/j2c", name: "JPEG 2000 codestream")
        }
        if head.has("GIF87a", at: 0) {
            return FormatIdentification(puid: "fmt/3", mime: "image/gif", name: "Graphics Interchange Format", version: "87a")
        }
        if head.has("GIF89a", at: 0) {
            return FormatIdentification(puid: "fmt/4", mime: "image/gif", name: "Graphics Interchange Format", version: "89a")
        }
        return nil
    }

    /// PNG is fmt/13 (PNG 1.2, the edition ISO/IEC 15948 and the W3C Recommendation describe).
    /// Versions 1.0 (fmt/11) and 1.1 (fmt/12) share the signature and the chunk layout; files
    /// written to them are valid 1.2 files, and nothing in a file says which edition its writer
    /// followed, so 1.2 is the honest single answer.
    static func identifyPNG(_ source: any FormatSource, _ head: FormatBytes) throws -> FormatIdentification {
        var r = FormatIdentification(puid: "fmt/13", mime: "image/png", name: "Portable Network Graphics", version: "1.2")
        if !(head.u32be(8) == 13 && head.has("IHDR", at: 12)) {
            r.warnings.append("the PNG signature is not followed by an IHDR chunk")
        }
        // The last chunk is IEND: length 0, type, CRC AE 42 60 82.
        if try source.tail(12).bytes.find("IEND") == nil {
            r.flags.insert(.truncated)
            r.warnings.append("no IEND chunk at the end: the file looks truncated")
        }
        return r
    }

    /// JPEG is identified by its first application segment, as PRONOM's signatures do:
    /// APP0 `JFIF` gives JPEG File Interchange Format 1.00 (fmt/42), 1.01 (fmt/43) or 1.02
    /// (fmt/44) from the version bytes; APP1 `Exif` gives Exif (Compressed) by the ExifVersion
    /// tag: 2.0 (x-fmt/398), 2.1 (x-fmt/390), 2.2 (x-fmt/391), 2.21 (fmt/645), 2.3x (fmt/1507);
    /// APP8 `SPIFF` gives fmt/112. Anything else (or an unknown version) is Raw JPEG Stream,
    /// fmt/41, PRONOM's generic JPEG.
    static func identifyJPEG(_ source: any FormatSource, _ head: FormatBytes) throws -> FormatIdentification {
        var result = FormatIdentification(puid: "fmt/41", mime: "image/jpeg", name: "Raw JPEG Stream")

        // Walk the marker segments after SOI up to the first non-APP marker.
        var p = 2
        var first = true
        var jfifVersion: (UInt8, UInt8)?
        while p + 4 <= head.count, head[p] == 0xFF, let marker = head[p + 1], let length = head.u16be(p + 2) {
            guard marker >= 0xE0 && marker <= 0xEF else { break }
            let payload = p + 4
            if marker == 0xE0, head.has("JFIF\0", at: payload), let major = head[payload + 5], let minor = head[payload + 6] {
                jfifVersion = (major, minor)
                if first { break }
            } else if marker == 0xE1, head.has("Exif\0\0", at: payload), first {
                if let exif = exifVersion(head, tiffStart: payload + 6), let mapped = exifPUID(exif) {
                    result = FormatIdentification(puid: mapped.puid, mime: "image/jpeg", name: "Exchangeable Image File Format (Compressed)", version: mapped.version)
                } else {
                    result.warnings.append("an Exif JPEG whose Exif version could not be read or is not in PRONOM; identified as a raw JPEG stream")
                }
                break
            } else if marker == 0xE8, head.has("SPIFF\0", at: payload), first {
                result = FormatIdentification(puid: "fmt/112", mime: "image/jpeg", name: "Still Picture Interchange File Format", version: "1.0")
                break
            }
            first = false
            p = payload + Int(length) - 2
        }
        if let (major, minor) = jfifVersion, result.puid == "fmt/41" {
            let versions: [UInt8: String] = [0: "fmt/42", 1: "fmt/43", 2: "fmt/44"]
            if major == 1, let puid = versions[minor] {
                result.puid = puid
                result.name = "JPEG File Interchange Format"
                result.version = "1.0\(minor)"
            } else {
                result.warnings.append("JFIF version \(major).\(minor) is not one PRONOM lists; identified as a raw JPEG stream")
            }
        }

        // EOI (FF D9) ends the image; scanners and cameras sometimes pad after it, rarely by
        // more than a few hundred bytes.
        if try source.tail(1024).bytes.findLast([0xFF, 0xD9]) == nil {
            result.flags.insert(.truncated)
            result.warnings.append("no end-of-image marker (FF D9) near the end: the file looks truncated")
        }
        return result
    }

    static func exifPUID(_ version: String) -> (puid: String, version: String)? {
        switch version {
        case "0200": return ("x-fmt/398", "2.0")
        case "0210": return ("x-fmt/390", "2.1")
        case "0220": return ("x-fmt/391", "2.2")
        case "0221": return ("fmt/645", "2.21")
        case "0230", "0231", "0232": return ("fmt/1507", "2.3.x")
        default: return nil
        }
    }

    /// The ExifVersion tag (0x9000, four ASCII digits such as `0231`) from the Exif IFD of the
    /// TIFF structure starting at `tiffStart`.
    static func exifVersion(_ bytes: FormatBytes, tiffStart: Int) -> String? {
        let little: Bool
        if bytes.has("II", at: tiffStart) { little = true } else if bytes.has("MM", at: tiffStart) { little = false } else { return nil }
        func u16(_ o: Int) -> UInt16? { little ? bytes.u16le(tiffStart + o) : bytes.u16be(tiffStart + o) }
        func u32(_ o: Int) -> UInt32? { little ? bytes.u32le(tiffStart + o) : bytes.u32be(tiffStart + o) }

        func find(tag wanted: UInt16, inIFDAt ifd: Int) -> Int? {
            guard let count = u16(ifd), count < 512 else { return nil }
            for k in 0 ..< Int(count) {
                let entry = ifd + 2 + 12 * k
                if u16(entry) == wanted { return entry }
            }
            return nil
        }
        guard let ifd0 = u32(4), let pointerEntry = find(tag: 0x8769, inIFDAt: Int(ifd0)),
              let exifIFD = u32(pointerEntry + 8),
              let versionEntry = find(tag: 0x9000, inIFDAt: Int(exifIFD))
        else { return nil }
        // Type UNDEFINED, count 4: the value sits in the entry itself, in file order.
        let value = bytes.slice(tiffStart + versionEntry + 8 ..< tiffStart + versionEntry + 12)
        guard value.count == 4, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return String(decoding: value, as: UTF8.self)
    }

    /// TIFF is fmt/353, PRONOM's generic TIFF: its per-version entries (3 to 6) are
    /// deprecated, the signature being the same for all.
    static func identifyTIFF(_ source: any FormatSource, _ head: FormatBytes) -> FormatIdentification {
        var r = FormatIdentification(puid: "fmt/353", mime: "image/tiff", name: "Tagged Image File Format")
        let little = head[0] == 0x49
        if let ifd = little ? head.u32le(4) : head.u32be(4), Int64(ifd) + 2 > source.size {
            r.flags.insert(.truncated)
            r.warnings.append("the first image directory is at byte \(ifd), past the end of the file: the file looks truncated")
        }
        return r
    }

    // MARK: RIFF: WAVE, AVI, WebP

    static func identifyRIFF(_ source: any FormatSource, _ head: FormatBytes) throws -> FormatIdentification? {
        let isRF64 = head.has("RF64", at: 0)
        guard head.has("RIFF", at: 0) || isRF64, let form = head.fourCC(8) else { return nil }
        var flags: FormatIdentification.Flags = []
        var warnings: [String] = []
        if !isRF64, let declared = head.u32le(4), Int64(declared) + 8 > source.size {
            flags.insert(.truncated)
            warnings.append("the RIFF header declares \(Int64(declared) + 8) bytes but the file has \(source.size): it looks truncated")
        }
        switch form {
        case "WAVE":
            if isRF64 {
                return FormatIdentification(puid: "fmt/712", mime: "audio/x-wav", name: "RF64", flags: flags, warnings: warnings)
            }
            var r = try identifyWAVE(source)
            r.flags.formUnion(flags)
            r.warnings = warnings + r.warnings
            return r
        case "AVI ":
            return FormatIdentification(puid: "fmt/5", mime: "video/x-msvideo", name: "Audio/Video Interleaved Format", flags: flags, warnings: warnings)
        case "WEBP":
            switch head.fourCC(12) {
            case "VP8 ": return FormatIdentification(puid: "fmt/566", mime: "image/webp", name: "WebP", version: "Lossy", flags: flags, warnings: warnings)
            case "VP8L": return FormatIdentification(puid: "fmt/567", mime: "image/webp", name: "WebP", version: "Lossless", flags: flags, warnings: warnings)
            case "VP8X": return FormatIdentification(puid: "fmt/568", mime: "image/webp", name: "WebP", version: "Extended", flags: flags, warnings: warnings)
            default: return FormatIdentification(puid: nil, mime: "image/webp", name: "WebP", flags: flags, warnings: warnings)
            }
        default:
            return nil
        }
    }

    /// WAVE by its `fmt ` chunk, as PRONOM splits it: a 16-byte PCMWAVEFORMAT (fmt/141), a
    /// WAVEFORMATEX (fmt/142) or a WAVEFORMATEXTENSIBLE (fmt/143, format tag 0xFFFE); with a
    /// `bext` chunk it is Broadcast WAVE (EBU Tech 3285) of the bext version and encoding
    /// (fmt/703–711, or the generic fmt/1, fmt/2, fmt/527). Chunks are found by their headers
    /// (a seek each), so audio data in between is never read.
    static func identifyWAVE(_ source: any FormatSource) throws -> FormatIdentification {
        var offset: Int64 = 12
        var formatTag: UInt16?
        var formatSize: UInt32?
        var bextVersion: UInt16?
        for _ in 0 ..< 64 {
            let header = FormatBytes(try source.read(at: offset, count: 8))
            guard let id = header.fourCC(0), let size = header.u32le(4) else { break }
            if id == "fmt " {
                formatSize = size
                formatTag = FormatBytes(try source.read(at: offset + 8, count: 2)).u16le(0)
            } else if id == "bext" {
                // Version follows Description (256), Originator (32), OriginatorReference (32),
                // OriginationDate (10), OriginationTime (8) and TimeReference (8).
                bextVersion = FormatBytes(try source.read(at: offset + 8 + 346, count: 2)).u16le(0)
            }
            if formatTag != nil && (bextVersion != nil || id == "data") { break }
            offset += 8 + Int64(size) + Int64(size & 1)
        }

        if let version = bextVersion, version <= 2 {
            let v = Int(version)
            let (puid, encoding): (String, String)
            switch formatTag {
            case 0x0001: (puid, encoding) = (["fmt/703", "fmt/704", "fmt/705"][v], " PCM Encoding")
            case 0x0050, 0x0055: (puid, encoding) = (["fmt/706", "fmt/707", "fmt/708"][v], " MPEG Encoding")
            case 0xFFFE: (puid, encoding) = (["fmt/709", "fmt/710", "fmt/711"][v], " WAVEFORMATEXTENSIBLE Encoding")
            default: (puid, encoding) = (["fmt/1", "fmt/2", "fmt/527"][v], " Generic")
            }
            return FormatIdentification(puid: puid, mime: "audio/x-wav", name: "Broadcast WAVE", version: "\(v)\(encoding)")
        }
        guard let tag = formatTag, let size = formatSize else {
            return FormatIdentification(puid: "fmt/6", mime: "audio/x-wav", name: "Waveform Audio",
                                        warnings: ["no fmt chunk found"])
        }
        if tag == 0xFFFE {
            return FormatIdentification(puid: "fmt/143", mime: "audio/x-wav", name: "Waveform Audio (WAVEFORMATEXTENSIBLE)")
        }
        if size == 16 {
            return FormatIdentification(puid: "fmt/141", mime: "audio/x-wav", name: "Waveform Audio (PCMWAVEFORMAT)")
        }
        return FormatIdentification(puid: "fmt/142", mime: "audio/x-wav", name: "Waveform Audio (WAVEFORMATEX)")
    }

    // MARK: ISO base media: MP4, QuickTime, 3GP, HEIF

    static func identifyISOMedia(_ source: any FormatSource, _ head: FormatBytes) throws -> FormatIdentification? {
        if head.has("ftyp", at: 4), let brand = head.fourCC(8) {
            switch brand {
            case "qt  ":
                return FormatIdentification(puid: "x-fmt/384", mime: "video/quicktime", name: "Quicktime")
            case "M4A ", "M4B ", "M4P ":
                return FormatIdentification(puid: "fmt/199", mime: "audio/mp4", name: "MPEG-4 Media File")
            case "heic", "heix", "heim", "heis", "mif1", "msf1":
                return FormatIdentification(puid: "fmt/1101", mime: "image/heif", name: "High Efficiency Image File Format")
            case "avif", "avis":
                return FormatIdentification(puid: nil, mime: "image/avif", name: "AV1 Image File Format")
            case "crx ":
                return nil // Canon CR3 raw: not handled here
            default:
                if brand.hasPrefix("3gp") || brand.hasPrefix("3g2") {
                    return FormatIdentification(puid: "fmt/357", mime: "video/3gpp", name: "3GPP Audio/Video File")
                }
                // isom, iso2…iso9, mp41, mp42, avc1, M4V, f4v, dash and the other MP4 brands.
                return FormatIdentification(puid: "fmt/199", mime: "video/mp4", name: "MPEG-4 Media File")
            }
        }
        // Old QuickTime files start straight with a movie atom, no ftyp.
        if let type = head.fourCC(4), ["moov", "mdat", "wide", "pnot"].contains(type),
           let size = head.u32be(0), size >= 8, Int64(size) <= source.size {
            return FormatIdentification(puid: "x-fmt/384", mime: "video/quicktime", name: "Quicktime")
        }
        return nil
    }

    // MARK: MP3

    /// MPEG-1/2 audio: an ID3v2 tag followed by frames, or frames from byte 0. A frame header
    /// is checked field by field (sync, version, layer, bit rate, sample rate) and, when the
    /// next one is within reach, confirmed by a second header where the first frame ends.
    static func identifyMP3(_ source: any FormatSource, _ head: FormatBytes) throws -> FormatIdentification? {
        var start = 0
        var hasID3 = false
        if head.has("ID3", at: 0), let major = head[3], major >= 2 && major <= 4,
           let s0 = head[6], let s1 = head[7], let s2 = head[8], let s3 = head[9],
           (s0 | s1 | s2 | s3) & 0x80 == 0 {
            hasID3 = true
            let size = Int(s0) << 21 | Int(s1) << 14 | Int(s2) << 7 | Int(s3)
            let footer = (head[5] ?? 0) & 0x10 != 0 ? 10 : 0
            start = 10 + size + footer
        }
        // The audio after a tag may lie beyond the head; read a little there.
        let window: FormatBytes
        if start == 0 {
            window = head
        } else {
            window = FormatBytes(try source.read(at: Int64(start), count: 4096))
        }
        // Some writers pad between the tag and the first frame.
        var p = 0
        if hasID3 {
            while let b = window[p], b == 0, p < 2048 { p += 1 }
        }
        if let frame = mpegAudioFrame(window, at: p) {
            if !hasID3, let next = mpegAudioFrame(window, at: p + frame.length) {
                guard next.layer == frame.layer else { return nil }
            } else if !hasID3, p + frame.length + 4 <= window.count {
                return nil // a single plausible header followed by something else: not MP3
            }
            switch frame.layer {
            case 3: return FormatIdentification(puid: "fmt/134", mime: "audio/mpeg", name: "MPEG 1/2 Audio Layer 3")
            case 2: return FormatIdentification(puid: "fmt/198", mime: "audio/mpeg", name: "MPEG Audio Stream, Layer II")
            default: return FormatIdentification(puid: "fmt/347", mime: "audio/mpeg", name: "MPEG 1/2 Audio Layer I")
            }
        }
        if hasID3 {
            return FormatIdentification(puid: "fmt/134", mime: "audio/mpeg", name: "MPEG 1/2 Audio Layer 3",
                                        warnings: ["an ID3v2 tag with no MPEG audio frame where the tag ends"])
        }
        return nil
    }

    /// The layer (1, 2, 3) and length in bytes of the MPEG audio frame whose header is at `p`.
    static func mpegAudioFrame(_ bytes: FormatBytes, at p: Int) -> (layer: Int, length: Int)? {
        guard let b0 = bytes[p], let b1 = bytes[p + 1], let b2 = bytes[p + 2],
              b0 == 0xFF, b1 & 0xE0 == 0xE0 else { return nil }
        let versionBits = (b1 >> 3) & 0x03 // 00 MPEG-2.5, 01 reserved, 10 MPEG-2, 11 MPEG-1
        let layerBits = (b1 >> 1) & 0x03   // 01 III, 10 II, 11 I
        let bitrateIndex = Int(b2 >> 4)
        let rateIndex = Int((b2 >> 2) & 0x03)
        let padding = Int((b2 >> 1) & 0x01)
        guard versionBits != 0x01, layerBits != 0, bitrateIndex != 0, bitrateIndex != 15, rateIndex != 3 else { return nil }
        let layer = 4 - Int(layerBits)
        let mpeg1 = versionBits == 0x03
        let kbps: [Int]
        switch (mpeg1, layer) {
        case (true, 1): kbps = [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448]
        case (true, 2): kbps = [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384]
        case (true, _): kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
        case (false, 1): kbps = [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256]
        case (false, _): kbps = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
        }
        let rates: [Int] = versionBits == 0x03 ? [44100, 48000, 32000] : versionBits == 0x02 ? [22050, 24000, 16000] : [11025, 12000, 8000]
        let bitrate = kbps[bitrateIndex] * 1000
        let rate = rates[rateIndex]
        let length: Int
        switch layer {
        case 1: length = (12 * bitrate / rate + padding) * 4
        case 3 where !mpeg1: length = 72 * bitrate / rate + padding
        default: length = 144 * bitrate / rate + padding
        }
        guard length >= 4 else { return nil }
        return (layer, length)
    }
}
