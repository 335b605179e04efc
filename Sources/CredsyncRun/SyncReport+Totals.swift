public import CredsyncCore

/// The counts of a run, each defined once here and shown the same in the JSON report (`totals`),
/// the summary, `credsync report` and the HTML page.
public struct RunTotals: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var withdrawn = 0
    public var unchanged = 0
    /// Records a platform rejected in this run.
    public var rejected = 0
    /// Export rows not sent: rows set aside by a rule or a duplicate key, and rows that could not be
    /// read at all. Counted once per row, whatever the number of platforms.
    public var setAside = 0
    /// Published records whose row is set aside: the platform keeps the last good version (per platform).
    public var kept = 0
    /// Changes waiting for an automatic retry (the deferred queue); held and dead are apart.
    public var queued = 0
    /// Changes on hold until an operator releases them.
    public var held = 0
    /// Changes given up on after the retry policy ran out.
    public var dead = 0
    /// Deadlines past due after the run.
    public var overdue = 0

    public init() {}

    /// The numbers by their JSON names, in the order every output shows them.
    public var named: [(String, Int)] {
        [
            ("created", created), ("updated", updated), ("withdrawn", withdrawn), ("unchanged", unchanged),
            ("rejected", rejected), ("setAside", setAside), ("kept", kept), ("queued", queued), ("held", held),
            ("dead", dead), ("overdue", overdue),
        ]
    }

    /// The words people read for each JSON name.
    public static func title(_ name: String) -> String {
        switch name {
        case "setAside": return "set aside"
        case "kept": return "kept (row set aside)"
        case "queued": return "queued for retry"
        default: return name
        }
    }

    /// The totals a saved report holds, or, for a report written before `totals` existed, the
    /// same numbers worked out from its lists.
    public init(json: JSONValue) {
        if let saved = json["totals"], saved.objectValue != nil {
            for (name, _) in RunTotals().named { set(name, saved[name]?.intValue ?? 0) }
            return
        }
        for outcome in json["outcomes"]?.arrayValue ?? [] {
            for name in ["created", "updated", "withdrawn", "unchanged", "rejected", "queued", "held", "dead"] {
                set(name, value(name) + (outcome[name]?.intValue ?? 0))
            }
            kept += outcome["keptSetAside"]?.intValue ?? 0
        }
        setAside = (json["setAside"]?.arrayValue?.count ?? 0) + (json["unreadableRows"]?.arrayValue?.count ?? 0)
        overdue = (json["deadlines"]?.arrayValue ?? []).filter { $0["overdue"] == .bool(true) }.count
    }

    func value(_ name: String) -> Int { named.first { $0.0 == name }?.1 ?? 0 }

    mutating func set(_ name: String, _ value: Int) {
        switch name {
        case "created": created = value
        case "updated": updated = value
        case "withdrawn": withdrawn = value
        case "unchanged": unchanged = value
        case "rejected": rejected = value
        case "setAside": setAside = value
        case "kept": kept = value
        case "queued": queued = value
        case "held": held = value
        case "dead": dead = value
        case "overdue": overdue = value
        default: break
        }
    }
}

extension SyncReport {
    /// The run's totals: the one definition of every number the outputs show.
    public var totals: RunTotals {
        var totals = RunTotals()
        for outcome in outcomes {
            totals.created += outcome.created
            totals.updated += outcome.updated
            totals.withdrawn += outcome.withdrawn
            totals.unchanged += outcome.unchanged
            totals.rejected += outcome.rejected.count
            totals.kept += outcome.keptSetAside
            totals.queued += outcome.queued
            totals.held += outcome.held
            totals.dead += outcome.dead
        }
        totals.setAside = setAside.count + unreadableRows.count
        totals.overdue = overdue
        return totals
    }

    /// Rows of `dataset`'s export not sent (set aside or unreadable): a dataset's number, not a platform's.
    public func setAsideCount(of dataset: Dataset) -> Int {
        setAside.filter { $0.0 == dataset }.count + unreadableRows.filter { $0.0 == dataset }.count
    }

    /// The datasets that had rows set aside, with their counts, in dataset order.
    public var setAsideByDataset: [(Dataset, Int)] {
        Dataset.allCases.map { ($0, setAsideCount(of: $0)) }.filter { $0.1 > 0 }
    }
}
