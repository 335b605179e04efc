/// Whether a failed request may pass by itself: what to do next with the records it carried.
/// Raw values are stored (`queue_error.class`) and shown.
public enum FailureClass: String, Sendable, CaseIterable, Hashable {
    /// May pass: retry with backoff (5xx, network trouble, 429 beyond patience).
    case transient
    /// An operator must act (400, 401, 403, 404, 409, a certificate problem).
    case permanent
}
