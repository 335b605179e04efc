import CredsyncCore
import Foundation
import TestSupport
import Testing

@Suite struct ReconcileEndToEndTests {
    @Test func driftBehindOurBackIsReportedRepairedAndCorrectedByTheNextSync() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        _ = try env.credsync(["sync", "--dataset", "license"])
        let holdings = try env.sandbox.holdings(.credit, .license)
        let keys = holdings.keys.sorted()
        let (deleted, changed, withdrawn) = (keys[0], keys[1], keys[2])
        func drift(_ key: String, _ action: String, payload: JSONValue = .null) throws {
            try env.sandbox.admin(
                "POST", "drift",
                [
                    "platform": "credit", "dataset": "license", "source": .string(SandboxProcess.source),
                    "key": .string(key), "action": .string(action), "payload": payload,
                ])
        }
        try drift(deleted, "delete")
        try drift(changed, "change")
        try drift(withdrawn, "withdraw")
        try drift("NOT-OURS-1", "add", payload: .object(SamplePayloads.license(9)))

        let report = try env.credsync(["reconcile", "--platform", "credit", "--dataset", "license", "--json"])
        #expect(report.status == 1, "\(report.stderr)")
        let json = try JSONParser.parse(report.stdout)["datasets"]?.arrayValue?.first
        #expect(json?["missingOnPlatform"] == .array([.string(deleted)]))
        #expect(json?["hashMismatch"] == .array([.string(changed)]))
        #expect(json?["statusMismatch"] == .array([.string(withdrawn)]))
        #expect(json?["unknownToLedger"] == .array(["NOT-OURS-1"]))
        #expect(json?["notDesired"] == .array(["NOT-OURS-1"]))

        let repair = try env.credsync(["reconcile", "--platform", "credit", "--dataset", "license", "--repair"])
        #expect(repair.status == 1)
        let sync = try env.credsync(["sync", "--dataset", "license", "--allow-mass-withdraw"])
        #expect(sync.status == 1, "\(sync.stderr)")
        let totals = try env.totals()
        #expect(totals["created"] == 1 && totals["updated"] == 2 && totals["withdrawn"] == 1)
        let after = try env.sandbox.holdings(.credit, .license)
        #expect(after[deleted]?.status == "published" && after[changed]?.hash == holdings[changed]?.hash)
        #expect(after[withdrawn]?.status == "published" && after["NOT-OURS-1"]?.status == "withdrawn")
        let clean = try env.credsync(["reconcile", "--platform", "credit", "--dataset", "license"])
        #expect(clean.status == 0, "\(clean.stdout)")
        #expect(clean.stdout.contains("no drift"))
    }
}
