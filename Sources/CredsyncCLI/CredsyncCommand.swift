public import CredsyncCore

/// The `credsync` program: parses the command line, runs the command, and turns every outcome
/// into a documented exit code. Usage errors and failures go to stderr as `error: …` with a hint.
public enum CredsyncCommand {
    /// A command's implementation.
    typealias Handler = @Sendable (CommandContext) async throws(CredsyncError) -> ExitCode

    static let handlers: [String: Handler] = [
        "sync": SyncCommand.run,
        "push": SyncCommand.run,
        "approve": ApproveCommand.run,
        "queue list": QueueCommand.run,
        "queue show": QueueCommand.run,
        "queue retry": QueueCommand.run,
        "queue hold": QueueCommand.run,
        "queue release": QueueCommand.run,
        "queue drop": QueueCommand.run,
        "queue stats": QueueCommand.run,
        "check": CheckCommand.run,
        "map": MapCommand.run,
        "plan": PlanCommand.run,
        "deadlines": DeadlinesCommand.run,
        "forecast": ForecastCommand.run,
        "reconcile": ReconcileCommand.run,
        "audit verify": AuditCommand.run,
        "audit prune": AuditCommand.prune,
        "report": ReportCommand.run,
        "pull": PullCommand.run,
        "collect": CollectCommand.run,
        "enterprise show": PullCommand.show,
        "state check": StateCommand.check,
        "state backup": StateCommand.backup,
        "key generate": KeyCommand.generate,
        "privacy report": PrivacyCommand.report,
        "key rotate": KeyCommand.rotate,
    ]

    /// Runs credsync with the arguments as the system gave them, bytes without the program name.
    /// An argument that is not UTF-8 is refused (exit 64): read with U+FFFD in place of its
    /// bytes, a path would silently name another file.
    public static func main(
        rawArguments: [[UInt8]], environment: [String: String], console: Console = .standard
    ) async -> Int32 {
        var arguments: [String] = []
        for (i, bytes) in rawArguments.enumerated() {
            guard let text = UTF8Text.string(bytes) else {
                let shown = bytes.map { byte in
                    (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + Hex.encode([byte]).uppercased()
                }
                report(
                    .usage(
                        "argument \(i + 1) is not valid UTF-8: \"\(shown.joined())\"",
                        hint: "credsync reads paths and values as UTF-8: rename the file or directory"),
                    console: console)
                return ExitCode.usage.rawValue
            }
            arguments.append(text)
        }
        return await main(arguments: arguments, environment: environment, console: console)
    }

    /// Runs credsync with `arguments` (without the program name) and returns the exit code.
    public static func main(
        arguments: [String], environment: [String: String], console: Console = .standard, logger: Logger? = nil
    ) async -> Int32 {
        let parser = CommandLineParser()
        let invocation: Invocation
        do {
            invocation = try parser.parse(arguments)
        } catch {
            report(error, console: console)
            return error.exitCode.rawValue
        }
        if invocation.wantsVersion, !invocation.wantsHelp {
            console.print("credsync \(credsyncVersion)")
            return ExitCode.success.rawValue
        }
        if invocation.wantsHelp || invocation.path.isEmpty {
            let path = invocation.path + (invocation.path.isEmpty ? invocation.arguments : [])
            guard parser.command(at: path) != nil else {
                let unknown = CredsyncError.usage(
                    "no help for '\(path.joined(separator: " "))': unknown command",
                    hint: "use 'credsync --help' to list commands")
                report(unknown, console: console)
                return unknown.exitCode.rawValue
            }
            let width = Terminal.columns(environment: environment)
            console.print(String(HelpFormatter.help(for: path, parser: parser, width: width).dropLast()))
            return ExitCode.success.rawValue
        }
        let global = invocation.global
        let context = CommandContext(
            invocation: invocation, environment: environment, console: console,
            logger: logger ?? Logger(minimumLevel: global.logLevel, format: global.logFormat))
        guard let handler = handlers[invocation.commandName] else {
            let error = CredsyncError.notImplemented(invocation.commandName)
            console.printError("error: \(error.message)")
            return error.exitCode.rawValue
        }
        do {
            return try await handler(context).rawValue
        } catch {
            report(error, console: console)
            return error.exitCode.rawValue
        }
    }

    /// Whether a command path has its implementation.
    static func isImplemented(_ path: String) -> Bool { handlers[path] != nil }

    static func report(_ error: CredsyncError, console: Console) {
        console.printError("error: \(error.message)")
        if let hint = error.hint { console.printError("hint: \(hint)") }
    }
}
