import XCTest
import ArchiveKit

/// The one validator behind the API, the pages and imports: every rule, every message in both
/// languages, every problem at once, and PATCH semantics for edits.
final class RecordDraftTests: XCTestCase {

    // MARK: - Helpers

    /// The least a new record needs: category, title, year (or a date) and retention.
    private func minimal() -> RecordDraft {
        var d = RecordDraft()
        d.category = "WS"
        d.title = "关于2015年度工作总结的报告"
        d.year = "2015"
        d.retention = "permanent"
        return d
    }

    private func draft(_ edit: (inout RecordDraft) -> Void) -> RecordDraft {
        var d = minimal()
        edit(&d)
        return d
    }

    private func valid(_ d: RecordDraft, over base: RecordDescription? = nil,
                       file: StaticString = #filePath, line: UInt = #line) -> RecordDescription? {
        switch d.validated(over: base) {
        case .success(let r): return r
        case .failure(let f):
            XCTFail("expected valid, got \(f.errors.map(\.message))", file: file, line: line)
            return nil
        }
    }

    private func errors(_ d: RecordDraft, over base: RecordDescription? = nil,
                        file: StaticString = #filePath, line: UInt = #line) -> [FieldError] {
        switch d.validated(over: base) {
        case .success(let r):
            XCTFail("expected errors, got a valid record \(r)", file: file, line: line)
            return []
        case .failure(let f):
            XCTAssertFalse(f.errors.isEmpty, "a failure must name at least one problem", file: file, line: line)
            return f.errors
        }
    }

