import CredsyncCatalogs
import CredsyncCore
import CredsyncMapping
import Foundation
import TestSupport
import Testing

@testable import CredsyncReconciliation
@testable import CredsyncFormats

/// The reference exports, read whole: the rows that cannot be read taken out, and only the first
/// lines kept (`lines`), so that many cases run in a few seconds.
struct WholeExport {
    let dataset: Dataset
    let name: String
    let format: CatalogConfig.Format
    let encoding: CatalogConfig.Encoding
    let bytes: [UInt8]
    let definition: MappingDefinition

    static func load(
        _ dataset: Dataset, _ name: String, _ format: CatalogConfig.Format, _ encoding: CatalogConfig.Encoding,
        dropping broken: [String] = [], lines: Int = .max, lineEnd: [UInt8] = [0x0A]
    ) throws -> WholeExport {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Binaries.packageRoot + "/fixtures/" + name)))
        for marker in broken {
            let pattern = Array(marker.utf8)
            guard let at = Self.find(pattern, in: bytes) else { continue }
            let start = bytes[..<at].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let end = bytes[at...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
            bytes.removeSubrange(start..<end)
        }
        var end = 0
        for _ in 0..<min(lines, bytes.count) {
            guard let at = find(lineEnd, in: bytes, from: end) else { break }
            end = at + lineEnd.count
        }
        if lines < .max { bytes.removeSubrange(end...) }
        let definition = try MappingLoader.load(Binaries.packageRoot + "/mappings/\(dataset.rawValue).json")
        return WholeExport(
            dataset: dataset, name: name, format: format, encoding: encoding, bytes: bytes, definition: definition)
    }

    static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int = 0) -> Int? {
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return nil }
        var i = start
        while i + pattern.count <= bytes.count {
            if bytes[i] == pattern[0], bytes[i..<(i + pattern.count)].elementsEqual(pattern) { return i }
            i += 1
        }
        return nil
    }

    static let all: [WholeExport] = {
        (try? [
            load(.license, "licenses.csv", .csv, .gb18030, dropping: ["ZJ-BAD-0011", "ZJ-BAD-0012", "ZJ-BAD-0013"]),
            load(.pledge, "pledges.csv", .csv, .auto),
            load(.dishonesty, "dishonesty.jsonl", .jsonl, .utf8, dropping: ["9003"]),
        ]) ?? []
    }()

    static let samples: [WholeExport] = {
        (try? [
            load(.license, "licenses.csv", .csv, .gb18030, lines: 60, lineEnd: [0x0D, 0x0A]),
            load(.pledge, "pledges.csv", .csv, .auto, lines: 60),
            load(.dishonesty, "dishonesty.jsonl", .jsonl, .utf8, lines: 60),
        ]) ?? []
    }()

    /// `bytes` read through the shipped mapping from a file in `directory`.
    func read(_ bytes: [UInt8], in directory: TemporaryDirectory) throws -> (ExportResult, ExportMapping) {
        let path = directory.path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let mappingFile = Binaries.packageRoot + "/mappings/\(dataset.rawValue).json"
        let catalog = CatalogConfig(
            dataset: dataset, path: path, format: format, encoding: encoding, mapping: mappingFile)
        let mapping = ExportMapping(
            catalog: catalog, definition: definition, organisation: Records.organisation, today: ExportFuzzTests.asOf)
        return (try mapping.collect(), mapping)
    }
}

/// A small seeded generator (SplitMix64): the same mutations on every run and machine.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Seeded random damage to the reference exports, a bounded number of cases: whatever the damage,
/// reading never crashes or hangs, every row is read or set aside with a reason naming file and
/// line, and no published record whose row is still in the file is withdrawn.
@Suite struct ExportFuzzTests {
    static let asOf = day("2026-12-31")
    static let platform = PlatformConfig(
        id: .credit, baseURL: "http://127.0.0.1:1/credit/exchange/v1", appID: "t", secret: "t-secret-0123456789abcdef")
    static let casesPerExport = Int(ProcessInfo.processInfo.environment["CREDSYNC_FUZZ_CASES"] ?? "") ?? 50

