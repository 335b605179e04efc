import CredsyncCore
import Foundation

extension SyncBenchFigures {
    private static let described = [
        "map": "credsync map --dataset license --platform P > /dev/null",
        "cold-plan": "credsync plan, empty state directory",
        "cold-sync": "credsync sync, empty state directory",
        "warm-sync": "credsync sync again, nothing changed",
    ]

    /// The figures as lines and a table, each target PASS or FAIL.
    func printText(_ settings: SyncBenchSettings) {
        let platforms = settings.platforms.map(\.rawValue).joined(separator: ", ")
        print(
            String(
                format:
                    "sync: %d rows of the realistic export (seed %llu), %.1f MB of GB18030, generated in %.1f s;"
                    + " platforms %@",
                settings.rows, settings.seed, Double(exportBytes) / 1e6, generateSeconds, platforms))
        print(
            String(
                format:
                    "sync: sandbox rate %g/s (burst %d), latency %.0f ms, national formats validated;"
                    + " credsync concurrency %d, batch %d",
                settings.rate, settings.burst, settings.latency * 1000, settings.concurrency, settings.batchSize))
        print(
            String(
                format: "sync: push bound min(R %g/s, C/L %d/%.3f s = %.0f/s) × %d = %.0f records/s a platform",
                settings.rate, settings.concurrency, settings.latency,
                Double(settings.concurrency) / max(settings.latency, 1e-6), settings.batchSize, settings.boundRate))
        print("| run | what | exit | wall s | CPU s | user s | sys s | peak MB | sandbox CPU s |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for run in runs {
            let what = (Self.described[run.name] ?? run.name).replacingOccurrences(
                of: " P ", with: " \(mapPlatform.rawValue) ")
            let usage = run.usage
            print(
                String(
                    format: "| %@ | %@ | %d | %.2f | %.2f | %.2f | %.2f | %.0f | %.2f |", run.name, what, usage.status,
                    usage.wallSeconds, usage.cpuSeconds, usage.userSeconds, usage.systemSeconds, usage.peakMB,
                    run.sandboxCPU))
        }
        print("sync: cold sync: " + Self.summary(coldReport, settings))
        print("sync: warm sync: " + Self.summary(warmReport, settings))
        if let phases = Self.phases(coldReport) { print("sync: cold sync phases: " + phases) }
        if let phases = Self.phases(warmReport) { print("sync: warm sync phases: " + phases) }
        let (platform, records) = slowest(settings)
        let bound = pushBound(settings)
        let pull = pullBound(settings)
        let plan = coldPlan?.usage.wallSeconds ?? 0
        let cold = coldSync?.usage.wallSeconds ?? 0
        let queries = coldReport["pull"]?["queryRequests"]?.intValue ?? 0
        print(
            String(
                format:
                    "sync: pull: %d gsxt queries = pull bound %.1f s; slowest platform %@: %d records / %.0f records/s"
                    + " = push bound %.1f s; + cold plan %.1f s = %.1f s;"
                    + " cold sync %.1f s = %.2f× that (%.2f× the push bound alone)",
                queries, pull, platform.rawValue, records, settings.boundRate, bound, plan, pull + bound + plan, cold,
                cold / max(pull + bound + plan, 1e-9), cold / max(bound, 1e-9)))
        let map = self.map?.usage
        let warm = warmSync?.usage
        print(
            String(
                format: "sync: warm sync %.2f s = %.2f× map (%.2f s); CPU %.2f s = %.2f× map's (%.2f s)",
                warm?.wallSeconds ?? 0, (warm?.wallSeconds ?? 0) / max(map?.wallSeconds ?? 0, 1e-9),
                map?.wallSeconds ?? 0,
                warm?.cpuSeconds ?? 0, (warm?.cpuSeconds ?? 0) / max(map?.cpuSeconds ?? 0, 1e-9), map?.cpuSeconds ?? 0))
        if let sandbox {
            print(
                String(
                    format: "sync: the sandbox (on the same cores) used %.1f s of CPU in all, peak memory %.0f MB",
                    sandbox.cpuSeconds, sandbox.peakMB))
        }
        for target in targets(settings) {
            print(
                String(
                    format: "sync: %@ %@: %.1f %@ (target %@ %.1f %@)", target.isMet ? "PASS" : "FAIL", target.name,
                    target.value, target.unit, target.isStrict ? "<" : "≤", target.limit, target.unit))
        }
    }

