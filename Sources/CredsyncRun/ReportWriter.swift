public import CredsyncCore
import CredsyncState
import CredsyncFormats
import CredsyncProtocol

/// The run report: JSON kept in the report directory (`<runId>.json`, and `latest.json`), and the
/// short summary for stdout. Personal numbers never appear in it.
public enum ReportWriter {
    public static func json(_ report: SyncReport) -> JSONValue {
        var object = JSONObject()
        object["runId"] = .string(report.runID)
        object["asOf"] = .string(report.asOf.iso)
        object["startedAt"] = .string(Timestamp.rfc3339(report.startedAt))
        object["finishedAt"] = .string(Timestamp.rfc3339(report.finishedAt))
        object["command"] = .string(report.command)
        object["dryRun"] = .bool(report.dryRun)
        object["exitCode"] = .number(String(report.exitCode.rawValue))
        object["interrupted"] = .bool(report.interrupted)
        object["requests"] = .number(String(report.requests))
        object["rateLimited"] = .number(String(report.rateLimited))
        object["totals"] = .object(JSONObject(report.totals.named.map { JSONMember($0.0, .number(String($0.1))) }))
        object["setAsideByDataset"] = .object(
            JSONObject(
                report.setAsideByDataset.map {
                    JSONMember($0.0.rawValue, .number(String($0.1)))
                }))
        object["channelAnswers"] = .number(String(report.channelAnswers))
        object["unavailable"] = .array(report.unavailable.sorted().map { .string($0.rawValue) })
        object["outcomes"] = .array(
            report.outcomes.map { outcome in
                [
                    "platform": .string(outcome.platform.rawValue), "dataset": .string(outcome.dataset.rawValue),
                    "created": .number(String(outcome.created)), "updated": .number(String(outcome.updated)),
                    "withdrawn": .number(String(outcome.withdrawn)), "unchanged": .number(String(outcome.unchanged)),
                    "rejected": .number(String(outcome.rejected.count)),
                    "rejectedBefore": .number(String(outcome.rejectedBefore)),
                    "queued": .number(String(outcome.queued)), "held": .number(String(outcome.held)),
                    "dead": .number(String(outcome.dead)),
                    "keptSetAside": .number(String(outcome.keptSetAside)),
                    "awaitingAnswer": .number(String(outcome.awaitingAnswer)),
                    "behindUnanswered": .number(String(outcome.behindUnanswered)),
                    "rejections": .array(
                        outcome.rejected.map { key, errors in
                            ["key": .string(key), "errors": .array(errors.map { .string($0.description) })]
                        }),
                ]
            })
        object["setAside"] = .array(
            report.setAside.map { dataset, item in
                [
                    "dataset": .string(dataset.rawValue), "file": .string(item.file),
                    "line": .number(String(item.line)),
                    "key": item.key.map { .string($0) } ?? .null, "reasons": .array(item.reasons.map { $0.json() }),
                ]
            })
        object["unreadableRows"] = .array(
            report.unreadableRows.map { ["dataset": .string($0.0.rawValue), "problem": .string($0.1)] })
        object["warnings"] = .array(report.warnings.map { .string($0) })
        object["receipts"] = report.receiptsJSON
        object["authenticationFailures"] = report.authenticationFailuresJSON
        object["platformProblems"] = .array(
            report.platformProblems.map { ["platform": .string($0.0.rawValue), "message": .string($0.1)] })
        object["refused"] = .array(report.refused.map { .string($0) })
        object["approved"] = .array(
            report.approved.map { item in
                [
                    "platform": .string(item.platform.rawValue), "dataset": .string(item.dataset.rawValue),
                    "plan": .string(item.planID),
                ]
            })
        object["unusableExports"] = .array(report.unusableExports.map { .string($0) })
        object["deadlines"] = .array(
            report.deadlines.map { item in
                [
                    "platform": .string(item.platform.rawValue), "dataset": .string(item.dataset.rawValue),
                    "key": .string(item.key),
                    "kind": .string(item.kind), "due": .string(item.due.iso), "overdue": .bool(item.due < report.asOf),
                ]
            })
        object["queue"] = .object(
            JSONObject(
                report.queueDepth.sorted { $0.key < $1.key }.map { JSONMember($0.key, .number(String($0.value))) }))
        object["forecast"] = report.forecast?.json ?? .null
        object["pull"] =
            report.pull.map { pull in
                [
                    "enterprises": .number(String(pull.enterprises)), "listItems": .number(String(pull.listItems)),
                    "queried": .number(String(pull.queried)), "queryRequests": .number(String(pull.queryRequests)),
                    "notFound": .number(String(pull.notFound)),
                ]
            } ?? .null
        object["phases"] = .array(report.phases.map { ["phase": .string($0.0), "seconds": .number(seconds($0.1))] })
        return .object(object)
    }

    /// Stands for the seconds of the phase that writes the report while it is rendered; replaced
    /// by the time the rendering took once it is known (a number no three-decimal phase can be).
    static let writeSecondsMarker = "0.000123456789"

