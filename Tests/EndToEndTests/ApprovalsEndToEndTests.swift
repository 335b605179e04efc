import CredsyncCore
import Foundation
import TestSupport
import Testing

/// A plan a guardrail refuses is saved with its exact change set; `credsync approve` lets the next
/// run execute that set (or part of it) once, within `approvals.validFor`; anything else is refused.
@Suite struct ApprovalsEndToEndTests {
    /// A synced credit platform whose configuration has `approvals` as given.
    func environment(approvals: String) throws -> SyncEnvironment {
        let env = try SyncEnvironment(platforms: [.credit])
        let text = try String(contentsOfFile: env.configFile, encoding: .utf8)
        let configured = #""stateDir": "state", "approvals": \#(approvals),"#
        try text.replacingOccurrences(of: #""stateDir": "state","#, with: configured)
            .write(toFile: env.configFile, atomically: true, encoding: .utf8)
        let first = try env.credsync(["sync", "--dataset", "dishonesty"])
        #expect(first.status <= 1, "\(first.stderr)")
        return env
    }

    /// `credsync` run as `user` (`CREDSYNC_USER`, the tests' stand-in for a second Unix user).
    func credsync(_ env: SyncEnvironment, _ arguments: [String], as user: String) throws -> Binaries.Result {
        var environment = SyncEnvironment.environment
        environment["CREDSYNC_USER"] = user
        return try Binaries.run(
            "credsync", arguments + ["--config", env.configFile, "--as-of", "2026-11-20"], environment: environment,
            directory: env.directory.path)
    }

    /// Keeps the first `count` listings of the export (one JSON object a line).
    func keepListings(_ env: SyncEnvironment, _ count: Int) throws {
        let path = env.directory.path + "/dishonesty.jsonl"
        let original = env.directory.path + "/dishonesty.original"
        if !FileManager.default.fileExists(atPath: original) {
            try FileManager.default.copyItem(atPath: path, toPath: original)
        }
        let lines = try String(contentsOfFile: original, encoding: .utf8).split(separator: "\n")
        try (lines.prefix(count).joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The id a refusal names (`saved as P-…`).
    func savedID(_ text: String) throws -> String {
        let pattern = #"saved as P-[0-9]{8}-[0-9a-f]{6}"#
        let range = try #require(text.range(of: pattern, options: .regularExpression), "\(text)")
        return String(text[range].dropFirst("saved as ".count))
    }

    func withdrawn(_ env: SyncEnvironment) throws -> Int {
        try env.sandbox.holdings(.credit, .dishonesty).values.filter { $0.status == "withdrawn" }.count
    }

    func auditLines(_ env: SyncEnvironment) throws -> [JSONValue] {
        try String(contentsOfFile: env.stateDir + "/audit/audit.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try JSONParser.parse(String($0)) }
    }

    @Test func aHalvedExportIsRefusedApprovedByASecondUserThenAppliedOnce() throws {
        let env = try environment(approvals: #"{"requireDifferentUser": true}"#)
        let before = try withdrawn(env)
        try keepListings(env, 100)
        let refused = try credsync(env, ["sync", "--dataset", "dishonesty"], as: "alice")
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stdout.contains("refused: credit/dishonesty: the export shrank from 200 to 100"))
        #expect(try withdrawn(env) == before)
        let id = try savedID(refused.stdout)
        // The same set refused again keeps its id.
        let again = try credsync(env, ["plan", "--dataset", "dishonesty"], as: "alice")
        #expect(again.status == 65 && again.stderr.contains("saved as \(id)"), "\(again.stderr)")

        let own = try credsync(env, ["approve", id], as: "alice")
        #expect(own.status == 77)
        #expect(own.stderr.contains("alice ran the refused plan and may not approve it"), "\(own.stderr)")
        let approved = try credsync(env, ["approve", id, "--reason", "half the listings moved", "--json"], as: "bob")
        #expect(approved.status == 0, "\(approved.stderr)")
        let changes = try #require(try JSONParser.parse(approved.stdout)["changes"]?.intValue)
        #expect(changes > 50)
        let approval = try #require(try auditLines(env).last { $0["action"] == "approve" })
        #expect(approval["actingAs"] == "bob" && approval["plan"]?.stringValue == id)
        #expect(approval["reason"] == "half the listings moved" && approval["count"]?.intValue == changes)

        // A dry run shows the plan as approved and leaves the approval unused.
        let dryRun = try credsync(env, ["plan", "--dataset", "dishonesty", "--json"], as: "alice")
        let plan = try JSONParser.parse(dryRun.stdout)
        #expect(plan["approved"]?.arrayValue?.first?["plan"]?.stringValue == id)
        let withdrawals = try #require(plan["plans"]?.arrayValue?.first?["withdraw"]?.intValue)
        let applied = try credsync(env, ["sync", "--dataset", "dishonesty", "--json"], as: "alice")
        #expect(applied.status <= 1, "\(applied.stderr)")
        let report = try JSONParser.parse(applied.stdout)
        #expect(report["approved"]?.arrayValue?.first?["plan"]?.stringValue == id)
        #expect(try withdrawn(env) == before + withdrawals)
        #expect(try auditLines(env).contains { $0["event"] == "approval-used" && $0["plan"]?.stringValue == id })
        let twice = try credsync(env, ["approve", id], as: "carol")
        #expect(twice.status == 65 && twice.stderr.contains("was approved before by bob"), "\(twice.stderr)")
    }

    @Test func aChangedSetIsRefusedWithTheDifferenceAndASmallerOneGoes() throws {
        let env = try environment(approvals: #"{"validFor": "1h"}"#)
        try keepListings(env, 100)
        let id = try savedID(try env.credsync(["sync", "--dataset", "dishonesty"]).stdout)
        #expect(try env.credsync(["approve", id]).status == 0)
        // Ten more listings gone: withdrawals of those published, which the approval did not see.
        try keepListings(env, 90)
        let more = try env.credsync(["sync", "--dataset", "dishonesty"])
        #expect(more.status == 65)
        let difference =
            #"the changes differ from those approved in P-[0-9a-f-]+: [1-9][0-9]* added \(浙知失"#
            + #"[^)]* withdraw[^)]*\), 0 removed"#
        #expect(more.stdout.range(of: difference, options: .regularExpression) != nil, "\(more.stdout)")
        #expect(more.stdout.contains("approved in \(id):"))
        let other = try savedID(more.stdout)
        #expect(other != id)
        // Ten listings back: fewer withdrawals than approved, all of them in the approved set.
        try keepListings(env, 110)
        let fewer = try env.credsync(["sync", "--dataset", "dishonesty", "--json"])
        #expect(fewer.status <= 1, "\(fewer.stderr)")
        #expect(try JSONParser.parse(fewer.stdout)["approved"]?.arrayValue?.first?["plan"]?.stringValue == id)
    }

    @Test func anExpiredApprovalIsRefused() throws {
        let env = try environment(approvals: #"{"validFor": "1s"}"#)
        try keepListings(env, 100)
        let id = try savedID(try env.credsync(["sync", "--dataset", "dishonesty"]).stdout)
        #expect(try env.credsync(["approve", id]).status == 0)
        Thread.sleep(forTimeInterval: 2.5)
        let late = try env.credsync(["sync", "--dataset", "dishonesty"])
        #expect(late.status == 65)
        #expect(late.stdout.contains("the approval of \(id) by "), "\(late.stdout)")
        #expect(late.stdout.contains("expired at"))
    }

    @Test func aWholeDatasetRepushIsRefusedUntilApproved() throws {
        let env = try environment(approvals: "{}")
        let bare = try env.credsync(["push", "--all"])
        #expect(bare.status == 64 && bare.stderr.contains("name them with --dataset"), "\(bare.stderr)")
        let published = try env.sandbox.holdings(.credit, .dishonesty).values.filter { $0.status == "published" }.count
        let refused = try env.credsync(["push", "--dataset", "dishonesty", "--all"])
        #expect(refused.status == 65)
        #expect(refused.stdout.contains("push --all re-sends \(published) published records"), "\(refused.stdout)")
        let id = try savedID(refused.stdout)
        #expect(try env.credsync(["approve", id]).status == 0)
        let pushed = try env.credsync(["push", "--dataset", "dishonesty", "--all", "--json"])
        #expect(pushed.status <= 1, "\(pushed.stderr)")
        let report = try JSONParser.parse(pushed.stdout)
        #expect(report["approved"]?.arrayValue?.first?["plan"]?.stringValue == id)
        #expect((report["requests"]?.intValue ?? 0) > 0)
        // Every published record went to the platform again, which found it as it was.
        let outcome = try #require(report["outcomes"]?.arrayValue?.first { $0["dataset"] == "dishonesty" })
        #expect((outcome["updated"]?.intValue ?? 0) + (outcome["unchanged"]?.intValue ?? 0) == published, "\(outcome)")
        // One time only: the same re-push is refused again, under a new id.
        let again = try env.credsync(["push", "--dataset", "dishonesty", "--all"])
        #expect(again.status == 65)
        #expect(try savedID(again.stdout) != id)
    }

    @Test func theEmergencyOverrideIsAuditedWithItsReason() throws {
        let env = try environment(approvals: "{}")
        try keepListings(env, 100)
        let forced = try env.credsync(
            ["sync", "--dataset", "dishonesty", "--approve-withdrawals", "--reason", "INC-42"])
        #expect(forced.status <= 1, "\(forced.stderr)")
        let line = try #require(try auditLines(env).last { $0["action"] == "approve-withdrawals" })
        #expect(line["reason"] == "INC-42" && line["command"] == "sync")
    }
}
