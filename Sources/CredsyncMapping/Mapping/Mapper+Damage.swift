public import CredsyncCatalogs
import CredsyncCore
public import CredsyncFormats

extension Mapper {
    /// The outcome of a damaged row (`CatalogRow.damage`): set aside, never a record, with its key
    /// where the damage does not touch it. The key counts as recovered when the row maps to the
    /// same key with each unreadable value left out and with one stood in for it: then the published
    /// record of that key is kept as it is, as for any row set aside.
    public func mapDamaged(_ row: CatalogRow) -> MappingOutcome {
        var standIn = row
        standIn.damage = []
        let bare = standIn
        let damaged = Set(row.damage.compactMap(\.column))
        for (i, column) in definition.columns.enumerated() where i < row.values.count && row.values[i] == nil {
            if damaged.contains(column) { standIn.values[i] = "\u{FFFD}" }
        }
        let key = Self.key(of: map(bare)).flatMap { key in Self.key(of: map(standIn)) == key ? key : nil }
        // Named by the export's column, as the value never reached a national field.
        let reasons = row.damage.map {
            Reason(field: $0.column ?? "line", rule: "E_UNREADABLE", value: nil, expected: $0.problem)
        }
        return .setAside(SetAside(file: row.file, line: row.line, key: key, reasons: reasons))
    }

    private static func key(of outcome: MappingOutcome) -> String? {
        switch outcome {
        case .record(let record): return record.key
        case .excluded(_, _, let key, _): return key
        case .setAside(let setAside): return setAside.key
        }
    }
}
