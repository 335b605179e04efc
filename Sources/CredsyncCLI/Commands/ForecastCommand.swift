import CredsyncCore
import CredsyncRun

/// `credsync forecast [--days N | --until DATE] [--platform P] [--dataset D]`: what each of the
/// next working days brings if nothing is sent in between, each day planned as `plan --as-of`
/// that day. Exit 1 when something goes overdue, a run would be refused, a deadline is unknown or
/// the window was cut short; 65 when an export cannot be read at all.
enum ForecastCommand {
    static func run(_ context: CommandContext) throws(CredsyncError) -> ExitCode {
        let invocation = context.invocation
        let window = try window(invocation, asOf: context.asOf)
        let config = try context.loadConfig(readsSecrets: false)
        let datasets = invocation.all("dataset").compactMap(Dataset.init(rawValue:))
        let platforms = invocation.all("platform").compactMap(PlatformID.init(rawValue:))
        let workspace = try Workspace(config: config, datasets: datasets)
        let forecast = try ForecastJob(workspace: workspace, asOf: context.asOf, window: window, platforms: platforms)
            .run()
        if invocation.global.json {
            context.console.printJSON(forecast.json)
        } else {
            printText(forecast, context: context)
        }
        for (dataset, problem) in forecast.unreadable {
            context.console.printError("error: \(dataset.rawValue): \(problem): the export cannot be used")
        }
        if !forecast.unreadable.isEmpty { return .dataError }
        return forecast.needsAttention ? .needsAttention : .success
    }

    /// `--days N` or `--until DATE` (after the as-of date), not both; by default 10 working days.
    static func window(_ invocation: Invocation, asOf: LocalDate) throws(CredsyncError) -> ForecastJob.Window {
        let days = invocation.value("days")
        let until = invocation.value("until")
        if days != nil, until != nil {
            throw .usage("--days and --until both say how far to look", hint: "give one of them")
        }
        if let until {
            guard let date = LocalDate(iso: until), date > asOf else {
                throw .usage(
                    "--until \(until) is not a date after the as-of date \(asOf.iso)",
                    hint: "e.g. --until \(asOf.adding(days: 14).iso)")
            }
            return .until(date)
        }
        return .workingDays(days.flatMap(Int.init) ?? 10)
    }

    static func printText(_ forecast: Forecast, context: CommandContext) {
        let console = context.console
        let last = forecast.days.last?.date.iso ?? forecast.asOf.iso
        console.print(
            "forecast as of \(forecast.asOf.iso): \(forecast.days.count) working "
                + (forecast.days.count == 1 ? "day" : "days") + " to \(last), "
                + "if nothing is sent in between")
        var rows = [["day", "publish", "withdraw", "overdue", "repairs", "cancelled", "refused"]]
        for day in [forecast.today] + forecast.days {
            let name = day.date == forecast.asOf ? "\(day.date.iso) today" : day.date.iso
            rows.append(
                [name]
                    + [.publication, .withdrawal, .overdue, .repairEligible, .cancelled].map { String(day.count($0)) }
                    + [String(day.refusals.count)])
        }
        console.print(lines: TextTable.render(rows))
        let see = "'credsync forecast --json'"
        for day in [forecast.today] + forecast.days where !day.items.isEmpty || !day.refusals.isEmpty {
            console.print("\(day.date.iso)\(day.date == forecast.asOf ? " (today)" : ""):")
            for refusal in day.refusals { console.print("  refused  \(refusal)") }
            for item in day.items.prefix(ListCut.shown) { console.print("  " + describe(item)) }
            if let more = ListCut.more(day.items.count, see: see) { console.print(more) }
        }
        if let cutShort = forecast.cutShort { console.print("cut short: \(cutShort)") }
    }

    /// One item as a line: what, where, which record, why and by when.
    static func describe(_ item: Forecast.Item) -> String {
        let due = item.date.map(\.iso) ?? ""
        let deadline = item.date.map { ", due \($0.iso)" } ?? ""
        switch item.kind {
        case .publication: return "publish   \(item.target) \(item.key) (\(item.reason)\(deadline))"
        case .withdrawal: return "withdraw  \(item.target) \(item.key) (\(item.reason)\(deadline))"
        case .overdue: return "OVERDUE   \(item.target) \(item.key) (\(item.reason) was due \(due))"
        case .repairEligible:
            return "repair    \(item.target) \(item.key) (\(item.reason): may take effect from \(due))"
        case .cancelled: return "cancelled \(item.target) \(item.key) (\(item.reason) no longer planned)"
        }
    }
}
