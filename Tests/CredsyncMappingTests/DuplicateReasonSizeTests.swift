import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncMapping
import CredsyncFormats

/// A key repeated many times names a few of its other lines and counts the rest, so the report
/// grows with the duplicates, not with their square.
@Suite struct DuplicateReasonSizeTests {
    @Test func aKeyOnManyRowsNamesThreeOtherLinesAndCountsTheRest() throws {
        let (definition, sample) = try ReferenceMapping.sample(.dishonesty, "dishonesty.jsonl", .jsonl, .utf8)
        let original = try String(contentsOfFile: sample.path, encoding: .utf8).split(separator: "\n").map(String.init)
        let directory = try TemporaryDirectory("many-duplicates")
        let path = directory.path + "/dishonesty.jsonl"
        let repeats = [String](repeating: original[0], count: 299)
        try ((original + repeats).joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let catalog = CatalogConfig(
            dataset: .dishonesty, path: path, format: .jsonl, encoding: .utf8, mapping: sample.mapping)
        let mapping = ExportMapping(
            catalog: catalog, definition: definition, organisation: ReferenceMapping.organisation,
            today: ReferenceMapping.today)

        let duplicates = try mapping.collect().setAside.filter { $0.reasons.contains { $0.rule == "E_DUPLICATE_KEY" } }
        #expect(duplicates.count == 300)
        let n = original.count
        #expect(
            duplicates.first?.reasons.first?.expected
                == "the key is used on more than one row: also on line \(n + 1), \(n + 2), \(n + 3) and 296 more")
        #expect(
            duplicates.last?.reasons.first?.expected
                == "the key is used on more than one row: also on line 1, \(n + 1), \(n + 2) and 296 more")
        #expect(duplicates.allSatisfy { ($0.reasons.first?.expected.count ?? 0) < 120 })
    }
}
