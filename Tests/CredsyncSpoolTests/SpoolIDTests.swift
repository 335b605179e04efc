import CredsyncSpool
import Testing

@Suite struct SpoolIDTests {
    @Test func idsMadeTogetherNeverCollideAndDifferEarly() {
        let ids = Spool.newIDs(200_000, now: 1_796_224_852)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix("20261202T152052-") && $0.utf8.count == 24 })
        // Neighbours share no more than a few leading hex digits: a short prefix still names one.
        let shared = zip(ids, ids.dropFirst()).map { a, b in zip(a.utf8, b.utf8).prefix { $0 == $1 }.count }
        #expect(shared.filter { $0 >= 16 + 4 }.count < ids.count / 100)
    }

    @Test func idsOfTheSameInstantFromTwoCallsDoNotCollide() {
        let first = Spool.newIDs(5000, now: 1_796_224_852)
        let second = (0..<5000).map { _ in Spool.newID(now: 1_796_224_852) }
        #expect(Set(first + second).count == 10_000)
    }
}
