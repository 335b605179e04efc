import CredsyncCore
import CredsyncReconciliation
import CredsyncProtocol

/// A plan's changes that go now, cut into batches as they are asked for: each batch with the
/// changes it carries by key (their payloads are needed again when the answer is recorded) with
/// their places in the plan.
struct BatchFeed {
    typealias Carried = [String: (index: Int, change: Change)]

    var changes: ChangeList.Iterator
    /// Whether each change, in plan order, goes now.
    let goes: [Bool]
    /// Changes sent after the plan's (withdrawals of unconfirmed creates); their index is -1.
    var extra: [Change]
    let dataset: Dataset
    let source: String
    let maxRecords: Int
    private var index = 0
    private var ready: [(Batch, Carried)] = []

    init(
        changes: ChangeList.Iterator, goes: [Bool], extra: [Change] = [], dataset: Dataset, source: String,
        maxRecords: Int
    ) {
        self.changes = changes
        self.goes = goes
        self.extra = extra
        self.dataset = dataset
        self.source = source
        self.maxRecords = max(1, min(maxRecords, Batch.maxRecords))
    }

    /// The next batch, or nil when every change that goes was handed out.
    mutating func next() -> (Batch, Carried)? {
        if ready.isEmpty { fill() }
        return ready.isEmpty ? nil : ready.removeFirst()
    }

    /// An upsert carrying the change's canonical payload bytes, not parsed.
    static func upsert(_ change: Change) -> OutgoingRecord {
        var record = OutgoingRecord(key: change.key, op: .upsert, hash: change.hash)
        record.canonicalPayload = change.payloadJSON
        return record
    }

    /// Reads up to a batch of changes that go and cuts them (by records and bytes).
    private mutating func fill() {
        var records: [OutgoingRecord] = []
        var byKey: Carried = [:]
        func add(_ change: Change, index: Int) {
            records.append(
                change.op == .withdraw
                    ? .withdraw(key: change.key, reason: change.withdrawalReason)
                    : Self.upsert(change))
            if byKey[change.key] == nil { byKey[change.key] = (index, change) }
        }
        while records.count < maxRecords, let change = changes.next() {
            defer { index += 1 }
            guard index < goes.count, goes[index] else { continue }
            add(change, index: index)
        }
        while records.count < maxRecords, !extra.isEmpty { add(extra.removeFirst(), index: -1) }
        for batch in Batch.split(records, dataset: dataset, source: source, maxRecords: maxRecords) {
            let carried = Dictionary(
                batch.records.compactMap { record in byKey[record.key].map { (record.key, $0) } },
                uniquingKeysWith: { first, _ in first })
            ready.append((batch, carried))
        }
    }
}
