#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore
import CredsyncSpool
import CredsyncState

/// `credsync queue list|show|retry|hold|release|drop|stats`, modelled on mailq and postsuper.
/// The queue is in the state store. Commands that only read (list, show, stats) never change it
/// (nor create the store); the others take the run lock, append an audit event and rewrite the
/// metrics' queue gauges.
enum QueueCommand {
    static func run(_ context: CommandContext) async throws(CredsyncError) -> ExitCode {
        let config = try context.loadConfig(readsSecrets: false)
        let sub = context.invocation.path.last ?? "list"
        switch sub {
        case "list": return try list(existingSpool(config, seal: .none), context)
        case "show": return try show(existingSpool(config, seal: .load(config, required: false)), context)
        case "stats": return try stats(existingSpool(config, seal: .none), context)
        default:
            guard let command = PushLifecycle.Command(rawValue: sub) else {
                throw CredsyncError.usage("'queue \(sub)' is not a queue command")
            }
            // Changing the queue waits briefly for a running sync, then refuses.
            let lock = try RunLock.acquire(stateDir: config.stateDir, purpose: "queue \(sub)", wait: 5)
            defer { withExtendedLifetime(lock) {} }
            // Moving entries rewrites no payload: the data key is not needed.
            let spool = Spool(store: try StateStore(stateDir: config.stateDir), seal: .none)
            return try change(command, spool, config, context)
        }
    }

    /// The queue of the state directory's store, or nil when there is no store yet (no queue); its
    /// sealed values open under `seal` (`show` opens them, then masks them as it shows everything).
    static func existingSpool(_ config: Config, seal: PersonalSeal) throws(CredsyncError) -> Spool? {
        try Spool.existing(stateDir: config.stateDir, seal: seal)
    }

    static func list(_ spool: Spool?, _ context: CommandContext) throws(CredsyncError) -> ExitCode {
        let filter = QueueFilter(context.invocation)
        let now = Timestamp.now()
        let listing = try QueueListing(spool, filter: filter, now: now)
        if context.invocation.global.json {
            context.console.printJSON([
                "entries": .array(listing.entries.map { summaryJSON($0, now: now) }),
                "corrupt": .array(listing.corrupt.map(corruptJSON)),
            ])
            return .success
        }
        if listing.isEmpty {
            context.console.print(try emptyMessage(filter, spool: spool))
            return .success
        }
        var rows = [["id", "state", "platform", "dataset", "key", "op", "attempts", "age", "next try", "last error"]]
        for located in listing.entries {
            let entry = located.entry
            var next = "-"
            if located.state == .deferred {
                next = entry.nextAttempt <= now ? "now" : "in " + DurationText.describe(entry.nextAttempt - now)
            }
            // The last error whole: its request id is what the platform's helpdesk asks for.
            rows.append([
                entry.id, located.state.rawValue, entry.platform.rawValue, entry.dataset.rawValue, entry.key,
                entry.op.rawValue,
                String(entry.attempts), DurationText.describe(now - entry.firstAttempt), next,
                entry.lastError.map(errorText) ?? "",
            ])
        }
        for file in listing.corrupt {
            rows.append([
                file.id, "corrupt", file.platform?.rawValue ?? "-", "-", "-", "-", "-", "-", "-",
                "unreadable: 'credsync queue show \(file.id)' says why",
            ])
        }
        context.console.print(lines: TextTable.render(rows).map(PersonalData.mask))
        let corrupt =
            listing.corrupt.isEmpty ? "" : " (\(listing.corrupt.count) corrupt: see the runbook, \"a corrupt entry\")"
        context.console.print("-- \(plural(listing.count, "entry", "entries"))\(corrupt)")
        return .success
    }

    /// What `list` says when nothing matches: that the queues are empty, or that the filters
    /// matched nothing among the entries there are.
    static func emptyMessage(_ filter: QueueFilter, spool: Spool?) throws(CredsyncError) -> String {
        if filter.isEmpty { return "the queues are empty" }
        let total = try QueueListing(spool).count
        if total == 0 { return "the queues are empty" }
        return "no entry matches \(filter.description) (the queues hold \(plural(total, "entry", "entries")): "
            + "'credsync queue stats' counts them)"
    }

