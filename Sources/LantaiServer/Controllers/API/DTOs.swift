import ArchiveKit
import Foundation
import Vapor

/// Decoding that refuses fields it does not know, so a typo (`tilte`) is an error rather than
/// silently ignored data.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

extension Decoder {
    func rejectUnknownKeys(_ known: Set<String>) throws {
        let c = try container(keyedBy: AnyKey.self)
        if let bad = c.allKeys.first(where: { !known.contains($0.stringValue) }) {
            let path = (codingPath + [bad]).map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: ["."]).replacingOccurrences(of: ".[", with: "[")
            throw LantaiError.field(path, rule: "unknownField",
                                    zh: "未知字段 \(path)（请检查拼写）",
                                    en: "unknown field \(path): check its spelling against the API document",
                                    status: .badRequest)
        }
    }
}

/// A file or item as the API sends and receives it (DESIGN.md "Item fields").
struct ItemInput: Decodable, Sendable {
    var fondsId: UUID?
    var parentId: UUID?
    var archivalCode: String?
    var level: String?
    var category: String?
    var title: String?
    var creator: String?
    var documentNumber: String?
    var date: String?
    var year: Int?
    var retention: String?
    var organisation: String?
    var pages: Int?
    var classification: String?
    var accessStatus: String?
    var carrier: String?
    var subjects: [String]?
    var notes: String?
    var location: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case fondsId, parentId, archivalCode, level, category, title, creator, documentNumber, date, year, retention,
             organisation, pages, classification, accessStatus, carrier, subjects, notes, location
    }

    /// One pass over the keys that are present: batches decode thousands of these, and
    /// looking up every known key (plus a separate pass for unknown ones) cost a fifth of an import.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        for key in c.allKeys {
            switch CodingKeys(rawValue: key.stringValue) {
            case .fondsId: fondsId = try c.decodeIfPresent(UUID.self, forKey: key)
            case .parentId: parentId = try c.decodeIfPresent(UUID.self, forKey: key)
            case .archivalCode: archivalCode = try c.decodeIfPresent(String.self, forKey: key)
            case .level: level = try c.decodeIfPresent(String.self, forKey: key)
            case .category: category = try c.decodeIfPresent(String.self, forKey: key)
            case .title: title = try c.decodeIfPresent(String.self, forKey: key)
            case .creator: creator = try c.decodeIfPresent(String.self, forKey: key)
            case .documentNumber: documentNumber = try c.decodeIfPresent(String.self, forKey: key)
            case .date: date = try c.decodeIfPresent(String.self, forKey: key)
            case .year: year = try c.decodeIfPresent(Int.self, forKey: key)
            case .retention: retention = try c.decodeIfPresent(String.self, forKey: key)
            case .organisation: organisation = try c.decodeIfPresent(String.self, forKey: key)
            case .pages: pages = try c.decodeIfPresent(Int.self, forKey: key)
            case .classification: classification = try c.decodeIfPresent(String.self, forKey: key)
            case .accessStatus: accessStatus = try c.decodeIfPresent(String.self, forKey: key)
            case .carrier: carrier = try c.decodeIfPresent(String.self, forKey: key)
            case .subjects: subjects = try c.decodeIfPresent([String].self, forKey: key)
            case .notes: notes = try c.decodeIfPresent(String.self, forKey: key)
            case .location: location = try c.decodeIfPresent(String.self, forKey: key)
            case nil: try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)))
            }
        }
    }

    var draft: RecordDraft {
        var d = RecordDraft()
        d.level = level
        d.category = category
        d.title = title
        d.creator = creator
        d.documentNumber = documentNumber
        d.date = date
        d.year = year.map(String.init)
        d.retention = retention
        d.organisation = organisation
        d.pages = pages.map(String.init)
        d.classification = classification
        d.accessStatus = accessStatus
        d.carrier = carrier
        d.subjects = subjects
        d.notes = notes
        d.location = location
        return d
    }
}

struct BatchInput: Decodable, Sendable {
    var items: [ItemInput]
    enum CodingKeys: String, CodingKey { case items }
    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(["items"])
        items = try decoder.container(keyedBy: CodingKeys.self).decode([ItemInput].self, forKey: .items)
    }
}

struct ItemDTO: Content {
    var id: UUID
    var fondsId: UUID
    var fondsCode: String
    var parentId: UUID?
    var level: String
    var archivalCode: String
    var category: String
    var title: String
    var creator: String
    var documentNumber: String
    var date: String
    var year: Int
    var retention: String
    var organisation: String
    var pages: Int
    var classification: String
    var accessStatus: String
    var carrier: String
    var subjects: [String]
    var notes: String
    var location: String
    var version: Int
    var createdAt: Date?
    var updatedAt: Date?
    var createdBy: String
    var updatedBy: String

    init(_ m: ItemModel) {
        let d = m.description_
        id = m.id!
        fondsId = m.fondsId
        fondsCode = m.fondsCode
        parentId = m.parentId
        level = m.level
        archivalCode = m.archivalCode
        category = m.category
        title = m.title
        creator = m.creator
        documentNumber = m.documentNumber
        date = m.date
        year = m.year
        retention = m.retention
        organisation = m.organisation
        pages = m.pages
        classification = m.classification
        accessStatus = m.accessStatus
        carrier = m.carrier
        subjects = d.subjects
        notes = m.notes
        location = m.location
        version = m.version
        createdAt = m.createdAt
        updatedAt = m.updatedAt
        createdBy = m.createdBy
        updatedBy = m.updatedBy
    }
}

struct ItemPage: Content {
    var items: [ItemDTO]
    var nextCursor: String?
}

struct HistoryDTO: Content {
    var at: Date
    var actor: String
    var action: String
    var changes: [FieldChange]
}

struct FondsInput: Decodable, Sendable {
    var code: String?
    var name: String?
    var agency: String?
    var history: String?
    var startYear: Int?
    var endYear: Int?
    enum CodingKeys: String, CodingKey, CaseIterable { case code, name, agency, history, startYear, endYear }
    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decodeIfPresent(String.self, forKey: .code)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        agency = try c.decodeIfPresent(String.self, forKey: .agency)
        history = try c.decodeIfPresent(String.self, forKey: .history)
        startYear = try c.decodeIfPresent(Int.self, forKey: .startYear)
        endYear = try c.decodeIfPresent(Int.self, forKey: .endYear)
    }
}

struct FondsDTO: Content {
    var id: UUID
    var code: String
    var name: String
    var agency: String
    var history: String
    var startYear: Int?
    var endYear: Int?
    init(_ f: FondsModel) {
        id = f.id!
        code = f.code
        name = f.name
        agency = f.agency
        history = f.history
        startYear = f.startYear
        endYear = f.endYear
    }
}

struct CategoryInput: Decodable, Sendable {
    var code: String?
    var nameZh: String?
    var nameEn: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case code, nameZh, nameEn }
    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decodeIfPresent(String.self, forKey: .code)
        nameZh = try c.decodeIfPresent(String.self, forKey: .nameZh)
        nameEn = try c.decodeIfPresent(String.self, forKey: .nameEn)
    }
}

struct CategoryDTO: Content {
    var code: String
    var nameZh: String
    var nameEn: String
    init(_ c: CategoryModel) {
        code = c.id!
        nameZh = c.nameZh
        nameEn = c.nameEn
    }
}
