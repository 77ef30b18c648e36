import Foundation

/// The displayed size of each page of a PDF, read from qpdf's JSON (`qpdf --json=2`), so the
/// overlay page made for it matches exactly and qpdf places it without scaling.
///
/// qpdf places an overlay in the destination page's trim box, turned to cancel the page's
/// /Rotate so the watermark reads upright as the page is shown. The size that matters is
/// therefore the trim box (else crop box, else media box — crop and media box inherited down
/// the page tree as PDF 1.7 §7.7.3.4 says), with width and height swapped for pages turned by
/// 90° or 270°.
struct PDFPageGeometry: Sendable, Equatable {
    var width: Double
    var height: Double

    /// Parses the output of `qpdf --json=2 --json-key=pages --json-key=qpdf FILE`.
    static func pages(fromQPDFJSON data: Data) throws(WatermarkError) -> [PDFPageGeometry] {
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw .unreadablePDF("qpdf's JSON could not be read: \(error)")
        }
        guard case .array(let pageList)? = root["pages"] else { throw .unreadablePDF("qpdf listed no pages") }
        var objects: [String: JSONValue] = [:]
        if case .array(let parts)? = root["qpdf"], parts.count > 1, case .object(let table) = parts[1] {
            for (key, entry) in table where key.hasPrefix("obj:") {
                objects[String(key.dropFirst(4))] = entry["value"] ?? entry["stream"]?["dict"]
            }
        }
        guard !pageList.isEmpty else { throw .unreadablePDF("the PDF has no pages") }
        let resolver = Resolver(objects: objects)
        return try pageList.map { page throws(WatermarkError) in
            guard case .string(let ref)? = page["object"], let dict = objects[ref] else {
                throw .unreadablePDF("a page object is missing from qpdf's JSON")
            }
            return resolver.geometry(of: dict)
        }
    }

    /// Follows indirect references ("12 0 R") and /Parent links.
    private struct Resolver {
        let objects: [String: JSONValue]

        func resolve(_ v: JSONValue?, depth: Int = 0) -> JSONValue? {
            guard let v else { return nil }
            if case .string(let s) = v, s.hasSuffix(" R"), depth < 32 { return resolve(objects[s], depth: depth + 1) }
            return v
        }

        /// The attribute on the page or, when `inherited`, on the nearest ancestor that has it.
        func attribute(_ name: String, of page: JSONValue, inherited: Bool) -> JSONValue? {
            var node: JSONValue? = page
            for _ in 0..<64 {  // a cycle in /Parent must not hang the server
                guard let current = node else { return nil }
                if let v = resolve(current[name]) { return v }
                if !inherited { return nil }
                node = resolve(current["/Parent"])
            }
            return nil
        }

        func box(_ v: JSONValue?) -> (Double, Double)? {
            guard case .array(let items)? = v, items.count == 4 else { return nil }
            let n = items.compactMap { resolve($0)?.number }
            guard n.count == 4 else { return nil }
            let w = abs(n[2] - n[0]), h = abs(n[3] - n[1])
            return w > 0 && h > 0 ? (w, h) : nil
        }

        func geometry(of page: JSONValue) -> PDFPageGeometry {
            let size = box(attribute("/TrimBox", of: page, inherited: false))
                ?? box(attribute("/CropBox", of: page, inherited: true))
                ?? box(attribute("/MediaBox", of: page, inherited: true))
                ?? (612, 792)  // US Letter: what readers assume when the required MediaBox is missing
            let rotate = Int(attribute("/Rotate", of: page, inherited: true)?.number ?? 0)
            let quarter = ((rotate % 360) + 360) % 360
            return quarter == 90 || quarter == 270
                ? PDFPageGeometry(width: size.1, height: size.0)
                : PDFPageGeometry(width: size.0, height: size.1)
        }
    }
}

extension PDFPageGeometry {
    /// Just enough JSON to walk qpdf's output, Sendable and without Foundation's `Any`.
    enum JSONValue: Decodable, Sendable, Equatable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([JSONValue])
        case object([String: JSONValue])

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
            else { self = .object(try c.decode([String: JSONValue].self)) }
        }

        subscript(key: String) -> JSONValue? {
            if case .object(let o) = self { return o[key] }
            return nil
        }

        var number: Double? {
            if case .number(let n) = self { return n }
            return nil
        }
    }
}
