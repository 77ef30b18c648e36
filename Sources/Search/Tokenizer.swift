/// Turns text into the space-separated tokens that both full-text engines index as plain
/// words: SQLite FTS5 (`tokenize = 'ascii'`, see `fts5TokenizeOption`) and PostgreSQL
/// (`to_tsvector('simple', tokens)`).
///
/// The scheme, after `SearchNormalizer` folding:
/// - each maximal run of CJK characters (Han with all extensions, kana, Hangul, Yi…) gives its
///   overlapping bigrams and then its last character alone: 档案馆 → `档案 案馆 馆`, 档 → `档`.
///   So a query of two characters is one token, a longer one a phrase of its bigrams
///   (档案馆 → "档案 案馆"), and a single character is a prefix query (档* matches 档案, 案档's
///   trailing 档…): every character of the text starts some token;
/// - each run of letters and digits of other scripts is one word: `ＡＢＣ１２３` → `abc123`,
///   `Café` → `café`. Letters and digits stay together (`J012`, `D30`), as PostgreSQL's parser
///   keeps them; words longer than `maxWordLength` are cut into adjacent pieces;
/// - everything else (spaces, punctuation, symbols, emoji) separates tokens and takes no position.
///
/// 档号 and other codes: `J012-WS·2015-Y-BGS-0001` → `j012 ws 2015 y bgs 0001`. Each part is a
/// word, so `2015`, `BGS` or `0001` alone find the record, and the whole code, typed as
/// a query, becomes the phrase of its parts, which matches only where they stand adjacent in
/// that order — whatever punctuation separates them (`J012 WS 2015` finds it too).
///
/// Why tokens are safe in both engines: a token holds only ASCII letters and digits or
/// non-ASCII letters (Unicode L*, plus 〇 and the Hangzhou numerals), never punctuation, so
/// - FTS5's `ascii` tokenizer (every non-ASCII character is a token character) keeps each token
///   whole, whatever the SQLite build's Unicode tables know. `unicode61 remove_diacritics 0`
///   keeps CJK (Ext A–I), kana, Hangul and Latin whole too, but depends on the Unicode tables
///   compiled into SQLite: 3.40 splits New Tai Lue letters (marks in Unicode 6.1) and folds
///   final ς to σ — harmless for Chinese archives, but `ascii` has no such exceptions;
/// - PostgreSQL's default parser splits words only at characters that are not letters or
///   digits to the database's `LC_CTYPE`, and recognises e-mail, URL, host, file, version and
///   float tokens only around `@ . / : -`, which never occur in a token. Use a UTF-8 database;
///   with `LC_CTYPE` = `C` every non-ASCII character counts as a letter (safest); with a glibc
///   locale (`zh_CN.UTF-8`, `en_US.UTF-8`, `C.UTF-8`) CJK characters are letters, though
///   characters newer than the glibc's Unicode data could split a token on both sides alike.
///
/// PostgreSQL limits a tsvector to positions ≤ 16,383 and to 256 positions per lexeme;
/// beyond them phrase queries (every CJK query of three or more characters) can miss in long
/// texts where FTS5 would find them. `indexTextChunks` cuts long texts below both limits.
public enum SearchTokenizer {
    /// Words longer than this many characters are cut into adjacent pieces, so no token
    /// comes near PostgreSQL's 2,047-byte lexeme limit.
    public static let maxWordLength = 64

    /// The FTS5 `tokenize` option for tables that hold `indexText` output:
    /// `CREATE VIRTUAL TABLE … USING fts5(…, tokenize = 'ascii')`.
    public static let fts5TokenizeOption = "ascii"

    /// The index tokens of `text`, in position order.
    public static func indexTokens(_ text: String) -> [String] {
        let analyzed = AnalyzedText(text)
        var tokens: [String] = []
        tokens.reserveCapacity(analyzed.scalars.count)
        analyzed.forEachIndexToken { tokens.append(analyzed.string($0)) }
        return tokens
    }

    /// The index tokens joined by single spaces: the text to store in an FTS5 column or to pass
    /// to `to_tsvector('simple', …)`. Empty when the text has nothing searchable.
    public static func indexText(_ text: String) -> String {
        let analyzed = AnalyzedText(text)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(analyzed.scalars.count * 7)
        analyzed.forEachIndexToken { range in
            if !bytes.isEmpty { bytes.append(0x20) }
            analyzed.appendUTF8(range, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `indexText` cut into pieces for PostgreSQL's tsvector limits: each piece has at most
    /// `maxTokens` tokens and no token more than 256 times; each piece after the first repeats
    /// the last `overlap` tokens of the one before, so a phrase of up to `overlap + 1` tokens
    /// is never lost at a cut. A text that fits gives one piece (none when empty).
    ///
    /// Index each piece as its own row and evaluate every query term per document (any piece
    /// matching), not per row — `PostgresRenderer.FieldTarget.predicate` can express that — or
    /// AND across two pieces would fail. Use the same pieces in SQLite to keep hits equal.
    public static func indexTextChunks(_ text: String, maxTokens: Int = 16_000, overlap: Int = 64) -> [String] {
        let maxTokens = min(max(maxTokens, 2), 16_383)
        let overlap = min(max(overlap, 0), maxTokens / 2, 127)
        let tokens = indexTokens(text)
        guard !tokens.isEmpty else { return [] }
        var chunks: [String] = []
        var start = 0
        while start < tokens.count {
            var counts: [String: Int] = [:]
            var end = start
            while end < tokens.count, end - start < maxTokens {
                let n = counts[tokens[end], default: 0] + 1
                if n > 256 { break }
                counts[tokens[end]] = n
                end += 1
            }
            chunks.append(tokens[start..<end].joined(separator: " "))
            if end == tokens.count { break }
            start = max(end - overlap, start + 1)
        }
        return chunks
    }
}
