public import CredsyncCore
public import CredsyncSpool

/// The queues as a listing found them, for the metrics: entries per platform and state (corrupt:
/// rows that cannot be read back, under their platform) and when the oldest entry of
/// each platform and state was first queued.
public struct QueueCensus: Sendable, Equatable {
    public var counts: [PlatformID: [SpoolState: Int]] = [:]
    /// Unix seconds of the oldest entry's first attempt; absent for an empty queue.
    public var oldest: [PlatformID: [SpoolState: Double]] = [:]

    public init() {}

    public init(_ entries: [Spool.Located], corrupt: [Spool.Unreadable]) {
        for located in entries {
            let platform = located.entry.platform
            counts[platform, default: [:]][located.state, default: 0] += 1
            let first = located.entry.firstAttempt
            if let current = oldest[platform]?[located.state], current <= first { continue }
            oldest[platform, default: [:]][located.state] = first
        }
        // A row whose platform cannot be read counts under no platform: `queue list` shows it.
        for file in corrupt {
            guard let platform = file.platform else { continue }
            counts[platform, default: [:]][.corrupt, default: 0] += 1
        }
    }

    /// The entries of `platform` in `state`.
    public func count(_ platform: PlatformID, _ state: SpoolState) -> Int { counts[platform]?[state] ?? 0 }
}
