import ArchiveKit
import Foundation
import XCTest

final class DemoCatalogueTests: XCTestCase {
    static let catalogue = DemoCatalogue.generate()
    var catalogue: DemoCatalogue { Self.catalogue }
    var records: [DemoCatalogue.Record] { Self.catalogue.records }

    // MARK: Determinism and size

    func testSameSeedGivesSameCatalogue() {
        let again = DemoCatalogue.generate()
        XCTAssertEqual(again.fonds, catalogue.fonds)
        XCTAssertEqual(again.records.count, records.count)
        for (a, b) in zip(again.records, records) {
            XCTAssertEqual(a.description, b.description)
            XCTAssertEqual(a.parentKey, b.parentKey)
            XCTAssertEqual(a.fonds, b.fonds)
        }
        let other = DemoCatalogue.generate(seed: 7)
        XCTAssertNotEqual(other.records.prefix(50).map(\.description.title), records.prefix(50).map(\.description.title),
                          "another seed gives another catalogue")
        let otherAgain = DemoCatalogue.generate(seed: 7)
        XCTAssertEqual(other.records.map(\.description.title), otherAgain.records.map(\.description.title))
        XCTAssertEqual(other.records.map(\.description.date), otherAgain.records.map(\.description.date))
    }

    func testCountIsCloseToItemCount() {
        for (seed, n) in [(UInt64(20241127), 2000), (1, 2000), (99, 500), (5, 5000)] {
            let c = n == 2000 && seed == 20241127 ? catalogue : DemoCatalogue.generate(seed: seed, itemCount: n)
            XCTAssertEqual(Double(c.records.count), Double(n), accuracy: Double(n) * 0.1, "seed \(seed), \(n)")
        }
        XCTAssertTrue(DemoCatalogue.generate(itemCount: 0).records.isEmpty)
        XCTAssertFalse(DemoCatalogue.generate(itemCount: 30).records.isEmpty)
    }

    func testKeysAreIndices() {
        for (i, r) in records.enumerated() { XCTAssertEqual(r.key, i) }
    }

    // MARK: Fonds

    func testFonds() {
        XCTAssertEqual(catalogue.fonds.map(\.code), ["J001", "J012", "J025", "J031"])
        XCTAssertEqual(Set(catalogue.fonds.map(\.code)).count, catalogue.fonds.count)
        for f in catalogue.fonds {
            XCTAssertTrue(FondsCode.isWellFormed(f.code), f.code)
            XCTAssertTrue(f.name.hasPrefix("江临市"), f.name)
            XCTAssertTrue(f.agency.hasPrefix("江临市"), f.agency)
            XCTAssertGreaterThanOrEqual(f.history.filter { $0 == "。" }.count, 2, f.history)
            XCTAssertGreaterThanOrEqual(f.startYear, 1950)
            XCTAssertLessThanOrEqual(f.endYear, 2024)
            XCTAssertLessThan(f.startYear, f.endYear)
        }
        let byCode = Dictionary(uniqueKeysWithValues: catalogue.fonds.map { ($0.code, $0) })
        for r in records {
            guard let f = byCode[r.fonds] else { return XCTFail("unknown fonds \(r.fonds)") }
            XCTAssertTrue((f.startYear...f.endYear).contains(r.description.year), "\(r.fonds) \(r.description.year)")
        }
        for code in byCode.keys {
            XCTAssertGreaterThan(records.filter { $0.fonds == code }.count, 100, code)
        }
    }

    // MARK: Validation

    func testEveryRecordPassesValidationUnchanged() {
        for r in records {
            let d = r.description
            let draft = RecordDraft(d)
            switch draft.validated() {
            case .success(let v): XCTAssertEqual(v, d, "record \(r.key) changed by validation")
            case .failure(let f): XCTFail("record \(r.key) \(d.title): \(f.errors.map(\.message))")
            }
        }
    }

