import CredsyncCore
import Foundation
import TestSupport
import Testing

@Suite struct PlanEndToEndTests {
    @Test func updatesAreShownFieldByFieldAndDetailedExitCodeSaysThereAreChanges() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        _ = try env.credsync(["sync", "--dataset", "pledge"])
        #expect(try env.credsync(["plan", "--dataset", "pledge", "--detailed-exitcode"]).status == 0)
        let path = env.directory.path + "/pledges.csv"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // The first row's 登记机关 is the first ",浙江省知识产权局," of the file.
        guard let range = text.range(of: ",浙江省知识产权局,") else { Issue.record("no registering authority"); return }
        try text.replacingCharacters(in: range, with: ",浙江省知识产权局（登记处）,").write(
            toFile: path, atomically: true, encoding: .utf8)
        let plan = try env.credsync(["plan", "--dataset", "pledge", "--detail", "--detailed-exitcode"])
        #expect(plan.status == 2, "\(plan.stderr)")
        #expect(plan.stdout.contains("~ update  credit/pledge"))
        #expect(plan.stdout.contains(#"ZY_DJJG: "浙江省知识产权局" → "浙江省知识产权局（登记处）""#))
    }

    @Test func truncatedExportIsRefusedWithExit65UnlessAllowed() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        _ = try env.credsync(["sync", "--dataset", "license"])
        let path = env.directory.path + "/licenses.csv"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let refused = try env.credsync(["sync", "--dataset", "license"])
        #expect(refused.status == 65)
        #expect(refused.stdout.contains("refused: credit/license: the export shrank from 321 to"))
        #expect(try env.sandbox.holdings(.credit, .license).values.allSatisfy { $0.status == "published" })
        let allowed = try env.credsync(["sync", "--dataset", "license", "--allow-mass-withdraw"])
        #expect(allowed.status == 1, "\(allowed.stderr)")
        #expect(try env.totals()["withdrawn"] ?? 0 > 100)
    }

    @Test func emptyExportIsRefused() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        _ = try env.credsync(["sync", "--dataset", "dishonesty"])
        try "".write(toFile: env.directory.path + "/dishonesty.jsonl", atomically: true, encoding: .utf8)
        let refused = try env.credsync(["plan", "--dataset", "dishonesty"])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("the export holds no valid records, but 200 were there before"))
    }

    @Test func deadlinesReportOverduePublicationsOldestFirst() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let result = try env.credsync(["deadlines", "--json"], asOf: "2026-11-20")
        #expect(result.status == 1)
        let json = try JSONParser.parse(result.stdout)
        let items = json["items"]?.arrayValue ?? []
        #expect((json["overdue"]?.intValue ?? 0) > 0)
        let dues = items.compactMap { $0["due"]?.stringValue }
        #expect(dues == dues.sorted())
        _ = try env.credsync(["sync"])
        let after = try env.credsync(["deadlines"], asOf: "2026-11-20")
        #expect(after.status == 0, "\(after.stdout)")
    }

    /// An operator at 2 a.m. may not hold the platform secrets: the commands that never reach a
    /// platform run without them; the ones that do still refuse, naming the variable.
    @Test func readOnlyCommandsRunWithoutThePlatformSecrets() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let first = try env.credsync(["sync"])
        #expect(first.status == 1, "\(first.stderr)")
        func withoutSecrets(_ arguments: [String]) throws -> Binaries.Result {
            try Binaries.run(
                "credsync", arguments + ["--config", env.configFile, "--as-of", "2026-11-20"],
                directory: env.directory.path)
        }
        let commands = [
            ["plan"], ["deadlines"], ["queue", "list"], ["queue", "stats"], ["report"], ["audit", "verify"],
            ["map", "--dataset", "license", "--platform", "credit"],
        ]
        for command in commands {
            let result = try withoutSecrets(command)
            #expect(result.status == 0 || result.status == 1, "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("CREDSYNC_TEST_SECRET"), "\(command)")
        }
        for command in [["sync"], ["reconcile", "--platform", "credit"]] {
            let refused = try withoutSecrets(command)
            #expect(refused.status == 78, "\(command)")
            #expect(refused.stderr.contains("the environment variable CREDSYNC_TEST_SECRET is not set"), "\(command)")
        }
    }

    /// A deadline in a year the calendar lacks is listed as unknown, never guessed, until the
    /// record is published.
    @Test func aDeadlineInAYearTheCalendarLacksIsListedAsUnknown() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        // One listing decided on 10 December 2024: its seven working days end in 2024, which the
        // calendar (2025 and 2026) does not cover.
        let path = env.directory.path + "/dishonesty.jsonl"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        var listing = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let key = try #require(listing["decisionNo"] as? String)
        listing["listedOn"] = "2024-12-10"
        listing["expectedRemovalOn"] = "2029-12-10"
        listing["removedOn"] = NSNull()
        lines[0] = String(decoding: try JSONSerialization.data(withJSONObject: listing), as: UTF8.self)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let result = try env.credsync(["deadlines", "--json"])
        #expect(result.status == 1, "\(result.stderr)")
        let unknown = try JSONParser.parse(result.stdout)["unknown"]?.arrayValue ?? []
        #expect(unknown.map { $0["key"]?.stringValue } == [key])
        #expect(unknown.first?["kind"] == "publication")
        #expect(unknown.first?["problem"]?.stringValue?.contains("has no holidays for 2024") == true)
        let text = try env.credsync(["deadlines"])
        #expect(text.stdout.contains("UNKNOWN"))
        #expect(text.stdout.contains("unknown: the working-day calendar"))

        _ = try env.credsync(["sync"])
        let after = try env.credsync(["deadlines", "--json"])
        #expect(after.status == 0, "\(after.stdout)")
        #expect(try JSONParser.parse(after.stdout)["unknown"]?.arrayValue == [])
    }
}
