import CredsyncCore
import CredsyncMapping
import CredsyncReconciliation

/// What a cross-check against gsxt found about a record's enterprise.
public struct CrossCheckFinding: Sendable {
    /// `unknown`, `nameMismatch`, `deregistered` or `seriousIllegal`.
    public var kind: String
    public var dataset: Dataset
    public var key: String
    public var line: Int
    public var uscc: String
    public var message: String
    public var blocking: Bool

    public var description: String { "\(dataset.rawValue) \(key) (line \(line)): \(message)" + (blocking ? " [blocking: set aside]" : "") }
}

/// The checks of records against the local enterprise store: an unknown code, a name that differs
/// from the registered one, an enterprise gone before the decision, one on SAMR's serious-illegal list.
public enum CrossChecks {
    static let terminal: Set<String> = ["注销", "吊销", "迁出", "撤销"]

    /// The names compared without bracket width or white space.
    static func normalised(_ name: String) -> String {
        Normalizer.name(name).unicodeScalars.filter { !Normalizer.isSpaceScalar($0) }.map(String.init).joined()
    }

    public static func findings(_ export: ExportResult, definition: MappingDefinition, store: EnterpriseStore, blocking: Set<String>) -> [CrossCheckFinding] {
        export.records.flatMap { findings(for: $0, dataset: export.dataset, definition: definition, store: store, blocking: blocking) }
    }

    /// The findings about one record's subjects.
    public static func findings(
        for record: MappedRecord, dataset: Dataset, definition: MappingDefinition, store: EnterpriseStore, blocking: Set<String>
    ) -> [CrossCheckFinding] {
        var findings: [CrossCheckFinding] = []
        for subject in definition.subjects {
            guard let code = record.values[subject.uscc], code.count == 18, code != NationalIdentifiers.usccPlaceholder,
                NationalIdentifiers.isValidUSCC(code), let stored = store.enterprise(code)
            else { continue }
            func add(_ kind: String, _ message: String) {
                findings.append(CrossCheckFinding(kind: kind, dataset: dataset, key: record.key, line: record.line, uscc: code,
                    message: message, blocking: blocking.contains(kind)))
            }
            if stored.notFound {
                add("unknown", "统一社会信用代码 \(code) is unknown to gsxt")
                continue
            }
            let name = record.values[subject.name] ?? ""
            if !name.isEmpty, normalised(name) != normalised(stored.name) {
                add("nameMismatch", "name \"\(name)\" differs from the registered \"\(stored.name)\" (\(code))")
            }
            let date = record.values[subject.date].flatMap(LocalDate.init(iso:))
            if terminal.contains(stored.status), let date, let changed = LocalDate(iso: String(stored.updatedAt.prefix(10))), changed < date {
                add("deregistered", "\(stored.name) (\(code)) was \(stored.status) on \(changed.iso), before \(date.iso)")
            }
            if let date, let entry = store.isListed(code, on: date) {
                add("seriousIllegal", "\(stored.name) (\(code)) is on SAMR's serious-illegal list on \(date.iso) "
                    + "(\(entry["decisionNo"]?.stringValue ?? ""), listed \(entry["date"]?.stringValue ?? "")): review for 联合惩戒")
            }
        }
        return findings
    }

    /// `export` with the records that blocking findings name set aside.
    public static func apply(_ findings: [CrossCheckFinding], to export: inout ExportResult) {
        let blocked = Set(findings.filter(\.blocking).map(\.key))
        guard !blocked.isEmpty else { return }
        export.records.removeAll { blocked.contains($0.key) }
        export.setAside += setAside(findings, file: export.file)
    }

    /// The rows that blocking findings set aside, one per key with every finding as a reason.
    public static func setAside(_ findings: [CrossCheckFinding], file: String) -> [SetAside] {
        var rows: [SetAside] = []
        var index: [String: Int] = [:]
        for finding in findings where finding.blocking {
            let reason = Reason(field: nil, rule: "E_CROSS_CHECK", value: finding.uscc, expected: finding.message)
            if let i = index[finding.key] {
                rows[i].reasons.append(reason)
            } else {
                index[finding.key] = rows.count
                rows.append(SetAside(file: file, line: finding.line, key: finding.key, reasons: [reason]))
            }
        }
        return rows
    }
}

extension Normalizer {
    static func isSpaceScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.value == 0x3000 || scalar.value == 0x00A0
    }
}
