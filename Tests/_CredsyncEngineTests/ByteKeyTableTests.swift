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
}
