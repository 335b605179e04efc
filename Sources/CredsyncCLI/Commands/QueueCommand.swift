#if canImport(Glibc)
import Glibc
#endif
import CredsyncCore
import CredsyncSpool

/// `credsync queue list|show|retry|hold|release|drop|stats`, modelled on mailq and postsuper.
enum QueueCommand {
    static func run(_ context: CommandContext) async throws(CredsyncError) -> ExitCode {
        let config = try context.loadConfig(readsSecrets: false)
        let spool = Spool(stateDir: config.stateDir)
        let sub = context.invocation.path.last ?? "list"
        switch sub {
        case "list": return list(spool, context)
        case "show": return try show(spool, context)
        case "stats": return stats(spool, context)
        default:
            // Changing the queue waits briefly for a running sync, then refuses.
            let lock = try RunLock.acquire(stateDir: config.stateDir, purpose: "queue \(sub)", wait: 5)
            defer { withExtendedLifetime(lock) {} }
            return try change(sub, spool, context)
        }
    }

    /// Entries matching the filters of the command line.
    static func filtered(_ entries: [Spool.Located], _ context: CommandContext) -> [Spool.Located] {
        let invocation = context.invocation
        let platform = invocation.value("platform").flatMap(PlatformID.init(rawValue:))
        let dataset = invocation.value("dataset").flatMap(Dataset.init(rawValue:))
        let state = invocation.value("state").flatMap(SpoolState.init(rawValue:))
        let olderThan = invocation.value("older-than").flatMap(DurationText.seconds)
        let now = Timestamp.now()
        return entries.filter { located in
            (platform == nil || located.entry.platform == platform) && (dataset == nil || located.entry.dataset == dataset)
                && (state == nil || located.state == state) && (olderThan.map { now - located.entry.firstAttempt >= $0 } ?? true)
        }
    }

    static func list(_ spool: Spool, _ context: CommandContext) -> ExitCode {
        let all = spool.entries(platforms: context.invocation.value("platform").flatMap(PlatformID.init(rawValue:)).map { [$0] } ?? PlatformID.allCases)
        let entries = filtered(all.entries, context)
        let corrupted = all.corrupted
        let now = Timestamp.now()
        if context.invocation.global.json {
            context.console.printJSON(["entries": .array(entries.map { summaryJSON($0, now: now) }),
                                       "corrupt": .array(corrupted.map { .string($0) })])
            return .success
        }
        if entries.isEmpty && corrupted.isEmpty {
            context.console.print("the queues are empty")
            return .success
        }
        var rows = [["id", "state", "platform", "dataset", "key", "op", "attempts", "age", "next try", "last error"]]
        for located in entries {
            let entry = located.entry
            let next = located.state == .deferred ? (entry.nextAttempt <= now ? "now" : "in " + DurationText.describe(entry.nextAttempt - now)) : "-"
            let error = entry.lastError.map { String($0.message.prefix(60)) } ?? ""
            rows.append([entry.id, located.state.rawValue, entry.platform.rawValue, entry.dataset.rawValue, entry.key, entry.op,
                String(entry.attempts), DurationText.describe(now - entry.firstAttempt), next, error])
        }
        context.console.print(lines: TextTable.render(rows))
        for file in corrupted { context.console.print("corrupt  \(file)  (unreadable: see the runbook, \"a corrupt entry\")") }
        context.console.print("-- \(entries.count) entr\(entries.count == 1 ? "y" : "ies")")
        return .success
    }

    static func summaryJSON(_ located: Spool.Located, now: Double) -> JSONValue {
        let entry = located.entry
        return [
            "id": .string(entry.id), "state": .string(located.state.rawValue), "platform": .string(entry.platform.rawValue),
            "dataset": .string(entry.dataset.rawValue), "key": .string(entry.key), "op": .string(entry.op), "reason": .string(entry.reason),
            "attempts": .number(String(entry.attempts)), "firstAttempt": .string(Timestamp.rfc3339(entry.firstAttempt)),
            "nextAttempt": .string(Timestamp.rfc3339(entry.nextAttempt)),
            "lastError": entry.lastError.map { .string($0.message) } ?? .null,
        ]
    }

