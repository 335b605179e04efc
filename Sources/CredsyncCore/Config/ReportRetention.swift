/// How long run reports are kept in the report directory (`reportRetention` in the configuration).
/// A report goes when it is older than `maxAge` or is not among the newest `keepRuns`;
/// `latest.json`, `latest.html` and the run just written are always kept.
public struct ReportRetention: Sendable, Equatable {
    /// Seconds; nil keeps reports of any age.
    public var maxAge: Double?
    /// How many runs' reports to keep at most; nil keeps any number.
    public var keepRuns: Int?

    /// The default: 90 days, any number of runs.
    public init(maxAge: Double? = 90 * 86400, keepRuns: Int? = nil) {
        self.maxAge = maxAge
        self.keepRuns = keepRuns
    }
}

extension ConfigReading {
    /// `"reportRetention": {"maxAge": "90d", "keepRuns": 400}`; `"maxAge": null` keeps any age.
    func readReportRetention(_ reader: ObjectReader?) -> ReportRetention {
        guard let reader else { return ReportRetention() }
        var retention = ReportRetention(maxAge: nil, keepRuns: nil)
        retention.maxAge = reader.duration("maxAge")
        retention.keepRuns = reader.int("keepRuns", in: 1...1_000_000)
        reader.rejectUnknownKeys()
        return retention
    }
}
