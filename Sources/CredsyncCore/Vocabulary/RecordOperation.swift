/// What a change does to a record on a platform: the one operation of the plan, the batches and
/// the retry queue.
///
/// The plan knows whether an upsert creates or updates; the wire and the queue do not say it
/// (exchange-api.md has `upsert`, the queue's `op` column stores it, a receipt reports it):
/// they carry `Kind`, the operation as the platform sees it. Raw values are today's bytes.
public enum RecordOperation: String, Sendable, CaseIterable, Hashable, Codable {
    case create, update, withdraw

    /// The operation as a batch, a receipt and the queue name it: `upsert` or `withdraw`.
    public enum Kind: String, Sendable, CaseIterable, Hashable, Codable {
        case upsert, withdraw
    }

    public var kind: Kind { self == .withdraw ? .withdraw : .upsert }
}
