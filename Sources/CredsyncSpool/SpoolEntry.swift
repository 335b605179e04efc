public import CredsyncCore
public import CredsyncState

/// The states an entry can be in, as operators name them: the store's three, and `corrupt` for a
/// row that cannot be read back (never written as a state).
public enum SpoolState: String, Sendable, CaseIterable, Comparable {
    case deferred, hold, dead, corrupt

    public static func < (lhs: SpoolState, rhs: SpoolState) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }

    /// The store's state; nil for `corrupt`.
    public var queueState: QueueState? {
        switch self {
        case .deferred: .deferred
        case .hold: .hold
        case .dead: .dead
        case .corrupt: nil
        }
    }

    public init(_ state: QueueState) {
        switch state {
        case .deferred: self = .deferred
        case .hold: self = .hold
        case .dead: self = .dead
        }
    }
}

/// One failed attempt, as kept in an entry's history. Never holds a secret.
public struct SpoolError: Sendable, Equatable {
    /// Unix seconds.
    public var at: Double
    public var errorClass: FailureClass
    public var status: Int?
    public var code: String?
    public var message: String

    public init(at: Double, errorClass: FailureClass, status: Int?, code: String?, message: String) {
        self.at = at
        self.errorClass = errorClass
        self.status = status
        self.code = code
        self.message = message
    }
}

/// A change waiting to reach a platform.
///
/// Read from the store, the payload and the error history stay there until something asks for
/// them, so listing a large queue reads neither (the latest error comes with the row).
public struct SpoolEntry: Sendable, Equatable {
    public var id: String
    public var platform: PlatformID
    public var dataset: Dataset
    public var key: String
    public var op: RecordOperation.Kind
    /// Why it was planned: `new`, `changed`, `expired`, …
    public var reason: ChangeReason
    /// The payload (nil for a withdrawal). Read from the store on first use; one that cannot be
    /// parsed reads as nil (`Spool.payload(of:)` says why).
    public var payload: JSONObject? {
        get {
            switch payloadStorage {
            case .parsed(let payload): payload
            case .stored(let stored): (try? stored.payload()) ?? nil
            }
        }
        set { payloadStorage = .parsed(newValue) }
    }
    var payloadStorage: PayloadStorage
    public var hash: String?
    /// The batch it last went in.
    public var batchID: String?
    public var attempts: Int
    /// Unix seconds.
    public var firstAttempt: Double
    public var lastAttempt: Double
    public var nextAttempt: Double
    /// Every failed attempt, oldest first. Read from the store on first use.
    public var errors: [SpoolError] {
        get {
            switch errorStorage {
            case .loaded(let errors): errors
            case .stored(let stored, let last): stored.errors() ?? last.map { [$0] } ?? []
            }
        }
        set { errorStorage = .loaded(newValue) }
    }
    var errorStorage: ErrorStorage

    public init(
        id: String, platform: PlatformID, dataset: Dataset, key: String, op: RecordOperation.Kind, reason: ChangeReason,
        payload: JSONObject?, hash: String?, batchID: String?, attempts: Int, firstAttempt: Double,
        lastAttempt: Double, nextAttempt: Double, errors: [SpoolError]
    ) {
        self.id = id
        self.platform = platform
        self.dataset = dataset
        self.key = key
        self.op = op
        self.reason = reason
        self.payloadStorage = .parsed(payload)
        self.hash = hash
        self.batchID = batchID
        self.attempts = attempts
        self.firstAttempt = firstAttempt
        self.lastAttempt = lastAttempt
        self.nextAttempt = nextAttempt
        self.errorStorage = .loaded(errors)
    }

    /// The latest failure, without reading the whole history.
    public var lastError: SpoolError? {
        switch errorStorage {
        case .loaded(let errors): errors.last
        case .stored(_, let last): last
        }
    }

