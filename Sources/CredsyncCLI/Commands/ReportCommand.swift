import CredsyncCore
import CredsyncRun
import CredsyncState

/// `credsync report [RUN-ID|latest] [--html|--json]`: a kept run report.
enum ReportCommand {
    static func run(_ context: CommandContext) async throws(CredsyncError) -> ExitCode {
        let config = try context.loadConfig(readsSecrets: false)
        let id = context.invocation.arguments.first ?? ReportPaths.latestName
        // A run id names a file inside the report directory, nothing else.
        guard !id.isEmpty, !id.contains("/"), !id.hasPrefix("."), !id.contains("\0") else {
            throw CredsyncError.usage(
                "'\(id)' is not a run id: a report is named by its run id, e.g. 'latest'",
                hint: "'credsync report' shows the latest run; the others are in \(config.reportDir)")
        }
        let files = config.statePaths.reports
        guard FileSystem.exists(files.json(id)) else {
            let runs = ((try? FileSystem.list(config.reportDir)) ?? [])
                .filter { $0.hasSuffix(".json") && $0 != ReportPaths.latestName + ".json" }
                .map { String($0.dropLast(5)) }
            throw CredsyncError.usage(
                "no report '\(id)' in \(config.reportDir)",
                hint: runs.isEmpty
                    ? "no run has written a report yet" : "the last runs: " + runs.suffix(5).joined(separator: ", "))
        }
        if context.invocation.has("html") {
            context.console.print(files.html(id))
            return .success
        }
        let text: String
        do { text = try FileSystem.readText(files.json(id)) } catch { throw CredsyncError(.ioError, error.description) }
        if context.invocation.global.json {
            context.console.print(text.trimmingSpaces())
            return .success
        }
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch {
            throw CredsyncError(
                .ioError, "\(files.json(id)): \(error.description)",
                hint: "the report is damaged: its HTML page is \(files.html(id)); "
                    + "'credsync report --json \(id)' shows what is left")
        }
        context.console.print(
            "run \(json["runId"]?.stringValue ?? id) as of \(json["asOf"]?.stringValue ?? "?"), exit \(json["exitCode"]?.intValue ?? -1), finished \(json["finishedAt"]?.stringValue ?? "?")"
        )
        for outcome in json["outcomes"]?.arrayValue ?? [] {
            let fields = ["created", "updated", "withdrawn", "unchanged", "rejected", "queued", "held", "dead"]
                .map { "\(outcome[$0]?.intValue ?? 0) \(RunTotals.title($0))" }.joined(separator: ", ")
            context.console.print(
                "  \(outcome["platform"]?.stringValue ?? "")/\(outcome["dataset"]?.stringValue ?? ""): \(fields)")
        }
        // The same totals as the summary and the HTML page: one definition (RunTotals).
        let totals = RunTotals(json: json).named.map { "\(RunTotals.title($0.0)): \($0.1)" }.joined(separator: "; ")
        context.console.print("  totals: \(totals)")
        // Platform problems: unavailable (where its changes went), or an operator must act.
        for problem in json["platformProblems"]?.arrayValue ?? [] {
            let platform = problem["platform"]?.stringValue ?? "?"
            context.console.print("  \(platform): \(problem["message"]?.stringValue ?? "")")
        }
        context.console.print("  html: \(files.html(id))")
        return .success
    }
}
