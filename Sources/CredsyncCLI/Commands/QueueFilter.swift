import CredsyncCore
import CredsyncSpool

/// The filters every queue command takes: `--platform`, `--dataset`, `--state`, `--older-than`.
/// An unreadable (corrupt) row matches `--platform` and `--state corrupt` only: its dataset and
/// age are not trusted.
struct QueueFilter: Sendable {
    var platform: PlatformID?
    var dataset: Dataset?
    var state: SpoolState?
    /// Seconds since the entry was first queued.
    var olderThan: Double?
    /// `--older-than` as typed.
    var olderThanText: String?

    init(_ invocation: Invocation) {
        platform = invocation.value("platform").flatMap(PlatformID.init(rawValue:))
        dataset = invocation.value("dataset").flatMap(Dataset.init(rawValue:))
        state = invocation.value("state").flatMap(SpoolState.init(rawValue:))
        olderThanText = invocation.value("older-than")
        olderThan = olderThanText.flatMap(DurationText.seconds)
    }

    var isEmpty: Bool { platform == nil && dataset == nil && state == nil && olderThan == nil }

    /// The platforms whose queues can match.
    var platforms: [PlatformID] { platform.map { [$0] } ?? PlatformID.allCases }

    func matches(_ located: Spool.Located, now: Double) -> Bool {
        (platform == nil || located.entry.platform == platform) && (dataset == nil || located.entry.dataset == dataset)
            && (state == nil || located.state == state)
            && (olderThan.map { now - located.entry.firstAttempt >= $0 } ?? true)
    }

    func matches(_ file: Spool.Unreadable) -> Bool {
        (platform == nil || file.platform == nil || file.platform == platform) && (state == nil || state == .corrupt)
            && dataset == nil
            && olderThan == nil
    }

    /// The filters as typed, e.g. `--platform gsxt --state hold`.
    var description: String {
        var parts: [String] = []
        if let platform { parts.append("--platform \(platform.rawValue)") }
        if let dataset { parts.append("--dataset \(dataset.rawValue)") }
        if let state { parts.append("--state \(state.rawValue)") }
        if let olderThanText { parts.append("--older-than \(olderThanText)") }
        return parts.joined(separator: " ")
    }

    /// The filters for the audit log.
    var json: JSONObject {
        var object = JSONObject()
        if let platform { object["platform"] = .string(platform.rawValue) }
        if let dataset { object["dataset"] = .string(dataset.rawValue) }
        if let state { object["state"] = .string(state.rawValue) }
        if let olderThanText { object["olderThan"] = .string(olderThanText) }
        return object
    }
}

/// What a queue command found: readable entries and unreadable rows, each found by id.
struct QueueListing: Sendable {
    var entries: [Spool.Located]
    var corrupt: [Spool.Unreadable]

    var isEmpty: Bool { entries.isEmpty && corrupt.isEmpty }
    var count: Int { entries.count + corrupt.count }

    /// Reads the whole queue (nothing when the state directory has no store yet).
    init(_ spool: Spool?) throws(CredsyncError) {
        (entries, corrupt) = try spool?.entries() ?? ([], [])
    }

    /// Reads what `filter` selects, filtered in SQL as far as SQL can; the rest as `matches` says.
    init(_ spool: Spool?, filter: QueueFilter, now: Double) throws(CredsyncError) {
        let selection = Spool.Selection(
            platforms: filter.platforms, dataset: filter.dataset, state: filter.state,
            firstQueuedBefore: filter.olderThan.map { now - $0 + 1 })
        (entries, corrupt) = try spool?.entries(selection) ?? ([], [])
        self = filtered(filter, now: now)
    }

    init(entries: [Spool.Located], corrupt: [Spool.Unreadable]) {
        self.entries = entries
        self.corrupt = corrupt
    }

    func filtered(_ filter: QueueFilter, now: Double) -> QueueListing {
        QueueListing(entries: entries.filter { filter.matches($0, now: now) }, corrupt: corrupt.filter(filter.matches))
    }

    /// One entry or unreadable row.
    enum Item: Sendable {
        case entry(Spool.Located)
        case corrupt(Spool.Unreadable)

        var id: String {
            switch self {
            case .entry(let located): located.entry.id
            case .corrupt(let file): file.id
            }
        }
    }

    /// The entry or row with this id, or an id prefix that names exactly one.
    func find(_ id: String) throws(CredsyncError) -> Item {
        let items = entries.map(Item.entry) + corrupt.map(Item.corrupt)
        let exact = items.filter { $0.id == id }
        let matches = exact.isEmpty && !id.isEmpty ? items.filter { $0.id.hasPrefix(id) } : exact
        guard matches.count == 1, let item = matches.first else {
            throw CredsyncError.usage(
                matches.isEmpty ? "no queue entry with id '\(id)'" : "'\(id)' names \(matches.count) entries",
                hint: "use 'credsync queue list' for the ids")
        }
        return item
    }
}
