import ArchiveKit
import Foundation
import Ingest

/// A catalogue row from a record package's METS, for a record no description object holds,
/// and the description a row carries, to compare with a package's.
enum RebuildRecord {
    static func description(of r: SnapshotItem) -> RecordDescription {
        RecordDescription(
            level: DescriptionLevel(rawValue: r.level) ?? .item, category: r.category, title: r.title, creator: r.creator,
            documentNumber: r.documentNumber, date: r.date, year: r.year,
            retention: Retention(rawValue: r.retention) ?? .permanent, organisation: r.organisation, pages: r.pages,
            classification: Classification(rawValue: r.classification) ?? .topSecret,
            accessStatus: AccessStatus(rawValue: r.accessStatus) ?? .controlled, carrier: r.carrier,
            subjects: r.subjects.isEmpty ? [] : r.subjects.components(separatedBy: "\n"), notes: r.notes, location: r.location)
    }

    /// What the package knows: identity, description, when it was first preserved, who accepted
    /// it and from which transfer (both from its events). Not in a package: the catalogue-sheet
    /// row and the edit count, so `source_row` is empty and `version` starts again at 1.
    static func row(from s: AIPRecordSnapshot, fondsId: UUID, parentId: UUID?) -> SnapshotItem {
        let d = s.description
        let accepter = s.events.last { $0.type == .accession }.flatMap { event -> String? in
            if case .person(let account, _) = event.agent { return account }
            return nil
        } ?? "rebuild-catalog"
        let transfer = s.events.first { $0.type == .ingestion }.flatMap { transferID(in: $0.detail) }
        return SnapshotItem(id: s.itemID, createdAt: SnapshotTime.format(s.created),
                       updatedAt: SnapshotTime.format(s.lastModified ?? s.created), createdBy: accepter, updatedBy: accepter,
                       version: 1, fondsId: fondsId, fondsCode: s.fonds, parentId: parentId, archivalCode: s.archivalCode,
                       objectId: s.objectID, transferId: transfer, sourceRow: nil, level: d.level.rawValue, category: d.category,
                       title: d.title, creator: d.creator, documentNumber: d.documentNumber, date: d.date, year: d.year,
                       retention: d.retention.rawValue, organisation: d.organisation, pages: d.pages,
                       classification: d.classification.rawValue, accessStatus: d.accessStatus.rawValue, carrier: d.carrier,
                       subjects: d.subjects.joined(separator: "\n"), notes: d.notes, location: d.location)
    }

    /// The transfer id in an ingestion event's detail, as accession writes it:
    /// `transfer <uuid> from <agency> by <officer>`.
    static func transferID(in detail: String) -> UUID? {
        guard let range = detail.range(of: "transfer ") else { return nil }
        return UUID(uuidString: String(detail[range.upperBound...].prefix(36)))
    }
}
