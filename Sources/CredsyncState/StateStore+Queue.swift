public import CredsyncCore

/// Where a queue entry stands.
public enum QueueState: String, Sendable, CaseIterable {
    /// Waiting for its next attempt.
    case deferred
    /// Kept until an operator releases it.
    case hold
    /// Given up.
    case dead
}

/// One failed attempt of a queue entry (table `queue_error`). Never holds a secret.
package struct QueueFailure: Sendable, Equatable {
    /// Unix seconds.
    package var at: Double
    package var failureClass: FailureClass
    /// The HTTP status, when there was an answer.
    package var status: Int?
    /// The platform's error code, when it gave one.
    package var code: String?
    /// What went wrong, 证件号码 masked.
    package var message: String

    package init(at: Double, failureClass: FailureClass, status: Int?, code: String?, message: String) {
        self.at = at
        self.failureClass = failureClass
        self.status = status
        self.code = code
        self.message = message
    }
}

/// A change waiting to reach a platform (table `queue`), without its payload and error history:
/// listing a large queue reads neither.
package struct QueueRow: Sendable, Equatable {
    package var id: String
    package var platform: PlatformID
    package var dataset: Dataset
    package var key: String
    package var op: RecordOperation.Kind
    /// Why it was planned: `new`, `changed`, `expired`, …
    package var reason: String
    package var state: QueueState
    package var hash: String?
    /// The batch it last went in.
    package var batch: String?
    package var attempts: Int
    /// Unix seconds.
    package var firstAttempt: Double
    package var lastAttempt: Double
    package var nextAttempt: Double
    /// The latest failure; filled by reads, ignored by `putQueueEntry`.
    package var lastError: QueueFailure?

    package init(
        id: String, platform: PlatformID, dataset: Dataset, key: String, op: RecordOperation.Kind, reason: String,
        state: QueueState, hash: String?, batch: String?, attempts: Int, firstAttempt: Double, lastAttempt: Double,
        nextAttempt: Double, lastError: QueueFailure? = nil
    ) {
        self.id = id
        self.platform = platform
        self.dataset = dataset
        self.key = key
        self.op = op
        self.reason = reason
        self.state = state
        self.hash = hash
        self.batch = batch
        self.attempts = attempts
        self.firstAttempt = firstAttempt
        self.lastAttempt = lastAttempt
        self.nextAttempt = nextAttempt
        self.lastError = lastError
    }
}

/// Which queue entries a listing wants; nil matches everything.
package struct QueueSelection: Sendable {
    package var platform: PlatformID?
    package var dataset: Dataset?
    package var state: QueueState?
    /// Only entries first queued before this (Unix seconds).
    package var firstQueuedBefore: Double?
    /// Only entries whose next attempt is at or before this (Unix seconds).
    package var dueBy: Double?

    package init(
        platform: PlatformID? = nil, dataset: Dataset? = nil, state: QueueState? = nil,
        firstQueuedBefore: Double? = nil, dueBy: Double? = nil
    ) {
        self.platform = platform
        self.dataset = dataset
        self.state = state
        self.firstQueuedBefore = firstQueuedBefore
        self.dueBy = dueBy
    }
}

extension StateStore {
    /// Writes an entry whole: its row, its payload (canonical JSON; nil for a withdrawal) and its
    /// error history, replacing what the id held.
    package func putQueueEntry(_ entry: QueueRow, payload: String?, errors: [QueueFailure]) throws(CredsyncError) {
        try transaction { () throws(CredsyncError) in
            try database.execute("DELETE FROM queue WHERE id = ?", [.text(entry.id)])
            try database.execute(
                """
                INSERT INTO queue (id, platform, dataset, key, op, reason, state, payload, hash, batch, attempts,
                    first_attempt, last_attempt, next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(entry.id), .text(entry.platform.rawValue), .text(entry.dataset.rawValue), .text(entry.key),
                    .text(entry.op.rawValue), .text(entry.reason), .text(entry.state.rawValue), .optional(payload),
                    .optional(entry.hash), .optional(entry.batch), .int(entry.attempts), .real(entry.firstAttempt),
                    .real(entry.lastAttempt), .real(entry.nextAttempt),
                ])
            for (seq, failure) in errors.enumerated() { try insert(failure, queueID: entry.id, seq: seq + 1) }
        }
    }

    /// Inserts rows with new ids, without payloads or error histories, inside the caller's
    /// transaction (or each on its own): an id already held fails the whole call.
    package func insertQueueRows(_ rows: [QueueRow]) throws(CredsyncError) {
        for entry in rows {
            try database.execute(
                """
                INSERT INTO queue (id, platform, dataset, key, op, reason, state, payload, hash, batch, attempts,
                    first_attempt, last_attempt, next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(entry.id), .text(entry.platform.rawValue), .text(entry.dataset.rawValue), .text(entry.key),
                    .text(entry.op.rawValue), .text(entry.reason), .text(entry.state.rawValue),
                    .optional(entry.hash), .optional(entry.batch), .int(entry.attempts), .real(entry.firstAttempt),
                    .real(entry.lastAttempt), .real(entry.nextAttempt),
                ])
        }
    }

