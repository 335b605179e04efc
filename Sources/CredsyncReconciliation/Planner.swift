public import CredsyncCore
public import CredsyncMapping
public import CredsyncFormats
import _CredsyncEngine

/// Desired state against the ledger: what to create, update and withdraw on one platform.
public enum Planner {
    /// The plan of `export`'s records, each stepped on the cores.
    public static func plan(
        export: ExportResult, format: NationalFormat, platform: PlatformConfig, ledger: Ledger, rules: PublicityRules,
        asOf: LocalDate, approveWithdrawals: Bool = false
    ) -> DatasetPlan {
        let context = PlanContext(
            dataset: export.dataset, format: format, platform: platform, ledger: ledger, rules: rules, asOf: asOf)
        let records = export.records
        let steps = parallelMap(count: records.count, chunkSize: 1024) { context.step(records[$0]) }
        return plan(
            steps: steps, dataset: export.dataset, platform: platform.id, ledger: ledger,
            setAsideKeys: export.setAsideKeys, unread: UnreadRows(export, isApproved: approveWithdrawals))
    }

    /// The plan from the steps of an export's valid records, in file order: published ledger
    /// entries no record reached are withdrawn as `corrected`, unless their row is set aside, or
    /// may be one of the rows that could not be read; while the export was not read whole, they
    /// are held (kept, with a warning) unless `unread` says the withdrawals are approved.
    public static func plan(
        steps: [PlanStep], dataset: Dataset, platform: PlatformID, ledger: Ledger, setAsideKeys: Set<String>,
        unread: UnreadRows = .none
    ) -> DatasetPlan {
        var builder = PlanBuilder(dataset: dataset, platform: platform, ledger: ledger)
        for step in steps { builder.add(step) }
        return builder.finish(setAsideKeys: setAsideKeys, unread: unread)
    }
}

/// What a plan knows of the rows of an export that could not be read: a published record the
/// export lacks is withdrawn as `corrected` only when the export was read whole, or on approval.
public struct UnreadRows: Sendable {
    /// Why the export was not read whole; nil when it was.
    public var reason: String?
    /// The texts of the rows that could not be read (`ExportResult.unreadableTexts`): a published
    /// key found in one is kept even on approval, as that row may be its own.
    public var texts: [String]
    /// Whether the operator approved withdrawing what an export not read whole lacks.
    public var isApproved: Bool

    public init(reason: String?, texts: [String], isApproved: Bool) {
        self.reason = reason
        self.texts = texts
        self.isApproved = isApproved
    }

    /// What `export`'s unreadable rows say.
    public init(_ export: ExportResult, isApproved: Bool = false) {
        self.init(reason: export.notWholeReason, texts: export.unreadableTexts, isApproved: isApproved)
    }

    /// An export read whole.
    public static let none = UnreadRows(reason: nil, texts: [], isApproved: false)

    /// Whether an unreadable row may hold `key`: its text has it somewhere. Asked only for the
    /// few published keys the export lacks.
    public func mayHold(_ key: String) -> Bool {
        !key.isEmpty && texts.contains { $0.contains(key) }
    }
}

/// The checks that refuse a plan that looks wrong: a truncated export must never wipe a platform.
public enum Guardrail {
    /// Why the plan is refused, or nil. `previousRecords` is the export's valid record count at the
    /// last run (nil on the first run). Withdrawals count against the share only past a floor of
    /// `minimum` records, so a small dataset is not blocked by one expiry.
    public static func refusal(
        _ plan: DatasetPlan, exportRecords: Int, exportRows: Int, previousRecords: Int?, guardrails: Guardrails,
        minimum: Int = 10
    ) -> String? {
        let name = PublishTarget(plan.platform, plan.dataset).description
        if exportRows == 0 || exportRecords == 0, (previousRecords ?? 0) > 0 || plan.publishedBefore > 0 {
            return
                "\(name): the export holds no valid records, but \(previousRecords ?? plan.publishedBefore) were there before: is the export empty or truncated?"
        }
        if let previous = previousRecords, previous > 0 {
            let shrink = Double(previous - exportRecords) / Double(previous)
            if shrink > guardrails.maxShrinkShare {
                return
                    "\(name): the export shrank from \(previous) to \(exportRecords) valid records (\(percent(shrink))), more than the \(percent(guardrails.maxShrinkShare)) allowed: is it truncated?"
            }
        }
        let withdrawals = plan.count(.withdraw)
        if plan.publishedBefore > 0, withdrawals > minimum {
            let share = Double(withdrawals) / Double(plan.publishedBefore)
            if share > guardrails.maxWithdrawShare {
                return
                    "\(name): the plan would withdraw \(withdrawals) of \(plan.publishedBefore) published records (\(percent(share))), more than the \(percent(guardrails.maxWithdrawShare)) allowed"
            }
        }
        return nil
    }

    static func percent(_ share: Double) -> String {
        let value = (share * 1000).rounded() / 10
        return (value == value.rounded() ? String(Int(value)) : String(value)) + "%"
    }
}
