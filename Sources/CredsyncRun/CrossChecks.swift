public import CredsyncCore
public import CredsyncMapping
public import CredsyncReconciliation
import Synchronization
public import CredsyncFormats

/// What a cross-check against gsxt found about a record's enterprise.
public struct CrossCheckFinding: Sendable {
    /// `unknown`, `nameMismatch`, `deregistered` or `seriousIllegal`.
    public var kind: String
    public var dataset: Dataset
    public var key: String
    public var line: Int
    /// The subject's code, masked when it is shaped like a 身份证号.
    public var uscc: String
    public var message: String
    public var blocking: Bool

    public var description: String {
        "\(dataset.rawValue) \(key) (line \(line)): \(message)" + (blocking ? " [blocking: set aside]" : "")
    }
}

/// The checks of records against the local enterprise store: an unknown code, a name that differs
/// from the registered one, an enterprise gone before the decision, one on SAMR's serious-illegal list.
public enum CrossChecks {
    static let terminal: Set<String> = ["注销", "吊销", "迁出", "撤销"]

    /// The names compared without bracket width or white space.
    static func normalised(_ name: String) -> String {
        Normalizer.name(name).unicodeScalars.filter { !Normalizer.isSpaceScalar($0) }.map(String.init).joined()
    }

    public static func findings(
        _ export: ExportResult, definition: MappingDefinition, store: EnterpriseStore, blocking: Set<String>
    ) throws(CredsyncError) -> [CrossCheckFinding] {
        var all: [CrossCheckFinding] = []
        for record in export.records {
            all += try findings(
                for: record, dataset: export.dataset, definition: definition, store: store, blocking: blocking)
        }
        return all
    }

    /// The findings about one record's subjects: each subject's code looked up in the store by key
    /// (nothing loaded whole). A code shaped like a 身份证号 is named masked. Each code the store
    /// lacks or holds too old is noted in `subjects`, from the same look-up.
    public static func findings(
        for record: MappedRecord, dataset: Dataset, definition: MappingDefinition, store: EnterpriseStore,
        blocking: Set<String>
    ) throws(CredsyncError) -> [CrossCheckFinding] {
        try findings(
            for: record, dataset: dataset, definition: definition, store: store, blocking: blocking, subjects: nil)
    }

    static func findings(
        for record: MappedRecord, dataset: Dataset, definition: MappingDefinition, store: EnterpriseStore,
        blocking: Set<String>, subjects: MissingSubjects?
    ) throws(CredsyncError) -> [CrossCheckFinding] {
        var findings: [CrossCheckFinding] = []
        for subject in definition.subjects {
            guard let code = record.values[subject.uscc], code != NationalIdentifiers.usccPlaceholder,
                NationalIdentifiers.isValidUSCC(code)
            else { continue }
            let summary = try store.summary(code)
            subjects?.note(code, stored: summary)
            guard code.count == 18, let stored = summary else { continue }
            let shown = PersonalData.mask(code)
            func add(_ kind: String, _ message: String) {
                findings.append(
                    CrossCheckFinding(
                        kind: kind, dataset: dataset, key: record.key, line: record.line, uscc: shown,
                        message: message, blocking: blocking.contains(kind)))
            }
            if stored.notFound {
                add("unknown", "统一社会信用代码 \(shown) is unknown to gsxt")
                continue
            }
            let name = record.values[subject.name] ?? ""
            if !name.isEmpty, normalised(name) != normalised(stored.name) {
                add("nameMismatch", "name \"\(name)\" differs from the registered \"\(stored.name)\" (\(shown))")
            }
            let date = record.values[subject.date].flatMap(LocalDate.init(iso:))
            if terminal.contains(stored.status), let date,
                let changed = LocalDate(iso: String(stored.updatedAt.prefix(10))), changed < date
            {
                add(
                    "deregistered",
                    "\(stored.name) (\(shown)) was \(stored.status) on \(changed.iso), before \(date.iso)")
            }
            if let date, stored.hasListEntries, let entry = try store.isListed(code, on: date) {
                add(
                    "seriousIllegal",
                    "\(stored.name) (\(shown)) is on SAMR's serious-illegal list on \(date.iso) "
                        + "(\(entry["decisionNo"]?.stringValue ?? ""), listed \(entry["date"]?.stringValue ?? "")): review for 联合惩戒"
                )
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

/// The first failure of a cross-check's look-up on the mapping threads, thrown once the export is read.
final class CrossCheckFailure: Sendable {
    private let first = Mutex<CredsyncError?>(nil)

    func record(_ error: CredsyncError) { first.withLock { if $0 == nil { $0 = error } } }

    func check() throws(CredsyncError) {
        if let error = first.withLock({ $0 }) { throw error }
    }
}

extension Normalizer {
    static func isSpaceScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.value == 0x3000 || scalar.value == 0x00A0
    }
}
