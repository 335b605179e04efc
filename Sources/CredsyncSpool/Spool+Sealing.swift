public import CredsyncCore
public import CredsyncState

extension Spool {
    /// Exit 78 when a queue payload is sealed under another key than the configured one, or when
    /// sealed values are kept and no key is configured: a run does not start under a wrong key.
    /// One pass of SQL over the queue, no payload parsed.
    public func checkKey() throws(CredsyncError) {
        let ids = try Self.queueing { () throws(CredsyncError) in try store.sealedQueueKeyIDs() }
        let foreign = ids.subtracting(seal.cipher.map { [$0.key.id] } ?? []).sorted()
        guard let first = foreign.first else { return }
        let configured = seal.cipher.map { "dataKeyFile \(seal.keyFile ?? "") holds key \($0.key.id)" }
        throw CredsyncError(
            .configuration,
            "\(store.path): the queue holds values sealed under data key \(foreign.joined(separator: ", ")); "
                + (configured ?? "no dataKeyFile is configured"),
            hint: "configure the key file of key \(first) (restore it from its backup); after 'credsync key rotate' "
                + "set dataKeyFile to the new key")
    }

    /// What `reseal(under:)` did.
    public struct Resealing: Sendable, Equatable {
        /// Queue entries whose payload was re-sealed.
        public var entries: Int
        /// Sealed values re-sealed.
        public var values: Int
    }

    /// Every sealed value of the queue opened under this spool's key and sealed under `newKey`, in
    /// one transaction of the store: a crash (or a value that does not open) leaves every value
    /// under the old key. A value already under `newKey` (a rotation run twice) is kept as it is.
    public func reseal(under newKey: DataKey) throws(CredsyncError) -> Resealing {
        let fresh = PersonalSeal(cipher: FieldCipher(key: newKey), keyFile: nil)
        var values = 0
        var entries = 0
        _ = try Self.queueing { () throws(CredsyncError) -> Int in
            try store.rewriteQueuePayloads(.sealed) { row throws(CredsyncError) -> String? in
                let context = Self.context(row.platform, row.dataset, row.key)
                guard let object = (try? JSONParser.parse(row.payload))?.objectValue else {
                    throw CredsyncError(
                        .ioError, "\(store.path): queue entry \(row.id): its payload is not a JSON object",
                        hint: "drop it ('credsync queue drop \(row.id)'), then rotate again")
                }
                let current = Self.sealedKeys(object)
                if current == [newKey.id] { return row.payload }
                let plain: JSONObject
                do throws(CredsyncError) { plain = try seal.open(object, context: context) } catch {
                    throw CredsyncError(error.exitCode, "queue entry \(row.id): " + error.message, hint: error.hint)
                }
                values += Self.sealedCount(object)
                entries += 1
                return Self.json(try fresh.seal(plain, context: context))
            }
        }
        return Resealing(entries: entries, values: values)
    }

    /// Seals the personal values of queue payloads an earlier release kept in clear (every payload
    /// with no sealed value is looked at; one SQL pass finds them), in one transaction. Returns how many
    /// payloads were sealed: after the first run with a key, none. A payload that is not JSON stops it.
    public func sealClearPayloads() throws(CredsyncError) -> Int {
        try Self.queueing { () throws(CredsyncError) -> Int in
            try store.rewriteQueuePayloads(.clearNumbers) { row throws(CredsyncError) -> String? in
                guard let object = (try? JSONParser.parse(row.payload))?.objectValue else {
                    throw CredsyncError(
                        .ioError, "queue entry \(row.id): its payload is not a JSON object, so it cannot be sealed",
                        hint: "drop it ('credsync queue drop \(row.id) --yes'); the next sync plans the record again")
                }
                let sealed = try seal.seal(object, context: Self.context(row.platform, row.dataset, row.key))
                return Self.holdsSealed(sealed) ? Self.json(sealed) : nil
            }
        }
    }

    static func holdsSealed(_ object: JSONObject) -> Bool { PersonalSeal.holdsSealed(object) }

    static func sealedKeys(_ object: JSONObject) -> Set<String> {
        Set(object.members.compactMap { $0.value.stringValue.flatMap(FieldCipher.keyID) })
    }

    static func sealedCount(_ object: JSONObject) -> Int {
        object.members.reduce(0) { count, member in
            count + (member.value.stringValue.map(FieldCipher.isSealed) == true ? 1 : 0)
        }
    }
}
