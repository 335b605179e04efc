import CredsyncCore
import CredsyncExchange
import CredsyncReconciliation
import CredsyncSpool

/// One dataset pushed to one platform: which changes go now (queue state decides), the batches,
/// and every answer written to the ledger, the queue and the outcome.
struct DatasetPush {
    let run: PlatformRun
    let plan: DatasetPlan
    let spool: Spool
    var ledger: Ledger
    var rejected: RejectedRecords
    /// Queue entries of this dataset by key.
    var queued: [String: Spool.Located]
    var outcome: DatasetOutcome
    var delivered = 0
    var transientFailures = 0
    /// Changes delivered that had waited in the deferred queue after an earlier failure.
    var deliveredFromQueue = 0
    var sent: [(String, JSONObject)] = []
    var deliveredKeys: Set<String> = []

    init(run: PlatformRun, plan: DatasetPlan, spool: Spool, queued: [Spool.Located]) throws(CredsyncError) {
        self.run = run
        self.plan = plan
        self.spool = spool
        let id = "\(plan.platform.rawValue)/\(plan.dataset.rawValue)"
        if let loaded = run.ledgers[id] {
            ledger = loaded
        } else {
            ledger = try Ledger.load(stateDir: run.config.stateDir, platform: plan.platform, dataset: plan.dataset)
        }
        rejected = try RejectedRecords.load(run.config.stateDir, plan.platform, plan.dataset)
        self.queued = Dictionary(queued.map { ($0.entry.key, $0) }, uniquingKeysWith: { _, newer in newer })
        outcome = DatasetOutcome(platform: plan.platform, dataset: plan.dataset)
        outcome.unchanged = plan.unchanged
        outcome.keptSetAside = plan.keptSetAside.count
    }

    var stateDir: String { run.config.stateDir }

