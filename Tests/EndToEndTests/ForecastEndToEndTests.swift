import CredsyncCore
import Foundation
import TestSupport
import Testing

/// `credsync forecast` across Spring Festival 2026 (off 02-15 to 02-23, 02-14 and 02-28 worked):
/// every day of it is the plan and the deadlines of that day, diffed against the day before.
@Suite struct ForecastEndToEndTests {
    /// Listings whose events fall around the holiday, appended to the dishonesty export.
    static let listings = [
        // Expires on a holiday: withdrawn from the first working day after, due 3 working days on.
        listing("F1", listedOn: "2025-06-02", expected: "2026-02-17"),
        // Repaired on 02-25.
        listing("F2", listedOn: "2025-06-02", expected: "2028-06-01", removed: ("2026-02-25", "信用修复")),
        // Listed on 02-13: set aside as dated after today until then, due 7 working days later.
        listing("F3", listedOn: "2026-02-13", expected: "2029-02-12"),
    ]

    static func listing(_ id: String, listedOn: String, expected: String, removed: (String, String)? = nil) -> String {
        let removal = removed.map { #", "removedOn": "\#($0.0)", "removalReason": "\#($0.1)""# } ?? ""
        return #"{"decisionNo": "浙知失〔2026〕\#(id)号", "subjectName": "杭州旅行科技有限公司", "subjectType": "企业", "#
            + #""uscc": "91330100716105852F", "legalRep": "张三", "reason": "其他", "basis": "依据", "#
            + #""authority": "浙江省知识产权局", "authorityCode": "11330000MB12345679", "listedOn": "\#(listedOn)", "#
            + #""expectedRemovalOn": "\#(expected)"\#(removal)}"#
    }

    /// `target key op reason` of every change of a `plan --detail --json`.
    func changes(_ plan: JSONValue) -> Set<String> {
        var set: Set<String> = []
        for item in plan["plans"]?.arrayValue ?? [] {
            let target = "\(item["platform"]?.stringValue ?? "")/\(item["dataset"]?.stringValue ?? "")"
            for change in item["changes"]?.arrayValue ?? [] {
                let fields = ["key", "op", "reason"].map { change[$0]?.stringValue ?? "" }
                set.insert("\(target) " + fields.joined(separator: " "))
            }
        }
        return set
    }

    func counts(_ plans: [JSONValue]) -> Set<String> {
        Set(
            plans.map { p in
                ["platform", "dataset", "create", "update", "withdraw"].map {
                    p[$0]?.stringValue ?? p[$0]?.intValue.map(String.init) ?? ""
                }
                .joined(separator: " ")
            })
    }

    /// `target key kind` → due of every deadline of a `deadlines --json`, and which are overdue.
    func deadlines(_ json: JSONValue) -> (due: [String: String], overdue: Set<String>) {
        var due: [String: String] = [:]
        var overdue: Set<String> = []
        for item in json["items"]?.arrayValue ?? [] {
            let id = ["platform", "dataset", "key", "kind"].map { item[$0]?.stringValue ?? "" }
            let name = "\(id[0])/\(id[1]) \(id[2]) \(id[3])"
            due[name] = item["due"]?.stringValue
            if item["overdue"]?.boolValue == true { overdue.insert(name) }
        }
        return (due, overdue)
    }

    @Test func aForecastAcrossSpringFestivalMatchesThePlanOfEachDay() throws {
        let env = try SyncEnvironment(platforms: [.credit, .gsxt])
        let dishonesty = env.directory.path + "/dishonesty.jsonl"
        var text = try String(contentsOfFile: dishonesty, encoding: .utf8)
        text += Self.listings.map { $0 + "\n" }.joined()
        try text.write(toFile: dishonesty, atomically: true, encoding: .utf8)
        let asOf = "2026-02-11"
        let sync = try env.credsync(["sync", "-q"], asOf: asOf)
        #expect(sync.status == 0 || sync.status == 1, "\(sync.stderr)")

        let result = try env.credsync(["forecast", "--until", "2026-03-03", "--json"], asOf: asOf)
        #expect(result.status == 1, "something goes overdue: \(result.stderr)")
        let forecast = try JSONParser.parse(result.stdout)
        let days = [forecast["today"]].compactMap { $0 } + (forecast["days"]?.arrayValue ?? [])
        let dates = days.compactMap { $0["date"]?.stringValue }
        #expect(
            dates == [
                asOf, "2026-02-12", "2026-02-13", "2026-02-14", "2026-02-24", "2026-02-25", "2026-02-26",
                "2026-02-27", "2026-02-28", "2026-03-02", "2026-03-03",
            ])
        #expect(forecast["cutShort"] == .null)

        var previousChanges: Set<String> = []
        var previousOverdue: Set<String> = []
        var items: [String: Set<String>] = [:]
        for day in days {
            let date = day["date"]?.stringValue ?? ""
            let plan = try env.credsync(["plan", "--detail", "--json"], asOf: date)
            #expect(plan.status == 0 || plan.status == 1, "\(date): \(plan.stderr)")
            let planJSON = try JSONParser.parse(plan.stdout)
            #expect(planJSON["refused"]?.arrayValue?.isEmpty == true, "\(date)")
            #expect(counts(day["plans"]?.arrayValue ?? []) == counts(planJSON["plans"]?.arrayValue ?? []), "\(date)")
            let deadlines = deadlines(
                try JSONParser.parse(try env.credsync(["deadlines", "--within", "30", "--json"], asOf: date).stdout))

            let changes = changes(planJSON)
            var new: Set<String> = []
            var cancelled: Set<String> = []
            var overdue: Set<String> = []
            var named: Set<String> = []
            for item in day["items"]?.arrayValue ?? [] {
                let field = { (name: String) in item[name]?.stringValue ?? "" }
                let target = "\(field("platform"))/\(field("dataset"))"
                named.insert("\(field("kind")) \(target) \(field("key")) \(field("reason")) \(field("date"))")
                switch field("kind") {
                case "publication", "withdrawal":
                    let op = field("kind") == "withdrawal" ? "withdraw" : field("reason") == "new" ? "create" : "update"
                    new.insert("\(target) \(field("key")) \(op) \(field("reason"))")
                    let kind = field("kind") == "withdrawal" ? "withdrawal" : "publication"
                    #expect(
                        deadlines.due["\(target) \(field("key")) \(kind)"].map { $0 == field("date") } ?? true,
                        "\(date): \(field("key"))")
                case "cancelled": cancelled.insert("\(target) \(field("key")) \(field("reason"))")
                case "overdue": overdue.insert("\(target) \(field("key")) \(field("reason"))")
                default: break
                }
            }
            items[date] = named
            #expect(new == changes.subtracting(previousChanges), "\(date): new changes")
            let gone = previousChanges.filter { old in
                !changes.contains { $0.split(separator: " ").prefix(3) == old.split(separator: " ").prefix(3) }
            }
            #expect(
                cancelled == Set(gone.map { $0.split(separator: " ").prefix(3).joined(separator: " ") }),
                "\(date): no longer planned")
            #expect(overdue == deadlines.overdue.subtracting(previousOverdue), "\(date): overdue")
            previousChanges = changes
            previousOverdue = deadlines.overdue
        }
        // The holiday's events land on the first working day after it; the deadlines run on working days.
        #expect(items["2026-02-13"]?.contains("publication credit/dishonesty 浙知失〔2026〕F3号 new 2026-03-02") == true)
        #expect(items["2026-02-24"]?.contains("withdrawal credit/dishonesty 浙知失〔2026〕F1号 expired 2026-02-26") == true)
        #expect(items["2026-02-25"]?.contains("withdrawal credit/dishonesty 浙知失〔2026〕F2号 repaired 2026-02-28") == true)
        #expect(items["2026-02-27"]?.contains("overdue credit/dishonesty 浙知失〔2026〕F1号 withdrawal 2026-02-26") == true)
        #expect(items["2026-03-03"]?.contains("overdue credit/dishonesty 浙知失〔2026〕F3号 publication 2026-03-02") == true)
        // The RUNBOOK's commands before a holiday: something goes overdue in either window.
        for arguments in try NightlyEndToEndTests.recipe("Before a holiday: forecast") {
            let run = try env.credsync(arguments, asOf: asOf)
            #expect(run.status == 1, "\(arguments): \(run.stderr)")
            #expect(run.stdout.contains("OVERDUE   credit/dishonesty 浙知失〔2026〕F1号 (withdrawal was due 2026-02-26)"))
        }
        // A penalty of 2025-11-23 (一般: three months) may be repaired from 02-23, a holiday: listed on 02-24.
        #expect(items["2026-02-24"]?.contains("repairEligible /penalty 浙知处〔2025〕125号 一般 2026-02-23") == true)
        #expect(items["2026-02-24"]?.contains { $0.hasPrefix("publication gsxt/penalty ") } == true)
    }

    /// The run's report looks 10 working days ahead from the state the run left, as the command
    /// does; a run of a past day has none.
    @Test func theRunReportForecastsAsTheCommandDoesFromToday() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let past = try env.credsync(["sync", "-q"], asOf: "2026-11-20")
        #expect(past.status == 0 || past.status == 1, "\(past.stderr)")
        #expect(try env.latestReport()["forecast"]?["skipped"]?.stringValue?.contains("a run of a past day") == true)

        let today = LocalDate.todayInShanghai().iso
        let sync = try env.credsync(["sync", "-q"], asOf: today)
        #expect(sync.status == 0 || sync.status == 1, "\(sync.stderr)")
        let report = try env.latestReport()
        let command = try env.credsync(["forecast", "--json"], asOf: today)
        let forecast = try JSONParser.parse(command.stdout)
        let days = forecast["days"]?.arrayValue ?? []
        #expect(!days.isEmpty && days.count <= 10)
        #expect(days.count == 10 || forecast["cutShort"]?.stringValue != nil)
        #expect(report["forecast"]?["days"] == forecast["days"])
        let phases = report["phases"]?.arrayValue?.compactMap { $0["phase"]?.stringValue } ?? []
        #expect(phases.contains("forecast"), "\(phases)")
        let html = try String(contentsOfFile: env.stateDir + "/reports/latest.html", encoding: .utf8)
        #expect(html.contains("<h2>The next \(days.count) working days</h2>"))
        #expect(
            html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\"")
                && html.contains("aria-label=\"the next working days"))
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="))

        // Read-only: it runs without the platform secrets.
        let unsecret = try Binaries.run(
            "credsync", ["forecast", "--days", "1", "--config", env.configFile, "--as-of", today],
            directory: env.directory.path)
        #expect(unsecret.status == 0 || unsecret.status == 1, "\(unsecret.stderr)")
        #expect(unsecret.stdout.hasPrefix("forecast as of \(today): 1 working day to "), "\(unsecret.stdout)")

        let both = try env.credsync(["forecast", "--days", "3", "--until", "2026-12-01"])
        #expect(both.status == 64)
        #expect(both.stderr.contains("error: --days and --until both say how far to look"), "\(both.stderr)")
        let before = try env.credsync(["forecast", "--until", "2026-11-01"])
        #expect(before.status == 64)
        #expect(before.stderr.contains("is not a date after the as-of date 2026-11-20"), "\(before.stderr)")
    }
}
