#if canImport(Glibc)
import Glibc
#endif
import CredsyncCore
import CredsyncSpool

extension QueueCommand {
    /// retry, hold, release and drop.
    static func change(_ sub: String, _ spool: Spool, _ context: CommandContext) throws(CredsyncError) -> ExitCode {
        let invocation = context.invocation
        let all = spool.entries().entries
        var targets: [Spool.Located]
        let everything = invocation.arguments == ["ALL"]
        if invocation.arguments.contains(where: { $0.lowercased() == "all" && $0 != "ALL" }) {
            throw CredsyncError.usage("write ALL in capitals to mean every entry", hint: "as postsuper asks: credsync queue \(sub) ALL")
        }
        if invocation.has("all") || everything {
            targets = filtered(all, context)
        } else {
            guard !invocation.arguments.isEmpty else {
                throw CredsyncError.usage("'queue \(sub)' needs entry ids\(sub == "retry" || sub == "hold" ? " or --all" : " or ALL")")
            }
            targets = []
            for id in invocation.arguments { targets.append(try find(id, in: all)) }
        }
        switch sub {
        case "retry": targets = targets.filter { $0.state == .deferred || $0.state == .dead }
        case "hold": targets = targets.filter { $0.state == .deferred }
        case "release": targets = targets.filter { $0.state == .hold }
        default: break
        }
        if sub == "drop", !invocation.has("yes"), !targets.isEmpty {
            guard isatty(0) == 1 else {
                throw CredsyncError.usage("dropping \(targets.count) entries needs confirmation", hint: "add --yes when not on a terminal")
            }
            context.console.print("drop \(targets.count) entr\(targets.count == 1 ? "y" : "ies") for good? Type yes: ", terminator: true)
            guard let answer = readLine(), answer.trimmingSpaces().lowercased() == "yes" else {
                context.console.print("nothing dropped")
                return .success
            }
        }
        let now = Timestamp.now()
        for located in targets {
            var entry = located.entry
            switch sub {
            case "retry", "release":
                entry.nextAttempt = now
                try spool.write(entry, to: .deferred)
                if located.state != .deferred { try spool.remove(entry, from: located.state) }
            case "hold":
                try spool.move(entry, from: .deferred, to: .hold)
            default:
                try spool.remove(entry, from: located.state)
            }
        }
        let verb = ["retry": "due now", "hold": "held", "release": "released, due now", "drop": "dropped"][sub] ?? sub
        if invocation.global.json {
            context.console.printJSON(["action": .string(sub), "count": .number(String(targets.count)), "ids": .array(targets.map { .string($0.entry.id) })])
        } else {
            context.console.print("\(targets.count) entr\(targets.count == 1 ? "y" : "ies") \(verb)")
        }
        return .success
    }
}

extension Console {
    /// Writes `text` without a newline (a prompt).
    func print(_ text: String, terminator: Bool) {
        if terminator { FileOutput.writeAll(1, text) } else { print(text) }
    }
}
