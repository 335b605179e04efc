import CredsyncCore
import CredsyncMapping
import CredsyncPublicity

/// Desired state against the ledger: what to create, update and withdraw on one platform.
public enum Planner {
    public static func plan(
        export: ExportResult, format: NationalFormat, platform: PlatformConfig, ledger: Ledger, rules: PublicityRules, asOf: LocalDate
    ) -> DatasetPlan {
        var plan = DatasetPlan(platform: platform.id, dataset: export.dataset)
        plan.publishedBefore = ledger.publishedCount
        let entries = ledger.entries
        // Ledger places seen in the export; the published ones left unseen are withdrawn.
        var seen = [Bool](repeating: false, count: entries.placeCount)
        let evaluations = evaluate(export, format: format, platform: platform, rules: rules, asOf: asOf)
        for (number, record) in export.records.enumerated() {
            let place = entries.place(of: record.key)
            if let place { seen[place] = true }
            let isPublished = place.map { entries.isPublished(at: $0) } ?? false
            let previousHash = { place.map { entries.hash(at: $0) } }
            if let why = record.excludedFrom[platform.id] {
                if isPublished {
                    plan.changes.append(Change(key: record.key, op: .withdraw, reason: "corrected", previousHash: previousHash(), line: record.line))
                    plan.warnings.append("\(record.key): withdrawn from \(platform.id.rawValue): \(why)")
                } else {
                    plan.notPublished += 1
                }
                continue
            }
            guard let (decision, publishedHash) = evaluations[number] else { continue }
            if !decision.warnings.isEmpty { plan.warnings += decision.warnings.map { "\(record.key): \($0)" } }
            if let problem = decision.deadlineProblem { plan.warnings.append("\(record.key): deadline unknown: \(problem)") }
            switch decision.state {
            case .notYet:
                plan.notYet += 1
            case .published:
                let hash = publishedHash ?? ""
                let change: (Change.Operation, String)?
                if let place {
                    if !isPublished {
                        change = (.update, "republished")
                    } else if !entries.hasHash(hash, at: place) {
                        change = (.update, "changed")
                    } else {
                        change = nil
                    }
                } else {
                    change = (.create, "new")
                }
                if let (op, reason) = change {
                    let payload = record.payload(format: format, dateSeparator: platform.dateSeparator)
                    plan.changes.append(Change(key: record.key, op: op, reason: reason, payload: payload, hash: hash, previousHash: previousHash(), line: record.line))
                    if !isPublished, let due = decision.publicationDue {
                        plan.deadlines.append(Deadline(key: record.key, kind: .publication, due: due))
                    }
                } else {
                    plan.unchanged += 1
                }
            case .withdrawn(let reason, _):
                if isPublished {
                    plan.changes.append(Change(key: record.key, op: .withdraw, reason: reason, previousHash: previousHash(), line: record.line))
                    if let due = decision.withdrawalDue { plan.deadlines.append(Deadline(key: record.key, kind: .withdrawal, due: due)) }
                } else {
                    plan.notPublished += 1
                }
            }
        }
        let setAside = export.setAsideKeys
        for key in entries.publishedKeys(unmarked: seen) {
            if setAside.contains(key) {
                plan.keptSetAside.append(key)
            } else {
                plan.changes.append(Change(key: key, op: .withdraw, reason: "corrected", previousHash: entries[key]?.hash))
            }
        }
        return plan
    }

    /// Each record's publicity decision and, when published, its payload's hash: the per-record
    /// work of a plan, spread over the cores in chunks. Nil for records the platform does not take.
    static func evaluate(
        _ export: ExportResult, format: NationalFormat, platform: PlatformConfig, rules: PublicityRules, asOf: LocalDate
    ) -> [(PublicityDecision, String?)?] {
        let records = export.records
        return parallelMap(count: records.count, chunkSize: 1024) { i -> (PublicityDecision, String?)? in
            let record = records[i]
            guard record.excludedFrom[platform.id] == nil else { return nil }
            let decision = rules.decide(record, dataset: export.dataset, asOf: asOf)
            guard case .published = decision.state else { return (decision, nil) }
            return (decision, record.payloadHash(format: format, dateSeparator: platform.dateSeparator))
        }
    }
}


/// The checks that refuse a plan that looks wrong: a truncated export must never wipe a platform.
public enum Guardrail {
    /// Why the plan is refused, or nil. `previousRecords` is the export's valid record count at the
    /// last run (nil on the first run). Withdrawals count against the share only past a floor of
    /// `minimum` records, so a small dataset is not blocked by one expiry.
    public static func refusal(
        _ plan: DatasetPlan, exportRecords: Int, exportRows: Int, previousRecords: Int?, guardrails: Guardrails, minimum: Int = 10
    ) -> String? {
        let name = "\(plan.platform.rawValue)/\(plan.dataset.rawValue)"
        if exportRows == 0 || exportRecords == 0, (previousRecords ?? 0) > 0 || plan.publishedBefore > 0 {
            return "\(name): the export holds no valid records, but \(previousRecords ?? plan.publishedBefore) were there before: is the export empty or truncated?"
        }
        if let previous = previousRecords, previous > 0 {
            let shrink = Double(previous - exportRecords) / Double(previous)
            if shrink > guardrails.maxShrinkShare {
                return "\(name): the export shrank from \(previous) to \(exportRecords) valid records (\(percent(shrink))), more than the \(percent(guardrails.maxShrinkShare)) allowed: is it truncated?"
            }
        }
        let withdrawals = plan.count(.withdraw)
        if plan.publishedBefore > 0, withdrawals > minimum {
            let share = Double(withdrawals) / Double(plan.publishedBefore)
            if share > guardrails.maxWithdrawShare {
                return "\(name): the plan would withdraw \(withdrawals) of \(plan.publishedBefore) published records (\(percent(share))), more than the \(percent(guardrails.maxWithdrawShare)) allowed"
            }
        }
        return nil
    }

    static func percent(_ share: Double) -> String {
        let value = (share * 1000).rounded() / 10
        return (value == value.rounded() ? String(Int(value)) : String(value)) + "%"
    }
}