    /// What a sync's report says it did, on one line.
    private static func summary(_ report: JSONValue, _ settings: SyncBenchSettings) -> String {
        let names = ["created", "updated", "withdrawn", "unchanged", "rejected", "setAside", "queued", "held", "dead"]
        let totals = names.map { "\($0) \(total(report, $0))" }.joined(separator: ", ")
        let sentByPlatform = settings.platforms.map { "\($0.rawValue) \(Self.sent(report, $0))" }.joined(
            separator: ", ")
        return "exit \(report["exitCode"]?.intValue ?? -1); \(totals); sent (created, updated, withdrawn or rejected):"
            + " \(sentByPlatform);"
            + " \(report["requests"]?.intValue ?? 0) requests, \(report["rateLimited"]?.intValue ?? 0) answered 429"
    }

    private static func phases(_ report: JSONValue) -> String? {
        let phases = (report["phases"]?.arrayValue ?? []).compactMap { phase -> String? in
            guard let name = phase["phase"]?.stringValue, let seconds = phase["seconds"]?.doubleValue else {
                return nil
            }
            return String(format: "%@ %.2f s", name, seconds)
        }
        return phases.isEmpty ? nil : phases.joined(separator: ", ")
    }

    /// The figures as one JSON object (`--json`).
    func json(_ settings: SyncBenchSettings) -> JSONValue {
        func number(_ value: Double) -> JSONValue { .number(String(format: "%.3f", value)) }
        func run(_ run: SyncBenchmark.Run) -> JSONValue {
            [
                "exit": .number(String(run.usage.status)), "wallSeconds": number(run.usage.wallSeconds),
                "cpuSeconds": number(run.usage.cpuSeconds), "userSeconds": number(run.usage.userSeconds),
                "systemSeconds": number(run.usage.systemSeconds), "peakMB": number(run.usage.peakMB),
                "sandboxCPUSeconds": number(run.sandboxCPU),
            ]
        }
        func outcome(_ report: JSONValue) -> JSONValue {
            [
                "totals": report["totals"] ?? .null, "requests": report["requests"] ?? .null,
                "rateLimited": report["rateLimited"] ?? .null, "phases": report["phases"] ?? .null,
                "sent": .object(
                    JSONObject(
                        settings.platforms.map { JSONMember($0.rawValue, .number(String(Self.sent(report, $0)))) })),
            ]
        }
        let (platform, records) = slowest(settings)
        let bound = pushBound(settings)
        let plan = coldPlan?.usage.wallSeconds ?? 0
        var object = JSONObject()
        object["rows"] = .number(String(settings.rows))
        object["seed"] = .number(String(settings.seed))
        object["exportBytes"] = .number(String(exportBytes))
        object["platforms"] = .array(settings.platforms.map { .string($0.rawValue) })
        object["sandbox"] = [
            "rate": number(settings.rate), "burst": .number(String(settings.burst)),
            "latencyMs": number(settings.latency * 1000), "formatsValidated": true,
            "cpuSeconds": number(sandbox?.cpuSeconds ?? 0), "peakMB": number(sandbox?.peakMB ?? 0),
        ]
        object["credsync"] = [
            "concurrency": .number(String(settings.concurrency)), "batchSize": .number(String(settings.batchSize)),
        ]
        object["bound"] = [
            "recordsPerSecond": number(settings.boundRate), "slowestPlatform": .string(platform.rawValue),
            "records": .number(String(records)), "pushSeconds": number(bound), "coldPlanSeconds": number(plan),
            "coldSyncToBoundPlusPlan": number((coldSync?.usage.wallSeconds ?? 0) / max(bound + plan, 1e-9)),
            "warmSyncToMap": number((warmSync?.usage.wallSeconds ?? 0) / max(map?.usage.wallSeconds ?? 0, 1e-9)),
        ]
        object["runs"] = .object(JSONObject(runs.map { JSONMember($0.name, run($0)) }))
        object["cold"] = outcome(coldReport)
        object["warm"] = outcome(warmReport)
        object["targets"] = .array(
            targets(settings).map { target in
                [
                    "name": .string(target.name), "value": number(target.value), "limit": number(target.limit),
                    "unit": .string(target.unit), "pass": .bool(target.isMet),
                ]
            })
        return .object(object)
    }
}