    func testFieldShapes() {
        let carriers: Set<String> = ["纸质", "电子", "照片", "磁带", "光盘", "实物"]
        for r in records {
            let d = r.description
            XCTAssertTrue(carriers.contains(d.carrier), d.carrier)
            XCTAssertTrue(d.organisation.isEmpty || OrganisationCode.isWellFormed(d.organisation), d.organisation)
            XCTAssertTrue((1...3).contains(d.subjects.count), "\(d.title) \(d.subjects)")
            XCTAssertEqual(Set(d.subjects).count, d.subjects.count)
            XCTAssertFalse(d.creator.isEmpty)
            XCTAssertTrue(d.creator.contains("江临") || d.creator.contains("江东"), d.creator)
            if d.carrier == "纸质" {
                XCTAssertTrue((1...120).contains(d.pages), "\(d.title): \(d.pages) pages")
                XCTAssertTrue(d.location.hasSuffix("层") && d.location.contains("号库房-"), d.location)
            }
            if d.level == .item {
                XCTAssertNotNil(CalendarDate(parsing: d.date), d.date)
                XCTAssertEqual(Int(d.date.prefix(4)), d.year)
            } else {
                XCTAssertTrue(d.date.isEmpty || CalendarDate(parsing: d.date) != nil)
            }
        }
        XCTAssertTrue(records.contains { $0.description.organisation.isEmpty })
        for code in ["BGS", "ZCK", "CWK", "JJK", "RSK", "DJK"] {
            XCTAssertTrue(records.contains { $0.description.organisation == code }, code)
        }
        let withNotes = records.filter { !$0.description.notes.isEmpty }.count
        XCTAssertGreaterThan(withNotes, 0)
        XCTAssertLessThan(withNotes, records.count / 5, "notes are mostly empty")
    }

    // MARK: Coverage

    func testEveryVocabularyValueAppears() {
        for v in Retention.allCases { XCTAssertTrue(records.contains { $0.description.retention == v }, v.rawValue) }
        for v in Classification.allCases { XCTAssertTrue(records.contains { $0.description.classification == v }, v.rawValue) }
        for v in AccessStatus.allCases { XCTAssertTrue(records.contains { $0.description.accessStatus == v }, v.rawValue) }
        for v in DescriptionLevel.allCases { XCTAssertTrue(records.contains { $0.description.level == v }, v.rawValue) }
    }

    func testEveryCategoryAppearsAndWSDominates() {
        var count: [String: Int] = [:]
        for r in records { count[r.description.category, default: 0] += 1 }
        for c in ["WS", "KJ", "KU", "ZP", "LY", "LX", "SW", "DZ"] {
            XCTAssertGreaterThan(count[c] ?? 0, 0, c)
            XCTAssertNotNil(CategoryCode.standard(parsing: c))
        }
        XCTAssertEqual(Set(count.keys), ["WS", "KJ", "KU", "ZP", "LY", "LX", "SW", "DZ"])
        let ws = count["WS"] ?? 0
        XCTAssertEqual(count.max { $0.value < $1.value }?.key, "WS")
        XCTAssertGreaterThan(ws, records.count * 2 / 5)
    }

    func testYears() {
        let years = Set(records.map(\.description.year))
        XCTAssertGreaterThanOrEqual(years.count, 60)
        XCTAssertTrue(years.allSatisfy { (1950...2024).contains($0) })
        for r in records where ["LX", "DZ"].contains(r.description.category) {
            XCTAssertGreaterThanOrEqual(r.description.year, r.description.category == "LX" ? 1985 : 2003)
        }
    }

    // MARK: Classification and access

    func testClassifiedRecordsAreNeverOpen() {
        let classified = records.filter { $0.description.classification != .none }
        XCTAssertTrue(classified.allSatisfy { $0.description.accessStatus != .open })
        // Mostly unclassified: a few dozen 秘密/机密, a handful of 绝密.
        XCTAssertLessThan(classified.count, records.count / 10)
        let topSecret = classified.filter { $0.description.classification == .topSecret }.count
        XCTAssertTrue((1...15).contains(topSecret), "\(topSecret) top-secret records")
        let confidentialOrSecret = classified.count - topSecret
        XCTAssertTrue((15...150).contains(confidentialOrSecret), "\(confidentialOrSecret) 秘密/机密 records")
    }

    func testAccessStatusFollowsAge() {
        func share(_ status: AccessStatus, _ years: ClosedRange<Int>) -> Double {
            let rs = records.filter { years.contains($0.description.year) }
            return Double(rs.filter { $0.description.accessStatus == status }.count) / Double(max(rs.count, 1))
        }
        XCTAssertGreaterThan(share(.open, 1950...1999), 0.5, "old records are mostly open")
        XCTAssertGreaterThan(share(.controlled, 1950...1999), 0.05, "some old records are controlled")
        XCTAssertGreaterThan(share(.unreviewed, 2015...2024), 0.6, "recent records are mostly unreviewed")
        let middle = Set(records.filter { (2000...2014).contains($0.description.year) }.map(\.description.accessStatus))
        XCTAssertEqual(middle, Set(AccessStatus.allCases))
    }

