import CredsyncCore
import CredsyncFormats
import CredsyncReconciliation
import CredsyncRun

/// `credsync deadlines [--within N]`: publications and withdrawals not yet done that are overdue,
/// or due within N working days, oldest first; then those whose deadline falls in a year the
/// calendar lacks. Exit 1 when anything is overdue or unknown.
enum DeadlinesCommand {
    static func run(_ context: CommandContext) throws(CredsyncError) -> ExitCode {
        let config = try context.loadConfig(readsSecrets: false)
        let workspace = try Workspace(config: config)
        var ledgers: [PublishTarget: Ledger] = [:]
        let run = try workspace.plan(asOf: context.asOf, allowMassWithdraw: true, ledgers: &ledgers)
        let within = context.invocation.value("within").flatMap(Int.init) ?? 3
        // A window reaching into a year the calendar lacks ends with the last day it covers: every
        // deadline worked out falls on or before it, and those in the missing year are unknown.
        var horizon: LocalDate
        var cutShort: WorkingCalendar.MissingYear?
        do { horizon = try workspace.rules.calendar.adding(workingDays: within, to: context.asOf) } catch {
            horizon = LocalDate(
                dayNumber: (LocalDate(year: error.year, month: 1, day: 1)?.dayNumber ?? context.asOf.dayNumber) - 1)
            cutShort = error
        }
        var items: [(DatasetPlan, Deadline)] = []
        for plan in run.plans {
            for deadline in plan.deadlines where deadline.due <= horizon { items.append((plan, deadline)) }
        }
        items.sort { ($0.1.due, $0.1.key) < ($1.1.due, $1.1.key) }
        let unknown = run.plans.flatMap { plan in plan.unknownDeadlines.map { (plan, $0) } }
        let overdue = items.filter { $0.1.due < context.asOf }.count
        // Accepted on a receipts platform, not yet published: the deadline runs until the receipt.
        let awaitingKeys = Set(
            run.plans.flatMap { plan in
                plan.awaitingReceipt.map { "\(plan.platform.rawValue)|\(plan.dataset.rawValue)|\($0.key)" }
            })
        func awaiting(_ plan: DatasetPlan, _ deadline: Deadline) -> Bool {
            deadline.kind == .publication
                && awaitingKeys.contains("\(plan.platform.rawValue)|\(plan.dataset.rawValue)|\(deadline.key)")
        }
        if context.invocation.global.json {
            context.console.printJSON([
                "asOf": .string(context.asOf.iso), "within": .number(String(within)),
                "overdue": .number(String(overdue)),
                "horizon": .string(horizon.iso), "horizonCutShort": cutShort.map { .string($0.description) } ?? .null,
                "items": .array(
                    items.map { plan, deadline in
                        [
                            "platform": .string(plan.platform.rawValue), "dataset": .string(plan.dataset.rawValue),
                            "key": .string(deadline.key),
                            "kind": .string(deadline.kind.rawValue), "due": .string(deadline.due.iso),
                            "overdue": .bool(deadline.due < context.asOf),
                            "awaitingReceipt": .bool(awaiting(plan, deadline)),
                        ]
                    }),
                "unknown": .array(
                    unknown.map { plan, item in
                        [
                            "platform": .string(plan.platform.rawValue), "dataset": .string(plan.dataset.rawValue),
                            "key": .string(item.key),
                            "kind": .string(item.kind.rawValue), "missingYear": .number(String(item.missingYear)),
                            "problem": .string(item.problem),
                        ]
                    }),
            ])
        } else {
            context.console.print(
                "deadlines as of \(context.asOf.iso): \(overdue) overdue, \(items.count - overdue) due within \(within) working days (by \(horizon.iso))"
                    + (unknown.isEmpty ? "" : ", \(unknown.count) unknown"))
            var rows = [["status", "due", "platform", "dataset", "kind", "key"]]
            for (plan, deadline) in items {
                let status =
                    (deadline.due < context.asOf ? "OVERDUE" : "due")
                    + (awaiting(plan, deadline) ? " (pending receipt)" : "")
                rows.append([
                    status, deadline.due.iso, plan.platform.rawValue, plan.dataset.rawValue, deadline.kind.rawValue,
                    deadline.key,
                ])
            }
            for (plan, item) in unknown {
                rows.append([
                    "UNKNOWN", "in \(item.missingYear)", plan.platform.rawValue, plan.dataset.rawValue,
                    item.kind.rawValue, item.key,
                ])
            }
            if rows.count > 1 { context.console.print(lines: TextTable.render(rows)) }
            // Every unknown deadline has the same cause: say it once.
            for problem in Set(unknown.map(\.1.problem)).sorted() { context.console.print("unknown: \(problem)") }
            if let cutShort {
                context.console.print("the window ends on \(horizon.iso): \(cutShort)")
            }
        }
        return overdue > 0 || !unknown.isEmpty ? .needsAttention : .success
    }
}
