import ArchiveKit
import Foundation
import Packaging

extension CatalogueSheet {
    /// Who the finding aid is about and by whom, for its `<control>` and `<archdesc>`.
    public struct EAD3Heading: Sendable {
        /// `<recordid>`: an identifier of this finding aid.
        public var recordID: String
        /// `<titleproper>`, and the fonds' `<unittitle>`.
        public var title: String
        /// `<agencyname>` of the body that made the finding aid.
        public var agencyName: String
        /// 全宗号, written as the fonds' `<unitid localtype="fonds">` and so inherited by every entry.
        public var fonds: String?
        /// When it was made (`<eventdatetime>`).
        public var date: Date

        public init(recordID: String, title: String, agencyName: String, fonds: String? = nil, date: Date = Date()) {
            self.recordID = recordID
            self.title = title
            self.agencyName = agencyName
            self.fonds = fonds
            self.date = date
        }
    }

    /// Writes entries as an EAD3 finding aid that `read(ead3:)` reads back to the same entries
    /// (the mapping is documented there), one `<c>` per entry, valid against ead3.xsd.
    /// Values are written as given; only their XML is escaped. `%` in a path is written `%25`,
    /// since an href is a URI reference.
    public static func ead3Document(entries: [CatalogueEntry], heading: EAD3Heading) -> String {
        var x = EAD3Text()
        let stamp = ISO8601DateFormatter().string(from: heading.date)
        x.line(0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        x.line(0, "<ead xmlns=\"\(ead3Namespace)\">")
        x.line(1, "<control>")
        x.element(2, "recordid", heading.recordID)
        x.line(2, "<filedesc><titlestmt>" + EAD3Text.tag("titleproper", heading.title) + "</titlestmt></filedesc>")
        x.line(2, "<maintenancestatus value=\"new\"/>")
        x.line(2, "<maintenanceagency>" + EAD3Text.tag("agencyname", heading.agencyName) + "</maintenanceagency>")
        x.line(2, "<maintenancehistory><maintenanceevent><eventtype value=\"created\"/>"
            + "<eventdatetime standarddatetime=\"\(stamp)\">\(stamp)</eventdatetime><agenttype value=\"machine\"/>"
            + "<agent>\(EAD3Text.escape(BagWriter.softwareAgent))</agent></maintenanceevent></maintenancehistory>")
        x.line(1, "</control>")
        x.line(1, "<archdesc level=\"fonds\">")
        x.line(2, "<did>")
        if let fonds = heading.fonds { x.element(3, "unitid", fonds, localtype: "fonds") }
        x.element(3, "unittitle", heading.title)
        x.line(2, "</did>")
        x.line(2, "<dsc>")
        for entry in entries { component(entry, into: &x) }
        x.line(2, "</dsc>")
        x.line(1, "</archdesc>")
        x.line(0, "</ead>")
        return x.text
    }

    private static func component(_ e: CatalogueEntry, into x: inout EAD3Text) {
        let d = e.draft
        let level = d.level.flatMap { EAD3Reader.level(["level": $0.lowercased()]) }
            ?? (d.level == "案卷" ? "file" : "item")
        x.line(3, "<c level=\"\(level)\">")
        x.line(4, "<did>")
        if let v = e.archivalCode { x.element(5, "unitid", v, localtype: "archivalCode") }
        if let v = e.itemNumber { x.element(5, "unitid", v, localtype: "itemNumber") }
        if let v = d.documentNumber { x.element(5, "unitid", v, localtype: "documentNumber") }
        if let v = e.fonds { x.element(5, "unitid", v, localtype: "fonds") }
        if let v = d.title { x.element(5, "unittitle", v) }
        if let v = d.creator { x.line(5, "<origination>" + EAD3Text.tag("name", "<part>\(EAD3Text.escape(v))</part>", raw: true) + "</origination>") }
        if let v = d.date { x.unitdate(5, v) }
        if let v = d.year { x.unitdate(5, v) }
        if let v = d.pages { x.quantity(5, v, unit: "页", field: "pages") }
        if let v = e.size { x.quantity(5, v, unit: "bytes", field: "size") }
        if let v = d.carrier { x.element(5, "physdesc", v, localtype: "carrier") }
        if let v = e.format { x.element(5, "physdesc", v, localtype: "format") }
        let daos = e.paths.map { "<dao daotype=\"derived\" href=\"\(EAD3Text.escape($0.replacingOccurrences(of: "%", with: "%25")))\"/>" }
        if daos.count == 1 {
            x.line(5, daos[0])
        } else if daos.count > 1 {
            // EAD3 wants two or more <dao> in a <daoset>, and a single one bare.
            x.line(5, "<daoset>" + daos.joined() + "</daoset>")
        }
        x.line(4, "</did>")
        if let v = d.accessStatus { x.paragraphs(4, "accessrestrict", v, localtype: "accessStatus") }
        if let v = d.classification { x.paragraphs(4, "accessrestrict", v, localtype: "classification") }
        if let v = d.retention { x.paragraphs(4, "appraisal", v, localtype: "retention") }
        if let subjects = d.subjects, !subjects.isEmpty {
            x.line(4, "<controlaccess>" + subjects.map { "<subject><part>\(EAD3Text.escape($0))</part></subject>" }.joined() + "</controlaccess>")
        }
        if let v = d.category { x.paragraphs(4, "odd", v, localtype: "category") }
        if let v = d.organisation { x.paragraphs(4, "odd", v, localtype: "organisation") }
        if let v = d.location { x.paragraphs(4, "odd", v, localtype: "location") }
        if let v = d.notes { x.paragraphs(4, "odd", v, localtype: nil) }
        x.line(3, "</c>")
    }
}

/// Indented EAD3 text, escaped as XML 1.0 requires.
struct EAD3Text {
    var text = ""

