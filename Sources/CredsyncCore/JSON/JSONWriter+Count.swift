extension JSONWriter {
    /// The length in bytes of `compact(value)`, without writing it: a batch is cut by size before
    /// it is encoded once.
    public static func compactCount(_ value: JSONValue) -> Int {
        switch value {
        case .null: return 4
        case .bool(let flag): return flag ? 4 : 5
        case .number(let text): return text.utf8.count
        case .string(let text): return stringCount(text)
        case .array(let elements):
            guard !elements.isEmpty else { return 2 }
            return elements.reduce(1 + elements.count) { $0 + compactCount($1) }
        case .object(let object):
            guard !object.isEmpty else { return 2 }
            return object.members.reduce(1 + object.count) { $0 + stringCount($1.key) + 1 + compactCount($1.value) }
        }
    }

    /// The length of `text` as a JSON string literal (`appendString`): quotes and escapes included.
    public static func stringCount(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            guard needsEscape(bytes) else { return bytes.count + 2 }
            var count = 2
            for byte in bytes {
                switch byte {
                case 0x22, 0x5C, 0x08, 0x0C, 0x0A, 0x0D, 0x09: count += 2
                case 0..<0x20: count += 6
                default: count += 1
                }
            }
            return count
        }
    }
}