    /// The entry with this id, or an id prefix that names exactly one.
    static func find(_ id: String, in entries: [Spool.Located]) throws(CredsyncError) -> Spool.Located {
        let matches = entries.filter { $0.entry.id == id || $0.entry.id.hasPrefix(id) }
        guard matches.count == 1, let located = matches.first else {
            throw CredsyncError.usage(matches.isEmpty ? "no queue entry with id '\(id)'" : "'\(id)' names \(matches.count) entries",
                hint: "use 'credsync queue list' for the ids")
        }
        return located
    }

    static func show(_ spool: Spool, _ context: CommandContext) throws(CredsyncError) -> ExitCode {
        let located = try find(context.invocation.arguments.first ?? "", in: spool.entries().entries)
        let entry = located.entry
        var object = summaryJSON(located, now: Timestamp.now()).objectValue ?? JSONObject()
        object["hash"] = entry.hash.map { .string($0) } ?? .null
        object["batchId"] = entry.batchID.map { .string($0) } ?? .null
        object["lastAttempt"] = .string(Timestamp.rfc3339(entry.lastAttempt))
        object["payload"] = entry.payload.map { .object(masked($0)) } ?? .null
        object["errors"] = .array(entry.errors.map { error in
            ["at": .string(Timestamp.rfc3339(error.at)), "class": .string(error.errorClass), "message": .string(error.message)]
        })
        context.console.print(context.invocation.global.json ? JSONWriter.compact(.object(object)) : JSONWriter.pretty(.object(object)))
        return .success
    }

    /// A payload for people: natural persons' 证件号码 masked (first 6 and last 4).
    static func masked(_ payload: JSONObject) -> JSONObject {
        JSONObject(payload.members.map { member in
            guard let value = member.value.stringValue else { return member }
            return JSONMember(member.key, .string(PersonalData.shown(value, field: member.key)))
        })
    }

    static func stats(_ spool: Spool, _ context: CommandContext) -> ExitCode {
        let all = spool.entries()
        var byState: [String: Int] = [:]
        var byPlatform: [String: Int] = [:]
        var byDataset: [String: Int] = [:]
        var byError: [String: Int] = [:]
        for located in all.entries {
            byState[located.state.rawValue, default: 0] += 1
            byPlatform[located.entry.platform.rawValue, default: 0] += 1
            byDataset[located.entry.dataset.rawValue, default: 0] += 1
            byError[located.entry.lastError?.errorClass ?? "none", default: 0] += 1
        }
        if !all.corrupted.isEmpty { byState["corrupt"] = all.corrupted.count }
        let oldest = all.entries.min { $0.entry.firstAttempt < $1.entry.firstAttempt }
        func object(_ counts: [String: Int]) -> JSONValue {
            .object(JSONObject(counts.sorted { $0.key < $1.key }.map { JSONMember($0.key, .number(String($0.value))) }))
        }
        if context.invocation.global.json {
            context.console.printJSON([
                "total": .number(String(all.entries.count + all.corrupted.count)), "byState": object(byState), "byPlatform": object(byPlatform),
                "byDataset": object(byDataset), "byErrorClass": object(byError),
                "oldest": oldest.map { summaryJSON($0, now: Timestamp.now()) } ?? .null,
            ])
            return .success
        }
        func line(_ title: String, _ counts: [String: Int]) -> String {
            title + ": " + (counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        context.console.print("total: \(all.entries.count + all.corrupted.count)")
        context.console.print(line("by state", byState))
        context.console.print(line("by platform", byPlatform))
        context.console.print(line("by dataset", byDataset))
        context.console.print(line("by error class", byError))
        if let oldest {
            context.console.print("oldest: \(oldest.entry.id) (\(oldest.entry.platform.rawValue)/\(oldest.entry.dataset.rawValue) \(oldest.entry.key), "
                + "\(DurationText.describe(Timestamp.now() - oldest.entry.firstAttempt)) old, \(oldest.state.rawValue))")
        }
        return .success
    }
}
