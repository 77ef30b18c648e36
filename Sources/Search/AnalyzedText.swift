/// Folded text cut into runs: the shared first step of indexing, of turning a query word into
/// tokens, and of finding matches for snippets.
///
/// A run is a maximal stretch of CJK characters, or of word characters (letters of other
/// scripts and digits) — at most `SearchTokenizer.maxWordLength` of them; a longer word
/// is cut into several adjacent runs. Separators end runs and take no token position, as in
/// both engines. Combining marks are skipped without ending the run.
struct AnalyzedText {
    struct Run {
        var isCJK: Bool
        /// Indices into `scalars`.
        var range: Range<Int>
    }

    /// The folded token characters of the text (no separators).
    private(set) var scalars: [Unicode.Scalar] = []
    /// Parallel to `scalars` when sources are tracked: the offsets in the original text's
    /// `unicodeScalars` of the characters each came from.
    private(set) var sources: [Range<Int>] = []
    private(set) var runs: [Run] = []

    init(_ text: String, trackSources: Bool = false) {
        scalars.reserveCapacity(text.utf8.count / 2)
        var runStart = 0
        var runIsCJK = false
        var inRun = false

        func closeRun() {
            if inRun { runs.append(Run(isCJK: runIsCJK, range: runStart..<scalars.count)) }
            inRun = false
        }

        SearchNormalizer.forEachFoldedScalar(in: text) { scalar, source in
            let isCJK: Bool
            switch ScalarKind(scalar) {
            case .ignorable: return
            case .separator: closeRun(); return
            case .cjk: isCJK = true
            case .word: isCJK = false
            }
            if inRun && (runIsCJK != isCJK
                         || (!isCJK && scalars.count - runStart >= SearchTokenizer.maxWordLength)) {
                closeRun()
            }
            if !inRun {
                inRun = true
                runIsCJK = isCJK
                runStart = scalars.count
            }
            scalars.append(scalar)
            if trackSources { sources.append(source) }
        }
        closeRun()
    }

    func string(_ range: Range<Int>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(range.count * 3)
        appendUTF8(range, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// UTF-8 into a byte buffer: much faster than appending to a `String.UnicodeScalarView`
    /// (which showed as quadratic for a 1 MB text).
    @inline(__always)
    func appendUTF8(_ range: Range<Int>, to bytes: inout [UInt8]) {
        for i in range {
            UTF8.encode(scalars[i]) { bytes.append($0) }
        }
    }

    /// The index tokens, as ranges of `scalars`, in position order: each word run is a token;
    /// each CJK run gives its overlapping bigrams and then its last character alone
    /// (档案馆 → 档案 案馆 馆; 档 → 档).
    func forEachIndexToken(_ body: (Range<Int>) -> Void) {
        for run in runs {
            if run.isCJK {
                var i = run.range.lowerBound
                while i + 1 < run.range.upperBound {
                    body(i..<(i + 2))
                    i += 1
                }
                body((run.range.upperBound - 1)..<run.range.upperBound)
            } else {
                body(run.range)
            }
        }
    }

    /// The tokens a query word must match, adjacent and in order, and whether the last one is
    /// a prefix. Unlike indexing, the last CJK run gives only its bigrams (the text may go on
    /// after it: 档案 must match inside 档案馆), and a last run of one CJK character is a
    /// prefix (档 matches 档案 and the lone 档 at the end of a run). Runs before the last keep
    /// their trailing unigram, because the index has it there: 档案J012 → 档案 案 j012.
    func queryTokens(prefix explicitPrefix: Bool) -> (tokens: [String], prefixLast: Bool) {
        var tokens: [String] = []
        var prefixLast = false
        for (n, run) in runs.enumerated() {
            let isLast = n == runs.count - 1
            if !run.isCJK {
                tokens.append(string(run.range))
                if isLast { prefixLast = explicitPrefix }
                continue
            }
            if run.range.count == 1 {
                tokens.append(string(run.range))
                if isLast { prefixLast = true }
                continue
            }
            var i = run.range.lowerBound
            while i + 1 < run.range.upperBound {
                tokens.append(string(i..<(i + 2)))
                i += 1
            }
            if isLast {
                prefixLast = explicitPrefix
            } else {
                tokens.append(string((run.range.upperBound - 1)..<run.range.upperBound))
            }
        }
        return (tokens, prefixLast)
    }
}
