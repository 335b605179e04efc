/// How varied a generated export is, column by column: the entropy built in, for a reader to judge.
public struct ExportStatistics: Sendable {
    /// One column's figures over the rows counted.
    public struct Column: Sendable {
        public var name: String
        /// Distinct values, byte for byte as written.
        public var distinct = 0
        public var empty = 0
        /// Rows whose value is the row before's, byte for byte (the shortcut a reader may take).
        public var sameAsRowBefore = 0
        /// The share of rows holding the most common value.
        public var topShare = 0.0
    }

    public private(set) var rows = 0
    public private(set) var columns: [Column]
    /// Bad rows by kind.
    public private(set) var defects: [LicenseDefect: Int] = [:]
    private var hashes: [[UInt64]]
    private var previous: [UInt64]

    public init(header: [String] = LicenseExportGenerator.header) {
        columns = header.map { Column(name: $0) }
        hashes = Array(repeating: [], count: header.count)
        previous = Array(repeating: 0, count: header.count)
    }

    /// Counts one row (a raw broken line counts for its defect only).
    public mutating func add(_ row: LicenseExportRow) {
        rows += 1
        if let defect = row.defect { defects[defect, default: 0] += 1 }
        for i in columns.indices {
            let value = i == row.invalidColumn ? "\u{FFFD}" : i < row.values.count ? row.values[i] : ""
            let hash = Self.fnv1a(value)
            if value.isEmpty { columns[i].empty += 1 }
            if rows > 1 && hash == previous[i] { columns[i].sameAsRowBefore += 1 }
            previous[i] = hash
            hashes[i].append(hash)
        }
    }

    /// Works out the distinct counts (sorting what `add` kept) and frees the memory they took.
    public mutating func finish() {
        for i in columns.indices {
            hashes[i].sort()
            var distinct = 0
            var run = 0
            var longest = 0
            for (k, hash) in hashes[i].enumerated() {
                if k == 0 || hash != hashes[i][k - 1] {
                    distinct += 1
                    run = 0
                }
                run += 1
                longest = max(longest, run)
            }
            columns[i].distinct = distinct
            columns[i].topShare = rows == 0 ? 0 : Double(longest) / Double(rows)
            hashes[i] = []
        }
    }

    /// The figures as a Markdown table, with the defects after it.
    public func table() -> String {
        func percent(_ part: Int) -> String { formatted(100 * Double(part) / Double(max(rows, 1))) + "%" }
        var lines = [
            "| column | distinct values | distinct / rows | empty | same as the row before | most common value |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for column in columns {
            lines.append(
                "| \(column.name) | \(column.distinct) | \(percent(column.distinct)) | \(percent(column.empty)) | "
                    + "\(percent(column.sameAsRowBefore)) | \(formatted(column.topShare * 100))% |")
        }
        let bad = defects.values.reduce(0, +)
        lines.append("")
        lines.append(
            "bad rows: \(bad) of \(rows) (\(percent(bad))): "
                + LicenseDefect.allCases.map { "\($0.rawValue) \(defects[$0] ?? 0)" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    private func formatted(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        return hash
    }
}
