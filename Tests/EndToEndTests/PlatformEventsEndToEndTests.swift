import CredsyncCore
import Foundation
import TestSupport
import Testing

/// Every platform-level event of a run is logged, with its numbers as JSON numbers.
@Suite struct PlatformEventsEndToEndTests {
    @Test func throttlingAndHeldChangesAreLoggedAsEvents() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        // The first request is throttled, its retry refused with 409: that batch waits for an operator.
        try env.sandbox.admin("POST", "script", ["platform": "credit", "faults": ["status:429:1", "status:409"]])
        let run = try env.credsync(["sync", "--dataset", "pledge", "--log-format", "json"])
        #expect(run.status == 1, "\(run.stderr)")
        let events = run.stderr.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        let throttled = try #require(events.first { $0["msg"] == "platform throttled" }, "\(run.stderr)")
        #expect(throttled["platform"] == "credit")
        #expect(throttled["rateLimited"] == .number("1"))
        let held = try #require(events.first { $0["msg"] == "changes held" }, "\(run.stderr)")
        #expect(held["platform"] == "credit" && held["level"] == "warning")
        let count = try env.totals()["held"] ?? 0
        #expect(count > 0 && held["held"] == .number(String(count)))
    }
}
