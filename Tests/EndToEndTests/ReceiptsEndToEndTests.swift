import CredsyncCore
import Foundation
import TestSupport
import Testing

/// gsxt publishing asynchronously (exchange-api.md 1.1, "Receipts"): the real binaries against the
/// sandbox's `--receipts gsxt`, whose receipts come after a delay and fail 记名 for every subject
/// absent from its enterprise feed.
@Suite struct ReceiptsEndToEndTests {
    static let receipts = #""publication": "receipts""#
    static let delay = 2.0

    /// The report's receipt counts: "dataset" → (pending, failed, published).
    static func counts(_ report: JSONValue) -> [String: (pending: Int, failed: Int, published: Int)] {
        var counts: [String: (Int, Int, Int)] = [:]
        for item in report["receipts"]?["counts"]?.arrayValue ?? [] {
            counts[item["dataset"]?.stringValue ?? ""] = (
                item["pending"]?.intValue ?? -1, item["failed"]?.intValue ?? -1, item["published"]?.intValue ?? -1
            )
        }
        return counts
    }

    static func failedKeys(_ report: JSONValue) -> Set<String> {
        Set((report["receipts"]?["failed"]?.arrayValue ?? []).compactMap { $0["key"]?.stringValue })
    }

    static func environment(delay: Double = Self.delay) throws -> SyncEnvironment {
        let sandbox = try SandboxProcess(["--receipts", "gsxt", "--receipt-delay", String(delay)])
        let env = try SyncEnvironment(sandbox: sandbox, platforms: [.gsxt], platformSettings: [.gsxt: receipts])
        let text = try String(contentsOfFile: env.configFile, encoding: .utf8)
        try text.replacingOccurrences(
            of: #""stateDir": "state","#, with: #""stateDir": "state", "metricsFile": "state/metrics/credsync.prom","#
        ).write(toFile: env.configFile, atomically: true, encoding: .utf8)
        return env
    }

    /// N of the "read N receipts" line.
    static func receiptsRead(_ output: String) -> Int? {
        output.split(separator: "\n").first { $0.hasPrefix("read ") }.flatMap { Int($0.split(separator: " ")[1]) }
    }

    @Test func aFirstSyncLeavesRecordsPendingAndTheNextResolvesEveryOne() throws {
        let env = try Self.environment()
        let first = try env.credsync(["sync"])
        #expect(first.status == 1, "\(first.stdout)\(first.stderr)")
        let created = try env.totals()["created"] ?? 0
        #expect(created == 703)
        let pending = Self.counts(try env.latestReport())
        #expect(pending.values.reduce(0) { $0 + $1.pending } == created, "\(pending)")
        #expect(pending.values.allSatisfy { $0.failed == 0 && $0.published == 0 })
        #expect(first.stdout.contains("gsxt license receipts: 321 pending, 0 failed, 0 published"), "\(first.stdout)")
        let metrics = try String(contentsOfFile: env.stateDir + "/metrics/credsync.prom", encoding: .utf8)
        #expect(metrics.contains(#"credsync_receipts{platform="gsxt",dataset="license",state="pending"} 321"#))

        let plan = try JSONParser.parse(try env.credsync(["plan", "--json"]).stdout)
        let planned = (plan["plans"]?.arrayValue ?? []).filter { $0["dataset"]?.stringValue == "license" }
        #expect(planned.first?["pendingReceipts"]?.intValue == 321, "\(planned)")
        // Accepted is not published: every gsxt deadline still runs, marked as awaiting its receipt.
        let waiting = try JSONParser.parse(try env.credsync(["deadlines", "--within", "30", "--json"]).stdout)
        let items = waiting["items"]?.arrayValue ?? []
        #expect(!items.isEmpty && items.allSatisfy { $0["awaitingReceipt"]?.boolValue == true })
        #expect((try env.latestReport()["deadlines"]?.arrayValue?.count ?? 0) == items.count)

        Thread.sleep(forTimeInterval: Self.delay + 0.5)
        let second = try env.credsync(["sync"])
        let report = try env.latestReport()
        #expect(report["receipts"]?["read"]?.intValue == created, "\(second.stdout)\(second.stderr)")
        let resolved = Self.counts(report)
        #expect(resolved.values.allSatisfy { $0.pending == 0 }, "\(resolved)")
        let failed = Self.failedKeys(report)
        #expect(resolved.values.reduce(0) { $0 + $1.failed } == failed.count)
        #expect(try env.totals()["created"] == 0 && (try env.totals()["updated"]) == 0)
        // Published: their deadlines are met (the receipt's `at`); a failure's is not planned yet.
        let done = try JSONParser.parse(try env.credsync(["deadlines", "--within", "30", "--json"]).stdout)
        #expect((done["items"]?.arrayValue ?? []).allSatisfy { $0["awaitingReceipt"]?.boolValue == false })
        if !failed.isEmpty {
            #expect(second.status == 1)
            #expect(second.stdout.contains("publication failed: gsxt"), "\(second.stdout)")
            #expect(second.stdout.contains("E_SUBJECT_UNMATCHED"))
            // Cross-checked against the enterprise store the pull filled.
            #expect(
                second.stdout.contains("CF_XDR_SHXYM 91330302G4GNEE9C2H: gsxt does not know this code"),
                "\(second.stdout)")
            #expect(second.stdout.contains("is a natural person's 证件号码"), "\(second.stdout)")
            #expect(!second.stdout.contains("330106196405048211"))
        }
        // The platform holds exactly the desired state: published where the ledger says so, failed
        // (not public) for the failures, nothing pending.
        for dataset in [Dataset.license, .penalty, .pledge] {
            let holdings = try env.sandbox.holdings(.gsxt, dataset)
            let ledger = try env.ledgerRows(.gsxt, dataset)
            let published = Set(holdings.filter { $0.value.status == "published" }.keys)
            #expect(published == Set(ledger.filter { $0.value.status == "published" }.keys), "\(dataset)")
            #expect(published.count == resolved[dataset.rawValue]?.published)
            let notPublic = Set(holdings.filter { $0.value.status != "published" }.keys)
            #expect(notPublic.isSubset(of: failed), "\(dataset): \(notPublic.subtracting(failed).sorted().prefix(3))")
            #expect(holdings.values.allSatisfy { $0.version == 1 })
        }

