/// The one canonical-payload encoder (RFC 8785) behind both the payload hash and the payload sent:
/// an object of string members under fixed keys, written straight from the values (no `JSONValue`
/// built), byte for byte what `JSONWriter.canonicalBytes` writes for the same object. Empty or
/// missing values are left out; dates (`YYYY-MM-DD`) get each platform's separator.
public struct CanonicalPayload: Sendable {
    /// Value positions in the canonical order of their keys.
    public let order: [Int]
    /// `"KEY":` of every member in canonical order, back to back, and where each ends.
    private let prefixes: [UInt8]
    private let prefixEnds: [Int]
    /// Whether each member in canonical order is a date.
    private let isDate: [Bool]

    /// The layout of payloads whose value `i` goes under `keys[i]`, a date where `isDate[i]`.
    public init(keys: [String], isDate: [Bool]) {
        order = keys.indices.sorted { JSONWriter.precedesInUTF16(keys[$0], keys[$1]) }
        var prefixes: [UInt8] = []
        var ends: [Int] = []
        for i in order {
            JSONWriter.appendString(keys[i], into: &prefixes)
            prefixes.append(UInt8(ascii: ":"))
            ends.append(prefixes.count)
        }
        self.prefixes = prefixes
        self.prefixEnds = ends
        self.isDate = order.map { i in i < isDate.count && isDate[i] }
    }

    /// The canonical form of `values` (by key position) with `dateSeparator` in its dates.
    public func bytes(_ values: [String?], dateSeparator: String) -> [UInt8] {
        withCanonical(values) { bytes, dates in
            Self.setDates(bytes, dates, dateSeparator)
            return Array(bytes)
        }
    }

    /// The SHA-256 of `bytes(values, dateSeparator:)`, without making the array.
    public func digest(_ values: [String?], dateSeparator: String) -> SHA256.Digest {
        withCanonical(values) { bytes, dates in Self.digest(bytes, dates, dateSeparator) }
    }

    /// The digest for each date separator: written once, hashed once per separator.
    public func digests(_ values: [String?], dateSeparators: [String]) -> [SHA256.Digest] {
        withCanonical(values) { bytes, dates in dateSeparators.map { Self.digest(bytes, dates, $0) } }
    }

    private static func digest(
        _ bytes: UnsafeMutableBufferPointer<UInt8>, _ dates: UnsafeBufferPointer<Int>, _ separator: String
    ) -> SHA256.Digest {
        setDates(bytes, dates, separator)
        return SHA256.Digest(of: UnsafeRawBufferPointer(bytes))
    }

    /// Writes `separator` between the parts of each date starting at `dates`.
    private static func setDates(
        _ bytes: UnsafeMutableBufferPointer<UInt8>, _ dates: UnsafeBufferPointer<Int>, _ separator: String
    ) {
        let mark = separator.utf8.first ?? UInt8(ascii: "-")
        for start in dates {
            bytes[start + 4] = mark
            bytes[start + 7] = mark
        }
    }

    /// Calls `body` with the canonical form (dates written YYYY-MM-DD) and where each date's value
    /// starts, in one buffer sized for the worst case (every byte escaped as `\u00xx`).
    private func withCanonical<T>(
        _ values: [String?], _ body: (UnsafeMutableBufferPointer<UInt8>, UnsafeBufferPointer<Int>) -> T
    ) -> T {
        var capacity = 2
        var start = 0
        for (k, i) in order.enumerated() {
            let end = prefixEnds[k]
            if let value = values[i], !value.isEmpty { capacity += 1 + (end - start) + 2 + value.utf8.count * 6 }
            start = end
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: order.count) { dates in
                let (count, dateCount) = write(values, into: buffer, dates: dates)
                return body(
                    UnsafeMutableBufferPointer(rebasing: buffer[..<count]),
                    UnsafeBufferPointer(rebasing: dates[..<dateCount]))
            }
        }
    }

    /// Writes the canonical form into `out`, noting where each date's value starts in `dates`;
    /// returns the length and the number of dates.
    /// - Precondition: `out` holds the worst case `withCanonical` sizes, `dates` one slot a member,
    ///   and `values` has a value (or nil) at every position of `order`.
    private func write(
        _ values: [String?], into out: UnsafeMutableBufferPointer<UInt8>, dates: UnsafeMutableBufferPointer<Int>
    ) -> (Int, Int) {
        guard let base = out.baseAddress else { return (0, 0) }
        var n = 0
        var dateCount = 0
        base[n] = UInt8(ascii: "{")
        n += 1
        prefixes.withUnsafeBufferPointer { prefixes in
            guard let prefixBase = prefixes.baseAddress else { return }
            var prefixStart = 0
            for (k, i) in order.enumerated() {
                let prefixEnd = prefixEnds[k]
                defer { prefixStart = prefixEnd }
                // Read in place (a copy would cost a retain and a release per member).
                guard let length = values[i]?.utf8.count, length > 0 else { continue }
                if n > 1 {
                    base[n] = UInt8(ascii: ",")
                    n += 1
                }
                (base + n).update(from: prefixBase + prefixStart, count: prefixEnd - prefixStart)
                n += prefixEnd - prefixStart
                let start = n
                n +=
                    values[i]?.utf8.withContiguousStorageIfAvailable { JSONWriter.writeString($0, to: base + n) }
                    ?? Array(values[i]?.utf8 ?? "".utf8).withUnsafeBufferPointer {
                        JSONWriter.writeString($0, to: base + n)
                    }
                // A date is "YYYY-MM-DD" (plain ASCII, no escapes): its separators are set per platform.
                if isDate[k] && n - start == 12 {
                    dates[dateCount] = start + 1
                    dateCount += 1
                }
            }
        }
        base[n] = UInt8(ascii: "}")
        return (n + 1, dateCount)
    }
}
