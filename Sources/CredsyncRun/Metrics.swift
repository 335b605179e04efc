import CredsyncCore
import CredsyncSpool

/// Metrics for Prometheus's node_exporter textfile collector, written atomically after every run.
public enum Metrics {
    public static func text(_ report: SyncReport, previous: String?) -> String {
        var lines: [String] = []
        func metric(_ name: String, _ help: String, _ type: String, _ samples: [(String, Double)]) {
            lines.append("# HELP credsync_\(name) \(help)")
            lines.append("# TYPE credsync_\(name) \(type)")
            for (labels, value) in samples { lines.append("credsync_\(name)\(labels) \(format(value))") }
        }
        let success = report.exitCode == .success || report.exitCode == .needsAttention
        let lastSuccess = success ? report.finishedAt : previousValue(previous, "credsync_last_success_timestamp_seconds") ?? 0
        metric("last_run_timestamp_seconds", "When the last run finished.", "gauge", [("", report.finishedAt)])
        metric("last_success_timestamp_seconds", "When the last run that completed its work finished (exit 0 or 1).", "gauge", [("", lastSuccess)])
        metric("last_run_exit_code", "The exit code of the last run.", "gauge", [("", Double(report.exitCode.rawValue))])
        metric("phase_duration_seconds", "Time spent per phase of the last run.", "gauge",
            report.phases.map { ("{phase=\"\($0.0)\"}", $0.1) })
        var records: [(String, Double)] = []
        var rejected: [(String, Double)] = []
        for outcome in report.outcomes {
            let labels = "platform=\"\(outcome.platform.rawValue)\",dataset=\"\(outcome.dataset.rawValue)\""
            for (name, value) in [("created", outcome.created), ("updated", outcome.updated), ("withdrawn", outcome.withdrawn),
                                  ("unchanged", outcome.unchanged), ("rejected", outcome.rejected.count), ("queued", outcome.queued)] {
                records.append(("{\(labels),outcome=\"\(name)\"}", Double(value)))
            }
            rejected.append(("{\(labels)}", Double(outcome.rejected.count)))
        }
        metric("records", "Records by outcome in the last run.", "gauge", records)
        metric("rejected_records", "Records the platforms rejected in the last run.", "gauge", rejected)
        metric("set_aside_rows", "Export rows set aside in the last run.", "gauge", [("", Double(report.setAside.count + report.unreadableRows.count))])
        let depth = report.queueDepthByPlatform
        var samples: [(String, Double)] = []
        for platform in PlatformID.allCases {
            for state in SpoolState.allCases where state != .corrupt {
                samples.append(("{platform=\"\(platform.rawValue)\",state=\"\(state.rawValue)\"}", Double(depth["\(platform.rawValue)|\(state.rawValue)"] ?? 0)))
            }
        }
        samples.append(("{platform=\"all\",state=\"corrupt\"}", Double(report.queueDepth["corrupt"] ?? 0)))
        metric("queue_entries", "Entries waiting in the retry queues.", "gauge", samples)
        let oldest = report.queueAges.max() ?? 0
        metric("queue_oldest_entry_age_seconds", "Age of the oldest queued entry.", "gauge", [("", oldest)])
        metric("authentication_failures", "1 when the platform refused the credentials or the permission (401/403) in the last run.", "gauge",
            PlatformID.allCases.map { id in ("{platform=\"\(id.rawValue)\"}", report.platformsRefusingCredentials.contains(id) ? 1 : 0) })
        metric("deadlines_overdue", "Publications and withdrawals past their deadline after the last run.", "gauge", [("", Double(report.overdue))])
        return lines.joined(separator: "\n") + "\n"
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
    public static func write(_ report: SyncReport, to path: String) throws(CredsyncError) {
        let previous = try? FileSystem.readText(path)
        do {
            try FileSystem.createDirectory(FileSystem.parent(of: path))
            try FileSystem.writeAtomically(path, text: text(report, previous: previous))
        } catch {
            throw CredsyncError(.ioError, error.description)
        }
    }
}
