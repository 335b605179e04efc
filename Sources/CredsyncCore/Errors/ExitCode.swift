/// The process exit codes, after sysexits(3), the same for every command.
public enum ExitCode: Int32, Sendable, CaseIterable {
    /// Everything done.
    case success = 0
    /// Finished, but something needs an operator: set-aside or rejected records, queued, held or
    /// dead entries, overdue deadlines.
    case needsAttention = 1
    /// Only with `plan --detailed-exitcode`: the plan has changes.
    case planHasChanges = 2
    /// The command line was wrong.
    case usage = 64
    /// Input data unusable as a whole: an unreadable export, a guardrail tripped.
    case dataError = 65
    /// A platform was unavailable.
    case unavailable = 69
    /// An internal error: a bug in credsync.
    case software = 70
    /// An I/O error on the state directory.
    case ioError = 74
    /// Temporary: another run holds the lock, or the run was interrupted. Try again later.
    case temporaryFailure = 75
    /// A platform refused the credentials or the permission (HTTP 401 or 403): a wrong or rotated
    /// secret or certificate, or a dataset the platform does not allow (EX_NOPERM).
    case noPermission = 77
    /// The configuration is wrong.
    case configuration = 78

    /// One line for `credsync --help` and the README.
    public var meaning: String {
        switch self {
        case .success: return "all done"
        case .needsAttention:
            return "finished, but something needs an operator (set-aside or rejected records, "
                + "queued, held or dead entries, overdue deadlines)"
        case .planHasChanges: return "plan --detailed-exitcode only: the plan has changes"
        case .usage: return "usage error on the command line"
        case .dataError: return "input data unusable as a whole (unreadable export, a guardrail tripped)"
        case .unavailable: return "a platform was unavailable"
        case .software: return "internal error"
        case .ioError: return "I/O error on the state directory"
        case .noPermission: return "a platform refused the credentials or the permission (HTTP 401 or 403)"
        case .temporaryFailure: return "temporary: another run holds the lock, or the run was interrupted"
        case .configuration: return "configuration error"
        }
    }
}
