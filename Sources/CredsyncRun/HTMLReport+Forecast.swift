import CredsyncCore

/// The page's look ahead: what each of the next working days brings if nothing is sent, as counts
/// per day in an inline SVG chart and the first items listed (`credsync forecast` has them all).
extension HTMLReport {
    /// How many forecast items the page lists.
    static let forecastItemsShown = 20

    /// The kinds the chart counts, with their colour and legend.
    static let forecastSeries: [(Forecast.Item.Kind, String, String)] = [
        (.publication, "#4a6fa5", "publications"), (.withdrawal, "#b26a00", "withdrawals"),
        (.overdue, "#b3261e", "overdue"), (.repairEligible, "#1b7f3b", "repairs eligible"),
    ]

    static func forecastSection(_ report: SyncReport) -> String {
        guard let section = report.forecast else { return "" }
        guard case .forecast(let forecast) = section else {
            if case .skipped(let why) = section { return "<h2>The next working days</h2>\n<p>\(escape(why))</p>\n" }
            return ""
        }
        var html = "<h2>The next \(forecast.days.count) working days</h2>\n"
        html +=
            "<p>If nothing is sent in between: each day planned as <code>credsync plan --as-of</code> that day.</p>\n"
        html += forecastChart(forecast.days)
        html +=
            "<table><tr><th>day</th>" + forecastSeries.map { "<th>\($0.2)</th>" }.joined() + "<th>refused</th></tr>\n"
        for day in forecast.days {
            let refused = day.refusals.count
            html +=
                "<tr><td>\(day.date.iso)</td>"
                + forecastSeries.map { "<td class=\"n\">\(day.count($0.0))</td>" }.joined()
                + "<td class=\"n\(refused > 0 ? " bad" : "")\">\(refused)</td></tr>\n"
        }
        html += "</table>\n"
        let items = forecast.days.flatMap { day in day.items.filter { $0.kind != .cancelled }.map { (day.date, $0) } }
        if !items.isEmpty {
            html += "<p>The first of them (all of them: <code>credsync forecast</code>):</p>\n"
            html += "<table><tr><th>day</th><th>what</th><th>where</th><th>key</th><th>why</th><th>date</th></tr>\n"
            for (date, item) in items.prefix(forecastItemsShown) {
                let bad = item.kind == .overdue ? " class=\"bad\"" : ""
                html +=
                    "<tr><td>\(date.iso)</td><td\(bad)>\(item.kind.rawValue)</td><td>\(escape(item.target))</td>"
                    + "<td>\(escape(item.key))</td><td>\(escape(item.reason))</td>"
                    + "<td>\(item.date?.iso ?? "")</td></tr>\n"
            }
            html += "</table>\n" + more(items.count - forecastItemsShown, see: "'credsync forecast'")
        }
        for refusal in forecast.days.flatMap(\.refusals) {
            html += "<p class=\"bad\">Would be refused: \(escape(refusal))</p>\n"
        }
        if let cutShort = forecast.cutShort { html += "<p class=\"bad\">Cut short: \(escape(cutShort))</p>\n" }
        return html
    }

    /// Per day, one bar per kind of `forecastSeries`, with its count above it and a legend.
    static func forecastChart(_ days: [Forecast.Day]) -> String {
        guard !days.isEmpty else { return "" }
        let group = 64
        let bar = 13
        let top = max(1, days.map { day in forecastSeries.map { day.count($0.0) }.max() ?? 0 }.max() ?? 1)
        let width = 40 + days.count * group
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"190\" role=\"img\" "
            + "aria-label=\"the next working days: publications, withdrawals, overdue and repairs per day\">"
        for (i, series) in forecastSeries.enumerated() {
            let x = 20 + i * 130
            svg += "<rect x=\"\(x)\" y=\"4\" width=\"10\" height=\"10\" fill=\"\(series.1)\"/>"
            svg += "<text x=\"\(x + 14)\" y=\"13\" font-size=\"11\">\(series.2)</text>"
        }
        for (d, day) in days.enumerated() {
            let x0 = 20 + d * group
            for (i, series) in forecastSeries.enumerated() {
                let count = day.count(series.0)
                let height = Int((Double(count) / Double(top) * 120).rounded())
                let x = x0 + i * bar
                svg += "<rect x=\"\(x)\" y=\"\(160 - height)\" width=\"\(bar - 2)\" height=\"\(height)\" "
                svg += "fill=\"\(series.1)\"/>"
                if count > 0 {
                    svg += "<text x=\"\(x + bar / 2)\" y=\"\(156 - height)\" font-size=\"9\" "
                    svg += "text-anchor=\"middle\">\(count)</text>"
                }
            }
            let label = String(day.date.iso.dropFirst(5))
            svg += "<text x=\"\(x0 + 2 * bar)\" y=\"176\" font-size=\"11\" text-anchor=\"middle\">\(label)</text>"
        }
        return svg + "</svg>\n"
    }
}
