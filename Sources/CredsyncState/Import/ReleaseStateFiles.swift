import CredsyncCore

/// The release's smaller state files, each read as the release read it, into the store's tables.
/// Every function runs inside the import's transaction: a damaged file throws and nothing is kept.
enum ReleaseStateFiles {
    /// `ledger/<platform>/<dataset>.sent.jsonl`: one `{"key", "payload"}` a line, the last line of
    /// a key wins; a torn last line (a crash during an append) is ignored, as the release did. Only
    /// keys with a ledger row are kept (the payload serves the old side of a diff).
    static func importSent(
        _ file: ImportFile, platform: PlatformID, dataset: Dataset, into store: StateStore
    ) throws(CredsyncError) -> Int {
        var count = 0
        let hint = "move it aside: only the old side of 'plan --detail' diffs is lost until the records are sent again"
        try file.forEachLine { (line, number) throws(CredsyncError) in
            guard !line.isEmpty else { return }
            guard let json = try? JSONParser.parse(line), let key = json["key"]?.stringValue,
                let payload = json["payload"]?.objectValue
            else { throw StateImport.damaged(file, "line \(number) is not a sent payload", hint: hint) }
            try store.database.execute(
                """
                INSERT INTO accepted_payload (platform, dataset, key, payload, accepted_at)
                SELECT ?1, ?2, ?3, ?4, updated_at FROM ledger WHERE platform = ?1 AND dataset = ?2 AND key = ?3
                ON CONFLICT (platform, dataset, key) DO UPDATE SET payload = excluded.payload
                """,
                [
                    .text(platform.rawValue), .text(dataset.rawValue), .text(key),
                    .text(JSONWriter.canonical(.object(PersonalData.shown(payload)))),
                ])
            count += 1
        }
        return count
    }

    /// `ledger/<platform>/<dataset>.rejected.json`: key → the rejected hash (`withdraw` for a
    /// withdrawal). The release kept neither time nor reason: the file's time and a reason saying so.
    static func importRejected(
        _ file: ImportFile, platform: PlatformID, dataset: Dataset, into store: StateStore
    ) throws(CredsyncError) -> Int {
        let hint =
            "restore it from a backup, or move it aside: the records it lists are then sent again as they are, "
            + "and rejected again"
        let members = try object(file, hint: hint)
        let at = Int(file.modified())
        for member in members {
            guard let hash = member.value.stringValue else {
                throw StateImport.damaged(
                    file, "the value of \"\(PersonalData.mask(member.key))\" is not a string", hint: hint)
            }
            try store.upsertRejected(
                RejectedRow(key: member.key, hash: hash, rejectedAt: at, reason: StateImport.rejectedReason),
                platform: platform, dataset: dataset)
        }
        return members.count
    }

    /// `exports.json`: `{"<dataset>": {"records": N}}`, one row a dataset, at the file's time.
    static func importExports(_ file: ImportFile, into store: StateStore) throws(CredsyncError) -> Int {
        let hint = "move it aside: the next run writes it again, without the shrink guardrail for that one run"
        var count = 0
        for member in try object(file, hint: hint) {
            guard let dataset = Dataset(rawValue: member.key) else { continue }
            guard let records = member.value["records"]?.intValue, records >= 0 else {
                throw StateImport.damaged(file, "\(member.key).records is not a record count", hint: hint)
            }
            try store.recordExport(
                dataset: dataset, records: records, recordedAt: Int(file.modified()), runID: StateImport.runID)
            count += 1
        }
        return count
    }

    /// `enterprises/cursors.json`: `{"enterprises": "<cursor>", "list": "<cursor>", "pulledAt": n}`.
    static func importCursors(_ file: ImportFile, into store: StateStore) throws(CredsyncError) -> Int {
        let members = try object(file, hint: ReleaseEnterpriseJournal.hint)
        let pulledAt = members["pulledAt"]?.doubleValue ?? file.modified()
        var count = 0
        for feed in ["enterprises", "list"] where members[feed] != nil {
            guard let cursor = members[feed]?.stringValue else {
                throw StateImport.damaged(file, "\(feed) is not a cursor string", hint: ReleaseEnterpriseJournal.hint)
            }
            try store.setCursor(feed: feed, cursor: cursor, pulledAt: pulledAt)
            count += 1
        }
        return count
    }

    /// `enterprises/serious-illegal.jsonl`: SAMR's list feed, one JSON entry (with `uscc`, `seq`) a line.
    static func importList(_ file: ImportFile, into store: StateStore) throws(CredsyncError) -> Int {
        var count = 0
        try file.forEachLine { (line, number) throws(CredsyncError) in
            guard !line.isEmpty else { return }
            guard let json = try? JSONParser.parse(line), let uscc = json["uscc"]?.stringValue else {
                throw StateImport.damaged(
                    file, "line \(number) is not a list entry", hint: ReleaseEnterpriseJournal.hint)
            }
            try store.database.execute(
                "INSERT INTO serious_illegal (uscc, seq, entry) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [
                    .text(ReleaseEnterpriseJournal.storedKey(uscc)), .int(json["seq"]?.intValue ?? 0),
                    .text(PersonalData.mask(JSONWriter.compact(json))),
                ])
            count += 1
        }
        return count
    }

    /// A small JSON state file's top-level object.
    static func object(_ file: ImportFile, hint: String) throws(CredsyncError) -> JSONObject {
        let bytes = try file.read()
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch {
            throw StateImport.damaged(file, error.description, hint: hint)
        }
        guard let object = json.objectValue else { throw StateImport.damaged(file, "not a JSON object", hint: hint) }
        return object
    }
}
