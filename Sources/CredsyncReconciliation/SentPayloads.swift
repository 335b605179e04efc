public import CredsyncCore
public import CredsyncState

/// The payload last accepted by a platform for each key, so a plan can show an update field by
/// field: the store's `accepted_payload` table, one row a key, replaced on every acceptance (never
/// appended). Natural persons' 证件号码 are kept masked, as diffs show them anyway. Losing a row
/// loses only the old side of that key's diff.
public enum SentPayloads {
    static let hint =
        "run 'credsync state check'; only the old side of 'plan --detail' diffs is lost until the records are "
        + "sent again"

    /// Replaces the payload kept for `key`. The key's ledger row must be written first, in the same
    /// transaction.
    package static func replace(
        _ payload: JSONObject, key: String, in store: StateStore, platform: PlatformID, dataset: Dataset,
        at time: Int
    ) throws(CredsyncError) {
        try store.replaceAcceptedPayload(
            platform: platform, dataset: dataset, key: key,
            payload: JSONWriter.compact(.object(PersonalData.shown(payload))), acceptedAt: time)
    }

    /// A payload as it is kept (`PersonalData.shown`, compact), from its canonical bytes: masked on
    /// the bytes, parsed only when they are not a flat object of plain strings. Worked out before
    /// the answer's transaction, so the store's lock is held for SQL only.
    package static func kept(canonical: [UInt8]) -> String? {
        if let shown = PersonalData.shownCompact(canonical: canonical) { return String(decoding: shown, as: UTF8.self) }
        // Not parsed: not a payload credsync wrote; only the old side of a diff would be lost.
        guard case .object(let payload)? = try? JSONParser.parse(canonical) else { return nil }
        return JSONWriter.compact(.object(PersonalData.shown(payload)))
    }

    /// Replaces the payload kept for `key` with `kept` (from `kept(canonical:)`).
    package static func replace(
        kept: String, key: String, in store: StateStore, platform: PlatformID, dataset: Dataset, at time: Int
    ) throws(CredsyncError) {
        try store.replaceAcceptedPayload(
            platform: platform, dataset: dataset, key: key, payload: kept, acceptedAt: time)
    }

    /// The payload kept for `key`, or nil when none is. A row that is not a JSON object throws
    /// (exit 74): the store was edited by hand.
    package static func payload(
        of key: String, in store: StateStore, platform: PlatformID, dataset: Dataset
    ) throws(CredsyncError) -> JSONObject? {
        guard let text = try store.acceptedPayload(platform: platform, dataset: dataset, key: key) else { return nil }
        guard let object = (try? JSONParser.parse(Array(text.utf8)))?.objectValue else {
            throw CredsyncError(
                .ioError,
                "\(store.path): table accepted_payload, \(PublishTarget(platform, dataset)) key "
                    + "\(PersonalData.mask(key)): the payload is not a JSON object",
                hint: hint)
        }
        return object
    }

    /// The fields that differ: (field, old, new), an absent value as nil. Both sides are compared
    /// as kept (`PersonalData.shown`): a personal number differs only where its mask shows it.
    public static func differences(old: JSONObject?, new: JSONObject) -> [(String, String?, String?)] {
        let old = old.map(PersonalData.shown)
        let new = PersonalData.shown(new)
        let keys = Set((old?.keys ?? []) + new.keys).sorted()
        return keys.compactMap { key in
            let before = old?[key]?.stringValue
            let after = new[key]?.stringValue
            return before == after ? nil : (key, before, after)
        }
    }
}
