public import CredsyncCore

/// A queue payload that holds sealed values (`PersonalSeal`), with the record it belongs to.
package struct SealedQueuePayload: Sendable {
    package var id: String
    package var platform: PlatformID
    package var dataset: Dataset
    package var key: String
    /// The payload as stored (compact JSON, its personal values sealed).
    package var payload: String
}

/// Which queue payloads `rewriteQueuePayloads` goes through.
package enum QueuePayloadSelection: Sendable {
    /// Those holding a sealed value (`"sm4:1:` opens a sealed string, `FieldCipher`).
    case sealed
    /// Those holding no sealed value: perhaps kept in clear by a release that did not seal (a
    /// passport or permit number as much as a 身份证号, so every one is looked at).
    case clearNumbers

    var filter: String {
        switch self {
        case .sealed: "instr(payload, '\"sm4:1:') > 0"
        case .clearNumbers: "payload IS NOT NULL AND instr(payload, '\"sm4:1:') = 0"
        }
    }
}

extension StateStore {
    static let holdsSealed = QueuePayloadSelection.sealed.filter

    /// The ids of the keys the queue's payloads are sealed under, read from the first sealed value
    /// of each (every value of a payload is sealed under one key: written, or re-sealed, together).
    /// One pass over the table in SQL, without parsing a payload.
    package func sealedQueueKeyIDs() throws(CredsyncError) -> Set<String> {
        var ids: Set<String> = []
        try database.query(
            "SELECT DISTINCT substr(payload, instr(payload, '\"sm4:1:') + 7, 8) FROM queue WHERE " + Self.holdsSealed
        ) { row in ids.insert(row.text(0)) }
        return ids
    }

    /// Replaces every queue payload `selection` selects by what `body` makes of it (nil: left as it
    /// is), in one transaction: all are replaced, or (when `body` throws or the process dies) none.
    /// Returns how many were replaced.
    package func rewriteQueuePayloads(
        _ selection: QueuePayloadSelection, _ body: (SealedQueuePayload) throws(CredsyncError) -> String?
    ) throws(CredsyncError) -> Int {
        try transaction { () throws(CredsyncError) -> Int in
            var ids: [String] = []
            var replaced = 0
            try database.query("SELECT id FROM queue WHERE " + selection.filter + " ORDER BY id") { row in
                ids.append(row.text(0))
            }
            for id in ids {
                var found: SealedQueuePayload?
                try database.query(
                    "SELECT platform, dataset, key, payload FROM queue WHERE id = ?", [.text(id)]
                ) { row throws(CredsyncError) in
                    guard let platform = PlatformID(rawValue: row.text(0)), let dataset = Dataset(rawValue: row.text(1))
                    else {
                        throw damagedValue(table: "queue", key: id, column: "platform or dataset", value: row.text(0))
                    }
                    found = SealedQueuePayload(
                        id: id, platform: platform, dataset: dataset, key: row.text(2), payload: row.text(3))
                }
                guard let found, let payload = try body(found), payload != found.payload else { continue }
                try database.execute("UPDATE queue SET payload = ? WHERE id = ?", [.text(payload), .text(id)])
                replaced += 1
            }
            return replaced
        }
    }
}
