/// A piece of a snippet: original text, highlighted where it matched the query.
public struct SnippetSegment: Sendable, Hashable, CustomStringConvertible {
    /// Text exactly as in the record (not folded); the view must HTML-escape it.
    public var text: String
    public var isHighlighted: Bool

    public init(text: String, isHighlighted: Bool) {
        self.text = text
        self.isHighlighted = isHighlighted
    }

    /// `[档案]` for highlighted text: for logs and tests.
    public var description: String { isHighlighted ? "[\(text)]" : text }
}

/// Search-result snippets (摘要) with the matched words highlighted.
///
/// Matching runs on the folded tokens, but the segments are cut from the original text, so a
/// traditional-script record shows 檔案 highlighted for the query 档案, and `ＡＢＣ` for `abc`.
/// A whole phrase is one highlight, punctuation inside it included (`J012-WS` for `j012 ws`);
/// a one-character prefix highlights only that character of the bigram it begins.
public enum Snippet {
    /// Put where the snippet cuts the text.
    public static let ellipsis = "…"

    /// At most `maxLength` characters (Unicode scalars, so never more characters than that)
    /// of `text`, from the window holding the most matches, with `ellipsis` at each cut end.
    /// Without any match, the start of the text. Adjacent plain pieces are merged, so
    /// segments alternate plain and highlighted.
    ///
    /// - Parameter field: the column `text` comes from; terms restricted to another field
    ///   are not highlighted. `nil` highlights every positive term.
    public static func make(
        text: String, query: ParsedQuery, maxLength: Int, field: SearchField? = nil
    ) -> [SnippetSegment] {
        let spans = highlightOffsets(in: text, query: query, field: field)
        let scalars = Array(text.unicodeScalars)
        let total = scalars.count
        let maxLength = max(maxLength, 1)

        var start = 0
        var end = total
        if total > maxLength {
            (start, end) = window(spans: spans, total: total, maxLength: maxLength)
            (start, end) = snapped(start: start, end: end, scalars: scalars, spans: spans)
        }

        var segments: [SnippetSegment] = []
        func add(_ lower: Int, _ upper: Int, highlighted: Bool) {
            guard lower < upper else { return }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[lower..<upper])
            append(String(view), highlighted: highlighted, to: &segments)
        }
        if start > 0 { append(ellipsis, highlighted: false, to: &segments) }
        var cursor = start
        for span in spans where span.upperBound > start && span.lowerBound < end {
            let lower = max(span.lowerBound, start), upper = min(span.upperBound, end)
            add(cursor, lower, highlighted: false)
            add(lower, upper, highlighted: true)
            cursor = upper
        }
        add(cursor, end, highlighted: false)
        if end < total { append(ellipsis, highlighted: false, to: &segments) }
        return segments
    }

    /// The matched stretches of `text` as ranges of `text.unicodeScalars` offsets, sorted,
    /// overlapping and touching ones merged.
    public static func highlightOffsets(in text: String, query: ParsedQuery, field: SearchField? = nil) -> [Range<Int>] {
        let terms = (query.expression?.positiveTerms ?? []).filter { term in
            field == nil || term.field == nil || term.field == field
        }
        guard !terms.isEmpty else { return [] }
        let analyzed = AnalyzedText(text, trackSources: true)
        var tokenRanges: [Range<Int>] = []
        analyzed.forEachIndexToken { tokenRanges.append($0) }

        var spans: [Range<Int>] = []
        for term in terms {
            let termScalars = term.tokens.map { Array($0.unicodeScalars) }
            let lastLength = termScalars.last?.count ?? 0
            QueryEvaluator.forEachMatch(of: term, count: tokenRanges.count, tokenMatches: { p, k, asPrefix in
                let token = analyzed.scalars[tokenRanges[p]]
                return asPrefix ? token.starts(with: termScalars[k]) : token.elementsEqual(termScalars[k])
            }) { p in
                let first = tokenRanges[p]
                let last = tokenRanges[p + term.tokens.count - 1]
                let endUnit = term.prefixLast ? min(last.lowerBound + lastLength, last.upperBound) : last.upperBound
                let lower = analyzed.sources[first.lowerBound].lowerBound
                let upper = analyzed.sources[endUnit - 1].upperBound
                spans.append(lower..<upper)
                return true
            }
        }
        spans.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = []
        for span in spans {
            if let last = merged.last, span.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
            } else {
                merged.append(span)
            }
        }
        return merged
    }

    /// The `maxLength` window holding the most whole spans, with the slack shared before and
    /// after them.
    private static func window(spans: [Range<Int>], total: Int, maxLength: Int) -> (Int, Int) {
        guard !spans.isEmpty else { return (0, maxLength) }
        var best = (first: 0, last: 0, count: 0)
        var j = 0
        for i in spans.indices {
            if j < i { j = i }
            while j + 1 < spans.count, spans[j + 1].upperBound - spans[i].lowerBound <= maxLength { j += 1 }
            let count = spans[j].upperBound - spans[i].lowerBound <= maxLength ? j - i + 1 : 0
            if count > best.count { best = (i, j, count) }
        }
        if best.count == 0 {
            // Even the first match is longer than the window: show its beginning.
            let s = spans[0].lowerBound
            return (s, min(s + maxLength, total))
        }
        let covered = spans[best.last].upperBound - spans[best.first].lowerBound
        var start = spans[best.first].lowerBound - (maxLength - covered) / 2
        start = min(max(start, 0), total - maxLength)
        return (start, start + maxLength)
    }

    /// Moves cut points off the middle of a character (a base and its marks, an emoji
    /// sequence) and of a Latin word, without uncovering a highlight; drops spaces at cuts.
    private static func snapped(
        start: Int, end: Int, scalars: [Unicode.Scalar], spans: [Range<Int>]
    ) -> (Int, Int) {
        let firstSpan = spans.first { $0.upperBound > start && $0.lowerBound < end }
        let lastSpan = spans.last { $0.upperBound > start && $0.lowerBound < end }
        let lowLimit = firstSpan.map { min($0.lowerBound, end) } ?? end
        let highLimit = lastSpan.map { max($0.upperBound, start) } ?? start
        func isWord(_ i: Int) -> Bool { ScalarKind(scalars[i]) == .word }
        func joins(_ i: Int) -> Bool {
            SearchNormalizer.joinsPrevious(scalars[i]) || scalars[i].properties.isJoinControl
                || scalars[i].properties.isVariationSelector
                || (i > 0 && scalars[i - 1].properties.isJoinControl)
        }

        var s = start
        if s > 0 {
            var steps = 0
            while s < lowLimit, steps < 24, joins(s) || (isWord(s - 1) && isWord(s)) { s += 1; steps += 1 }
            while s < lowLimit, scalars[s].properties.isWhitespace { s += 1 }
        }
        var e = end
        if e < scalars.count {
            var steps = 0
            while e > highLimit, e > s, steps < 24, joins(e) || (isWord(e - 1) && isWord(e)) { e -= 1; steps += 1 }
            while e > highLimit, e > s, scalars[e - 1].properties.isWhitespace { e -= 1 }
        }
        return (s, max(e, s))
    }

    private static func append(_ text: String, highlighted: Bool, to segments: inout [SnippetSegment]) {
        if let last = segments.last, last.isHighlighted == highlighted, !highlighted {
            segments[segments.count - 1].text += text
        } else {
            segments.append(SnippetSegment(text: text, isHighlighted: highlighted))
        }
    }
}
