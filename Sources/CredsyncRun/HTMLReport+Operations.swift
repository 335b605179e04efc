import CredsyncCore
import CredsyncSpool

/// What the operator reading the page in the morning needs first: Beijing times, the banners of a
/// bad night, and the queue by platform and state.
extension HTMLReport {
    /// `2026-12-02 10:30:05 UTC+8`: operators read Beijing time (China keeps UTC+8 all year).
    /// The JSON report keeps UTC.
    static func beijingTime(_ seconds: Double) -> String {
        let text = Timestamp.rfc3339(seconds + 8 * 3600)
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(8)) + " UTC+8"
    }

    static let bannerStyle = """
        .banner{border-radius:6px;padding:.7em 1em;margin:.6em 0;border:1px solid}
        .banner.bad{background:#fdecea;border-color:#b3261e}.banner.warn{background:#fff4e5;border-color:#b26a00}
        .banner.info{background:#e8f0fe;border-color:#4a6fa5}
        """

    /// Dry run, authentication failures and outages, each a banner at the top of the page.
    static func banners(_ report: SyncReport) -> String {
        var html = ""
        if report.dryRun {
            html +=
                "<div class=\"banner info\"><b>Dry run</b>: nothing was sent; this report is not the latest "
                + "and the metrics are unchanged.</div>\n"
        }
        for platform in report.platformsRefusingCredentials {
            let failures = report.authenticationFailures.filter { $0.platform == platform }
            let answers = Array(Set(failures.map(\.answer))).sorted().joined(separator: ", ")
            let datasets = failures.compactMap { $0.dataset?.rawValue }
            html +=
                "<div class=\"banner bad\"><b>Authentication failed: \(platform.rawValue)</b> refused the credentials: "
                + escape(answers)
                + (datasets.isEmpty ? "" : " (\(datasets.joined(separator: ", ")))")
                + ". Nothing more was sent to it. Fix its secret or certificate, verify with "
                + "<code>credsync check --online</code>, release the held entries and run again.</div>\n"
        }
        for platform in PlatformID.allCases where report.unavailable.contains(platform) {
            html +=
                "<div class=\"banner warn\"><b>\(platform.rawValue) was unavailable</b>: its changes are queued and "
                + "retried by the next runs; tell its helpdesk if it lasts.</div>\n"
        }
        return html
    }

    /// The queue after the run: one row per platform, one column per state.
    static func queueTable(_ report: SyncReport) -> String {
        let states = SpoolState.allCases.filter { $0 != .corrupt }
        guard !report.queueDepth.isEmpty else { return "<p class=\"ok\">The queues are empty.</p>\n" }
        var html =
            "<table><tr><th>platform</th>" + states.map { "<th>\($0.rawValue)</th>" }.joined() + "<th>total</th></tr>\n"
        for platform in PlatformID.allCases {
            let counts = states.map { report.queueDepthByPlatform["\(platform.rawValue)|\($0.rawValue)"] ?? 0 }
            html +=
                "<tr><td>\(platform.rawValue)</td>" + counts.map { "<td class=\"n\">\($0)</td>" }.joined()
                + "<td class=\"n\">\(counts.reduce(0, +))</td></tr>\n"
        }
        html += "</table>\n"
        if let corrupt = report.queueDepth["corrupt"], corrupt > 0 {
            html +=
                "<p class=\"bad\">\(corrupt) corrupt \(corrupt == 1 ? "entry" : "entries"): see the RUNBOOK, "
                + "\"A corrupt entry\".</p>\n"
        }
        return html
    }
}
