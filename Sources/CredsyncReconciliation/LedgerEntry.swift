/// What credsync knows a platform holds for one key.
public struct LedgerEntry: Sendable, Equatable {
    /// The SHA-256 of the canonical payload last accepted.
    public var hash: String
    public var isPublished: Bool
    /// The platform's version of the record.
    public var version: Int
    /// Unix seconds of the change.
    public var updatedAt: Int
    /// The batch that made the change (empty when set by `reconcile --repair`).
    public var batchID: String

    public init(hash: String, isPublished: Bool, version: Int, updatedAt: Int, batchID: String) {
        self.hash = hash
        self.isPublished = isPublished
        self.version = version
        self.updatedAt = updatedAt
        self.batchID = batchID
    }
}
