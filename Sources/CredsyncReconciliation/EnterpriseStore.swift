public import CredsyncCore
public import CredsyncState

/// An enterprise as the store keeps it: gsxt's record, where it came from and when.
public struct StoredEnterprise: Sendable {
    /// gsxt's record, 证件号码 masked.
    public var enterprise: JSONValue
    /// The change feed's seq, or nil when it came from a query.
    public var seq: Int?
    /// Unix seconds of the pull or query.
    public var fetchedAt: Double
    public var notFound: Bool

    public var name: String { enterprise["name"]?.stringValue ?? "" }
    public var status: String { enterprise["status"]?.stringValue ?? "" }
    public var updatedAt: String { enterprise["updatedAt"]?.stringValue ?? "" }
}

/// What the cross-checks compare of an enterprise.
public struct EnterpriseSummary: Sendable {
    public var name: String
    public var status: String
    public var updatedAt: String
    public var notFound: Bool
    /// Whether SAMR's serious-illegal list has any entry for the code.
    public var hasListEntries: Bool
    /// The feed's sequence number (nil for a query's answer), and when it was stored (Unix seconds).
    public var seq: Int?
    public var fetchedAt: Double
}

/// The local enterprise store: gsxt's enterprises (feed and queries, not-found answers included)
/// and SAMR's serious-illegal list, by USCC, in the state store's tables `enterprise`,
/// `serious_illegal` and `pull_cursor` (see `StateStore+Pull`). Nothing is loaded: every look-up
/// is one query by key, so a million enterprises cost the memory of one.
public struct EnterpriseStore: Sendable {
    package let state: StateStore

    /// The store in `state`, the process's one connection.
    package init(state: StateStore) { self.state = state }

    /// Opens the state directory's store (creating it when missing).
    public init(stateDir: String) throws(CredsyncError) {
        state = try StateStore(stateDir: stateDir)
    }

    /// The store of `stateDir` when something was ever pulled into it, else nil (no state store
    /// yet, or nothing in it to cross-check against). Never creates the database.
    public static func ifPulled(stateDir: String) throws(CredsyncError) -> EnterpriseStore? {
        guard FileSystem.exists(StatePaths(stateDir: stateDir).database) else { return nil }
        return try EnterpriseStore(stateDir: stateDir).ifPulled()
    }

    /// This store when something was ever pulled into it, else nil.
    public func ifPulled() throws(CredsyncError) -> EnterpriseStore? {
        try state.hasEnterpriseData() ? self : nil
    }

    /// The enterprise with this USCC, if the store holds it.
    public func enterprise(_ code: String) throws(CredsyncError) -> StoredEnterprise? {
        guard let row = try state.enterprise(uscc: code) else { return nil }
        let masked: JSONValue = ["uscc": .string(PersonalData.mask(code))]
        guard let record = row.record else {
            return StoredEnterprise(enterprise: masked, seq: row.seq, fetchedAt: row.fetchedAt, notFound: true)
        }
        guard let enterprise = try? JSONParser.parse(record), enterprise.objectValue != nil else {
            throw CredsyncError(
                .ioError, "\(state.path): table enterprise, uscc \(PersonalData.mask(code)): the record is not JSON",
                hint: Self.recovery)
        }
        return StoredEnterprise(enterprise: enterprise, seq: row.seq, fetchedAt: row.fetchedAt, notFound: false)
    }

    /// What the cross-checks compare, without parsing the record in Swift: one look-up by key.
    public func summary(_ code: String) throws(CredsyncError) -> EnterpriseSummary? {
        try state.enterpriseSubject(uscc: code).map {
            EnterpriseSummary(
                name: $0.name, status: $0.status, updatedAt: $0.updatedAt, notFound: $0.isNotFound,
                hasListEntries: $0.hasListEntries, seq: $0.seq, fetchedAt: $0.fetchedAt)
        }
    }

    /// How many enterprises (and codes unknown to gsxt) the store holds.
    public func count() throws(CredsyncError) -> Int { try state.enterpriseCount() }

