import Foundation

/// The one text folding every indexed and every queried character goes through, so that what
/// a person types finds what the record says however either was written:
///
/// 1. NFKC — full-width letters, digits and punctuation from Chinese input methods become
///    ASCII (`ＡＢＣ１２３` → `ABC123`, `：` → `:`), compatibility characters are spelt out
///    (`㈱` → `(株)`, `ﬁ` → `fi`, `①` → `1`), compatibility ideographs become unified ones;
/// 2. lower case (`J012` → `j012`);
/// 3. traditional → simplified (繁→简), one character at a time, by OpenCC's table
///    (`檔案` → `档案`, `臺灣` → `台湾`): records from before 1956, from Hong Kong, Macao and
///    Taiwan, and traditional-script seals and titles are found by simplified queries, and the
///    other way round. Character folding is blunter than OpenCC's phrase conversion
///    (乾隆 folds to 干隆 — and so does the query 乾隆, which is what matters for search);
/// 4. every decimal digit becomes an ASCII digit (Arabic-Indic, Devanagari… digits);
/// 5. default-ignorable characters (zero-width space, soft hyphen, variation selectors,
///    byte-order mark) are removed, so a zero-width space pasted into 档案 does not split it.
///
/// NFKC is applied per base character together with the combining marks that follow it
/// (a good approximation of a grapheme cluster), so every folded scalar can be traced back to
/// the characters of the original text it came from — that is how `Snippet` highlights 檔案
/// in the original when the query was 档案. ASCII, CJK ideographs and Chinese punctuation take
/// a fast path that never calls Foundation.
public enum SearchNormalizer {
    /// `text` folded as described above. Punctuation and spaces are kept (folded); this is
    /// the form to compare or display, not the index form — see `SearchTokenizer.indexText`.
    public static func normalize(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        forEachFoldedScalar(in: text) { scalar, _ in UTF8.encode(scalar) { bytes.append($0) } }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The simplified form of one character by the OpenCC table, or the character itself.
    /// Only the table: no NFKC or case folding (use `normalize` for those).
    public static func simplified(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        OpenCCTable.simplified(scalar)
    }

    /// Calls `body` with every folded scalar of `text`, in order, and the offsets (in
    /// `text.unicodeScalars`) of the original scalars it came from. Several folded scalars
    /// can share one range: `㈱` gives `(`, `株`, `)`; a base letter and its combining marks
    /// give one range.
    @inline(__always)
    static func forEachFoldedScalar(in text: String, _ body: (Unicode.Scalar, Range<Int>) -> Void) {
        let scalars = text.unicodeScalars
        var i = scalars.startIndex
        var offset = 0
        let end = scalars.endIndex
        while i < end {
            let scalar = scalars[i]
            var next = scalars.index(after: i)
            if next < end, joinsPrevious(scalars[next]) {
                // A base with combining marks: NFKC must see them together (e + ◌́ → é).
                var length = 1
                while next < end, joinsPrevious(scalars[next]) {
                    next = scalars.index(after: next)
                    length += 1
                }
                let source = offset..<(offset + length)
                let cluster = String(scalars[i..<next]).precomposedStringWithCompatibilityMapping
                for s in cluster.unicodeScalars { foldComposed(s) { body($0, source) } }
                offset += length
            } else {
                let source = offset..<(offset + 1)
                foldSingle(scalar) { body($0, source) }
                offset += 1
            }
            i = next
        }
    }

    /// Folds one scalar that stands alone (no combining marks follow it).
    @inline(__always)
    private static func foldSingle(_ s: Unicode.Scalar, _ emit: (Unicode.Scalar) -> Void) {
        let v = s.value
        if v < 0x80 {
            emit(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(v + 0x20)! : s)
            return
        }
        if v >= 0xFF01 && v <= 0xFF5E {
            // Full-width ASCII (NFKC maps this block one to one onto ASCII).
            let ascii = v - 0xFEE0
            emit(Unicode.Scalar(ascii >= 0x41 && ascii <= 0x5A ? ascii + 0x20 : ascii)!)
            return
        }
        if v == 0x3000 { emit(" "); return }  // ideographic space
        if (v >= 0x4E00 && v <= 0x9FFF) || (v >= 0x3400 && v <= 0x4DBF) {
            // Unified ideographs: NFKC-stable, caseless; only the table applies.
            emit(OpenCCTable.simplified(s))
            return
        }
        let properties = s.properties
        if !properties.changesWhenNFKCCaseFolded {
            // NFKC leaves it alone (all unified ideographs, 。、「」《》…).
            if properties.changesWhenLowercased {
                for l in properties.lowercaseMapping.unicodeScalars { finish(l, emit) }
            } else {
                finish(s, emit)
            }
            return
        }
        if properties.isDefaultIgnorableCodePoint { return }
        for n in String(s).precomposedStringWithCompatibilityMapping.unicodeScalars {
            foldComposed(n, emit)
        }
    }

    /// Folds one scalar that is already NFKC: lower case, then `finish`.
    @inline(__always)
    private static func foldComposed(_ s: Unicode.Scalar, _ emit: (Unicode.Scalar) -> Void) {
        if s.value < 0x80 { foldSingle(s, emit); return }
        let properties = s.properties
        if properties.isDefaultIgnorableCodePoint { return }
        if properties.changesWhenLowercased {
            for l in properties.lowercaseMapping.unicodeScalars { finish(l, emit) }
        } else {
            finish(s, emit)
        }
    }

    /// Traditional → simplified, then any decimal digit → ASCII digit.
    @inline(__always)
    private static func finish(_ s: Unicode.Scalar, _ emit: (Unicode.Scalar) -> Void) {
        let v = s.value
        if v >= OpenCCTable.smallestKey {
            let simple = OpenCCTable.simplified(s)
            if simple != s { emit(simple); return }
        }
        if v >= 0x80, s.properties.generalCategory == .decimalNumber,
           let digit = s.properties.numericValue, digit >= 0, digit <= 9 {
            emit(Unicode.Scalar(0x30 + UInt32(digit))!)
            return
        }
        emit(s)
    }

    /// Whether `s` belongs to the character before it for NFKC: combining marks, and Hangul
    /// vowel and final jamo (ᄀ + ᅡ → 가).
    @inline(__always)
    static func joinsPrevious(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x300 { return false }
        if v >= 0x3400 && v <= 0x9FFF { return false }  // the bulk of CJK text
        if (v >= 0x1160 && v <= 0x11FF) || (v >= 0xD7B0 && v <= 0xD7FF) { return true }
        switch s.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }
}

/// OpenCC's traditional → simplified character table (generated into `OpenCCTable.swift`).
enum OpenCCTable {
    /// No key is below this (the table starts in CJK Extension A), so ASCII and Latin text
    /// never pays for a dictionary lookup.
    static let smallestKey: UInt32 = 0x3400

