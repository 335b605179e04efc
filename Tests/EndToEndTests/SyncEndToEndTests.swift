import CredsyncCore
import Foundation
import TestSupport
import Testing

/// The nightly sync through the real binaries against the sandbox on loopback.
@Suite struct SyncEndToEndTests {
    @Test func fullRunPublishesEverythingAndASecondRunPushesNothing() throws {
        let env = try SyncEnvironment()
        let first = try env.credsync(["sync"])
        #expect(first.status == 1, "\(first.stderr)")  // the samples hold deliberately bad rows
        let totals = try env.totals()
        #expect(totals["created"] == 1973 && totals["rejected"] == 0 && totals["queued"] == 0)
        #expect(try env.sandbox.holdings(.credit, .license).count == Fixture.exampleLicenses)
        #expect(try env.sandbox.holdings(.gsxt, .penalty).count == 142)
        let second = try env.credsync(["sync"])
        #expect(second.status == 1)
        let again = try env.totals()
        #expect(again["created"] == 0 && again["updated"] == 0 && again["withdrawn"] == 0)
        #expect(again["unchanged"] == 1973)
        // Every record reached its platform exactly once.
        #expect(try env.sandbox.holdings(.credit, .license).values.allSatisfy { $0.version == 1 })
    }

    @Test func platformDownIsQueuedWhileTheOthersCompleteAndTheNextRunDelivers() throws {
        let env = try SyncEnvironment()
        try env.sandbox.admin("POST", "faults", ["platform": "gsxt", "down": true])
        let down = try env.credsync(["sync"])
        #expect(down.status == 69, "\(down.stdout)\(down.stderr)")
        #expect(down.stdout.contains("gsxt is unavailable: 703 changes queued for the next run"))
        #expect(down.stderr.contains("platform unavailable platform=gsxt"), "\(down.stderr)")
        #expect(try env.sandbox.holdings(.credit, .license).count == Fixture.exampleLicenses)
        #expect(try env.sandbox.holdings(.gsxt, .license).isEmpty)
        let queued = try env.credsync(["queue", "list", "--platform", "gsxt", "--json"])
        #expect(queued.status == 0 || queued.status == 1)
        #expect((try JSONParser.parse(queued.stdout)["entries"]?.arrayValue?.count ?? 0) == 321 + 142 + 240)
        try env.sandbox.admin("POST", "faults", ["platform": "gsxt", "down": false])
        _ = try env.credsync(["queue", "retry", "--all", "--platform", "gsxt"])
        let recovered = try env.credsync(["sync"])
        #expect(recovered.status == 1, "\(recovered.stderr)")
        #expect(
            recovered.stderr.contains("platform recovered: queued changes delivered platform=gsxt delivered=703"),
            "\(recovered.stderr)")
        #expect(try env.sandbox.holdings(.gsxt, .license).count == Fixture.exampleLicenses)
        let after = try env.credsync(["queue", "list", "--json"])
        #expect(try JSONParser.parse(after.stdout)["entries"]?.arrayValue?.isEmpty == true)
    }

    @Test func aSecondRunWhileOneHoldsTheLockExits75NamingTheHolder() throws {
        let env = try SyncEnvironment()
        try env.sandbox.admin("POST", "faults", ["latencyMs": 300])
        let first = try env.start(["sync"])
        let lockFile = env.stateDir + "/lock"
        #expect(
            waitUntil {
                ((try? String(contentsOfFile: lockFile, encoding: .utf8)) ?? "").contains(
                    "pid \(first.processIdentifier) ")
            })
        let second = try env.credsync(["sync"])
        first.waitUntilExit()
        #expect(second.status == 75)
        #expect(second.stderr.contains("another credsync run holds"))
        #expect(second.stderr.contains("pid \(first.processIdentifier) since"))
    }

    @Test func killedAtRandomPointsThenRerunEndsWithExactlyTheDesiredState() throws {
        let env = try SyncEnvironment()
        try env.sandbox.admin("POST", "faults", ["latencyMs": 20])
        for round in 0..<6 {
            let process = try env.start(["sync"])
            Thread.sleep(forTimeInterval: Double.random(in: 0.05...0.6) + Double(round) * 0.05)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try env.sandbox.admin("POST", "faults", ["latencyMs": 0])
        let final = try env.credsync(["sync"])
        #expect(final.status == 1, "\(final.stderr)")
        let again = try env.credsync(["sync"])
        #expect(try env.totals()["created"] == 0 && (try env.totals()["updated"]) == 0)
        #expect(again.status == 1)
        for (platform, dataset, count) in [
            (PlatformID.credit, Dataset.license, 321), (.gsxt, .penalty, 142), (.ipp, .pledge, 240),
        ] {
            let holdings = try env.sandbox.holdings(platform, dataset)
            #expect(holdings.count == count)
            // One accepted change per real change: nothing was applied twice.
            #expect(holdings.values.allSatisfy { $0.version == 1 && $0.status == "published" })
        }
    }
}

@Suite struct SignalEndToEndTests {
    @Test func sigtermStopsCleanlyWithExit75AndTheNextRunCompletes() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        try env.sandbox.admin("POST", "faults", ["latencyMs": 200])
        let process = try env.start(["sync"])
        // Stopped once the first batch has reached the platform, however long reading took.
        let datasets: [Dataset] = [.license, .penalty, .dishonesty, .pledge]
        #expect(try waitUntil { try datasets.contains { !(try env.sandbox.holdings(.credit, $0).isEmpty) } })
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 75)
        let report = try env.latestReport()
        #expect(report["interrupted"] == .bool(true))
        let partial = try env.totals()["created"] ?? 0
        #expect(partial > 0 && partial < 876)
        try env.sandbox.admin("POST", "faults", ["latencyMs": 0])
        let rest = try env.credsync(["sync"])
        #expect(rest.status == 1, "\(rest.stderr)")
        #expect(try env.totals()["created"] == 876 - partial)
        let held = try datasets.reduce(0) { $0 + (try env.sandbox.holdings(.credit, $1).count) }
        #expect(held == 876)
        #expect(try env.sandbox.holdings(.credit, .license).values.allSatisfy { $0.version == 1 })
    }
}