    static func mutate(_ bytes: [UInt8], _ random: inout SeededRandom) -> ([UInt8], String) {
        var bytes = bytes
        var done: [String] = []
        // After the header, mostly: a damaged header makes the whole export unusable, which is
        // safe and needs fewer cases.
        let headerEnd = (bytes.firstIndex(of: 0x0A) ?? 0) + 1
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            guard bytes.count > headerEnd + 1 else { break }
            let at = Int.random(in: headerEnd..<bytes.count, using: &random)
            switch Int.random(in: 0..<9, using: &random) {
            case 0:
                bytes[at] ^= UInt8.random(in: 1...255, using: &random)
                done.append("flip at \(at)")
            case 1:
                bytes.removeSubrange(at...)
                done.append("cut at \(at)")
            case 2:
                bytes.insert(0x22, at: at)
                done.append("quote at \(at)")
            case 3:
                bytes.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: at)
                done.append("BOM at \(at)")
            case 4:
                bytes.insert(0x0D, at: at)
                done.append("CR at \(at)")
            case 5:
                bytes.insert(0x0A, at: at)
                done.append("LF at \(at)")
            case 6:
                bytes.insert(contentsOf: [0x81, 0x20, 0xFF], at: at)
                done.append("invalid GB18030 at \(at)")
            case 7:
                bytes.remove(at: at)
                done.append("byte removed at \(at)")
            default:
                // Every line end made CR alone.
                bytes = bytes.filter { $0 != 0x0A }.map { $0 }
                if !done.contains("CR only") { done.append("CR only") }
            }
        }
        return (bytes, done.joined(separator: ", "))
    }

    /// Whether the line `line` (1-based) of `intact` stands in `bytes` as a whole line.
    static func lineIsIntact(_ line: Int, of intact: [UInt8], in bytes: [UInt8]) -> Bool {
        var start = 0
        for _ in 1..<line { start = (intact[start...].firstIndex(of: 0x0A) ?? intact.count - 1) + 1 }
        var end = intact[start...].firstIndex(of: 0x0A) ?? intact.count
        if end > start, intact[end - 1] == 0x0D { end -= 1 }
        let text = Array(intact[start..<end])
        var from = 0
        while let at = WholeExport.find(text, in: bytes, from: from) {
            let before = at == 0 || bytes[at - 1] == 0x0A || bytes[at - 1] == 0x0D
            let after = at + text.count
            if before, after < bytes.count, bytes[after] == 0x0A || bytes[after] == 0x0D { return true }
            from = at + 1
        }
        return false
    }

    @Test(arguments: WholeExport.samples.map(\.name))
    func damagedExportsNeverCostAPublishedRecord(name: String) throws {
        let export = try #require(WholeExport.samples.first { $0.name == name })
        let directory = try TemporaryDirectory("fuzz")
        let (intact, mapping) = try export.read(export.bytes, in: directory)
        #expect(intact.isReadWhole, "\(name): \(intact.notWholeReason ?? "")")
        let format = mapping.mapper.definition.format
        var ledger = Ledger(platform: .credit, dataset: export.dataset)
        var lines: [String: Int] = [:]
        for record in intact.records where record.excludedFrom[.credit] == nil {
            ledger.entries[record.key] = LedgerEntry(
                hash: record.payloadHash(format: format, dateSeparator: Self.platform.dateSeparator),
                isPublished: true, version: 1, updatedAt: 0, batchID: "b1")
            lines[record.key] = record.line
        }
        let rules = try Records.rules()
        var random = SeededRandom(state: UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) }))
        for _ in 0..<Self.casesPerExport {
            let (bytes, damage) = Self.mutate(export.bytes, &random)
            let result: ExportResult
            do {
                (result, _) = try export.read(bytes, in: directory)
            } catch let problem as RowProblem {
                // Unusable as a whole: nothing of it is planned, so nothing is withdrawn.
                #expect(!problem.reason.isEmpty)
                continue
            }
            let path = directory.path + "/" + name
            #expect(
                result.rowsRead == result.records.count + result.setAside.count + result.excluded.count
                    + result.unreadable.count,
                "\(name), \(damage): a row neither read nor set aside")
            for problem in result.unreadable {
                #expect(
                    problem.file == path && problem.line >= 1 && !problem.reason.isEmpty,
                    "\(name), \(damage): \(problem)")
                #expect(problem.description.hasPrefix("\(name) line \(problem.line): "))
            }
            for item in result.setAside {
                #expect(item.file == path && item.line >= 1 && !item.reasons.isEmpty, "\(name), \(damage)")
            }
            let plan = Planner.plan(
                export: result, format: format, platform: Self.platform, ledger: ledger, rules: rules, asOf: Self.asOf)
            for change in plan.changes where change.op == .withdraw && change.reason == .withdrawal(.corrected) {
                let line = try #require(lines[change.key])
                let isIntact = Self.lineIsIntact(line, of: export.bytes, in: bytes)
                #expect(
                    !isIntact,
                    "\(name), \(damage): \(change.key) withdrawn although its line \(line) is in the file as it was")
            }
        }
    }
}