    mutating func line(_ indent: Int, _ s: String) {
        text += String(repeating: "  ", count: indent) + s + "\n"
    }

    mutating func element(_ indent: Int, _ name: String, _ value: String, localtype: String? = nil) {
        line(indent, EAD3Text.tag(name, EAD3Text.escape(value), raw: true, localtype: localtype))
    }

    /// Full dates and years in `normal` (what the reader prefers); anything else as text only,
    /// since `normal` must be an ISO 8601 date.
    mutating func unitdate(_ indent: Int, _ value: String) {
        let v = value.trimmed
        let iso = v.count == 4 && v.allSatisfy(\.isASCIIDigit) || CalendarDate(parsing: v) != nil
        line(indent, iso ? "<unitdate normal=\"\(EAD3Text.escape(v))\">\(EAD3Text.escape(v))</unitdate>"
            : "<unitdate>\(EAD3Text.escape(value))</unitdate>")
    }

    /// A count in `physdescstructured` when it is a number, else the text under its field's name.
    mutating func quantity(_ indent: Int, _ value: String, unit: String, field: String) {
        let v = value.trimmed
        if !v.isEmpty && v.allSatisfy(\.isASCIIDigit) {
            line(indent, "<physdescstructured physdescstructuredtype=\"materialtype\" coverage=\"whole\">"
                + "<quantity>\(v)</quantity><unittype>\(unit)</unittype></physdescstructured>")
        } else {
            element(indent, "physdesc", value, localtype: field)
        }
    }

    mutating func paragraphs(_ indent: Int, _ name: String, _ value: String, localtype: String?) {
        let ps = value.split(whereSeparator: \.isNewline).map { "<p>\(EAD3Text.escape(String($0)))</p>" }.joined()
        line(indent, EAD3Text.tag(name, ps.isEmpty ? "<p></p>" : ps, raw: true, localtype: localtype))
    }

    static func tag(_ name: String, _ content: String, raw: Bool = false, localtype: String? = nil) -> String {
        let attribute = localtype.map { " localtype=\"\(escape($0))\"" } ?? ""
        return "<\(name)\(attribute)>\(raw ? content : escape(content))</\(name)>"
    }

    /// Escapes markup characters; characters XML 1.0 cannot carry at all (most C0 controls) are
    /// dropped, since no parser would read the document otherwise — the checks report control
    /// characters in the source values before anything is written this way.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\r": out += "&#13;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
