#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore
import Foundation
import TestSupport
import Testing

/// The operator's queue commands on the real binaries: filters, corrupt entries, audit events and
/// the metrics they keep current.
@Suite struct QueueOperationsEndToEndTests {
    func entries(_ env: SyncEnvironment, _ filters: [String] = []) throws -> [JSONValue] {
        try JSONParser.parse(try env.credsync(["queue", "list", "--json"] + filters).stdout)["entries"]?.arrayValue
            ?? []
    }

    /// The configuration with `metricsFile` (and more keys) added.
    func addKeys(_ env: SyncEnvironment, _ keys: String) throws {
        let config = try String(contentsOfFile: env.configFile, encoding: .utf8)
        try config.replacingOccurrences(of: #""stateDir": "state","#, with: #""stateDir": "state", \#(keys),"#)
            .write(toFile: env.configFile, atomically: true, encoding: .utf8)
    }

    func operatorEvents(_ env: SyncEnvironment) throws -> [JSONValue] {
        let text = try String(contentsOfFile: env.stateDir + "/audit/audit.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }.filter {
            $0["event"] == "operator"
        }
    }

    func metrics(_ env: SyncEnvironment) throws -> String {
        try String(contentsOfFile: env.stateDir + "/metrics/credsync.prom", encoding: .utf8)
    }

    @Test func releaseAndDropTakeTheListFiltersAndEachChangeIsAuditedAndCounted() throws {
        let env = try SyncEnvironment(platforms: [.credit, .gsxt])
        try addKeys(env, #""metricsFile": "state/metrics/credsync.prom""#)
        for platform in ["credit", "gsxt"] {
            try env.sandbox.admin(
                "POST", "forbid",
                ["platform": .string(platform), "app": .string(SandboxProcess.appID), "dataset": "pledge"])
        }
        _ = try env.credsync(["sync", "--dataset", "pledge"])
        // The run's metrics: phases as identifiers, one rejected count, held and dead outcomes, a timestamp
        // for the oldest entry (PromQL works out its age), nothing under platform="all".
        let run = try metrics(env)
        #expect(run.contains("credsync_phase_duration_seconds{phase=\"read_map_plan\"} "), "\(run)")
        #expect(run.contains("credsync_phase_duration_seconds{phase=\"push\"} "))
        #expect(!run.contains("credsync_rejected_records"))
        #expect(run.contains("credsync_records{platform=\"credit\",dataset=\"pledge\",outcome=\"rejected\"} 0"))
        #expect(run.contains("credsync_records{platform=\"gsxt\",dataset=\"pledge\",outcome=\"held\"} 240"))
        #expect(run.contains("credsync_records{platform=\"gsxt\",dataset=\"pledge\",outcome=\"dead\"} 0"))
        #expect(run.contains("credsync_queue_oldest_entry_timestamp_seconds{platform=\"gsxt\",state=\"hold\"} 17"))
        #expect(!run.contains("credsync_queue_oldest_entry_age_seconds") && !run.contains("platform=\"all\""))
        #expect(try entries(env, ["--state", "hold", "--platform", "credit"]).count == 240)
        #expect(try entries(env, ["--state", "hold", "--platform", "gsxt"]).count == 240)
        // The last error is whole: the request id the helpdesk asks for is there.
        let listed = try env.credsync(["queue", "list", "--platform", "credit"])
        let errorLine = try #require(listed.stdout.split(separator: "\n").dropFirst().first.map(String.init))
        #expect(errorLine.contains("HTTP 403 FORBIDDEN: this application may not use pledge (request "), "\(errorLine)")
        #expect(errorLine.range(of: #"\(request [0-9a-f]{16}\)$"#, options: .regularExpression) != nil, "\(errorLine)")
        // No match says so, and what the queues do hold.
        let none = try env.credsync(["queue", "list", "--dataset", "license"])
        #expect(
            none.stdout.contains("no entry matches --dataset license (the queues hold 480 entries"), "\(none.stdout)")

        // retry leaves held entries alone and says what releases them.
        let retryHeld = try env.credsync(["queue", "retry", "--all", "--state", "hold"])
        #expect(retryHeld.status == 64)
        #expect(retryHeld.stderr.contains("held entries need 'credsync queue release'"), "\(retryHeld.stderr)")
        let retryAll = try env.credsync(["queue", "retry", "--all"])
        #expect(retryAll.status == 0)
        #expect(retryAll.stdout.contains("0 entries due now"))
        #expect(
            retryAll.stdout.contains("480 held entries left as they are: held entries need 'credsync queue release'"))

        let release = try env.credsync(["queue", "release", "--platform", "credit", "ALL"])
        #expect(release.status == 0, "\(release.stderr)")
        #expect(release.stdout.contains("240 entries released, due now"))
        #expect(try entries(env, ["--platform", "credit", "--state", "deferred"]).count == 240)
        #expect(try entries(env, ["--platform", "gsxt", "--state", "hold"]).count == 240)
        // The metrics' queue gauges follow, and what the run wrote stays.
        var text = try metrics(env)
        #expect(text.contains("credsync_queue_entries{platform=\"credit\",state=\"hold\"} 0"))
        #expect(text.contains("credsync_queue_entries{platform=\"credit\",state=\"deferred\"} 240"))
        #expect(text.contains("credsync_queue_entries{platform=\"gsxt\",state=\"hold\"} 240"))
        #expect(text.contains("credsync_queue_oldest_entry_timestamp_seconds{platform=\"credit\",state=\"deferred\"} "))
        #expect(!text.contains("credsync_queue_oldest_entry_timestamp_seconds{platform=\"credit\",state=\"hold\"}"))
        // A 403 is an authentication or permission failure: the run exited 77.
        #expect(text.contains("credsync_last_run_exit_code 77"))
        #expect(text.contains("credsync_authentication_failures{platform=\"gsxt\"} 1"))
        #expect(text.contains("outcome=\"held\"} 240"))

        let drop = try env.credsync(["queue", "drop", "--platform", "gsxt", "--state", "hold", "--yes", "ALL"])
        #expect(drop.status == 0, "\(drop.stderr)")
        #expect(drop.stdout.contains("240 entries dropped"))
        #expect(try entries(env, ["--platform", "gsxt"]).isEmpty)
        text = try metrics(env)
        #expect(text.contains("credsync_queue_entries{platform=\"gsxt\",state=\"hold\"} 0"))
        #expect(text.components(separatedBy: "# TYPE credsync_queue_entries gauge").count == 2)

        // Every change is in the audit log: who, what, which filters, how many; the chain holds.
        let events = try operatorEvents(env)
        #expect(events.map { $0["action"]?.stringValue ?? "" } == ["queue retry", "queue release", "queue drop"])
        let user = String(cString: getpwuid(geteuid()).pointee.pw_name)
        #expect(events.allSatisfy { $0["user"]?.stringValue == user })
        #expect(events[0]["count"]?.intValue == 0 && events[0]["skipped"]?["hold"]?.intValue == 480)
        #expect(events[1]["selection"]?["platform"] == "credit" && events[1]["selection"]?["all"] == true)
        #expect(events[1]["count"]?.intValue == 240 && events[1]["items"]?.arrayValue?.count == 240)
        #expect(events[2]["selection"]?["state"] == "hold" && events[2]["count"]?.intValue == 240)
        #expect(events[2]["items"]?.arrayValue?.first?["key"]?.stringValue?.isEmpty == false)
        #expect(try env.credsync(["audit", "verify"]).status == 0)
    }

