extension PersonalData {
    /// `shown(payload)` written compact, worked out on the bytes of a payload's canonical form (a
    /// flat object of string values, as every national record is): nothing parsed, a personal
    /// field's value masked, every other value's 身份证号-shaped runs masked (on the escaped bytes:
    /// `\n`, `\"` and the like hold no digit). Nil when `canonical` is not of that shape, or holds a
    /// `\u` escape (its digits could join a run), or an escape in a key or a personal field's value;
    /// the caller then parses it.
    public static func shownCompact(canonical: [UInt8]) -> [UInt8]? {
        canonical.withUnsafeBufferPointer { bytes -> [UInt8]? in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            guard bytes.count >= 2, bytes[0] == UInt8(ascii: "{") else { return nil }
            out.append(UInt8(ascii: "{"))
            var i = 1
            if bytes[i] == UInt8(ascii: "}") { return i == bytes.count - 1 ? [0x7B, 0x7D] : nil }
            while true {
                guard let key = string(bytes, at: i), !key.escaped, key.end < bytes.count,
                    bytes[key.end] == UInt8(ascii: ":"), let value = string(bytes, at: key.end + 1),
                    value.end < bytes.count
                else { return nil }
                let keyBytes = UnsafeBufferPointer(rebasing: bytes[key.start..<key.end - 1])
                let valueBytes = UnsafeBufferPointer(rebasing: bytes[value.start..<value.end - 1])
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[(key.start - 1)...key.end]))
                let field = String(decoding: keyBytes, as: UTF8.self)
                if isPersonalField(field) {
                    guard !value.escaped else { return nil }
                    JSONWriter.appendString(
                        shown(String(decoding: valueBytes, as: UTF8.self), field: field), into: &out)
                } else {
                    out.append(UInt8(ascii: "\""))
                    if !mask(valueBytes, into: &out) { out.append(contentsOf: valueBytes) }
                    out.append(UInt8(ascii: "\""))
                }
                let next = bytes[value.end]
                out.append(next)
                if next == UInt8(ascii: "}") { return value.end == bytes.count - 1 ? out : nil }
                guard next == UInt8(ascii: ",") else { return nil }
                i = value.end + 1
            }
        }
    }

    /// The string literal at `bytes[at]`: its contents start at `start`, `end` is just past its
    /// closing quote, and `escaped` tells whether it holds an escape. Nil when there is none there
    /// or it holds a `\u` escape.
    private static func string(
        _ bytes: UnsafeBufferPointer<UInt8>, at: Int
    ) -> (start: Int, end: Int, escaped: Bool)? {
        guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { return nil }
        var escaped = false
        var k = at + 1
        while k < bytes.count {
            switch bytes[k] {
            case UInt8(ascii: "\""): return (at + 1, k + 1, escaped)
            case UInt8(ascii: "\\"):
                guard k + 1 < bytes.count, bytes[k + 1] != UInt8(ascii: "u") else { return nil }
                escaped = true
                k += 2
            default: k += 1
            }
        }
        return nil
    }
}
