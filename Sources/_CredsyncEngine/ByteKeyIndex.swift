#if canImport(Glibc)
    public import Glibc
#endif

/// A range of a `ByteKeyIndex`'s arena, which stays under 4 GiB (some 60 million ledger entries).
public struct ArenaSpan: Sendable, Equatable {
    @usableFromInline var first: UInt32
    @usableFromInline var length: UInt32

    @inlinable
    public init(start: Int, count: Int) {
        first = UInt32(truncatingIfNeeded: start)
        length = UInt32(truncatingIfNeeded: count)
    }

    @inlinable public var start: Int { Int(first) }
    @inlinable public var count: Int { Int(length) }
}

/// What a `ByteKeyIndex` keeps for each key: where the key's bytes are and the low 32 bits of
/// their hash, beside whatever the table's owner keeps.
public protocol ByteKeySlot: Sendable {
    var key: ArenaSpan { get }
    var keyHash: UInt32 { get }
    /// A removed slot is skipped and dropped when the index is next rebuilt.
    var isRemoved: Bool { get }
}

/// The one open-addressing table of keys compared by their bytes, behind `ByteKeyTable` (the
/// duplicate keys of an export) and `LedgerEntries`: the keys (and any other bytes the owner
/// appends) are ranges of one arena, the slots are the owner's, numbered in insertion order, and
/// the index holds 4 bytes a bucket. The caller gives each key's hash (`ByteKeyTable.hash(_:)`),
/// so that it can be worked out on another thread.
public struct ByteKeyIndex<Slot: ByteKeySlot>: Sendable {
    @inlinable static var empty: Int32 { -1 }
    @inlinable static var removed: Int32 { -2 }

    /// The keys' bytes and the owner's, back to back.
    @inlinable public var arena: [UInt8] { storage }
    @usableFromInline var storage: [UInt8] = []
    @usableFromInline var slots: [Slot] = []
    /// Slot numbers by bucket; `empty` or `removed` for none. Its size is a power of two, at least
    /// twice the number of slots.
    @usableFromInline var index: [Int32] = []
    /// Slots not removed.
    @inlinable public var live: Int { liveCount }
    @usableFromInline var liveCount = 0

    @inlinable
    public init() {}

    /// One more than the largest slot number.
    @inlinable
    public var slotCount: Int { slots.count }

    /// The slots in number order, removed ones included.
    @inlinable
    public var allSlots: [Slot] { slots }

    /// Slot `number`.
    /// - Precondition: a slot set here keeps the key and key hash it was inserted with.
    @inlinable
    public subscript(number: Int) -> Slot {
        get { slots[number] }
        set { slots[number] = newValue }
    }

    @inlinable
    public mutating func reserveCapacity(_ capacity: Int, arenaBytes: Int) {
        slots.reserveCapacity(capacity)
        storage.reserveCapacity(arenaBytes)
        if index.count < 2 * capacity { rebuildIndex(capacity: capacity) }
    }

    /// The number of `key`'s slot, or nil.
    @inlinable
    public func find(_ key: UnsafeBufferPointer<UInt8>, hash: Int) -> Int? {
        guard !index.isEmpty else { return nil }
        return probe(key, hash).found
    }

    /// `key`'s slot number, and whether it is new: a new key's bytes are appended to the arena and
    /// its slot made by `make` from their span and the hash's low 32 bits.
    @inlinable
    public mutating func insert(
        _ key: UnsafeBufferPointer<UInt8>, hash: Int, _ make: (ArenaSpan, UInt32) -> Slot
    ) -> (number: Int, isNew: Bool) {
        if 2 * (slots.count + 1) > index.count { rebuildIndex(capacity: Swift.max(16, 2 * liveCount + 2)) }
        let (found, bucket) = probe(key, hash)
        if let found { return (found, false) }
        let number = slots.count
        index[bucket] = Int32(number)
        slots.append(make(append(key), UInt32(truncatingIfNeeded: hash)))
        liveCount += 1
        return (number, true)
    }

    /// Takes `key` out of the index: its slot number, which the owner marks removed; nil when absent.
    @inlinable
    public mutating func remove(_ key: UnsafeBufferPointer<UInt8>, hash: Int) -> Int? {
        guard !index.isEmpty else { return nil }
        let (found, bucket) = probe(key, hash)
        guard let found else { return nil }
        index[bucket] = Self.removed
        liveCount -= 1
        return found
    }

    /// Appends `bytes` to the arena (a value the owner keeps beside a key).
    @inlinable
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) -> ArenaSpan {
        let start = storage.count
        storage.append(contentsOf: bytes)
        return ArenaSpan(start: start, count: storage.count - start)
    }

    /// The bytes of `span` as a string.
    @inlinable
    public func string(_ span: ArenaSpan) -> String {
        storage.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[span.start..<(span.start + span.count)]), as: UTF8.self)
        }
    }

    /// The order of two spans' bytes (memcmp, then the shorter first): negative, 0 or positive.
    @inlinable
    public static func compare(_ bytes: UnsafeBufferPointer<UInt8>, _ a: ArenaSpan, _ b: ArenaSpan) -> Int {
        let common = Swift.min(a.count, b.count)
        if common > 0, let base = bytes.baseAddress {
            let order = Int(memcmp(base + a.start, base + b.start, common))
            if order != 0 { return order }
        }
        return a.count - b.count
    }

    /// The slot holding `key`, or the bucket where it would go.
    /// - Precondition: the index is not empty (it always has a free bucket then: at most half full).
    @inlinable
    func probe(_ key: UnsafeBufferPointer<UInt8>, _ hash: Int) -> (found: Int?, bucket: Int) {
        storage.withUnsafeBufferPointer { bytes in
            let mask = index.count - 1
            let tag = UInt32(truncatingIfNeeded: hash)
            var bucket = Int(tag) & mask
            var firstFree: Int?
            while true {
                let number = index[bucket]
                if number == Self.empty { return (nil, firstFree ?? bucket) }
                if number == Self.removed {
                    if firstFree == nil { firstFree = bucket }
                } else {
                    let slot = slots[Int(number)]
                    if slot.keyHash == tag, slot.key.count == key.count, Self.equal(bytes, slot.key, key) {
                        return (Int(number), bucket)
                    }
                }
                bucket = (bucket + 1) & mask
            }
        }
    }

    @inlinable
    static func equal(
        _ bytes: UnsafeBufferPointer<UInt8>, _ span: ArenaSpan, _ key: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard key.count > 0 else { return true }
        guard let base = bytes.baseAddress, let other = key.baseAddress else { return false }
        return memcmp(base + span.start, other, key.count) == 0
    }

    /// Rebuilds the index for `capacity` slots, dropping removed slots (which renumbers the rest)
    /// and any slot whose key an earlier one holds.
    @inlinable
    public mutating func rebuildIndex(capacity: Int) {
        if liveCount != slots.count || slots.contains(where: \.isRemoved) { slots.removeAll(where: \.isRemoved) }
        var size = 16
        while size < 2 * Swift.max(capacity, slots.count) { size *= 2 }
        var table = [Int32](repeating: Self.empty, count: size)
        var distinct = 0
        storage.withUnsafeBufferPointer { bytes in
            let mask = size - 1
            for number in slots.indices {
                let slot = slots[number]
                var bucket = Int(slot.keyHash) & mask
                var duplicate = false
                while table[bucket] != Self.empty {
                    let other = slots[Int(table[bucket])]
                    if other.keyHash == slot.keyHash && Self.compare(bytes, other.key, slot.key) == 0 {
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
        liveCount = distinct
    }
}
