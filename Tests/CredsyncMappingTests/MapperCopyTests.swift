import CredsyncCatalogs
import CredsyncCore
import TestSupport
import Testing

@testable import CredsyncMapping
@testable import CredsyncFormats

/// Each mapping thread maps with a copy of the mapper: it must map exactly alike and share no
/// rule with the original.
@Suite struct MapperCopyTests {
    @Test(arguments: ReferenceMapping.sampleExports)
    func copyMapsEveryRowAlike(dataset: Dataset, file: String, format: CatalogConfig.Format, encoding: CatalogConfig.Encoding) throws {
        let (definition, catalog) = try ReferenceMapping.sample(dataset, file, format, encoding)
        let mapper = Mapper(definition: definition, organisation: ReferenceMapping.organisation, today: ReferenceMapping.today)
        let copy = mapper.copy()
        #expect(!zip(definition.format.fields, copy.definition.format.fields).contains { $0 === $1 })
        #expect(!zip(definition.fields, copy.definition.fields).contains { $0.1 === $1.1 })
        #expect(copy.definition.sources == definition.sources)

        var reader = try Catalogs.open(catalog, columns: definition.columns)
        var rows = 0
        while let item = reader.next() {
            guard case .row(let row) = item else { continue }
            #expect(describe(copy.map(row), definition.format) == describe(mapper.map(row), definition.format), "line \(row.line)")
            rows += 1
        }
        #expect(rows > 100)
    }

    /// A definition built in code has no files to read again: its copy is itself.
    @Test func definitionWithoutSourcesIsItsOwnCopy() throws {
        var definition = try MappingLoader.load(Binaries.packageRoot + "/mappings/license.json")
        definition.sources = [:]
        #expect(definition.copy().format.fields[0] === definition.format.fields[0])
    }

    func describe(_ outcome: MappingOutcome, _ format: NationalFormat) -> String {
        switch outcome {
        case .record(let record):
            let excluded = record.excludedFrom.sorted { $0.key < $1.key }.map { "\($0.key.rawValue): \($0.value)" }
            return "record \(record.key) \(JSONWriter.canonical(.object(record.payload(format: format, dateSeparator: "-")))) \(record.control) \(excluded)"
        case .excluded(_, let line, let key, let reason): return "excluded \(line) \(key ?? "-") \(reason)"
        case .setAside(let setAside): return "set aside \(setAside.line) \(setAside.key ?? "-") \(setAside.reasons.map { "\($0.json())" })"
        }
    }
}
