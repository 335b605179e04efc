import CredsyncCore
import CredsyncState
import Foundation
import TestSupport
import Testing

@testable import CredsyncSpool

/// The queue over the state store: what is written reads back, states change in place, and a
/// row the store holds but credsync cannot read is listed as corrupt by id.
@Suite struct SpoolStoreTests {
    func entry(_ id: String, platform: PlatformID = .credit, key: String = "浙知许〔2026〕1号") -> SpoolEntry {
        let payload = JSONObject([
            JSONMember("XK_WSH", .string(key)), JSONMember("XK_XDR_MC", .string("杭州某某科技有限公司（测试）")),
            JSONMember("XK_XDR_ZJHM", .string("110105199001010017")),
        ])
        return SpoolEntry(
            id: id, platform: platform, dataset: .license, key: key, op: .upsert, reason: .new, payload: payload,
            hash: JSONWriter.canonicalHash(.object(payload)), batchID: "b-1", attempts: 2, firstAttempt: 1_790_000_000,
            lastAttempt: 1_790_000_300, nextAttempt: 1_790_000_900,
            errors: [SpoolError(at: 1_790_000_300, errorClass: .transient, status: 503, code: nil, message: "HTTP 503")]
        )
    }

    /// A spool over a fresh store; the directory lives as long as the returned value.
    func spool() throws -> (Spool, StateStore, TemporaryDirectory) {
        let directory = try TemporaryDirectory("spool")
        let store = try StateStore(stateDir: directory.path)
        let seal = PersonalSeal(cipher: FieldCipher(key: try DataKey.generate()), keyFile: nil)
        return (Spool(store: store, seal: seal), store, directory)
    }

    @Test func anEntryReadBackEqualsWhatWasWrittenAndARewriteKeepsItsPayloadAndHistory() throws {
        let (spool, store, directory) = try spool()
        defer { withExtendedLifetime(directory) {} }
        let original = entry("20261122T010000-aa")
        try spool.write(original, to: .deferred)
        let read = try #require(try spool.entries().entries.first)
        #expect(read.entry == original)
        #expect(read.state == .deferred)
        #expect(read.entry.lastError == original.errors.last)
        let payload = try store.queuePayload(id: original.id)
        // Rewritten with another attempt and moved: the stored payload and history are left as they are.
        var again = read.entry
        again.attempts = 3
        try spool.write(again, to: .hold)
        #expect(try store.queuePayload(id: original.id) == payload)
        let listing = try spool.entries().entries
        #expect(listing.count == 1 && listing.first?.state == .hold && listing.first?.entry == again)
        // A failure appended to a history read from the store keeps the older ones.
        var failed = try #require(listing.first).entry
        failed.errors.append(
            SpoolError(at: 1_790_001_000, errorClass: .permanent, status: 403, code: "E", message: "no"))
        try spool.write(failed, to: .hold)
        #expect(try store.queueErrors(id: original.id).map(\.failureClass) == [.transient, .permanent])
        #expect(try spool.entries().entries.first?.entry.lastError?.status == 403)
    }

    @Test func writingToAnotherStateThenRemovingFromTheOldOneKeepsTheEntry() throws {
        let (spool, _, directory) = try spool()
        defer { withExtendedLifetime(directory) {} }
        let queued = entry("20261122T010000-bb")
        try spool.write(queued, to: .deferred)
        // As DatasetPush moves an entry: write it where it goes, then remove it from where it was.
        try spool.write(queued, to: .dead)
        try spool.remove(queued, from: .deferred)
        #expect(try spool.entries().entries.map(\.state) == [.dead])
        try spool.move(queued, from: .dead, to: .hold)
        #expect(throws: CredsyncError.self) { try spool.move(queued, from: .dead, to: .deferred) }
        try spool.remove(queued, from: .hold)
        #expect(try spool.entries().entries.isEmpty)
    }

    @Test func listsEveryPlatformAndStateInIdOrderAndByPlatform() throws {
        let (spool, _, directory) = try spool()
        defer { withExtendedLifetime(directory) {} }
        try spool.write(entry("3", platform: .ipp), to: .dead)
        try spool.write(entry("1", platform: .gsxt), to: .hold)
        try spool.write(entry("2", platform: .credit), to: .deferred)
        let listing = try spool.entries().entries
        #expect(listing.map(\.entry.id) == ["1", "2", "3"])
        #expect(listing.map(\.state) == [.hold, .deferred, .dead])
        #expect(try spool.entries(platforms: [.gsxt, .ipp]).entries.map(\.entry.id) == ["1", "3"])
        #expect(try spool.entries(Spool.Selection(state: .hold)).entries.map(\.entry.id) == ["1"])
    }

    @Test func changesInAnOuterTransactionThatFailsLeaveNoTrace() throws {
        let (spool, store, directory) = try spool()
        defer { withExtendedLifetime(directory) {} }
        try spool.write(entry("1"), to: .deferred)
        #expect(throws: CredsyncError.self) {
            try store.transaction { () throws(CredsyncError) in
                try spool.write(entry("2"), to: .deferred)
                try spool.remove(entry("1"), from: .deferred)
                throw CredsyncError(.ioError, "the batch's ledger change failed")
            }
        }
        #expect(try spool.entries().entries.map(\.entry.id) == ["1"])
    }

    @Test func aRowThatCannotBeReadBackIsListedAsCorruptByIdAndDropped() throws {
        let (spool, store, directory) = try spool()
        defer { withExtendedLifetime(directory) {} }
        try spool.write(entry("1"), to: .deferred)
        try spool.write(entry("2", key: "k2"), to: .deferred)
        // As a hand edit (or another credsync) could leave it, past the schema's checks.
        try store.database.execute("PRAGMA ignore_check_constraints = ON")
        try store.database.execute("UPDATE queue SET state = 'paused' WHERE id = '1'")
        try store.database.execute("UPDATE queue SET payload = '{\"XK_WSH\": ' WHERE id = '2'")
        try store.database.execute("PRAGMA ignore_check_constraints = OFF")
        let listing = try spool.entries()
        #expect(listing.entries.map(\.entry.id) == ["2"])
        let corrupt = try #require(listing.corrupted.first)
        #expect(corrupt.id == "1" && corrupt.platform == .credit)
        #expect(corrupt.problem.contains("state is \"paused\""), "\(corrupt.problem)")
        #expect(corrupt.fields.map(\.0) == ["dataset", "key", "op", "reason"])
        // A payload that does not parse is found when it is read, never sent half.
        let damaged = try #require(listing.entries.first).entry
        #expect(damaged.payload == nil)
        #expect(throws: CredsyncError.self) { try spool.payload(of: damaged) }
        try spool.remove(corrupt)
        #expect(try spool.entries().corrupted.isEmpty)
    }

    @Test func theSchemaRefusesAPayloadThatIsNotAJSONObject() throws {
        let (spool, store, directory) = try spool()
        defer { withExtendedLifetime(directory) {} }
        try spool.write(entry("1"), to: .deferred)
        #expect(throws: CredsyncError.self) {
            try store.database.execute("UPDATE queue SET payload = '[1, 2]' WHERE id = '1'")
        }
        #expect(throws: CredsyncError.self) {
            try store.database.execute("UPDATE queue SET payload = 'not json' WHERE id = '1'")
        }
    }
}
