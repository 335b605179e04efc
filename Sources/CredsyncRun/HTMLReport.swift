import CredsyncCore
import CredsyncFormats

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
        let totals = report.totals
        let calm: Set<String> = ["created", "updated", "withdrawn", "unchanged"]
        let tiles: [(String, Int, Bool)] = totals.named.map { (RunTotals.title($0.0), $0.1, !calm.contains($0.0)) }
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
            <h1>credsync \(report.dryRun ? "dry run" : escape(report.command)) \(escape(report.runID))</h1>
            \(banners(report))<p>As of \(report.asOf.iso) · started \(beijingTime(report.startedAt)) · finished \(beijingTime(report.finishedAt)) ·
            exit <b class="\(report.exitCode == .success ? "ok" : "bad")">\(report.exitCode.rawValue)</b> (\(escape(report.exitCode.meaning)))</p>
            <div class="tiles">
            """
        for (title, value, warn) in tiles {
            html += "<div class=\"tile\(warn && value > 0 ? " warn" : "")\"><b>\(value)</b>\(title)</div>"
        }
        html +=
            "</div>\n<h2>Per platform and dataset</h2>\n<table><tr><th>platform</th><th>dataset</th><th>created</th><th>updated</th><th>withdrawn</th><th>unchanged</th><th>rejected</th><th>kept (row set aside)</th><th>queued for retry</th><th>held</th><th>dead</th></tr>\n"
        for outcome in report.outcomes {
            let cells = [
                outcome.created, outcome.updated, outcome.withdrawn, outcome.unchanged, outcome.rejected.count,
                outcome.keptSetAside, outcome.queued, outcome.held, outcome.dead,
            ]
            html +=
                "<tr><td>\(outcome.platform.rawValue)</td><td>\(outcome.dataset.rawValue)</td>"
                + cells.map { "<td class=\"n\">\($0)</td>" }.joined() + "</tr>\n"
        }
        html += "</table>\n"
        html += unavailableNote(report)
        html += setAsideTable(report)
        html += section(
            "Rejected by a platform",
            report.outcomes.flatMap { outcome in
                outcome.rejected.map {
                    "\(PublishTarget(outcome.platform, outcome.dataset)) \($0.key): "
                        + $0.errors.map(\.description).joined(separator: "; ")
                }
            })
        let details = "\(report.runID).json, or 'credsync check'"
        html += section(
            "Set aside (not sent)", see: details,
            report.setAside.map { dataset, item in
                "\(dataset.rawValue) \(FileSystem.baseName(item.file)) line \(item.line)"
                    + (item.key.map { " [\($0)]" } ?? "") + ": "
                    + item.reasons.map { reason in
                        var shown = reason
                        shown.value = reason.json()["value"]?.stringValue
                        return shown.description
                    }.joined(separator: "; ")
            } + report.unreadableRows.map { "\($0.0.rawValue) \($0.1)" })
        html += section(
            "Warnings and cross-checks",
            report.warnings + report.platformProblems.map { "\($0.0.rawValue): \($0.1)" } + report.refused
                + report.unusableExports)
        html += "<h2>Deadlines</h2>\n"
        if report.deadlines.isEmpty {
            html += "<p class=\"ok\">Nothing is overdue or pending.</p>\n"
        } else {
            html +=
                "<table><tr><th>status</th><th>due</th><th>platform</th><th>dataset</th><th>kind</th><th>key</th></tr>\n"
            for item in report.deadlines.prefix(deadlinesShown) {
                let overdue = item.due < report.asOf
                html +=
                    "<tr><td class=\"\(overdue ? "bad" : "")\">\(overdue ? "overdue" : "pending")</td><td>\(item.due.iso)</td><td>\(item.platform.rawValue)</td><td>\(item.dataset.rawValue)</td><td>\(item.kind)</td><td>\(escape(item.key))</td></tr>\n"
            }
            html += "</table>\n"
            html += more(report.deadlines.count - deadlinesShown, see: "'credsync deadlines' or \(report.runID).json")
        }
        html += forecastSection(report)
        html += "<h2>Queue</h2>\n" + queueTable(report)
        html += queueAgeChart(report.queueAges)
        html +=
            "<h2>Time per phase</h2>\n<table>"
            + report.phases.map {
                "<tr><td>\(escape($0.0))</td><td class=\"n\">\(ReportWriter.seconds($0.1)) s</td></tr>"
            }.joined() + "</table>\n"
        html += "</body></html>\n"
        return html
    }

    /// How many items a list and the deadline table show; the rest are counted and pointed to.
    static let itemsShown = 1000
    static let deadlinesShown = 500

    static func section(_ title: String, see: String = "the JSON report beside this page", _ items: [String]) -> String
    {
        guard !items.isEmpty else { return "<h2>\(title)</h2>\n<p class=\"ok\">None.</p>\n" }
        let shown = items.prefix(itemsShown).map { "<li>\(escape($0))</li>" }.joined()
        return "<h2>\(title) (\(items.count))</h2>\n<ul>" + shown + "</ul>\n" + more(items.count - itemsShown, see: see)
    }

    /// "… and N more (see …)" under a cut list; nothing when nothing was cut.
    static func more(_ count: Int, see: String) -> String {
        count > 0 ? "<p class=\"more\">… and \(count) more (see \(escape(see)))</p>\n" : ""
    }

    /// The platforms that could not be reached, in words.
    static func unavailableNote(_ report: SyncReport) -> String {
        guard !report.unavailable.isEmpty else { return "" }
        let names = report.unavailable.sorted().map(\.rawValue).joined(separator: ", ")
        return "<p class=\"bad\">Unavailable: \(names) (where their changes went: see the warnings below).</p>\n"
    }

    /// Rows set aside belong to a dataset's export, not to a platform: one count per dataset.
    static func setAsideTable(_ report: SyncReport) -> String {
        let rows = report.setAsideByDataset
        guard !rows.isEmpty else { return "" }
        return "<h2>Rows set aside per dataset</h2>\n<table><tr><th>dataset</th><th>rows set aside</th></tr>\n"
            + rows.map { "<tr><td>\($0.0.rawValue)</td><td class=\"n\">\($0.1)</td></tr>\n" }.joined() + "</table>\n"
    }

    /// Queued entries by age as an inline SVG bar chart.
    static func queueAgeChart(_ ages: [Double]) -> String {
        let buckets: [(String, Double)] = [
            ("<1h", 3600), ("1–6h", 6 * 3600), ("6–24h", 86400), ("1–3d", 3 * 86400), ("3–7d", 7 * 86400),
            (">7d", .infinity),
        ]
        var counts = [Int](repeating: 0, count: buckets.count)
        for age in ages { counts[buckets.firstIndex { age < $0.1 } ?? (buckets.count - 1)] += 1 }
        let top = max(1, counts.max() ?? 1)
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"180\" role=\"img\" aria-label=\"queue entries by age\">"
        for (i, bucket) in buckets.enumerated() {
            let height = Double(counts[i]) / Double(top) * 120
            let x = 20 + i * 75
            svg +=
                "<rect x=\"\(x)\" y=\"\(Int(140 - height))\" width=\"50\" height=\"\(Int(height))\" fill=\"#4a6fa5\"/>"
            svg += "<text x=\"\(x + 25)\" y=\"158\" font-size=\"12\" text-anchor=\"middle\">\(bucket.0)</text>"
            svg +=
                "<text x=\"\(x + 25)\" y=\"\(Int(135 - height))\" font-size=\"12\" text-anchor=\"middle\">\(counts[i])</text>"
        }
        return svg + "</svg>\n"
    }
}
