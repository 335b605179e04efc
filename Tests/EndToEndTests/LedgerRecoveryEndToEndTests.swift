import CredsyncCore
import Foundation
import TestSupport
import Testing

/// The RUNBOOK's "A damaged ledger" recipe, run as written, against ledger rows deleted, altered
/// and invented in the store; and a manifest of the wrong shape, which must never become the
/// ledger's truth.
@Suite struct LedgerRecoveryEndToEndTests {
    /// Damage done to the credit/license rows with the `sqlite3` shell, as a hand edit or a restore
    /// of an old backup would leave them.
    static let damages = [
        "rows deleted", "hashes and versions altered", "a row the platform never held", "every row deleted",
    ]

    /// The command lines of the RUNBOOK's "A damaged ledger" section, without `credsync`.
    static func runbookRecipe() throws -> [[String]] {
        let text = try String(contentsOfFile: Binaries.packageRoot + "/ops/RUNBOOK.md", encoding: .utf8)
        guard let start = text.range(of: "## A damaged ledger\n") else { return [] }
        let section = text[start.upperBound...]
        let body = section.range(of: "\n## ").map { section[..<$0.lowerBound] } ?? section
        return body.split(separator: "\n").filter { $0.hasPrefix("    credsync ") }
            .map { $0.split(separator: " ").dropFirst().map(String.init) }
    }

    static func damage(_ name: String, keys: [String]) -> String {
        let some = keys.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
        let pair = "platform = 'credit' AND dataset = 'license'"
        switch name {
        case "rows deleted": return "DELETE FROM ledger WHERE \(pair) AND key IN (\(some))"
        case "hashes and versions altered":
            return "UPDATE ledger SET hash = 'altered', version = version + 7 WHERE \(pair) AND key IN (\(some))"
        case "a row the platform never held":
            return "INSERT INTO ledger VALUES ('credit', 'license', 'ZZ-invented', 'published', 1, 'h', 'b', 1, 1)"
        default: return "DELETE FROM ledger WHERE \(pair)"
        }
    }

    @Test func repairRecipeRebuildsLedgerRowsDeletedOrAlteredInTheStoreFromThePlatform() throws {
        let recipe = try Self.runbookRecipe()
        #expect(recipe.map(\.first) == ["reconcile", "plan", "sync"], "\(recipe)")
        guard recipe.count == 3 else { return }
        let env = try SyncEnvironment(platforms: [.credit, .gsxt])
        let first = try env.credsync(["sync", "--dataset", "license"])
        #expect(first.status <= 1, "\(first.stderr)")
        let holdings = try env.sandbox.holdings(.credit, .license)
        #expect(holdings.count > 100)
        let good = try env.ledgerRows(.credit, .license)
        #expect(good.mapValues(\.version) == holdings.mapValues(\.version))
        let gsxt = try env.ledgerRows(.gsxt, .license)
        for name in Self.damages {
            try env.storeExecute(Self.damage(name, keys: good.keys.sorted()))
            #expect(try env.ledgerRows(.credit, .license).mapValues(\.hash) != good.mapValues(\.hash), "\(name)")

            // The hint and the RUNBOOK, verbatim: the rows are rebuilt from the platform's manifest.
            let repair = try env.credsync(recipe[0])
            #expect(repair.status <= 1, "\(name): \(repair.stdout)\(repair.stderr)")
            #expect(repair.stdout.contains("drift:"), "\(name): \(repair.stdout)")
            let rebuilt = try env.ledgerRows(.credit, .license)
            #expect(rebuilt.mapValues(\.version) == holdings.mapValues(\.version), "\(name)")
            #expect(rebuilt.mapValues(\.hash) == holdings.mapValues(\.hash), "\(name)")
            #expect(rebuilt.mapValues(\.status) == holdings.mapValues(\.status), "\(name)")
            // Another platform's rows are not touched.
            #expect(try env.ledgerRows(.gsxt, .license).mapValues(\.hash) == gsxt.mapValues(\.hash), "\(name)")

            // The next plan is clean, and the next sync sends nothing the platform already holds.
            let plan = try env.credsync(recipe[1])
            #expect(plan.status == 0, "\(name): \(plan.stdout)\(plan.stderr)")
            let sync = try env.credsync(recipe[2])
            #expect(sync.status <= 1, "\(name): \(sync.stderr)")
            let totals = try env.totals()
            #expect(totals["created"] == 0 && totals["updated"] == 0 && totals["withdrawn"] == 0, "\(name): \(totals)")
            let after = try env.sandbox.holdings(.credit, .license)
            #expect(after.mapValues(\.version) == holdings.mapValues(\.version), "\(name)")
        }
        // No ledger file anywhere: the store holds the rows.
        #expect(!FileManager.default.fileExists(atPath: env.stateDir + "/ledger"))
    }

    @Test func manifestOfTheWrongShapeIsAPlatformErrorAndLeavesTheLedgerAlone() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        _ = try env.credsync(["sync", "--dataset", "license"])
        // Rows altered by hand stay as they are while the platform cannot say what it holds.
        let keys = try env.ledgerRows(.credit, .license).keys.sorted()
        try env.storeExecute(Self.damage("hashes and versions altered", keys: keys))
        let before = try env.storeRows("SELECT * FROM ledger ORDER BY platform, dataset, key")
        #expect(before.count > 100)
        let wrongShapes = [
            #"body:{"ok":true,"results":"all good"}"#, #"body:{"items":[{"hash":"x"}],"nextCursor":null}"#,
        ]
        for fault in wrongShapes {
            try env.sandbox.admin("POST", "script", ["platform": "credit", "faults": [.string(fault)]])
            let repair = try env.credsync(["reconcile", "--platform", "credit", "--dataset", "license", "--repair"])
            #expect(repair.status == 69, "\(fault): \(repair.stdout)\(repair.stderr)")
            #expect(repair.stderr.contains("manifest"), "\(fault): \(repair.stderr)")
            #expect(try env.storeRows("SELECT * FROM ledger ORDER BY platform, dataset, key") == before, "\(fault)")
        }
    }
}
