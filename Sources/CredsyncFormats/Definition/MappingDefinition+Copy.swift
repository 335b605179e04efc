public import CredsyncCore
import Foundation

/// Why a mapping thread could not get rules of its own: the pattern that did not compile again.
public struct MapperCopyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The format file, the field and the pattern.
    public var file: String
    public var field: String
    public var pattern: String
    public var reason: String

    public var description: String {
        "\(file): fields.\(field).patterns: \"\(pattern)\" does not compile for a mapping thread's copy: \(reason)"
    }
}

/// Deep copies for the mapping threads: every rule, spec, condition, array and string built anew,
/// so that no two threads share (and contend for) a reference count. The values are equal to the
/// originals; only their storage differs.
package enum Fresh {
    package static func string(_ text: String) -> String { String(decoding: Array(text.utf8), as: UTF8.self) }

    static func strings(_ texts: [String]) -> [String] { texts.map(string) }

    static func table(_ table: [String: String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: table.map { (string($0.key), string($0.value)) })
    }

    static func condition(_ condition: Condition) -> Condition {
        switch condition {
        case .equals(let reference, let text): .equals(reference, string(text))
        case .oneOf(let reference, let texts): .oneOf(reference, strings(texts))
        case .contains(let reference, let text): .contains(reference, string(text))
        case .only(let reference, let text): .only(reference, string(text))
        case .isEmpty(let reference, let empty): .isEmpty(reference, empty)
        case .all(let conditions): .all(conditions.map(Self.condition))
        case .any(let conditions): .any(conditions.map(Self.condition))
        case .not(let inner): .not(Self.condition(inner))
        }
    }

    static func source(_ source: ValueSource) -> ValueSource {
        switch source {
        case .column, .organisationName, .organisationUSCC, .field, .control: source
        case .constant(let text): .constant(string(text))
        case .concat(let parts, let separator): .concat(parts.map(spec), separator: string(separator))
        case .firstOf(let parts): .firstOf(parts.map(spec))
        case .dateAdd(let date, let by, let periods):
            .dateAdd(
                date: spec(date), by: spec(by),
                periods: Dictionary(uniqueKeysWithValues: periods.map { (string($0.key), $0.value) }))
        }
    }

    static func spec(_ spec: ValueSpec) -> ValueSpec {
        var steps = ValueSpec.Steps()
        steps.split = spec.split.map(strings)
        steps.map = spec.map.map(table)
        steps.unmapped = spec.unmapped
        steps.ensurePrefix = spec.ensurePrefix.map { (string($0.prefix), $0.when.map(condition)) }
        steps.join = spec.join.map(string)
        steps.isDate = spec.isDate
        steps.amountYuanToWan = spec.amountYuanToWan
        steps.isAmount = spec.isAmount
        steps.ifEmpty = spec.ifEmpty.map(Self.spec)
        steps.when = spec.when.map(condition)
        return ValueSpec(source: source(spec.source), path: string(spec.path), steps: steps)
    }

    static func exclusion(_ exclusion: Exclusion) -> Exclusion {
        Exclusion(condition: condition(exclusion.condition), reason: string(exclusion.reason))
    }

    static func rule(_ rule: FieldRule, file: String) throws(MapperCopyError) -> FieldRule {
        var patterns: [PatternRule] = []
        for pattern in rule.patterns {
            do {
                let when = pattern.condition.map(condition)
                patterns.append(try PatternRule(condition: when, pattern: string(pattern.pattern)))
            } catch {
                throw MapperCopyError(file: file, field: rule.code, pattern: pattern.pattern, reason: "\(error)")
            }
        }
        return FieldRule(
            code: string(rule.code), title: string(rule.title), kind: rule.kind, isRequired: rule.isRequired,
            requiredWhen: rule.requiredWhen.map(condition), maxLength: rule.maxLength, exactLength: rule.exactLength,
            codes: rule.codes.map(strings), isMultiValue: rule.isMultiValue, check: rule.check,
            notAfterToday: rule.notAfterToday, notBefore: rule.notBefore, after: rule.after, patterns: patterns)
    }

    static func format(_ format: NationalFormat) throws(MapperCopyError) -> NationalFormat {
        var fields: [FieldRule] = []
        fields.reserveCapacity(format.fields.count)
        for rule in format.fields { fields.append(try self.rule(rule, file: format.file)) }
        return NationalFormat(
            dataset: format.dataset, file: string(format.file), fields: fields, key: format.key.map { $0 },
            subject: format.subject, idTypes: strings(format.idTypes), longTerm: string(format.longTerm))
    }
}

extension MappingDefinition {
    /// The same definition with storage of its own (`Fresh`): for one mapping thread.
    /// - Throws: `MapperCopyError` when a format pattern does not compile again.
    package func threadCopy() throws(MapperCopyError) -> MappingDefinition {
        var copy = MappingDefinition(
            file: Fresh.string(file), dataset: dataset, format: try Fresh.format(format),
            columns: Fresh.strings(columns),
            fields: fields.map { ($0.0, Fresh.spec($0.1)) }, controlNames: Fresh.strings(controlNames),
            control: control.map(Fresh.spec), exclusions: exclusions.map(Fresh.exclusion),
            platforms: Dictionary(uniqueKeysWithValues: platforms.map { ($0.key, $0.value.map(Fresh.exclusion)) }))
        copy.subjects = subjects.map { $0 }
        return copy
    }
}
