/// What a folded scalar is to the tokenizer.
///
/// Tokens are made only of ASCII letters and digits and of non-ASCII letters (Unicode L*,
/// plus the few CJK letter-numbers like 〇): characters that SQLite FTS5's `ascii` and
/// `unicode61` tokenizers and PostgreSQL's default text-search parser all keep inside one
/// word. Everything else either separates tokens or, for combining marks, is dropped.
enum ScalarKind: Equatable {
    /// A character of a script written without spaces — Han (all extensions), kana, Hangul,
    /// Yi, Tangut, Nüshu, plus 々 〆 〇: indexed as overlapping bigrams.
    case cjk
    /// A letter of any other script, or an ASCII digit: builds words.
    case word
    /// A combining mark left after NFKC (Indic vowel signs, a dot that lower-casing İ adds):
    /// dropped without splitting the word, since neither engine is sure to keep it in a word.
    case ignorable
    /// Space, punctuation, symbols, emoji, everything else: ends the current token.
    case separator

    @inline(__always)
    init(_ s: Unicode.Scalar) {
        let v = s.value
        if v < 0x80 {
            self = (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A)
                ? .word : .separator
            return
        }
        if (v >= 0x4E00 && v <= 0x9FFF) || (v >= 0x3400 && v <= 0x4DBF) {
            self = .cjk  // unified ideographs: all assigned, all Lo
            return
        }
        let category = s.properties.generalCategory
        switch category {
        case .otherLetter, .modifierLetter, .letterNumber:
            if ScalarKind.inSpacelessScriptBlock(v) { self = .cjk; return }
            self = category == .letterNumber ? .separator : .word
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter:
            self = .word
        case .decimalNumber:
            // Folding made every decimal digit ASCII; any left is a word character anyway.
            self = .word
        case .nonspacingMark, .spacingMark, .enclosingMark:
            self = .ignorable
        default:
            self = .separator
        }
    }

    /// Blocks of scripts written without spaces between words.
    @inline(__always)
    static func inSpacelessScriptBlock(_ v: UInt32) -> Bool {
        (v >= 0x3000 && v <= 0x9FFF)          // CJK symbols (々〆〇), kana, bopomofo, Ext A, unified
            || (v >= 0x20000 && v <= 0x323AF) // Ext B–I, compatibility supplement, Ext G–H
            || (v >= 0xAC00 && v <= 0xD7FF)   // Hangul syllables and jamo extended B
            || (v >= 0x1100 && v <= 0x11FF)   // Hangul jamo
            || (v >= 0xA960 && v <= 0xA97F)   // Hangul jamo extended A
            || (v >= 0xA000 && v <= 0xA4CF)   // Yi
            || (v >= 0xF900 && v <= 0xFAFF)   // CJK compatibility ideographs (NFKC maps most)
            || (v >= 0xFF66 && v <= 0xFF9F)   // half-width katakana (NFKC maps them)
            || (v >= 0x17000 && v <= 0x18DFF) // Tangut, Khitan
            || (v >= 0x1B000 && v <= 0x1B2FF) // kana supplement and extensions, Nüshu
    }
}
