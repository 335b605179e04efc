import CredsyncCore
import CredsyncExchange
import CredsyncReconciliation
import CredsyncSpool
import CredsyncState
import CredsyncProtocol
import _CredsyncEngine

/// One dataset pushed to one platform: which changes go now (queue state decides), the batches,
/// and every answer applied in one transaction of the state store: its ledger rows, rejected rows,
/// accepted payloads and queue changes committed together before the next answer is applied.
/// Nothing is held for the end: no ledger, no list of accepted payloads.
struct DatasetPush {
    let run: PlatformRun
    let plan: DatasetPlan
    let spool: Spool
    var rejected: RejectedRecords
    /// Queue entries of this dataset by key.
    var queued: [String: Spool.Located]
    var outcome: DatasetOutcome
    var delivered = 0
    var transientFailures = 0
    /// Changes delivered that had waited in the deferred queue after an earlier failure.
    var deliveredFromQueue = 0
    /// Whether each change, in plan order, reached its goal on the platform (its deadline is met).
    var reached: [Bool] = []

    init(run: PlatformRun, plan: DatasetPlan, spool: Spool, queued: [Spool.Located]) throws(CredsyncError) {
        self.run = run
        self.plan = plan
        self.spool = spool
        rejected = try RejectedRecords.load(run.store, plan.platform, plan.dataset)
        self.queued = Dictionary(queued.map { ($0.entry.key, $0) }, uniquingKeysWith: { _, newer in newer })
        outcome = DatasetOutcome(platform: plan.platform, dataset: plan.dataset)
        outcome.unchanged = plan.unchanged
        outcome.keptSetAside = plan.keptSetAside.count
    }

    var store: StateStore { run.store }

    /// Chooses what goes now, pushes it, and applies every answer in its own transaction. The plan's
    /// changes are read from its spill twice: once to choose (queue states, in one transaction),
    /// then batch by batch as they are sent, so only the batches in flight are in memory.
    mutating func push(client: PlatformClient, result: inout PlatformRun.Result) async {
        let (goes, unconfirmed) = choose()
        var feed = BatchFeed(
            changes: plan.changes.makeIterator(), goes: goes, extra: unconfirmed, dataset: plan.dataset,
            source: run.config.organisation.uscc, maxRecords: run.platform.batchSize)
        var inFlight: [String: BatchFeed.Carried] = [:]
        reached = Array(repeating: false, count: goes.count)
        await withTaskGroup(of: (Batch, BatchResult).self) { group in
            // After a 401 or 403 the rest would fail the same way: it waits for the next run.
            // After a failed commit (a full disk) nothing more is sent: its answer could not be kept.
            func mayGoOn() -> Bool { !run.stop.isSet && authenticationFailure == nil && commitFailure == nil }
            func start(_ batch: Batch, _ changes: BatchFeed.Carried) {
                inFlight[batch.id] = changes
                group.addTask { (batch, await client.push(batch)) }
            }
            // A create the platform may apply must be known here before it is sent: a run killed
            // before its answer is kept would otherwise forget a published record. The first
            // batches' creates are marked together; each later batch's in its predecessor's answer.
            var first: [(Batch, BatchFeed.Carried)] = []
            while first.count < max(1, run.platform.concurrency), mayGoOn(), let next = feed.next() {
                first.append(next)
            }
            if markSent(first) {
                for (batch, changes) in first { start(batch, changes) }
            }
            var answered = 0
            while let (batch, answer) = await group.next() {
                let next = answer.authenticationFailure == nil && mayGoOn() ? feed.next() : nil
                apply(answer, of: batch, changes: inFlight.removeValue(forKey: batch.id) ?? [:], marking: next, result: &result)
                answered += 1
                if answered % 50 == 0 { FreedMemory.release() }
                if let (batch, changes) = next, commitFailure == nil { start(batch, changes) }
            }
        }
        outcome.pendingDeadlines = zip(plan.changes, reached).compactMap { change, done in done ? nil : change.deadline }
        do { try plan.changes.check() } catch { pendingError = pendingError ?? error }
        if let error = commitFailure ?? pendingError { result.stateError = error }
    }

