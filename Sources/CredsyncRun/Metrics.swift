#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore
import CredsyncSpool

/// Metrics for Prometheus's node_exporter textfile collector, written atomically after every run
/// and, for the queue gauges, after every queue command that changes the queue. Documented in the
/// RUNBOOK ("Alerts on the metrics").
public enum Metrics {
    /// Every metric family name of the queue section starts with this.
    static let queuePrefix = "credsync_queue_"

    public static func text(_ report: SyncReport, previous: String?) -> String {
        runLines(report, previous: previous).joined(separator: "\n") + "\n" + queueText(report.queueCensus)
    }

    /// One family: HELP, TYPE and its samples.
    static func family(_ name: String, _ help: String, _ type: String, _ samples: [(String, Double)]) -> [String] {
        ["# HELP credsync_\(name) \(help)", "# TYPE credsync_\(name) \(type)"]
            + samples.map { "credsync_\(name)\($0.0) \(format($0.1))" }
    }

    /// What the last run did: everything but the queue gauges.
    static func runLines(_ report: SyncReport, previous: String?) -> [String] {
        var lines: [String] = []
        func metric(_ name: String, _ help: String, _ type: String, _ samples: [(String, Double)]) {
            lines += family(name, help, type, samples)
        }
        let success = report.exitCode == .success || report.exitCode == .needsAttention
        let lastSuccess =
            success
            ? report.finishedAt : previousValue(previous, "credsync_last_success_timestamp_seconds") ?? 0
        metric("last_run_timestamp_seconds", "When the last run finished.", "gauge", [("", report.finishedAt)])
        metric(
            "last_success_timestamp_seconds", "When the last run that completed its work finished (exit 0 or 1).",
            "gauge", [("", lastSuccess)])
        metric(
            "last_run_exit_code", "The exit code of the last run.", "gauge", [("", Double(report.exitCode.rawValue))])
        metric(
            "phase_duration_seconds", "Time spent per phase of the last run.", "gauge",
            report.phases.map { ("{phase=\"\(phaseLabel($0.0))\"}", $0.1) })
        var records: [(String, Double)] = []
        for outcome in report.outcomes {
            let labels = "platform=\"\(outcome.platform.rawValue)\",dataset=\"\(outcome.dataset.rawValue)\""
            let counts = [
                ("created", outcome.created), ("updated", outcome.updated), ("withdrawn", outcome.withdrawn),
                ("unchanged", outcome.unchanged), ("rejected", outcome.rejected.count), ("queued", outcome.queued),
                ("held", outcome.held), ("dead", outcome.dead),
            ]
            for (name, value) in counts { records.append(("{\(labels),outcome=\"\(name)\"}", Double(value))) }
        }
        metric(
            "records", "Records by outcome in the last run (queued: deferred for a later try; held; dead).",
            "gauge", records)
        // Only with a receipts platform: a synchronous setup's metrics stay as they were.
        let receipts = report.receipts.flatMap { tally in
            let labels = "platform=\"\(tally.platform.rawValue)\",dataset=\"\(tally.dataset.rawValue)\""
            return [("pending", tally.pending), ("failed", tally.failed), ("published", tally.published)].map {
                ("{\(labels),state=\"\($0.0)\"}", Double($0.1))
            }
        }
        if !receipts.isEmpty {
            metric(
                "receipts",
                "Records by receipt state after the last run (pending: accepted, no receipt yet), "
                    + "receipts platforms only.", "gauge", receipts)
        }
        metric(
            "set_aside_rows", "Export rows set aside in the last run.", "gauge",
            [("", Double(report.setAside.count + report.unreadableRows.count))])
        metric(
            "deadlines_overdue", "Publications and withdrawals past their deadline after the last run.", "gauge",
            [("", Double(report.overdue))])
        metric(
            "authentication_failures",
            "1 when the platform refused the credentials or the permission (401/403) in the last run.", "gauge",
            PlatformID.allCases.map { id in
                ("{platform=\"\(id.rawValue)\"}", report.platformsRefusingCredentials.contains(id) ? 1 : 0)
            })
        return lines
    }

    /// The queue gauges, as a census of the queues found them.
    static func queueText(_ census: QueueCensus) -> String {
        var entries: [(String, Double)] = []
        var oldest: [(String, Double)] = []
        for platform in PlatformID.allCases {
            for state in SpoolState.allCases {
                let labels = "{platform=\"\(platform.rawValue)\",state=\"\(state.rawValue)\"}"
                entries.append((labels, Double(census.count(platform, state))))
                if let first = census.oldest[platform]?[state] { oldest.append((labels, first)) }
            }
        }
        let lines =
            family(
                "queue_entries",
                "Entries in the retry queues by platform and state (corrupt: rows that cannot be read back).", "gauge",
                entries)
            + family(
                "queue_oldest_entry_timestamp_seconds",
                "When the oldest entry of each queue was first queued (Unix seconds; absent when empty).",
                "gauge", oldest)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A phase's name as a label value: `read, map and plan` → `read_map_plan`.
    static func phaseLabel(_ phase: String) -> String {
        let words = phase.lowercased().split { !($0.isLetter || $0.isNumber) }.filter { $0 != "and" }
        return words.joined(separator: "_")
    }

    static func previousValue(_ text: String?, _ name: String) -> Double? {
        guard let text else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// Writes the metrics file atomically (node_exporter must never read half of it).
    public static func write(_ report: SyncReport, to path: String, group: String? = nil) throws(CredsyncError) {
        let previous = try? FileSystem.readText(path)
        try write(text(report, previous: previous), to: path, group: group)
    }

    /// Replaces only the queue gauges of the metrics file, keeping what the last run wrote: for
    /// queue commands, so that the gauges are current after `queue release ALL`.
    public static func rewriteQueue(_ census: QueueCensus, at path: String, group: String? = nil) throws(CredsyncError)
    {
        let previous = (try? FileSystem.readText(path)) ?? ""
        let kept = previous.split(separator: "\n").filter { line in
            let name =
                line.hasPrefix("# ")
                ? line.split(separator: " ").dropFirst(2).first.map(String.init) ?? "" : String(line)
            return !name.hasPrefix(queuePrefix)
        }
        let run = kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n"
        try write(run + queueText(census), to: path, group: group)
    }

    /// Writes `text` to `path` atomically; with `group`, the file is 0640 and in that group, and a
    /// directory credsync owns gets that group and group read and search, whatever the umask.
    static func write(_ text: String, to path: String, group: String?) throws(CredsyncError) {
        var gid: gid_t?
        if let group {
            guard let id = FileSystem.groupID(group) else {
                throw CredsyncError(
                    .configuration, "metricsGroup \"\(group)\": no such group on this machine",
                    hint: "create it (groupadd --system \(group)) or change metricsGroup")
            }
            gid = id
        }
        let directory = FileSystem.parent(of: path)
        do throws(FileError) {
            try FileSystem.createDirectory(directory)
            if let gid {
                try FileSystem.shareDirectory(directory, group: gid)
                try FileSystem.writeAtomically(path, Array(text.utf8), mode: 0o640, group: gid)
            } else {
                try FileSystem.writeAtomically(path, text: text)
            }
        } catch {
            let name = group ?? ""
            throw CredsyncError(
                .ioError, error.description,
                hint: error.errno == EPERM
                    ? "add the credsync user to group \(name) (usermod -aG \(name) credsync)" : nil)
        }
    }
}
