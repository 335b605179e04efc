import CredsyncCore
import Testing

@testable import CredsyncCLI

/// Every help page has examples, and its lines fit the width it is given.
@Suite struct HelpExamplesTests {
    static let paths: [[String]] =
        [[]]
        + CommandTable.root.subcommands.flatMap { command in
            [[command.name]] + command.subcommands.map { [command.name, $0.name] }
        }

    @Test(arguments: paths)
    func everyHelpPageHasExamplesAndFitsFiftyColumns(path: [String]) {
        let text = HelpFormatter.help(for: path, width: 50)
        #expect(text.contains("\nEXAMPLES:\n"), "\(path)")
        #expect(text.contains("  $ credsync") || text.contains("  $ xdg-open"), "\(path)")
        for line in text.split(separator: "\n") where !line.hasPrefix("  $ ") {
            #expect(Terminal.displayWidth(String(line)) <= 50, "\(path): \(line)")
        }
    }

    @Test func mapHasADescription() {
        let discussion = CommandTable.root.subcommand("map")?.discussion ?? ""
        #expect(discussion.contains("canonical JSON"))
        #expect(HelpFormatter.help(for: ["map"]).contains("Personal numbers are masked."))
    }
}
