import CredsyncCore

/// Reads a JSON Lines export: one JSON object a line. Strings are taken as they are, numbers as
/// their text, booleans as `true`/`false`, null as no value.
public struct JSONLinesCatalogReader: CatalogReader {
    public let columns: [String]
    private var source: ByteSource
    private let path: String
    private var line = 0

    public init(path: String, encoding: CatalogConfig.Encoding, columns: [String]) throws(RowProblem) {
        self.path = path
        self.columns = columns
        source = try ByteSource(path: path)
        if source.peek() == 0xEF {
            var tokenizer = CSVTokenizer(source: source)
            _ = tokenizer.skipByteOrderMark()
            source = tokenizer.source
        }
    }

    public mutating func next() -> CatalogItem? {
        while true {
            var bytes: [UInt8] = []
            var sawAny = false
            while let byte = source.next() {
                sawAny = true
                if byte == 0x0A { break }
                bytes.append(byte)
            }
            guard sawAny else { return nil }
            line += 1
            if bytes.last == 0x0D { bytes.removeLast() }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                return .problem(RowProblem(file: path, line: line, reason: "invalid JSON: \(error.message) at column \(error.column)"))
            }
            guard let object = value.objectValue else {
                return .problem(RowProblem(file: path, line: line, reason: "expected a JSON object, found \(value.kindDescription)"))
            }
            let values: [String?] = columns.map { column in
                switch object[column] {
                case .string(let text): return text
                case .number(let text): return text
                case .bool(let flag): return flag ? "true" : "false"
                case .array(let items): return items.compactMap(\.stringValue).joined(separator: ";")
                default: return nil
                }
            }
            return .row(CatalogRow(file: path, line: line, values: values))
        }
    }
}
