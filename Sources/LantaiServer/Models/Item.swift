import ArchiveKit
import Fluent
import Foundation

/// A file (案卷) or an item (件) of the catalogue, with its 档号.
final class ItemModel: Model, @unchecked Sendable {
    static let schema = "items"

    // Managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    @Field(key: "created_by") var createdBy: String
    @Field(key: "updated_by") var updatedBy: String
    /// Increases with each edit (optimistic concurrency for forms and PATCH with If-Match).
    @Field(key: "version") var version: Int

    // Placement
    @Field(key: "fonds_id") var fondsId: UUID
    /// The fonds number, copied so that access rules filter without a join.
    @Field(key: "fonds_code") var fondsCode: String
    @OptionalField(key: "parent_id") var parentId: UUID?
    /// 档号
    @Field(key: "archival_code") var archivalCode: String
    /// The OCFL object holding this record's archival package, once preserved.
    @OptionalField(key: "object_id") var objectID: String?
    /// The transfer the record came in with, if any.
    @OptionalField(key: "transfer_id") var transferID: UUID?
    /// Its row in that transfer's catalogue sheet.
    @OptionalField(key: "source_row") var sourceRow: Int?

    // Description (DA/T 18)
    @Field(key: "level") var level: String
    @Field(key: "category") var category: String
    @Field(key: "title") var title: String
    @Field(key: "creator") var creator: String
    @Field(key: "document_number") var documentNumber: String
    @Field(key: "date") var date: String
    @Field(key: "year") var year: Int
    @Field(key: "retention") var retention: String
    @Field(key: "organisation") var organisation: String
    @Field(key: "pages") var pages: Int
    @Field(key: "classification") var classification: String
    @Field(key: "access_status") var accessStatus: String
    @Field(key: "carrier") var carrier: String
    /// 主题词, joined by a newline.
    @Field(key: "subjects") var subjects: String
    @Field(key: "notes") var notes: String
    @Field(key: "location") var location: String

    init() {}

    var description_: RecordDescription {
        RecordDescription(
            level: DescriptionLevel(rawValue: level) ?? .item, category: category, title: title, creator: creator,
            documentNumber: documentNumber, date: date, year: year,
            retention: Retention(rawValue: retention) ?? .permanent, organisation: organisation, pages: pages,
            classification: Classification(rawValue: classification) ?? .topSecret,
            accessStatus: AccessStatus(rawValue: accessStatus) ?? .controlled, carrier: carrier,
            subjects: subjects.isEmpty ? [] : subjects.components(separatedBy: "\n"), notes: notes, location: location)
    }

    func apply(_ d: RecordDescription) {
        level = d.level.rawValue
        category = d.category
        title = d.title
        creator = d.creator
        documentNumber = d.documentNumber
        date = d.date
        year = d.year
        retention = d.retention.rawValue
        organisation = d.organisation
        pages = d.pages
        classification = d.classification.rawValue
        accessStatus = d.accessStatus.rawValue
        carrier = d.carrier
        subjects = d.subjects.joined(separator: "\n")
        notes = d.notes
        location = d.location
    }

    var accessAttributes: RecordAccessAttributes {
        RecordAccessAttributes(accessStatus: AccessStatus(rawValue: accessStatus) ?? .controlled,
                               classification: Classification(rawValue: classification) ?? .topSecret,
                               fonds: fondsCode)
    }
}

/// One change to an item: who, when, what (a list of field changes as JSON).
final class ItemHistoryModel: Model, @unchecked Sendable {
    static let schema = "item_history"

    @ID(key: .id) var id: UUID?
    @Field(key: "item_id") var itemId: UUID
    @Field(key: "at") var at: Date
    @Field(key: "actor") var actor: String
    /// create | update
    @Field(key: "action") var action: String
    @Field(key: "changes") var changes: String

    init() {}
}
