#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore

/// Who runs credsync, for approvals: the Unix user of the process (its effective uid).
///
/// `CREDSYNC_USER` stands in for that name, for the end-to-end tests of four-eyes approvals (they
/// cannot run as two Unix users), and only for root, who may become any user anyway (`su`): the
/// credsync user cannot pass four-eyes by naming someone else. The audit line then records both,
/// the Unix user as `user` and the name used as `actingAs`, so that an override is never hidden.
public struct OperatorIdentity: Sendable, Equatable {
    /// The name approvals record and compare.
    public var name: String
    /// The process's Unix user.
    public var unixUser: String

    public init(name: String, unixUser: String) {
        self.name = name
        self.unixUser = unixUser
    }

    /// The identity of this process.
    public static func current(environment: [String: String]) -> OperatorIdentity {
        let unixUser = OperatorAction.userName()
        let override = geteuid() == 0 ? environment["CREDSYNC_USER"].flatMap { $0.isEmpty ? nil : $0 } : nil
        return OperatorIdentity(name: override ?? unixUser, unixUser: unixUser)
    }

    /// Whether `CREDSYNC_USER` stood in for the Unix user.
    public var isOverridden: Bool { name != unixUser }

    /// What an audit line adds beside its `user`: `actingAs` when overridden.
    public var auditDetails: JSONObject {
        isOverridden ? JSONObject([JSONMember("actingAs", .string(name))]) : JSONObject()
    }
}