    /// Which of the plan's changes go now, by their queue entries: a held or dead entry waits for
    /// an operator, a deferred one for its time. Their queue changes, and the removal of deferred
    /// entries no plan asks for any more (the desired state changed), are made in one transaction.
    /// A deferred create no plan asks for may have been applied (its answer lost): it is withdrawn
    /// (`unconfirmed`) rather than forgotten; the platform answers E_NOT_FOUND if it never was.
    private mutating func choose() -> (goes: [Bool], unconfirmed: [Change]) {
        let now = Timestamp.now()
        var goes: [Bool] = []
        goes.reserveCapacity(plan.changes.count)
        var planned: Set<String> = []
        var unconfirmed: [Change] = []
        do {
            try store.transaction { () throws(CredsyncError) in
                for change in plan.changes { goes.append(try choose(change, now: now, planned: &planned)) }
                for (key, located) in queued.sorted(by: { $0.key < $1.key })
                where located.state == .deferred && !planned.contains(key) {
                    let isCreate = located.entry.op == .upsert && located.entry.reason == "new"
                    if isCreate || located.entry.reason == "unconfirmed" {
                        unconfirmed.append(Change(key: key, op: .withdraw, reason: "unconfirmed"))
                    } else {
                        try spool.remove(located.entry, from: .deferred)
                    }
                }
            }
        } catch {
            // Nothing of the queue changed: the changes go as planned, the queue is left as it was.
            pendingError = pendingError ?? error
            goes = Array(repeating: true, count: plan.changes.count)
            unconfirmed = []
        }
        return (goes, unconfirmed)
    }

    /// Records, in one transaction, a deferred queue entry (no payload) for each create of the
    /// batches about to be sent that has none; the answer's transaction then removes it or makes it
    /// the retry entry. False when it could not be recorded: nothing more is sent.
    private mutating func markSent(_ batches: [(Batch, BatchFeed.Carried)]) -> Bool {
        var marked: [Spool.Located] = []
        do {
            try store.transaction { () throws(CredsyncError) in
                for (batch, changes) in batches { marked += try writeMarks(changes, batchID: batch.id) }
            }
        } catch {
            commitFailure = commitFailure ?? markFailure(error, batchID: batches.first?.0.id ?? "")
            return false
        }
        noteMarks(marked)
        return true
    }

    /// The marks of one batch's creates, written inside the caller's transaction.
    private func writeMarks(_ changes: BatchFeed.Carried, batchID: String) throws(CredsyncError) -> [Spool.Located] {
        let now = Timestamp.now()
        var marked: [Spool.Located] = []
        for (_, change) in changes.values.sorted(by: { $0.index < $1.index })
        where change.op == .create && queued[change.key] == nil {
            let entry = SpoolEntry(
                id: Spool.newID(now: now), platform: plan.platform, dataset: plan.dataset, key: change.key,
                op: .upsert, reason: change.reason, payload: nil, hash: change.hash, batchID: batchID, attempts: 0,
                firstAttempt: now, lastAttempt: now, nextAttempt: now, errors: [])
            try spool.write(entry, to: .deferred)
            marked.append(Spool.Located(entry: entry, state: .deferred))
        }
        return marked
    }

    private mutating func noteMarks(_ marked: [Spool.Located]) {
        for located in marked {
            queued[located.entry.key] = located
            sentMarks.insert(located.entry.key)
        }
    }

    private func markFailure(_ error: CredsyncError, batchID: String) -> CredsyncError {
        CredsyncError(
            error.exitCode,
            "\(plan.platform.rawValue)/\(plan.dataset.rawValue): batch \(batchID) was not sent: its creates "
                + "could not be recorded first: " + error.message, hint: error.hint)
    }