    static func errorText(_ error: SpoolError) -> String {
        error.message.replacingAll("\n", with: " ")
    }

    static func plural(_ count: Int, _ one: String, _ many: String) -> String {
        "\(count) \(count == 1 ? one : many)"
    }

    static func summaryJSON(_ located: Spool.Located, now: Double) -> JSONValue {
        let entry = located.entry
        return [
            "id": .string(entry.id), "state": .string(located.state.rawValue),
            "platform": .string(entry.platform.rawValue),
            "dataset": .string(entry.dataset.rawValue), "key": .string(entry.key), "op": .string(entry.op.rawValue),
            "reason": .string(entry.reason.rawValue), "attempts": .number(String(entry.attempts)),
            "firstAttempt": .string(Timestamp.rfc3339(entry.firstAttempt)),
            "nextAttempt": .string(Timestamp.rfc3339(entry.nextAttempt)),
            "lastError": entry.lastError.map { .string($0.message) } ?? .null,
        ]
    }

    static func corruptJSON(_ file: Spool.Unreadable) -> JSONValue {
        [
            "id": .string(file.id), "state": "corrupt", "platform": file.platform.map { .string($0.rawValue) } ?? .null,
            "problem": .string(PersonalData.mask(file.problem)),
        ]
    }

    static func stats(_ spool: Spool?, _ context: CommandContext) throws(CredsyncError) -> ExitCode {
        let all = try QueueListing(spool)
        var byState: [String: Int] = [:]
        var byPlatform: [String: Int] = [:]
        var byDataset: [String: Int] = [:]
        var byError: [String: Int] = [:]
        for located in all.entries {
            byState[located.state.rawValue, default: 0] += 1
            byPlatform[located.entry.platform.rawValue, default: 0] += 1
            byDataset[located.entry.dataset.rawValue, default: 0] += 1
            byError[located.entry.lastError?.errorClass.rawValue ?? "none", default: 0] += 1
        }
        for file in all.corrupt { byPlatform[file.platform?.rawValue ?? "unknown", default: 0] += 1 }
        if !all.corrupt.isEmpty { byState["corrupt"] = all.corrupt.count }
        let oldest = all.entries.min { $0.entry.firstAttempt < $1.entry.firstAttempt }
        // Records sent through a 前置机 wait for its answer outside the queue: counted beside it.
        let awaiting = try spool?.store.channelAwaiting() ?? []
        let now = Timestamp.now()
        func object(_ counts: [String: Int]) -> JSONValue {
            .object(JSONObject(counts.sorted { $0.key < $1.key }.map { JSONMember($0.key, .number(String($0.value))) }))
        }
        if context.invocation.global.json {
            context.console.printJSON([
                "total": .number(String(all.count)), "byState": object(byState), "byPlatform": object(byPlatform),
                "byDataset": object(byDataset), "byErrorClass": object(byError),
                "oldest": oldest.map { summaryJSON($0, now: Timestamp.now()) } ?? .null,
                "awaitingAnswer": .array(
                    awaiting.map { item in
                        [
                            "platform": .string(item.platform.rawValue), "batches": .number(String(item.batches)),
                            "records": .number(String(item.records)),
                            "since": .string(Timestamp.rfc3339(item.since)),
                        ]
                    }),
            ])
            return .success
        }
        func line(_ title: String, _ counts: [String: Int]) -> String {
            let items = counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            return title + ": " + (counts.isEmpty ? "none" : items.joined(separator: ", "))
        }
        context.console.print("total: \(all.count)")
        context.console.print(line("by state", byState))
        context.console.print(line("by platform", byPlatform))
        context.console.print(line("by dataset", byDataset))
        context.console.print(line("by error class", byError))
        for item in awaiting {
            context.console.print(
                "awaiting the \(item.platform.rawValue) 前置机's answer: \(item.records) records in \(item.batches) "
                    + "batches, the oldest sent \(DurationText.describe(now - item.since)) ago ('credsync collect')")
        }
        if let oldest {
            let entry = oldest.entry
            context.console.print(
                "oldest: \(entry.id) (\(PublishTarget(entry.platform, entry.dataset)) \(entry.key), "
                    + "\(DurationText.describe(Timestamp.now() - entry.firstAttempt)) old, \(oldest.state.rawValue))")
        }
        return .success
    }
}
