public import CredsyncCore

/// What a command runs with: its parsed line, the environment, where output goes, and the logger.
public struct CommandContext: Sendable {
    public let invocation: Invocation
    public let environment: [String: String]
    public let console: Console
    public let logger: Logger

    /// The date every rule uses: `--as-of`, else today in Asia/Shanghai.
    public var asOf: LocalDate { invocation.global.asOf ?? LocalDate.todayInShanghai() }

    /// The configuration file this invocation names.
    public var configFile: String {
        ConfigLoader.resolveFile(explicit: invocation.global.configFile, environment: environment)
    }

    /// Reads the configuration, logs its warnings (TLS verification off is warned about on every run)
    /// and returns it, or throws (exit 78) with every problem. A command that never reaches a
    /// platform loads it without `readsSecrets`, so that an operator can run it without them.
    public func loadConfig(readsSecrets: Bool = true) throws(CredsyncError) -> Config {
        let report = try ConfigLoader.load(
            file: configFile, environment: environment, stateDirOverride: invocation.global.stateDir,
            readsSecrets: readsSecrets)
        for warning in report.warnings { logger.warning("\(report.file): \(warning)") }
        let config = try report.requireConfig()
        // A state directory that is a file would read as empty queues, ledgers and history.
        if FileSystem.exists(config.stateDir) && !FileSystem.isDirectory(config.stateDir) {
            throw CredsyncError(
                .ioError, "\(config.stateDir): the state directory is not a directory",
                hint: "move the file aside, or point stateDir (or --state-dir) at the state directory")
        }
        return config
    }
}
