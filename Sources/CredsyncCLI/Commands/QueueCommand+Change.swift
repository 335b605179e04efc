#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore
import CredsyncRun
import CredsyncSpool
import CredsyncState

extension QueueCommand {
    /// Why an entry in `state` is left alone by `command` (`PushLifecycle.step`).
    static func skipReason(_ command: PushLifecycle.Command, _ state: SpoolState) -> String {
        if case .skip(let reason) = PushLifecycle.step(command, state) { return reason }
        return ""
    }

    /// retry, hold, release and drop: ids, or ALL (or --all) with the filters of `list`.
    static func change(
        _ command: PushLifecycle.Command, _ spool: Spool, _ config: Config, _ context: CommandContext
    ) throws(CredsyncError) -> ExitCode {
        let sub = command.rawValue
        let invocation = context.invocation
        let filter = QueueFilter(invocation)
        if invocation.arguments.contains(where: { $0.lowercased() == "all" && $0 != "ALL" }) {
            throw CredsyncError.usage(
                "write ALL in capitals to mean every entry", hint: "as postsuper asks: credsync queue \(sub) ALL")
        }
        let acted = PushLifecycle.states(actedOnBy: command)
        if let state = filter.state, !acted.contains(state) {
            throw CredsyncError.usage(
                "'queue \(sub)' does not act on \(state.rawValue) entries: \(skipReason(command, state))")
        }
        let everything = invocation.arguments == ["ALL"] || invocation.has("all")
        if everything && invocation.arguments.contains(where: { $0 != "ALL" }) {
            throw CredsyncError.usage("give entry ids or ALL, not both")
        }
        guard everything || !invocation.arguments.isEmpty else {
            throw CredsyncError.usage(
                "'queue \(sub)' needs entry ids, or ALL with filters",
                hint: "e.g. credsync queue \(sub) --platform credit ALL")
        }
        let now = Timestamp.now()
        let all = try QueueListing(spool)
        var selected: QueueListing
        if everything {
            selected = all.filtered(filter, now: now)
        } else {
            selected = QueueListing(entries: [], corrupt: [])
            for id in invocation.arguments {
                switch try all.find(id) {
                case .entry(let located): selected.entries.append(located)
                case .corrupt(let file): selected.corrupt.append(file)
                }
            }
            selected = selected.filtered(filter, now: now)
        }
        var skipped: [SpoolState: Int] = [:]
        for located in selected.entries where !acted.contains(located.state) { skipped[located.state, default: 0] += 1 }
        if !acted.contains(.corrupt), !selected.corrupt.isEmpty { skipped[.corrupt] = selected.corrupt.count }
        let targets = selected.entries.filter { acted.contains($0.state) }
        let corrupt = acted.contains(.corrupt) ? selected.corrupt : []
        let count = targets.count + corrupt.count
        if command == .drop, !invocation.has("yes"), count > 0 {
            guard isatty(0) == 1 else {
                throw CredsyncError.usage(
                    "dropping \(plural(count, "entry", "entries")) needs confirmation",
                    hint: "add --yes when not on a terminal")
            }
            context.console.print("drop \(plural(count, "entry", "entries")) for good? Type yes: ", terminator: true)
            guard let answer = readLine(), answer.trimmingSpaces().lowercased() == "yes" else {
                context.console.print("nothing dropped")
                return .success
            }
        }
        var done: [JSONValue] = []
        // One transaction: every selected entry changes, or none does (one commit, not one each).
        do throws(CredsyncError) {
            try spool.transaction { () throws(CredsyncError) in
                for located in targets {
                    var entry = located.entry
                    switch PushLifecycle.step(command, located.state) {
                    case .makeDue:
                        entry.nextAttempt = now
                        try spool.write(entry, to: .deferred)
                    case .hold:
                        try spool.move(entry, from: located.state, to: .hold)
                    case .remove:
                        try spool.remove(entry, from: located.state)
                    case .skip:
                        continue
                    }
                    done.append(auditItem(located))
                }
                for file in corrupt {
                    try spool.remove(file)
                    done.append([
                        "id": .string(file.id), "platform": file.platform.map { .string($0.rawValue) } ?? .null,
                        "state": "corrupt",
                    ])
                }
            }
        } catch {
            // Nothing changed: the attempt is audited with no items.
            try? record(
                command, filter: filter, everything: everything, items: [], skipped: skipped, spool, config, context)
            throw error
        }
        try record(
            command, filter: filter, everything: everything, items: done, skipped: skipped, spool, config, context)
        report(command, count: count, ids: targets.map(\.entry.id) + corrupt.map(\.id), skipped: skipped, context)
        return .success
    }

    static func auditItem(_ located: Spool.Located) -> JSONValue {
        let entry = located.entry
        return [
            "id": .string(entry.id), "platform": .string(entry.platform.rawValue),
            "dataset": .string(entry.dataset.rawValue),
            "key": .string(entry.key), "op": .string(entry.op.rawValue), "state": .string(located.state.rawValue),
        ]
    }

    /// The audit event, then the metrics' queue gauges as the queue now stands.
    static func record(
        _ command: PushLifecycle.Command, filter: QueueFilter, everything: Bool, items: [JSONValue],
        skipped: [SpoolState: Int],
        _ spool: Spool, _ config: Config, _ context: CommandContext
    ) throws(CredsyncError) {
        var selection = filter.json
        if everything {
            selection["all"] = true
        } else {
            selection["ids"] = .array(context.invocation.arguments.map { .string($0) })
        }
        var details = JSONObject()
        if !skipped.isEmpty {
            details["skipped"] = .object(
                JSONObject(
                    skipped.sorted { $0.key < $1.key }.map {
                        JSONMember($0.key.rawValue, .number(String($0.value)))
                    }))
        }
        let action = OperatorAction(
            action: "queue \(command.rawValue)", selection: selection, items: items, count: items.count,
            details: details)
        try action.record(in: config.auditFile, environment: context.environment)
        guard let metrics = config.metricsFile else { return }
        let now = try QueueListing(spool)
        try Metrics.rewriteQueue(
            QueueCensus(now.entries, corrupt: now.corrupt), at: metrics, group: config.metricsGroup)
    }

    static func report(
        _ command: PushLifecycle.Command, count: Int, ids: [String], skipped: [SpoolState: Int],
        _ context: CommandContext
    ) {
        if context.invocation.global.json {
            context.console.printJSON([
                "action": .string(command.rawValue), "count": .number(String(count)),
                "ids": .array(ids.map { .string($0) }),
                "skipped": .object(
                    JSONObject(
                        skipped.sorted { $0.key < $1.key }.map {
                            JSONMember($0.key.rawValue, .number(String($0.value)))
                        })),
            ])
            return
        }
        let verb =
            switch command {
            case .retry: "due now"
            case .hold: "held"
            case .release: "released, due now"
            case .drop: "dropped"
            }
        context.console.print("\(plural(count, "entry", "entries")) \(verb)")
        for (state, n) in skipped.sorted(by: { $0.key < $1.key }) {
            let adjective = state == .hold ? "held" : state.rawValue
            context.console.print(
                "\(plural(n, "\(adjective) entry", "\(adjective) entries")) left as they are: "
                    + skipReason(command, state))
        }
    }
}

extension Console {
    /// Writes `text` without a newline (a prompt).
    func print(_ text: String, terminator: Bool) {
        if terminator { FileOutput.writeAll(1, text) } else { print(text) }
    }
}
