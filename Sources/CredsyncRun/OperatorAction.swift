#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore

/// A state-changing command an operator ran (queue hold, release, retry, drop; reconcile
/// --repair), as one audit line: who, what, on which ids or filters, how many.
public struct OperatorAction: Sendable {
    /// e.g. `queue release`.
    public var action: String
    /// The filters given (`platform`, `dataset`, `state`, `olderThan`), and `all` for ALL/--all.
    public var selection: JSONObject
    /// What it acted on, one object an item (ids, keys, datasets…); never cut.
    public var items: [JSONValue]
    /// How many it changed.
    public var count: Int
    /// Anything else worth keeping (e.g. what was skipped and why).
    public var details: JSONObject

    public init(
        action: String, selection: JSONObject, items: [JSONValue], count: Int, details: JSONObject = JSONObject()
    ) {
        self.action = action
        self.selection = selection
        self.items = items
        self.count = count
        self.details = details
    }

    /// The audit event: `{"event": "operator", "action", "user", "sudoUser"?, "selection", "count", "items", …}`.
    public func event(environment: [String: String]) -> JSONObject {
        var object = JSONObject([JSONMember("event", "operator"), JSONMember("action", .string(action))])
        object["user"] = .string(Self.userName())
        if let sudo = environment["SUDO_USER"], !sudo.isEmpty { object["sudoUser"] = .string(sudo) }
        object["selection"] = .object(selection)
        object["count"] = .number(String(count))
        object["items"] = .array(items)
        for member in details { object[member.key] = member.value }
        return object
    }

    /// Appends the event to the audit log at `path`.
    public func record(in path: String, environment: [String: String]) throws(CredsyncError) {
        try AuditLog(path: path).append(event(environment: environment))
    }

    /// The Unix user the process runs as (its effective uid), or `uid N` when it has no name.
    public static func userName() -> String {
        let uid = geteuid()
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name
        else {
            return "uid \(uid)"
        }
        return String(cString: name)
    }
}
