/// When a platform's accepted record is public (exchange-api.md 1.1, "Receipts"): at the answer
/// (`synchronous`, version 1.0's meaning), or at its receipt (`receipts`: accepted is pending).
public enum Publication: String, Sendable, CaseIterable, Hashable {
    case synchronous
    case receipts
}

/// A receipts platform's settings: how long a record may stay pending before it is a warning.
public struct ReceiptSettings: Sendable, Equatable {
    /// `receiptWarningDays`: working days a version may wait for its receipt before the run warns
    /// (with its batch id and request id, for the platform's helpdesk). Default 3.
    public var warningWorkingDays = 3

    public init(warningWorkingDays: Int = 3) { self.warningWorkingDays = warningWorkingDays }
}
