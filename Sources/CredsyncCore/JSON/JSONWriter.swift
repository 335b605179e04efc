import _CredsyncEngine
/// Writes JSON: the canonical form of RFC 8785 (JCS) for hashing, and a readable form for output.
/// Everything is written into a byte buffer and turned into a String once.
public enum JSONWriter {
    /// The canonical form (RFC 8785): keys sorted by UTF-16 code units, no white space, strings
    /// escaped as JCS says. Numbers are written as their literal text; credsync's payloads hold
    /// strings only, which is the case exchange-api.md defines.
    public static func canonical(_ value: JSONValue) -> String {
        String(decoding: canonicalBytes(value), as: UTF8.self)
    }

    /// The canonical form's UTF-8 bytes, what the record hash is taken over.
    public static func canonicalBytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        writeCanonical(value, into: &out)
        return out
    }

    /// The lower-case hex SHA-256 of the canonical form.
    public static func canonicalHash(_ value: JSONValue) -> String {
        SHA256.hex(canonicalBytes(value))
    }

    /// Compact JSON with members in document order, one line: for JSON Lines and `--json` output.
    public static func compact(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        write(value, into: &out, indent: nil, level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// Indented JSON with members in document order, for people.
    public static func pretty(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        write(value, into: &out, indent: Array("  ".utf8), level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    private static func writeCanonical(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            let members = object.members
            var isSorted = true
            for i in members.indices.dropFirst() where !precedesInUTF16(members[i - 1].key, members[i].key) {
                isSorted = false
                break
            }
            let sorted = isSorted ? members : members.sorted { precedesInUTF16($0.key, $1.key) }
            for (i, member) in sorted.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                writeCanonical(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeCanonical(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        default:
            write(value, into: &out, indent: nil, level: 0)
        }
    }

    private static func write(_ value: JSONValue, into out: inout [UInt8], indent: [UInt8]?, level: Int) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let text): appendString(text, into: &out)
        case .array(let elements):
            if elements.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent, level + 1)
                write(element, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (i, member) in object.members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent, level + 1)
                appendString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                write(member.value, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout [UInt8], _ indent: [UInt8]?, _ level: Int) {
        guard let indent else { return }
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<level { out.append(contentsOf: indent) }
    }

    /// Whether `a` sorts before `b` by UTF-16 code units, as RFC 8785 orders keys. UTF-8 byte order
    /// agrees with it except where a character above U+FFFF meets one in U+E000–U+FFFF, so bytes are
    /// compared unless the first difference is between two lead bytes of 0xEE or more.
    public static func precedesInUTF16(_ a: String, _ b: String) -> Bool {
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y -> Bool in
                let common = Swift.min(x.count, y.count)
                var i = 0
                while i < common && x[i] == y[i] { i += 1 }
                if i == common { return x.count < y.count }
                // Bytes from 0xEE on start U+E000 and above, which UTF-16 orders after the
                // surrogate pairs of U+10000 and above: compare those in UTF-16.
                if x[i] >= 0xEE && y[i] >= 0xEE { return a.utf16.lexicographicallyPrecedes(b.utf16) }
                return x[i] < y[i]
            }
        }
        if let result = fast ?? nil { return result }
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            guard let x = left.next() else { return right.next() != nil }
            guard let y = right.next() else { return false }
            if x == y { continue }
            if x >= 0xEE && y >= 0xEE { return a.utf16.lexicographicallyPrecedes(b.utf16) }
            return x < y
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends a JSON string literal escaped as RFC 8785 says, to a String.
    public static func appendString(_ text: String, into out: inout String) {
        var bytes: [UInt8] = []
        appendString(text, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends a JSON string literal escaped as RFC 8785 says: `\"`, `\\`, `\b \f \n \r \t`, other
    /// control characters as `\u00xx`, everything else as raw UTF-8. Only ASCII bytes need escaping,
    /// and no byte of a multi-byte character is ASCII.
    public static func appendString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Runs of bytes that need no escape are copied whole.
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            // Most values need no escape at all: copied whole.
            if !needsEscape(bytes) {
                out.append(contentsOf: bytes)
                return
            }
            var start = 0
            for i in 0..<bytes.count {
                let byte = bytes[i]
                if byte >= 0x20 && byte != 0x22 && byte != 0x5C { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                appendEscape(byte, into: &out)
                start = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        if copied == nil {
            for byte in text.utf8 {
                if byte >= 0x20 && byte != 0x22 && byte != 0x5C {
                    out.append(byte)
                } else {
                    appendEscape(byte, into: &out)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Writes `bytes` as a JSON string literal (as `appendString` does) at `out`, which has room
    /// for six bytes per byte and two quotes, and returns how many bytes it wrote.
    public static func writeString(_ bytes: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>) -> Int {
        guard needsEscape(bytes) else {
            out[0] = UInt8(ascii: "\"")
            if let base = bytes.baseAddress { (out + 1).update(from: base, count: bytes.count) }
            out[bytes.count + 1] = UInt8(ascii: "\"")
            return bytes.count + 2
        }
        // Runs that need no escape copied whole, each escape written in place.
        out[0] = UInt8(ascii: "\"")
        var n = 1
        var start = 0
        for i in 0..<bytes.count {
            let byte = bytes[i]
            if byte >= 0x20 && byte != 0x22 && byte != 0x5C { continue }
            let run = UnsafeBufferPointer(rebasing: bytes[start..<i])
            if let base = run.baseAddress { (out + n).update(from: base, count: run.count) }
            n += run.count
            n += writeEscape(byte, to: out + n)
            start = i + 1
        }
        let rest = UnsafeBufferPointer(rebasing: bytes[start...])
        if let base = rest.baseAddress { (out + n).update(from: base, count: rest.count) }
        n += rest.count
        out[n] = UInt8(ascii: "\"")
        return n + 1
    }

    /// Writes the escape of `byte` (as `appendEscape`) at `out`; returns its length (2 or 6).
    private static func writeEscape(_ byte: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = UInt8(ascii: "\\")
        let short: UInt8?
        switch byte {
        case 0x22: short = 0x22
        case 0x5C: short = 0x5C
        case 0x08: short = UInt8(ascii: "b")
        case 0x0C: short = UInt8(ascii: "f")
        case 0x0A: short = UInt8(ascii: "n")
        case 0x0D: short = UInt8(ascii: "r")
        case 0x09: short = UInt8(ascii: "t")
        default: short = nil
        }
        if let short {
            out[1] = short
            return 2
        }
        out[1] = UInt8(ascii: "u")
        out[2] = UInt8(ascii: "0")
        out[3] = UInt8(ascii: "0")
        out[4] = hexDigits[Int(byte >> 4)]
        out[5] = hexDigits[Int(byte & 0xF)]
        return 6
    }

    /// Whether any of `bytes` must be escaped in a JSON string: `"`, `\\` or a control character.
    static func needsEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        ByteScan.any(
            bytes, word: { ByteScan.hasLess($0, than: 0x20) || ByteScan.has($0, 0x22) || ByteScan.has($0, 0x5C) },
            byte: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C })
    }

    private static func appendEscape(_ byte: UInt8, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x22: out.append(0x22)
        case 0x5C: out.append(0x5C)
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        default:
            out.append(contentsOf: "u00".utf8)
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0xF)])
        }
    }
}