    /// Keys whose queue entry only marks a create in flight (not a retry).
    private var sentMarks: Set<String> = []

    /// Whether `change` goes now; `planned` collects the queued keys the plan asks for.
    private mutating func choose(_ change: Change, now: Double, planned: inout Set<String>) throws(CredsyncError) -> Bool {
        let marker = change.op == .withdraw ? "withdraw" : (change.hash ?? "")
        if rejected.hashes[change.key] == marker {
            outcome.rejectedBefore += 1
            return false
        }
        guard let located = queued[change.key] else { return true }
        planned.insert(change.key)
        var entry = supersede(located.entry, with: change)
        let changed = entry != located.entry
        switch located.state {
        case .hold:
            if changed { try spool.write(entry, to: .hold) }
            outcome.held += 1
            return false
        case .dead where located.entry.hash == entry.hash && located.entry.op == entry.op:
            outcome.dead += 1
            return false
        case .deferred where located.entry.nextAttempt > now:
            entry.nextAttempt = located.entry.nextAttempt
            if changed { try spool.write(entry, to: .deferred) }
            outcome.queued += 1
            return false
        default:
            return true
        }
    }

    private var pendingError: CredsyncError?
    /// Why an answer could not be committed; the run ends with it (exit 74).
    private(set) var commitFailure: CredsyncError?
    /// The first 401 or 403 answer of this dataset's pushes.
    private(set) var authenticationFailure: ExchangeFailure?

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

    /// Applies one answer: the audit line first (it is evidence of what was sent, kept whatever
    /// follows), then every record's ledger row, rejection, accepted payload and queue change in one
    /// transaction. A failed commit rolls it all back and stops the push.
    private mutating func apply(
        _ answer: BatchResult, of batch: Batch, changes: BatchFeed.Carried, marking next: (Batch, BatchFeed.Carried)?,
        result: inout PlatformRun.Result
    ) {
        run.audit.append(Self.auditEvent(answer, of: batch, platform: plan.platform))
        if let failure = answer.authenticationFailure, authenticationFailure == nil {
            authenticationFailure = failure
            result.authenticationFailures.append(AuthenticationFailure(platform: plan.platform, dataset: plan.dataset, failure: failure))
            run.logger.error("\(plan.platform.rawValue) refused the credentials", [("dataset", plan.dataset.rawValue), ("error", failure.description)])
        }
        run.progress.add(batch.records.count)
        result.requests += answer.requests
        result.rateLimited += answer.rateLimited
        guard commitFailure == nil else { return }
        let now = Timestamp.now()
        let batchID = answer.batchIDs.last ?? batch.id
        var marked: [Spool.Located] = []
        do {
            try store.transaction { () throws(CredsyncError) in
                for (key, recordOutcome) in answer.outcomes {
                    guard let (index, change) = changes[key] else { continue }
                    try apply(
                        recordOutcome, of: change, batchID: batchID, attempted: batch.id, now: now, result: &result)
                    if index >= 0, Self.reachesGoal(recordOutcome, of: change) { reached[index] = true }
                }
                if let (batch, changes) = next { marked = try writeMarks(changes, batchID: batch.id) }
            }
            noteMarks(marked)
        } catch {
            // The store's error keeps its exit code (74 for a full disk or an I/O error) and its hint.
            let failure = CredsyncError(
                error.exitCode,
                "\(plan.platform.rawValue)/\(plan.dataset.rawValue): the answer to batch \(batchID) could not be "
                    + "recorded, nothing of it was (the audit log holds it; the next run sends those records again): "
                    + error.message,
                hint: error.hint)
            commitFailure = failure
            run.logger.error(
                failure.message, [("platform", plan.platform.rawValue), ("dataset", plan.dataset.rawValue)])
        }
    }

