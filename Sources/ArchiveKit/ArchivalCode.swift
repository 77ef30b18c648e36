import Foundation

/// 档号 — the archival reference code, built by DA/T 13 rules.
///
/// A stand-alone item or a file (案卷) is numbered within its group
/// `fonds-category·year-retention-organisation`; an item inside a file takes the file's code
/// plus its position in the file:
///
///     J012-WS·2015-Y-BGS-0001        item or file number 1 of the group
///     J012-KJ·2015-D30-JJK-0003-007  item 7 inside file 3
///
/// The organisation part (机构或问题) may be empty; then it and its hyphen are left out
/// (`J012-WS·2015-Y-0001`).
public struct ArchivalCode: Hashable, Sendable, CustomStringConvertible {
    /// The numbering group: item numbers continue gap-free within it.
    public struct Group: Hashable, Sendable, CustomStringConvertible {
        public var fonds: String
        public var category: String
        public var year: Int
        public var retention: Retention
        public var organisation: String

        public init(fonds: String, category: String, year: Int, retention: Retention, organisation: String) {
            self.fonds = fonds
            self.category = category
            self.year = year
            self.retention = retention
            self.organisation = organisation
        }

        /// The prefix every code of the group starts with, without the trailing hyphen.
        public var description: String {
            var s = "\(fonds)-\(category)·\(String(format4: year))-\(retention.codeLetter)"
            if !organisation.isEmpty { s += "-\(organisation)" }
            return s
        }
    }

    public var group: Group
    /// 件号 or 案卷号 within the group, from 1.
    public var number: Int
    /// 卷内件号: the position inside the file, when the record is an item of a file.
    public var position: Int?

    public init(group: Group, number: Int, position: Int? = nil) {
        self.group = group
        self.number = number
        self.position = position
    }

    public var description: String {
        var s = "\(group)-\(String(number, padTo: 4))"
        if let position { s += "-\(String(position, padTo: 3))" }
        return s
    }

    /// The code of the file (案卷) an item inside a file belongs to.
    public var fileCode: ArchivalCode? {
        position == nil ? nil : ArchivalCode(group: group, number: number)
    }

    /// Parses a code written by `description`. Returns nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "·", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let head = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard head.count == 2, FondsCode.isWellFormed(String(head[0])),
              CategoryCode.isWellFormed(String(head[1])) else { return nil }
        var tail = parts[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard tail.count >= 3, tail.count <= 5 else { return nil }
        guard tail[0].count == 4, let year = Int(tail[0]), tail[0].allSatisfy(\.isASCIIDigit),
              let retention = Retention.allCases.first(where: { $0.codeLetter == tail[1] }) else { return nil }
        tail.removeFirst(2)
        // What is left: [organisation,] number [, position]
        var organisation = ""
        var position: Int?
        // Numbers are zero-padded to a minimum width and may grow past it (item 10000 of a group).
        func isNumber(_ s: String, width: Int) -> Bool {
            guard s.allSatisfy(\.isASCIIDigit) else { return false }
            return s.count == width || (s.count > width && s.count <= 9 && s.first != "0")
        }
        switch tail.count {
        case 1:
            guard isNumber(tail[0], width: 4) else { return nil }
        case 2:
            if isNumber(tail[0], width: 4) && isNumber(tail[1], width: 3) {
                position = Int(tail[1])
                tail.removeLast()
            } else {
                guard OrganisationCode.isWellFormed(tail[0]), isNumber(tail[1], width: 4) else { return nil }
                organisation = tail.removeFirst()
            }
        case 3:
            guard OrganisationCode.isWellFormed(tail[0]), isNumber(tail[1], width: 4),
                  isNumber(tail[2], width: 3) else { return nil }
            organisation = tail.removeFirst()
            position = Int(tail.removeLast())
        default:
            return nil
        }
        guard let number = Int(tail[0]), number >= 1 else { return nil }
        if let position, position < 1 { return nil }
        self.init(group: Group(fonds: String(head[0]), category: String(head[1]), year: year,
                               retention: retention, organisation: organisation),
                  number: number, position: position)
    }
}

/// 全宗号: a letter and digits as the archives assigns them (J012, X003, 0127).
public enum FondsCode {
    public static func isWellFormed(_ code: String) -> Bool {
        (1...12).contains(code.count) && code.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
    }
}

/// 机构或问题代码: capital Latin letters and digits (BGS 办公室, JJK …), at most 10.
public enum OrganisationCode {
    public static func isWellFormed(_ code: String) -> Bool {
        (1...10).contains(code.count) && code.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
            && !code.allSatisfy(\.isNumber)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    init(format4 n: Int) { self.init(n, padTo: 4) }

    init(_ n: Int, padTo width: Int) {
        let digits = String(n)
        self = digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
