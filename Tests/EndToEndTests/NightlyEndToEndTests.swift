import CredsyncCore
import Foundation
import TestSupport
import Testing

/// The first nights in production (issue 15): what the nightly timer, a wrong secret, a dry run,
/// the year end and the RUNBOOK's recipes do, through the real binaries against the sandbox.
@Suite struct NightlyEndToEndTests {
    /// `credsync` with this environment's configuration, the secret given, and `--as-of` only when asked.
    func credsync(
        _ env: SyncEnvironment, _ arguments: [String], secret: String = SandboxProcess.secret, asOf: String? = nil
    ) throws -> Binaries.Result {
        try Binaries.run(
            "credsync",
            arguments + ["--config", env.configFile, "--no-progress"] + (asOf.map { ["--as-of", $0] } ?? []),
            environment: ["CREDSYNC_TEST_SECRET": secret], directory: env.directory.path)
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// Adds the metrics file to the environment's configuration.
    func withMetrics(_ env: SyncEnvironment) throws -> String {
        let config = try read(env.configFile)
        try config.replacingOccurrences(
            of: #""stateDir": "state","#, with: #""stateDir": "state", "metricsFile": "state/metrics/credsync.prom","#
        )
        .write(toFile: env.configFile, atomically: true, encoding: .utf8)
        return env.stateDir + "/metrics/credsync.prom"
    }

    /// The `credsync` lines of the first `sh` block under a RUNBOOK heading, split into arguments.
    static func recipe(_ heading: String) throws -> [[String]] {
        let text = try String(contentsOfFile: Binaries.packageRoot + "/ops/RUNBOOK.md", encoding: .utf8)
        let section = try #require(text.components(separatedBy: "\n## " + heading + "\n").dropFirst().first)
        let block = try #require(
            section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        let lines = block.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("credsync ") }, "\(lines)")
        return lines.map { $0.split(separator: " ").dropFirst().map(String.init) }
    }

    @Test func aWrongSecretEndsTheNightWith77ABannerAndAMetricAndTheRotationRecipeRecovers() throws {
        let env = try SyncEnvironment()
        let metrics = try withMetrics(env)
        let wrong = "an-old-secret-0123456789abcdef"
        // The secret rotated on the platforms' side, not here: the night.
        let night = try credsync(env, ["sync"], secret: wrong)
        #expect(night.status == 77, "\(night.stdout)\(night.stderr)")
        #expect(
            night.stdout.contains("AUTHENTICATION FAILED: credit refused the credentials: HTTP 401 BAD_SIGNATURE"),
            "\(night.stdout)")
        let report = try env.latestReport()
        let failures = report["authenticationFailures"]?.arrayValue ?? []
        #expect(
            failures.contains {
                $0["platform"] == "credit" && $0["code"] == "BAD_SIGNATURE" && $0["status"]?.intValue == 401
            })
        let prometheus = try read(metrics)
        #expect(prometheus.contains(#"credsync_authentication_failures{platform="credit"} 1"#))
        #expect(prometheus.contains("credsync_last_run_exit_code 77"))
        #expect((try env.totals()["held"] ?? 0) > 0)
        // The page in the morning: the banner, Beijing times, the queue by platform and state.
        let html = try read(env.stateDir + "/reports/latest.html")
        #expect(html.contains("Authentication failed: credit"))
        #expect(html.contains("UTC+8") && !html.contains("Z ·"))
        #expect(html.contains("<th>platform</th><th>deferred</th><th>hold</th><th>dead</th>"))
        // check --online proves the old secret wrong before the next night…
        let stale = try credsync(env, ["check", "--online"], secret: wrong)
        #expect(stale.status == 77, "\(stale.stdout)\(stale.stderr)")
        #expect(stale.stderr.contains("error: credit: HTTP 401 BAD_SIGNATURE"))
        // …then the RUNBOOK's recipe, verbatim, with the new secret in place.
        for arguments in try Self.recipe("Rotating secrets and certificates") {
            let result = try credsync(env, arguments)
            #expect(result.status == 0 || result.status == 1, "\(arguments): \(result.stdout)\(result.stderr)")
            if arguments.first == "check" {
                for platform in PlatformID.allCases {
                    #expect(result.stdout.contains("\(platform.rawValue): signed request accepted"))
                }
            }
        }
        #expect(try env.sandbox.holdings(.credit, .license).count == 321)
        #expect(try env.totals()["held"] == 0)
        #expect(try read(metrics).contains(#"credsync_authentication_failures{platform="credit"} 0"#))
    }

    @Test func aDryRunLeavesTheLatestReportAndTheMetricsToTheLastRealRun() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let metrics = try withMetrics(env)
        let real = try credsync(env, ["sync"], asOf: "2026-11-20")
        #expect(real.status == 1, "\(real.stderr)")
        let latest = try read(env.stateDir + "/reports/latest.json")
        let latestHTML = try read(env.stateDir + "/reports/latest.html")
        let before = try read(metrics)
        // A truncated export makes the dry run exit 65: an alert if it were taken for the night.
        try "证书编号\n".write(toFile: env.directory.path + "/licenses.csv", atomically: true, encoding: .utf8)
        let dry = try credsync(env, ["sync", "--dry-run"], asOf: "2026-11-20")
        #expect(dry.status == 65, "\(dry.stdout)\(dry.stderr)")
        #expect(try read(env.stateDir + "/reports/latest.json") == latest)
        #expect(try read(env.stateDir + "/reports/latest.html") == latestHTML)
        #expect(try read(metrics) == before)
        let files = try FileManager.default.contentsOfDirectory(atPath: env.stateDir + "/reports")
        let dryReport = try #require(files.first { $0.hasSuffix(".dry-run.json") })
        #expect(files.contains(dryReport.replacingOccurrences(of: ".json", with: ".html")))
        #expect(try JSONParser.parse(read(env.stateDir + "/reports/" + dryReport))["dryRun"] == .bool(true))
        #expect(dry.stdout.contains(".dry-run.html"))
    }

    @Test func syncPullsFirstAndAFailedPullIsReportedWhileTheRunGoesOn() throws {
        let env = try SyncEnvironment()
        let skipped = try credsync(env, ["sync", "--no-pull", "--platform", "credit"])
        #expect(skipped.status == 1, "\(skipped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: env.stateDir + "/enterprises"))
        let first = try credsync(env, ["sync"])
        #expect(first.status == 1, "\(first.stderr)")
        let shown = try credsync(env, ["enterprise", "show", "91330102M279W02NX0"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("serious-illegal list"))
        let warnings = try env.latestReport()["warnings"]?.arrayValue ?? []
        #expect(warnings.contains { $0.stringValue?.hasPrefix("cross-check:") == true })
        // gsxt down: the pull fails, the run goes on (credit's plan pushed), gsxt is reported unavailable.
        try env.sandbox.admin("POST", "faults", ["platform": "gsxt", "down": true])
        let down = try credsync(env, ["sync"])
        #expect(down.status == 69, "\(down.stdout)\(down.stderr)")
        #expect(down.stdout.contains("gsxt: the pull failed"), "\(down.stdout)")
        #expect(try env.sandbox.holdings(.credit, .license).count == 321)
        #expect(try read(env.stateDir + "/reports/latest.html").contains("gsxt was unavailable"))
    }

    @Test func deadlinesAcrossTheYearEndListWhatCanBeWorkedOutAndTheRestAsUnknown() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        _ = try credsync(env, ["sync"], asOf: "2026-11-20")
        let yearEnd = try credsync(env, ["deadlines", "--json"], asOf: "2026-12-29")
        #expect(yearEnd.status == 1, "\(yearEnd.stderr)")
        let json = try JSONParser.parse(yearEnd.stdout)
        let items = json["items"]?.arrayValue ?? []
        #expect(items.count > 0)
        let unknown = json["unknown"]?.arrayValue ?? []
        #expect(!unknown.isEmpty && unknown.allSatisfy { $0["missingYear"]?.intValue == 2027 })
        #expect(json["horizon"] == "2026-12-31")
        let text = try credsync(env, ["deadlines", "--within", "30"], asOf: "2026-12-02")
        #expect(text.status == 0 || text.status == 1, "\(text.stderr)")
        #expect(text.stdout.contains("the window ends on 2026-12-31"))
        let listed = try credsync(env, ["deadlines"], asOf: "2026-12-29")
        #expect(listed.stdout.contains("UNKNOWN  in 2027"), "\(listed.stdout)")
    }

    @Test func reRunningADayFollowsTheRunbookVerbatimAndATruncatedExportIsStillRefused() throws {
        let env = try SyncEnvironment()
        let today = try credsync(env, ["sync"], asOf: "2026-11-20")
        #expect(today.status == 1, "\(today.stderr)")
        for arguments in try Self.recipe("Re-running a day") {
            let result = try credsync(env, arguments)
            #expect(result.status == 0 || result.status == 1, "\(arguments): \(result.stdout)\(result.stderr)")
            #expect(!result.stderr.contains("shrank"), "\(arguments): \(result.stderr)")
            if arguments.first == "plan" { #expect(result.stdout.contains("credit    license"), "\(result.stdout)") }
        }
        // The next night is today's again, and a really truncated export is still refused.
        let back = try credsync(env, ["sync"], asOf: "2026-11-21")
        #expect(back.status == 1, "\(back.stderr)")
        let lines = try read(env.directory.path + "/dishonesty.jsonl").split(separator: "\n")
        try (lines.prefix(20).joined(separator: "\n") + "\n").write(
            toFile: env.directory.path + "/dishonesty.jsonl", atomically: true, encoding: .utf8)
        let truncated = try credsync(env, ["plan", "--as-of", "2026-03-05"])
        #expect(truncated.status == 65)
        #expect(truncated.stderr.contains("dishonesty: the export shrank"), "\(truncated.stderr)")
    }

    /// `ops/demo --file-channel`: ipp through a 前置机 (OpenSSH on loopback), its answers collected.
    @Test func theDemoShowsTheFileChannel() throws {
        let directory = try TemporaryDirectory("demo")
        let output = try Self.demo(["--file-channel"], directory)
        #expect(output.status == 0, "\(output.text)")
        #expect(output.text.contains("ipp/pledge: 0 created, 0 updated, 0 withdrawn, 0 unchanged, 240 sent to the 前置机"))
        #expect(output.text.contains("collected from ipp: 2 answers applied"), "\(output.text)")
        #expect(output.text.contains("ipp/pledge: 0 created, 0 updated, 0 withdrawn, 240 unchanged"), "\(output.text)")
    }

    static func demo(_ arguments: [String], _ directory: TemporaryDirectory) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.packageRoot + "/ops/demo")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "CREDSYNC_CONFIG")
        environment["CREDSYNC_BIN_DIR"] = Binaries.directory
        environment["CREDSYNC_DEMO_DIR"] = directory.path + "/demo"
        environment["CREDSYNC_DEMO_PORT"] = "0"
        environment["CREDSYNC_DEMO_SSH_PORT"] = "0"
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: Binaries.packageRoot)
        // Into a file: the sandbox the script starts in the background must not hold a pipe open.
        let log = directory.path + "/demo.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOfFile: log, encoding: .utf8))
    }

    @Test func theDemoPullsTheFixturesFeedsSoTheStoreAndCrossChecksShowSomething() throws {
        let directory = try TemporaryDirectory("demo")
        let output = try Self.demo([], directory)
        #expect(output.status == 0, "\(output.text)")
        #expect(output.text.contains("91330102M279W02NX0  杭州远景电子有限公司"), "\(output.text)")
        #expect(output.text.contains("serious-illegal list: listed"))
        #expect(output.text.contains("seriousIllegal:"))
    }

    @Test func theSystemdUnitIsHardenedAndVerifiesClean() throws {
        let unit = try read(Binaries.packageRoot + "/ops/systemd/credsync.service")
        for line in [
            "SystemCallFilter=@system-service", "ProtectProc=invisible", "ProcSubset=pid", "PrivateMounts=yes",
            "RemoveIPC=yes", "#IPAddressAllow=", "SuccessExitStatus=1\n",
        ] {
            #expect(unit.contains(line), "\(line)")
        }
        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else { return }
        // The example enabled and the binary a real one, as on an installed machine.
        let directory = try TemporaryDirectory("unit")
        let copy = try directory.write(
            "credsync.service",
            unit.replacingOccurrences(of: "#IPAddress", with: "IPAddress")
                .replacingOccurrences(of: "/usr/local/bin/credsync", with: "/bin/true"))
        let verify = try Binaries.runTool(analyze, ["verify", "--man=no", copy])
        #expect(verify.status == 0 && verify.stderr.isEmpty, "\(verify.stderr)")
    }
}
