import CredsyncCore
import Foundation
import TestSupport
import Testing

@Suite struct QueueSemanticsEndToEndTests {
    func entries(_ env: SyncEnvironment) throws -> [JSONValue] {
        try JSONParser.parse(try env.credsync(["queue", "list", "--json"]).stdout)["entries"]?.arrayValue ?? []
    }

    @Test func aNewerPlanSupersedesTheQueuedEntryForItsKey() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        try env.sandbox.admin("POST", "faults", ["down": true])
        _ = try env.credsync(["sync", "--dataset", "pledge"])
        let before = try #require(try entries(env).first { $0["key"] == "ZX2025000001" })
        let path = env.directory.path + "/pledges.csv"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "一种新型电池的装置", with: "一种新型电池的装置（改）").write(
            toFile: path, atomically: true, encoding: .utf8)
        _ = try env.credsync(["sync", "--dataset", "pledge"])
        let all = try entries(env).filter { $0["key"] == "ZX2025000001" }
        #expect(all.count == 1)
        #expect(all.first?["id"] == before["id"])
        let shown = try JSONParser.parse(
            try env.credsync(["queue", "show", before["id"]?.stringValue ?? "", "--json"]).stdout)
        #expect(shown["payload"]?["ZY_ZSCQMC"] == "一种新型电池的装置（改）")
        // Delivered later, the platform gets the newest version only, once.
        try env.sandbox.admin("POST", "faults", ["down": false])
        _ = try env.credsync(["queue", "retry", "--all"])
        _ = try env.credsync(["sync", "--dataset", "pledge"])
        let holding = try env.sandbox.admin(
            "GET", "records?platform=credit&dataset=pledge&source=\(SandboxProcess.source)")
        let record = holding["items"]?.arrayValue?.first { $0["key"] == "ZX2025000001" }
        #expect(record?["payload"]?["ZY_ZSCQMC"] == "一种新型电池的装置（改）")
        #expect(record?["version"]?.intValue == 1)
    }

    @Test func forbiddenDatasetGoesToHoldAndTheRunNamesTheCause() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        try env.sandbox.admin(
            "POST", "forbid", ["platform": "credit", "app": .string(SandboxProcess.appID), "dataset": "pledge"])
        let run = try env.credsync(["sync", "--dataset", "pledge"])
        #expect(run.status == 77)  // a 403 is a permission failure (issue 15)
        #expect(run.stdout.contains("HTTP 403 FORBIDDEN"))
        let held = try entries(env)
        #expect(held.count == 240 && held.allSatisfy { $0["state"] == "hold" })
        // Held entries are not retried by the next run.
        let again = try env.credsync(["sync", "--dataset", "pledge"])
        #expect(again.stdout.contains("240 held"))
        #expect(try env.credsync(["queue", "release", "all"]).status == 64)
        let released = try env.credsync(["queue", "release", "ALL"])
        #expect(released.stdout.contains("240 entries released, due now"))
    }

    @Test func entriesDieAfterTheMaximumAttempts() throws {
        let env = try SyncEnvironment(
            platforms: [.credit], retry: #"{"attemptsInRun": 1, "maxAttempts": 2, "minDelay": "1s", "maxDelay": "1s"}"#)
        try env.sandbox.admin("POST", "faults", ["down": true])
        _ = try env.credsync(["sync", "--dataset", "dishonesty"])
        #expect(try entries(env).allSatisfy { $0["state"] == "deferred" && $0["attempts"] == 1 })
        Thread.sleep(forTimeInterval: 1.2)
        let second = try env.credsync(["sync", "--dataset", "dishonesty"])
        #expect(second.stdout.contains("154 dead"))
        #expect(try entries(env).allSatisfy { $0["state"] == "dead" })
        // A dead entry is not retried as it is; the stats say so.
        let stats = try JSONParser.parse(try env.credsync(["queue", "stats", "--json"]).stdout)
        #expect(stats["byState"]?["dead"]?.intValue == 154)
    }

    @Test func droppingNeedsConfirmationAndCapitals() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        try env.sandbox.admin("POST", "faults", ["down": true])
        _ = try env.credsync(["sync", "--dataset", "pledge"])
        let unconfirmed = try env.credsync(["queue", "drop", "ALL"])
        #expect(unconfirmed.status == 64)
        #expect(unconfirmed.stderr.contains("needs confirmation"))
        #expect(try env.credsync(["queue", "drop", "All", "--yes"]).status == 64)
        let before = try entries(env).count
        let one = try #require(try entries(env).first?["id"]?.stringValue)
        #expect(try env.credsync(["queue", "drop", one, "--yes"]).status == 0)
        #expect(try entries(env).count == before - 1)
        let dropped = try env.credsync(["queue", "drop", "ALL", "--yes"])
        #expect(dropped.status == 0)
        #expect(try entries(env).isEmpty)
    }
}