        // reconcile tells failed and pending apart: both sides agree, no drift.
        let reconcile = try env.credsync(["reconcile", "--platform", "gsxt"])
        #expect(reconcile.status == 0, "\(reconcile.stdout)\(reconcile.stderr)")
        #expect(!reconcile.stdout.contains("drift:"), "\(reconcile.stdout)")

        // A third run reads no receipt twice and sends nothing: a failure waits for a changed record.
        let third = try env.credsync(["sync"])
        #expect(third.status <= 1, "\(third.stderr)")
        let again = try env.latestReport()
        #expect(again["receipts"]?["read"]?.intValue == 0)
        #expect(Self.failedKeys(again).isEmpty)
        #expect(try env.totals()["created"] == 0 && (try env.totals()["updated"]) == 0)
        let skipped = (again["outcomes"]?.arrayValue ?? []).reduce(0) { $0 + ($1["rejectedBefore"]?.intValue ?? 0) }
        #expect(skipped == failed.count)
        for dataset in [Dataset.license, .penalty, .pledge] {
            #expect(try env.sandbox.holdings(.gsxt, dataset).values.allSatisfy { $0.version == 1 })
        }
        let check = try env.credsync(["state", "check"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        // The province fixes a failed record (here: its 主债权数额): that version is sent, once.
        let fixed = "ZX2025000128"
        #expect(failed.contains(fixed))
        let path = env.directory.path + "/pledges.csv"
        let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n").map { line in
            line.hasPrefix(fixed + ",") ? line.replacingOccurrences(of: ",5000,", with: ",5001,") : line
        }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let resent = try env.credsync(["sync"])
        #expect(resent.status <= 1, "\(resent.stderr)")
        let pledge = (try env.latestReport()["outcomes"]?.arrayValue ?? []).first {
            $0["platform"]?.stringValue == "gsxt" && $0["dataset"]?.stringValue == "pledge"
        }
        #expect(pledge?["created"]?.intValue == 1 && pledge?["updated"]?.intValue == 0, "\(resent.stdout)")
        #expect(pledge?["rejectedBefore"]?.intValue == 1)
        #expect(try env.sandbox.holdings(.gsxt, .pledge)[fixed]?.version == 2)
        #expect(
            try env.storeRows("SELECT state FROM receipt WHERE key = '\(fixed)' ORDER BY version") == [
                ["failed"], ["accepted"],
            ])
    }

    @Test func aRefusedCursorIsReadAgainFromTheStartAndChangesNothing() throws {
        let env = try Self.environment()
        _ = try env.credsync(["sync"])
        Thread.sleep(forTimeInterval: Self.delay + 0.5)
        let pull = try env.credsync(["pull"])
        #expect(pull.stdout.contains("read 703 receipts"), "\(pull.stdout)\(pull.stderr)")
        let before = try env.storeRows(
            "SELECT platform, dataset, key, version, state, seq FROM receipt ORDER BY 1, 2, 3, 4")
        #expect(try env.storeRows("SELECT count(*) FROM receipt_cursor") == [["3"]])
        // Nothing new: the saved cursors read nothing twice.
        let quiet = try env.credsync(["pull"])
        #expect(quiet.stdout.contains("read 0 receipts"), "\(quiet.stdout)")
        // A cursor the platform does not know: every receipt again, recorded once.
        try env.storeExecute("UPDATE receipt_cursor SET cursor = 'not-a-cursor'")
        let reread = try env.credsync(["pull"])
        #expect(reread.stdout.contains("read 703 receipts"), "\(reread.stdout)\(reread.stderr)")
        #expect(!reread.stdout.contains("publication failed"), "\(reread.stdout)")
        #expect(reread.stderr.contains("receipts cursor refused"), "\(reread.stderr)")
        #expect(
            try env.storeRows("SELECT platform, dataset, key, version, state, seq FROM receipt ORDER BY 1, 2, 3, 4")
                == before)
        // reconcile notices a store that forgot a failure the platform reports.
        try env.storeExecute("UPDATE receipt SET state = 'published' WHERE key = 'ZX2025000128'")
        let drift = try env.credsync(["reconcile", "--platform", "gsxt", "--dataset", "pledge"])
        #expect(drift.stdout.contains("pending or failed on one side only: 1: ZX2025000128"), "\(drift.stdout)")
    }

    @Test func aRunKilledWhileReadingReceiptsReadsEachAtMostOnceMore() throws {
        let env = try Self.environment()
        _ = try env.credsync(["sync"])
        Thread.sleep(forTimeInterval: Self.delay + 0.5)
        try env.sandbox.admin("POST", "faults", ["latencyMs": 150])
        let process = try env.start(["pull"])
        let saved = waitUntil(timeout: 30) {
            Int((try? env.storeRows("SELECT count(*) FROM receipt WHERE state <> 'accepted'"))?.first?.first ?? "") ?? 0
                > 0
        }
        #expect(saved)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try env.sandbox.admin("POST", "faults", ["latencyMs": 0])
        let rest = try env.credsync(["pull"])
        let read = Self.receiptsRead(rest.stdout) ?? -1
        #expect(read >= 0 && read < 703, "\(rest.stdout)\(rest.stderr)")
        let counts = try env.storeRows("SELECT count(*) FROM receipt WHERE state = 'accepted'")
        #expect(counts == [["0"]])
    }

    @Test func aVersionPendingTooLongIsAWarningWithItsBatchAndRequest() throws {
        let env = try Self.environment(delay: 3600)
        _ = try env.credsync(["sync"])
        // Accepted 30 days ago, as far as the store knows: past the default 3 working days.
        try env.storeExecute("UPDATE receipt SET accepted_at = accepted_at - 30 * 86400")
        let again = try env.credsync(["sync"])
        #expect(again.status <= 1, "\(again.stderr)")
        let warnings = (try env.latestReport()["warnings"]?.arrayValue ?? []).compactMap(\.stringValue)
        let late = warnings.filter { $0.contains("working days without a receipt") }
        #expect(late.count == 50, "\(late.prefix(2))")
        let oldest = try env.storeRows("SELECT batch, request_id FROM receipt ORDER BY accepted_at, key LIMIT 1")
        let named = "(batch \(oldest.first?.first ?? "?"), request \(oldest.first?.last ?? "?"))"
        #expect(late.first?.contains(named) == true, "\(late.first ?? "")")
        #expect(warnings.contains("653 more versions pending too long (the store's receipt table lists them)"))
    }
}
