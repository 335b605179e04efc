import CredsyncCore
import Testing

@testable import CredsyncRun

/// The HTML page shows at most 1,000 items a list and 500 deadlines, and says how many it left out
/// and where they are; the JSON report keeps them all.
@Suite struct HTMLReportCutTests {
    @Test func cutListsAndDeadlinesSayHowManyMoreAndWhere() throws {
        let asOf = try #require(LocalDate(iso: "2026-11-20"))
        var report = SyncReport(runID: "20261120T023000-0a0b0c0d", asOf: asOf, startedAt: 0, dryRun: false)
        report.warnings = (0..<1200).map { "cross-check: warning \($0)" }
        let due = try #require(LocalDate(iso: "2026-11-18"))
        report.deadlines = (0..<600).map { (.credit, .license, "K\($0)", "publication", due) }
        let html = HTMLReport.render(report)
        #expect(html.contains("<li>cross-check: warning 999</li>") && !html.contains("warning 1000<"))
        #expect(html.contains("… and 200 more (see the JSON report beside this page)"))
        #expect(html.contains("… and 100 more (see 'credsync deadlines' or 20261120T023000-0a0b0c0d.json)"))
        let json = ReportWriter.json(report)
        #expect(json["warnings"]?.arrayValue?.count == 1200 && json["deadlines"]?.arrayValue?.count == 600)
    }
}
