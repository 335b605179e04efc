import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncSpool

@Suite struct SpoolFileTests {
    func entry(_ id: String, platform: PlatformID = .credit, key: String = "浙知许〔2026〕1号") -> SpoolEntry {
        let payload = JSONObject([JSONMember("XK_WSH", .string(key)), JSONMember("XK_XDR_MC", .string("杭州某某科技有限公司（测试）"))])
        return SpoolEntry(id: id, platform: platform, dataset: .license, key: key, op: "upsert", reason: "new", payload: payload,
            hash: JSONWriter.canonicalHash(.object(payload)), batchID: "b-1", attempts: 2, firstAttempt: 1_790_000_000,
            lastAttempt: 1_790_000_300, nextAttempt: 1_790_000_900,
            errors: [SpoolError(at: 1_790_000_300, errorClass: "transient", status: 503, code: nil, message: "HTTP 503")])
    }

    func file(_ spool: Spool, _ entry: SpoolEntry, _ state: SpoolState) -> String {
        spool.directory(entry.platform, state) + "/" + entry.id
    }

    @Test func anEntryReadBackKeepsItsPayloadByteForByte() throws {
        let directory = try TemporaryDirectory("spool")
        let spool = Spool(stateDir: directory.path)
        let original = entry("20261122T010000-aa")
        try spool.write(original, to: .deferred)
        let bytes = try FileSystem.read(file(spool, original, .deferred))
        #expect(bytes.starts(with: Array("credsync-spool 2 ".utf8)))
        let read = try #require(spool.entries().entries.first)
        #expect(read.entry == original)
        #expect(read.state == .deferred)
        // Rewritten with another attempt, its payload line is the same bytes.
        var again = read.entry
        again.attempts = 3
        try spool.write(again, to: .hold)
        let rewritten = try FileSystem.read(file(spool, original, .hold))
        func payloadLine(_ bytes: [UInt8]) -> ArraySlice<UInt8> { bytes.split(separator: 0x0A, maxSplits: 2).last ?? [] }
        #expect(payloadLine(rewritten) == payloadLine(bytes))
        #expect(rewritten != bytes)
        #expect(spool.entries().entries.first { $0.state == .hold }?.entry == again)
    }

    @Test func readsFormatOneFiles() throws {
        let directory = try TemporaryDirectory("spool")
        let spool = Spool(stateDir: directory.path)
        let original = entry("20261122T010000-bb")
        var object = try #require(original.summaryJSON.objectValue)
        object["payload"] = original.payload.map { .object($0) }
        let body = Array(JSONWriter.compact(.object(object)).utf8)
        let path = file(spool, original, .deferred)
        try FileSystem.createDirectory(FileSystem.parent(of: path))
        try FileSystem.writeAtomically(path, Array("credsync-spool 1 \(body.count) \(SHA256.hex(body))\n".utf8) + body, mode: 0o640)
        #expect(spool.entries().entries.map(\.entry) == [original])
    }

    @Test func aTornOrAlteredFileGoesToCorrupt() throws {
        let directory = try TemporaryDirectory("spool")
        let spool = Spool(stateDir: directory.path)
        let torn = entry("20261122T010000-cc")
        let altered = entry("20261122T010000-dd", key: "k2")
        try spool.write(torn, to: .deferred)
        try spool.write(altered, to: .deferred)
        let tornPath = file(spool, torn, .deferred)
        let bytes = try FileSystem.read(tornPath)
        try FileSystem.writeAtomically(tornPath, Array(bytes.prefix(bytes.count - 10)), mode: 0o640)
        var changed = try FileSystem.read(file(spool, altered, .deferred))
        changed[changed.count - 3] ^= 0x01
        try FileSystem.writeAtomically(file(spool, altered, .deferred), changed, mode: 0o640)
        let listing = spool.entries()
        #expect(listing.entries.isEmpty)
        #expect(listing.corrupted.map(\.path).sorted() == [file(spool, torn, .corrupt), file(spool, altered, .corrupt)].sorted())
    }

    @Test func listsEveryPlatformAndStateInIdOrder() throws {
        let directory = try TemporaryDirectory("spool")
        let spool = Spool(stateDir: directory.path)
        try spool.write(entry("3", platform: .ipp), to: .dead)
        try spool.write(entry("1", platform: .gsxt), to: .hold)
        try spool.write(entry("2", platform: .credit), to: .deferred)
        let listing = spool.entries().entries
        #expect(listing.map(\.entry.id) == ["1", "2", "3"])
        #expect(listing.map(\.state) == [.hold, .deferred, .dead])
    }
}
