import CredsyncCore
import Testing

@testable import CredsyncCLI

@Suite struct CommandLineParserTests {
    let parser = CommandLineParser()

    func usageError(_ arguments: [String]) -> CredsyncError? {
        do {
            _ = try parser.parse(arguments)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesSubcommandOptionsAndArguments() throws {
        let invocation = try parser.parse(["queue", "list", "--platform", "gsxt", "--state=hold", "--older-than", "2h"])
        #expect(invocation.path == ["queue", "list"])
        #expect(invocation.value("platform") == "gsxt")
        #expect(invocation.value("state") == "hold")
        #expect(invocation.value("older-than") == "2h")
    }

    @Test func globalOptionsStandBeforeOrAfterTheCommand() throws {
        let before = try parser.parse(["--config", "a.json", "--json", "plan", "--as-of=2026-03-05"])
        let after = try parser.parse(["plan", "--as-of", "2026-03-05", "--config=a.json", "--json"])
        #expect(before == after)
        #expect(before.global.configFile == "a.json" && before.global.json)
        #expect(before.global.asOf == LocalDate(iso: "2026-03-05"))
    }

    @Test func doubleDashEndsOptions() throws {
        let invocation = try parser.parse(["queue", "drop", "--yes", "--", "--weird-id"])
        #expect(invocation.has("yes"))
        #expect(invocation.arguments == ["--weird-id"])
    }

    @Test func repeatableOptionsAccumulateOthersAreRejectedWhenRepeated() throws {
        let sync = try parser.parse(["sync", "--platform", "credit", "--platform", "ipp"])
        #expect(sync.all("platform") == ["credit", "ipp"])
        let plan = try parser.parse(["plan", "--platform", "credit", "--platform", "ipp"])
        #expect(plan.all("platform") == ["credit", "ipp"])
        #expect(usageError(["reconcile", "--platform", "credit", "--platform", "ipp"])?.exitCode == .usage)
    }

    @Test func shortFlagsWork() throws {
        let invocation = try parser.parse(["queue", "drop", "-y", "ALL", "-q"])
        #expect(invocation.has("yes") && invocation.global.quiet)
    }

    @Test func unknownOptionSuggestsTheClosest() {
        let error = usageError(["plan", "--detial"])
        #expect(error?.exitCode == .usage)
        #expect(error?.message == "unknown option '--detial'; did you mean '--detail'?")
        #expect(error?.hint == "use 'credsync plan --help' to list options")
    }

    @Test func unknownCommandSuggestsTheClosest() {
        #expect(usageError(["sycn"])?.message == "unknown command 'sycn'; did you mean 'sync'?")
        #expect(usageError(["frobnicate"])?.message == "unknown command 'frobnicate'")
        #expect(usageError(["frobnicate"])?.hint == "use 'credsync --help' to list commands")
        #expect(usageError(["queue", "lst"])?.message == "unknown subcommand of 'queue' 'lst'; did you mean 'list'?")
    }

    @Test func badValuesAreUsageErrors() {
        #expect(
            usageError(["plan", "--platform", "credt"])?.message == "'credt' is not a valid value for '--platform'")
        #expect(
            usageError(["plan", "--platform", "credt"])?.hint == "did you mean 'credit'? use one of: credit, gsxt, ipp")
        #expect(
            usageError(["plan", "--as-of", "2026-02-30"])?.message == "'2026-02-30' is not a valid date for '--as-of'")
        #expect(usageError(["plan", "--platform"])?.message == "option '--platform' needs a value <platform>")
        #expect(usageError(["plan", "--json=yes"])?.message == "option '--json' takes no value")
        #expect(usageError(["map", "--limit", "0"])?.message == "'0' is not a valid value for '--limit'")
        #expect(usageError(["plan", "-q", "-v"])?.message == "--quiet and --verbose cannot be used together")
    }

    @Test func argumentCountsAreChecked() {
        #expect(usageError(["queue", "show"])?.message == "'queue show' needs ID")
        #expect(usageError(["queue", "show", "a", "b"])?.message == "unexpected argument 'b'")
        #expect(
            usageError(["queue"])?.message
                == "'queue' needs a subcommand: list, show, retry, hold, release, drop, stats")
    }

    @Test func helpIsRequestedByFlagOrHelpCommand() throws {
        #expect(try parser.parse(["queue", "list", "--help"]).wantsHelp)
        #expect(try parser.parse(["queue", "-h"]).wantsHelp)
        let help = try parser.parse(["help", "queue", "list"])
        #expect(help.wantsHelp && help.path == ["queue", "list"])
    }

    @Test func everyCommandHasRealHelp() {
        func visit(_ command: CommandSpec, _ path: [String]) {
            let text = HelpFormatter.help(for: path)
            // The overview is wrapped at the width: compare its words.
            #expect(text.split(separator: "\n").joined(separator: " ").hasPrefix("OVERVIEW: \(command.abstract)"))
            #expect(!command.abstract.isEmpty)
            for option in command.options { #expect(text.contains("--\(option.name)")) }
            for sub in command.subcommands { visit(sub, path + [sub.name]) }
        }
        visit(CommandTable.root, [])
        #expect(HelpFormatter.help(for: []).contains("78                        configuration error"))
    }
}

@Suite struct CredsyncCommandTests {
    func run(_ arguments: [String], environment: [String: String] = [:]) async -> (Int32, Console) {
        let console = Console.capturing()
        let code = await CredsyncCommand.main(
            arguments: arguments, environment: environment, console: console, logger: .capturing())
        return (code, console)
    }

    @Test func helpGoesToStdoutWithExitZero() async {
        let (code, console) = await run(["help", "plan"])
        #expect(code == 0)
        #expect(console.output.hasPrefix("OVERVIEW: Dry run"))
        #expect(console.errorOutput.isEmpty)
    }

    @Test func usageErrorsGoToStderrWithExit64AndAHint() async {
        let (code, console) = await run(["check", "--forse"])
        #expect(code == 64)
        #expect(console.output.isEmpty)
        #expect(
            console.errorOutput
                == "error: unknown option '--forse'\nhint: use 'credsync check --help' to list options\n")
    }

    @Test func versionPrintsTheVersion() async {
        let (code, console) = await run(["--version"])
        #expect(code == 0 && console.output == "credsync \(credsyncVersion)\n")
    }

    @Test func missingConfigurationExits78NamingTheFile() async {
        let (code, console) = await run(["check", "--config", "/nonexistent/credsync.json"])
        #expect(code == 78)
        #expect(console.errorOutput.hasPrefix("error: /nonexistent/credsync.json: cannot read the configuration"))
    }

    @Test func configurationFileComesFromEnvironmentWhenNotGiven() async {
        let (code, console) = await run(["check"], environment: ["CREDSYNC_CONFIG": "/nonexistent/from-env.json"])
        #expect(code == 78)
        #expect(console.errorOutput.contains("/nonexistent/from-env.json"))
    }
}

@Suite struct ExitCodeTests {
    @Test func exitCodesFollowSysexits() {
        #expect(ExitCode.allCases.map(\.rawValue) == [0, 1, 2, 64, 65, 69, 70, 74, 75, 77, 78])
    }
}
