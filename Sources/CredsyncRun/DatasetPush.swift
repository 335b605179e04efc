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
                apply(
                    answer, of: batch, changes: inFlight.removeValue(forKey: batch.id) ?? [:], marking: next,
                    result: &result)
                answered += 1
                if answered % 50 == 0 { FreedMemory.release() }
                if let (batch, changes) = next, commitFailure == nil { start(batch, changes) }
            }
        }
        outcome.pendingDeadlines =
            zip(plan.changes, reached).compactMap { change, done in done ? nil : change.deadline }
            + plan.awaitingReceipt
        do { try plan.changes.check() } catch { pendingError = pendingError ?? error }
        if let error = commitFailure ?? pendingError { result.stateError = error }
    }

    /// Which of the plan's changes go now, by their queue entries: a held or dead entry waits for
    /// an operator, a deferred one for its time. Their queue changes, and the removal of deferred
    /// entries no plan asks for any more (the desired state changed), are made in one transaction.
    /// A deferred create no plan asks for may have been applied (its answer lost): it is withdrawn
    /// (`unconfirmed`) rather than forgotten; the platform answers E_NOT_FOUND if it never was.
    mutating func choose() -> (goes: [Bool], unconfirmed: [Change]) {
        let now = Timestamp.now()
        var goes: [Bool] = []
        goes.reserveCapacity(plan.changes.count)
        var planned: Set<String> = []
        var unconfirmed: [Change] = []
        let counted = outcome
        do {
            try store.transaction { () throws(CredsyncError) in
                for change in plan.changes { goes.append(try choose(change, now: now, planned: &planned)) }
                for (key, located) in queued.sorted(by: { $0.key < $1.key })
                where located.state == .deferred && !planned.contains(key) {
                    switch PushLifecycle.unplanned(op: located.entry.op, reason: located.entry.reason) {
                    case .withdrawUnconfirmed:
                        unconfirmed.append(Change(key: key, op: .withdraw, reason: .unconfirmed))
                    case .forget:
                        try spool.remove(located.entry, from: .deferred)
                    }
                }
            }
        } catch {
            // Nothing of the queue changed, and what it holds (an operator's hold, a dead entry) could
            // not be read whole: nothing is sent, the run ends with the store's error.
            pendingError = pendingError ?? error
            outcome = counted
            goes = Array(repeating: false, count: plan.changes.count)
            unconfirmed = []
        }
        return (goes, unconfirmed)
    }

    /// Records, in one transaction, a deferred queue entry (no payload) for each create of the
    /// batches about to be sent that has none; the answer's transaction then removes it or makes it
    /// the retry entry. False when it could not be recorded: nothing more is sent.
    private mutating func markSent(_ batches: [(Batch, BatchFeed.Carried)]) -> Bool {
        var marked: [Spool.Located] = []
        let made = batches.map { marks($0.1, batchID: $0.0.id) }
        do {
            try store.transaction { () throws(CredsyncError) in
                for entries in made { marked += try writeMarks(entries) }
            }
        } catch {
            commitFailure = commitFailure ?? markFailure(error, batchID: batches.first?.0.id ?? "")
            return false
        }
        noteMarks(marked)
        return true
    }

    /// The marks of one batch's creates, written inside the caller's transaction.
    /// The marks of one batch's creates, made before the transaction that writes them (so the
    /// store's lock is held for SQL only).
    private func marks(_ changes: BatchFeed.Carried, batchID: String) -> [SpoolEntry] {
        let now = Timestamp.now()
        let creates = changes.values.sorted(by: { $0.index < $1.index }).map(\.change)
            .filter { $0.op == .create && queued[$0.key] == nil }
        let ids = Spool.newIDs(creates.count, now: now)
        return zip(ids, creates).map { id, change in
            SpoolEntry(
                id: id, platform: plan.platform, dataset: plan.dataset, key: change.key,
                op: .upsert, reason: change.reason, payload: nil, hash: change.hash, batchID: batchID, attempts: 0,
                firstAttempt: now, lastAttempt: now, nextAttempt: now, errors: [])
        }
    }

    /// Writes `entries` (from `marks`) inside the caller's transaction.
    private func writeMarks(_ entries: [SpoolEntry]) throws(CredsyncError) -> [Spool.Located] {
        try spool.insertNew(entries, into: .deferred)
        return entries.map { Spool.Located(entry: $0, state: .deferred) }
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
            "\(PublishTarget(plan.platform, plan.dataset)): batch \(batchID) was not sent: its creates "
                + "could not be recorded first: " + error.message, hint: error.hint)
    }

    /// Keys whose queue entry only marks a create in flight (not a retry).
    private var sentMarks: Set<String> = []

    /// Whether `change` goes now (`PushLifecycle.decide`); `planned` collects the queued keys the
    /// plan asks for. An entry left waiting takes the newest plan.
    private mutating func choose(_ change: Change, now: Double, planned: inout Set<String>) throws(CredsyncError)
        -> Bool
    {
        let located = queued[change.key]
        // A key whose batch on the 前置机 is unanswered gets no next change until the answer is applied.
        if awaitingAnswer.contains(change.key) {
            if located != nil { planned.insert(change.key) }
            outcome.behindUnanswered += 1
            return false
        }
        let decision = PushLifecycle.decide(
            Self.planned(change), queued: located.flatMap(Self.queued), rejectedMarker: rejected.hashes[change.key],
            now: now)
        // A change skipped as rejected does not claim its key's entry: the sweep deals with it.
        if located != nil, decision != .skipRejected { planned.insert(change.key) }
        if let located, decision.keepsNewestPlan {
            let entry = supersede(located.entry, with: change)
            if entry != located.entry { try spool.write(entry, to: located.state) }
        }
        switch decision {
        case .send: return true
        case .skipRejected: outcome.rejectedBefore += 1
        case .skipHeld: outcome.held += 1
        case .skipDead: outcome.dead += 1
        case .waitBackoff: outcome.queued += 1
        }
        return false
    }

    static func planned(_ change: Change) -> PushLifecycle.Planned {
        PushLifecycle.Planned(op: change.op, hash: change.hash)
    }

    static func queued(_ located: Spool.Located) -> PushLifecycle.Queued? {
        located.state.queueState.map {
            PushLifecycle.Queued(
                state: $0, op: located.entry.op, hash: located.entry.hash, nextAttempt: located.entry.nextAttempt)
        }
    }

    /// Keys in a batch sent through the 前置机 whose answer has not been applied (file channel only).
    var awaitingAnswer: Set<String> = []
    var pendingError: CredsyncError?
    /// Why an answer could not be committed; the run ends with it (exit 74).
    var commitFailure: CredsyncError?
    /// The first 401 or 403 answer of this dataset's pushes.
    private(set) var authenticationFailure: ExchangeFailure?

    /// The queue entry for `change`, carrying the newest plan (a stale version is never sent later).
    func supersede(_ entry: SpoolEntry?, with change: Change) -> SpoolEntry {
        let now = Timestamp.now()
        var updated =
            entry
            ?? SpoolEntry(
                id: Spool.newID(now: now), platform: plan.platform, dataset: plan.dataset, key: change.key, op: .upsert,
                reason: .unknown(""), payload: nil, hash: nil, batchID: nil, attempts: 0, firstAttempt: now,
                lastAttempt: now,
                nextAttempt: now, errors: [])
        updated.op = change.op.kind
        updated.reason = change.reason
        updated.payload = change.payload
        updated.hash = change.hash
        return updated
    }

    /// Applies one answer: the audit line first (it is evidence of what was sent, kept whatever
    /// follows), then every record's ledger row, rejection, accepted payload and queue change in one
    /// transaction. A failed commit rolls it all back and stops the push.
    mutating func apply(
        _ answer: BatchResult, of batch: Batch, changes: BatchFeed.Carried, marking next: (Batch, BatchFeed.Carried)?,
        kept keptPayloads: [String: String]? = nil, alsoRecording also: (() throws(CredsyncError) -> Void)? = nil,
        result: inout PlatformRun.Result
    ) {
        run.audit.append(Self.auditEvent(answer, of: batch, platform: plan.platform))
        if let failure = answer.authenticationFailure, authenticationFailure == nil {
            authenticationFailure = failure
            result.authenticationFailures.append(
                AuthenticationFailure(platform: plan.platform, dataset: plan.dataset, failure: failure))
            run.logger.error(
                "\(plan.platform.rawValue) refused the credentials",
                [("dataset", plan.dataset.rawValue), ("error", failure.description)])
        }
        run.progress.add(batch.records.count)
        result.requests += answer.requests
        result.rateLimited += answer.rateLimited
        guard commitFailure == nil else { return }
        if !answer.pendingReceipts.isEmpty, run.platform.publication == .synchronous {
            // The platform publishes later than it accepts: its receipts are not read, so say so.
            let message =
                "\(plan.platform.rawValue) answered that records await receipts, but its publication is "
                + "synchronous here: set \"publication\": \"receipts\" for it, or its deadlines count as met early"
            if !result.problems.contains(message) {
                result.problems.append(message)
                run.logger.warning(message, [("dataset", plan.dataset.rawValue)])
            }
        }
        let now = Timestamp.now()
        let batchID = answer.batchIDs.last ?? batch.id
        var marked: [Spool.Located] = []
        // The accepted payloads as kept and the next batch's marks, made before the store's lock is taken.
        let nextMarks = next.map { marks($0.1, batchID: $0.0.id) }
        var kept: [String: String] = keptPayloads ?? [:]
        for (key, recordOutcome) in answer.outcomes where recordOutcome.isDelivered && keptPayloads == nil {
            if let canonical = changes[key]?.change.payloadJSON { kept[key] = SentPayloads.kept(canonical: canonical) }
        }
        do {
            try store.transaction { () throws(CredsyncError) in
                for (key, recordOutcome) in answer.outcomes {
                    guard let (index, change) = changes[key] else { continue }
                    let reachesGoal = try apply(
                        recordOutcome, of: change, kept: kept[key], batchID: batchID, attempted: batch.id, now: now,
                        result: &result)
                    // On a receipts platform an accepted version is pending: its deadline still runs.
                    guard case .accepted(let version) = recordOutcome, run.platform.publication == .receipts else {
                        if index >= 0, reachesGoal { reached[index] = true }
                        continue
                    }
                    try store.recordAccepted(
                        AcceptedVersion(
                            key: key, version: version, op: change.op.kind, hash: change.hash, batch: batchID,
                            requestID: answer.requestIDs.last ?? "", acceptedAt: now),
                        platform: plan.platform, dataset: plan.dataset)
                }
                if let nextMarks { marked = try writeMarks(nextMarks) }
                try also?()
            }
            noteMarks(marked)
        } catch {
            // The store's error keeps its exit code (74 for a full disk or an I/O error) and its hint.
            let failure = CredsyncError(
                error.exitCode,
                "\(PublishTarget(plan.platform, plan.dataset)): the answer to batch \(batchID) could not be "
                    + "recorded, nothing of it was (the audit log holds it; the next run sends those records again): "
                    + error.message,
                hint: error.hint)
            commitFailure = failure
            run.logger.error(
                failure.message, [("platform", plan.platform.rawValue), ("dataset", plan.dataset.rawValue)])
        }
    }

    /// One record's outcome, inside the answer's transaction: what `PushLifecycle.effect` says it
    /// does. Returns whether the platform now holds what the change asked for.
    private mutating func apply(
        _ recordOutcome: RecordOutcome, of change: Change, kept: String?, batchID: String, attempted: String,
        now: Double, result: inout PlatformRun.Result
    ) throws(CredsyncError) -> Bool {
        let key = change.key
        let located = queued[key]
        let history = located.map {
            PushLifecycle.History(attempts: $0.entry.attempts, firstAttempt: $0.entry.firstAttempt)
        }
        let answer = Self.answer(recordOutcome)
        let effect = PushLifecycle.effect(
            of: answer, to: Self.planned(change), history: history, at: now, retry: run.config.retry)
        switch effect.ledger {
        case .delivered(let status, let version)?:
            try setLedger(change, kept: kept, status: status, version: version, batchID: batchID, now: now)
        case .markedWithdrawn?:
            try store.markWithdrawn(key: key, platform: plan.platform, dataset: plan.dataset)
        case nil: break
        }
        if effect.rejection == .forget { try rejected.forget(key, in: store, plan.platform, plan.dataset) }
        if case .record(let marker)? = effect.rejection, case .rejected(let errors) = recordOutcome {
            outcome.rejected.append((key, errors))
            let reasons = errors.map(\.description).joined(separator: "; ")
            try rejected.record(
                key, marker: marker, reason: reasons, at: Int(now), in: store, plan.platform, plan.dataset)
            run.logger.warning(
                "rejected by \(plan.platform.rawValue)",
                [
                    ("dataset", plan.dataset.rawValue), ("key", key),
                    ("errors", reasons),
                ])
        }
        switch effect.count {
        case .created: outcome.created += 1
        case .updated: outcome.updated += 1
        case .withdrawn: outcome.withdrawn += 1
        case .unchanged: outcome.unchanged += 1
        case .rejected: break
        case .queued: outcome.queued += 1
        case .held: outcome.held += 1
        case .dead: outcome.dead += 1
        }
        switch effect.queue {
        case .remove: try done(located)
        case .put(let state, let attempts):
            guard case .failed(let failureClass) = answer else { break }
            let message: String
            switch recordOutcome {
            case .transient(let text), .permanent(let text): message = text
            default: message = ""
            }
            if failureClass == .transient { transientFailures += 1 }
            let failure = SpoolError(at: now, errorClass: failureClass, status: nil, code: nil, message: message)
            try queue(change, located: located, batchID: attempted, failure: failure, state: state, attempts: attempts)
            if failureClass == .permanent, !result.problems.contains(message) { result.problems.append(message) }
        }
        return effect.reachesGoal
    }

    /// The lifecycle's view of a record's outcome.
    static func answer(_ outcome: RecordOutcome) -> PushLifecycle.Answer {
        switch outcome {
        case .accepted(let version): .accepted(version: version)
        case .unchanged: .unchanged
        case .rejected(let errors): .rejected(notFound: errors.contains { $0.code == "E_NOT_FOUND" })
        case .transient: .failed(.transient)
        case .permanent: .failed(.permanent)
        }
    }

    /// The audit line of a batch: ids, keys, hashes and outcomes, nothing personal.
    static func auditEvent(_ answer: BatchResult, of batch: Batch, platform: PlatformID) -> JSONObject {
        let hashes = Dictionary(batch.records.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let records: [JSONValue] = answer.outcomes.map { key, outcome in
            var item = JSONObject([
                JSONMember("key", .string(key)), JSONMember("op", .string(hashes[key]?.op.rawValue ?? "")),
            ])
            if let hash = hashes[key]?.hash { item["hash"] = .string(hash) }
            if let reason = hashes[key]?.reason { item["reason"] = .string(reason.rawValue) }
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
            JSONMember("event", "batch"), JSONMember("platform", .string(platform.rawValue)),
            JSONMember("dataset", .string(batch.dataset.rawValue)),
            JSONMember("batchIds", .array(answer.batchIDs.map { .string($0) })),
            JSONMember("requestIds", .array(answer.requestIDs.map { .string($0) })),
            JSONMember("requests", .number(String(answer.requests))), JSONMember("records", .array(records)),
        ])
    }

    /// The ledger row of an accepted (or unchanged) change and its accepted payload.
    /// `version` nil keeps the row's (the platform answered unchanged).
    private mutating func setLedger(
        _ change: Change, kept: String?, status: LedgerStatus, version: Int?, batchID: String, now: Double
    ) throws(CredsyncError) {
        try store.recordAnswer(
            key: change.key, status: status, version: version,
            hash: change.hash, batch: batchID, at: Int(now), platform: plan.platform, dataset: plan.dataset)
        if let kept {
            try SentPayloads.replace(
                kept: kept, key: change.key, in: store, platform: plan.platform, dataset: plan.dataset, at: Int(now))
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

    /// Puts `change`'s entry (made when there is none) in `state` with its failed attempt, as the
    /// lifecycle's effect says; a deferred entry is due after its backoff.
    private mutating func queue(
        _ change: Change, located: Spool.Located?, batchID: String, failure: SpoolError, state target: QueueState,
        attempts: Int
    ) throws(CredsyncError) {
        var entry = supersede(located?.entry, with: change)
        queued[change.key] = nil
        sentMarks.remove(change.key)
        entry.attempts = attempts
        entry.lastAttempt = failure.at
        entry.batchID = batchID
        entry.errors.append(failure)
        if entry.errors.count > 50 { entry.errors.removeFirst(entry.errors.count - 50) }
        if target == .deferred { entry.nextAttempt = run.nextAttempt(attempts: attempts - 1, now: failure.at) }
        let state = SpoolState(target)
        try spool.write(entry, to: state)
        if let previousState = located?.state, previousState != state { try spool.remove(entry, from: previousState) }
    }
}
