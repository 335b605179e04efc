import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncReconciliation
@testable import CredsyncState

@Suite struct PullEndToEndTests {
    func json(_ result: Binaries.Result) throws -> JSONValue { try JSONParser.parse(result.stdout) }

    @Test func feedIsPagedIntoTheStoreAndChangesShowUpAsCrossChecks() throws {
        let env = try SyncEnvironment()
        let pulled = try env.credsync(["pull", "--json"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect((try json(pulled)["enterprises"]?.intValue ?? 0) > 2900)
        #expect(try json(pulled)["listItems"]?.intValue == 38)
        let check = try env.credsync(["check", "--json"])
        let findings = (try json(check)["datasets"]?.arrayValue ?? []).flatMap { $0["crossChecks"]?.arrayValue ?? [] }
        let kinds = Set(findings.compactMap { $0["kind"]?.stringValue })
        #expect(kinds.contains("nameMismatch"))
        #expect(kinds.contains("deregistered"))
        #expect(kinds.contains("seriousIllegal"))
        let renamed = try #require(findings.first { $0["kind"] == "nameMismatch" })
        #expect(renamed["message"]?.stringValue?.contains("集团有限公司") == true)
        // The run report lists them too.
        _ = try env.credsync(["sync", "--platform", "credit"])
        #expect(
            try env.latestReport()["warnings"]?.arrayValue?.contains {
                $0.stringValue?.hasPrefix("cross-check:") == true
            } == true)
    }

    @Test func blockingCrossChecksSetTheRecordAside() throws {
        let env = try SyncEnvironment()
        let config = try String(contentsOfFile: env.configFile, encoding: .utf8)
        try config.replacingOccurrences(
            of: #""stateDir": "state","#, with: #""stateDir": "state", "crossChecks": {"nameMismatch": "block"},"#
        )
        .write(toFile: env.configFile, atomically: true, encoding: .utf8)
        _ = try env.credsync(["pull"])
        let check = try env.credsync(["check", "--json"])
        let findings = (try JSONParser.parse(check.stdout)["datasets"]?.arrayValue ?? []).flatMap {
            $0["crossChecks"]?.arrayValue ?? []
        }
        let blocked = findings.filter { $0["blocking"] == .bool(true) }
        #expect(!blocked.isEmpty && blocked.allSatisfy { $0["kind"] == "nameMismatch" })
        _ = try env.credsync(["sync", "--platform", "credit"])
        let report = try env.latestReport()
        let setAside = report["setAside"]?.arrayValue ?? []
        #expect(setAside.contains { ($0["reasons"]?.arrayValue ?? []).contains { $0["rule"] == "E_CROSS_CHECK" } })
        let key = try #require(blocked.first?["key"]?.stringValue)
        let datasets = try env.sandbox.holdings(.credit, .license).merging(try env.sandbox.holdings(.credit, .pledge)) {
            a, _ in a
        }
        .merging(try env.sandbox.holdings(.credit, .penalty)) { a, _ in a }.merging(
            try env.sandbox.holdings(.credit, .dishonesty)
        ) { a, _ in a }
        #expect(datasets[key] == nil)
    }

    @Test func aCrashBetweenStoringAndSavingTheCursorLosesNothing() throws {
        let env = try SyncEnvironment()
        _ = try env.credsync(["pull"])
        let before = try Self.contents(env.stateDir)
        // What a crash after the pages were stored, before the cursors were saved, would leave.
        try EnterpriseStore(stateDir: env.stateDir).state.removeCursors()
        let again = try env.credsync(["pull", "--json"])
        #expect(again.status == 0)
        let after = try Self.contents(env.stateDir)
        #expect(after.enterprises.count == before.enterprises.count)
        #expect(after.enterprises == before.enterprises)
        #expect(after.listEntries == before.listEntries)
        #expect(try EnterpriseStore(stateDir: env.stateDir).cursors().keys.sorted() == ["enterprises", "list"])
    }

    /// Every enterprise's name (or nil for a code gsxt does not know) and every list entry, by key.
    static func contents(_ stateDir: String) throws -> (enterprises: [String: String?], listEntries: [String]) {
        let database = try EnterpriseStore(stateDir: stateDir).state.database
        var enterprises: [String: String?] = [:]
        try database.query("SELECT uscc, record FROM enterprise") { row in
            enterprises[row.text(0)] = row.optionalText(1).flatMap { try? JSONParser.parse($0)["name"]?.stringValue }
        }
        var entries: [String] = []
        try database.query("SELECT uscc, seq, entry FROM serious_illegal ORDER BY uscc, seq") { row in
            entries.append(row.text(0) + " " + row.text(2))
        }
        return (enterprises, entries)
    }

    @Test func anExpiredCursorFallsBackToAFullReread() throws {
        let env = try SyncEnvironment()
        _ = try env.credsync(["pull"])
        try env.sandbox.admin("POST", "faults", ["platform": "gsxt", "cursorLifetimeSeconds": 2])
        Thread.sleep(forTimeInterval: 3)
        let again = try env.credsync(["pull", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try json(again)["fullReread"] == .bool(true))
        #expect(again.stderr.contains("the saved cursor is no longer valid"))
    }

    @Test func subjectsRegisteredOutsideTheRegionAreQueried() throws {
        let env = try SyncEnvironment(region: "330100")
        let pulled = try env.credsync(["pull", "--json"])
        #expect((try json(pulled)["queried"]?.intValue ?? 0) > 100)
        // A Ningbo company named in the exports, not in Hangzhou's feed.
        let export = try String(contentsOfFile: env.directory.path + "/pledges.csv", encoding: .utf8)
        let code = try #require(export.split(separator: ",").first { $0.count == 18 && $0.hasPrefix("913302") })
            .description
        let shown = try env.credsync(["enterprise", "show", code, "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(try json(shown)["source"] == "query")
    }

    @Test func olderPagesReadAgainDoNotOverwriteNewerOnes() throws {
        let directory = try TemporaryDirectory("store")
        let store = try EnterpriseStore(stateDir: directory.path)
        let newer: JSONValue = ["uscc": "91330100716105852F", "name": "新名称有限公司", "status": "存续"]
        let older: JSONValue = ["uscc": "91330100716105852F", "name": "旧名称有限公司", "status": "存续"]
        try store.append(enterprises: [(seq: 9, enterprise: newer)])
        try store.append(enterprises: [(seq: 3, enterprise: older), (seq: 9, enterprise: newer)])
        #expect(try store.enterprise("91330100716105852F")?.name == "新名称有限公司")
        // A not-found answer does not replace a record either.
        try store.append(enterprises: [], notFound: ["91330100716105852F"])
        let reloaded = try EnterpriseStore(stateDir: directory.path)
        #expect(try reloaded.enterprise("91330100716105852F")?.name == "新名称有限公司")
        #expect(try reloaded.enterprise("91330100716105852F")?.seq == 9)
    }
}
