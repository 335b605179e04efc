import CredsyncCore
import CredsyncRun
import CredsyncSpool
import CredsyncState

/// `credsync privacy report [--from D] [--to D] [--subject NUMBER [--reveal]]`: the personal-data
/// register. A look-up of a person is an access to personal data: it is audited, the number masked
/// unless `--reveal` was given (and then that is audited too).
enum PrivacyCommand {
    static func report(_ context: CommandContext) throws(CredsyncError) -> ExitCode {
        let invocation = context.invocation
        let config = try context.loadConfig(readsSecrets: false)
        let from = try day(invocation, "from")
        let to = try day(invocation, "to")
        if let from, let to, to < from {
            throw CredsyncError.usage(
                "--to \(to.iso) is before --from \(from.iso)", hint: "give the period's first day first")
        }
        let subject = invocation.value("subject")
        let reveal = invocation.has("reveal")
        if reveal && subject == nil { throw CredsyncError.usage("--reveal shows a --subject's number: give --subject") }
        if reveal && invocation.global.json {
            throw CredsyncError.usage(
                "--reveal shows the number on the text output only", hint: "leave out --json, or --reveal")
        }
        let workspace = try Workspace(config: config)
        guard FileSystem.exists(StatePaths(stateDir: config.stateDir).database) else {
            throw CredsyncError(
                .dataError, "\(config.stateDir): no state store yet, so nothing was sent",
                hint: "run 'credsync sync' first")
        }
        let store = try StateStore(stateDir: config.stateDir)
        let register = try PrivacyRegister.build(
            workspace: workspace, store: store, from: from.map(Self.start),
            before: to.map { Self.start(of: $0) + 86400 },
            subject: subject)
        if let subject {
            // Every look-up of a person is kept: who asked, for which (masked) number, what was found.
            let lock = try RunLock.acquire(stateDir: config.stateDir, purpose: "privacy report", wait: 5)
            defer { withExtendedLifetime(lock) {} }
            let action = OperatorAction(
                action: "privacy subject",
                selection: JSONObject([JSONMember("subject", .string(NationalIdentifiers.masked(subject)))]),
                items: register.matches.map { .string("\($0.target) \($0.key)") }, count: register.matches.count,
                details: JSONObject([JSONMember("reveal", .bool(reveal))]))
            try action.record(in: config.auditFile, environment: context.environment)
        }
        let shown = subject.map { reveal ? $0 : NationalIdentifiers.masked($0) }
        if invocation.global.json {
            context.console.printJSON(.object(PrivacyReportOutput.json(register, subject: shown, from: from, to: to)))
        } else {
            for line in PrivacyReportOutput.text(register, subject: shown, from: from, to: to) {
                // The one line that names the subject goes out as it is when the officer asked to see it.
                if reveal, line.hasPrefix("records holding ") {
                    context.console.printSent(line)
                } else {
                    context.console.print(line)
                }
            }
        }
        return .success
    }

    /// Midnight of `day` in Asia/Shanghai, in Unix seconds.
    static func start(of day: LocalDate) -> Int { day.dayNumber * 86400 - 8 * 3600 }

    private static func day(_ invocation: Invocation, _ name: String) throws(CredsyncError) -> LocalDate? {
        guard let text = invocation.value(name) else { return nil }
        guard let date = LocalDate(iso: text) else {
            throw CredsyncError.usage("--\(name) \(text): not a date", hint: "e.g. --\(name) 2026-01-01")
        }
        return date
    }
}
