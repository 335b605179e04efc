/// Natural persons' 证件号码 appear in clear only in what is sent to a platform (and `map`, which
/// shows exactly that): everywhere else (stdout, logs, errors, reports, quarantine, queue listings,
/// the audit log) they are masked to the first 6 and last 4 characters.
public enum PersonalData {
    /// `text` with every run shaped like a 身份证号 masked, whatever its check character: 15 to 18
    /// ASCII digits (the last may be `X`), not part of a longer run of digits, starting with a
    /// region digit 1–8 and holding a plausible birth date (YYMMDD for 15 characters, YYYYMMDD
    /// with a year 1900–2099 for 16 to 18). Text without a run of 14 digits is returned as is,
    /// after one pass over its bytes and no allocation.
    public static func mask(_ text: String) -> String {
        guard text.utf8.count >= 15 else { return text }
        var copy = text
        return copy.withUTF8 { bytes -> String? in
            var out: [UInt8] = []
            guard mask(bytes, into: &out) else { return nil }
            return String(decoding: out, as: UTF8.self)
        } ?? text
    }

    /// Appends `bytes` masked as `mask(_:)` masks text, when there is something to mask: false
    /// (and nothing appended) when there is not.
    @discardableResult
    public static func mask(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        guard bytes.count >= 15 else { return false }
        var copied = 0
        var masked = false
        var i = 0
        while i < bytes.count {
            guard isDigit(bytes[i]) else {
                i += 1
                continue
            }
            var end = i
            while end < bytes.count, isDigit(bytes[end]) { end += 1 }
            var length = end - i
            if length < 18, end < bytes.count, bytes[end] == UInt8(ascii: "X") || bytes[end] == UInt8(ascii: "x") {
                length += 1
            }
            if (15...18).contains(length), isIDShaped(bytes, i, length), !isInsideDigest(bytes, i, end) {
                if !masked { out.reserveCapacity(out.count + bytes.count) }
                masked = true
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<(i + 6)]))
                out.append(contentsOf: repeatElement(UInt8(ascii: "*"), count: length - 10))
                copied = i + length - 4
            }
            i = max(end, i + length)
        }
        guard masked else { return false }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
        return true
    }

    /// Whether `field` holds natural persons' numbers: a national `…ZJHM` (证件号码) or
    /// `ZY_CZRDM` (出质人代码, a 统一社会信用代码 or a 身份证号), or a local column named 证件号…
    public static func isPersonalField(_ field: String) -> Bool {
        // Byte by byte: asked once a field of every payload kept.
        field.hasSuffix("ZJHM") || field == "ZY_CZRDM" || UTF8Text.contains(field, "证件号")
    }

    /// `value` as people may see it: a personal field's value masked whatever its validity (a
    /// 出质人代码 that is a valid 统一社会信用代码 names an organisation and stays, unless it is also
    /// shaped like a 身份证号, as some pledgors' numbers are), anything else with its 身份证号-shaped
    /// runs masked.
    public static func shown(_ value: String, field: String?) -> String {
        guard let field, isPersonalField(field) else { return mask(value) }
        if field == "ZY_CZRDM", NationalIdentifiers.isValidUSCC(value), mask(value) == value { return value }
        return NationalIdentifiers.masked(value)
    }

    /// The first `characters` characters of `text`, for a message that cuts what it quotes. A cut
    /// inside a run of digits would leave the first digits of a 身份证号 that `mask` then does not
    /// recognise: a run of up to 18 digits the cut falls in is left out whole.
    public static func prefix(_ text: String, characters: Int) -> Substring {
        guard let end = text.index(text.startIndex, offsetBy: characters, limitedBy: text.endIndex),
            end < text.endIndex
        else { return text[...] }
        func isDigit(_ character: Character) -> Bool {
            character.asciiValue.map { (0x30...0x39).contains($0) } ?? false
        }
        guard isDigit(text[end]) || text[end] == "X" || text[end] == "x" else { return text[..<end] }
        var start = end
        var run = 0
        while start > text.startIndex, run <= 18, isDigit(text[text.index(before: start)]) {
            start = text.index(before: start)
            run += 1
        }
        return text[..<(run <= 18 ? start : end)]
    }

    /// `payload` with every text member as `shown(_:field:)` shows it, for what is kept or listed
    /// rather than sent. Idempotent: a payload already shown stays as it is.
    public static func shown(_ payload: JSONObject) -> JSONObject {
        JSONObject(
            payload.members.map { member in
                guard let value = member.value.stringValue else { return member }
                return JSONMember(member.key, .string(shown(value, field: member.key)))
            })
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20) &- UInt8(ascii: "a") < 6
    }

    /// Whether the digits `start..<end` lie inside a run of at least 32 hexadecimal characters: a
    /// digest (a SHA-256 or SM3 hash, an HMAC), never a 身份证号, though its digits may look like one.
    /// Masked, a hash would no longer be the hash (the audit log's chain would break on it).
    private static func isInsideDigest(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var low = start
        while low > 0, isHexDigit(bytes[low - 1]) { low -= 1 }
        var high = end
        while high < bytes.count, isHexDigit(bytes[high]) { high += 1 }
        return high - low >= 32
    }

    /// The region digit and birth date of the candidate at `bytes[start..<start + length]`.
    private static func isIDShaped(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> Bool {
        func number(_ from: Int, _ count: Int) -> Int {
            var value = 0
            for k in 0..<count { value = value * 10 + Int(bytes[start + from + k] &- 0x30) }
            return value
        }
        guard (1...8).contains(number(0, 1)) else { return false }
        let (year, month, day): (Int, Int, Int)
        if length == 15 {
            (year, month, day) = (1900 + number(6, 2), number(8, 2), number(10, 2))
        } else {
            (year, month, day) = (number(6, 4), number(10, 2), number(12, 2))
        }
        return (1900...2099).contains(year) && (1...12).contains(month) && (1...31).contains(day)
    }
}
