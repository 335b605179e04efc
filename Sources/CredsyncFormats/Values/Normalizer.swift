import CredsyncCore
import _CredsyncEngine

/// The normalisations of national-formats.md, applied before validation.
public enum Normalizer {
    /// White space trimmed at both ends, U+00A0 and U+3000 included.
    public static func trim(_ text: String) -> String {
        // Most values need nothing: neither end byte can begin (or end) a space.
        let untouched: Bool? = text.utf8.withContiguousStorageIfAvailable { !endsInSpace($0) }
        if untouched == true { return text }
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isSpace(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isSpace(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        if start == scalars.startIndex && end == scalars.endIndex { return text }
        return String(text[start..<end])
    }

    /// Whether `text` begins or ends with white space (as `isSpace` says), looking at its end bytes only.
    @inline(__always)
    static func needsTrim(_ text: String?) -> Bool {
        guard let text else { return false }
        return text.utf8.withContiguousStorageIfAvailable { endsInSpace($0) } ?? true
    }

    /// Whether `bytes` (UTF-8) begin or end with a character `isSpace` accepts: ASCII space and
    /// 09–0D, U+00A0 (C2 A0) or U+3000 (E3 80 80).
    @inline(__always)
    static func endsInSpace(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = bytes.count
        guard n > 0 else { return false }
        func ascii(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
        if ascii(bytes[0]) || ascii(bytes[n - 1]) { return true }
        guard n >= 2 else { return false }
        if (bytes[0] == 0xC2 && bytes[1] == 0xA0) || (bytes[n - 2] == 0xC2 && bytes[n - 1] == 0xA0) { return true }
        guard n >= 3 else { return false }
        return (bytes[0] == 0xE3 && bytes[1] == 0x80 && bytes[2] == 0x80)
            || (bytes[n - 3] == 0xE3 && bytes[n - 2] == 0x80 && bytes[n - 1] == 0x80)
    }

    @inline(__always)
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x20 || scalar.value == 0x09 || scalar.value == 0x0A || scalar.value == 0x0D
            || scalar.value == 0x00A0 || scalar.value == 0x3000 || scalar.value == 0x0B || scalar.value == 0x0C
    }

    /// Whether any UTF-8 byte of `text` satisfies `test`: a plain loop over the bytes (the generic
    /// `contains` on `utf8` is not specialised across modules and costs a call a byte).
    @inline(__always)
    static func anyByte(_ text: String, _ test: (UInt8) -> Bool) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes where test(byte) { return true }
            return false
        } ?? text.utf8.contains(where: test)
    }

    /// Full-width ASCII (U+FF01–U+FF5E) as half-width; nothing else changed.
    public static func halfWidth(_ text: String) -> String {
        // U+FF01–U+FF5E are EF BC 81–BF and EF BD 80–9E in UTF-8: no 0xBC or 0xBD byte, none of them.
        guard ByteScan.contains(text, 0xBC, 0xBD) else { return text }
        return rewritten(text) { bytes, i, out in
            guard bytes[i] == 0xEF, i + 2 < bytes.count else { return 0 }
            let (second, third) = (bytes[i + 1], bytes[i + 2])
            guard (second == 0xBC && third >= 0x81) || (second == 0xBD && third <= 0x9E) else { return 0 }
            // U+FF01 + n is ASCII 0x21 + n.
            out.append(UInt8(truncatingIfNeeded: (Int(second & 0x01) << 6) + Int(third & 0x3F) + 0x20))
            return 3
        }
    }

    /// A code field: full-width ASCII as half-width, letters upper case.
    public static func code(_ text: String) -> String {
        let half = halfWidth(text)
        guard anyByte(half, { $0 >= 0x61 && $0 <= 0x7A }) else { return half }
        return rewritten(half) { bytes, i, out in
            guard bytes[i] >= 0x61 && bytes[i] <= 0x7A else { return 0 }
            out.append(bytes[i] - 0x20)
            return 1
        }
    }

    /// A name field: ASCII `(` `)` as full-width `（` `）`.
    public static func name(_ text: String) -> String {
        guard ByteScan.contains(text, 0x28, 0x29) else { return text }
        return rewritten(text) { bytes, i, out in
            guard bytes[i] == 0x28 || bytes[i] == 0x29 else { return 0 }
            out.append(contentsOf: [0xEF, 0xBC, bytes[i] == 0x28 ? 0x88 : 0x89])
            return 1
        }
    }

    /// `text` with some characters replaced, on the UTF-8 bytes: `replace` looks at the byte at
    /// `i`, appends what replaces the character there and returns how many bytes it replaced, or
    /// 0 to keep the byte. Replacements only ever match whole characters.
    private static func rewritten(_ text: String, _ replace: (UnsafeBufferPointer<UInt8>, Int, inout [UInt8]) -> Int)
        -> String
    {
        var copy = text
        return copy.withUTF8 { bytes in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 8)
            var i = 0
            while i < bytes.count {
                let replaced = replace(bytes, i, &out)
                if replaced == 0 { out.append(bytes[i]) }
                i += max(replaced, 1)
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Several values of one cell: split on any of `separators` (and line breaks), each trimmed,
    /// empty ones dropped, duplicates removed, original order kept.
    public static func split(_ text: String, on separators: [String]) -> [String] {
        var parts = [text]
        for separator in separators + ["\r\n", "\n", "\r"] {
            parts = parts.flatMap { $0.components(separatedBy: separator) }
        }
        var seen: Set<String> = []
        var out: [String] = []
        for part in parts {
            let value = trim(part)
            if !value.isEmpty, seen.insert(value).inserted { out.append(value) }
        }
        return out
    }
}

extension String {
    func components(separatedBy separator: String) -> [String] {
        guard !separator.isEmpty, contains(separator) else { return [self] }
        var parts: [String] = []
        var rest = self[...]
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
