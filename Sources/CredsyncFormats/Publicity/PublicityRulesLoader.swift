public import CredsyncCore

extension PublicityRules {
    /// Reads `file` and resolves its dates against the mappings; every problem names the file and path.
    public static func load(_ file: String, calendar: WorkingCalendar, mappings: [MappingDefinition])
        throws(CredsyncError) -> PublicityRules
    {
        let object = try JSONFile.object(file)
        let sink = ProblemSink()
        let root = ObjectReader(object, path: "", sink: sink)
        let withdrawal = root.int("withdrawalDeadlineWorkingDays", in: 0...365) ?? 3
        var rules: [Dataset: DatasetRule] = [:]
        if let datasets = root.object("datasets", required: true) {
            for member in datasets.object where !member.key.hasPrefix("//") {
                _ = datasets.value(member.key)
                guard let dataset = Dataset(rawValue: member.key) else {
                    datasets.problem(member.key, "is not a dataset", hint: "use license, penalty, dishonesty or pledge")
                    continue
                }
                guard let ruleObject = member.value.objectValue else {
                    datasets.problem(
                        member.key, "must be an object, not \(member.value.kindDescription)",
                        hint: #"write it like {"publishedFrom": {"field": …}}"#)
                    continue
                }
                guard let definition = mappings.first(where: { $0.dataset == dataset }) else { continue }
                let reader = ObjectReader(ruleObject, path: datasets.childPath(member.key), sink: sink)
                if let rule = readRule(reader, definition: definition) { rules[dataset] = rule }
                reader.rejectUnknownKeys()
            }
        }
        if let datasets = root.object["datasets"]?.objectValue {
            // A dataset without a rule would be published from today and never withdrawn by date.
            for definition in mappings where datasets[definition.dataset.rawValue] == nil {
                sink.problems.append(
                    ConfigProblem(
                        "datasets." + definition.dataset.rawValue, "is required",
                        hint: "every configured dataset needs its rule; at least {\"publishedFrom\": {\"field\": …}}"))
            }
        }
        root.rejectUnknownKeys()
        guard sink.problems.isEmpty else { throw FormatLoader.problems(file, sink) }
        return PublicityRules(rules: rules, withdrawalDeadline: withdrawal, calendar: calendar)
    }

    private static func reference(
        _ reader: ObjectReader, _ key: String, _ definition: MappingDefinition, required: Bool = false
    ) -> DateReference? {
        guard let object = reader.object(key, required: required) else { return nil }
        defer { object.rejectUnknownKeys() }
        if let name = object.string("field") {
            guard let index = definition.format.index[name] else {
                object.problem("field", "\"\(name)\" is not a field of the \(definition.dataset.rawValue) format")
                return nil
            }
            return .field(index)
        }
        if let name = object.string("control") {
            guard let index = definition.controlIndex(name) else {
                object.problem(
                    "control", "\"\(name)\" is not a control value of \(FileSystem.baseName(definition.file))",
                    hint: "control values: \(definition.controlNames.joined(separator: ", "))")
                return nil
            }
            return .control(index)
        }
        object.problemHere("needs field or control")
        return nil
    }

    private static func readRule(_ reader: ObjectReader, definition: MappingDefinition) -> DatasetRule? {
        guard let from = reference(reader, "publishedFrom", definition, required: true) else { return nil }
        var rule = DatasetRule(publishedFrom: from)
        rule.publicationDeadline = reader.int("publicationDeadlineWorkingDays", in: 0...365)
        rule.expiresAfter = reference(reader, "expiresAfter", definition)
        if let repair = reader.object("repair") {
            rule.repairDate = reference(repair, "date", definition, required: true)
            rule.repairMinimumFrom = reference(repair, "minimumFrom", definition)
            rule.repairMinimumBy = reference(repair, "minimumBy", definition)
            if let periods = repair.object("minimumPeriods") {
                for member in periods.object where !member.key.hasPrefix("//") {
                    _ = periods.value(member.key)
                    if let text = member.value.stringValue, let period = Period(text) {
                        rule.repairMinimumPeriods[member.key] = period
                    } else {
                        periods.problem(member.key, "is not a period", hint: "write it like \"3m\" or \"1y\"")
                    }
                }
            }
            repair.rejectUnknownKeys()
        }
        if let removal = reader.object("removal") {
            rule.removalDate = reference(removal, "date", definition)
            rule.removalReason = reference(removal, "reason", definition)
            rule.removalExpected = reference(removal, "expected", definition)
            rule.removalDefaultReason = removal.string("defaultReason") ?? "expired"
            let reasons = ["expired", "repaired", "revoked", "corrected"]
            if !reasons.contains(rule.removalDefaultReason) {
                removal.problem(
                    "defaultReason", "\"\(rule.removalDefaultReason)\" is not a withdrawal reason",
                    hint: DidYouMean.suggestion(for: rule.removalDefaultReason, among: reasons)
                        .map { "did you mean \"\($0)\"?" }
                        ?? "use expired, repaired, revoked or corrected")
            }
            removal.rejectUnknownKeys()
        }
        return rule
    }
}
