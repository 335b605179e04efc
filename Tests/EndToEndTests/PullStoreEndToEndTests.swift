import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncReconciliation
@testable import CredsyncState

/// The pull's state in the state store (`credsync.db`): each page with its cursor in one
/// transaction, natural persons' numbers never in clear, look-ups by key.
@Suite struct PullStoreEndToEndTests {
    /// The enterprise feed's cursor as the sandbox writes it (`<seq>.<issued>`): the last seq covered.
    static func cursorSeq(_ stateDir: String) throws -> Int? {
        guard FileManager.default.fileExists(atPath: StateStore.path(stateDir: stateDir)) else { return nil }
        guard let cursor = try StateStore(stateDir: stateDir).cursors()["enterprises"] else { return nil }
        return cursor.split(separator: ".").first.flatMap { Int($0) }
    }

    @Test func aPullKilledBetweenPagesResumesWithoutLosingOrSkippingARecord() throws {
        // A feed of 30,000 enterprises, then 1,000 of them renamed: 31 pages of 1,000.
        let directory = try TemporaryDirectory("feed")
        let count = 30_000
        let renamed = 1_000
        func code(_ i: Int) -> String { "913301" + String(format: "%011d", i) + "X" }
        var feed = ""
        for i in 0..<count {
            feed +=
                #"{"uscc": "\#(code(i))", "name": "企业\#(i)", "type": "有限责任公司", "status": "存续", "#
                + #""updatedAt": "2026-01-05T02:00:00Z"}"# + "\n"
        }
        for i in 0..<renamed {
            feed +=
                #"{"uscc": "\#(code(i))", "name": "改名\#(i)", "status": "存续", "updatedAt": "2026-02-05T02:00:00Z"}"#
                + "\n"
        }
        let feedFile = try directory.write("enterprises.jsonl", feed)
        let sandbox = try SandboxProcess(["--enterprises", feedFile])
        let env = try SyncEnvironment(sandbox: sandbox, platforms: [.gsxt])
        // Slow pages, so the pull is still going when it is killed.
        try sandbox.admin("POST", "faults", ["platform": "gsxt", "latencyMs": 100])
        let total = count + renamed
        var killedAt: [Int] = []
        for target in [3_000, 15_000] {
            let pull = try env.start(["pull"])
            let reached = try waitUntil { (try Self.cursorSeq(env.stateDir) ?? 0) >= target || !pull.isRunning }
            #expect(reached)
            kill(pull.processIdentifier, SIGKILL)
            pull.waitUntilExit()
            // What the kill left: every record up to the cursor, none after it.
            let seq = try #require(try Self.cursorSeq(env.stateDir))
            killedAt.append(seq)
            let store = try StateStore(stateDir: env.stateDir)
            #expect(try store.database.integer("SELECT max(seq) FROM enterprise") == seq)
            #expect(try store.enterpriseCount() == min(seq, count))
        }
        #expect(killedAt.allSatisfy { $0 < total }, "the pull was killed after the last page: \(killedAt)")
        let last = try env.credsync(["pull", "--json"])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(try Self.cursorSeq(env.stateDir) == total)
        let store = try EnterpriseStore(stateDir: env.stateDir)
        // Every feed record (the exports' other subjects were queried: rows without a record).
        #expect(try store.state.database.integer("SELECT count(*) FROM enterprise WHERE not_found = 0") == count)
        for i in stride(from: 0, to: count, by: 7) {
            let stored = try #require(try store.enterprise(code(i)))
            #expect(stored.name == (i < renamed ? "改名\(i)" : "企业\(i)"))
            #expect(stored.seq == (i < renamed ? count + i + 1 : i + 1))
        }
        #expect(!FileManager.default.fileExists(atPath: env.stateDir + "/enterprises"))
    }

    @Test func personalNumbersAreNeverInTheStateInClearAndStillCrossChecked() throws {
        // Two pledgors' 身份证号 in pledges.csv that also pass the USCC check: queried, not found.
        let people = ["330106199210058878", "330106196405048211"]
        let env = try SyncEnvironment()
        let pulled = try env.credsync(["pull", "--json"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        let sync = try env.credsync(["sync", "--no-pull"])
        #expect(sync.status <= 1, "\(sync.stderr)")
        // Not in any file of the state directory (the store's database and WAL included).
        let files = FileManager.default.enumerator(atPath: env.stateDir)?.compactMap { $0 as? String } ?? []
        #expect(files.contains("credsync.db"))
        #expect(!files.contains { $0.hasPrefix("enterprises") }, "\(files)")
        for file in files {
            guard let data = FileManager.default.contents(atPath: env.stateDir + "/" + file) else { continue }
            for person in people {
                #expect(data.range(of: Data(person.utf8)) == nil, "\(file) holds \(person)")
            }
        }
        // The store keeps them by hash; the cross-check finds them through it, masked.
        let store = try EnterpriseStore(stateDir: env.stateDir)
        for person in people {
            #expect(try store.enterprise(person)?.notFound == true)
            let key = "sha256:" + SHA256.hex(person)
            #expect(
                try store.state.database.integer("SELECT count(*) FROM enterprise WHERE uscc = ?", [.text(key)]) == 1)
        }
        let check = try env.credsync(["check", "--json"])
        #expect(!people.contains { check.stdout.contains($0) })
        let findings = (try JSONParser.parse(check.stdout)["datasets"]?.arrayValue ?? [])
            .flatMap { $0["crossChecks"]?.arrayValue ?? [] }
        #expect(findings.contains { $0["kind"] == "unknown" && $0["uscc"] == "330106********8878" })
        let shown = try env.credsync(["enterprise", "show", people[0], "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(try JSONParser.parse(shown.stdout)["notFound"] == .bool(true))
        #expect(!shown.stdout.contains(people[0]))

        // A damaged record is an error naming the store and the way back, not a missing enterprise.
        let plan = ["plan", "--detailed-exitcode"]
        let code = try #require(findings.first { $0["kind"] == "nameMismatch" }?["uscc"]?.stringValue)
        try store.state.database.execute("UPDATE enterprise SET record = '{\"name\": ' WHERE uscc = ?", [.text(code)])
        let refused = try env.credsync(plan)
        #expect(refused.status == 74, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains(StateStore.path(stateDir: env.stateDir)), "\(refused.stderr)")
        #expect(refused.stderr.contains("credsync pull --full"), "\(refused.stderr)")
        #expect(try env.credsync(["pull", "--full"]).status == 0)
        #expect(try store.enterprise(code)?.notFound == false)
    }
}
