public import CredsyncCore

/// Why an operation on a 前置机 failed: what, on which server and path, and what to do.
public struct FileChannelError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The server's host key differs from the one pinned in known_hosts: possibly an attack.
        case hostKeyChanged = "host key changed"
        /// The server is not in known_hosts at all.
        case hostKeyUnknown = "host key unknown"
        /// The server refused the account's key.
        case authenticationRefused = "authentication refused"
        /// The server could not be reached, or the connection dropped or timed out.
        case unreachable = "unreachable"
        /// No such file or directory on the server.
        case notFound = "not found"
        /// The server refused the operation (permissions, disk full, a rename onto an existing file).
        case refused = "refused"
        /// A file on the server does not have the contract's shape.
        case malformed = "malformed"
        case other = "failed"
    }

    public var kind: Kind
    /// `sftp://host:port/root/...` of the operation (never a user name or key).
    public var url: String
    public var message: String

    public init(_ kind: Kind, url: String, message: String) {
        self.kind = kind
        self.url = url
        self.message = message
    }

    public var description: String { "\(url): \(message)" }

    /// Whether the next run may succeed without an operator: network trouble may pass; a host key,
    /// a refused key or a refused operation will not.
    public var isTransient: Bool { kind == .unreachable }

    /// The exit code a command ends with: a host key that does not verify is 69 (the platform
    /// is unavailable: never connect past it), a refused key 77 (as a refused secret).
    public var exitCode: ExitCode {
        switch kind {
        case .authenticationRefused: .noPermission
        default: .unavailable
        }
    }

    /// The error for a command's caller, with the step to take.
    public var credsyncError: CredsyncError {
        let hint: String?
        switch kind {
        case .hostKeyChanged:
            hint =
                "do not connect: ask the 前置机's administrator whether its host key was replaced; only then "
                + "replace the line in knownHosts with the key they give you (ops/RUNBOOK.md, 前置机)"
        case .hostKeyUnknown:
            hint = "add the 前置机's host key, as its administrator gives it, to the knownHosts file"
        case .authenticationRefused:
            hint = "give the 前置机's administrator the public key of privateKey for this account (ops/RUNBOOK.md)"
        case .unreachable: hint = "the next run tries again"
        default: hint = nil
        }
        return CredsyncError(exitCode, description, hint: hint)
    }
}
