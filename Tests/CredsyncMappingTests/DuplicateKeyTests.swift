import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncMapping
import CredsyncFormats

/// A key on more than one row sets every one of those rows aside, naming the others; keys are told
/// apart by their bytes; the notes made while streaming line up with the records that stay.
@Suite struct DuplicateKeyTests {
    /// The dishonesty sample with `lines` appended.
    func export(appending lines: [String]) throws -> (ExportMapping, TemporaryDirectory, Int) {
        let (definition, sample) = try ReferenceMapping.sample(.dishonesty, "dishonesty.jsonl", .jsonl, .utf8)
        let original = try String(contentsOfFile: sample.path, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        let rows = original.last == "" ? original.dropLast() : original[...]
        let directory = try TemporaryDirectory("duplicates")
        let path = directory.path + "/dishonesty.jsonl"
        try ((rows.map(String.init) + lines).joined(separator: "\n") + "\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let catalog = CatalogConfig(
            dataset: .dishonesty, path: path, format: .jsonl, encoding: .utf8, mapping: sample.mapping)
        return (
            ExportMapping(
                catalog: catalog, definition: definition, organisation: ReferenceMapping.organisation,
                today: ReferenceMapping.today), directory, rows.count
        )
    }

    /// A sample row with its decision number (the key) set to `key`.
    func row(_ line: String, key: String) throws -> String {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        object["decisionNo"] = key
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func aKeyOnThreeRowsSetsAllThreeAsideAndCanonicallyEqualKeysStayApart() throws {
        let (plain, sampleDirectory, _) = try export(appending: [])
        let sample = try plain.collect()
        let first = try #require(sample.records.first)
        let text = try String(contentsOfFile: plain.catalog.path, encoding: .utf8).split(separator: "\n").map(
            String.init)
        let firstRow = text[first.line - 1]
        let composed = "浙知失〔2026〕\u{E9}号"
        let decomposed = "浙知失〔2026〕e\u{301}号"
        #expect(composed == decomposed)  // equal as Swift strings, two keys on the wire
        let (mapping, directory, count) = try export(appending: [
            firstRow, firstRow, try row(firstRow, key: composed), try row(firstRow, key: decomposed),
        ])

        let whole = try mapping.collect()
        let duplicates = whole.setAside.filter { $0.reasons.contains { $0.rule == "E_DUPLICATE_KEY" } }
        #expect(duplicates.map(\.line) == [first.line, count + 1, count + 2])
        #expect(duplicates.allSatisfy { $0.key == first.key })
        #expect(
            duplicates.first?.reasons.first?.expected
                == "the key is used on more than one row: also on line \(count + 1), \(count + 2)")
        #expect(whole.records.count == sample.records.count + 1)
        #expect(whole.records.filter { $0.key == composed }.map(\.line) == [count + 3, count + 4])
        #expect(!whole.records.contains { $0.key.utf8.elementsEqual(first.key.utf8) })

        let (streamed, notes) = try mapping.collect(keepRecords: false) { $0.line }
        #expect(streamed.records.isEmpty)
        #expect(streamed.recordCount == whole.records.count)
        #expect(notes == whole.records.map(\.line))
        #expect(streamed.setAside.map(\.line) == whole.setAside.map(\.line))
        withExtendedLifetime((sampleDirectory, directory)) {}
    }
}
