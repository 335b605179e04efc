import CredsyncCore
import CredsyncRun

/// How `privacy report` prints the register: text for a data officer, JSON for a script.
enum PrivacyReportOutput {
    static func text(_ register: PrivacyRegister, subject: String?, from: LocalDate?, to: LocalDate?) -> [String] {
        var lines = ["fields that carry natural persons' numbers:"]
        for entry in register.fields {
            let platforms = entry.platforms.map(\.rawValue).joined(separator: ", ")
            let fields =
                entry.fields.isEmpty ? "none" : entry.fields.map { "\($0.code) \($0.title)" }.joined(separator: ", ")
            lines.append("  \(entry.dataset.rawValue) (sent to \(platforms)): \(fields)")
        }
        lines.append("records accepted \(period(from, to)), and those carrying a person's number:")
        if register.counts.isEmpty { lines.append("  none") }
        for count in register.counts {
            lines.append("  \(count.target): \(count.records) records, \(count.personal) of persons")
        }
        if register.unreadablePayloads > 0 {
            lines.append(
                "  \(register.unreadablePayloads) kept payloads could not be read (run 'credsync state check')")
        }
        if let subject {
            lines.append("records holding \(subject) (matched by its first six and last four characters):")
            if register.matches.isEmpty { lines.append("  none") }
            for match in register.matches {
                lines.append(
                    "  \(match.target) \(match.key): \(match.field), \(match.status), accepted "
                        + Timestamp.rfc3339(Double(match.acceptedAt)))
            }
        }
        return lines
    }

    static func json(_ register: PrivacyRegister, subject: String?, from: LocalDate?, to: LocalDate?) -> JSONObject {
        var object = JSONObject()
        object["from"] = from.map { .string($0.iso) } ?? .null
        object["to"] = to.map { .string($0.iso) } ?? .null
        object["fields"] = .array(
            register.fields.map { entry in
                .object(
                    JSONObject([
                        JSONMember("dataset", .string(entry.dataset.rawValue)),
                        JSONMember("platforms", .array(entry.platforms.map { .string($0.rawValue) })),
                        JSONMember("fields", .array(entry.fields.map { .string($0.code) })),
                    ]))
            })
        object["counts"] = .array(
            register.counts.map { count in
                .object(
                    JSONObject([
                        JSONMember("platform", .string(count.target.platform.rawValue)),
                        JSONMember("dataset", .string(count.target.dataset.rawValue)),
                        JSONMember("records", .number(String(count.records))),
                        JSONMember("personal", .number(String(count.personal))),
                    ]))
            })
        object["unreadablePayloads"] = .number(String(register.unreadablePayloads))
        if let subject {
            object["subject"] = .string(subject)
            object["matches"] = .array(
                register.matches.map { match in
                    .object(
                        JSONObject([
                            JSONMember("platform", .string(match.target.platform.rawValue)),
                            JSONMember("dataset", .string(match.target.dataset.rawValue)),
                            JSONMember("key", .string(match.key)), JSONMember("field", .string(match.field)),
                            JSONMember("status", .string(match.status)),
                            JSONMember("acceptedAt", .string(Timestamp.rfc3339(Double(match.acceptedAt)))),
                        ]))
                })
        }
        return object
    }

    private static func period(_ from: LocalDate?, _ to: LocalDate?) -> String {
        switch (from, to) {
        case (nil, nil): return "at any time"
        case (let from?, nil): return "from \(from.iso)"
        case (nil, let to?): return "until \(to.iso)"
        case (let from?, let to?): return "from \(from.iso) to \(to.iso)"
        }
    }
}
