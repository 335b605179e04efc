public import CredsyncCore
public import CredsyncState
import Synchronization

/// The retry queues of one state directory, in the state store's `queue` and `queue_error`
/// tables: one row an entry (its state a column, its payload as JSON), its failed attempts beside.
///
/// Each method is one change to the store, committed when it returns, or part of the caller's
/// transaction when there is one (`StateStore.transaction` nests): a batch's answer changes the
/// ledger and the queue together. Moving between states is one UPDATE, so an entry is in exactly
/// one state at every instant; there are no files to tear. A row the store holds but this credsync
/// cannot read back (edited by hand) is listed as `corrupt` by id, never sent, and can be dropped.
public struct Spool: Sendable {
    package let store: StateStore
    /// Seals the personal values of every payload written, opens them when one is read back.
    let seal: PersonalSeal

    package init(store: StateStore, seal: PersonalSeal) {
        self.store = store
        self.seal = seal
    }

    /// The queue of `stateDir`'s store, or nil when there is no store yet (so no queue): for
    /// readers, which must not create the store.
    public static func existing(stateDir: String, seal: PersonalSeal) throws(CredsyncError) -> Spool? {
        guard FileSystem.exists(StatePaths(stateDir: stateDir).database) else { return nil }
        return Spool(store: try StateStore(stateDir: stateDir), seal: seal)
    }

    /// What a payload's sealed values are bound to: the record it is the payload of.
    static func context(_ platform: PlatformID, _ dataset: Dataset, _ key: String) -> String {
        "queue.payload \(platform.rawValue) \(dataset.rawValue) \(key)"
    }

    /// `payload` as the store keeps it for `entry`: its personal values sealed, compact JSON.
    func stored(_ payload: JSONObject, of entry: SpoolEntry) throws(CredsyncError) -> String {
        Self.json(try seal.seal(payload, context: Self.context(entry.platform, entry.dataset, entry.key)))
    }

    /// A new entry id: sortable by time, unique.
    public static func newID(now: Double = Timestamp.now()) -> String {
        newIDs(1, now: now)[0]
    }

    /// `count` new entry ids of one instant (`20261202T144808-1f3a9c07`). The suffix is this
    /// process's count of ids, offset by a random start and scrambled one to one: ids never collide
    /// within a run (independent random suffixes would, at a few thousand a second) and still differ
    /// early, so an operator's short prefix names one entry.
    public static func newIDs(_ count: Int, now: Double = Timestamp.now()) -> [String] {
        // 2026-12-02T14:48:08Z without its '-', ':' and 'Z'.
        let stamp = String(
            decoding: Timestamp.rfc3339(now).utf8.filter { $0 != 0x2D && $0 != 0x3A && $0 != 0x5A }, as: UTF8.self)
        let count = max(0, count)
        let first = issued.wrappingAdd(UInt32(truncatingIfNeeded: count), ordering: .relaxed).oldValue
        return (0..<count).map { offset in
            let hex = String(scrambled(idStart &+ first &+ UInt32(truncatingIfNeeded: offset)), radix: 16)
            return stamp + "-" + String(repeating: "0", count: 8 - hex.utf8.count) + hex
        }
    }

    private static let issued = Atomic<UInt32>(0)
    private static let idStart = SecureRandom.bytes(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }

    /// A bijection of 32-bit values that spreads neighbours apart (xor-shifts and odd multipliers,
    /// each invertible).
    static func scrambled(_ value: UInt32) -> UInt32 {
        var x = value
        x ^= x >> 16
        x &*= 0x7feb_352d
        x ^= x >> 15
        x &*= 0x846c_a68b
        x ^= x >> 16
        return x
    }

    /// Runs `body` in one transaction of the store: its changes are committed together, or none.
    public func transaction<T>(_ body: () throws(CredsyncError) -> T) throws(CredsyncError) -> T {
        try store.transaction(body)
    }

    /// Writes `entry` into `state`, replacing an entry with the same id (in any state). A payload
    /// or error history read from the store and left unchanged is not rewritten.
    public func write(_ entry: SpoolEntry, to state: SpoolState) throws(CredsyncError) {
        let target = try Self.stored(state)
        var payload = QueuePart<String?>.kept
        if case .parsed(let object) = entry.payloadStorage {
            payload = .replaced(try object.map { object throws(CredsyncError) in try stored(object, of: entry) })
        }
        if case .stored(let kept) = entry.payloadStorage, kept.id != entry.id || kept.store !== store {
            let object = try kept.payload()
            payload = .replaced(try object.map { object throws(CredsyncError) in try stored(object, of: entry) })
        }
        var errors = QueuePart<[QueueFailure]>.kept
        if case .loaded(let list) = entry.errorStorage { errors = .replaced(list.map(\.failure)) }
        if case .stored(let stored, _) = entry.errorStorage, stored.id != entry.id || stored.store !== store {
            errors = .replaced(entry.errors.map(\.failure))
        }
        try Self.queueing { () throws(CredsyncError) in
            try store.saveQueueEntry(entry.row(target), payload: payload, errors: errors)
        }
    }

    /// Adds entries with new ids (from `newIDs`), no payload and no error history, in one pass of
    /// one prepared statement: the marks of a batch's creates.
    public func insertNew(_ entries: [SpoolEntry], into state: SpoolState) throws(CredsyncError) {
        let target = try Self.stored(state)
        try Self.queueing { () throws(CredsyncError) in
            try store.insertQueueRows(entries.map { $0.row(target) })
        }
    }