    /// A phase's seconds as the report shows them; NaN (the write phase, not yet timed) as the marker.
    static func seconds(_ value: Double) -> String { value.isNaN ? writeSecondsMarker : format3(value) }

    /// `text` with its last marker replaced by `seconds`.
    static func fillWriteSeconds(_ text: String, _ seconds: Double) -> String {
        guard let range = text.ranges(of: writeSecondsMarker).last else { return text }
        var filled = text
        filled.replaceSubrange(range, with: format3(seconds))
        return filled
    }

    static func format3(_ value: Double) -> String {
        let scaled = Int((value * 1000).rounded())
        return "\(scaled / 1000).\(String(repeating: "0", count: 3 - String(scaled % 1000).count))\(scaled % 1000)"
    }

    /// Writes `<reportDir>/<runId>.json` and `.html`, and `latest.json` and `latest.html`; returns the HTML page's path.
    /// A dry run's report is `<runId>.dry-run.json` and `.html`, and never becomes `latest`.
    /// The time the rendering takes is the report's last phase, `write`, in the files and in `report`.
    @discardableResult
    public static func write(_ report: inout SyncReport, directory: String) throws(CredsyncError) -> String {
        let start = Timestamp.monotonic()
        let files = ReportPaths(directory: directory)
        report.phases.append(("write", .nan))
        var text = Redactor.shared.redact(JSONWriter.pretty(json(report))) + "\n"
        let name = report.dryRun ? "\(report.runID).dry-run" : report.runID
        var html = HTMLReport.render(report)
        let seconds = Timestamp.monotonic() - start
        report.phases[report.phases.count - 1].1 = seconds
        text = fillWriteSeconds(text, seconds)
        html = fillWriteSeconds(html, seconds)
        do {
            try FileSystem.createDirectory(directory)
            try FileSystem.writeAtomically(files.json(name), text: text)
            try FileSystem.writeAtomically(files.html(name), text: html)
            if !report.dryRun {
                try FileSystem.writeAtomically(files.json(ReportPaths.latestName), text: text)
                try FileSystem.writeAtomically(files.html(ReportPaths.latestName), text: html)
            }
        } catch {
            throw CredsyncError(.ioError, error.description)
        }
        return files.html(name)
    }

    /// The few lines an operator reads first.
    public static func summary(_ report: SyncReport) -> [String] {
        var lines: [String] = []
        // The run's work, and writing its report (which finishedAt precedes).
        let writing = report.phases.last { $0.0 == "write" }?.1 ?? 0
        let duration = report.finishedAt - report.startedAt + (writing.isNaN ? 0 : writing)
        // Exit 75 has two causes; a summary names the one that happened.
        let word =
            report.interrupted
            ? "interrupted by a stop signal (Ctrl-C or SIGTERM)" : summaryWord(report.exitCode)
        let name = report.dryRun ? "dry run" : report.command
        lines.append("credsync \(name) \(report.runID) as of \(report.asOf.iso): \(word) in \(format3(duration)) s")
        lines += report.authenticationBanner
        for outcome in report.outcomes {
            var parts = [
                "\(outcome.created) created", "\(outcome.updated) updated", "\(outcome.withdrawn) withdrawn",
                "\(outcome.unchanged) unchanged",
            ]
            if !outcome.rejected.isEmpty { parts.append("\(outcome.rejected.count) rejected") }
            if outcome.queued > 0 { parts.append("\(outcome.queued) queued") }
            if outcome.held > 0 { parts.append("\(outcome.held) held") }
            if outcome.dead > 0 { parts.append("\(outcome.dead) dead") }
            if outcome.keptSetAside > 0 { parts.append("\(outcome.keptSetAside) kept (row set aside)") }
            if outcome.awaitingAnswer > 0 { parts.append("\(outcome.awaitingAnswer) sent to the 前置机, answer awaited") }
            if outcome.behindUnanswered > 0 {
                parts.append("\(outcome.behindUnanswered) waiting for the answer to their previous change")
            }
            lines.append("  \(PublishTarget(outcome.platform, outcome.dataset)): " + parts.joined(separator: ", "))
        }
        if !report.setAside.isEmpty || !report.unreadableRows.isEmpty {
            lines.append("  \(report.totals.setAside) rows set aside ('credsync check' lists them)")
        }
        lines += report.receiptLines
        for (platform, message) in report.platformProblems { lines.append("  \(platform.rawValue): \(message)") }
        for message in report.refused { lines.append("  refused: \(message)") }
        for item in report.approved {
            let target = PublishTarget(item.platform, item.dataset).description
            lines.append("  approved: \(target) ran as approved in \(item.planID)")
        }
        for message in report.unusableExports { lines.append("  unusable export: \(message)") }
        if report.interrupted {
            lines.append("  interrupted: batches in flight finished, the rest waits for the next run")
        }
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
