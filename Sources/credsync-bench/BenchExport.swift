import CredsyncBenchData
import CredsyncCore
import Foundation

/// The license export a benchmark runs on: `--export realistic` (the default: CredsyncBenchData's
/// generator, every column varied, `--seed S`) or `--export repetitive` (the first generator).
enum BenchExport: String {
    case realistic, repetitive

    init?(_ options: BenchOptions) {
        self.init(rawValue: options.string("export") ?? "realistic")
    }

    /// Writes `rows` rows to `path`; returns the size in bytes.
    func write(rows: Int, to path: String, options: BenchOptions) throws -> Int {
        switch self {
        case .repetitive:
            return try RepetitiveLicenseExport.write(rows: rows, to: path)
        case .realistic:
            var generator = LicenseExportGenerator(seed: Self.seed(options))
            return try LicenseExportWriter.write(rows: rows, to: path, generator: &generator)
        }
    }

    /// What the figures were measured on, for the lines that print them.
    func label(_ options: BenchOptions) -> String {
        switch self {
        case .repetitive: return "the repetitive export (--export repetitive)"
        case .realistic: return "the realistic export (seed \(Self.seed(options)))"
        }
    }

    static func seed(_ options: BenchOptions) -> UInt64 {
        options.string("seed").flatMap { UInt64($0) } ?? LicenseExportGenerator.defaultSeed
    }

    /// An unknown `--export`: the error and exit code 64.
    static func refuse(_ options: BenchOptions) -> Int32 {
        FileOutput.writeAll(
            2,
            "error: unknown export '\(options.string("export") ?? "")'\n"
                + "hint: use --export realistic or --export repetitive\n"
        )
        return 64
    }
}

/// `credsync-bench export-stats`: the entropy built into the realistic export, column by column.
struct ExportStatsBenchmark {
    let options: BenchOptions

    func run() -> Int32 {
        let rows = options.int("rows", 1_000_000)
        var generator = LicenseExportGenerator(seed: BenchExport.seed(options))
        var statistics = ExportStatistics()
        let started = Timestamp.monotonic()
        if let file = options.string("write") {
            do {
                let size = try LicenseExportWriter.write(rows: rows, to: file, generator: &generator) {
                    statistics.add($0)
                }
                print(String(format: "export-stats: wrote %@ (%.1f MB of GB18030)", file, Double(size) / 1e6))
            } catch {
                FileOutput.writeAll(2, "error: \(error)\n")
                return 74
            }
        } else {
            for _ in 0..<rows { statistics.add(generator.next()) }
        }
        let elapsed = Timestamp.monotonic() - started
        statistics.finish()
        print(
            String(
                format: "export-stats: %d rows of the realistic export, seed %llu, generated in %.2f s", rows,
                BenchExport.seed(options), elapsed))
        print(statistics.table())
        return 0
    }
}