    /// A USCC's serious-illegal list entries, in seq order.
    public func listEntries(_ code: String) throws(CredsyncError) -> [JSONValue] {
        var entries: [JSONValue] = []
        for text in try state.seriousIllegalEntries(uscc: code) {
            guard let entry = try? JSONParser.parse(text), entry.objectValue != nil else {
                let table = "\(state.path): table serious_illegal"
                throw CredsyncError(
                    .ioError, "\(table), uscc \(PersonalData.mask(code)): an entry is not JSON", hint: Self.recovery)
            }
            entries.append(entry)
        }
        return entries
    }

    /// Each feed's cursor (`enterprises`, `list`).
    public func cursors() throws(CredsyncError) -> [String: String] { try state.cursors() }

    /// When a feed was last pulled, nil before the first pull.
    public func pulledAt() throws(CredsyncError) -> Double? { try state.lastPulledAt() }

    static let recovery =
        "run 'credsync pull --full': it reads the feeds again from the start and replaces what they cover"

    /// Stores a feed page's enterprises and moves the feed's cursor past them, in one transaction:
    /// the cursor never gets ahead of what it covers, so a crash re-reads at most this page.
    public func storePage(
        enterprises items: [(seq: Int?, enterprise: JSONValue)], feed: String, cursor: String?,
        now: Double = Timestamp.now()
    ) throws(CredsyncError) {
        try state.transaction { () throws(CredsyncError) in
            try append(enterprises: items, now: now)
            try moveCursor(feed: feed, to: cursor, now: now)
        }
    }

    /// Stores a list feed page's entries (each with its `uscc` and `seq`) and moves the feed's
    /// cursor, in one transaction.
    public func storePage(listItems items: [JSONValue], feed: String, cursor: String?, now: Double = Timestamp.now())
        throws(CredsyncError)
    {
        try state.transaction { () throws(CredsyncError) in
            for item in items {
                guard let code = item["uscc"]?.stringValue else { continue }
                try state.addSeriousIllegalEntry(
                    uscc: code, seq: item["seq"]?.intValue ?? 0, entry: JSONWriter.compact(item))
            }
            try moveCursor(feed: feed, to: cursor, now: now)
        }
    }

    /// A feed without a next cursor is read from the start next time.
    private func moveCursor(feed: String, to cursor: String?, now: Double) throws(CredsyncError) {
        guard let cursor else { return try state.removeCursor(feed: feed) }
        try state.setCursor(feed: feed, cursor: cursor, pulledAt: now)
    }

    /// Stores enterprises (a query's answer, or a feed's page) and codes gsxt does not know, in one
    /// transaction. The highest seq of a code wins; a not-found answer never replaces a record.
    public func append(
        enterprises items: [(seq: Int?, enterprise: JSONValue)], notFound: [String] = [], now: Double = Timestamp.now()
    ) throws(CredsyncError) {
        try state.transaction { () throws(CredsyncError) in
            for item in items {
                guard let code = item.enterprise["uscc"]?.stringValue, !code.isEmpty else { continue }
                let record = JSONWriter.compact(item.enterprise)
                try state.upsertEnterprise(EnterpriseRow(uscc: code, record: record, seq: item.seq, fetchedAt: now))
            }
            for code in notFound where !code.isEmpty {
                try state.upsertEnterprise(EnterpriseRow(uscc: code, record: nil, seq: nil, fetchedAt: now))
            }
        }
    }

    /// Whether the enterprise is on SAMR's serious-illegal list on `date` (listed on or before it,
    /// not removed by then).
    public func isListed(_ code: String, on date: LocalDate) throws(CredsyncError) -> JSONValue? {
        var current: JSONValue?
        for entry in try listEntries(code) {
            guard let day = entry["date"]?.stringValue.flatMap(LocalDate.init(iso:)), day <= date else { continue }
            current = entry["action"]?.stringValue == "listed" ? entry : nil
        }
        return current
    }
}
