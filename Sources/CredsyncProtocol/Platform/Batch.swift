public import CredsyncCore

/// A batch as sent: its id and its exact body, kept so a retry sends the same bytes under the
/// same batchId (the platform then answers from its store instead of applying twice).
public struct Batch: Sendable {
    public let id: String
    public let dataset: Dataset
    public let records: [OutgoingRecord]
    public let body: [UInt8]

    public init(id: String = SecureRandom.uuid(), dataset: Dataset, source: String, records: [OutgoingRecord]) {
        self.id = id
        self.dataset = dataset
        self.records = records
        self.body = Self.body(id: id, source: source, records: records)
    }

    /// The platform's limits: 500 records and 4 MiB per batch.
    public static let maxRecords = 500
    public static let maxBytes = 4 << 20

    /// `records` cut into batches of at most `maxRecords` records and `maxBytes` bytes, in order.
    public static func split(
        _ records: [OutgoingRecord], dataset: Dataset, source: String, maxRecords: Int = Batch.maxRecords,
        maxBytes: Int = Batch.maxBytes
    ) -> [Batch] {
        var batches: [Batch] = []
        var current: [OutgoingRecord] = []
        var size = 128
        for record in records {
            let recordSize = record.compactCount + 1
            if !current.isEmpty && (current.count >= min(maxRecords, Batch.maxRecords) || size + recordSize > maxBytes)
            {
                batches.append(Batch(dataset: dataset, source: source, records: current))
                current = []
                size = 128
            }
            current.append(record)
            size += recordSize
        }
        if !current.isEmpty { batches.append(Batch(dataset: dataset, source: source, records: current)) }
        return batches
    }
}

/// What a push of one batch came to, record by record in request order.
public struct BatchResult: Sendable {
    public var outcomes: [(key: String, outcome: RecordOutcome)]
    /// The batch ids actually sent (more than one when a 413 split it), and the platform's request ids.
    public var batchIDs: [String]
    public var requestIDs: [String]
    /// HTTP requests made, retries included.
    public var requests: Int
    /// 429 answers met.
    public var rateLimited: Int
    /// The platform refused the credentials or the permission (401, 403), if it did.
    public var authenticationFailure: ExchangeFailure?
    /// Keys accepted but not yet public: their receipt will say published or failed (1.1).
    public var pendingReceipts: Set<String> = []

    public init() {
        outcomes = []
        batchIDs = []
        requestIDs = []
        requests = 0
        rateLimited = 0
    }

    package mutating func merge(_ other: BatchResult) {
        outcomes += other.outcomes
        batchIDs += other.batchIDs
        requestIDs += other.requestIDs
        requests += other.requests
        rateLimited += other.rateLimited
        authenticationFailure = authenticationFailure ?? other.authenticationFailure
        pendingReceipts.formUnion(other.pendingReceipts)
    }
}
