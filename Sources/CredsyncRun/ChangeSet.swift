public import CredsyncCore
public import CredsyncReconciliation
public import CredsyncState

/// One change as an approval sees it: the key, the operation, and the payload hash of an upsert or
/// the reason of a withdrawal. Never the payload.
public struct ChangeLine: Sendable, Hashable, Comparable {
    public var key: String
    public var op: RecordOperation
    public var detail: String

    public init(key: String, op: RecordOperation, detail: String) {
        self.key = key
        self.op = op
        self.detail = detail
    }

    /// The change's line.
    public init(_ change: Change) {
        self.init(
            key: change.key, op: change.op, detail: change.op == .withdraw ? change.reason.rawValue : change.hash ?? "")
    }

    /// `key|op|detail`: what the digest is taken of.
    public var text: String { key + "|" + op.rawValue + "|" + detail }

    public static func < (a: ChangeLine, b: ChangeLine) -> Bool { a.text.utf8.lexicographicallyPrecedes(b.text.utf8) }
}

/// A plan's exact change set, and its digest: the SHA-256 of its lines in byte order, each ended
/// by a newline. Two plans with the same changes have the same digest, whatever their order.
public struct ChangeSet: Sendable, Equatable {
    /// Sorted, each line once.
    public let lines: [ChangeLine]
    /// Lower-case hex.
    public let digest: String

    public init(_ lines: some Sequence<ChangeLine>) {
        self.lines = Set(lines).sorted()
        var bytes: [UInt8] = []
        for line in self.lines {
            bytes.append(contentsOf: line.text.utf8)
            bytes.append(0x0A)
        }
        digest = SHA256.hex(bytes)
    }

    /// The set of a plan's changes, read once in order (`changes` may be a lazily-read sequence).
    public init(of plan: DatasetPlan) {
        var lines: [ChangeLine] = []
        for change in plan.changes { lines.append(ChangeLine(change)) }
        self.init(lines)
    }

    /// The set saved with a refused plan; a line the store holds damaged throws (exit 74).
    package init(rows: [RefusedChangeRow], planID: String) throws(CredsyncError) {
        var lines: [ChangeLine] = []
        for row in rows {
            guard let op = RecordOperation(rawValue: row.op) else {
                throw CredsyncError(
                    .ioError, "refused_change of \(planID), key \(row.key): op \"\(row.op)\" is not an operation",
                    hint: "run 'credsync state check'; refuse the plan again by running it")
            }
            lines.append(ChangeLine(key: row.key, op: op, detail: row.detail))
        }
        self.init(lines)
    }

    public var count: Int { lines.count }

    /// The rows the store keeps of it.
    package var rows: [RefusedChangeRow] {
        lines.map { RefusedChangeRow(key: $0.key, op: $0.op.rawValue, detail: $0.detail) }
    }

    /// What `self` holds that `approved` lacks, and what `approved` holds that `self` lacks.
    public func difference(from approved: ChangeSet) -> (added: [ChangeLine], removed: [ChangeLine]) {
        let mine = Set(lines)
        let theirs = Set(approved.lines)
        return (lines.filter { !theirs.contains($0) }, approved.lines.filter { !mine.contains($0) })
    }

    /// Whether every line of `self` is in `approved`.
    public func isSubset(of approved: ChangeSet) -> Bool {
        digest == approved.digest || difference(from: approved).added.isEmpty
    }
}
