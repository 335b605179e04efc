import CredsyncCore

/// The run report as one self-contained HTML page: no external resources, inline CSS and SVG.
public enum HTMLReport {
    static func escape(_ text: String) -> String {
        var out = ""
        for c in Redactor.shared.redact(text) {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    public static func render(_ report: SyncReport) -> String {
        let sum = { (f: (DatasetOutcome) -> Int) in report.outcomes.reduce(0) { $0 + f($1) } }
        let tiles: [(String, Int, Bool)] = [
            ("created", sum(\.created), false), ("updated", sum(\.updated), false), ("withdrawn", sum(\.withdrawn), false),
            ("rejected", sum { $0.rejected.count }, true), ("set aside", report.setAside.count + report.unreadableRows.count, true),
            ("queued", sum { $0.queued + $0.held + $0.dead }, true), ("overdue", report.overdue, true),
        ]
        var html = """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>credsync run \(escape(report.runID))</title>
            <style>
            body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2em;color:#1d2330;background:#fafbfc}
            h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em;border-bottom:1px solid #dde}
            .tiles{display:flex;gap:1em;flex-wrap:wrap}.tile{background:#fff;border:1px solid #dde;border-radius:6px;padding:.8em 1.2em;min-width:7em}
            .tile b{display:block;font-size:1.8em}.tile.warn b{color:#b3261e}
            table{border-collapse:collapse;background:#fff}td,th{border:1px solid #dde;padding:.3em .6em;text-align:left}td.n{text-align:right}
            .ok{color:#1b7f3b}.bad{color:#b3261e}
            \(bannerStyle)
            </style></head><body>
            <h1>credsync \(report.dryRun ? "dry run" : "sync") \(escape(report.runID))</h1>
            \(banners(report))<p>As of \(report.asOf.iso) · started \(beijingTime(report.startedAt)) · finished \(beijingTime(report.finishedAt)) ·
            exit <b class="\(report.exitCode == .success ? "ok" : "bad")">\(report.exitCode.rawValue)</b> (\(escape(report.exitCode.meaning)))</p>
            <div class="tiles">
            """
        for (title, value, warn) in tiles {
            html += "<div class=\"tile\(warn && value > 0 ? " warn" : "")\"><b>\(value)</b>\(title)</div>"
        }
        html += "</div>\n<h2>Per platform and dataset</h2>\n<table><tr><th>platform</th><th>dataset</th><th>created</th><th>updated</th><th>withdrawn</th><th>unchanged</th><th>rejected</th><th>set aside</th><th>queued</th></tr>\n"
        for outcome in report.outcomes {
            let setAside = report.setAside.filter { $0.0 == outcome.dataset }.count + report.unreadableRows.filter { $0.0 == outcome.dataset }.count
            let cells = [outcome.created, outcome.updated, outcome.withdrawn, outcome.unchanged, outcome.rejected.count, setAside, outcome.queued + outcome.held + outcome.dead]
            html += "<tr><td>\(outcome.platform.rawValue)</td><td>\(outcome.dataset.rawValue)</td>" + cells.map { "<td class=\"n\">\($0)</td>" }.joined() + "</tr>\n"
        }
        html += "</table>\n"
        html += section("Rejected by a platform", report.outcomes.flatMap { outcome in
            outcome.rejected.map { "\(outcome.platform.rawValue)/\(outcome.dataset.rawValue) \($0.key): " + $0.errors.map(\.description).joined(separator: "; ") }
        })
        html += section("Set aside (not sent)", report.setAside.map { dataset, item in
            "\(dataset.rawValue) \(FileSystem.baseName(item.file)) line \(item.line)" + (item.key.map { " [\($0)]" } ?? "") + ": "
                + item.reasons.map { reason in
                    var shown = reason
                    shown.value = reason.json()["value"]?.stringValue
                    return shown.description
                }.joined(separator: "; ")
        } + report.unreadableRows.map { "\($0.0.rawValue) \($0.1)" })
        html += section("Warnings and cross-checks", report.warnings + report.platformProblems.map { "\($0.0.rawValue): \($0.1)" } + report.refused + report.unusableExports)
        html += "<h2>Deadlines</h2>\n"
        if report.deadlines.isEmpty {
            html += "<p class=\"ok\">Nothing is overdue or pending.</p>\n"
        } else {
            html += "<table><tr><th>status</th><th>due</th><th>platform</th><th>dataset</th><th>kind</th><th>key</th></tr>\n"
            for item in report.deadlines.prefix(500) {
                let overdue = item.due < report.asOf
                html += "<tr><td class=\"\(overdue ? "bad" : "")\">\(overdue ? "overdue" : "pending")</td><td>\(item.due.iso)</td><td>\(item.platform.rawValue)</td><td>\(item.dataset.rawValue)</td><td>\(item.kind)</td><td>\(escape(item.key))</td></tr>\n"
            }
            html += "</table>\n"
        }
        html += "<h2>Queue</h2>\n" + queueTable(report)
        html += queueAgeChart(report.queueAges)
        html += "<h2>Time per phase</h2>\n<table>" + report.phases.map { "<tr><td>\(escape($0.0))</td><td class=\"n\">\(ReportWriter.format3($0.1)) s</td></tr>" }.joined() + "</table>\n"
        html += "</body></html>\n"
        return html
    }

    static func section(_ title: String, _ items: [String]) -> String {
        guard !items.isEmpty else { return "<h2>\(title)</h2>\n<p class=\"ok\">None.</p>\n" }
        return "<h2>\(title) (\(items.count))</h2>\n<ul>" + items.prefix(1000).map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
    }

    /// Queued entries by age as an inline SVG bar chart.
    static func queueAgeChart(_ ages: [Double]) -> String {
        let buckets: [(String, Double)] = [("<1h", 3600), ("1–6h", 6 * 3600), ("6–24h", 86400), ("1–3d", 3 * 86400), ("3–7d", 7 * 86400), (">7d", .infinity)]
        var counts = [Int](repeating: 0, count: buckets.count)
        for age in ages { counts[buckets.firstIndex { age < $0.1 } ?? (buckets.count - 1)] += 1 }
        let top = max(1, counts.max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"180\" role=\"img\" aria-label=\"queue entries by age\">"
        for (i, bucket) in buckets.enumerated() {
            let height = Double(counts[i]) / Double(top) * 120
            let x = 20 + i * 75
            svg += "<rect x=\"\(x)\" y=\"\(Int(140 - height))\" width=\"50\" height=\"\(Int(height))\" fill=\"#4a6fa5\"/>"
            svg += "<text x=\"\(x + 25)\" y=\"158\" font-size=\"12\" text-anchor=\"middle\">\(bucket.0)</text>"
            svg += "<text x=\"\(x + 25)\" y=\"\(Int(135 - height))\" font-size=\"12\" text-anchor=\"middle\">\(counts[i])</text>"
        }
        return svg + "</svg>\n"
    }
}
