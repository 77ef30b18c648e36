import Foundation
import XCTest
@testable import Search

/// Runs the rendered MATCH expressions in a real SQLite FTS5 table (through python3's sqlite3
/// module, since the Search module has no SQLite of its own) and checks that
/// - no expression, hostile queries included, raises an FTS5 error;
/// - FTS5 finds exactly the records `ParsedQuery.matches` (the reference semantics) finds;
/// - FTS5 keeps every token whole: its own tokenization of `indexText` output is our tokens.
final class FTS5EngineTests: XCTestCase {
    static let engineScript = #"""
import json, sqlite3, sys
job = json.load(open(sys.argv[1], encoding="utf-8"))
c = sqlite3.connect(":memory:")
cols = ["title", "creator", "documentNumber", "archivalCode", "body"]
c.execute("CREATE VIRTUAL TABLE search USING fts5(%s, tokenize = %s%s)"
          % (", ".join(cols), "'" + job["tokenize"].replace("'", "''") + "'", job["options"]))
c.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(search, 'instance')")
c.execute("CREATE TABLE meta (id INTEGER PRIMARY KEY, year INTEGER)")
for d in job["docs"]:
    c.execute("INSERT INTO search (rowid, %s) VALUES (?, ?, ?, ?, ?, ?)" % ", ".join(cols),
              [d["id"]] + [d.get(k, "") for k in cols])
    c.execute("INSERT INTO meta (id, year) VALUES (?, ?)", (d["id"], d.get("year")))
out = {"results": [], "tokens": {}}
for q in job["queries"]:
    where, args = [], []
    for lo, hi in q["years"]:
        where.append("m.year BETWEEN ? AND ?"); args += [lo, hi]
    if q["match"] is None:
        sql = "SELECT m.id FROM meta m"
    else:
        sql = "SELECT m.id FROM search JOIN meta m ON m.id = search.rowid"
        where.insert(0, "search MATCH ?"); args.insert(0, q["match"])
    if where:
        sql += " WHERE " + " AND ".join(where)
    try:
        out["results"].append({"ids": sorted(r[0] for r in c.execute(sql, args))})
    except sqlite3.Error as e:
        out["results"].append({"error": str(e)})
for doc, col, term in c.execute("SELECT doc, col, term FROM vocab ORDER BY doc, col, offset"):
    out["tokens"].setdefault("%d/%s" % (doc, col), []).append(term)
json.dump(out, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
"""#

    struct EngineResult: Decodable {
        struct Row: Decodable { var ids: [Int]?; var error: String? }
        var results: [Row]
        var tokens: [String: [String]]
    }

    /// python3 with FTS5, or a skip that says what is missing.
    private func requirePythonFTS5() throws {
        let probe = try? run(["python3", "-c",
            "import sqlite3; sqlite3.connect(':memory:').execute('CREATE VIRTUAL TABLE t USING fts5(a)')"])
        guard let probe else { throw XCTSkip("python3 is not installed: the FTS5 engine test needs it") }
        guard probe == 0 else { throw XCTSkip("python3's sqlite3 module has no FTS5: the FTS5 engine test needs it") }
    }

    @discardableResult
    private func run(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0, !message.isEmpty {
            print(String(decoding: message, as: UTF8.self))
        }
        return process.terminationStatus
    }

    /// Indexes `docs`, runs `queries` (MATCH text or nil, year ranges) in FTS5.
    private func runEngine(tokenize: String, options: String = "", docs: [SearchFixtures.Record],
                           queries: [(match: String?, years: [ClosedRange<Int>])]) throws -> EngineResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("search-fts5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("engine.py")
        let input = dir.appendingPathComponent("job.json")
        let output = dir.appendingPathComponent("out.json")
        try Self.engineScript.write(to: script, atomically: true, encoding: .utf8)
        let job: [String: Any] = [
            "tokenize": tokenize,
            "options": options,
            "docs": docs.map { record -> [String: Any] in
                var d: [String: Any] = ["id": record.id, "year": record.year as Any? ?? NSNull()]
                for (field, text) in record.texts { d[field.rawValue] = SearchTokenizer.indexText(text) }
                return d
            },
            "queries": queries.map { q -> [String: Any] in
                ["match": q.match as Any? ?? NSNull(), "years": q.years.map { [$0.lowerBound, $0.upperBound] }]
            },
        ]
        try JSONSerialization.data(withJSONObject: job).write(to: input)
        XCTAssertEqual(try run(["python3", script.path, input.path, output.path]), 0, "engine script failed")
        return try JSONDecoder().decode(EngineResult.self, from: Data(contentsOf: output))
    }

    /// The fixture queries plus hostile and random ones, each with its expected hits or error.
    private func cases() -> [(query: String, parsed: ParsedQuery?)] {
        var queries = SearchFixtures.queries + HostileQueryTests.hostile
        let pieces = ["\"", "(", ")", "-", "*", "OR", "AND", "NOT", "NEAR", ":", "^", "题名:", "档", "档案", "案馆",
                      "檔案館", "j012", "WS·2015", "'", "\\", "|", "“", " ", " ", " ", "records", "archive*", "年度:2015"]
        var state: UInt64 = 42
        for _ in 0..<400 {
            var q = ""
            state = state &* 6364136223846793005 &+ 1442695040888963407
            for _ in 0..<(Int(state >> 33) % 8 + 1) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                q += pieces[Int(state >> 33) % pieces.count]
            }
            queries.append(q)
        }
        return queries.map { q in (q, try? SearchQueryParser.parse(q)) }
    }

    private func check(tokenize: String, options: String = "") throws {
        try requirePythonFTS5()
        let renderer = FTS5Renderer()
        let cases = cases()
        let runnable = cases.compactMap { c -> (String, ParsedQuery, String?)? in
            guard let parsed = c.parsed else { return nil }
            return (c.query, parsed, try? renderer.matchExpression(for: parsed))
        }
        XCTAssertGreaterThan(runnable.count, 300)
        let result = try runEngine(tokenize: tokenize, options: options, docs: SearchFixtures.records,
                                   queries: runnable.map { ($0.2, $0.1.years) })
        XCTAssertEqual(result.results.count, runnable.count)
        var nonEmpty = 0
        for ((query, parsed, match), row) in zip(runnable, result.results) {
            XCTAssertNil(row.error, "FTS5 error for \(query) → \(match ?? "nil")")
            let expected = SearchFixtures.records.filter { parsed.matches($0.document) }.map(\.id)
            XCTAssertEqual(row.ids ?? [], expected, "\(query) → \(match ?? "nil")")
            if !expected.isEmpty { nonEmpty += 1 }
        }
        XCTAssertGreaterThan(nonEmpty, 60, "the comparison must not be vacuous")

        // FTS5's own tokenization of what we stored is exactly our tokens.
        for record in SearchFixtures.records {
            for (field, text) in record.texts {
                let ours = SearchTokenizer.indexTokens(text)
                XCTAssertEqual(result.tokens["\(record.id)/\(field.rawValue)"] ?? [], ours,
                               "\(record.id) \(field)")
            }
        }
    }

    func testRenderedQueriesRunAndAgreeWithTheReference_ascii() throws {
        // As FTS5Renderer recommends: with a one-character prefix index.
        try check(tokenize: SearchTokenizer.fts5TokenizeOption, options: ", prefix = '1'")
    }

    func testRenderedQueriesRunAndAgreeWithTheReference_unicode61() throws {
        try check(tokenize: "unicode61 remove_diacritics 0")
    }

    /// Every letter of every script we index stays inside its token in FTS5's `ascii`
    /// tokenizer: a document of all letters (BMP and the CJK extensions), tokenized by us,
    /// comes back from FTS5 as the same tokens.
    func testEveryLetterSurvivesFTS5() throws {
        try requirePythonFTS5()
        var scalars = String.UnicodeScalarView()
        for v in UInt32(0x80)...0x323AF {
            guard let s = Unicode.Scalar(v) else { continue }
            switch s.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .letterNumber:
                scalars.append(s)
                if v % 7 == 0 { scalars.append(" ") }
            default: continue
            }
        }
        let text = String(scalars)
        let record = SearchFixtures.Record(id: 1, year: nil, texts: [.body: text])
        let ours = SearchTokenizer.indexTokens(text)
        XCTAssertGreaterThan(ours.count, 100_000)
        for tokenize in [SearchTokenizer.fts5TokenizeOption, "unicode61 remove_diacritics 0"] {
            let result = try runEngine(tokenize: tokenize, docs: [record], queries: [])
            let theirs = result.tokens["1/body"] ?? []
            if tokenize == SearchTokenizer.fts5TokenizeOption {
                XCTAssertEqual(theirs.count, ours.count)
                XCTAssertTrue(theirs == ours, "ascii tokenizer changed tokens")
            } else if theirs != ours {
                // Informational: unicode61 depends on the SQLite build's Unicode tables (3.40
                // splits New Tai Lue letters that were marks in Unicode 6.1, folds final ς to σ).
                let differing = zip(theirs, ours).filter { $0 != $1 }.count + abs(theirs.count - ours.count)
                print("note: unicode61 differs from our tokens in \(differing) of \(ours.count) tokens")
            }
        }
    }
}