    /// The simplified form of `s`, or `s`. A flat array covers the BMP ideograph blocks (where
    /// almost every key is), so the common case is one array read, not a hash lookup.
    @inline(__always)
    static func simplified(_ s: Unicode.Scalar) -> Unicode.Scalar {
        let v = s.value
        if v < smallestKey { return s }
        if v < flatEnd {
            let mapped = flat[Int(v - smallestKey)]
            return mapped == 0 ? s : Unicode.Scalar(mapped)!
        }
        return traditionalToSimplified[s] ?? s
    }

    /// End (exclusive) of the range `flat` covers: Extension A and the unified block.
    static let flatEnd: UInt32 = 0xA000

    /// `flat[v - smallestKey]` is the simplified scalar value for `v`, 0 when unmapped.
    static let flat: [UInt32] = {
        var array = [UInt32](repeating: 0, count: Int(flatEnd - smallestKey))
        for (k, v) in traditionalToSimplified where k.value < flatEnd {
            array[Int(k.value - smallestKey)] = v.value
        }
        return array
    }()

    /// Parsed once, on first use (a `static let` is initialised lazily and thread-safely).
    static let traditionalToSimplified: [Unicode.Scalar: Unicode.Scalar] = {
        var table = [Unicode.Scalar: Unicode.Scalar](minimumCapacity: 3_400)
        var pending: Unicode.Scalar?
        for s in openCCTraditionalToSimplifiedPairs.unicodeScalars where s != "\n" {
            if let traditional = pending {
                table[traditional] = s
                pending = nil
            } else {
                pending = s
            }
        }
        return table
    }()
}
