import CredsyncBenchData
import CredsyncCore

/// What `credsync-bench sync` runs: the export, the platforms, and the limits the sandbox enforces
/// (and the configuration obeys), from which the push bound follows.
struct SyncBenchSettings {
    var rows = 1_000_000
    var platforms: [PlatformID] = [.credit, .gsxt]
    var seed = LicenseExportGenerator.defaultSeed
    /// R: requests per second the sandbox allows an app on each platform, and its burst.
    var rate = 20.0
    var burst = 40
    /// L: seconds the sandbox holds every answer.
    var latency = 0.05
    /// C: requests in flight per platform (the configuration's `concurrency`).
    var concurrency = 4
    var batchSize = 500
    var keepsDirectory = false
    var printsJSON = false

    /// The push bound of one platform, in records per second: min(R, C/L) × batch.
    var boundRate: Double { min(rate, Double(concurrency) / max(latency, 1e-6)) * Double(batchSize) }

    init() {}

    /// Reads `--rows --platforms --seed --rate --burst --latency-ms --concurrency --batch-size
    /// --keep --json`; a value out of range is a usage error naming the option and the value.
    init(_ options: BenchOptions) throws(CredsyncError) {
        rows = try Self.count(options, "rows", rows, 1...100_000_000)
        if let text = options.string("platforms") {
            var chosen: [PlatformID] = []
            for name in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let platform = PlatformID(rawValue: String(name)), platform != .ipp else {
                    throw CredsyncError.usage(
                        "--platforms \(text): \"\(name)\" is not a platform that takes licenses",
                        hint: "use credit, gsxt or both: --platforms credit,gsxt")
                }
                if !chosen.contains(platform) { chosen.append(platform) }
            }
            platforms = chosen
        }
        if let text = options.string("seed") {
            guard let value = UInt64(text) else {
                throw CredsyncError.usage("--seed \(text): not a whole number", hint: "e.g. --seed 20261202")
            }
            seed = value
        }
        rate = try Self.number(options, "rate", rate, 0.01...10_000)
        burst = try Self.count(options, "burst", burst, 1...10_000)
        latency = try Self.number(options, "latency-ms", latency * 1000, 0...60_000) / 1000
        concurrency = try Self.count(options, "concurrency", concurrency, 1...64)
        batchSize = try Self.count(options, "batch-size", batchSize, 1...500)
        keepsDirectory = options.string("keep").map { $0 != "no" } ?? false
        printsJSON = options.string("json").map { $0 != "no" } ?? false
    }

    private static func count(
        _ options: BenchOptions, _ name: String, _ fallback: Int, _ range: ClosedRange<Int>
    ) throws(CredsyncError) -> Int {
        guard let text = options.string(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw CredsyncError.usage(
                "--\(name) \(text): expected a whole number from \(range.lowerBound) to \(range.upperBound)",
                hint: "credsync-bench --help lists the options")
        }
        return value
    }

    private static func number(
        _ options: BenchOptions, _ name: String, _ fallback: Double, _ range: ClosedRange<Double>
    ) throws(CredsyncError) -> Double {
        guard let text = options.string(name) else { return fallback }
        guard let value = Double(text), range.contains(value) else {
            throw CredsyncError.usage(
                "--\(name) \(text): expected a number from \(range.lowerBound) to \(range.upperBound)",
                hint: "credsync-bench --help lists the options")
        }
        return value
    }
}
