import Foundation

/// The description of a 案卷 (file) or 件 (item) by DA/T 18 / ISAD(G), as a METS document
/// carries it. Packaging does not depend on ArchiveKit, so this is its own plain copy of the
/// fields; coded values (retention, classification, access status) are the API's English codes.
///
/// It is written twice, each in its own `dmdSec`:
/// - `MDTYPE="DC"`: an `oai_dc:dc` record, for any METS reader (title, creator, subject,
///   description, date, format, identifier = 档号 and 文号, language, rights);
/// - `MDTYPE="OTHER" OTHERMDTYPE="DA-T-18"`: every field, in the ``namespace`` below, so that
///   the catalogue can be rebuilt from storage alone. Every element is always present (empty
///   when the field is), in a fixed order.
public struct METSDescription: Sendable, Hashable {
    /// Namespace of the DA/T 18 block.
    public static let namespace = "urn:lantai:xmlns:da-t-18:1"
    /// `OTHERMDTYPE` of its `mdWrap`.
    public static let otherMDType = "DA-T-18"
    /// The Dublin Core element set namespace.
    public static let dcNamespace = "http://purl.org/dc/elements/1.1/"
    /// The OAI-PMH `oai_dc` container namespace and schema.
    public static let oaiDCNamespace = "http://www.openarchives.org/OAI/2.0/oai_dc/"
    public static let oaiDCSchemaLocation = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

    /// Description level: `item` (件) or `file` (案卷).
    public var level: String
    /// 全宗号
    public var fonds: String
    /// 门类 code (DA/T 13), e.g. `WS`.
    public var category: String
    /// 档号 (DA/T 13), e.g. `J012-WS·2015-Y-BGS-0001`.
    public var archivalCode: String
    /// 题名
    public var title: String
    /// 责任者
    public var creator: String
    /// 文号
    public var documentNumber: String
    /// 日期, `YYYY-MM-DD` (may be empty).
    public var date: String
    /// 年度
    public var year: Int?
    /// 保管期限: `permanent`, `30y`, `10y`.
    public var retention: String
    /// 机构或问题 code.
    public var organisation: String
    /// 页数
    public var pages: Int?
    /// 密级: `none`, `confidential`, `secret`, `top-secret`.
    public var classification: String
    /// 开放状态: `unreviewed`, `open`, `controlled`.
    public var accessStatus: String
    /// 载体
    public var carrier: String
    /// 主题词
    public var subjects: [String]
    /// 附注
    public var notes: String
    /// 存址
    public var location: String
    /// `dc:rights` statements; when empty, the access status is written (e.g. `open`).
    public var rights: [String]
    /// `dc:language`, e.g. `zh` (optional).
    public var language: String?

    public init(level: String = "item", fonds: String, category: String, archivalCode: String, title: String,
                creator: String = "", documentNumber: String = "", date: String = "", year: Int? = nil,
                retention: String = "", organisation: String = "", pages: Int? = nil, classification: String = "",
                accessStatus: String = "", carrier: String = "", subjects: [String] = [], notes: String = "",
                location: String = "", rights: [String] = [], language: String? = nil) {
        self.level = level
        self.fonds = fonds
        self.category = category
        self.archivalCode = archivalCode
        self.title = title
        self.creator = creator
        self.documentNumber = documentNumber
        self.date = date
        self.year = year
        self.retention = retention
        self.organisation = organisation
        self.pages = pages
        self.classification = classification
        self.accessStatus = accessStatus
        self.carrier = carrier
        self.subjects = subjects
        self.notes = notes
        self.location = location
        self.rights = rights
        self.language = language
    }

    /// The `oai_dc:dc` element (Simple Dublin Core, elements in the DCMI order).
    public func dublinCoreElement() -> XMLMarkup.Element {
        var dc = XMLMarkup.Element("oai_dc:dc", [
            "xmlns:oai_dc": Self.oaiDCNamespace,
            "xmlns:dc": Self.dcNamespace,
            "xmlns:xsi": XMLNamespaces.xsi,
            "xsi:schemaLocation": "\(Self.oaiDCNamespace) \(Self.oaiDCSchemaLocation)",
        ])
        dc.appendIfPresent("dc:title", text: title)
        dc.appendIfPresent("dc:creator", text: creator)
        for s in subjects { dc.appendIfPresent("dc:subject", text: s) }
        dc.appendIfPresent("dc:description", text: notes)
        dc.appendIfPresent("dc:date", text: date.isEmpty ? year.map(String.init) : date)
        dc.appendIfPresent("dc:format", text: carrier)
        dc.appendIfPresent("dc:identifier", text: archivalCode)
        dc.appendIfPresent("dc:identifier", text: documentNumber)
        dc.appendIfPresent("dc:language", text: language)
        for r in (rights.isEmpty ? [accessStatus] : rights) { dc.appendIfPresent("dc:rights", text: r) }
        return dc
    }

    /// The `lantai:record` element with every DA/T 18 field.
    public func daT18Element() -> XMLMarkup.Element {
        var r = XMLMarkup.Element("lantai:record", ["xmlns:lantai": Self.namespace, "level": level])
        r.append("lantai:fonds", text: fonds)
        r.append("lantai:category", text: category)
        r.append("lantai:archivalCode", text: archivalCode)
        r.append("lantai:title", text: title)
        r.append("lantai:creator", text: creator)
        r.append("lantai:documentNumber", text: documentNumber)
        r.append("lantai:date", text: date)
        r.append("lantai:year", text: year.map(String.init) ?? "")
        r.append("lantai:retention", text: retention)
        r.append("lantai:organisation", text: organisation)
        r.append("lantai:pages", text: pages.map(String.init) ?? "")
        r.append("lantai:classification", text: classification)
        r.append("lantai:accessStatus", text: accessStatus)
        r.append("lantai:carrier", text: carrier)
        var subjectList = XMLMarkup.Element("lantai:subjects")
        for s in subjects { subjectList.append("lantai:subject", text: s) }
        r.append(subjectList)
        r.append("lantai:notes", text: notes)
        r.append("lantai:location", text: location)
        return r
    }
}
