import CredsyncCore

/// Renders help in the layout of swift-argument-parser.
public enum HelpFormatter {
    /// The help for the command at `path`.
    public static func help(for path: [String], parser: CommandLineParser = CommandLineParser()) -> String {
        guard let command = parser.command(at: path) else { return help(for: [], parser: parser) }
        let name = (["credsync"] + path).joined(separator: " ")
        var out = "OVERVIEW: \(command.abstract)\n"
        if !command.discussion.isEmpty { out += "\n" + command.discussion + "\n" }
        out += "\nUSAGE: \(name)"
        if !command.subcommands.isEmpty { out += " <subcommand>" }
        if !command.options.isEmpty { out += " [options]" }
        if !command.arguments.name.isEmpty {
            out += command.arguments.minimum > 0 ? " \(command.arguments.name)" : " [\(command.arguments.name)]"
        }
        out += "\n"
        if !command.arguments.name.isEmpty {
            out += "\nARGUMENTS:\n" + row(command.arguments.name, command.arguments.help)
        }
        if !command.options.isEmpty {
            out += "\nOPTIONS:\n" + command.options.map { row($0.synopsis, $0.help) }.joined()
        }
        if !command.subcommands.isEmpty {
            out += "\nSUBCOMMANDS:\n" + command.subcommands.map { row($0.name, $0.abstract) }.joined()
        }
        out += "\nGLOBAL OPTIONS:\n" + parser.globalOptions.map { row($0.synopsis, $0.help) }.joined()
        out += row("-h, --help", "Show help information.")
        if path.isEmpty {
            out += row("--version", "Show the version.")
            out += "\nEXIT CODES:\n"
            out += ExitCode.allCases.map { row(String($0.rawValue), $0.meaning) }.joined()
            out += "\n  See 'credsync help <subcommand>' for detailed help.\n"
        }
        return out
    }

    private static func row(_ left: String, _ right: String) -> String {
        let width = 28
        let padded = "  " + left
        if padded.count >= width { return padded + "\n" + String(repeating: " ", count: width) + right + "\n" }
        return padded + String(repeating: " ", count: width - padded.count) + right + "\n"
    }
}
