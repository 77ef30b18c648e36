/// RFC 4180 CSV, read the way Excel and WPS write it: comma-separated, fields optionally in
/// double quotes, a quote inside a quoted field doubled, line breaks and commas allowed inside
/// quoted fields, records ended by CRLF, LF or a lone CR.
///
/// It works on UTF-8 bytes: every delimiter is ASCII and no UTF-8 continuation byte can look
/// like one, so splitting bytes is exact and much faster than walking Characters.
struct CSVReader {
    struct Record {
        /// 1-based record number: the row number a spreadsheet shows, header included.
        var number: Int
        var cells: [String]
    }

    /// A malformation the reader worked around; the sheet is still read, the report says where.
    struct Issue {
        enum Kind { case unterminatedQuote, textAfterClosingQuote }
        var kind: Kind
        var record: Int
    }

    private(set) var records: [Record] = []
    private(set) var issues: [Issue] = []

    init(utf8 bytes: [UInt8]) {
        parse(bytes)
    }

    private mutating func parse(_ bytes: [UInt8]) {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var cells: [String] = []
        var field: [UInt8] = []
        var i = 0
        let n = bytes.count
        var recordNumber = 1
        // Whether anything (a cell, a delimiter, a quote) has been seen in the current record, so
        // a file ending in a line break does not produce an empty last record.
        var started = false

        func endField() {
            cells.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() {
            endField()
            records.append(Record(number: recordNumber, cells: cells))
            cells.removeAll(keepingCapacity: true)
            recordNumber += 1
            started = false
        }

        while i < n {
            let c = bytes[i]
            if c == quote && field.isEmpty {
                // Quoted field: runs to the next quote that is not doubled.
                started = true
                let openedIn = recordNumber
                i += 1
                var closed = false
                while i < n {
                    let q = bytes[i]
                    if q == quote {
                        if i + 1 < n && bytes[i + 1] == quote {
                            field.append(quote)
                            i += 2
                            continue
                        }
                        i += 1
                        closed = true
                        break
                    }
                    field.append(q)
                    i += 1
                }
                if !closed {
                    issues.append(Issue(kind: .unterminatedQuote, record: openedIn))
                    break
                }
                // After the closing quote only a delimiter or a line end belongs; anything else is
                // kept (as Excel does) and reported.
                if i < n && bytes[i] != comma && bytes[i] != cr && bytes[i] != lf {
                    issues.append(Issue(kind: .textAfterClosingQuote, record: recordNumber))
                    while i < n && bytes[i] != comma && bytes[i] != cr && bytes[i] != lf {
                        field.append(bytes[i])
                        i += 1
                    }
                }
                continue
            }
            switch c {
            case comma:
                started = true
                endField()
                i += 1
            case cr:
                endRecord()
                i += (i + 1 < n && bytes[i + 1] == lf) ? 2 : 1
            case lf:
                endRecord()
                i += 1
            default:
                started = true
                field.append(c)
                i += 1
            }
        }
        if started || !field.isEmpty { endRecord() }
    }
}
