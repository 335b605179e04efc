import CredsyncCore
import CredsyncExchange

/// The run report: JSON kept in the report directory (`<runId>.json`, and `latest.json`), and the
/// short summary for stdout. Personal numbers never appear in it.
public enum ReportWriter {
    public static func json(_ report: SyncReport) -> JSONValue {
        var object = JSONObject()
        object["runId"] = .string(report.runID)
        object["asOf"] = .string(report.asOf.iso)
        object["startedAt"] = .string(Timestamp.rfc3339(report.startedAt))
        object["finishedAt"] = .string(Timestamp.rfc3339(report.finishedAt))
        object["dryRun"] = .bool(report.dryRun)
        object["exitCode"] = .number(String(report.exitCode.rawValue))
        object["interrupted"] = .bool(report.interrupted)
        object["requests"] = .number(String(report.requests))
        object["rateLimited"] = .number(String(report.rateLimited))
        object["outcomes"] = .array(report.outcomes.map { outcome in
            [
                "platform": .string(outcome.platform.rawValue), "dataset": .string(outcome.dataset.rawValue),
                "created": .number(String(outcome.created)), "updated": .number(String(outcome.updated)),
                "withdrawn": .number(String(outcome.withdrawn)), "unchanged": .number(String(outcome.unchanged)),
                "rejected": .number(String(outcome.rejected.count)), "rejectedBefore": .number(String(outcome.rejectedBefore)),
                "queued": .number(String(outcome.queued)), "held": .number(String(outcome.held)), "dead": .number(String(outcome.dead)),
                "keptSetAside": .number(String(outcome.keptSetAside)),
                "rejections": .array(outcome.rejected.map { key, errors in
                    ["key": .string(key), "errors": .array(errors.map { .string($0.description) })]
                }),
            ]
        })
        object["setAside"] = .array(report.setAside.map { dataset, item in
            ["dataset": .string(dataset.rawValue), "file": .string(item.file), "line": .number(String(item.line)),
             "key": item.key.map { .string($0) } ?? .null, "reasons": .array(item.reasons.map { $0.json() })]
        })
        object["unreadableRows"] = .array(report.unreadableRows.map { ["dataset": .string($0.0.rawValue), "problem": .string($0.1)] })
        object["warnings"] = .array(report.warnings.map { .string($0) })
        object["authenticationFailures"] = report.authenticationFailuresJSON
        object["platformProblems"] = .array(report.platformProblems.map { ["platform": .string($0.0.rawValue), "message": .string($0.1)] })
        object["refused"] = .array(report.refused.map { .string($0) })
        object["unusableExports"] = .array(report.unusableExports.map { .string($0) })
        object["deadlines"] = .array(report.deadlines.map { item in
            ["platform": .string(item.platform.rawValue), "dataset": .string(item.dataset.rawValue), "key": .string(item.key),
             "kind": .string(item.kind), "due": .string(item.due.iso), "overdue": .bool(item.due < report.asOf)]
        })
        object["queue"] = .object(JSONObject(report.queueDepth.sorted { $0.key < $1.key }.map { JSONMember($0.key, .number(String($0.value))) }))
        object["phases"] = .array(report.phases.map { ["phase": .string($0.0), "seconds": .number(String(format3($0.1)))] })
        return .object(object)
    }

    static func format3(_ value: Double) -> String {
        let scaled = Int((value * 1000).rounded())
        return "\(scaled / 1000).\(String(repeating: "0", count: 3 - String(scaled % 1000).count))\(scaled % 1000)"
    }

    /// Writes `<reportDir>/<runId>.json` and `.html`, and `latest.json` and `latest.html`; returns the HTML page's path.
    /// A dry run's report is `<runId>.dry-run.json` and `.html`, and never becomes `latest`.
    @discardableResult
    public static func write(_ report: SyncReport, directory: String) throws(CredsyncError) -> String {
        let text = Redactor.shared.redact(JSONWriter.pretty(json(report))) + "\n"
        let name = report.dryRun ? "\(report.runID).dry-run" : report.runID
        let html = HTMLReport.render(report)
        do {
            try FileSystem.createDirectory(directory)
            try FileSystem.writeAtomically(directory + "/\(name).json", text: text)
            try FileSystem.writeAtomically(directory + "/\(name).html", text: html)
            if !report.dryRun {
                try FileSystem.writeAtomically(directory + "/latest.json", text: text)
                try FileSystem.writeAtomically(directory + "/latest.html", text: html)
            }
        } catch {
            throw CredsyncError(.ioError, error.description)
        }
        return directory + "/\(name).html"
    }

    /// The few lines an operator reads first.
    public static func summary(_ report: SyncReport) -> [String] {
        var lines: [String] = []
        let duration = report.finishedAt - report.startedAt
        lines.append("credsync \(report.dryRun ? "dry run" : "sync") \(report.runID) as of \(report.asOf.iso): \(summaryWord(report.exitCode)) in \(format3(duration)) s")
        lines += report.authenticationBanner
        for outcome in report.outcomes {
            var parts = ["\(outcome.created) created", "\(outcome.updated) updated", "\(outcome.withdrawn) withdrawn", "\(outcome.unchanged) unchanged"]
            if !outcome.rejected.isEmpty { parts.append("\(outcome.rejected.count) rejected") }
            if outcome.queued > 0 { parts.append("\(outcome.queued) queued") }
            if outcome.held > 0 { parts.append("\(outcome.held) held") }
            if outcome.dead > 0 { parts.append("\(outcome.dead) dead") }
            if outcome.keptSetAside > 0 { parts.append("\(outcome.keptSetAside) kept (row set aside)") }
            lines.append("  \(outcome.platform.rawValue)/\(outcome.dataset.rawValue): " + parts.joined(separator: ", "))
        }
        if !report.setAside.isEmpty || !report.unreadableRows.isEmpty {
            lines.append("  \(report.setAside.count + report.unreadableRows.count) rows set aside ('credsync check' lists them)")
        }
        for (platform, message) in report.platformProblems { lines.append("  \(platform.rawValue): \(message)") }
        for message in report.refused { lines.append("  refused: \(message)") }
        for message in report.unusableExports { lines.append("  unusable export: \(message)") }
        if report.interrupted { lines.append("  interrupted: batches in flight finished, the rest waits for the next run") }
        return lines
    }

    static func summaryWord(_ code: ExitCode) -> String {
        switch code {
        case .success: return "all done"
        case .needsAttention: return "done, with items that need an operator"
        default: return code.meaning
        }
    }
}
