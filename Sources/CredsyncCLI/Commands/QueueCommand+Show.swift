import CredsyncCore
import CredsyncSpool
import CredsyncState

extension QueueCommand {
    /// `queue show ID`: one entry (or unreadable row) for people, or as JSON with `--json`.
    static func show(_ spool: Spool?, _ context: CommandContext) throws(CredsyncError) -> ExitCode {
        let listing = try QueueListing(spool)
        let now = Timestamp.now()
        let json = context.invocation.global.json
        switch try listing.find(context.invocation.arguments.first ?? "") {
        case .entry(var located):
            // A payload that does not parse makes the entry unreadable, shown as such.
            do {
                located.entry.payload = try spool?.payload(of: located.entry)
            } catch {
                // A value that does not open under the configured key is the key's problem (exit 78),
                // not the entry's: it is never offered for dropping.
                if error.exitCode == .configuration { throw error }
                return showCorrupt(
                    id: located.entry.id, platform: located.entry.platform, problem: error.message,
                    fields: [
                        ("dataset", located.entry.dataset.rawValue), ("key", located.entry.key),
                        ("op", located.entry.op.rawValue), ("reason", located.entry.reason.rawValue),
                    ], context)
            }
            if json {
                context.console.printJSON(.object(detailJSON(located, now: now)))
            } else {
                context.console.print(lines: detailLines(located, now: now).map(PersonalData.mask))
            }
        case .corrupt(let file):
            return showCorrupt(
                id: file.id, platform: file.platform, problem: file.problem, fields: file.fields, context)
        }
        return .success
    }

    /// An entry whose row cannot be read back: what is wrong, what can still be told, what to do.
    static func showCorrupt(
        id: String, platform: PlatformID?, problem: String, fields: [(String, String)], _ context: CommandContext
    ) -> ExitCode {
        if context.invocation.global.json {
            context.console.printJSON([
                "id": .string(id), "state": "corrupt", "platform": platform.map { .string($0.rawValue) } ?? .null,
                "problem": .string(PersonalData.mask(problem)),
                "summary": .object(JSONObject(fields.map { JSONMember($0.0, .string(PersonalData.mask($0.1))) })),
            ])
        } else {
            var lines = ["corrupt entry \(id)"]
            lines += aligned([("platform", platform?.rawValue ?? "-"), ("problem", problem)] + fields)
            lines.append("It is never sent. Drop it (credsync queue drop \(id)); the next sync plans the change")
            lines.append("again from the export and the ledger.")
            context.console.print(lines: lines.map(PersonalData.mask))
        }
        return .success
    }

    static func detailJSON(_ located: Spool.Located, now: Double) -> JSONObject {
        let entry = located.entry
        var object = summaryJSON(located, now: now).objectValue ?? JSONObject()
        object["hash"] = entry.hash.map { .string($0) } ?? .null
        object["batchId"] = entry.batchID.map { .string($0) } ?? .null
        object["lastAttempt"] = .string(Timestamp.rfc3339(entry.lastAttempt))
        object["payload"] = entry.payload.map { .object(masked($0)) } ?? .null
        object["errors"] = .array(
            entry.errors.map { error in
                [
                    "at": .string(Timestamp.rfc3339(error.at)), "class": .string(error.errorClass.rawValue),
                    "message": .string(error.message),
                ]
            })
        return object
    }

    /// The text form: the entry's fields, its errors oldest first, and its payload field by field.
    /// Times in Beijing time, as operators read them.
    static func detailLines(_ located: Spool.Located, now: Double) -> [String] {
        let entry = located.entry
        var next: String
        switch located.state {
        case .deferred: next = beijing(entry.nextAttempt) + relative(entry.nextAttempt, now: now)
        case .hold: next = "none: held until 'credsync queue release \(entry.id)'"
        case .dead: next = "none: gave up; 'credsync queue retry \(entry.id)' tries again"
        case .corrupt: next = "none"
        }
        var fields = [
            ("state", located.state.rawValue), ("platform", entry.platform.rawValue),
            ("dataset", entry.dataset.rawValue),
            ("key", entry.key),
            ("change", entry.op.rawValue + (entry.reason.rawValue.isEmpty ? "" : " (\(entry.reason))")),
            ("attempts", String(entry.attempts)),
            ("first queued", beijing(entry.firstAttempt) + relative(entry.firstAttempt, now: now)),
            ("last attempt", beijing(entry.lastAttempt) + relative(entry.lastAttempt, now: now)),
            ("next attempt", next),
        ]
        if let hash = entry.hash { fields.append(("hash", hash)) }
        if let batch = entry.batchID { fields.append(("batch", batch)) }
        var lines = ["entry \(entry.id)"] + aligned(fields)
        lines.append("errors, oldest first:" + (entry.errors.isEmpty ? " none" : ""))
        for error in entry.errors {
            lines.append("  \(beijing(error.at))  \(error.errorClass.rawValue)  \(errorText(error))")
        }
        if let payload = entry.payload {
            lines.append("payload (personal numbers masked):")
            lines += aligned(masked(payload).members.map { ($0.key, valueText($0.value)) }, indent: "  ")
        } else {
            lines.append("payload: none (\(entry.op.rawValue))")
        }
        return lines
    }

    /// `key:  value` lines with the values lined up.
    static func aligned(_ fields: [(String, String)], indent: String = "  ") -> [String] {
        let width = fields.map { TextTable.displayWidth($0.0) }.max() ?? 0
        return fields.map { name, value in
            indent + name + ":" + String(repeating: " ", count: width - TextTable.displayWidth(name) + 2) + value
        }
    }

    static func valueText(_ value: JSONValue) -> String {
        value.stringValue ?? JSONWriter.compact(value)
    }

    /// `2026-11-20 09:30:00 +08:00`: an instant in Asia/Shanghai (UTC+8, no daylight saving).
    static func beijing(_ seconds: Double) -> String {
        let utc = Timestamp.rfc3339(seconds + 8 * 3600)
        return String(utc.dropLast()).replacingAll("T", with: " ") + " +08:00"
    }

    static func relative(_ seconds: Double, now: Double) -> String {
        seconds > now
            ? " (in \(DurationText.describe(seconds - now)))" : " (\(DurationText.describe(now - seconds)) ago)"
    }

    /// A payload for people: natural persons' 证件号码 masked (first 6 and last 4).
    static func masked(_ payload: JSONObject) -> JSONObject { PersonalData.shown(payload) }
}