    /// What the `sqlite3` shell prints for `sql` on the state store.
    func sqlite3(_ env: SyncEnvironment, _ sql: String) throws -> String {
        let run = try SQLiteShell.run(env.stateDir + "/credsync.db", sql)
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout
    }

    @Test func readingTheQueueChangesNothingAndACorruptEntryIsShownAndDroppedById() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        try addKeys(env, #""metricsFile": "state/metrics/credsync.prom""#)
        // Before any run there is no store, and reading the queue does not create one.
        let empty = try env.credsync(["queue", "list"])
        #expect(empty.status == 0 && empty.stdout.contains("the queues are empty"), "\(empty.stdout)\(empty.stderr)")
        #expect(!FileManager.default.fileExists(atPath: env.stateDir + "/credsync.db"))
        try env.sandbox.admin("POST", "faults", ["platform": "credit", "down": true])
        _ = try env.credsync(["sync", "--dataset", "pledge"])
        let queued = try entries(env)
        let victim = try #require(queued.first?["id"]?.stringValue)
        let other = try #require(queued.last?["id"]?.stringValue)
        #expect(!FileManager.default.fileExists(atPath: env.stateDir + "/queue"), "the queue is in the store")
        // A hand edit past the schema's checks (a state this credsync does not know).
        _ = try sqlite3(
            env, "PRAGMA ignore_check_constraints = ON; UPDATE queue SET state = 'paused' WHERE id = '\(victim)'")
        let before = try sqlite3(env, "SELECT * FROM queue ORDER BY id")

        // list, show and stats only read: the damaged row stays as it is.
        let list = try env.credsync(["queue", "list"])
        #expect(list.stdout.contains("\(victim)  corrupt"), "\(list.stdout)")
        #expect(list.stdout.contains("(1 corrupt"))
        let listed = try JSONParser.parse(try env.credsync(["queue", "list", "--json", "--state", "corrupt"]).stdout)
        #expect(listed["entries"]?.arrayValue?.isEmpty == true)
        #expect(listed["corrupt"]?.arrayValue?.first?["id"]?.stringValue == victim)
        #expect(listed["corrupt"]?.arrayValue?.first?["problem"]?.stringValue?.contains("\"paused\"") == true)
        _ = try env.credsync(["queue", "stats"])
        let shown = try env.credsync(["queue", "show", victim])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("corrupt entry \(victim)"), "\(shown.stdout)")
        #expect(shown.stdout.contains("its state is \"paused\", not a value credsync writes"), "\(shown.stdout)")
        #expect(try sqlite3(env, "SELECT * FROM queue ORDER BY id") == before)

