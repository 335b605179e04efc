public import CredsyncCatalogs
public import CredsyncCore
public import CredsyncFormats

/// The compiled mapping engine: maps export rows to national records through a mapping definition,
/// normalises them and validates them against the national format. Each mapping thread runs a
/// copy of its own (`copy()`), so that no two threads share the rules' reference counts; the
/// loops below borrow the rules without retaining them.
public struct Mapper: Sendable {
    public let definition: MappingDefinition
    public let organisation: Organisation
    let validator: Validator
    /// The date "not after today" rules use: the run's as-of date.
    public let today: LocalDate
    /// The platforms that leave some records out, with their rules: most leave none out, and
    /// this is read for every record.
    let platformExclusions: [(PlatformID, [Exclusion])]

    public init(definition: MappingDefinition, organisation: Organisation, today: LocalDate) {
        self.definition = definition
        self.organisation = organisation
        self.validator = Validator(format: definition.format)
        self.today = today
        self.platformExclusions = definition.platforms.filter { !$0.value.isEmpty }.sorted {
            $0.key.rawValue < $1.key.rawValue
        }.map { ($0.key, $0.value) }
    }

    /// The outcome of one row.
    /// - Precondition: `definition` holds its field rules and specs for the whole call (it is a
    ///   constant of this mapper): they are borrowed with `unowned(unsafe)` and `Unmanaged`.
    public func map(_ row: CatalogRow) -> MappingOutcome {
        let format = definition.format
        // The row's values as read: trimmed where they are read (`EvaluationContext.column`), so
        // that a row with a value to trim is not copied with a retain of every value.
        var context = EvaluationContext(
            fields: Array(repeating: nil, count: format.fields.count),
            columns: row.values,
            control: Array(repeating: nil, count: definition.control.count))
        var reasons: [Reason] = []
        for (i, spec) in definition.control.enumerated() {
            let value = evaluate(spec, &context, field: .control(i), reasons: &reasons)
            context.control[i] = value.isEmpty ? nil : value
        }
        for k in definition.fields.indices {
            // Borrowed, not retained: the definition holds its specs and rules for as long as it maps.
            let index = definition.fields[k].0
            unowned(unsafe) let rule = format.fields[index]
            var value = Unmanaged.passUnretained(definition.fields[k].1)._withUnsafeGuaranteedRef {
                evaluate($0, &context, field: .field(index), reasons: &reasons)
            }
            switch rule.kind {
            case .code: value = Normalizer.code(value)
            case .name: value = Normalizer.name(value)
            default: break
            }
            // Moved in, not copied: no retain and release for every field.
            if !value.isEmpty { context.fields[index] = consume value }
        }
        let key = format.key.lazy.compactMap { context.fields[$0] }.first
        for exclusion in definition.exclusions where context.holds(exclusion.condition) {
            return .excluded(file: row.file, line: row.line, key: key, reason: exclusion.reason)
        }
        // A field whose mapping already failed is reported once, for that.
        let invalid = validator.reasons(context.fields, dateSeparator: "-", today: today)
        if reasons.isEmpty {
            reasons = invalid
        } else if !invalid.isEmpty {
            let failed = Set(reasons.compactMap(\.field))
            reasons += invalid.filter { $0.field.map { !failed.contains($0) } ?? true }
        }
        if key == nil {
            let names = format.key.map { format.fields[$0].code }.joined(separator: " or ")
            reasons.append(Reason(field: nil, rule: "E_REQUIRED", value: nil, expected: "a key: \(names)"))
        }
        guard let key, reasons.isEmpty else {
            return .setAside(SetAside(file: row.file, line: row.line, key: key, reasons: reasons))
        }
        var excluded: [PlatformID: String] = [:]
        for (platform, exclusions) in platformExclusions {
            if let exclusion = exclusions.first(where: { context.holds($0.condition) }) {
                excluded[platform] = exclusion.reason
            }
        }
        return .record(
            MappedRecord(
                file: row.file, line: row.line, key: key, values: context.fields, control: context.control,
                excludedFrom: excluded))
    }

    /// Which value a mapping failure is about: named only when a reason is written.
    enum Target {
        case field(Int)
        case control(Int)
    }

