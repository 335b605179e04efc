import CredsyncCore
import Foundation
import TestSupport
import Testing

/// The RUNBOOK's "A damaged ledger" recipe, run as written, against every kind of damage; and a
/// manifest of the wrong shape, which must never become the ledger's truth.
@Suite struct LedgerRecoveryEndToEndTests {
    static let damages: [(name: String, damage: @Sendable ([UInt8]) -> [UInt8])] = [
        (
            "one flipped byte",
            { bytes in
                var flipped = bytes
                flipped[bytes.count / 2] ^= 0x01
                return flipped
            }
        ),
        ("truncated", { Array($0.prefix($0.count / 3)) }),
        ("garbled", { _ in Array("ceci n'est pas un ledger\n\u{0}\u{1}\u{2}".utf8) }),
        ("empty", { _ in [] }),
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

    @Test func repairRecipeRebuildsEveryKindOfDamagedLedgerFromThePlatform() throws {
        let recipe = try Self.runbookRecipe()
        #expect(recipe.map(\.first) == ["reconcile", "plan", "sync"], "\(recipe)")
        guard recipe.count == 3 else { return }
        let env = try SyncEnvironment(platforms: [.credit, .gsxt])
        let first = try env.credsync(["sync", "--dataset", "license"])
        #expect(first.status <= 1, "\(first.stderr)")
        let ledger = env.stateDir + "/ledger/credit/license.ledger"
        let holdings = try env.sandbox.holdings(.credit, .license)
        #expect(holdings.count > 100)
        for (name, damage) in Self.damages {
            let good = try Data(contentsOf: URL(fileURLWithPath: ledger))
            let damaged = Data(damage(Array(good)))
            try damaged.write(to: URL(fileURLWithPath: ledger))

            // The run refuses the damaged ledger and names the command that rebuilds it.
            let refused = try env.credsync(["plan", "--dataset", "license"])
            #expect(refused.status == 74, "\(name): \(refused.stderr)")
            #expect(refused.stderr.contains(ledger), "\(name): \(refused.stderr)")
            let quoted = refused.stderr.split(separator: "'").map(String.init)
            guard let index = quoted.firstIndex(where: { $0.hasPrefix("credsync reconcile") }) else {
                Issue.record("\(name): no reconcile command in the hint: \(refused.stderr)")
                continue
            }
            let hinted = quoted[index].split(separator: " ").dropFirst().map(String.init)
            #expect(hinted == recipe[0])

            // The hint and the RUNBOOK, verbatim: the ledger is rebuilt; the damaged file is kept aside, untouched.
            let repair = try env.credsync(hinted)
            #expect(repair.status == 0, "\(name): \(repair.stdout)\(repair.stderr)")
            #expect(repair.stdout.contains("damaged"), "\(name): \(repair.stdout)")
            let kept = try FileManager.default.contentsOfDirectory(atPath: env.stateDir + "/ledger/credit")
                .filter { $0.hasPrefix("license.ledger.damaged-") }
            #expect(kept.count == 1, "\(name): \(kept)")
            if let file = kept.first {
                #expect(repair.stdout.contains(file), "\(name): \(repair.stdout)")
                let path = env.stateDir + "/ledger/credit/" + file
                #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == damaged, "\(name)")
                try FileManager.default.removeItem(atPath: path)
            }

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
    }

    @Test func manifestOfTheWrongShapeIsAPlatformErrorAndLeavesTheLedgerAlone() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        _ = try env.credsync(["sync", "--dataset", "license"])
        let ledger = env.stateDir + "/ledger/credit/license.ledger"
        let good = try Data(contentsOf: URL(fileURLWithPath: ledger))
        let wrongShapes = [
            #"body:{"ok":true,"results":"all good"}"#, #"body:{"items":[{"hash":"x"}],"nextCursor":null}"#,
        ]
        for fault in wrongShapes {
            try env.sandbox.admin("POST", "script", ["platform": "credit", "faults": [.string(fault)]])
            let repair = try env.credsync(["reconcile", "--platform", "credit", "--dataset", "license", "--repair"])
            #expect(repair.status == 69, "\(fault): \(repair.stdout)\(repair.stderr)")
            #expect(repair.stderr.contains("manifest"), "\(fault): \(repair.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == good, "\(fault)")
        }
        // A damaged ledger stays where it is while the platform cannot say what it holds.
        var damaged = good
        damaged[damaged.count / 2] ^= 0x01
        try damaged.write(to: URL(fileURLWithPath: ledger))
        try env.sandbox.admin("POST", "script", ["platform": "credit", "faults": [.string(wrongShapes[0])]])
        let repair = try env.credsync(["reconcile", "--platform", "credit", "--dataset", "license", "--repair"])
        #expect(repair.status == 69, "\(repair.stdout)\(repair.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == damaged)
        let names = try FileManager.default.contentsOfDirectory(atPath: env.stateDir + "/ledger/credit")
        #expect(!names.contains { $0.contains(".damaged-") }, "\(names)")
        let plan = try env.credsync(["plan", "--dataset", "license"])
        #expect(plan.status == 74)
    }
}