    private func containsCJK(_ s: String) -> Bool {
        s.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }
    }

    /// Asserts the draft fails with an error on `field` by `rule`, and that the error speaks both languages.
    @discardableResult
    private func assertFails(_ d: RecordDraft, over base: RecordDescription? = nil, field: String, rule: String,
                             file: StaticString = #filePath, line: UInt = #line) -> FieldError? {
        let errs = errors(d, over: base, file: file, line: line)
        guard let e = errs.first(where: { $0.field == field && $0.rule == rule }) else {
            XCTFail("expected \(field)/\(rule), got \(errs.map { "\($0.field)/\($0.rule)" })", file: file, line: line)
            return nil
        }
        assertBilingual(e, file: file, line: line)
        return e
    }

    private func assertBilingual(_ e: FieldError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(e.zh.trimmingCharacters(in: .whitespaces).isEmpty, "zh message empty for \(e.field)/\(e.rule)",
                       file: file, line: line)
        XCTAssertFalse(e.en.trimmingCharacters(in: .whitespaces).isEmpty, "en message empty for \(e.field)/\(e.rule)",
                       file: file, line: line)
        XCTAssertTrue(containsCJK(e.zh), "zh message is not Chinese: \(e.zh)", file: file, line: line)
        XCTAssertTrue(e.en.contains { $0.isASCII && $0.isLetter }, "en message is not English: \(e.en)",
                      file: file, line: line)
        XCTAssertEqual(e.message, "\(e.zh) / \(e.en)", file: file, line: line)
    }

    private func base() -> RecordDescription {
        RecordDescription(level: .item, category: "WS", title: "关于印发2015年工作要点的通知", creator: "市档案局",
                          documentNumber: "档发〔2015〕3号", date: "2015-03-12", year: 2015, retention: .permanent,
                          organisation: "BGS", pages: 4, classification: .none, accessStatus: .controlled,
                          carrier: "纸质", subjects: ["工作要点", "通知"], notes: "原件\n有批注", location: "1库3架2层")
    }

    // MARK: - Valid drafts

    func testMinimalDraftIsValidWithDefaults() throws {
        let r = try XCTUnwrap(valid(minimal()))
        XCTAssertEqual(r.level, .item)
        XCTAssertEqual(r.category, "WS")
        XCTAssertEqual(r.title, "关于2015年度工作总结的报告")
        XCTAssertEqual(r.year, 2015)
        XCTAssertEqual(r.retention, .permanent)
        XCTAssertEqual(r.classification, .none)
        XCTAssertEqual(r.accessStatus, .unreviewed, "a new record is unreviewed until appraised")
        XCTAssertEqual(r.organisation, "")
        XCTAssertEqual(r.date, "")
        XCTAssertEqual(r.pages, 0)
        XCTAssertEqual(r.subjects, [])
        XCTAssertEqual(r.notes, "")
    }

    func testFullDraftIsValidAndKeepsEveryField() throws {
        var d = RecordDraft()
        d.level = "file"
        d.category = "KJ"
        d.title = "  某大桥设计图纸  "
        d.creator = "市设计院"
        d.documentNumber = "设〔2015〕12号"
        d.date = "2015-06-30"
        d.year = "2015"
        d.retention = "30y"
        d.organisation = "jjk"
        d.pages = " 120 "
        d.classification = "secret"
        d.accessStatus = "controlled"
        d.carrier = "纸质"
        d.subjects = [" 桥梁 ", "", "设计"]
        d.notes = "第一页\n第二页"
        d.location = "2库1架"
        let r = try XCTUnwrap(valid(d))
        XCTAssertEqual(r, RecordDescription(
            level: .file, category: "KJ", title: "某大桥设计图纸", creator: "市设计院", documentNumber: "设〔2015〕12号",
            date: "2015-06-30", year: 2015, retention: .thirtyYears, organisation: "JJK", pages: 120,
            classification: .secret, accessStatus: .controlled, carrier: "纸质", subjects: ["桥梁", "设计"],
            notes: "第一页\n第二页", location: "2库1架"))
    }

    func testYearIsTakenFromTheDateWhenNotGiven() throws {
        let r = try XCTUnwrap(valid(draft { $0.year = nil; $0.date = "2014-11-05" }))
        XCTAssertEqual(r.year, 2014)
        XCTAssertEqual(r.date, "2014-11-05")
    }

    func testChineseLevelNames() throws {
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.level = "案卷" })).level, .file)
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.level = "件" })).level, .item)
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.level = "FILE" })).level, .file)
    }

    // MARK: - Title

    func testMissingTitle() {
        assertFails(draft { $0.title = nil }, field: "title", rule: "required")
        assertFails(draft { $0.title = "" }, field: "title", rule: "required")
        assertFails(draft { $0.title = "  \n\t " }, field: "title", rule: "required")
    }

    func testTitleLength() {
        XCTAssertNotNil(valid(draft { $0.title = String(repeating: "档", count: 500) }),
                        "500 Chinese characters count as 500, not as their UTF-8 bytes")
        XCTAssertNotNil(valid(draft { $0.title = String(repeating: "a", count: 500) }))
        let e = assertFails(draft { $0.title = String(repeating: "档", count: 501) }, field: "title", rule: "maxLength")
        XCTAssertTrue(e?.en.contains("500") ?? false, "the message states the limit")
    }

    func testControlCharactersInTitle() {
        for bad in ["a\u{0}b", "a\u{7}b", "a\u{8}b", "a\nb", "a\rb", "a\tb", "a\u{1B}[31mb", "a\u{7F}b",
                    "a\u{85}b", "a\u{2028}b", "a\u{2029}b"] {
            assertFails(draft { $0.title = bad }, field: "title", rule: "controlCharacters")
        }
    }

    func testControlCharactersInOtherTextFields() {
        assertFails(draft { $0.creator = "市\u{0}档案局" }, field: "creator", rule: "controlCharacters")
        assertFails(draft { $0.documentNumber = "3\n号" }, field: "documentNumber", rule: "controlCharacters")
        assertFails(draft { $0.location = "1库\t3架" }, field: "location", rule: "controlCharacters")
        assertFails(draft { $0.carrier = "纸\u{1B}质" }, field: "carrier", rule: "controlCharacters")
        let subjectErrors = errors(draft { $0.subjects = ["工作\n要点"] })
        XCTAssertEqual(subjectErrors.map(\.field), ["subjects"])
        subjectErrors.forEach { assertBilingual($0) }
    }

    func testNewlinesAllowedInNotesButNotOtherControlCharacters() throws {
        let r = try XCTUnwrap(valid(draft { $0.notes = "第一行\n第二行\r\n第三行\t制表" }))
        XCTAssertEqual(r.notes, "第一行\n第二行\r\n第三行\t制表")
        assertFails(draft { $0.notes = "第一行\u{0}" }, field: "notes", rule: "controlCharacters")
        assertFails(draft { $0.notes = "a\u{1B}[2Jb" }, field: "notes", rule: "controlCharacters")
        assertFails(draft { $0.notes = "a\u{2028}b" }, field: "notes", rule: "controlCharacters")
    }

    func testOtherLengthLimits() {
        assertFails(draft { $0.creator = String(repeating: "x", count: 201) }, field: "creator", rule: "maxLength")
        assertFails(draft { $0.documentNumber = String(repeating: "x", count: 101) }, field: "documentNumber",
                    rule: "maxLength")
        assertFails(draft { $0.carrier = String(repeating: "x", count: 51) }, field: "carrier", rule: "maxLength")
        assertFails(draft { $0.notes = String(repeating: "x", count: 4001) }, field: "notes", rule: "maxLength")
        assertFails(draft { $0.location = String(repeating: "x", count: 201) }, field: "location", rule: "maxLength")
        XCTAssertNotNil(valid(draft { $0.notes = String(repeating: "x", count: 4000) }))
    }

    // MARK: - Date and year

    func testImpossibleDates() {
        for bad in ["2015-02-30", "2015-04-31", "2015-06-31", "2015-09-31", "2015-11-31", "2015-13-01",
                    "2015-00-10", "2015-01-00", "2015-01-32"] {
            assertFails(draft { $0.date = bad }, field: "date", rule: "date")
        }
    }

    func testLeapYears() throws {
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.year = "2016"; $0.date = "2016-02-29" })).date, "2016-02-29")
        XCTAssertNotNil(valid(draft { $0.year = "2000"; $0.date = "2000-02-29" }), "divisible by 400: leap")
        assertFails(draft { $0.year = "2015"; $0.date = "2015-02-29" }, field: "date", rule: "date")
        assertFails(draft { $0.year = "1900"; $0.date = "1900-02-29" }, field: "date", rule: "date")
        assertFails(draft { $0.year = "2100"; $0.date = "2100-02-29" }, field: "date", rule: "date")
        XCTAssertNotNil(valid(draft { $0.year = "1900"; $0.date = "1900-02-28" }))
        XCTAssertNotNil(valid(draft { $0.year = "2015"; $0.date = "2015-12-31" }))
    }

    func testCalendarDateDirectly() {
        XCTAssertNotNil(CalendarDate(parsing: "2016-02-29"))
        XCTAssertNil(CalendarDate(parsing: "2015-02-29"))
        XCTAssertNil(CalendarDate(parsing: "1900-02-29"))
        XCTAssertNotNil(CalendarDate(parsing: "2000-02-29"))
        XCTAssertEqual(CalendarDate(parsing: "2015-03-07").map { [$0.year, $0.month, $0.day] }, [2015, 3, 7])
        XCTAssertEqual(CalendarDate(year: 987, month: 1, day: 2)?.description, "0987-01-02")
        XCTAssertEqual(CalendarDate.daysIn(month: 2, year: 2024), 29)
        XCTAssertEqual(CalendarDate.daysIn(month: 2, year: 2023), 28)
        XCTAssertEqual(CalendarDate.daysIn(month: 4, year: 2023), 30)
        XCTAssertEqual(CalendarDate.daysIn(month: 12, year: 2023), 31)
        XCTAssertTrue(CalendarDate(parsing: "2015-12-31")! < CalendarDate(parsing: "2016-01-01")!)
        XCTAssertTrue(CalendarDate(parsing: "2015-02-01")! < CalendarDate(parsing: "2015-10-01")!)
    }

    func testDateNotInYYYYMMDDForm() {
        for bad in ["2015-2-3", "2015/02/03", "2015.02.03", "20150203", "15-02-03", "03-02-2015", "2015-02-3x",
                    "2015-0a-03", "二〇一五年二月三日", "２０１５-０２-０３", "2015-02-03T10:00", "+015-02-03",
                    "2015--2-03", "yesterday"] {
            let errs = errors(draft { $0.date = bad })
            let e = errs.first { $0.field == "date" }
            XCTAssertNotNil(e, "\(bad) should be refused as a date")
            if let e { assertBilingual(e) }
            XCTAssertTrue(errs.contains { $0.field == "date" && $0.rule == "date" }, bad)
        }
    }

    func testDateYearOutOfRange() {
        assertFails(draft { $0.year = nil; $0.date = "0999-12-31" }, field: "date", rule: "range")
        assertFails(draft { $0.year = nil; $0.date = "2101-01-01" }, field: "date", rule: "range")
        XCTAssertNotNil(valid(draft { $0.year = nil; $0.date = "1000-01-01" }))
        XCTAssertNotNil(valid(draft { $0.year = nil; $0.date = "2100-12-31" }))
    }

    func testYearOutOfRangeOrNotANumber() {
        for bad in ["999", "0999", "2101", "3000", "-2015", "abcd", "20 15", "二〇一五", "2015年", "99999999999999999999"] {
            assertFails(draft { $0.year = bad }, field: "year", rule: "range")
        }
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.year = "1000" })).year, 1000)
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.year = "2100" })).year, 2100)
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.year = " 1987 " })).year, 1987)
    }

    func testYearRequiredWithoutDate() {
        assertFails(draft { $0.year = nil; $0.date = nil }, field: "year", rule: "required")
        assertFails(draft { $0.year = nil; $0.date = "" }, field: "year", rule: "required")
    }

    func testInvalidDateDoesNotAlsoClaimTheYearIsMissing() {
        let errs = errors(draft { $0.year = nil; $0.date = "2015-02-30" })
        XCTAssertEqual(errs.map(\.field), ["date"], "one mistake, one message")
    }

    func testItemYearMustMatchItsDate() {
        let e = assertFails(draft { $0.year = "2016"; $0.date = "2015-12-31" }, field: "year", rule: "matchesDate")
        XCTAssertTrue(e?.en.contains("2016") ?? false)
        XCTAssertTrue(e?.en.contains("2015") ?? false)
        // A file (案卷) spans a period: its year may differ from the date given.
        XCTAssertNotNil(valid(draft { $0.level = "file"; $0.year = "2016"; $0.date = "2015-12-31" }))
    }

    // MARK: - Vocabularies

    func testInvalidVocabularyValues() {
        for bad in ["forever", "D20", "20y", "P", "永远", "permanent;DROP"] {
            assertFails(draft { $0.retention = bad }, field: "retention", rule: "vocabulary")
        }
        for bad in ["restricted", "内部", "top_secret", "4"] {
            assertFails(draft { $0.classification = bad }, field: "classification", rule: "vocabulary")
        }
        for bad in ["closed", "public", "公开", "reviewed"] {
            assertFails(draft { $0.accessStatus = bad }, field: "accessStatus", rule: "vocabulary")
        }
        // An empty cell means "not given": a required vocabulary is then missing, an optional one
        // takes its default, and an edit keeps the old value (it never silently declassifies).
        assertFails(draft { $0.retention = "" }, field: "retention", rule: "required")
        XCTAssertEqual(valid(draft { $0.accessStatus = "" })?.accessStatus, .unreviewed)
        let secret = valid(draft { $0.classification = "secret"; $0.accessStatus = "controlled" })!
        var edit = RecordDraft()
        edit.classification = ""
        XCTAssertEqual(try? edit.validated(over: secret).get().classification, .secret)
        for bad in ["folder", "卷", "items"] {
            assertFails(draft { $0.level = bad }, field: "level", rule: "vocabulary")
        }
    }

    func testVocabularyErrorQuotesTheValueAndTheAllowedOnes() {
        let e = assertFails(draft { $0.retention = "forever" }, field: "retention", rule: "vocabulary")
        XCTAssertTrue(e?.en.contains("forever") ?? false)
        XCTAssertTrue(e?.en.contains("permanent") ?? false)
        XCTAssertTrue(e?.zh.contains("永久") ?? false)
    }

    func testMissingRetention() {
        assertFails(draft { $0.retention = nil }, field: "retention", rule: "required")
    }

    func testChineseAndShortVocabularyAccepted() throws {
        let retentions: [(String, Retention)] = [
            ("永久", .permanent), ("Y", .permanent), ("permanent", .permanent), ("Permanent", .permanent),
            ("定期30年", .thirtyYears), ("30年", .thirtyYears), ("D30", .thirtyYears), ("30y", .thirtyYears),
            ("定期10年", .tenYears), ("10年", .tenYears), ("D10", .tenYears), ("10y", .tenYears), (" 10Y ", .tenYears),
        ]
        for (text, expected) in retentions {
            XCTAssertEqual(try XCTUnwrap(valid(draft { $0.retention = text })).retention, expected, text)
        }
        let classifications: [(String, Classification)] = [
            ("非密", .none), ("none", .none), ("公开", .none), ("", .none),
            ("秘密", .confidential), ("confidential", .confidential),
            ("机密", .secret), ("Secret", .secret),
            ("绝密", .topSecret), ("top-secret", .topSecret), ("top secret", .topSecret),
        ]
        for (text, expected) in classifications {
            XCTAssertEqual(try XCTUnwrap(valid(draft { $0.classification = text })).classification, expected, text)
        }
        let statuses: [(String, AccessStatus)] = [
            ("开放", .open), ("open", .open), ("控制", .controlled), ("控制使用", .controlled),
            ("controlled", .controlled), ("未鉴定", .unreviewed), ("unreviewed", .unreviewed),
        ]
        for (text, expected) in statuses {
            XCTAssertEqual(try XCTUnwrap(valid(draft { $0.accessStatus = text })).accessStatus, expected, text)
        }
    }

    func testClassifiedRecordCannotBeOpen() {
        for c in ["confidential", "秘密", "secret", "机密", "top-secret", "绝密"] {
            let e = assertFails(draft { $0.classification = c; $0.accessStatus = "open" },
                                field: "accessStatus", rule: "classifiedNotOpen")
            XCTAssertNotNil(e, c)
            assertFails(draft { $0.classification = c; $0.accessStatus = "开放" },
                        field: "accessStatus", rule: "classifiedNotOpen")
            XCTAssertNotNil(valid(draft { $0.classification = c; $0.accessStatus = "controlled" }), c)
            XCTAssertNotNil(valid(draft { $0.classification = c; $0.accessStatus = "unreviewed" }), c)
        }
        XCTAssertNotNil(valid(draft { $0.classification = "none"; $0.accessStatus = "open" }))
        XCTAssertNotNil(valid(draft { $0.classification = nil; $0.accessStatus = "open" }))
    }

    // MARK: - Organisation and category

    func testInvalidOrganisationCode() {
        for bad in ["办公室", "B-GS", "B GS", "B·GS", "123", "0001", "BGS_1", "'; --"] {
            assertFails(draft { $0.organisation = bad }, field: "organisation", rule: "pattern")
        }
        let errs = errors(draft { $0.organisation = "ABCDEFGHIJK" })
        XCTAssertTrue(errs.contains { $0.field == "organisation" && $0.rule == "maxLength" })
        XCTAssertTrue(errs.allSatisfy { $0.field == "organisation" })
    }

    func testOrganisationIsUppercasedAndMayBeEmpty() throws {
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.organisation = "bgs" })).organisation, "BGS")
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.organisation = " A1 " })).organisation, "A1")
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.organisation = "" })).organisation, "")
    }

    func testInvalidCategory() {
        for bad in ["W1", "W S", "W-S", "文件", "ws1", "·"] {
            assertFails(draft { $0.category = bad }, field: "category", rule: "pattern")
        }
        assertFails(draft { $0.category = "ABCDE" }, field: "category", rule: "maxLength")
        assertFails(draft { $0.category = nil }, field: "category", rule: "required")
        assertFails(draft { $0.category = "  " }, field: "category", rule: "required")
    }

    func testCategoryAcceptsStandardChineseNamesAndLowercaseCodes() throws {
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.category = "文书" })).category, "WS")
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.category = "照片" })).category, "ZP")
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.category = "kj" })).category, "KJ")
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.category = "ABCD" })).category, "ABCD",
                       "a node may define its own well-formed categories")
    }

    // MARK: - Pages and subjects

    func testPages() throws {
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.pages = "12" })).pages, 12)
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.pages = "" })).pages, 0)
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.pages = "1000000" })).pages, 1_000_000)
        for bad in ["-1", "1000001", "abc", "1.5", "十二"] {
            assertFails(draft { $0.pages = bad }, field: "pages", rule: "range")
        }
    }

    func testSubjects() throws {
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.subjects = Array(repeating: "主题", count: 30) })).subjects.count, 30)
        assertFails(draft { $0.subjects = Array(repeating: "主题", count: 31) }, field: "subjects", rule: "maxCount")
        assertFails(draft { $0.subjects = [String(repeating: "词", count: 51)] }, field: "subjects", rule: "maxLength")
        XCTAssertEqual(try XCTUnwrap(valid(draft { $0.subjects = ["  ", "", "档案"] })).subjects, ["档案"])
    }

    // MARK: - Several errors at once

    func testEmptyDraftReportsEveryRequiredField() {
        let errs = errors(RecordDraft())
        let pairs = Set(errs.map { "\($0.field)/\($0.rule)" })
        XCTAssertTrue(pairs.isSuperset(of: ["category/required", "title/required", "year/required",
                                            "retention/required"]), "\(pairs)")
        errs.forEach { assertBilingual($0) }
    }

    func testSeveralErrorsReportedAtOnce() {
        var d = minimal()
        d.title = "坏\u{0}题名"
        d.date = "2015-02-30"
        d.retention = "forever"
        d.organisation = "办公室"
        d.classification = "secret"
        d.accessStatus = "open"
        d.pages = "-3"
        d.category = "W1"
        let errs = errors(d)
        let pairs = Set(errs.map { "\($0.field)/\($0.rule)" })
        XCTAssertEqual(pairs, ["title/controlCharacters", "date/date", "retention/vocabulary", "organisation/pattern",
                               "accessStatus/classifiedNotOpen", "pages/range", "category/pattern"])
        errs.forEach { assertBilingual($0) }
    }

    func testErrorsAreCodableForTheAPI() throws {
        let e = try XCTUnwrap(errors(draft { $0.title = nil }).first)
        let data = try JSONEncoder().encode(e)
        XCTAssertEqual(try JSONDecoder().decode(FieldError.self, from: data), e)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: String])
        XCTAssertEqual(Set(json.keys), ["field", "rule", "zh", "en"])
    }

    // MARK: - Edits (PATCH over a base)

    func testEmptyPatchKeepsEverything() throws {
        XCTAssertEqual(try XCTUnwrap(valid(RecordDraft(), over: base())), base())
    }

    func testPatchAppliesOnlyGivenFields() throws {
        var patch = RecordDraft()
        patch.title = "关于印发2015年工作要点的通知（修订）"
        patch.pages = "6"
        let r = try XCTUnwrap(valid(patch, over: base()))
        var expected = base()
        expected.title = "关于印发2015年工作要点的通知（修订）"
        expected.pages = 6
        XCTAssertEqual(r, expected)
    }

    func testPatchCanClearOptionalTextButNotRequiredText() throws {
        var clear = RecordDraft()
        clear.creator = ""
        clear.organisation = ""
        let r = try XCTUnwrap(valid(clear, over: base()))
        XCTAssertEqual(r.creator, "")
        XCTAssertEqual(r.organisation, "")
        XCTAssertEqual(r.title, base().title)

        var blank = RecordDraft()
        blank.title = ""
        assertFails(blank, over: base(), field: "title", rule: "required")
    }

    func testPatchVocabularyAndSubjects() throws {
        var p = RecordDraft()
        p.retention = "定期10年"
        p.subjects = ["新主题"]
        let r = try XCTUnwrap(valid(p, over: base()))
        XCTAssertEqual(r.retention, .tenYears)
        XCTAssertEqual(r.subjects, ["新主题"])
        XCTAssertEqual(r.classification, base().classification)
        XCTAssertEqual(r.accessStatus, base().accessStatus)
        XCTAssertEqual(r.notes, base().notes)
    }

    func testPatchIsCheckedAgainstTheBaseItChanges() {
        // Opening a classified record is refused even though the patch names only the status.
        var classified = base()
        classified.classification = .secret
        var open = RecordDraft()
        open.accessStatus = "open"
        assertFails(open, over: classified, field: "accessStatus", rule: "classifiedNotOpen")

        // Classifying an open record without closing it is refused too.
        var openBase = base()
        openBase.accessStatus = .open
        var classify = RecordDraft()
        classify.classification = "secret"
        assertFails(classify, over: openBase, field: "accessStatus", rule: "classifiedNotOpen")

        // Moving an item's date to another year without its year is refused.
        var redate = RecordDraft()
        redate.date = "2016-01-04"
        assertFails(redate, over: base(), field: "year", rule: "matchesDate")
        redate.year = "2016"
        XCTAssertEqual(valid(redate, over: base())?.year, 2016)
    }

    func testInvalidPatchIsRefusedWhole() {
        var p = RecordDraft()
        p.title = "新题名"
        p.pages = "many"
        guard case .failure(let f) = p.validated(over: base()) else { return XCTFail("expected failure") }
        XCTAssertEqual(f.errors.map(\.field), ["pages"])
    }

    // MARK: - changes(to:)

    func testChangesListsExactlyTheChangedFields() throws {
        var p = RecordDraft()
        p.title = "新题名"
        p.pages = "9"
        p.accessStatus = "open"
        let after = try XCTUnwrap(valid(p, over: base()))
        XCTAssertEqual(base().changes(to: after), [
            FieldChange(field: "title", old: "关于印发2015年工作要点的通知", new: "新题名"),
            FieldChange(field: "pages", old: "4", new: "9"),
            FieldChange(field: "accessStatus", old: "controlled", new: "open"),
        ])
    }

    func testNoChangesForAnIdenticalRecord() throws {
        XCTAssertEqual(base().changes(to: base()), [])
        XCTAssertEqual(base().changes(to: try XCTUnwrap(valid(RecordDraft(), over: base()))), [])
    }

    func testEachFieldIsReportedOnItsOwn() {
        let edits: [(String, (inout RecordDescription) -> Void)] = [
            ("level", { $0.level = .file }),
            ("category", { $0.category = "KJ" }),
            ("title", { $0.title = "另一个题名" }),
            ("creator", { $0.creator = "市政府" }),
            ("documentNumber", { $0.documentNumber = "档发〔2015〕4号" }),
            ("date", { $0.date = "2015-03-13" }),
            ("year", { $0.year = 2016 }),
            ("retention", { $0.retention = .tenYears }),
            ("organisation", { $0.organisation = "JJK" }),
            ("pages", { $0.pages = 5 }),
            ("classification", { $0.classification = .secret }),
            ("accessStatus", { $0.accessStatus = .open }),
            ("carrier", { $0.carrier = "电子" }),
            ("subjects", { $0.subjects = ["工作要点"] }),
            ("notes", { $0.notes = "" }),
            ("location", { $0.location = "2库" }),
        ]
        for (field, edit) in edits {
            var after = base()
            edit(&after)
            let changes = base().changes(to: after)
            XCTAssertEqual(changes.map(\.field), [field])
            XCTAssertNotEqual(changes.first?.old, changes.first?.new, field)
        }
        XCTAssertEqual(Set(edits.map(\.0)).count, 16, "every field of RecordDescription is covered")
    }

    func testChangeRecordsOldAndNewInTheirStoredForm() {
        var after = base()
        after.retention = .thirtyYears
        after.classification = .topSecret
        after.subjects = ["甲", "乙", "丙"]
        XCTAssertEqual(base().changes(to: after), [
            FieldChange(field: "retention", old: "permanent", new: "30y"),
            FieldChange(field: "classification", old: "none", new: "top-secret"),
            FieldChange(field: "subjects", old: "工作要点；通知", new: "甲；乙；丙"),
        ])
    }

    func testSubjectChangesAreFoundEvenWhenTheirDisplayTextIsAlike() {
        // The API accepts a subject containing "；"; it is stored apart from two subjects, so
        // splitting it is a change the edit history must show.
        var before = base()
        before.subjects = ["工作；要点"]
        var after = base()
        after.subjects = ["工作", "要点"]
        XCTAssertEqual(before.changes(to: after).map(\.field), ["subjects"])
        var reordered = base()
        reordered.subjects = ["通知", "工作要点"]
        XCTAssertEqual(base().changes(to: reordered).map(\.field), ["subjects"])
    }
}

