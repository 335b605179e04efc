/// Writes JSON: the canonical form of RFC 8785 (JCS) for hashing, and a readable form for output.
public enum JSONWriter {
    /// The canonical form (RFC 8785): keys sorted by UTF-16 code units, no white space, strings
    /// escaped as JCS says. Numbers are written as their literal text; credsync's payloads hold
    /// strings only, which is the case exchange-api.md defines.
    public static func canonical(_ value: JSONValue) -> String {
        var out = ""
        writeCanonical(value, into: &out)
        return out
    }

    /// Compact JSON with members in document order, one line: for JSON Lines and `--json` output.
    public static func compact(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, indent: nil, level: 0)
        return out
    }

    /// Indented JSON with members in document order, for people.
    public static func pretty(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, indent: "  ", level: 0)
        return out
    }

    private static func writeCanonical(_ value: JSONValue, into out: inout String) {
        switch value {
        case .object(let object):
            out.append("{")
            let sorted = object.members.sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
            for (i, member) in sorted.enumerated() {
                if i > 0 { out.append(",") }
                appendString(member.key, into: &out)
                out.append(":")
                writeCanonical(member.value, into: &out)
            }
            out.append("}")
        case .array(let elements):
            out.append("[")
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(",") }
                writeCanonical(element, into: &out)
            }
            out.append("]")
        default:
            write(value, into: &out, indent: nil, level: 0)
        }
    }

    private static func write(_ value: JSONValue, into out: inout String, indent: String?, level: Int) {
        switch value {
        case .null: out.append("null")
        case .bool(let flag): out.append(flag ? "true" : "false")
        case .number(let text): out.append(text)
        case .string(let text): appendString(text, into: &out)
        case .array(let elements):
            if elements.isEmpty { out.append("[]"); return }
            out.append("[")
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(",") }
                newline(&out, indent, level + 1)
                write(element, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out.append("]")
        case .object(let object):
            if object.isEmpty { out.append("{}"); return }
            out.append("{")
            for (i, member) in object.members.enumerated() {
                if i > 0 { out.append(",") }
                newline(&out, indent, level + 1)
                appendString(member.key, into: &out)
                out.append(indent == nil ? ":" : ": ")
                write(member.value, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out.append("}")
        }
    }

    private static func newline(_ out: inout String, _ indent: String?, _ level: Int) {
        guard let indent else { return }
        out.append("\n")
        for _ in 0..<level { out.append(indent) }
    }

    private static let hexDigits: [Character] = Array("0123456789abcdef")

    /// Appends a JSON string literal escaped as RFC 8785 says.
    public static func appendString(_ text: String, into out: inout String) {
        out.append("\"")
        var runStart = text.unicodeScalars.startIndex
        var index = runStart
        let scalars = text.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar.value {
            case 0x22: escape = "\\\""
            case 0x5C: escape = "\\\\"
            case 0x08: escape = "\\b"
            case 0x0C: escape = "\\f"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0..<0x20:
                escape = "\\u00" + String(hexDigits[Int(scalar.value >> 4)]) + String(hexDigits[Int(scalar.value & 0xF)])
            default: escape = nil
            }
            if let escape {
                out.unicodeScalars.append(contentsOf: scalars[runStart..<index])
                out.append(escape)
                runStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out.unicodeScalars.append(contentsOf: scalars[runStart..<scalars.endIndex])
        out.append("\"")
    }
}
