#if canImport(Glibc)
import Glibc
#endif
public import CredsyncCore
import _CredsyncEngine

/// A ledger's entries: key → entry, keys compared by their bytes, in the order they were first set.
///
/// A ledger of a million keys must load in well under a second, so the table holds no `String`
/// per entry: keys, hashes and batch ids are byte ranges of one arena (filled as the store's rows
/// stream in), found through an open-addressing index. `LedgerEntry` values and key strings are
/// made only when asked for. A changed entry appends its new bytes; the old ones stay unused
/// until the ledger is next loaded.
public struct LedgerEntries: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// 48 bytes an entry: a hash in its 64-hex form is held as its 32 bytes (`isRawHash`).
    struct Slot: Sendable {
        var key: Span
        var hash: Span
        var batch: Span
        var version: Int
        var updatedAt: Int
        /// The low 32 bits of the key's hash.
        var hashValue: UInt32
        var isPublished: Bool
        var isRemoved = false
        var isRawHash = false
    }

    /// A range of the arena (which stays under 4 GiB: some 60 million entries).
    struct Span: Sendable, Equatable {
        private var first: UInt32
        private var length: UInt32

        init(start: Int, count: Int) {
            first = UInt32(truncatingIfNeeded: start)
            length = UInt32(truncatingIfNeeded: count)
        }

        var start: Int { Int(first) }
        var count: Int { Int(length) }
    }

    private static let empty: Int32 = -1
    private static let removed: Int32 = -2

    private(set) var arena: [UInt8]
    private var slots: [Slot] = []
    /// Slot numbers by bucket; `empty` or `removed` for none. Its size is a power of two.
    private var index: [Int32] = []
    private var live = 0
    private var lastBatch = Span(start: 0, count: 0)

    public init() { arena = [] }

    public init(dictionaryLiteral elements: (String, LedgerEntry)...) {
        self.init(elements)
    }

    /// The entries of `pairs`; a repeated key keeps its last entry.
    public init(_ pairs: some Sequence<(String, LedgerEntry)>) {
        self.init()
        for (key, entry) in pairs { self[key] = entry }
    }

    public var count: Int { live }
    public var isEmpty: Bool { live == 0 }
    public var underestimatedCount: Int { live }

    public mutating func reserveCapacity(_ capacity: Int) {
        slots.reserveCapacity(capacity)
        // A key of some 30 bytes and a 32-byte hash an entry; batch ids are shared.
        arena.reserveCapacity(capacity * 64)
        if index.count < 2 * capacity { rebuildIndex(capacity: capacity) }
    }

    public subscript(key: String) -> LedgerEntry? {
        get { find(key).map { entry(slots[$0]) } }
        set {
            if let newValue { set(key, newValue) } else { remove(key) }
        }
    }

    public func contains(_ key: String) -> Bool { find(key) != nil }

    public func makeIterator() -> some IteratorProtocol<(key: String, value: LedgerEntry)> {
        slots.lazy.filter { !$0.isRemoved }.map { (key: self.string($0.key), value: self.entry($0)) }.makeIterator()
    }

    /// The keys whose entries satisfy `isIncluded`, in byte order (code-point order).
    public func sortedKeys(where isIncluded: (String, LedgerEntry) -> Bool) -> [String] {
        keysInByteOrder(slots.indices.filter { !slots[$0].isRemoved && isIncluded(string(slots[$0].key), entry(slots[$0])) })
    }

    // MARK: Places: lookups that make no `LedgerEntry`, for the plan's million lookups

    /// Where `key`'s entry stands (valid until the entries change), or nil.
    public func place(of key: String) -> Int? { find(key) }

    /// One more than the largest place.
    public var placeCount: Int { slots.count }

    public func isPublished(at place: Int) -> Bool { slots[place].isPublished }

    public func hash(at place: Int) -> String { hashText(slots[place]) }

    /// Whether the entry at `place` holds `digest`.
    public func hasHash(_ digest: SHA256.Digest, at place: Int) -> Bool {
        let slot = slots[place]
        let span = slot.hash
        return arena.withUnsafeBufferPointer { arena in
            let stored = UnsafeBufferPointer(rebasing: arena[span.start..<(span.start + span.count)])
            guard slot.isRawHash else { return digest.matches(hex: stored) }
            return withUnsafeBytes(of: digest) { $0.elementsEqual(stored) }
        }
    }

    /// The published keys whose places are not marked, in byte order.
    public func publishedKeys(unmarked marked: [Bool]) -> [String] {
        keysInByteOrder(slots.indices.filter { !slots[$0].isRemoved && slots[$0].isPublished && !($0 < marked.count && marked[$0]) })
    }

    private func keysInByteOrder(_ numbers: [Int]) -> [String] {
        var numbers = numbers
        arena.withUnsafeBufferPointer { bytes in
            numbers.sort { Self.compare(bytes, slots[$0].key, slots[$1].key) < 0 }
        }
        return numbers.map { string(slots[$0].key) }
    }

    /// The number of entries that are published.
    public var publishedCount: Int { slots.reduce(0) { $0 + ($1.isPublished && !$1.isRemoved ? 1 : 0) } }

    public static func == (a: LedgerEntries, b: LedgerEntries) -> Bool {
        guard a.count == b.count else { return false }
        return a.allSatisfy { b[$0.key] == $0.value }
    }

    // MARK: Table

    private func entry(_ slot: Slot) -> LedgerEntry {
        LedgerEntry(
            hash: hashText(slot), isPublished: slot.isPublished, version: slot.version, updatedAt: slot.updatedAt,
            batchID: string(slot.batch))
    }

    private func hashText(_ slot: Slot) -> String {
        guard slot.isRawHash else { return string(slot.hash) }
        return arena.withUnsafeBufferPointer {
            Hex.encode(Array(UnsafeBufferPointer(rebasing: $0[slot.hash.start..<(slot.hash.start + slot.hash.count)])))
        }
    }

    private func string(_ span: Span) -> String {
        arena.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[span.start..<(span.start + span.count)]), as: UTF8.self) }
    }

    private static func compare(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Span, _ b: Span) -> Int {
        let common = Swift.min(a.count, b.count)
        if common > 0, let base = bytes.baseAddress {
            let order = Int(memcmp(base + a.start, base + b.start, common))
            if order != 0 { return order }
        }
        return a.count - b.count
    }

    /// The slot number of `key`, or nil.
    private func find(_ key: String) -> Int? {
        guard !index.isEmpty else { return nil }
        var key = key
        return key.withUTF8 { probe($0, ByteKeyTable.hash($0)).found }
    }

    /// The slot holding `key`, or the bucket where it would go.
    private func probe(_ key: UnsafeBufferPointer<UInt8>, _ hash: Int) -> (found: Int?, bucket: Int) {
        arena.withUnsafeBufferPointer { bytes in
            let mask = index.count - 1
            var bucket = Int(UInt32(truncatingIfNeeded: hash)) & mask
            var firstFree: Int?
            while true {
                let number = index[bucket]
                if number == Self.empty { return (nil, firstFree ?? bucket) }
                if number == Self.removed {
                    if firstFree == nil { firstFree = bucket }
                } else {
                    let slot = slots[Int(number)]
                    if slot.hashValue == UInt32(truncatingIfNeeded: hash), slot.key.count == key.count,
                        key.count == 0 || memcmp(bytes.baseAddress! + slot.key.start, key.baseAddress!, key.count) == 0
                    {
                        return (Int(number), bucket)
                    }
                }
                bucket = (bucket + 1) & mask
            }
        }
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
        if 2 * (slots.count + 1) > index.count { rebuildIndex(capacity: Swift.max(16, 2 * live + 2)) }
        let keyHash = ByteKeyTable.hash(key)
        let (found, bucket) = probe(key, keyHash)
        let rawSpan = appendRaw(hash)
        let isRaw = rawSpan != nil
        let hashSpan = rawSpan ?? append(hash)
        let batchSpan: Span
        let last = lastBatch
        if arena.withUnsafeBufferPointer({ $0[last.start..<(last.start + last.count)].elementsEqual(batch) }) {
            batchSpan = lastBatch
        } else {
            batchSpan = append(batch)
            lastBatch = batchSpan
        }
        if let found {
            slots[found].hash = hashSpan
            slots[found].isRawHash = isRaw
            slots[found].batch = batchSpan
            slots[found].version = version
            slots[found].updatedAt = updatedAt
            slots[found].isPublished = isPublished
            return
        }
        let keySpan = append(key)
        index[bucket] = Int32(slots.count)
        slots.append(
            Slot(
                key: keySpan, hash: hashSpan, batch: batchSpan, version: version, updatedAt: updatedAt,
                hashValue: UInt32(truncatingIfNeeded: keyHash), isPublished: isPublished, isRawHash: isRaw))
        live += 1
    }

    private mutating func remove(_ key: String) {
        guard !index.isEmpty else { return }
        var key = key
        let (found, bucket) = key.withUTF8 { probe($0, ByteKeyTable.hash($0)) }
        guard let found else { return }
        slots[found].isRemoved = true
        index[bucket] = Self.removed
        live -= 1
    }

    /// Appends the 32 bytes of a hash in its lower-case 64-hex form; nil for any other text (then
    /// kept as it is written).
    private mutating func appendRaw(_ hex: UnsafeBufferPointer<UInt8>) -> Span? {
        func nibble(_ digit: UInt8) -> UInt8? {
            switch digit {
            case 0x30...0x39: digit - 0x30
            case 0x61...0x66: digit - 0x61 + 10
            default: nil
            }
        }
        guard hex.count == 64 else { return nil }
        let start = arena.count
        for i in stride(from: 0, to: 64, by: 2) {
            guard let high = nibble(hex[i]), let low = nibble(hex[i + 1]) else {
                arena.removeLast(arena.count - start)
                return nil
            }
            arena.append(high << 4 | low)
        }
        return Span(start: start, count: 32)
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Span {
        let start = arena.count
        arena.append(contentsOf: bytes)
        return Span(start: start, count: arena.count - start)
    }

    /// Rebuilds the index for `capacity` entries, dropping removed slots.
    private mutating func rebuildIndex(capacity: Int) {
        if live != slots.count || slots.contains(where: \.isRemoved) { slots.removeAll(where: \.isRemoved) }
        var size = 16
        while size < 2 * Swift.max(capacity, slots.count) { size *= 2 }
        var table = [Int32](repeating: Self.empty, count: size)
        var distinct = 0
        arena.withUnsafeBufferPointer { bytes in
            let mask = size - 1
            for number in slots.indices {
                let slot = slots[number]
                var bucket = Int(slot.hashValue) & mask
                var duplicate = false
                while table[bucket] != Self.empty {
                    let other = slots[Int(table[bucket])]
                    if other.hashValue == slot.hashValue && Self.compare(bytes, other.key, slot.key) == 0 {
                        duplicate = true
                        break
                    }
                    bucket = (bucket + 1) & mask
                }
                if !duplicate {
                    table[bucket] = Int32(number)
                    distinct += 1
                }
            }
        }
        index = table
        live = distinct
    }
}
