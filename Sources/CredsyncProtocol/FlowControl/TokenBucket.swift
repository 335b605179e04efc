public import CredsyncCore
import Synchronization

/// A token bucket per platform: `rate` requests per second on average, bursts up to `burst`.
/// A 429 pauses everyone for the platform's Retry-After.
public final class TokenBucket: Sendable {
    private struct State {
        var tokens: Double
        var updated: Double
        var pausedUntil: Double
    }

    public let rate: Double
    public let burst: Double
    private let state: Mutex<State>

    public init(rate: Double, burst: Int) {
        // A rate of 0, negative or NaN would divide waits into infinity: one request a minute instead.
        self.rate = rate.isFinite && rate > 0 ? rate : 1.0 / 60
        self.burst = Double(max(1, burst))
        state = Mutex(State(tokens: Double(max(1, burst)), updated: Timestamp.monotonic(), pausedUntil: 0))
    }

    /// Takes a token; returns how many seconds the caller must wait before using it.
    public func reserve(now: Double = Timestamp.monotonic()) -> Double {
        state.withLock { state in
            let elapsed = max(0, now - state.updated)
            state.tokens = min(burst, state.tokens + elapsed * rate)
            state.updated = now
            state.tokens -= 1
            let wait = state.tokens >= 0 ? 0 : -state.tokens / rate
            return max(wait, state.pausedUntil - now)
        }
    }

    /// Takes a token if one is there now; else takes nothing and returns the seconds until one is.
    public func tryTake(now: Double = Timestamp.monotonic()) -> Double? {
        state.withLock { state in
            let elapsed = max(0, now - state.updated)
            state.tokens = min(burst, state.tokens + elapsed * rate)
            state.updated = now
            guard state.tokens >= 1 else { return (1 - state.tokens) / rate }
            state.tokens -= 1
            return nil
        }
    }

    /// Holds every request back for `seconds` (a 429's Retry-After), at most `Sleep.longest`.
    public func pause(for seconds: Double, now: Double = Timestamp.monotonic()) {
        guard seconds.isFinite, seconds > 0 else { return }
        let seconds = min(seconds, Sleep.longest)
        state.withLock { state in
            state.pausedUntil = max(state.pausedUntil, now + seconds)
            state.tokens = min(state.tokens, 0)
        }
    }

    /// Waits for a token.
    public func acquire() async {
        let wait = reserve()
        await Sleep.seconds(wait)
    }
}

/// Exponential backoff with full jitter: a random wait in [0, min(cap, base·2^attempt)].
public struct Backoff: Sendable {
    public var base: Double
    public var cap: Double

    public init(base: Double, cap: Double) {
        self.base = base
        self.cap = cap
    }

    /// The wait before try `attempt + 1` (attempt counts from 0).
    public func delay(attempt: Int) -> Double {
        let ceiling = min(cap, base * pow2(attempt))
        guard ceiling.isFinite, ceiling > 0 else { return 0 }
        return Double.random(in: 0...max(0, ceiling))
    }

    private func pow2(_ n: Int) -> Double {
        n >= 62 ? Double.greatestFiniteMagnitude : Double(1 << n)
    }
}
