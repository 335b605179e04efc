import CredsyncBenchData
import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncMapping
import CredsyncCatalogs
import CredsyncFormats

/// The realistic generated export (CredsyncBenchData) read and mapped through the fast path
/// (`ExportMapping`: byte-level reader, decoding tables, "same as the row before", trimming and
/// normalising on bytes, the inline canonical hash) and through `PlainLicensePath` (no cache, no
/// shortcut, no byte path): the same rows, keys, payloads, hashes and reasons.
@Suite struct GeneratedExportDifferentialTests {
    /// 20,000 rows; CREDSYNC_DIFFERENTIAL_ROWS for more (a slow debug run over rarer cases).
    static let rows = ProcessInfo.processInfo.environment["CREDSYNC_DIFFERENTIAL_ROWS"].flatMap { Int($0) } ?? 20_000

    /// The generated rows with the line each starts on.
    struct Generated {
        var file: String
        var lines: [(line: Int, row: LicenseExportRow)] = []
    }

    static func generate(in directory: TemporaryDirectory, rows: Int, seed: UInt64) throws -> Generated {
        var generated = Generated(file: directory.path + "/licenses.csv")
        var generator = LicenseExportGenerator(seed: seed)
        var line = 2
        try LicenseExportWriter.write(rows: rows, to: generated.file, generator: &generator) { row in
            generated.lines.append((line, row))
            // A value's line breaks are lines of the file too (not the one written as bad bytes).
            let written = row.values.indices.filter { $0 != row.invalidColumn }.map { row.values[$0] }
            line += 1 + (row.rawLine == nil ? written.reduce(0) { $0 + $1.utf8.filter { $0 == 0x0A }.count } : 0)
        }
        return generated
    }

    @Test func fastAndPlainPathsAgreeOnEveryRow() throws {
        let directory = try TemporaryDirectory("differential")
        let generated = try Self.generate(in: directory, rows: Self.rows, seed: LicenseExportGenerator.defaultSeed)
        let (definition, _) = try ReferenceMapping.sample(.license, "licenses.csv", .csv, .gb18030)
        let catalog = CatalogConfig(
            dataset: .license, path: generated.file, format: .csv, encoding: .gb18030, mapping: definition.file)
        let export = try ExportMapping(
            catalog: catalog, definition: definition, organisation: ReferenceMapping.organisation,
            today: ReferenceMapping.today
        ).collect()

        var fast: [Int: RowFate] = [:]
        var payloads: [Int: [String]] = [:]
        for (k, record) in export.records.enumerated() {
            // The hashes written straight from the values, as the plan compares them.
            let hashes = PlainLicensePath.dateSeparators.map {
                record.payloadHash(format: definition.format, dateSeparator: $0)
            }
            fast[record.line] = .record(key: record.key, values: record.values, hashes: hashes)
            // And the payloads as they are sent, for one record in 20 (building them is slow in debug).
            if k % 20 == 0 {
                payloads[record.line] = PlainLicensePath.dateSeparators.map {
                    JSONWriter.canonical(.object(record.payload(format: definition.format, dateSeparator: $0)))
                }
            }
        }
        for item in export.setAside {
            fast[item.line] =
                item.reasons.contains { $0.rule == "E_UNREADABLE" }
                ? .damaged : .setAside(key: item.key, reasons: item.reasons)
        }
        for (line, key, reason) in export.excluded { fast[line] = .excluded(key: key, reason: reason) }
        for problem in export.unreadable { fast[problem.line] = .damaged }

        let plain = try PlainLicensePath(
            definition: definition, organisation: ReferenceMapping.organisation, today: ReferenceMapping.today
        )
        .fates(file: generated.file)
        let lines = Set(fast.keys).union(plain.keys).sorted()
        let differing = lines.filter { fast[$0] != plain[$0] }
        #expect(lines.count == Self.rows)
        let shown = differing.prefix(3).map {
            "line \($0): fast \(fast[$0].map(String.init(describing:)) ?? "none"), "
                + "plain \(plain[$0].map(String.init(describing:)) ?? "none")"
        }
        #expect(differing.isEmpty, "\(differing.count) rows differ, first: \(shown.joined(separator: " | "))")
        let path = PlainLicensePath(
            definition: definition, organisation: ReferenceMapping.organisation, today: ReferenceMapping.today)
        let differingPayloads = payloads.filter { line, sent in
            guard case .record(_, let values, _)? = plain[line] else { return true }
            return PlainLicensePath.dateSeparators.map { path.canonicalPayload(values, $0) } != sent
        }
        #expect(payloads.count > Self.rows / 25)
        #expect(differingPayloads.isEmpty, "payloads differ on lines \(differingPayloads.keys.sorted().prefix(5))")

        // What the generator promises: every kind of bad row there, each one caught; the good rows mapped.
        var missed: [String] = []
        for (line, row) in generated.lines {
            let fate = plain[line]
            switch (row.defect, fate) {
            case (let defect?, .damaged?) where defect.isUnreadable: continue
            case (let defect?, .setAside?) where !defect.isUnreadable: continue
            case (nil, .record?): continue
            case (nil, .setAside(_, let reasons)?) where reasons.allSatisfy({ $0.rule == "E_DUPLICATE_KEY" }): continue
            default:
                missed.append(
                    "line \(line) (\(row.defect?.rawValue ?? "good")): \(fate.map(String.init(describing:)) ?? "none")")
            }
        }
        #expect(
            missed.isEmpty, "\(missed.count) rows not as generated, first: \(missed.prefix(3).joined(separator: " | "))"
        )
        let kinds = Set(generated.lines.compactMap(\.row.defect))
        #expect(kinds == Set(LicenseDefect.allCases))
        let bad = generated.lines.filter { $0.row.defect != nil }.count
        #expect(Double(bad) / Double(Self.rows) > 0.015 && Double(bad) / Double(Self.rows) < 0.025)
    }
}
