/// The kinds of bad row a generated export holds (about 2% of its rows, each kind as often as the
/// others): every kind local-catalogs.md names, and the rows a reader cannot read.
public enum LicenseDefect: String, CaseIterable, Sendable {
    /// A required value left empty: 相对人名称, 许可事项, 决定日期, 许可机关, its code, 许可类别 or 状态.
    case missingRequiredValue = "missing-required-value"
    /// A 统一社会信用代码 (the licensee's or the authority's) with a wrong check character.
    case badUSCCCheckCharacter = "bad-uscc-check-character"
    /// A person's 身份证号 with a wrong check character.
    case badIDCardCheckCharacter = "bad-id-card-check-character"
    /// 有效期止 before 有效期起.
    case endBeforeStart = "end-before-start"
    /// A value no code table knows: 许可类别, 状态, 相对人类型 or 证件类型.
    case unknownCode = "unknown-code"
    /// The key of an earlier row used again (both rows are set aside).
    case duplicateKey = "duplicate-key"
    /// A date that is not one: 2026年13月5日, 2025-02-30, …
    case unreadableDate = "unreadable-date"
    /// A decision dated after the as-of date.
    case decidedInFuture = "decided-in-future"
    /// A 个体工商户 with neither a code nor a 工商注册号.
    case soleTraderWithoutCode = "sole-trader-without-code"
    /// A person without a 证件号码.
    case personWithoutIDNumber = "person-without-id-number"
    /// A row with fewer or more fields than the header (unreadable).
    case wrongFieldCount = "wrong-field-count"
    /// A quote inside a field, text after a closing quote (unreadable).
    case brokenQuoting = "broken-quoting"
    /// Bytes that are not GB18030 in a field (unreadable, or set aside with its key).
    case invalidBytes = "invalid-bytes"

    /// Whether a reader gives up the row (rather than the mapping setting it aside).
    public var isUnreadable: Bool { self == .wrongFieldCount || self == .brokenQuoting || self == .invalidBytes }
}
