#if canImport(Glibc)
import Glibc
#endif

/// A set of keys compared by their bytes, each numbered in the order it was first inserted.
///
/// Built for a million keys on one thread: the keys are bytes of one arena, found through an
/// open-addressing index whose buckets also hold the upper half of the key's hash, so a probe past
/// another key reads nothing else. The caller gives the hash (`hash(_:)`), which lets it be worked
/// out on another thread.
public struct ByteKeyTable: Sendable {
    private struct Key: Sendable {
        var start: Int
        var count: Int
        var hash: Int
    }

    private var arena: [UInt8] = []
    private var keys: [Key] = []
    /// 0 for an empty bucket, else the key's number + 1 in the low 32 bits and the upper half of
    /// its hash above them. Its size is a power of two, at least twice the number of keys.
    private var index: [UInt64] = []

    public init() {}

    /// The number of keys.
    public var count: Int { keys.count }

    /// The hash `insert(_:hash:)` expects: the standard library's (seeded per process) of the bytes.
    public static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        return hasher.finalize()
    }

    /// Inserts `bytes` unless a key with the same bytes is there: its number, and whether it is new.
    public mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, hash: Int) -> (number: Int, isNew: Bool) {
        if 2 * (keys.count + 1) > index.count { grow() }
        let mask = index.count - 1
        let tag = UInt64(UInt(bitPattern: hash) >> 32) << 32
        var bucket = hash & mask
        while true {
            let slot = index[bucket]
            if slot == 0 { break }
            if slot & 0xFFFF_FFFF_0000_0000 == tag {
                let number = Int(slot & 0xFFFF_FFFF) - 1
                if matches(keys[number], bytes) { return (number, false) }
            }
            bucket = (bucket + 1) & mask
        }
        let number = keys.count
        keys.append(Key(start: arena.count, count: bytes.count, hash: hash))
        arena.append(contentsOf: bytes)
        index[bucket] = tag | UInt64(number + 1)
        return (number, true)
    }

    /// The key numbered `number`.
    public func key(_ number: Int) -> String {
        let key = keys[number]
        return String(decoding: arena[key.start..<(key.start + key.count)], as: UTF8.self)
    }

    private func matches(_ key: Key, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard key.count == bytes.count else { return false }
        guard key.count > 0, let base = bytes.baseAddress else { return true }
        return arena.withUnsafeBufferPointer { arena in
            guard let start = arena.baseAddress else { return false }
            return memcmp(start + key.start, base, key.count) == 0
        }
    }

    private mutating func grow() {
        let size = Swift.max(16, index.count * 2)
        var table = [UInt64](repeating: 0, count: size)
        let mask = size - 1
        for (number, key) in keys.enumerated() {
            var bucket = key.hash & mask
            while table[bucket] != 0 { bucket = (bucket + 1) & mask }
            table[bucket] = UInt64(UInt(bitPattern: key.hash) >> 32) << 32 | UInt64(number + 1)
        }
        index = table
    }
}
