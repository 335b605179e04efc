import CredsyncCore

/// gsxt's enterprise change feed and SAMR's serious-illegal list feed, from JSON Lines files:
/// each line one item, its `seq` the line's position (1-based) unless the line gives one.
struct EnterpriseFeeds: Sendable {
    /// Enterprise change items in ascending seq: (seq, enterprise).
    let enterprises: [(Int, JSONValue)]
    /// List items in ascending seq, each with its `seq`.
    let listItems: [(Int, JSONValue)]
    /// The latest version of each enterprise by USCC.
    let latest: [String: JSONValue]

    init(enterprisesFile: String?, listFile: String?) throws(CredsyncError) {
        enterprises = try Self.load(enterprisesFile)
        listItems = try Self.load(listFile)
        var latest: [String: JSONValue] = [:]
        for (_, enterprise) in enterprises {
            if let uscc = enterprise["uscc"]?.stringValue { latest[uscc] = enterprise }
        }
        self.latest = latest
    }

    private static func load(_ file: String?) throws(CredsyncError) -> [(Int, JSONValue)] {
        guard let file else { return [] }
        let text: String
        do { text = try FileSystem.readText(file) } catch { throw CredsyncError(.dataError, error.description) }
        var items: [(Int, JSONValue)] = []
        for (index, line) in text.split(separator: "\n").enumerated() where !line.trimmingSpaces().isEmpty {
            do {
                let value = try JSONParser.parse(String(line))
                items.append((value["seq"]?.intValue ?? index + 1, value))
            } catch {
                throw CredsyncError(.dataError, "\(file) line \(index + 1): \(error)")
            }
        }
        return items.sorted { $0.0 < $1.0 }
    }

    /// The region code without its trailing pairs of zeros: `330000` → `33`, `331000` → `3310`.
    static func regionPrefix(_ region: String) -> String {
        var prefix = Substring(region)
        while prefix.hasSuffix("00") { prefix = prefix.dropLast(2) }
        return String(prefix)
    }

    /// A cursor: the last seq delivered and when the cursor was issued.
    static func cursor(seq: Int, issuedAt: Double) -> String { "\(seq).\(Int(issuedAt))" }

    /// The seq a cursor stands for, or nil when it is malformed or older than `lifetime`.
    static func seq(fromCursor cursor: String, now: Double, lifetime: Double) -> Int? {
        let parts = cursor.split(separator: ".")
        guard parts.count == 2, let seq = Int(parts[0]), let issued = Double(parts[1]), now - issued <= lifetime else {
            return nil
        }
        return seq
    }

    /// One page of a feed after `afterSeq`.
    static func page(
        _ items: [(Int, JSONValue)], after afterSeq: Int, limit: Int, now: Double, include: (JSONValue) -> Bool,
        wrap: (Int, JSONValue) -> JSONValue
    ) -> JSONValue {
        var low = 0
        var high = items.count
        while low < high {
            let mid = (low + high) / 2
            if items[mid].0 <= afterSeq { low = mid + 1 } else { high = mid }
        }
        var out: [JSONValue] = []
        var last = afterSeq
        var index = low
        while index < items.count && out.count < limit {
            let (seq, item) = items[index]
            if include(item) { out.append(wrap(seq, item)) }
            last = seq
            index += 1
        }
        return [
            "items": .array(out), "nextCursor": .string(cursor(seq: last, issuedAt: now)),
            "hasMore": .bool(index < items.count),
        ]
    }
}
