public import CredsyncCore

/// One change the plan makes on a platform.
public struct Change: Sendable {
    public var key: String
    public var op: RecordOperation
    /// Why: `new`, `changed`, `republished`, or the withdrawal reason (`expired`, `repaired`, `revoked`, `corrected`).
    public var reason: ChangeReason
    /// For upserts: the payload's canonical JSON (RFC 8785), as sent.
    public var payloadJSON: [UInt8]?
    public var hash: String?
    /// What the ledger held before.
    public var previousHash: String?
    /// Where the record stands in the export, when it does.
    public var line: Int?
    /// The change's deadline, or why it is unknown (a year missing from the calendar).
    public var deadline: Deadline?
    public var unknownDeadline: UnknownDeadline?

    public init(
        key: String, op: RecordOperation, reason: ChangeReason, payload: JSONObject? = nil, hash: String? = nil,
        previousHash: String? = nil, line: Int? = nil
    ) {
        self.key = key
        self.op = op
        self.reason = reason
        self.payloadJSON = payload.map { JSONWriter.canonicalBytes(.object($0)) }
        self.hash = hash
        self.previousHash = previousHash
        self.line = line
    }

    /// For upserts: the payload, read from its canonical JSON.
    public var payload: JSONObject? {
        get {
            // Bytes this process wrote as canonical JSON: they parse.
            guard let payloadJSON, case .object(let object)? = try? JSONParser.parse(payloadJSON) else { return nil }
            return object
        }
        set { payloadJSON = newValue.map { JSONWriter.canonicalBytes(.object($0)) } }
    }

    /// The withdraw reason the platform takes (`expired`, `repaired`, `revoked` or `corrected`).
    public var withdrawalReason: WithdrawalReason { reason.withdrawalReason }
}

/// A publication or withdrawal that has a deadline and has not happened yet.
public struct Deadline: Sendable, Equatable {
    public enum Kind: String, Sendable { case publication, withdrawal }
    public var key: String
    public var kind: Kind
    /// The last day it may happen.
    public var due: LocalDate
}

/// A deadline that could not be worked out: its year is missing from the working-day calendar.
public struct UnknownDeadline: Sendable, Equatable {
    public var key: String
    public var kind: Deadline.Kind
    /// What is missing, naming the year and the calendar file.
    public var problem: String
    /// The year the calendar lacks.
    public var missingYear: Int
}

/// The plan for one platform and dataset.
public struct DatasetPlan: Sendable {
    public var platform: PlatformID
    public var dataset: Dataset
    public var changes = ChangeList()
    public var unchanged = 0
    /// Records not published yet (their publication date is after the as-of date).
    public var notYet = 0
    /// Records never published on this platform (excluded by the mapping) or already withdrawn.
    public var notPublished = 0
    /// Published keys whose row is now set aside: kept as they are until the row is fixed.
    public var keptSetAside: [String] = []
    /// Published keys the export lacks, kept (and in `keptSetAside`) because the export was not
    /// read whole: their `corrected` withdrawals wait for the export to be fixed, or for approval.
    public var heldWithdrawals: [String] = []
    public var warnings: [String] = []
    /// Publications accepted on a receipts platform, unchanged in the export, still waiting for
    /// their receipt (exchange-api.md 1.1): not made yet, so their deadlines still run.
    public var awaitingReceipt: [Deadline] = []
    /// The changes' deadlines, in plan order, then those of the publications awaiting a receipt.
    public var deadlines: [Deadline] { changes.compactMap(\.deadline) + awaitingReceipt }
    /// Changes whose deadline falls in a year the calendar does not cover.
    public var unknownDeadlines: [UnknownDeadline] { changes.compactMap(\.unknownDeadline) }
    /// Published keys in the ledger before this plan.
    public var publishedBefore = 0

    public init(platform: PlatformID, dataset: Dataset) {
        self.platform = platform
        self.dataset = dataset
    }

    public func count(_ op: RecordOperation) -> Int { changes.count(op) }
}