    // MARK: Files and items

    func testItemsPointToEarlierFilesOfTheSameGroup() {
        var itemsPerFile: [Int: Int] = [:]
        for r in records {
            guard let pk = r.parentKey else { continue }
            XCTAssertLessThan(pk, r.key)
            let file = records[pk]
            let f = file.description, d = r.description
            XCTAssertEqual(f.level, .file)
            XCTAssertEqual(d.level, .item)
            XCTAssertNil(file.parentKey)
            XCTAssertEqual(file.fonds, r.fonds)
            XCTAssertEqual(f.category, d.category)
            XCTAssertEqual(f.year, d.year)
            XCTAssertEqual(f.retention, d.retention)
            XCTAssertEqual(f.organisation, d.organisation)
            XCTAssertEqual(f.classification, d.classification)
            XCTAssertEqual(f.accessStatus, d.accessStatus)
            XCTAssertEqual(f.location, d.location)
            itemsPerFile[pk, default: 0] += 1
        }
        let files = records.filter { $0.description.level == .file }
        XCTAssertGreaterThanOrEqual(files.count, 40)
        for f in files {
            XCTAssertNil(f.parentKey)
            XCTAssertTrue((5...15).contains(itemsPerFile[f.key] ?? 0), "\(f.description.title): \(itemsPerFile[f.key] ?? 0) items")
            let pages = records.filter { $0.parentKey == f.key }.reduce(0) { $0 + $1.description.pages }
            XCTAssertEqual(f.description.pages, pages, f.description.title)
        }
        // Items of a file follow it directly, in date order.
        for f in files {
            let n = itemsPerFile[f.key] ?? 0
            let items = records[(f.key + 1)...(f.key + n)]
            XCTAssertTrue(items.allSatisfy { $0.parentKey == f.key })
            XCTAssertEqual(items.map(\.description.date), items.map(\.description.date).sorted())
        }
        // KJ and KU are mostly arranged in files.
        for c in ["KJ", "KU"] {
            let rs = records.filter { $0.description.category == c }
            XCTAssertGreaterThan(rs.filter { $0.parentKey != nil || $0.description.level == .file }.count, rs.count / 2, c)
        }
    }

    // MARK: Titles and document numbers

