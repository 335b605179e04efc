import CredsyncCore
import Foundation
import TestSupport
import Testing

/// Every output of a run (the summary, the JSON report, `credsync report`, the HTML page, the logs)
/// shows the same numbers, defined once.
@Suite struct ReportNumbersEndToEndTests {
    @Test func everyOutputShowsTheSameNumbersWhenAPlatformIsDownAndItsEntriesGoDead() throws {
        let retry = #"{"attemptsInRun": 1, "maxAttempts": 1, "maxDelayInRun": "1s", "minDelay": "5m"}"#
        let env = try SyncEnvironment(platforms: [.credit, .gsxt], retry: retry)
        try env.sandbox.admin("POST", "faults", ["platform": "gsxt", "down": true])
        let run = try env.credsync(["sync", "--log-format", "json"])
        #expect(run.status == 69, "\(run.stderr)")

        let json = try env.latestReport()
        let unreadable = json["unreadableRows"]?.arrayValue?.count ?? 0
        let setAside = (json["setAside"]?.arrayValue?.count ?? 0) + unreadable
        #expect(unreadable > 0, "the fixtures hold unreadable rows: the case that disagreed")
        let totals = try #require(json["totals"]?.objectValue)
        func total(_ name: String) -> Int { totals[name]?.intValue ?? -1 }
        #expect(total("setAside") == setAside)
        #expect(json["unavailable"] == ["gsxt"])
        let dead = total("dead")
        #expect(dead > 0 && total("queued") == 0 && total("held") == 0)
        let outcomes = json["outcomes"]?.arrayValue ?? []
        #expect(total("created") == outcomes.reduce(0) { $0 + ($1["created"]?.intValue ?? 0) })
        #expect(total("kept") == outcomes.reduce(0) { $0 + ($1["keptSetAside"]?.intValue ?? 0) })

        // The summary on stdout: the same set-aside count; where gsxt's changes went, in words.
        #expect(run.stdout.contains("  \(setAside) rows set aside"), "\(run.stdout)")
        #expect(run.stdout.contains("gsxt is unavailable: \(dead) dead"), "\(run.stdout)")
        #expect(!run.stdout.contains("queued for the next run"))

        // `credsync report`: the same totals, and which platform was unavailable.
        let text = try env.credsync(["report"])
        #expect(text.stdout.contains("set aside: \(setAside);"), "\(text.stdout)")
        #expect(text.stdout.contains("queued for retry: 0; held: 0; dead: \(dead);"), "\(text.stdout)")
        #expect(text.stdout.contains("  gsxt: gsxt is unavailable: \(dead) dead"), "\(text.stdout)")

        // The HTML page: tiles from the same totals; set aside per dataset, not repeated per platform.
        let html = try String(contentsOfFile: env.stateDir + "/reports/latest.html", encoding: .utf8)
        let titles = [
            "created": "created", "setAside": "set aside", "queued": "queued for retry", "held": "held", "dead": "dead",
        ]
        for (name, title) in titles {
            #expect(html.contains("<b>\(total(name))</b>\(title)</div>"), "\(name)")
        }
        #expect(!html.contains("<th>set aside</th>"))
        let perDataset =
            html.components(separatedBy: "Rows set aside per dataset").last?.components(separatedBy: "</table>").first
            ?? ""
        let cells = perDataset.components(separatedBy: "<td class=\"n\">").dropFirst().compactMap {
            Int($0.prefix { $0.isNumber })
        }
        #expect(cells.reduce(0, +) == setAside)
        #expect(html.contains("Unavailable: gsxt"))

        // The outage is logged as an event, its numbers as JSON numbers.
        let events = run.stderr.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        let outage = try #require(events.first { $0["msg"] == "platform unavailable" })
        #expect(outage["platform"] == "gsxt")
        guard case .number = outage["failures"] else {
            Issue.record("failures is not a JSON number: \(String(describing: outage["failures"]))")
            return
        }
    }

    @Test func everyPhaseIsTimedAndOldReportsArePrunedByAgeAndCount() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let config = try String(contentsOfFile: env.configFile, encoding: .utf8)
        try config.replacingOccurrences(
            of: #""stateDir": "state","#,
            with: #""stateDir": "state", "reportRetention": {"maxAge": "30d", "keepRuns": 2},"#
        ).write(toFile: env.configFile, atomically: true, encoding: .utf8)
        let reports = env.stateDir + "/reports"
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
        let old = "20200101T000000-0badc0de"
        for suffix in [".json", ".html"] {
            try "{}".write(toFile: reports + "/" + old + suffix, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: 1_577_836_800)],
                ofItemAtPath: reports + "/" + old + suffix)
        }

        let first = try env.credsync(["sync", "--dataset", "pledge"])
        #expect(first.status == 0 || first.status == 1, "\(first.stderr)")
        #expect(!FileManager.default.fileExists(atPath: reports + "/" + old + ".json"), "older than maxAge")
        #expect(!FileManager.default.fileExists(atPath: reports + "/" + old + ".html"))
        let phases = try env.latestReport()["phases"]?.arrayValue?.compactMap { $0["phase"]?.stringValue } ?? []
        #expect(phases.first == "load" && phases.last == "write", "\(phases)")
        let saved = try String(contentsOfFile: reports + "/latest.json", encoding: .utf8)
        #expect(!saved.contains("0.000123456789"), "the write phase's time is filled in")

        for _ in 0..<2 { _ = try env.credsync(["sync", "--dataset", "pledge"]) }
        let runs = try FileManager.default.contentsOfDirectory(atPath: reports).filter {
            $0.hasSuffix(".json") && $0 != "latest.json"
        }
        #expect(runs.count == 2, "keepRuns 2: \(runs)")
        let latestID = try env.latestReport()["runId"]?.stringValue ?? ""
        #expect(runs.contains(latestID + ".json"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: reports).filter {
                $0.hasSuffix(".html") && $0 != "latest.html"
            }.count == 2)
    }
}
