import CredsyncCore

/// Renders help in the layout of swift-argument-parser.
public enum HelpFormatter {
    /// The help for the command at `path`, wrapped at `width` columns.
    public static func help(
        for path: [String], parser: CommandLineParser = CommandLineParser(), width: Int = 80
    ) -> String {
        guard let command = parser.command(at: path) else { return help(for: [], parser: parser, width: width) }
        let name = (["credsync"] + path).joined(separator: " ")
        let row = { (left: String, right: String) in Self.row(left, right, width: width) }
        var out = Terminal.wrap("OVERVIEW: \(command.abstract)", width: width).joined(separator: "\n") + "\n"
        if !command.discussion.isEmpty { out += "\n" + reflow(command.discussion, width: width) + "\n" }
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
        if path.isEmpty { out += row("--version", "Show the version.") }
        if let examples = CommandTable.examples[path.joined(separator: " ")], !examples.isEmpty {
            out += "\nEXAMPLES:\n"
            for (command, meaning) in examples {
                out += Terminal.wrap(meaning, width: width - 4).map { "  # " + $0 }.joined(separator: "\n") + "\n"
                out += "  $ " + command + "\n"
            }
        }
        if path.isEmpty {
            out += "\nEXIT CODES:\n"
            out += ExitCode.allCases.map { row(String($0.rawValue), $0.meaning) }.joined()
            let see = Terminal.wrap("See 'credsync help <subcommand>' for detailed help.", width: width - 2)
            out += "\n" + see.map { "  " + $0 + "\n" }.joined()
        }
        return out
    }

    /// A left column and its help, the help wrapped at `width` under its own column.
    private static func row(_ left: String, _ right: String, width: Int) -> String {
        let column = 28
        let padded = "  " + left
        let indent = String(repeating: " ", count: column)
        let lines = Terminal.wrap(right, width: max(20, width - column))
        let rest = lines.dropFirst().map { indent + $0 + "\n" }.joined()
        if Terminal.displayWidth(padded) >= column { return padded + "\n" + lines.map { indent + $0 + "\n" }.joined() }
        let gap = String(repeating: " ", count: column - Terminal.displayWidth(padded))
        return padded + gap + (lines.first ?? "") + "\n" + rest
    }

    /// Paragraphs (split at blank lines) rewrapped at `width`; a line that starts with a space or
    /// "- " keeps its own line.
    static func reflow(_ text: String, width: Int) -> String {
        var out: [String] = []
        var paragraph = ""
        func flush() {
            if !paragraph.isEmpty { out += Terminal.wrap(paragraph, width: width) }
            paragraph = ""
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                flush()
                out.append("")
            } else if line.hasPrefix(" ") || line.hasPrefix("- ") {
                flush()
                let indent = String(line.prefix { $0 == " " })
                let wrapped = Terminal.wrap(String(line), width: width - indent.count - 2)
                for (index, part) in wrapped.enumerated() { out.append((index == 0 ? indent : indent + "  ") + part) }
            } else {
                if !paragraph.isEmpty { paragraph += " " }
                paragraph += String(line)
            }
        }
        flush()
        return out.joined(separator: "\n")
    }
}
