public import CredsyncCore

/// When a credit repair may take effect: the minimum period of the record's severity, counted
/// from its start. `decide` reads it to judge a repair date; a forecast reads it to say when a
/// repair becomes eligible.
extension PublicityRules {
    /// Whether `dataset`'s repairs wait for a minimum period.
    package func hasRepairMinimum(_ dataset: Dataset) -> Bool {
        !(rules[dataset]?.repairMinimumPeriods.isEmpty ?? true)
    }

    /// The first day an approved credit repair of `record` may take effect, with the severity that
    /// sets it; nil where the dataset, the record's severity or its start date has none.
    package func repairAllowedFrom(_ record: MappedRecord, dataset: Dataset) -> (date: LocalDate, severity: String)? {
        guard let rule = rules[dataset], let from = rule.publishedFrom.date(in: record) else { return nil }
        return rule.repairMinimum(record, from: from)
    }
}

extension DatasetRule {
    /// The end of the record's minimum period (from `repairMinimumFrom`, else `from`) and the
    /// severity it is for.
    func repairMinimum(_ record: MappedRecord, from: LocalDate) -> (date: LocalDate, severity: String)? {
        let start = repairMinimumFrom?.date(in: record) ?? from
        let severity = repairMinimumBy?.value(in: record) ?? ""
        guard let period = repairMinimumPeriods[severity] else { return nil }
        return (period.added(to: start), severity)
    }
}