    /// Chooses what goes now, pushes it, and saves the ledger, the queue and the rejected list.
    mutating func push(client: PlatformClient, result: inout PlatformRun.Result) async {
        let now = Timestamp.now()
        var sending: [Change] = []
        let planned = Set(plan.changes.map(\.key))
        for change in plan.changes {
            let marker = change.op == .withdraw ? "withdraw" : (change.hash ?? "")
            if rejected.hashes[change.key] == marker {
                outcome.rejectedBefore += 1
                continue
            }
            if let located = queued[change.key] {
                var entry = supersede(located.entry, with: change)
                let changed = entry != located.entry
                switch located.state {
                case .hold:
                    if changed { record { (spool) throws(CredsyncError) in try spool.write(entry, to: .hold) } }
                    outcome.held += 1
                    continue
                case .dead where located.entry.hash == entry.hash && located.entry.op == entry.op:
                    outcome.dead += 1
                    continue
                case .deferred where located.entry.nextAttempt > now:
                    entry.nextAttempt = located.entry.nextAttempt
                    if changed { record { (spool) throws(CredsyncError) in try spool.write(entry, to: .deferred) } }
                    outcome.queued += 1
                    continue
                default:
                    break
                }
            }
            sending.append(change)
        }
        // A deferred entry no plan asks for any more is done with: the desired state changed.
        for (key, located) in queued where located.state == .deferred && !planned.contains(key) {
            record { (spool) throws(CredsyncError) in try spool.remove(located.entry, from: .deferred) }
        }
        let records = sending.map { change -> OutgoingRecord in
            change.op == .withdraw ? .withdraw(key: change.key, reason: change.withdrawReason)
                : OutgoingRecord(key: change.key, op: .upsert, hash: change.hash, payload: change.payload)
        }
        let changes = Dictionary(sending.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let batches = Batch.split(records, dataset: plan.dataset, source: run.config.organisation.uscc, maxRecords: run.platform.batchSize)
        var next = 0
        var completed = 0
        await withTaskGroup(of: (Batch, BatchResult).self) { group in
            func startNext() -> Bool {
                // After a 401 or 403 the rest would fail the same way: it waits for the next run.
                guard next < batches.count, !run.stop.isSet, authenticationFailure == nil else { return false }
                let batch = batches[next]
                next += 1
                group.addTask { (batch, await client.push(batch)) }
                return true
            }
            for _ in 0..<max(1, run.platform.concurrency) where !startNext() { break }
            while let (batch, answer) = await group.next() {
                apply(answer, of: batch, changes: changes, result: &result)
                completed += 1
                if completed % 10 == 0 { saveLedger(result: &result) }
                _ = startNext()
            }
        }
        saveLedger(result: &result)
        outcome.pendingDeadlines = plan.deadlines.filter { !deliveredKeys.contains($0.key) }
        let (accepted, directory, platformID, datasetID) = (sent, stateDir, plan.platform, plan.dataset)
        record { (_) throws(CredsyncError) in
            try SentPayloads.append(accepted, stateDir: directory, platform: platformID, dataset: datasetID)
        }
        let rejectedNow = rejected
        record { (_) throws(CredsyncError) in try rejectedNow.save(directory, platformID, datasetID) }
        if let error = pendingError { result.stateError = error }
    }

    private var pendingError: CredsyncError?
    /// The first 401 or 403 answer of this dataset's pushes.
    private(set) var authenticationFailure: ExchangeFailure?

    private mutating func record(_ action: (Spool) throws(CredsyncError) -> Void) {
        do { try action(spool) } catch { pendingError = pendingError ?? error }
    }

    private mutating func saveLedger(result: inout PlatformRun.Result) {
        do { try ledger.save(stateDir: stateDir) } catch { pendingError = pendingError ?? error }
    }

    /// The queue entry for `change`, carrying the newest plan (a stale version is never sent later).
    func supersede(_ entry: SpoolEntry?, with change: Change) -> SpoolEntry {
        let now = Timestamp.now()
        var updated = entry ?? SpoolEntry(
            id: Spool.newID(now: now), platform: plan.platform, dataset: plan.dataset, key: change.key, op: .upsert, reason: "", payload: nil,
            hash: nil, batchID: nil, attempts: 0, firstAttempt: now, lastAttempt: now, nextAttempt: now, errors: [])
        updated.op = change.op == .withdraw ? .withdraw : .upsert
        updated.reason = change.reason
        updated.payload = change.payload
        updated.hash = change.hash
        return updated
    }

    private mutating func apply(_ answer: BatchResult, of batch: Batch, changes: [String: Change], result: inout PlatformRun.Result) {
        run.audit.append(Self.auditEvent(answer, of: batch, platform: plan.platform))
        if let failure = answer.authenticationFailure, authenticationFailure == nil {
            authenticationFailure = failure
            result.authenticationFailures.append(AuthenticationFailure(platform: plan.platform, dataset: plan.dataset, failure: failure))
            run.logger.error("\(plan.platform.rawValue) refused the credentials", [("dataset", plan.dataset.rawValue), ("error", failure.description)])
        }
        run.progress.add(batch.records.count)
        result.requests += answer.requests
        result.rateLimited += answer.rateLimited
        let now = Timestamp.now()
        for (key, recordOutcome) in answer.outcomes {
            guard let change = changes[key] else { continue }
            let located = queued[key]
            switch recordOutcome {
            case .accepted(let version):
                setLedger(change, version: version, batchID: answer.batchIDs.last ?? batch.id, now: now)
                switch change.op {
                case .create: outcome.created += 1
                case .update: outcome.updated += 1
                case .withdraw: outcome.withdrawn += 1
                }
                done(located)
            case .unchanged:
                setLedger(change, version: ledger.entries[key]?.version ?? 0, batchID: answer.batchIDs.last ?? batch.id, now: now)
                outcome.unchanged += 1
                done(located)
            case .rejected(let errors) where change.op == .withdraw && errors.contains(where: { $0.code == "E_NOT_FOUND" }):
                // The platform no longer holds it: the withdrawal's goal is met.
                ledger.entries[key]?.isPublished = false
                deliveredKeys.insert(key)
                outcome.withdrawn += 1
                done(located)
            case .rejected(let errors):
                outcome.rejected.append((key, errors))
                rejected.hashes[key] = change.op == .withdraw ? "withdraw" : (change.hash ?? "")
                run.logger.warning("rejected by \(plan.platform.rawValue)", [("dataset", plan.dataset.rawValue), ("key", key),
                    ("errors", errors.map(\.description).joined(separator: "; "))])
                done(located)
            case .transient(let message):
                transientFailures += 1
                queue(change, located: located, batchID: batch.id, failure: SpoolError(at: now, errorClass: .transient, status: nil, code: nil, message: message), permanent: false)
            case .permanent(let message):
                queue(change, located: located, batchID: batch.id, failure: SpoolError(at: now, errorClass: .permanent, status: nil, code: nil, message: message), permanent: true)
                if !result.problems.contains(message) { result.problems.append(message) }
            }
        }
    }

    /// The audit line of a batch: ids, keys, hashes and outcomes, nothing personal.
    static func auditEvent(_ answer: BatchResult, of batch: Batch, platform: PlatformID) -> JSONObject {
        let hashes = Dictionary(batch.records.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let records: [JSONValue] = answer.outcomes.map { key, outcome in
            var item = JSONObject([JSONMember("key", .string(key)), JSONMember("op", .string(hashes[key]?.op.rawValue ?? ""))])
            if let hash = hashes[key]?.hash { item["hash"] = .string(hash) }
            if let reason = hashes[key]?.reason { item["reason"] = .string(reason) }
            switch outcome {
            case .accepted(let version):
                item["outcome"] = "accepted"
                item["version"] = .number(String(version))
            case .unchanged: item["outcome"] = "unchanged"
            case .rejected(let errors):
                item["outcome"] = "rejected"
                item["errors"] = .array(errors.map { .string($0.description) })
            case .transient(let message):
                item["outcome"] = "transient"
                item["error"] = .string(message)
            case .permanent(let message):
                item["outcome"] = "permanent"
                item["error"] = .string(message)
            }
            return .object(item)
        }
        return JSONObject([
            JSONMember("event", "batch"), JSONMember("platform", .string(platform.rawValue)), JSONMember("dataset", .string(batch.dataset.rawValue)),
            JSONMember("batchIds", .array(answer.batchIDs.map { .string($0) })), JSONMember("requestIds", .array(answer.requestIDs.map { .string($0) })),
            JSONMember("requests", .number(String(answer.requests))), JSONMember("records", .array(records)),
        ])
    }

    private mutating func setLedger(_ change: Change, version: Int, batchID: String, now: Double) {
        let previous = ledger.entries[change.key]
        ledger.entries[change.key] = LedgerEntry(
            hash: change.hash ?? previous?.hash ?? "", isPublished: change.op != .withdraw, version: version, updatedAt: Int(now), batchID: batchID)
        rejected.hashes[change.key] = nil
        delivered += 1
        deliveredKeys.insert(change.key)
        if let payload = change.payload { sent.append((change.key, payload)) }
    }

    private mutating func done(_ located: Spool.Located?) {
        guard let located else { return }
        if located.state == .deferred { deliveredFromQueue += 1 }
        record { (spool) throws(CredsyncError) in try spool.remove(located.entry, from: located.state) }
    }

    private mutating func queue(_ change: Change, located: Spool.Located?, batchID: String, failure: SpoolError, permanent: Bool) {
        var entry = supersede(located?.entry, with: change)
        entry.attempts = min(entry.attempts, Int.max - 1) + 1  // a hand-edited entry cannot overflow it
        entry.lastAttempt = failure.at
        entry.batchID = batchID
        entry.errors.append(failure)
        if entry.errors.count > 50 { entry.errors.removeFirst(entry.errors.count - 50) }
        let target: SpoolState
        if permanent {
            target = .hold
            outcome.held += 1
        } else if entry.attempts >= run.config.retry.maxAttempts || failure.at - entry.firstAttempt >= run.config.retry.maxAge {
            target = .dead
            outcome.dead += 1
        } else {
            target = .deferred
            entry.nextAttempt = run.nextAttempt(attempts: entry.attempts - 1, now: failure.at)
            outcome.queued += 1
        }
        let previousState = located?.state
        record { (spool) throws(CredsyncError) in
            try spool.write(entry, to: target)
            if let previousState, previousState != target { try spool.remove(entry, from: previousState) }
        }
    }
}