final class RecordDraftHardeningTests: XCTestCase {
    func base() -> RecordDraft {
        var d = RecordDraft()
        d.category = "WS"
        d.title = "关于档案工作的通知"
        d.year = "2015"
        d.retention = "permanent"
        return d
    }

    func testYearMustBeFourDigits() {
        for bad in ["+2015", "02015", "2015.0", " 2O15"] {
            var d = base()
            d.year = bad
            guard case .failure(let f) = d.validated() else { return XCTFail("\(bad) accepted") }
            XCTAssertEqual(f.errors.first?.field, "year", bad)
        }
    }

    func testBidiOverridesAreRefused() {
        var d = base()
        d.title = "关于\u{202E}fdp.exe的通知"
        guard case .failure(let f) = d.validated() else { return XCTFail("bidi override accepted") }
        XCTAssertEqual(f.errors.first?.rule, "controlCharacters")
    }
}

final class AccessDenialReasonTests: XCTestCase {
    /// A public role is refused a classified record because of its classification, whatever
    /// clearance the account carries — and the message says so.
    func testPublicRoleIsToldAboutClassification() {
        let record = RecordAccessAttributes(accessStatus: .controlled, classification: .secret, fonds: "J001")
        guard case .deny(let zh, let en) = AccessPolicy.decide(.read, record: record, actor: Actor(role: .citizen, clearance: .topSecret))
        else { return XCTFail("allowed") }
        XCTAssertTrue(zh.contains("密级"), zh)
        XCTAssertTrue(en.contains("clearance"), en)
    }
}
