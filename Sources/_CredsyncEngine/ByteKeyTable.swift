/// A set of keys compared by their bytes, each numbered in the order it was first inserted: the
/// duplicate keys of an export. Built for a million keys on one thread, on `ByteKeyIndex` (12
/// bytes a key beside its bytes, and 4 a bucket). The caller gives the hash (`hash(_:)`), which
/// lets it be worked out on another thread.
public struct ByteKeyTable: Sendable {
    /// A key's place in the arena and its hash's low 32 bits.
    public struct Key: ByteKeySlot {
        public let key: ArenaSpan
        public let keyHash: UInt32
        @inlinable public var isRemoved: Bool { false }

        @inlinable
        init(key: ArenaSpan, keyHash: UInt32) {
            self.key = key
            self.keyHash = keyHash
        }
    }

    @usableFromInline var table = ByteKeyIndex<Key>()

    public init() {}

    /// The number of keys.
    @inlinable public var count: Int { table.slotCount }

    /// The hash `insert(_:hash:)` expects: the standard library's (seeded per process) of the bytes.
    @inlinable
    public static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        return hasher.finalize()
    }

    /// Inserts `bytes` unless a key with the same bytes is there: its number, and whether it is new.
    @inlinable
    public mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, hash: Int) -> (number: Int, isNew: Bool) {
        table.insert(bytes, hash: hash) { Key(key: $0, keyHash: $1) }
    }

    /// The key numbered `number`.
    public func key(_ number: Int) -> String { table.string(table[number].key) }

    /// The key numbers in the keys' byte order (code-point order), 4 bytes a key: no `String` made.
    public func numbersInByteOrder() -> [Int32] {
        var numbers = (0..<Int32(truncatingIfNeeded: count)).map { $0 }
        let slots = table.allSlots
        table.arena.withUnsafeBufferPointer { bytes in
            numbers.sort { ByteKeyIndex<Key>.compare(bytes, slots[Int($0)].key, slots[Int($1)].key) < 0 }
        }
        return numbers
    }
}
