public import CredsyncCore

/// The run report's look ahead (the HTML page's "next 10 working days"): the forecast from the
/// state the run leaves, or why the run did not work it out.
package enum ReportForecast: Sendable {
    case forecast(Forecast)
    case skipped(String)

    /// The report JSON's `forecast` member: the forecast's `--json` shape, or `{"skipped": why}`.
    package var json: JSONValue {
        switch self {
        case .forecast(let forecast): return forecast.json
        case .skipped(let why): return ["skipped": .string(why)]
        }
    }
}

extension ForecastJob {
    /// The most rows the exports of a run may hold together for the run to forecast on its own.
    /// A forecast of 10 working days costs 11 plans, each re-reading the exports: on a province's
    /// exports of a few thousand rows a second or two, but past this it would lengthen the
    /// nightly window noticeably, so the report says to run `credsync forecast` instead.
    package static let reportRowLimit = 100_000

    /// The report's forecast: the next 10 working days as of `asOf`, from the state as the run
    /// left it. Skipped for a run of a day before `today` (its next days are past, and the state
    /// is today's), past `reportRowLimit` rows, and when it cannot be worked out (the run's own
    /// result stands either way).
    package static func forReport(
        _ workspace: Workspace, asOf: LocalDate, today: LocalDate, platforms: [PlatformID], rows: Int
    ) -> ReportForecast {
        guard asOf >= today else {
            return .skipped(
                "a run of a past day (\(asOf.iso)) has no forecast: its next days are past; "
                    + "'credsync forecast' shows today's")
        }
        guard rows <= reportRowLimit else {
            return .skipped(
                "the exports hold \(rows) rows, more than the \(reportRowLimit) a run forecasts on its own: "
                    + "run 'credsync forecast'")
        }
        do {
            return .forecast(try ForecastJob(workspace: workspace, asOf: asOf, platforms: platforms).run())
        } catch {
            return .skipped("the forecast could not be worked out: \(error.message)")
        }
    }
}
