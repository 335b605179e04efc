public import CredsyncCore

/// One platform's plan added up from its steps as they come, in file order, so that no step is
/// held: the counts, the ledger places seen, the changes (their places in the spill), the warnings.
/// Each step's line, place and count are kept (9 bytes a record) so that the rows of a key found
/// twice can be taken back at the end.
public struct PlanBuilder: Sendable {
    private var plan: DatasetPlan
    private let entries: LedgerEntries
    private var seen: [Bool]
    private var lines: [Int32] = []
    private var places: [StoredPlace] = []
    private var tallies: [PlanStep.Tally] = []
    private var warningLines: [Int] = []
    /// Deadlines in years the calendar lacks, by problem: the lines and the first keys.
    private var unknown: [String: (lines: [Int32], keys: [String])] = [:]
    private var unknownOrder: [String] = []

    public init(dataset: Dataset, platform: PlatformID, ledger: Ledger, spill: ChangeSpill? = nil) {
        plan = DatasetPlan(platform: platform, dataset: dataset)
        if let spill { plan.changes = ChangeList(spill: spill) }
        plan.publishedBefore = ledger.publishedCount
        entries = ledger.entries
        seen = [Bool](repeating: false, count: entries.placeCount)
    }

    /// Adds one record's step.
    public mutating func add(_ step: PlanStep) {
        if let place = step.place { seen[place] = true }
        lines.append(Int32(clamping: step.line))
        places.append(StoredPlace(step.place))
        tallies.append(step.tally)
        count(step.tally, by: 1)
        if let spilled = step.spilled { plan.changes.append(spilled.place, line: step.line, op: spilled.op) }
        guard let detail = step.detail else { return }
        if let change = detail.change { plan.changes.append(change) }
        if detail.change == nil, step.spilled == nil, let deadline = detail.deadline {
            plan.awaitingReceipt.append(deadline)
        }
        if let missing = detail.unknownDeadline {
            if unknown[missing.problem] == nil { unknownOrder.append(missing.problem) }
            unknown[missing.problem, default: ([], [])].lines.append(Int32(clamping: step.line))
            if unknown[missing.problem]?.keys.count ?? 0 <= Self.keysNamed {
                unknown[missing.problem]?.keys.append(missing.key)
            }
        }
        warningLines += Array(repeating: step.line, count: detail.warnings.count)
        plan.warnings += detail.warnings
    }

    /// Takes back the steps of the records at `lines`: rows found to share a key.
    public mutating func remove(lines removed: Set<Int>) {
        guard !removed.isEmpty else { return }
        for i in lines.indices where removed.contains(Int(lines[i])) {
            if let place = places[i].place { seen[place] = false }
            count(tallies[i], by: -1)
        }
        plan.changes.removeAll(lines: removed)
        for problem in unknownOrder {
            unknown[problem]?.lines.removeAll { removed.contains(Int($0)) }
        }
        let kept = warningLines.indices.filter { !removed.contains(warningLines[$0]) }
        plan.warnings = kept.map { plan.warnings[$0] }
        warningLines = kept.map { warningLines[$0] }
    }

    /// The plan: published ledger entries no record reached are withdrawn as `corrected`, unless
    /// their row is set aside, or may be one of the rows that could not be read; while the export
    /// was not read whole, they are held (kept, with a warning) unless `unread` says the
    /// withdrawals are approved.
    public consuming func finish(setAsideKeys: Set<String>, unread: UnreadRows = .none) -> DatasetPlan {
        plan.warnings += unknownDeadlineWarnings()
        for key in entries.publishedKeys(unmarked: seen) {
            if setAsideKeys.contains(key) || unread.mayHold(key) {
                plan.keptSetAside.append(key)
            } else if unread.reason != nil && !unread.isApproved {
                plan.keptSetAside.append(key)
                plan.heldWithdrawals.append(key)
            } else {
                plan.changes.append(
                    Change(key: key, op: .withdraw, reason: .withdrawal(.corrected), previousHash: entries[key]?.hash))
            }
        }
        if let reason = unread.reason, !plan.heldWithdrawals.isEmpty {
            let count = plan.heldWithdrawals.count
            let (records, are, they) = count == 1 ? ("record", "is", "it is") : ("records", "are", "they are")
            plan.warnings.append(
                "\(count) published \(records) the export lacks \(are) kept, not withdrawn, "
                    + "as the export was not read whole: \(reason); fix the export, or if \(they) gone, "
                    + "approve with --approve-withdrawals")
        }
        return plan
    }

    /// How many keys a warning for many records names.
    static let keysNamed = 3

    /// One warning for each year the calendar lacks: "KEY: deadline unknown: …" for one record,
    /// "deadline unknown: … (25 records: A, B, C and 22 more)" for more (as `plan` groups them).
    private func unknownDeadlineWarnings() -> [String] {
        unknownOrder.compactMap { problem in
            guard let group = unknown[problem], !group.lines.isEmpty else { return nil }
            let count = group.lines.count
            // Keys of rows taken back (duplicates) may be among the first named; rare, and harmless.
            if count == 1, let key = group.keys.first { return "\(key): deadline unknown: \(problem)" }
            let named = group.keys.prefix(Self.keysNamed).joined(separator: ", ")
            let rest = count - min(Self.keysNamed, count)
            return "deadline unknown: \(problem) (\(count) records: \(named)\(rest > 0 ? " and \(rest) more" : ""))"
        }
    }

    private mutating func count(_ tally: PlanStep.Tally, by delta: Int) {
        switch tally {
        case .none: break
        case .unchanged: plan.unchanged += delta
        case .notYet: plan.notYet += delta
        case .notPublished: plan.notPublished += delta
        }
    }
}

/// A step's ledger place kept in four bytes (a ledger stays under 2³¹ entries, as
/// `LedgerEntries` does with its `Int32` index), or none.
private struct StoredPlace: Sendable {
    private let raw: Int32

    init(_ place: Int?) { raw = place.map { Int32(clamping: $0) } ?? -1 }

    var place: Int? { raw < 0 ? nil : Int(raw) }
}
