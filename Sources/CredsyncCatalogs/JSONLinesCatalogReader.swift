public import CredsyncCore

/// Reads a JSON Lines export: one JSON object a line, lines ended by LF, CRLF or CR. Strings are
/// taken as they are, numbers as their text, booleans as `true`/`false`, null as no value, an
/// array of strings and numbers as its items joined by `;`.
///
/// A line that is not a JSON object is a problem naming its line; one that is, but holds a value
/// that cannot be text (an object, an array of objects, a byte-order mark) or has a byte-order mark
/// before it, is a damaged row, set aside by the mapping with its key. The last line of a file
/// that ends without a line end and does not parse is reported as truncated.
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
            var ended = false
            while let byte = source.next() {
                sawAny = true
                if byte == 0x0A || byte == 0x0D {
                    if byte == 0x0D, source.peek() == 0x0A { _ = source.next() }
                    ended = true
                    break
                }
                bytes.append(byte)
            }
            guard sawAny else { return nil }
            line += 1
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            var damage: [RowDamage] = []
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                bytes.removeFirst(3)
                damage.append(RowDamage(column: nil, problem: "a byte-order mark (U+FEFF) before the line"))
            }
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                let truncated =
                    ended ? "" : "the file ends inside this line, with no line end after it: is the export truncated? "
                return .problem(
                    RowProblem(
                        file: path, line: line,
                        reason: "\(truncated)invalid JSON: \(error.message) at column \(error.column)",
                        fragments: Self.stringLiterals(bytes)))
            }
            guard let object = value.objectValue else {
                return .problem(
                    RowProblem(
                        file: path, line: line, reason: "expected a JSON object, found \(value.kindDescription)",
                        fragments: Self.stringLiterals(bytes)))
            }
            let values: [String?] = columns.map { column in
                switch object[column] {
                case .string(let text):
                    guard text.utf8.contains(0xEF), text.unicodeScalars.contains("\u{FEFF}") else { return text }
                    damage.append(RowDamage(column: column, problem: "a byte-order mark (U+FEFF) inside the value"))
                    return String(text.unicodeScalars.filter { $0 != "\u{FEFF}" }.map(Character.init))
                case .number(let text): return text
                case .bool(let flag): return flag ? "true" : "false"
                case .array(let items):
                    var texts: [String] = []
                    for item in items {
                        switch item {
                        case .string(let text): texts.append(text)
                        case .number(let text): texts.append(text)
                        default:
                            damage.append(
                                RowDamage(
                                    column: column,
                                    problem: "an array holding \(item.kindDescription) where text belongs"))
                            return nil
                        }
                    }
                    return texts.joined(separator: ";")
                case .object:
                    damage.append(RowDamage(column: column, problem: "an object where text belongs"))
                    return nil
                default: return nil
                }
            }
            return .row(CatalogRow(file: path, line: line, values: values, damage: damage))
        }
    }

    /// The complete string literals of a line that is not a JSON object (escapes read as far as
    /// they are simple): where the key of a published record may still be recognised.
    static func stringLiterals(_ bytes: [UInt8]) -> [String] {
        var texts: [String] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] == 0x22 else {
                i += 1
                continue
            }
            var text: [UInt8] = []
            var j = i + 1
            var closed = false
            while j < bytes.count {
                let byte = bytes[j]
                if byte == 0x22 {
                    closed = true
                    break
                }
                if byte == 0x5C, j + 1 < bytes.count {
                    j += 1
                    text.append(bytes[j] == 0x6E ? 0x0A : bytes[j] == 0x74 ? 0x09 : bytes[j])
                } else {
                    text.append(byte)
                }
                j += 1
            }
            if closed || !text.isEmpty { texts.append(String(decoding: text, as: UTF8.self)) }
            i = j + 1
        }
        return texts
    }
}