    /// Where an entry read from the store came from: its id in one store.
    struct Stored: Sendable {
        let store: StateStore
        let id: String
        let seal: PersonalSeal
        /// What its sealed values are bound to (`Spool.context`).
        let context: String

        /// The payload with its sealed values opened (exit 78 under a wrong or missing key).
        func payload() throws(CredsyncError) -> JSONObject? {
            guard let text = try store.queuePayload(id: id) else { return nil }
            guard let object = (try? JSONParser.parse(text))?.objectValue else {
                throw CredsyncError(
                    .ioError, "\(store.path): queue entry \(id): its payload is not a JSON object",
                    hint: "drop it ('credsync queue drop \(id)'); the next sync plans the change again")
            }
            do throws(CredsyncError) { return try seal.open(object, context: context) } catch {
                throw CredsyncError(
                    error.exitCode, "\(store.path): queue entry \(id): " + error.message, hint: error.hint)
            }
        }

        func errors() -> [SpoolError]? {
            (try? store.queueErrors(id: id))?.map(SpoolError.init)
        }

        func isSame(as other: Stored) -> Bool { store === other.store && id == other.id }
    }

    /// How the payload is held: built, or left in the store.
    enum PayloadStorage: Sendable {
        case parsed(JSONObject?)
        case stored(Stored)
    }

    /// How the error history is held: built, or left in the store with the latest error read.
    enum ErrorStorage: Sendable {
        case loaded([SpoolError])
        case stored(Stored, last: SpoolError?)
    }

    public static func == (a: SpoolEntry, b: SpoolEntry) -> Bool {
        guard
            a.id == b.id && a.platform == b.platform && a.dataset == b.dataset && a.key == b.key && a.op == b.op
                && a.reason == b.reason && a.hash == b.hash && a.batchID == b.batchID && a.attempts == b.attempts
                && a.firstAttempt == b.firstAttempt && a.lastAttempt == b.lastAttempt
                && a.nextAttempt == b.nextAttempt
        else { return false }
        // What both left in the same place in the store is the same, unread.
        switch (a.errorStorage, b.errorStorage) {
        case (.stored(let x, _), .stored(let y, _)) where x.isSame(as: y): break
        default: if a.errors != b.errors { return false }
        }
        switch (a.payloadStorage, b.payloadStorage) {
        case (.stored(let x), .stored(let y)) where x.isSame(as: y): return true
        default: return a.payload == b.payload
        }
    }

    /// The entry of a row read from `store`, its payload and history left there.
    init(_ row: QueueRow, store: StateStore, seal: PersonalSeal) {
        let stored = Stored(
            store: store, id: row.id, seal: seal, context: Spool.context(row.platform, row.dataset, row.key))
        self.init(
            id: row.id, platform: row.platform, dataset: row.dataset, key: row.key, op: row.op,
            reason: ChangeReason(rawValue: row.reason),
            payload: nil, hash: row.hash, batchID: row.batch, attempts: row.attempts, firstAttempt: row.firstAttempt,
            lastAttempt: row.lastAttempt, nextAttempt: row.nextAttempt, errors: [])
        payloadStorage = .stored(stored)
        errorStorage = .stored(stored, last: row.lastError.map(SpoolError.init))
    }

    /// The store's row for this entry in `state`.
    func row(_ state: QueueState) -> QueueRow {
        QueueRow(
            id: id, platform: platform, dataset: dataset, key: key, op: op, reason: reason.rawValue, state: state,
            hash: hash,
            batch: batchID, attempts: attempts, firstAttempt: firstAttempt, lastAttempt: lastAttempt,
            nextAttempt: nextAttempt)
    }
}

extension SpoolError {
    init(_ failure: QueueFailure) {
        self.init(
            at: failure.at, errorClass: failure.failureClass, status: failure.status, code: failure.code,
            message: failure.message)
    }

    var failure: QueueFailure {
        QueueFailure(at: at, failureClass: errorClass, status: status, code: code, message: message)
    }
}
