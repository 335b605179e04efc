/// Waits measured in seconds that come from outside (Retry-After, backoff, rate limits): turned
/// into nanoseconds without trapping, whatever the value.
public enum Sleep {
    /// The longest single wait: a day. Longer waits are a caller's bug or a platform's nonsense.
    public static let longest = 86400.0

    /// `seconds` as nanoseconds, clamped to 0…`longest`; NaN and negatives are 0.
    public static func nanoseconds(_ seconds: Double) -> UInt64 {
        guard !seconds.isNaN, seconds > 0 else { return 0 }
        return UInt64(min(seconds, longest) * 1e9)
    }

    /// Sleeps `seconds` (clamped as `nanoseconds(_:)` says); returns early when cancelled.
    public static func seconds(_ seconds: Double) async {
        let nanoseconds = nanoseconds(seconds)
        guard nanoseconds > 0 else { return }
        try? await Task.sleep(nanoseconds: nanoseconds)
    }
}
