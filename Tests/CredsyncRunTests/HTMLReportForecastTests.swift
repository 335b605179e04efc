import CredsyncCore
import Testing

@testable import CredsyncRun
import Foundation

/// The page's "next working days": one bar per kind and day in inline SVG, the first items listed
/// with the rest counted, text escaped; a skipped forecast says why.
@Suite struct HTMLReportForecastTests {
    static func report(_ forecast: ReportForecast?) throws -> SyncReport {
        let asOf = try #require(LocalDate(iso: "2026-02-11"))
        var report = SyncReport(runID: "20260211T023000-0a0b0c0d", asOf: asOf, startedAt: 0, dryRun: false)
        report.forecast = forecast
        return report
    }

    @Test func forecastSectionChartsEachDayAndListsTheFirstItems() throws {
        let asOf = try #require(LocalDate(iso: "2026-02-11"))
        var forecast = Forecast(asOf: asOf, today: Forecast.Day(date: asOf))
        for d in 1...10 {
            var day = Forecast.Day(date: asOf.adding(days: d))
            day.items = (0..<3).map {
                Forecast.Item(
                    kind: .withdrawal, platform: .credit, dataset: .dishonesty, key: "K<\(d)-\($0)>",
                    reason: "expired", date: asOf.adding(days: d + 3))
            }
            forecast.days.append(day)
        }
        let html = HTMLReport.render(try Self.report(.forecast(forecast)))
        #expect(html.contains("<h2>The next 10 working days</h2>"))
        let svg = try #require(html.components(separatedBy: "aria-label=\"the next working days").dropFirst().first)
        let chart = try #require(svg.components(separatedBy: "</svg>").first)
        // A legend square per kind, then four bars a day.
        #expect(chart.components(separatedBy: "<rect ").count - 1 == 4 + 4 * 10)
        #expect(html.contains("<td>K&lt;1-0&gt;</td>") && !html.contains("K<1-0>"))
        #expect(html.contains("<td>K&lt;7-1&gt;</td>") && !html.contains("K&lt;7-2&gt;"))
        #expect(html.contains("… and 10 more (see 'credsync forecast')"))
        #expect(!html.contains("<script"))
    }

    @Test func skippedForecastSaysWhy() throws {
        let html = HTMLReport.render(try Self.report(.skipped("the exports hold 200000 rows")))
        #expect(html.contains("<h2>The next working days</h2>\n<p>the exports hold 200000 rows</p>"))
        #expect(!HTMLReport.render(try Self.report(nil)).contains("The next"))
    }
}
