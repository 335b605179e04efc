import CredsyncCore
import Foundation
import TestSupport
import Testing

@Suite struct ReportEndToEndTests {
    @Test func reportsAreKeptAsJSONAndSelfContainedHTMLAndMetricsAreWritten() throws {
        let env = try SyncEnvironment(platforms: [.credit, .gsxt])
        let config = try String(contentsOfFile: env.configFile, encoding: .utf8)
        try config.replacingOccurrences(
            of: #""stateDir": "state","#, with: #""stateDir": "state", "metricsFile": "state/metrics/credsync.prom","#
        )
        .write(toFile: env.configFile, atomically: true, encoding: .utf8)
        try env.sandbox.admin("POST", "faults", ["platform": "gsxt", "down": true])
        _ = try env.credsync(["sync"])
        let html = try String(contentsOfFile: env.stateDir + "/reports/latest.html", encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
        #expect(!html.contains("<script") && !html.contains("<link"))
        #expect(html.contains("<svg") && html.contains("Set aside (not sent)") && html.contains("Deadlines"))
        let metrics = try String(contentsOfFile: env.stateDir + "/metrics/credsync.prom", encoding: .utf8)
        #expect(metrics.contains("credsync_queue_entries{platform=\"gsxt\",state=\"deferred\"} 703"))
        #expect(metrics.contains("credsync_records{platform=\"credit\",dataset=\"license\",outcome=\"created\"} 321"))
        #expect(metrics.contains("credsync_last_run_exit_code 69"))
        let report = try env.credsync(["report", "latest"])
        #expect(report.status == 0)
        #expect(report.stdout.contains("credit/license: 321 created"))
        #expect(try env.credsync(["report", "nope"]).status == 64)
    }

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
            "needs Debian's chromium (ops/setup --test installs it)"))
    func htmlReportRendersInHeadlessChromiumWithoutLoadErrors() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        _ = try env.credsync(["sync"])
        let page = env.stateDir + "/reports/latest.html"
        let png = env.directory.path + "/report.png"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2000", "--screenshot=\(png)", "file://" + page,
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(log)")
        let size = (try FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
        #expect(size > 10_000)
        for line in log.split(separator: "\n")
        where line.contains("CONSOLE") || line.contains("Failed to load") || line.contains("net::ERR") {
            Issue.record("load error: \(line)")
        }
    }
}
