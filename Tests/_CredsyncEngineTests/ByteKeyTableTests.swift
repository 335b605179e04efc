import Testing

@testable import _CredsyncEngine

@Suite struct ByteKeyTableTests {
    func insert(_ table: inout ByteKeyTable, _ key: String) -> (number: Int, isNew: Bool) {
        var key = key
        return key.withUTF8 { table.insert($0, hash: ByteKeyTable.hash($0)) }
    }

    @Test func numbersKeysInInsertionOrderThroughGrowthAsADictionaryWould() {
        var table = ByteKeyTable()
        var expected: [String: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50_000 {
            let key = "浙知许〔2026〕\(Int.random(in: 0..<20_000, using: &generator))号"
            let (number, isNew) = insert(&table, key)
            if let known = expected[key] {
                #expect(!isNew && number == known)
            } else {
                #expect(isNew && number == expected.count)
                expected[key] = number
            }
        }
        #expect(table.count == expected.count)
        #expect(expected.allSatisfy { table.key($0.value) == $0.key })
    }

    @Test func keysAreToldApartByTheirBytes() {
        var table = ByteKeyTable()
        #expect(insert(&table, "\u{E9}") == (0, true))
        #expect(insert(&table, "e\u{301}") == (1, true))
        #expect(insert(&table, "") == (2, true))
        #expect(insert(&table, "") == (2, false))
        #expect(insert(&table, "e\u{301}") == (1, false))
        #expect(table.key(1).utf8.elementsEqual("e\u{301}".utf8))
    }

    struct Slot: ByteKeySlot {
        var key: ArenaSpan
        var keyHash: UInt32
        var isRemoved = false
    }

    /// The one table behind the key sets and the ledger: a removed key is not found, comes back
    /// as a new slot, and a rebuild drops the removed slots and keeps the rest findable.
    @Test func removedKeysAreGoneAndRebuildsKeepTheRest() {
        var index = ByteKeyIndex<Slot>()
        func withKey<T>(_ key: String, _ body: (UnsafeBufferPointer<UInt8>, Int) -> T) -> T {
            var key = key
            return key.withUTF8 { body($0, ByteKeyTable.hash($0)) }
        }
        for i in 0..<1_000 {
            _ = withKey("key-\(i)") { bytes, hash in index.insert(bytes, hash: hash) { Slot(key: $0, keyHash: $1) } }
        }
        for i in stride(from: 0, to: 1_000, by: 2) {
            if let number = withKey("key-\(i)", { index.remove($0, hash: $1) }) { index[number].isRemoved = true }
        }
        #expect(index.live == 500)
        #expect(withKey("key-2") { index.find($0, hash: $1) } == nil)
        let back = withKey("key-2") { bytes, hash in index.insert(bytes, hash: hash) { Slot(key: $0, keyHash: $1) } }
        #expect(back == (1_000, true))
        index.rebuildIndex(capacity: 4_000)
        #expect(index.slotCount == 501 && index.live == 501)
        for i in 0..<1_000 {
            let number = withKey("key-\(i)") { index.find($0, hash: $1) }
            #expect((number != nil) == (i % 2 == 1 || i == 2), "key-\(i)")
            if let number { #expect(index.string(index[number].key) == "key-\(i)") }
        }
    }

    /// Key numbers in byte order are the keys sorted as strings in code-point order.
    @Test func numbersInByteOrderSortTheKeysByCodePoint() {
        var table = ByteKeyTable()
        let keys = (0..<2_000).map { i in ["浙", "a", "Z", "9", "é", ""][i % 6] + String(i * 7919 % 2_003) }
        for key in keys { _ = insert(&table, key) }
        let sorted = table.numbersInByteOrder().map { table.key(Int($0)) }
        #expect(sorted == Array(Set(keys)).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) })
    }
}
