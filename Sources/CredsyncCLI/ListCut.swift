/// Lists on a terminal are cut to a few lines; a cut list says how much it left out and where
/// the rest is, and identical warnings are grouped with a count.
enum ListCut {
    /// How many lines a list shows before it is cut.
    static let shown = 20
    /// How many keys a grouped warning names.
    static let keysNamed = 3

    /// "  … and 44 more (see 'credsync plan --json')", or nil when nothing was cut.
    static func more(_ total: Int, shown: Int = ListCut.shown, see: String) -> String? {
        total > shown ? "  … and \(total - shown) more (see \(see))" : nil
    }

    /// Warnings of the form "KEY: message" grouped by message, in order of first appearance,
    /// each with the keys it was given for.
    static func grouped(_ warnings: [String]) -> [(message: String, keys: [String])] {
        var order: [String] = []
        var keys: [String: [String]] = [:]
        for warning in warnings {
            let (key, message): (String?, String)
            if let colon = warning.firstRange(of: ": ") {
                (key, message) = (String(warning[..<colon.lowerBound]), String(warning[colon.upperBound...]))
            } else {
                (key, message) = (nil, warning)
            }
            if keys[message] == nil { order.append(message) }
            keys[message, default: []].append(contentsOf: key.map { [$0] } ?? [])
        }
        return order.map { ($0, keys[$0] ?? []) }
    }

    /// One grouped warning as a line: "deadline unknown: … (65 records: A, B, C and 62 more)".
    static func describe(_ group: (message: String, keys: [String])) -> String {
        switch group.keys.count {
        case 0: return group.message
        case 1: return "\(group.keys[0]): \(group.message)"
        default:
            let named = group.keys.prefix(keysNamed).joined(separator: ", ")
            let rest = group.keys.count - min(keysNamed, group.keys.count)
            return "\(group.message) (\(group.keys.count) records: \(named)\(rest > 0 ? " and \(rest) more" : ""))"
        }
    }
}
