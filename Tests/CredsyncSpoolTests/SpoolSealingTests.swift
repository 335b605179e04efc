import CredsyncCore
import CredsyncState
import Foundation
import TestSupport
import Testing

@testable import CredsyncSpool

/// Personal values of queue payloads are sealed in the store, open only under their key, and a
/// rotation re-seals all of them under the new key.
@Suite struct SpoolSealingTests {
    static let number = "110105199001010017"

    func entry(_ id: String, key: String = "浙知许〔2026〕1号") -> SpoolEntry {
        let payload = JSONObject([
            JSONMember("XK_WSH", .string(key)), JSONMember("XK_XDR_ZJHM", .string(Self.number)),
            JSONMember("XK_NR", .string("许可 \(Self.number) 内容")), JSONMember("XK_XDR_MC", .string("张三")),
        ])
        return SpoolEntry(
            id: id, platform: .credit, dataset: .license, key: key, op: .upsert, reason: .new, payload: payload,
            hash: JSONWriter.canonicalHash(.object(payload)), batchID: "b-1", attempts: 1, firstAttempt: 1_790_000_000,
            lastAttempt: 1_790_000_300, nextAttempt: 1_790_000_900, errors: [])
    }

    static func seal(_ key: DataKey) -> PersonalSeal { PersonalSeal(cipher: FieldCipher(key: key), keyFile: nil) }

    @Test func personalValuesAreSealedAndOpenOnlyUnderTheirKey() throws {
        let directory = try TemporaryDirectory("sealing")
        let store = try StateStore(stateDir: directory.path)
        let key = try DataKey.generate()
        let spool = Spool(store: store, seal: Self.seal(key))
        let original = entry("1")
        try spool.write(original, to: .deferred)
        let stored = try #require(try store.queuePayload(id: "1"))
        #expect(!stored.contains(Self.number))
        #expect(stored.contains("张三") && stored.contains("sm4:1:\(key.id):"))
        let read = try #require(try spool.entries().entries.first)
        #expect(try spool.payload(of: read.entry) == original.payload)
        try spool.checkKey()
        // Another key, or none: exit 78, never the sealed text as the value.
        let other = Spool(store: store, seal: Self.seal(try DataKey.generate()))
        let otherRead = try #require(try other.entries().entries.first)
        #expect(throws: CredsyncError.self) { try other.payload(of: otherRead.entry) }
        #expect((try? other.checkKey()) == nil)
        do { try other.checkKey() } catch { #expect(error.exitCode == .configuration) }
        let none = Spool(store: store, seal: .none)
        do { try none.write(entry("2", key: "K2"), to: .deferred) } catch { #expect(error.exitCode == .configuration) }
        #expect(try store.queuePayload(id: "2") == nil)
        // A value moved to another record does not open.
        try store.database.execute("UPDATE queue SET key = 'other' WHERE id = '1'")
        let moved = try #require(try spool.entries().entries.first)
        #expect(throws: CredsyncError.self) { try spool.payload(of: moved.entry) }
    }

    @Test func rotationReSealsEverythingUnderTheNewKeyInOneGo() throws {
        let directory = try TemporaryDirectory("sealing")
        let store = try StateStore(stateDir: directory.path)
        let old = try DataKey.generate()
        let new = try DataKey.generate()
        let spool = Spool(store: store, seal: Self.seal(old))
        for i in 1...3 { try spool.write(entry("\(i)", key: "K\(i)"), to: .deferred) }
        // A value that does not open stops the rotation: nothing changes.
        let before = try store.queuePayload(id: "1")
        try store.database.execute(
            "UPDATE queue SET payload = replace(payload, 'sm4:1:\(old.id):', 'sm4:1:\(old.id):00') WHERE id = '3'")
        #expect(throws: CredsyncError.self) { try spool.reseal(under: new) }
        #expect(try store.queuePayload(id: "1") == before)
        try store.database.execute("DELETE FROM queue WHERE id = '3'")
        let done = try spool.reseal(under: new)
        #expect(done == Spool.Resealing(entries: 2, values: 4))
        let rotated = Spool(store: store, seal: Self.seal(new))
        try rotated.checkKey()
        for located in try rotated.entries().entries {
            #expect(try rotated.payload(of: located.entry)?["XK_XDR_ZJHM"] == .string(Self.number))
        }
        #expect((try? spool.checkKey()) == nil)
        #expect(try rotated.reseal(under: new).entries == 0)
    }

    @Test func payloadsKeptInClearByAnEarlierReleaseAreSealedOnce() throws {
        let directory = try TemporaryDirectory("sealing")
        let store = try StateStore(stateDir: directory.path)
        let spool = Spool(store: store, seal: Self.seal(try DataKey.generate()))
        let original = entry("1")
        let row = QueueRow(
            id: "1", platform: .credit, dataset: .license, key: original.key, op: .upsert, reason: "new",
            state: .deferred, hash: original.hash, batch: nil, attempts: 1, firstAttempt: 1, lastAttempt: 1,
            nextAttempt: 1)
        let clear = JSONWriter.compact(.object(try #require(original.payload)))
        try store.putQueueEntry(row, payload: clear, errors: [])
        try store.putQueueEntry(
            QueueRow(
                id: "2", platform: .credit, dataset: .license, key: "K2", op: .upsert, reason: "new",
                state: .deferred, hash: nil, batch: nil, attempts: 1, firstAttempt: 1, lastAttempt: 1, nextAttempt: 1),
            payload: #"{"XK_WSH":"K2","XK_NR":"编号 123456789012345678901"}"#, errors: [])
        // A passport number has no run of digits to find it by: it is sealed all the same.
        try store.putQueueEntry(
            QueueRow(
                id: "3", platform: .credit, dataset: .license, key: "K3", op: .upsert, reason: "new",
                state: .deferred, hash: nil, batch: nil, attempts: 1, firstAttempt: 1, lastAttempt: 1, nextAttempt: 1),
            payload: #"{"XK_WSH":"K3","XK_XDR_ZJHM":"E12345678"}"#, errors: [])
        #expect(try spool.sealClearPayloads() == 2)
        #expect(try store.queuePayload(id: "3")?.contains("E12345678") == false)
        #expect(try store.queuePayload(id: "1")?.contains(Self.number) == false)
        let read = try #require(try spool.entries().entries.first { $0.entry.id == "1" })
        #expect(try spool.payload(of: read.entry) == original.payload)
        #expect(try spool.sealClearPayloads() == 0)
    }
}
