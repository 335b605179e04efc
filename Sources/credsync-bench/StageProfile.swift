import CredsyncCore
import CredsyncMapping
import CredsyncFormats
import CredsyncReconciliation
import Foundation

/// Where the time of a map and a warm plan goes: each stage run on its own over the same file,
/// every stage including the ones before it (read; + decode; + map, normalise, validate; + hash
/// for both date forms; the warm plan of both platforms), the fastest of `runs` taken. Validation
/// is measured as a second validation of each mapped record. Nothing in the product is timed or
/// changed, so the figures of the other benchmarks are those of the code as it ships.
struct StageProfile {
    let catalog: CatalogConfig
    let definition: MappingDefinition
    let mapper: Mapper
    let workers: Int
    let rows: Int
    let runs: Int
    let floor: Double

    struct Figure {
        var name: String
        var elapsed: Double
        var cpu: Double
    }

    func run() throws {
        var figures: [Figure] = []
        for stage in MapPipeline.Stage.allCases {
            let fastest = try fastestOf {
                try MapPipeline.run(catalog: catalog, mapper: mapper, workers: workers, stage: stage)
            }
            figures.append(Figure(name: stage.rawValue, elapsed: fastest.elapsed, cpu: fastest.cpu))
        }
        let plan = try WarmPlan(catalog: catalog, definition: definition)
        let fastest = try fastestOf { try plan.run() }
        figures.append(Figure(name: "plan", elapsed: fastest.elapsed, cpu: fastest.cpu))
        print(report(figures))
    }

    /// The stages as a table: the time of each run, and what it adds to the stage before.
    func report(_ figures: [Figure]) -> String {
        let perRow = { (seconds: Double) in seconds / Double(max(rows, 1)) * 1e6 }
        let what = [
            "read": "split into rows and fields", "decode": "+ GB18030 decoded",
            "map": "+ mapped, normalised, validated",
            "validate": "map + a second validation", "hash": "map + canonical form, SHA-256 per date form",
            "plan": "warm plan, both platforms (ExportMapping)",
        ]
        var lines = [
            "profile: each stage on its own over the same file, fastest of \(runs); "
                + "sha256sum floor \(String(format: "%.2f", floor)) s",
            "| stage | what runs | wall s | × floor | CPU s | CPU µs a row | + CPU µs a row |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        var before: Figure?
        for figure in figures {
            // Validation is measured against map (run twice less once); hash and plan against map too.
            let base = figure.name == "validate" || figure.name == "hash" ? figures.first { $0.name == "map" } : before
            let added = base.map { perRow(figure.cpu - $0.cpu) }.map { String(format: "%+.1f", $0) } ?? "–"
            lines.append(
                String(
                    format: "| %@ | %@ | %.2f | %.2f | %.2f | %.1f | %@ |", figure.name, what[figure.name] ?? "",
                    figure.elapsed,
                    figure.elapsed / max(floor, 1e-6), figure.cpu, perRow(figure.cpu), added))
            if figure.name != "validate" { before = figure }
        }
        return lines.joined(separator: "\n")
    }

    private func fastestOf<T>(_ body: () throws -> T) throws -> (elapsed: Double, cpu: Double) {
        var best: (elapsed: Double, cpu: Double)?
        for _ in 0..<runs {
            let (elapsed, cpu, _) = try Self.time(body)
            if best.map({ elapsed < $0.elapsed }) ?? true { best = (elapsed, cpu) }
        }
        return best ?? (0, 0)
    }

    /// Wall and CPU seconds (every thread) `body` takes, and what it returns.
    static func time<T>(_ body: () throws -> T) rethrows -> (elapsed: Double, cpu: Double, result: T) {
        let started = Timestamp.monotonic()
        let cpuStarted = cpuSeconds()
        let result = try body()
        return (Timestamp.monotonic() - started, cpuSeconds() - cpuStarted, result)
    }

    static func seconds(_ values: [Double]) -> String {
        values.map { String(format: "%.2f", $0) }.joined(separator: ", ")
    }
}

/// The warm plan of both platforms as `credsync plan` computes it (each record stepped for every
/// platform on the mapping threads, then the steps added up), against ledgers that a cold plan of
/// the same file wrote, 0.1% of their hashes changed. No report is written.
struct WarmPlan {
    let mapping: ExportMapping
    let definition: MappingDefinition
    let platforms: [PlatformConfig]
    let rules: PublicityRules
    var ledgers: [Ledger] = []

    init(catalog: CatalogConfig, definition: MappingDefinition) throws {
        let root = FileSystem.currentDirectory() + "/mappings"
        let calendar = try WorkingCalendar(file: root + "/calendar-cn.json")
        rules = try PublicityRules.load(root + "/publicity.json", calendar: calendar, mappings: [definition])
        self.definition = definition
        mapping = ExportMapping(
            catalog: catalog, definition: definition, organisation: BenchDefaults.organisation,
            today: BenchDefaults.asOf)
        platforms = PlatformID.allCases.map { id in
            PlatformConfig(
                id: id, baseURL: "http://127.0.0.1:1/\(id.rawValue)/exchange/v1", appID: "bench",
                secret: "bench-secret-0123456789")
        }
        ledgers = platforms.map { Ledger(platform: $0.id, dataset: .license) }
        // The cold plan writes the ledgers the warm one is measured against.
        for (k, plan) in try plans().enumerated() {
            var ledger = ledgers[k]
            for change in plan.changes {
                ledger.entries[change.key] = LedgerEntry(
                    hash: change.hash ?? "", isPublished: true, version: 1, updatedAt: 0, batchID: "b")
            }
            var changed = 0
            for (key, _) in ledger.entries where changed < max(1, ledger.entries.count / 1000) {
                ledger.entries[key]?.hash = "changed"
                changed += 1
            }
            ledgers[k] = ledger
        }
    }

    /// Plans both platforms; returns how many changes they hold.
    func run() throws -> Int {
        try plans().reduce(0) { $0 + $1.changes.count }
    }

    private func plans() throws -> [DatasetPlan] {
        let contexts = zip(platforms, ledgers).map { platform, ledger in
            PlanContext(
                dataset: .license, format: definition.format, platform: platform, ledger: ledger, rules: rules,
                asOf: BenchDefaults.asOf)
        }
        let (export, steps) = try mapping.collect(keepRecords: false) { PlanContext.steps($0, contexts: contexts) }
        return platforms.indices.map { k in
            Planner.plan(
                steps: steps.map { $0[k] }, dataset: .license, platform: platforms[k].id, ledger: ledgers[k],
                setAsideKeys: export.setAsideKeys)
        }
    }
}
