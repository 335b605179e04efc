/// Why a change is planned: shown by `plan`, kept with a queue entry (column `queue.reason`).
public enum ChangeReason: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    /// A record the platform has never held: a create.
    case new
    /// A published record whose content changed.
    case changed
    /// A record withdrawn before, published again.
    case republished
    /// A withdrawal, and why.
    case withdrawal(WithdrawalReason)
    /// The withdrawal of a create whose answer was lost (the platform may hold it or not).
    case unconfirmed
    /// A reason this credsync does not know, read from the store (an older release, a hand
    /// edit): kept as it is, shown as it is; a withdrawal for it is sent as `corrected`.
    case unknown(String)

    public init(rawValue: String) {
        switch rawValue {
        case "new": self = .new
        case "changed": self = .changed
        case "republished": self = .republished
        case "unconfirmed": self = .unconfirmed
        default: self = WithdrawalReason(rawValue: rawValue).map { .withdrawal($0) } ?? .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .new: "new"
        case .changed: "changed"
        case .republished: "republished"
        case .unconfirmed: "unconfirmed"
        case .withdrawal(let reason): reason.rawValue
        case .unknown(let text): text
        }
    }

    public var description: String { rawValue }

    /// The reason a withdrawal for this change gives the platform: its own, or `corrected`.
    public var withdrawalReason: WithdrawalReason {
        if case .withdrawal(let reason) = self { return reason }
        return .corrected
    }
}
