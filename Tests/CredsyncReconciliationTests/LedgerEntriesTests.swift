import CredsyncCore
import Testing

@testable import CredsyncReconciliation

@Suite struct LedgerEntriesTests {
    func entry(_ hash: String, published: Bool = true, version: Int = 1, batch: String = "b") -> LedgerEntry {
        LedgerEntry(hash: hash, isPublished: published, version: version, updatedAt: 1_700_000_000, batchID: batch)
    }

    @Test func setsReplacesAndRemovesEntriesThroughGrowth() {
        var entries = LedgerEntries()
        for i in 0..<5_000 { entries["浙知许〔2026〕\(i)号"] = entry("h\(i)", batch: "batch-\(i / 500)") }
        #expect(entries.count == 5_000)
        entries["浙知许〔2026〕42号"]?.isPublished = false
        entries["浙知许〔2026〕43号"] = entry("new", version: 2)
        for i in stride(from: 0, to: 5_000, by: 2) { entries["浙知许〔2026〕\(i)号"] = nil }
        #expect(entries.count == 2_500)
        #expect(entries["浙知许〔2026〕42号"] == nil)
        #expect(entries["浙知许〔2026〕43号"] == entry("new", version: 2))
        #expect(entries["浙知许〔2026〕45号"] == entry("h45", batch: "batch-0"))
        #expect(entries.publishedCount == 2_500)
        entries["浙知许〔2026〕42号"] = entry("back")
        #expect(entries.count == 2_501 && entries.contains("浙知许〔2026〕42号"))
        #expect(Array(entries).count == 2_501)
    }

    /// The warm-sync memory target counts on 32 bytes a ledger entry beside its key and hash (a
    /// batch id is kept once), and a step's place costs no more as an optional than it did as -1.
    @Test func slotsAndStepsStaySmall() {
        #expect(MemoryLayout<LedgerEntries.Slot>.stride == 32)
        #expect(MemoryLayout<PlanStep>.stride == 48)
    }

    /// Random keys, batches read in no order, versions and times of any size, flags set and
    /// changed, keys removed and set again: the table answers as a dictionary does.
    @Test func answersAsADictionaryOverRandomEntries() {
        var random = SystemRandomNumberGenerator()
        var entries = LedgerEntries()
        var expected: [String: LedgerEntry] = [:]
        let keys = (0..<3_000).map { "K-\($0 * 7919 % 3_001)-" + String(repeating: "x", count: $0 % 40) }
        for round in 0..<20_000 {
            let key = keys[Int.random(in: 0..<keys.count, using: &random)]
            if round % 7 == 3 {
                entries[key] = nil
                expected[key] = nil
                continue
            }
            let hash =
                Bool.random(using: &random)
                ? SHA256.hex(key + String(round)) : "text-\(Int.random(in: 0..<9, using: &random))"
            let entry = LedgerEntry(
                hash: hash, isPublished: Bool.random(using: &random),
                version: round % 3 == 0
                    ? Int.random(in: Int.min...Int.max, using: &random) : Int.random(in: 0..<100, using: &random),
                updatedAt: round % 5 == 0
                    ? Int.random(in: 0...Int.max, using: &random) : Int.random(in: 0...1 << 32, using: &random),
                batchID: round % 11 == 0 ? "" : "batch-\(Int.random(in: 0..<300, using: &random))")
            entries[key] = entry
            expected[key] = entry
        }
        #expect(entries.count == expected.count)
        #expect(entries.publishedCount == expected.values.filter(\.isPublished).count)
        for key in keys { #expect(entries[key] == expected[key], "\(key)") }
        #expect(Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) }) == expected)
    }

    /// A 64-hex hash is held as its 32 bytes and read back as it was written; any other text as it is.
    @Test func hashesReadBackAsWritten() {
        var entries = LedgerEntries()
        let hex = String(repeating: "0123456789abcdef", count: 4)
        entries["a"] = entry(hex)
        entries["b"] = entry(String(repeating: "0123456789ABCDEF", count: 4))
        entries["c"] = entry("short")
        #expect(entries["a"]?.hash == hex)
        #expect(entries["b"]?.hash == String(repeating: "0123456789ABCDEF", count: 4))
        #expect(entries["c"]?.hash == "short")
        let digest = Array("x".utf8).withUnsafeBytes { SHA256.Digest(of: $0) }
        entries["d"] = entry(digest.hex)
        let place = entries.place(of: "d")
        #expect(place.map { entries.hasHash(digest, at: $0) } == true)
        #expect(entries.place(of: "a").map { entries.hasHash(digest, at: $0) } == false)
    }

    @Test func keysAreComparedByTheirBytesNotCanonicalEquivalence() {
        var entries = LedgerEntries()
        entries["caf\u{E9}"] = entry("composed")
        entries["cafe\u{301}"] = entry("decomposed")
        #expect(entries.count == 2)
        #expect(entries["caf\u{E9}"]?.hash == "composed")
        #expect(entries["cafe\u{301}"]?.hash == "decomposed")
    }

    @Test func sortsKeysInCodePointOrder() {
        let entries: LedgerEntries = [
            "b": entry("1"), "浙": entry("2"), "a": entry("3", published: false), "ab": entry("4"), "": entry("5"),
        ]
        #expect(entries.sortedKeys { _, _ in true } == ["", "a", "ab", "b", "浙"])
        #expect(entries.sortedKeys { _, entry in entry.isPublished } == ["", "ab", "b", "浙"])
    }
}