    func testTitlesAreMostlyDistinct() {
        let titles = records.map(\.description.title)
        XCTAssertGreaterThanOrEqual(Double(Set(titles).count), Double(titles.count) * 0.8)
        XCTAssertTrue(titles.allSatisfy { !$0.isEmpty && $0 == $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        let ws = records.filter { $0.description.category == "WS" && $0.description.title.hasPrefix("关于") }
        XCTAssertGreaterThan(ws.count, 200)
        for genre in ["通知", "请示", "报告", "批复", "决定", "意见", "函", "会议纪要", "总结", "计划"] {
            XCTAssertTrue(titles.contains { $0.hasSuffix(genre) || $0.hasSuffix(genre + "要点") }, genre)
        }
        for phrase in ["结婚登记", "学籍", "宅基地", "招工", "入伍", "退伍军人", "现场照片", "会议录音", "会计凭证", "录像"] {
            XCTAssertTrue(titles.contains { $0.contains(phrase) }, phrase)
        }
    }

    /// Parses 江政办发〔1987〕23号 and （57）江人委办字第45号 into series and number.
    private func parseDocumentNumber(_ s: String) -> (series: String, number: Int)? {
        if s.hasPrefix("（") {
            guard let close = s.firstIndex(of: "）"), let di = s.lastIndex(of: "第"), s.hasSuffix("号") else { return nil }
            let series = String(s[s.index(after: close)..<di])
            return Int(s[s.index(after: di)..<s.index(before: s.endIndex)]).map { (series, $0) }
        }
        guard let open = s.firstIndex(of: "〔"), let close = s.firstIndex(of: "〕"), s.hasSuffix("号") else { return nil }
        return Int(s[s.index(after: close)..<s.index(before: s.endIndex)]).map { (String(s[..<open]), $0) }
    }

    func testDocumentNumbersIncreaseWithinAgencyAndYear() {
        var groups: [String: [(date: String, number: Int)]] = [:]
        var numbered = 0
        for r in records where !r.description.documentNumber.isEmpty {
            let d = r.description
            guard let (series, n) = parseDocumentNumber(d.documentNumber) else {
                XCTFail("malformed 文号 \(d.documentNumber)")
                continue
            }
            XCTAssertTrue(series.hasPrefix("江"), series)
            XCTAssertTrue(d.documentNumber.contains(String(d.year)) || d.documentNumber.hasPrefix("（\(String(d.year).suffix(2))）"),
                          d.documentNumber)
            groups["\(r.fonds)|\(series)|\(d.year)", default: []].append((d.date, n))
            numbered += 1
        }
        XCTAssertGreaterThan(numbered, records.count / 4)
        for (key, docs) in groups {
            let byDate = docs.sorted { ($0.date, $0.number) < ($1.date, $1.number) }
            let numbers = byDate.map(\.number)
            XCTAssertEqual(numbers, numbers.sorted(), key)
            XCTAssertEqual(Set(numbers).count, numbers.count, "\(key) repeats a number")
        }
        XCTAssertTrue(records.contains { $0.description.documentNumber.hasPrefix("江政办发〔") })
        XCTAssertTrue(records.contains { $0.description.documentNumber.hasPrefix("江教") })
        XCTAssertTrue(records.contains { $0.description.documentNumber.hasPrefix("江民") })
        XCTAssertTrue(records.contains { $0.description.documentNumber.hasPrefix("江国土资") || $0.description.documentNumber.hasPrefix("江自然资规") })
        for r in records where ["ZP", "LY", "LX", "SW"].contains(r.description.category) {
            XCTAssertTrue(r.description.documentNumber.isEmpty)
        }
    }

    // MARK: Scale

    func testLargeCatalogue() {
        let start = Date()
        let big = DemoCatalogue.generate(seed: 3, itemCount: 100_000)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(Double(big.records.count), 100_000, accuracy: 10_000)
        XCTAssertTrue(big.records.enumerated().allSatisfy { $0.offset == $0.element.key })
        XCTAssertTrue(big.records.allSatisfy { r in r.parentKey.map { $0 < r.key && big.records[$0].description.level == .file } ?? true })
        print("DemoCatalogue: 100,000 records in \(String(format: "%.2f", elapsed)) s")
        let t2 = Date()
        _ = DemoCatalogue.generate(seed: 4, itemCount: 2000)
        let small = Date().timeIntervalSince(t2)
        print("DemoCatalogue: 2,000 records in \(String(format: "%.3f", small)) s")
        XCTAssertLessThan(small, 1.0)
    }

    /// Prints the distribution (run with --filter DemoCatalogueTests/testPrintSummary to see it).
    func testPrintSummary() {
        func tally<T: Hashable>(_ f: (RecordDescription) -> T) -> [T: Int] {
            var out: [T: Int] = [:]
            for r in records { out[f(r.description), default: 0] += 1 }
            return out
        }
        var lines = ["records \(records.count), files \(records.filter { $0.description.level == .file }.count), items in files \(records.filter { $0.parentKey != nil }.count), fonds \(catalogue.fonds.count)"]
        var perFonds: [String: Int] = [:]
        for r in records { perFonds[r.fonds, default: 0] += 1 }
        lines.append("fonds: " + perFonds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("category: " + tally(\.category).sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("retention: " + tally(\.retention).sorted { $0.value > $1.value }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
        lines.append("classification: " + tally(\.classification).sorted { $0.value > $1.value }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
        lines.append("access: " + tally(\.accessStatus).sorted { $0.value > $1.value }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
        lines.append("carrier: " + tally(\.carrier).sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        let years = tally(\.year)
        lines.append("years: \(years.count) distinct, \(years.keys.min() ?? 0)–\(years.keys.max() ?? 0)")
        lines.append("distinct titles: \(Set(records.map(\.description.title)).count)")
        lines.append("with 文号: \(records.filter { !$0.description.documentNumber.isEmpty }.count)")
        print(lines.joined(separator: "\n"))
        for r in records.prefix(3) + records.filter({ $0.description.classification == .topSecret }).prefix(2) {
            print(r.key, r.parentKey as Any, r.fonds, r.description)
        }
    }
}
