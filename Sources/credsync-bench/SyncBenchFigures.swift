import CredsyncCore
import Foundation

/// What `credsync-bench sync` measured, the bound it is held to, and the targets, as text or JSON.
struct SyncBenchFigures {
    /// A target, PASS or FAIL.
    struct Target {
        var name: String
        var value: Double
        var limit: Double
        var unit: String
        /// Below the limit (memory), or at most the limit (time).
        var isStrict = false
        var isMet: Bool { isStrict ? value < limit : value <= limit }
    }

    var exportBytes = 0
    var generateSeconds = 0.0
    var mapPlatform = PlatformID.credit
    var map: SyncBenchmark.Run?
    var coldPlan: SyncBenchmark.Run?
    var coldSync: SyncBenchmark.Run?
    var warmSync: SyncBenchmark.Run?
    var coldReport: JSONValue = .null
    var warmReport: JSONValue = .null
    var sandbox: ChildProcess.Usage?

    var runs: [SyncBenchmark.Run] { [map, coldPlan, coldSync, warmSync].compactMap { $0 } }

    /// Records a platform answered for in a report: created, updated, withdrawn or rejected.
    static func sent(_ report: JSONValue, _ platform: PlatformID) -> Int {
        var sent = 0
        for outcome in report["outcomes"]?.arrayValue ?? [] where outcome["platform"]?.stringValue == platform.rawValue
        {
            for name in ["created", "updated", "withdrawn", "rejected"] { sent += outcome[name]?.intValue ?? 0 }
        }
        return sent
    }

    static func total(_ report: JSONValue, _ name: String) -> Int { report["totals"]?[name]?.intValue ?? 0 }

    /// The platform with most records to push in the cold sync, and how many.
    func slowest(_ settings: SyncBenchSettings) -> (PlatformID, Int) {
        settings.platforms.map { ($0, Self.sent(coldReport, $0)) }.max { $0.1 < $1.1 } ?? (.credit, 0)
    }

    /// Seconds the slowest platform's records take at the bound rate.
    func pushBound(_ settings: SyncBenchSettings) -> Double { Double(slowest(settings).1) / settings.boundRate }

    /// Seconds the cold pull's enterprise queries take at gsxt's bound request rate: they run
    /// before the plan (the cross-checks need them) and spend gsxt's rate, so the bound counts them.
    func pullBound(_ settings: SyncBenchSettings) -> Double {
        let requests = Double(coldReport["pull"]?["queryRequests"]?.intValue ?? 0)
        return requests / (settings.boundRate / Double(settings.batchSize))
    }

    func targets(_ settings: SyncBenchSettings) -> [Target] {
        let cold = coldSync?.usage
        let warm = warmSync?.usage
        let allowed = 1.2 * (pullBound(settings) + pushBound(settings) + (coldPlan?.usage.wallSeconds ?? 0))
        return [
            Target(name: "cold sync peak memory", value: cold?.peakMB ?? 0, limit: 300, unit: "MB", isStrict: true),
            Target(name: "warm sync peak memory", value: warm?.peakMB ?? 0, limit: 200, unit: "MB", isStrict: true),
            Target(
                name: "cold sync time ≤ 1.2 × (pull bound + push bound + cold plan)", value: cold?.wallSeconds ?? 0,
                limit: allowed,
                unit: "s"),
            Target(
                name: "warm sync time ≤ 1.5 × map (issue 19)", value: warm?.wallSeconds ?? 0,
                limit: 1.5 * (map?.usage.wallSeconds ?? 0), unit: "s"),
        ]
    }
}
