#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore
import _CredsyncEngine

/// A ledger's entries: key → entry, keys compared by their bytes, in the order they were first set.
///
/// A ledger of a million keys must load in well under a second, so the table holds no `String`
/// per entry: keys and hashes are byte ranges of one arena (filled as the store's rows stream in),
/// found through the one byte-key table (`ByteKeyIndex`); batch ids are kept once each, in a table
/// of their own (a million entries share a few thousand). `LedgerEntry` values and
/// key strings are made only when asked for. A changed entry appends its new bytes; the old ones
/// stay unused until the ledger is next loaded.
public struct LedgerEntries: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// The keys and hashes, and the slots, in the one byte-key table.
    private var table = ByteKeyIndex<Slot>()
    /// The batch ids, each once.
    private var batches = ByteKeyTable()
    private var arena: [UInt8] { table.arena }

    public init() {}

    public init(dictionaryLiteral elements: (String, LedgerEntry)...) {
        self.init(elements)
    }

    /// The entries of `pairs`; a repeated key keeps its last entry.
    public init(_ pairs: some Sequence<(String, LedgerEntry)>) {
        self.init()
        for (key, entry) in pairs { self[key] = entry }
    }

    public var count: Int { table.live }
    public var isEmpty: Bool { table.live == 0 }
    public var underestimatedCount: Int { table.live }

    public mutating func reserveCapacity(_ capacity: Int) {
        // A key of some 30 bytes and a 32-byte hash an entry; batch ids are apart.
        table.reserveCapacity(capacity, arenaBytes: capacity * 64)
    }

    public subscript(key: String) -> LedgerEntry? {
        get { find(key).map { entry(table[$0]) } }
        set {
            if let newValue { set(key, newValue) } else { remove(key) }
        }
    }

    public func contains(_ key: String) -> Bool { find(key) != nil }

    public func makeIterator() -> some IteratorProtocol<(key: String, value: LedgerEntry)> {
        table.allSlots.lazy.filter { !$0.isRemoved }.map { (key: self.string($0.key), value: self.entry($0)) }
            .makeIterator()
    }

    /// The keys whose entries satisfy `isIncluded`, in byte order (code-point order).
    public func sortedKeys(where isIncluded: (String, LedgerEntry) -> Bool) -> [String] {
        let slots = table.allSlots
        return keysInByteOrder(
            slots.indices.filter { !slots[$0].isRemoved && isIncluded(string(slots[$0].key), entry(slots[$0])) })
    }

    // MARK: Places: lookups that make no `LedgerEntry`, for the plan's million lookups

    /// Where `key`'s entry stands (valid until the entries change), or nil.
    public func place(of key: String) -> Int? { find(key) }

    /// One more than the largest place.
    public var placeCount: Int { table.slotCount }

    public func isPublished(at place: Int) -> Bool { table[place].isPublished }

    public func hash(at place: Int) -> String { hashText(table[place]) }

    /// Whether the entry at `place` holds `digest`.
    public func hasHash(_ digest: SHA256.Digest, at place: Int) -> Bool {
        let slot = table[place]
        let span = slot.hash
        return arena.withUnsafeBufferPointer { arena in
            let stored = UnsafeBufferPointer(rebasing: arena[span.start..<(span.start + span.count)])
            guard slot.isRawHash else { return digest.matches(hex: stored) }
            return withUnsafeBytes(of: digest) { $0.elementsEqual(stored) }
        }
    }

    /// The published keys whose places are not marked, in byte order.
    public func publishedKeys(unmarked marked: [Bool]) -> [String] {
        let slots = table.allSlots
        return keysInByteOrder(
            slots.indices.filter {
                !slots[$0].isRemoved && slots[$0].isPublished && !($0 < marked.count && marked[$0])
            })
    }

    private func keysInByteOrder(_ numbers: [Int]) -> [String] {
        var numbers = numbers
        let slots = table.allSlots
        arena.withUnsafeBufferPointer { bytes in
            numbers.sort { ByteKeyIndex<Slot>.compare(bytes, slots[$0].key, slots[$1].key) < 0 }
        }
        return numbers.map { string(slots[$0].key) }
    }

    /// The number of entries that are published.
    public var publishedCount: Int { table.allSlots.reduce(0) { $0 + ($1.isPublished && !$1.isRemoved ? 1 : 0) } }

    public static func == (a: LedgerEntries, b: LedgerEntries) -> Bool {
        guard a.count == b.count else { return false }
        return a.allSatisfy { b[$0.key] == $0.value }
    }

    // MARK: Table

    private func entry(_ slot: Slot) -> LedgerEntry {
        LedgerEntry(
            hash: hashText(slot), isPublished: slot.isPublished, version: times(slot).version,
            updatedAt: times(slot).updatedAt,
            batchID: batches.key(slot.batch))
    }

    private func hashText(_ slot: Slot) -> String {
        guard slot.isRawHash else { return string(slot.hash) }
        return arena.withUnsafeBufferPointer {
            Hex.encode(Array(UnsafeBufferPointer(rebasing: $0[slot.hash.start..<(slot.hash.start + slot.hash.count)])))
        }
    }

    private func string(_ span: ArenaSpan) -> String { table.string(span) }

    /// The slot number of `key`, or nil.
    private func find(_ key: String) -> Int? {
        var key = key
        return key.withUTF8 { table.find($0, hash: ByteKeyTable.hash($0)) }
    }

    private mutating func set(_ key: String, _ entry: LedgerEntry) {
        var (key, hash, batch) = (key, entry.hash, entry.batchID)
        key.withUTF8 { key in
            hash.withUTF8 { hash in
                batch.withUTF8 { batch in
                    set(
                        key: key, hash: hash, batch: batch, version: entry.version, updatedAt: entry.updatedAt,
                        isPublished: entry.isPublished)
                }
            }
        }
    }

    /// Sets `key`'s entry from raw bytes (copied into the arena), as a store query returns them: no
    /// `String` is made, so loading a million rows costs their bytes and a slot each.
    package mutating func set(
        key: UnsafeBufferPointer<UInt8>, hash: UnsafeBufferPointer<UInt8>, batch: UnsafeBufferPointer<UInt8>,
        version: Int, updatedAt: Int, isPublished: Bool
    ) {
        let keyHash = ByteKeyTable.hash(key)
        let found = table.find(key, hash: keyHash)
        let raw = appendRaw(hash)
        let isRaw = raw != nil
        let hashSpan = raw ?? table.append(hash)
        let batchNumber = batches.insert(batch, hash: ByteKeyTable.hash(batch)).number
        if let found {
            var slot = table[found]
            slot.hash = hashSpan
            slot.isRawHash = isRaw
            slot.batch = batchNumber
            let times = appendTimes(version: version, updatedAt: updatedAt)
            (slot.version, slot.updatedAt, slot.isWide) = times
            slot.isPublished = isPublished
            table[found] = slot
            return
        }
        let times = appendTimes(version: version, updatedAt: updatedAt)
        _ = table.insert(key, hash: keyHash) { keySpan, keyHash in
            Slot(
                key: keySpan, hash: hashSpan, batch: batchNumber, times: times, keyHash: keyHash,
                isPublished: isPublished, isRawHash: isRaw)
        }
    }

    private mutating func remove(_ key: String) {
        var key = key
        guard let found = key.withUTF8({ table.remove($0, hash: ByteKeyTable.hash($0)) }) else { return }
        table[found].isRemoved = true
    }

    /// A version and a time as a slot holds them: as they are when each fits in 32 bits, else
    /// appended to the arena (16 bytes) and found by their offset.
    private mutating func appendTimes(version: Int, updatedAt: Int) -> (UInt32, UInt32, Bool) {
        if let narrowVersion = UInt32(exactly: version), let narrowTime = UInt32(exactly: updatedAt) {
            return (narrowVersion, narrowTime, false)
        }
        let values = (Int64(version), Int64(updatedAt))
        let span = withUnsafeBytes(of: values) { bytes in
            bytes.withMemoryRebound(to: UInt8.self) { table.append($0) }
        }
        return (UInt32(truncatingIfNeeded: span.start), 0, true)
    }

    /// The slot's version and time.
    private func times(_ slot: Slot) -> (version: Int, updatedAt: Int) {
        guard slot.isWide else { return (Int(slot.version), Int(slot.updatedAt)) }
        return arena.withUnsafeBytes { bytes in
            let start = Int(slot.version)
            return (
                Int(bytes.loadUnaligned(fromByteOffset: start, as: Int64.self)),
                Int(bytes.loadUnaligned(fromByteOffset: start + 8, as: Int64.self))
            )
        }
    }

    /// Appends the 32 bytes of a hash in its lower-case 64-hex form; nil for any other text (then
    /// kept as it is written).
    private mutating func appendRaw(_ hex: UnsafeBufferPointer<UInt8>) -> ArenaSpan? {
        func nibble(_ digit: UInt8) -> UInt8? {
            switch digit {
            case 0x30...0x39: digit - 0x30
            case 0x61...0x66: digit - 0x61 + 10
            default: nil
            }
        }
        guard hex.count == 64 else { return nil }
        var raw: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let complete = withUnsafeMutableBytes(of: &raw) { out -> Bool in
            for i in 0..<32 {
                guard let high = nibble(hex[2 * i]), let low = nibble(hex[2 * i + 1]) else { return false }
                out[i] = high << 4 | low
            }
            return true
        }
        guard complete else { return nil }
        let digest = raw
        return withUnsafeBytes(of: digest) { bytes in bytes.withMemoryRebound(to: UInt8.self) { table.append($0) } }
    }
}
