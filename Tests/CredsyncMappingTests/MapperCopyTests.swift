import CredsyncCatalogs
import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncMapping
@testable import CredsyncFormats

/// Each mapping thread maps with a copy of the mapper: it must map exactly alike and share no
/// rule with the original.
@Suite struct MapperCopyTests {
    @Test(arguments: ReferenceMapping.sampleExports)
    func copyMapsEveryRowAlike(
        dataset: Dataset, file: String, format: CatalogConfig.Format, encoding: CatalogConfig.Encoding
    ) throws {
        let (definition, catalog) = try ReferenceMapping.sample(dataset, file, format, encoding)
        let mapper = Mapper(
            definition: definition, organisation: ReferenceMapping.organisation, today: ReferenceMapping.today)
        let copy = try mapper.copy()
        #expect(!zip(definition.format.fields, copy.definition.format.fields).contains { $0 === $1 })
        #expect(!zip(definition.fields, copy.definition.fields).contains { $0.1 === $1.1 })
        #expect(copy.definition.columns == definition.columns)
        #expect(copy.definition.format.canonicalOrder == definition.format.canonicalOrder)

        var reader = try Catalogs.open(catalog, columns: definition.columns)
        var rows = 0
        while let item = reader.next() {
            guard case .row(let row) = item else { continue }
            #expect(
                describe(copy.map(row), definition.format) == describe(mapper.map(row), definition.format),
                "line \(row.line)")
            rows += 1
        }
        #expect(rows > 100)
    }

    /// A pattern that does not compile for a thread's copy is reported, naming the format file, the
    /// field and the pattern: the copy is never the shared mapper, and the export is not read.
    @Test func failedCopyIsReported() throws {
        let (loaded, catalog) = try ReferenceMapping.sample(
            ReferenceMapping.sampleExports[0].0, ReferenceMapping.sampleExports[0].1,
            ReferenceMapping.sampleExports[0].2, ReferenceMapping.sampleExports[0].3)
        var definition = loaded
        let rule = definition.format.fields[0]
        let broken = FieldRule(
            code: rule.code, title: rule.title, kind: rule.kind, isRequired: rule.isRequired,
            requiredWhen: rule.requiredWhen, maxLength: rule.maxLength, exactLength: rule.exactLength,
            codes: rule.codes, isMultiValue: rule.isMultiValue, check: rule.check, notAfterToday: rule.notAfterToday,
            notBefore: rule.notBefore, after: rule.after,
            patterns: [PatternRule(condition: nil, pattern: "([", regex: try NSRegularExpression(pattern: "^.*$"))])
        definition.format.fields[0] = broken
        let mapper = Mapper(
            definition: definition, organisation: ReferenceMapping.organisation, today: ReferenceMapping.today)
        #expect {
            try mapper.copy()
        } throws: { error in
            guard let error = error as? MapperCopyError else { return false }
            return error.file == definition.format.file && error.field == rule.code && error.pattern == "(["
                && error.description.contains("fields.\(rule.code).patterns")
        }
        let export = ExportMapping(
            catalog: catalog, definition: definition, organisation: ReferenceMapping.organisation,
            today: ReferenceMapping.today)
        #expect {
            try export.collect()
        } throws: { error in
            guard let problem = error as? RowProblem else { return false }
            return problem.file == definition.file && problem.line == 0 && problem.reason.contains("\"([\"")
        }
    }

    func describe(_ outcome: MappingOutcome, _ format: NationalFormat) -> String {
        switch outcome {
        case .record(let record):
            let excluded = record.excludedFrom.sorted { $0.key < $1.key }.map { "\($0.key.rawValue): \($0.value)" }
            return
                "record \(record.key) \(JSONWriter.canonical(.object(record.payload(format: format, dateSeparator: "-")))) \(record.control) \(excluded)"
        case .excluded(_, let line, let key, let reason): return "excluded \(line) \(key ?? "-") \(reason)"
        case .setAside(let setAside):
            return "set aside \(setAside.line) \(setAside.key ?? "-") \(setAside.reasons.map { "\($0.json())" })"
        }
    }
}