    /// Adds a failed attempt to an entry's history.
    package func appendQueueError(id: String, _ failure: QueueFailure) throws(CredsyncError) {
        let last = try database.integer("SELECT max(seq) FROM queue_error WHERE queue_id = ?", [.text(id)]) ?? 0
        try insert(failure, queueID: id, seq: last + 1)
    }

    func insert(_ failure: QueueFailure, queueID: String, seq: Int) throws(CredsyncError) {
        try database.execute(
            "INSERT INTO queue_error (queue_id, seq, at, class, status, code, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .text(queueID), .int(seq), .real(failure.at), .text(failure.failureClass.rawValue),
                .optional(failure.status), .optional(failure.code), .text(PersonalData.mask(failure.message)),
            ])
    }

    /// Moves an entry to another state (hold, release, retry, give up), due at `nextAttempt`.
    /// Returns false when no entry has the id.
    @discardableResult
    /// With `from`, only an entry in that state moves.
    package func moveQueueEntry(
        id: String, from: QueueState? = nil, to state: QueueState, nextAttempt: Double
    ) throws(CredsyncError) -> Bool {
        try database.executeCounting(
            "UPDATE queue SET state = ?, next_attempt = ? WHERE id = ? AND (?4 IS NULL OR state = ?4)",
            [.text(state.rawValue), .real(nextAttempt), .text(id), .optional(from?.rawValue)]) > 0
    }

    /// Deletes an entry and its error history. Returns false when no entry has the id.
    /// With `from`, only an entry in that state is deleted.
    @discardableResult
    package func removeQueueEntry(id: String, from: QueueState? = nil) throws(CredsyncError) -> Bool {
        try database.executeCounting(
            "DELETE FROM queue WHERE id = ? AND (?2 IS NULL OR state = ?2)", [.text(id), .optional(from?.rawValue)]) > 0
    }

    static let queueSelect = """
        SELECT q.id, q.platform, q.dataset, q.key, q.op, q.reason, q.state, q.hash, q.batch, q.attempts,
            q.first_attempt, q.last_attempt, q.next_attempt, e.at, e.class, e.status, e.code, e.message
        FROM queue q LEFT JOIN queue_error e
            ON e.queue_id = q.id AND e.seq = (SELECT max(seq) FROM queue_error WHERE queue_id = q.id)
        """

    /// One entry, without its payload, with its latest error.
    package func queueEntry(id: String) throws(CredsyncError) -> QueueRow? {
        var found: QueueRow?
        try database.query(Self.queueSelect + " WHERE q.id = ?", [.text(id)]) { row throws(CredsyncError) in
            found = try queueRow(row)
        }
        return found
    }

    /// Calls `body` with each selected entry in (platform, dataset, key, id) order, one at a time,
    /// without payloads: 100,000 entries list in a fraction of a second.
    package func forEachQueueEntry(
        _ selection: QueueSelection = QueueSelection(), _ body: (QueueRow) throws(CredsyncError) -> Void
    ) throws(CredsyncError) {
        try database.query(
            Self.queueSelect + Self.selectionFilter + " ORDER BY q.platform, q.dataset, q.key, q.id",
            Self.values(of: selection)
        ) { row throws(CredsyncError) in try body(try queueRow(row)) }
    }

    /// The WHERE clause of a `QueueSelection`, bound by `values(of:)`.
    static let selectionFilter = """
         WHERE (?1 IS NULL OR q.platform = ?1) AND (?2 IS NULL OR q.dataset = ?2)
            AND (?3 IS NULL OR q.state = ?3) AND (?4 IS NULL OR q.first_attempt < ?4)
            AND (?5 IS NULL OR q.next_attempt <= ?5)
        """

    static func values(of selection: QueueSelection) -> [SQLValue] {
        [
            .optional(selection.platform?.rawValue), .optional(selection.dataset?.rawValue),
            .optional(selection.state?.rawValue), selection.firstQueuedBefore.map { .real($0) } ?? .null,
            selection.dueBy.map { .real($0) } ?? .null,
        ]
    }

    /// An entry's payload as stored (nil for a withdrawal or an unknown id).
    package func queuePayload(id: String) throws(CredsyncError) -> String? {
        var payload: String?
        try database.query("SELECT payload FROM queue WHERE id = ?", [.text(id)]) { row in payload = row.optionalText(0)
        }
        return payload
    }

    /// An entry's whole error history, oldest first.
    package func queueErrors(id: String) throws(CredsyncError) -> [QueueFailure] {
        var failures: [QueueFailure] = []
        try database.query(
            "SELECT at, class, status, code, message FROM queue_error WHERE queue_id = ? ORDER BY seq", [.text(id)]
        ) { row throws(CredsyncError) in
            guard let failure = try queueFailure(row, from: 0, id: id) else { return }
            failures.append(failure)
        }
        return failures
    }

    /// How many entries each (platform, dataset, state) holds.
    package func queueCounts() throws(CredsyncError) -> [(PlatformID, Dataset, QueueState, Int)] {
        var counts: [(PlatformID, Dataset, QueueState, Int)] = []
        try database.query(
            "SELECT platform, dataset, state, count(*) FROM queue GROUP BY platform, dataset, state ORDER BY 1, 2, 3"
        ) { row throws(CredsyncError) in
            guard let platform = PlatformID(rawValue: row.text(0)), let dataset = Dataset(rawValue: row.text(1)),
                let state = QueueState(rawValue: row.text(2))
            else {
                throw damagedValue(table: "queue", key: "-", column: "platform, dataset or state", value: row.text(0))
            }
            counts.append((platform, dataset, state, row.integer(3)))
        }
        return counts
    }

    func queueRow(_ row: Row) throws(CredsyncError) -> QueueRow {
        let id = row.text(0)
        guard let platform = PlatformID(rawValue: row.text(1)) else {
            throw damagedValue(table: "queue", key: id, column: "platform", value: row.text(1))
        }
        guard let dataset = Dataset(rawValue: row.text(2)) else {
            throw damagedValue(table: "queue", key: id, column: "dataset", value: row.text(2))
        }
        guard let op = RecordOperation.Kind(rawValue: row.text(4)) else {
            throw damagedValue(table: "queue", key: id, column: "op", value: row.text(4))
        }
        guard let state = QueueState(rawValue: row.text(6)) else {
            throw damagedValue(table: "queue", key: id, column: "state", value: row.text(6))
        }
        return QueueRow(
            id: id, platform: platform, dataset: dataset, key: row.text(3), op: op, reason: row.text(5), state: state,
            hash: row.optionalText(7), batch: row.optionalText(8), attempts: row.integer(9),
            firstAttempt: row.real(10), lastAttempt: row.real(11), nextAttempt: row.real(12),
            lastError: try queueFailure(row, from: 13, id: id))
    }

    /// The failure in columns `from`…`from + 4` (at, class, status, code, message), nil when NULL.
    func queueFailure(_ row: Row, from first: Int32, id: String) throws(CredsyncError) -> QueueFailure? {
        guard !row.isNull(first) else { return nil }
        guard let failureClass = FailureClass(rawValue: row.text(first + 1)) else {
            throw damagedValue(table: "queue_error", key: id, column: "class", value: row.text(first + 1))
        }
        return QueueFailure(
            at: row.real(first), failureClass: failureClass, status: row.optionalInteger(first + 2),
            code: row.optionalText(first + 3), message: row.text(first + 4))
    }
}
