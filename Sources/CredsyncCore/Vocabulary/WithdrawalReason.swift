/// Why a record is withdrawn, as a platform takes it (exchange-api.md, "Pushing records").
public enum WithdrawalReason: String, Sendable, CaseIterable, Hashable, Codable {
    /// Its publicity period ended.
    case expired
    /// The subject repaired its credit (信用修复).
    case repaired
    /// The decision was revoked.
    case revoked
    /// Published in error, or no longer in the export.
    case corrected
}
