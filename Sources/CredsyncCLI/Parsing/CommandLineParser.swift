public import CredsyncCore

/// Parses `credsync <command> [<subcommand>] [options] [--] [args]` against the command table.
/// Global options may stand anywhere; `--name value` and `--name=value` are the same; `--` ends options.
public struct CommandLineParser: Sendable {
    public let root: CommandSpec
    public let globalOptions: [OptionSpec]

    public init(root: CommandSpec = CommandTable.root, globalOptions: [OptionSpec] = CommandTable.globalOptions) {
        self.root = root
        self.globalOptions = globalOptions
    }

    /// The invocation, or a usage error (exit 64) saying what is wrong and suggesting the fix.
    public func parse(_ arguments: [String]) throws(CredsyncError) -> Invocation {
        var invocation = Invocation()
        var command = root
        var remaining = arguments[...]
        var optionsEnded = false

        while let argument = remaining.popFirst() {
            if optionsEnded || argument == "-" || !argument.hasPrefix("-") {
                if !optionsEnded, invocation.path.isEmpty, argument == "help", !invocation.wantsHelp {
                    invocation.wantsHelp = true
                    continue
                }
                if !optionsEnded, !command.subcommands.isEmpty {
                    guard let sub = command.subcommand(argument) else {
                        throw unknownCommand(argument, in: command, path: invocation.path)
                    }
                    command = sub
                    invocation.path.append(argument)
                    continue
                }
                invocation.arguments.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            if argument == "-h" || argument == "--help" {
                invocation.wantsHelp = true
                continue
            }
            if argument == "--version" {
                invocation.wantsVersion = true
                continue
            }
            try parseOption(argument, remaining: &remaining, command: command, into: &invocation)
        }

        if invocation.wantsHelp || invocation.wantsVersion { return invocation }
        if !command.subcommands.isEmpty, !invocation.path.isEmpty {
            let names = command.subcommands.map(\.name).joined(separator: ", ")
            throw CredsyncError.usage(
                "'\(invocation.commandName)' needs a subcommand: \(names)",
                hint: "use 'credsync \(invocation.commandName) --help' to see them")
        }
        if invocation.global.quiet && invocation.global.verbose {
            throw CredsyncError.usage("--quiet and --verbose cannot be used together", hint: "choose one")
        }
        try checkArgumentCount(invocation, command: command)
        return invocation
    }

    /// The spec for a command path, e.g. `["queue", "list"]`.
    public func command(at path: [String]) -> CommandSpec? {
        var command = root
        for name in path {
            guard let sub = command.subcommand(name) else { return nil }
            command = sub
        }
        return command
    }

    private func parseOption(
        _ argument: String, remaining: inout ArraySlice<String>, command: CommandSpec, into invocation: inout Invocation
    ) throws(CredsyncError) {
        var name: String
        var inlineValue: String?
        let candidates = command.options + globalOptions
        let spec: OptionSpec
        if argument.hasPrefix("--") {
            name = String(argument.dropFirst(2))
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let found = candidates.first(where: { $0.name == name }) else {
                throw unknownOption("--" + name, command: command, path: invocation.path)
            }
            spec = found
        } else {
            let letters = Array(argument.dropFirst())
            guard letters.count == 1, let found = candidates.first(where: { $0.short == letters[0] }) else {
                throw unknownOption(argument, command: command, path: invocation.path)
            }
            spec = found
            name = spec.name
        }

        if spec.isFlag {
            if inlineValue != nil {
                throw CredsyncError.usage("option '--\(name)' takes no value", hint: "write it as '--\(name)' alone")
            }
            applyFlag(name, to: &invocation)
            return
        }
        guard let value = inlineValue ?? remaining.popFirst() else {
            throw CredsyncError.usage(
                "option '--\(name)' needs a value <\(spec.valueName)>",
                hint: "use 'credsync \(helpPath(invocation.path))--help' for its values")
        }
        try validate(value, for: spec)
        try applyValue(value, for: spec, to: &invocation)
    }

    private func applyFlag(_ name: String, to invocation: inout Invocation) {
        switch name {
        case "json": invocation.global.json = true
        case "quiet": invocation.global.quiet = true
        case "verbose": invocation.global.verbose = true
        case "no-progress": invocation.global.noProgress = true
        default: invocation.flags.insert(name)
        }
    }

    private func applyValue(_ value: String, for spec: OptionSpec, to invocation: inout Invocation)
        throws(CredsyncError)
    {
        switch spec.name {
        case "config": invocation.global.configFile = value
        case "state-dir": invocation.global.stateDir = value
        case "log-format": invocation.global.logFormat = Logger.Format(rawValue: value) ?? .text
        case "as-of": invocation.global.asOf = LocalDate(iso: value)
        default:
            if spec.isRepeatable {
                invocation.values[spec.name, default: []].append(value)
            } else if let earlier = invocation.values[spec.name]?.first {
                // The same on every command: an option that takes one value is never silently
                // overridden by a second one (global options above: the last counts).
                throw CredsyncError.usage(
                    "option '--\(spec.name)' is given twice ('\(earlier)' and '\(value)'); "
                        + "'\(invocation.commandName)' takes one", hint: "give it once")
            } else {
                invocation.values[spec.name] = [value]
            }
        }
    }

    private func validate(_ value: String, for spec: OptionSpec) throws(CredsyncError) {
        let option = "--\(spec.name)"
        switch spec.value {
        case .flag, .text:
            if value.isEmpty { throw CredsyncError.usage("option '\(option)' needs a non-empty value") }
        case .choice(let choices):
            guard choices.contains(value) else {
                let suggestion =
                    DidYouMean.suggestion(for: value, among: choices).map { "did you mean '\($0)'? " } ?? ""
                throw CredsyncError.usage(
                    "'\(value)' is not a valid value for '\(option)'",
                    hint: suggestion + "use one of: \(choices.joined(separator: ", "))")
            }
        case .date:
            guard LocalDate(iso: value) != nil else {
                throw CredsyncError.usage(
                    "'\(value)' is not a valid date for '\(option)'", hint: "write it as YYYY-MM-DD, e.g. 2026-03-05")
            }
        case .count(let range):
            guard let number = Int(value), range.contains(number) else {
                throw CredsyncError.usage(
                    "'\(value)' is not a valid value for '\(option)'",
                    hint: "use a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
        case .duration:
            guard DurationText.seconds(value) != nil else {
                throw CredsyncError.usage(
                    "'\(value)' is not a duration for '\(option)'", hint: "write it like 30m, 2h or 7d")
            }
        }
    }

    private func checkArgumentCount(_ invocation: Invocation, command: CommandSpec) throws(CredsyncError) {
        let count = invocation.arguments.count
        let spec = command.arguments
        let help = "use 'credsync \(helpPath(invocation.path))--help' for its usage"
        if count < spec.minimum {
            throw CredsyncError.usage("'\(invocation.commandName)' needs \(spec.name)", hint: help)
        }
        if let maximum = spec.maximum, count > maximum {
            let extra = invocation.arguments[maximum]
            let what = invocation.path.isEmpty ? "unknown command '\(extra)'" : "unexpected argument '\(extra)'"
            throw CredsyncError.usage(what, hint: help)
        }
    }

    private func helpPath(_ path: [String]) -> String {
        path.isEmpty ? "" : path.joined(separator: " ") + " "
    }

    private func unknownCommand(_ name: String, in command: CommandSpec, path: [String]) -> CredsyncError {
        let names = command.subcommands.map(\.name)
        let kind = path.isEmpty ? "command" : "subcommand of '\(path.joined(separator: " "))'"
        var message = "unknown \(kind) '\(name)'"
        if let suggestion = DidYouMean.suggestion(for: name, among: names) {
            message += "; did you mean '\(suggestion)'?"
        }
        return CredsyncError.usage(message, hint: "use 'credsync \(helpPath(path))--help' to list commands")
    }

    private func unknownOption(_ option: String, command: CommandSpec, path: [String]) -> CredsyncError {
        let names = (command.options + globalOptions).map { "--" + $0.name } + ["--help", "--version"]
        var message = "unknown option '\(option)'"
        if let suggestion = DidYouMean.suggestion(for: option, among: names) {
            message += "; did you mean '\(suggestion)'?"
        }
        return CredsyncError.usage(message, hint: "use 'credsync \(helpPath(path))--help' to list options")
    }
}
