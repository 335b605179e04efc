import CredsyncCore
import Foundation
import TestSupport
import Testing

/// A reconcile refused by the platform (401 or 403 on the manifest) ends as a push or a pull
/// does: exit 77, the ledger as it was.
@Suite struct ReconcilePermissionEndToEndTests {
    @Test func aRefusedManifestEndsWith77AndLeavesTheLedger() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        _ = try env.credsync(["sync", "--dataset", "license"])
        let before = try env.storeRows("SELECT * FROM ledger ORDER BY platform, dataset, key")
        #expect(!before.isEmpty)
        for status in ["401", "403"] {
            try env.sandbox.admin("POST", "script", ["platform": "credit", "faults": [.string("status:" + status)]])
            let repair = try env.credsync(["reconcile", "--platform", "credit", "--dataset", "license", "--repair"])
            #expect(repair.status == 77, "\(status): \(repair.stdout)\(repair.stderr)")
            #expect(repair.stderr.contains("manifest"), "\(status): \(repair.stderr)")
            #expect(try env.storeRows("SELECT * FROM ledger ORDER BY platform, dataset, key") == before)
        }
    }
}