    /// One record's outcome, inside the answer's transaction.
    private mutating func apply(
        _ recordOutcome: RecordOutcome, of change: Change, batchID: String, attempted: String, now: Double,
        result: inout PlatformRun.Result
    ) throws(CredsyncError) {
        let key = change.key
        let located = queued[key]
        switch recordOutcome {
        case .accepted(let version):
            try setLedger(change, version: version, batchID: batchID, now: now)
            switch change.op {
            case .create: outcome.created += 1
            case .update: outcome.updated += 1
            case .withdraw: outcome.withdrawn += 1
            }
            try done(located)
        case .unchanged:
            try setLedger(change, version: nil, batchID: batchID, now: now)
            outcome.unchanged += 1
            try done(located)
        case .rejected(let errors) where change.op == .withdraw && errors.contains(where: { $0.code == "E_NOT_FOUND" }):
            // The platform no longer holds it: the withdrawal's goal is met.
            try store.markWithdrawn(key: key, platform: plan.platform, dataset: plan.dataset)
            outcome.withdrawn += 1
            try done(located)
        case .rejected(let errors):
            outcome.rejected.append((key, errors))
            let reasons = errors.map(\.description).joined(separator: "; ")
            try rejected.record(
                key, marker: change.op == .withdraw ? "withdraw" : (change.hash ?? ""), reason: reasons, at: Int(now),
                in: store, plan.platform, plan.dataset)
            run.logger.warning("rejected by \(plan.platform.rawValue)", [("dataset", plan.dataset.rawValue), ("key", key),
                ("errors", reasons)])
            try done(located)
        case .transient(let message):
            transientFailures += 1
            try queue(change, located: located, batchID: attempted, failure: SpoolError(at: now, errorClass: .transient, status: nil, code: nil, message: message), permanent: false)
        case .permanent(let message):
            try queue(change, located: located, batchID: attempted, failure: SpoolError(at: now, errorClass: .permanent, status: nil, code: nil, message: message), permanent: true)
            if !result.problems.contains(message) { result.problems.append(message) }
        }
    }

    /// Whether the platform now holds what `change` asked for: delivered, or a withdrawal of what
    /// it no longer holds.
    static func reachesGoal(_ outcome: RecordOutcome, of change: Change) -> Bool {
        if outcome.isDelivered { return true }
        guard case .rejected(let errors) = outcome, change.op == .withdraw else { return false }
        return errors.contains { $0.code == "E_NOT_FOUND" }
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

    /// The ledger row of an accepted (or unchanged) change, its accepted payload, and no rejection.
    /// `version` nil keeps the row's (the platform answered unchanged).
    private mutating func setLedger(
        _ change: Change, version: Int?, batchID: String, now: Double
    ) throws(CredsyncError) {
        try store.recordAnswer(
            key: change.key, status: change.op == .withdraw ? .withdrawn : .published, version: version,
            hash: change.hash, batch: batchID, at: Int(now), platform: plan.platform, dataset: plan.dataset)
        try rejected.forget(change.key, in: store, plan.platform, plan.dataset)
        if let payload = change.payload {
            try SentPayloads.replace(
                payload, key: change.key, in: store, platform: plan.platform, dataset: plan.dataset, at: Int(now))
        }
        delivered += 1
    }

    private mutating func done(_ located: Spool.Located?) throws(CredsyncError) {
        guard let located else { return }
        let wasMark = sentMarks.remove(located.entry.key) != nil
        if located.state == .deferred && !wasMark { deliveredFromQueue += 1 }
        try spool.remove(located.entry, from: located.state)
        // Done with: a first load's marks would otherwise pile up here, one a create.
        queued[located.entry.key] = nil
    }

    private mutating func queue(
        _ change: Change, located: Spool.Located?, batchID: String, failure: SpoolError, permanent: Bool
    ) throws(CredsyncError) {
        var entry = supersede(located?.entry, with: change)
        queued[change.key] = nil
        sentMarks.remove(change.key)
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
        try spool.write(entry, to: target)
        if let previousState = located?.state, previousState != target { try spool.remove(entry, from: previousState) }
    }
}
