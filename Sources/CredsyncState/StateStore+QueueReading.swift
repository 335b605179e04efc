public import CredsyncCore

/// A part of a queue entry that a write either keeps as stored or replaces.
package enum QueuePart<Value: Sendable>: Sendable {
    case kept
    case replaced(Value)
}

/// A queue row that cannot be read back: the store was edited by hand (or written by another
/// credsync). It is listed by id, never sent, and can be dropped.
package struct UnreadableQueueRow: Sendable, Equatable {
    package var id: String
    /// nil when the platform column is what cannot be read.
    package var platform: PlatformID?
    /// What is wrong, naming the column and the value it holds.
    package var problem: String
    /// What can still be told (dataset, key, op, reason as stored), in that order. Never the payload.
    package var fields: [Field]

    package struct Field: Sendable, Equatable {
        package var name: String
        package var value: String
    }
}

/// One row of the queue table as a listing reads it.
package enum QueueReading: Sendable {
    case entry(QueueRow)
    case unreadable(UnreadableQueueRow)
}

extension StateStore {
    /// Writes an entry's row, and its payload and error history unless they are `kept`: a retry
    /// that changes only the row rewrites neither.
    package func saveQueueEntry(
        _ entry: QueueRow, payload: QueuePart<String?>, errors: QueuePart<[QueueFailure]>
    ) throws(CredsyncError) {
        var payloadValue = SQLValue.null
        var keepsPayload = 1
        if case .replaced(let text) = payload {
            payloadValue = .optional(text)
            keepsPayload = 0
        }
        try transaction { () throws(CredsyncError) in
            try database.execute(
                """
                INSERT INTO queue (id, platform, dataset, key, op, reason, state, payload, hash, batch, attempts,
                    first_attempt, last_attempt, next_attempt)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                ON CONFLICT (id) DO UPDATE SET platform = excluded.platform, dataset = excluded.dataset,
                    key = excluded.key, op = excluded.op, reason = excluded.reason, state = excluded.state,
                    payload = CASE WHEN ?15 THEN queue.payload ELSE excluded.payload END, hash = excluded.hash,
                    batch = excluded.batch, attempts = excluded.attempts, first_attempt = excluded.first_attempt,
                    last_attempt = excluded.last_attempt, next_attempt = excluded.next_attempt
                """,
                [
                    .text(entry.id), .text(entry.platform.rawValue), .text(entry.dataset.rawValue), .text(entry.key),
                    .text(entry.op.rawValue), .text(entry.reason), .text(entry.state.rawValue), payloadValue,
                    .optional(entry.hash), .optional(entry.batch), .int(entry.attempts), .real(entry.firstAttempt),
                    .real(entry.lastAttempt), .real(entry.nextAttempt), .int(keepsPayload),
                ])
            guard case .replaced(let failures) = errors else { return }
            try database.execute("DELETE FROM queue_error WHERE queue_id = ?", [.text(entry.id)])
            for (seq, failure) in failures.enumerated() { try insert(failure, queueID: entry.id, seq: seq + 1) }
        }
    }

    /// Calls `body` with each selected row in id order (ids sort by time), readable or not,
    /// without payloads or error histories (the latest error only): one query, filtered in SQL.
    package func forEachQueueReading(
        _ selection: QueueSelection = QueueSelection(), _ body: (QueueReading) throws(CredsyncError) -> Void
    ) throws(CredsyncError) {
        try database.query(
            Self.queueSelect + Self.selectionFilter + " ORDER BY q.id", Self.values(of: selection)
        ) { row throws(CredsyncError) in
            let reading: QueueReading
            do throws(CredsyncError) {
                reading = .entry(try queueRow(row))
            } catch {
                reading = .unreadable(unreadableQueueRow(row, error))
            }
            try body(reading)
        }
    }

    /// Why a row of `queueSelect` does not decode: the first column that holds a value credsync
    /// does not write.
    private func unreadableQueueRow(_ row: Row, _ error: CredsyncError) -> UnreadableQueueRow {
        let columns: [(String, Int32, [String])] = [
            ("platform", 1, PlatformID.allCases.map(\.rawValue)), ("dataset", 2, Dataset.allCases.map(\.rawValue)),
            ("op", 4, RecordOperation.Kind.allCases.map(\.rawValue)), ("state", 6, QueueState.allCases.map(\.rawValue)),
            ("latest error's class", 14, FailureClass.allCases.map(\.rawValue)),
        ]
        var problem = "it cannot be read: \(error.message)"
        for (name, column, known) in columns where !row.isNull(column) && !known.contains(row.text(column)) {
            let value = PersonalData.mask(String(PersonalData.prefix(row.text(column), characters: 80)))
            problem = "its \(name) is \"\(value)\", not a value credsync writes (\(known.joined(separator: ", ")))"
            break
        }
        let fields = [("dataset", 2), ("key", 3), ("op", 4), ("reason", 5)].compactMap {
            name, column -> UnreadableQueueRow.Field? in
            let value = row.text(Int32(column))
            return value.isEmpty ? nil : UnreadableQueueRow.Field(name: name, value: value)
        }
        return UnreadableQueueRow(
            id: row.text(0), platform: PlatformID(rawValue: row.text(1)), problem: problem, fields: fields)
    }
}