    /// Moves an entry between states; its next attempt becomes `entry.nextAttempt`.
    public func move(_ entry: SpoolEntry, from: SpoolState, to: SpoolState) throws(CredsyncError) {
        let source = try Self.stored(from)
        let target = try Self.stored(to)
        let moved = try Self.queueing { () throws(CredsyncError) in
            try store.moveQueueEntry(id: entry.id, from: source, to: target, nextAttempt: entry.nextAttempt)
        }
        guard moved else {
            throw CredsyncError(
                .ioError, "\(store.path): queue entry \(entry.id) is not \(from.rawValue) any more",
                hint: "list the queue again ('credsync queue list') and act on what it shows")
        }
    }

    /// Deletes an entry and its error history if it is in `state` (after `write` put it in
    /// another, it stays). An entry already gone is not an error.
    public func remove(_ entry: SpoolEntry, from state: SpoolState) throws(CredsyncError) {
        let source = try Self.stored(state)
        try Self.queueing { () throws(CredsyncError) in
            _ = try store.removeQueueEntry(id: entry.id, from: source)
        }
    }

    /// Deletes a row that cannot be read back.
    public func remove(_ row: Unreadable) throws(CredsyncError) {
        try Self.queueing { () throws(CredsyncError) in _ = try store.removeQueueEntry(id: row.id) }
    }

    /// An entry with the state it is in.
    public struct Located: Sendable {
        public var entry: SpoolEntry
        public var state: SpoolState

        public init(entry: SpoolEntry, state: SpoolState) {
            self.entry = entry
            self.state = state
        }
    }

    /// A queue row that cannot be read back: never sent, only shown and dropped.
    public struct Unreadable: Sendable, Equatable {
        /// nil when its platform is what cannot be read.
        public var platform: PlatformID?
        public var id: String
        /// What is wrong with it, naming the column and its value.
        public var problem: String
        /// What can still be told of it (dataset, key, op, reason). Never the payload.
        public var fields: [(String, String)] { row.fields.map { ($0.name, $0.value) } }
        let row: UnreadableQueueRow
    }

    /// What a listing selects; nil matches everything. Filtered in SQL.
    public struct Selection: Sendable {
        public var platforms: [PlatformID]
        public var dataset: Dataset?
        /// A state of the store (`corrupt` selects nothing of this: pass nil and keep the unreadable).
        public var state: SpoolState?
        /// Only entries first queued before this (Unix seconds).
        public var firstQueuedBefore: Double?

        public init(
            platforms: [PlatformID] = PlatformID.allCases, dataset: Dataset? = nil, state: SpoolState? = nil,
            firstQueuedBefore: Double? = nil
        ) {
            self.platforms = platforms
            self.dataset = dataset
            self.state = state
            self.firstQueuedBefore = firstQueuedBefore
        }
    }

    /// Every entry of `platforms` in id order (ids sort by time), and the rows that cannot be
    /// read back. Payloads and error histories stay in the store until an entry's are asked for.
    public func entries(
        platforms: [PlatformID] = PlatformID.allCases
    ) throws(CredsyncError) -> (entries: [Located], corrupted: [Unreadable]) {
        try entries(Selection(platforms: platforms))
    }

    /// The entries and unreadable rows `selection` selects, in id order.
    public func entries(_ selection: Selection) throws(CredsyncError) -> (entries: [Located], corrupted: [Unreadable]) {
        guard !selection.platforms.isEmpty else { return ([], []) }
        let platforms = Set(selection.platforms)
        // Unreadable rows are in no state of the store: `corrupt` reads every row and keeps those.
        let onlyCorrupt = selection.state == .corrupt
        let query = QueueSelection(
            platform: platforms.count == 1 ? selection.platforms.first : nil, dataset: selection.dataset,
            state: selection.state?.queueState, firstQueuedBefore: selection.firstQueuedBefore)
        var found: [Located] = []
        var corrupted: [Unreadable] = []
        let store = self.store
        try Self.queueing { () throws(CredsyncError) in
            try store.forEachQueueReading(query) { reading in
                switch reading {
                case .entry(let row) where platforms.contains(row.platform) && !onlyCorrupt:
                    let entry = SpoolEntry(row, store: store, seal: seal)
                    found.append(Located(entry: entry, state: SpoolState(row.state)))
                case .entry: break
                case .unreadable(let row):
                    guard row.platform.map(platforms.contains) ?? true else { return }
                    corrupted.append(Unreadable(platform: row.platform, id: row.id, problem: row.problem, row: row))
                }
            }
        }
        return (found, corrupted)
    }

    /// An entry's payload read from the store, throwing when it does not parse.
    public func payload(of entry: SpoolEntry) throws(CredsyncError) -> JSONObject? {
        switch entry.payloadStorage {
        case .parsed(let payload): payload
        case .stored(let stored): try stored.payload()
        }
    }

    static func json(_ payload: JSONObject) -> String { JSONWriter.compact(.object(payload)) }

    static func stored(_ state: SpoolState) throws(CredsyncError) -> QueueState {
        guard let state = state.queueState else {
            throw CredsyncError(.ioError, "queue: no entry is written as corrupt; drop it instead")
        }
        return state
    }

    /// Runs a use of the queue's tables, its errors prefixed with `queue:` (the store's hint kept:
    /// on a full disk the change was rolled back and the queue is intact).
    static func queueing<T>(_ body: () throws(CredsyncError) -> T) throws(CredsyncError) -> T {
        do {
            return try body()
        } catch {
            throw CredsyncError(error.exitCode, "queue: " + error.message, hint: error.hint)
        }
    }
}
