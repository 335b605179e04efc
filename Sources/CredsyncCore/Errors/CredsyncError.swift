/// An error that crosses module boundaries and ends a command: what happened, where, what to do,
/// and the exit code it maps to.
public struct CredsyncError: Error, Sendable, CustomStringConvertible {
    /// The exit code the command ends with.
    public var exitCode: ExitCode
    /// What happened and where, e.g. `credsync.json: no such file`.
    public var message: String
    /// What to do about it, printed on a line of its own.
    public var hint: String?

    public init(_ exitCode: ExitCode, _ message: String, hint: String? = nil) {
        self.exitCode = exitCode
        self.message = message
        self.hint = hint
    }

    public var description: String {
        guard let hint else { return message }
        return "\(message)\nhint: \(hint)"
    }

    /// A usage error, as the command-line parser reports it.
    public static func usage(_ message: String, hint: String? = "use --help to list commands and options") -> Self {
        CredsyncError(.usage, message, hint: hint)
    }

    /// A command whose issue has not landed yet.
    public static func notImplemented(_ command: String) -> Self {
        CredsyncError(.software, "'\(command)' is not implemented yet")
    }
}
