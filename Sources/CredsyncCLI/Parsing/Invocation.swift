public import CredsyncCore

/// The options every command takes.
public struct GlobalOptions: Sendable, Equatable {
    /// `--config FILE`; nil means `$CREDSYNC_CONFIG`, then `./credsync.json`.
    public var configFile: String?
    /// `--state-dir DIR`, overriding the configuration's.
    public var stateDir: String?
    /// `--json`: machine output on stdout.
    public var json = false
    public var quiet = false
    public var verbose = false
    /// `--no-progress`: no progress bars even on a terminal.
    public var noProgress = false
    public var logFormat: Logger.Format = .text
    /// `--as-of`: the date every rule uses; nil means today in Asia/Shanghai.
    public var asOf: LocalDate?

    public init() {}

    /// The minimum log level these options ask for.
    public var logLevel: Logger.Level { verbose ? .debug : quiet ? .warning : .info }
}

/// A parsed command line.
public struct Invocation: Sendable, Equatable {
    /// The command's path, e.g. `["queue", "list"]`; empty for `credsync` alone.
    public var path: [String] = []
    public var global = GlobalOptions()
    /// Option values by long name; flags hold no value.
    public var values: [String: [String]] = [:]
    public var flags: Set<String> = []
    public var arguments: [String] = []
    /// `-h`, `--help` or `credsync help …`.
    public var wantsHelp = false
    public var wantsVersion = false

    public init() {}

    /// The last value of an option.
    public func value(_ name: String) -> String? { values[name]?.last }

    /// Every value of a repeatable option.
    public func all(_ name: String) -> [String] { values[name] ?? [] }

    public func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// Whether the withdrawals a plan holds back are approved: `--approve-withdrawals`, or its
    /// former name `--allow-mass-withdraw`.
    var approvesWithdrawals: Bool { has("approve-withdrawals") || has("allow-mass-withdraw") }

    /// The command's name as typed, e.g. `queue list`.
    public var commandName: String { path.joined(separator: " ") }
}