    func name(_ target: Target) -> String {
        switch target {
        case .field(let i): return definition.format.fields[i].code
        case .control(let i): return definition.controlNames[i]
        }
    }

    /// The value of `spec`, or "" when it has none; mapping failures are added to `reasons`.
    func evaluate(_ spec: ValueSpec, _ context: inout EvaluationContext, field: Target, reasons: inout [Reason])
        -> String
    {
        if let column = spec.plainColumn { return context.column(column) }
        if let condition = spec.when, !context.holds(condition) { return "" }
        var value = source(spec.source, &context, field: field, reasons: &reasons)
        if !value.isEmpty, spec.split != nil || spec.map != nil || spec.ensurePrefix != nil || spec.join != nil {
            var items = spec.split.map { Normalizer.split(value, on: $0) } ?? [value]
            if let table = spec.map {
                items = items.compactMap { item in
                    if let mapped = spec.mapped(item) { return mapped }
                    if spec.unmapped == .keep { return item }
                    reasons.append(
                        Reason(
                            field: name(field), rule: "E_CODE", value: item,
                            expected: "one of the mapping's values: \(table.keys.sorted().joined(separator: ", "))"))
                    return nil
                }
            }
            if let (prefix, condition) = spec.ensurePrefix, condition.map({ context.holds($0) }) ?? true {
                items = items.map { Normalizer.code($0).hasPrefix(prefix) ? $0 : prefix + $0 }
            }
            if items.count > 1 {
                var seen: Set<String> = []
                items = items.filter { seen.insert($0).inserted }
            }
            value = items.count == 1 ? items[0] : items.joined(separator: spec.join ?? ";")
        }
        if !value.isEmpty && spec.isDate {
            if let date = LocalDateParser.parse(value) {
                value = date.iso
            } else {
                reasons.append(
                    Reason(
                        field: name(field), rule: "E_FORMAT", value: value,
                        expected: "a date such as 2025-03-05, 2025/3/5, 2025.03.05, 2025年3月5日 or 20250305"))
                value = ""
            }
        }
        if !value.isEmpty && (spec.amountYuanToWan || spec.isAmount) {
            do {
                value = spec.amountYuanToWan ? try Amount.yuanToWan(value) : try Amount.canonical(value)
            } catch {
                let expected: String
                switch error {
                case .negative: expected = "an amount that is not negative"
                case .tooManyDecimals(let n): expected = "at most 6 decimals in 万元 (found \(n))"
                case .notANumber: expected = "an amount in 元 such as 12,000.50"
                }
                reasons.append(
                    Reason(
                        field: name(field), rule: error == .notANumber ? "E_FORMAT" : "E_RANGE", value: value,
                        expected: expected))
                value = ""
            }
        }
        if value.isEmpty, let fallback = spec.ifEmpty {
            value = evaluate(fallback, &context, field: field, reasons: &reasons)
        }
        return value
    }

    private func source(
        _ source: ValueSource, _ context: inout EvaluationContext, field: Target, reasons: inout [Reason]
    ) -> String {
        switch source {
        case .column(let i): return context.column(i)
        case .constant(let text): return text
        case .organisationName: return organisation.name
        case .organisationUSCC: return organisation.uscc
        case .field(let i): return context.fields[i] ?? ""
        case .control(let i): return context.control[i] ?? ""
        case .concat(let parts, let separator):
            return parts.map { evaluate($0, &context, field: field, reasons: &reasons) }.filter { !$0.isEmpty }.joined(
                separator: separator)
        case .firstOf(let parts):
            for part in parts {
                let value = evaluate(part, &context, field: field, reasons: &reasons)
                if !value.isEmpty { return value }
            }
            return ""
        case .dateAdd(let dateSpec, let bySpec, let periods):
            let dateText = evaluate(dateSpec, &context, field: field, reasons: &reasons)
            let by = evaluate(bySpec, &context, field: field, reasons: &reasons)
            guard let date = LocalDate(iso: dateText) ?? LocalDateParser.parse(dateText), let period = periods[by]
            else { return "" }
            return period.added(to: date).iso
        }
    }
}