        // A readable entry reads as text; --json gives the machine form.
        let text = try env.credsync(["queue", "show", other])
        #expect(!text.stdout.hasPrefix("{"))
        #expect(text.stdout.contains("entry \(other)\n"))
        #expect(text.stdout.contains("next attempt:"))
        #expect(text.stdout.contains("errors, oldest first:\n  20"))
        #expect(text.stdout.contains("HTTP 503 UNAVAILABLE: the platform is down for maintenance (request "))
        #expect(text.stdout.contains("payload (personal numbers masked):\n  "))
        let json = try JSONParser.parse(try env.credsync(["queue", "show", other, "--json"]).stdout)
        #expect(json["id"]?.stringValue == other && json["payload"]?.objectValue != nil)

        // A command that changes the queue leaves it as it is; the metrics count it under credit.
        #expect(try env.credsync(["queue", "hold", other]).status == 0)
        #expect(try sqlite3(env, "SELECT state FROM queue WHERE id = '\(victim)'") == "paused\n")
        #expect(try sqlite3(env, "SELECT state FROM queue WHERE id = '\(other)'") == "hold\n")
        var metrics = try metrics(env)
        #expect(metrics.contains("credsync_queue_entries{platform=\"credit\",state=\"corrupt\"} 1"))
        #expect(!metrics.contains("platform=\"all\""))
        let drop = try env.credsync(["queue", "drop", String(victim.prefix(victim.count - 2)), "--yes"])
        #expect(drop.status == 0, "\(drop.stderr)")
        #expect(drop.stdout.contains("1 entry dropped"))
        #expect(try sqlite3(env, "SELECT count(*) FROM queue WHERE id = '\(victim)'") == "0\n")
        metrics = try self.metrics(env)
        #expect(metrics.contains("credsync_queue_entries{platform=\"credit\",state=\"corrupt\"} 0"))
        let events = try operatorEvents(env)
        #expect(events.map { $0["action"]?.stringValue ?? "" } == ["queue hold", "queue drop"])
        #expect(events.first?["items"]?.arrayValue?.first?["id"]?.stringValue == other)
        #expect(events.last?["items"]?.arrayValue?.first?["id"]?.stringValue == victim)
        #expect(events.last?["items"]?.arrayValue?.first?["state"] == "corrupt")
        // reconcile --repair is an operator action too.
        try env.sandbox.admin("POST", "faults", ["platform": "credit", "down": false])
        let repair = try env.credsync(["reconcile", "--platform", "credit", "--dataset", "pledge", "--repair"])
        #expect(repair.status == 0 || repair.status == 1, "\(repair.stderr)")
        let event = try #require(try operatorEvents(env).last)
        #expect(event["action"] == "reconcile --repair" && event["selection"]?["platform"] == "credit")
        #expect(event["items"]?.arrayValue?.first?["dataset"] == "pledge" && event["count"]?.intValue == 1)
    }

    @Test func theMetricsFileIsReadableByTheConfiguredGroupUnderTheUnitsUmask() throws {
        let env = try SyncEnvironment(platforms: [.credit, .gsxt])
        let group = try #require(getgrgid(1)).pointee
        let name = String(cString: group.gr_name)
        try addKeys(env, #""metricsFile": "state/metrics/credsync.prom", "metricsGroup": "\#(name)""#)
        try env.sandbox.admin("POST", "faults", ["platform": "gsxt", "down": true])
        // As the unit runs it: UMask=0027.
        let secret = "CREDSYNC_TEST_SECRET=" + SandboxProcess.secret
        let sync = try Binaries.runTool(
            "/bin/sh",
            [
                "-c", "umask 0027; export \(secret); exec \"$0\" \"$@\"", Binaries.directory + "/credsync", "sync",
                "--dataset", "dishonesty", "--dataset", "pledge", "--config", env.configFile, "--as-of", "2026-11-20",
                "-q",
            ])
        #expect(sync.status == 69, "\(sync.stderr)")
        let file = env.stateDir + "/metrics/credsync.prom"
        var info = stat()
        #expect(stat(file, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o640 && info.st_gid == 1)
        #expect(stat(env.stateDir + "/metrics", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o750 && info.st_gid == 1)
        #expect(try metrics(env).contains("credsync_queue_entries{platform=\"gsxt\",state=\"deferred\"} 240"))
        // A group the machine lacks is a configuration error, named.
        let config = try String(contentsOfFile: env.configFile, encoding: .utf8)
        try config.replacingOccurrences(of: #""metricsGroup": "\#(name)""#, with: #""metricsGroup": "no-such-group""#)
            .write(toFile: env.configFile, atomically: true, encoding: .utf8)
        let check = try env.credsync(["queue", "stats"])
        #expect(check.status == 78)
        #expect(check.stderr.contains("metricsGroup"))
    }

    /// The commands of the RUNBOOK's fenced `sh` block under `heading`, each split into its words.
    static func runbookCommands(under heading: String) throws -> [[String]] {
        let text = try String(contentsOfFile: Binaries.packageRoot + "/ops/RUNBOOK.md", encoding: .utf8)
        let section = try #require(text.components(separatedBy: "\n\(heading)\n").dropFirst().first)
        let block = try #require(
            section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        return block.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
            $0.split(separator: " ").map(String.init)
        }
    }

    @Test func theRunbooksDrainAQueueRecipeRunsVerbatim() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        // A night with credit down, then one with a 403 (the cause since fixed).
        try env.sandbox.admin("POST", "faults", ["platform": "credit", "down": true])
        _ = try env.credsync(["sync", "--dataset", "license"])
        try env.sandbox.admin("POST", "faults", ["platform": "credit", "down": false])
        try env.sandbox.admin("POST", "script", ["platform": "credit", "faults": ["status:403"]])
        _ = try env.credsync(["sync", "--dataset", "pledge"])
        #expect(try entries(env, ["--state", "deferred"]).count == 321)
        #expect(try entries(env, ["--state", "hold"]).isEmpty == false)

        let commands = try Self.runbookCommands(under: "### Drain a queue")
        #expect(commands.count >= 4 && commands.allSatisfy { $0.first == "credsync" })
        var last = ""
        for command in commands {
            let result = try env.credsync(Array(command.dropFirst()))
            let allowed: Set<Int32> = command.dropFirst().first == "sync" ? [0, 1] : [0]
            #expect(
                allowed.contains(result.status), "\(command.joined(separator: " ")): \(result.status) \(result.stderr)")
            last = result.stdout
        }
        #expect(last.contains("no entry matches --platform credit") || last.contains("the queues are empty"), "\(last)")
        #expect(try entries(env).isEmpty)
        #expect(try env.sandbox.holdings(.credit, .license).count == 321)
        #expect(try env.sandbox.holdings(.credit, .pledge).count == 240)
    }
}
