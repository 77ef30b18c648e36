import Foundation
import Packaging

/// The tag files of a bag unpacked from an EEP: `bagit.txt`, `bag-info.txt` recording where
/// the bag came from, the payload manifests from the digests computed while decoding, the
/// EAD3 catalogue, and the tag manifests over all of them — so the bag passes BagIt validation
/// and the sheet is covered by a tag manifest, as the transfer check wants.
enum EEPBagTags {
    static let algorithms: [DigestAlgorithm] = [.sha256, .sha512]

    /// Writes the tag files into the staged bag and returns the catalogue as the check will
    /// read it back.
    static func write(summary: EEPUnpackSummary, options: EEPPackage.Options, staging: EEPStaging) throws(EEPError) -> CatalogueSheet {
        var tags: [(name: String, bytes: [UInt8])] = []
        tags.append(("bagit.txt", Array("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".utf8)))
        tags.append(("bag-info.txt", Array(bagInfo(summary).map { "\($0.0): \(oneLine($0.1))\n" }.joined().utf8)))
        let files = summary.files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        for algorithm in algorithms {
            let text = files.map { "\(algorithm == .sha256 ? $0.sha256 : $0.sha512)  \(manifestPath($0.path))\n" }.joined()
            tags.append(("manifest-\(algorithm.rawValue).txt", Array(text.utf8)))
        }
        let ead = CatalogueSheet.ead3Document(entries: summary.sheet.entries, heading: .init(
            recordID: summary.recordNumbers.compactMap { $0 }.first ?? summary.source,
            title: "电子文件封装包 \(summary.source)",
            agencyName: summary.creatingUnit ?? summary.agencyName ?? BagWriter.softwareAgent))
        tags.append((EEPPackage.sheetName, Array(ead.utf8)))
        for tag in tags { try staging.writeTagFile(tag.name, tag.bytes) }
        for algorithm in algorithms {
            let text = tags.map { tag -> String in
                var h = DigestHasher(algorithm)
                h.update(tag.bytes)
                return "\(h.finalizeHex())  \(tag.name)\n"
            }.joined()
            try staging.writeTagFile("tagmanifest-\(algorithm.rawValue).txt", Array(text.utf8))
        }
        // The entries as `read(ead3:)` sees them, which is what the check will judge.
        return (try? CatalogueSheet.read(ead3Data: Data(ead.utf8))) ?? summary.sheet
    }

    /// bag-info.txt: provenance from the package, and that it was one.
    static func bagInfo(_ s: EEPUnpackSummary) -> [(String, String)] {
        var info: [(String, String)] = []
        if let org = s.agencyName ?? s.creatingUnit, !org.isEmpty { info.append(("Source-Organization", org)) }
        info.append(("External-Description",
                     "DA/T 48-2009 电子文件封装包 \(s.source)：\(s.sheet.entries.count) 件，\(s.files.count) 个文件"))
        for number in s.recordNumbers.compactMap({ $0 }) { info.append(("External-Identifier", number)) }
        info.append(("Lantai-Source-Format", "DA/T 48-2009 EEP"))
        info.append(("Lantai-Source-Package", s.source))
        if let v = s.createdAt, !v.isEmpty { info.append(("Lantai-EEP-Created", v)) }
        if let v = s.creatingUnit, !v.isEmpty { info.append(("Lantai-EEP-Creator", v)) }
        info.append(("Lantai-EEP-Signatures", "\(s.signatureCount)\(s.hasLockSignature ? " + lock signature" : "") (not verified)"))
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.calendar = Calendar(identifier: .gregorian)
        f.dateFormat = "yyyy-MM-dd"
        info.append(("Bagging-Date", f.string(from: Date())))
        info.append(("Bag-Software-Agent", BagWriter.softwareAgent))
        info.append(("Payload-Oxum", "\(s.totalBytes).\(s.files.count)"))
        return info
    }

    /// Tag values are one line each: breaks and tabs become spaces.
    static func oneLine(_ s: String) -> String {
        String(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }

    /// RFC 8493 §2.1.3: `%`, CR and LF are percent-encoded in manifest paths (names with CR or
    /// LF were refused earlier, so only `%` occurs).
    static func manifestPath(_ path: String) -> String {
        path.replacingOccurrences(of: "%", with: "%25")
    }
}
