import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The few S3 XML replies we read, parsed with Foundation's XMLParser into a small element tree.
/// Namespaces are ignored: S3 and its look-alikes differ in whether they declare one.
struct S3XMLElement {
    var name: String
    var text = ""
    var children: [S3XMLElement] = []

    func child(_ name: String) -> S3XMLElement? { children.first { $0.name == name } }
    func all(_ name: String) -> [S3XMLElement] { children.filter { $0.name == name } }
    func value(_ name: String) -> String? { child(name)?.text }

    static func parse(_ data: Data) -> S3XMLElement? {
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [S3XMLElement] = []
        var root: S3XMLElement?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            stack.append(S3XMLElement(name: elementName))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard let element = stack.popLast() else { return }
            if stack.isEmpty {
                root = element
            } else {
                stack[stack.count - 1].children.append(element)
            }
        }
    }
}

/// An S3 `<Error>` reply.
struct S3ErrorReply {
    var code: String
    var message: String

    static func parse(_ data: Data) -> S3ErrorReply? {
        guard let root = S3XMLElement.parse(data), root.name == "Error" else { return nil }
        return S3ErrorReply(code: root.value("Code") ?? "", message: root.value("Message") ?? "")
    }
}

/// One page of `ListObjectsV2`.
struct S3ListPage {
    var objects: [BlobInfo]
    var commonPrefixes: [String]
    var isTruncated: Bool
    var nextContinuationToken: String?

    static func parse(_ data: Data) -> S3ListPage? {
        guard let root = S3XMLElement.parse(data), root.name == "ListBucketResult" else { return nil }
        var objects: [BlobInfo] = []
        for entry in root.all("Contents") {
            guard let key = entry.value("Key"), let size = entry.value("Size").flatMap({ Int64($0) }) else { return nil }
            objects.append(BlobInfo(key: key, size: size, etag: entry.value("ETag").map(S3Headers.unquote),
                                    lastModified: entry.value("LastModified").flatMap(S3Dates.parseISO8601)))
        }
        let prefixes = root.all("CommonPrefixes").compactMap { $0.value("Prefix") }
        return S3ListPage(objects: objects, commonPrefixes: prefixes,
                          isTruncated: root.value("IsTruncated")?.lowercased() == "true",
                          nextContinuationToken: root.value("NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 })
    }
}

enum S3Headers {
    /// ETags come quoted (`"abc"`); keep the value only.
    static func unquote(_ etag: String) -> String {
        var value = etag.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("W/") { value.removeFirst(2) }
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
        return value
    }

    /// Characters that XML text must escape.
    static func xmlEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

enum S3Dates {
    static func parseISO8601(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        return ISO8601DateFormatter().date(from: text)
    }

    /// `Last-Modified: Tue, 15 Nov 1994 12:45:26 GMT`.
    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
