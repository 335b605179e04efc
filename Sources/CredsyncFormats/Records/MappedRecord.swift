public import CredsyncCore

/// A row mapped to its dataset's national record: values by format field (dates in ISO form until
/// a platform's format is chosen), control values, and the platforms that do not take it.
public struct MappedRecord: Sendable {
    public var file: String
    public var line: Int
    public var key: String
    public var values: [String?]
    public var control: [String?]
    /// Platforms that do not take this record, with the mapping's reason.
    public var excludedFrom: [PlatformID: String]

    /// The memberwise initializer, for the mapper in CredsyncMapping.
    package init(
        file: String, line: Int, key: String, values: [String?], control: [String?], excludedFrom: [PlatformID: String]
    ) {
        self.file = file
        self.line = line
        self.key = key
        self.values = values
        self.control = control
        self.excludedFrom = excludedFrom
    }

    /// The payload for a platform: fields in format order, empty ones left out, dates written
    /// with the platform's separator.
    /// Members come in canonical (RFC 8785) order already.
    public func payload(format: NationalFormat, dateSeparator: String) -> JSONObject {
        var members: [JSONMember] = []
        members.reserveCapacity(values.count)
        for i in format.canonicalOrder {
            guard let value = values[i], !value.isEmpty else { continue }
            let rule = format.fields[i]
            if rule.kind == .date && dateSeparator != "-" && value.utf8.count == 10 {
                var bytes = Array(value.utf8)
                let separator = dateSeparator.utf8.first ?? UInt8(ascii: "/")
                bytes[4] = separator
                bytes[7] = separator
                members.append(JSONMember(rule.code, .string(String(decoding: bytes, as: UTF8.self))))
            } else {
                members.append(JSONMember(rule.code, .string(value)))
            }
        }
        return JSONObject(members)
    }

    /// The payload's canonical form (RFC 8785) with the platform's date separator, written
    /// straight from the values: `JSONWriter.canonicalBytes(.object(payload(…)))` without the payload.
    public func canonicalPayload(format: NationalFormat, dateSeparator: String) -> [UInt8] {
        withCanonical(format: format) { bytes, dates in
            let mark = dateSeparator.utf8.first ?? UInt8(ascii: "-")
            for start in dates {
                bytes[start + 4] = mark
                bytes[start + 7] = mark
            }
            return Array(bytes)
        }
    }

    /// The SHA-256 of the payload's canonical form, written straight from the values: the same
    /// hash as `JSONWriter.canonicalHash(.object(payload(…)))` without building the payload.
    public func payloadHash(format: NationalFormat, dateSeparator: String) -> String {
        payloadDigest(format: format, dateSeparator: dateSeparator).hex
    }

    /// The payload's hash held inline: `payloadHash` without the hex string.
    public func payloadDigest(format: NationalFormat, dateSeparator: String) -> SHA256.Digest {
        withCanonical(format: format) { bytes, dates in Self.digest(bytes, dates: dates, separator: dateSeparator) }
    }

    /// The payload's hash for each date separator: written once, hashed once per separator, for
    /// the platforms of one dataset that write dates differently.
    public func payloadDigests(format: NationalFormat, dateSeparators: [String]) -> [SHA256.Digest] {
        withCanonical(format: format) { bytes, dates in dateSeparators.map { Self.digest(bytes, dates: dates, separator: $0) } }
    }

    /// The digest of `bytes` with `separator` written between the parts of each date at `dates`.
    private static func digest(_ bytes: UnsafeMutableBufferPointer<UInt8>, dates: UnsafeBufferPointer<Int>, separator: String) -> SHA256.Digest {
        let mark = separator.utf8.first ?? UInt8(ascii: "-")
        for start in dates {
            bytes[start + 4] = mark
            bytes[start + 7] = mark
        }
        return SHA256.Digest(of: UnsafeRawBufferPointer(bytes))
    }

    /// Calls `body` with the payload's canonical form (dates written YYYY-MM-DD) and where each
    /// date's value starts, in one buffer sized for the worst case (every byte escaped as `\\u00xx`).
    private func withCanonical<T>(format: NationalFormat, _ body: (UnsafeMutableBufferPointer<UInt8>, UnsafeBufferPointer<Int>) -> T) -> T {
        var capacity = 2
        var start = 0
        for (k, i) in format.canonicalOrder.enumerated() {
            let end = format.memberPrefixEnds[k]
            if let value = values[i], !value.isEmpty { capacity += 1 + (end - start) + 2 + value.utf8.count * 6 }
            start = end
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: format.canonicalOrder.count) { dates in
                let (count, dateCount) = writeCanonical(format: format, into: buffer, dates: dates)
                return body(UnsafeMutableBufferPointer(rebasing: buffer[..<count]), UnsafeBufferPointer(rebasing: dates[..<dateCount]))
            }
        }
    }

    /// Writes the payload's canonical form into `out` (large enough), noting where each date's
    /// value starts in `dates`; returns the length and the number of dates.
    private func writeCanonical(format: NationalFormat, into out: UnsafeMutableBufferPointer<UInt8>, dates: UnsafeMutableBufferPointer<Int>) -> (Int, Int) {
        guard let base = out.baseAddress else { return (0, 0) }
        var n = 0
        var dateCount = 0
        base[n] = UInt8(ascii: "{")
        n += 1
        format.memberPrefixes.withUnsafeBufferPointer { prefixes in
            var prefixStart = 0
            for (k, i) in format.canonicalOrder.enumerated() {
                let prefixEnd = format.memberPrefixEnds[k]
                defer { prefixStart = prefixEnd }
                // Read in place (a copy would cost a retain and a release per field).
                guard let length = values[i]?.utf8.count, length > 0 else { continue }
                if n > 1 {
                    base[n] = UInt8(ascii: ",")
                    n += 1
                }
                (base + n).update(from: prefixes.baseAddress! + prefixStart, count: prefixEnd - prefixStart)
                n += prefixEnd - prefixStart
                let start = n
                n += values[i]?.utf8.withContiguousStorageIfAvailable { JSONWriter.writeString($0, to: base + n) }
                    ?? Array(values[i]?.utf8 ?? "".utf8).withUnsafeBufferPointer { JSONWriter.writeString($0, to: base + n) }
                // A date is "YYYY-MM-DD" (plain ASCII, no escapes): its separators are set per platform.
                if format.canonicalIsDate[k] && n - start == 12 {
                    dates[dateCount] = start + 1
                    dateCount += 1
                }
            }
        }
        base[n] = UInt8(ascii: "}")
        return (n + 1, dateCount)
    }
}

/// A row that was set aside, with every reason.
public struct SetAside: Sendable {
    public var file: String
    public var line: Int
    public var key: String?
    public var reasons: [Reason]

    public init(file: String, line: Int, key: String?, reasons: [Reason]) {
        self.file = file
        self.line = line
        self.key = key
        self.reasons = reasons
    }
}

/// What became of one row.
public enum MappingOutcome: Sendable {
    case record(MappedRecord)
    /// Never published (e.g. a 轻微 penalty): the mapping's reason.
    case excluded(file: String, line: Int, key: String?, reason: String)
    case setAside(SetAside)
}
