#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A progress line on standard error for a long phase: count, total, rate. Drawn only on a
/// terminal and when not turned off (`--no-progress`); at most five times a second.
public final class ProgressLine: Sendable {
    private struct State {
        var count = 0
        var total: Int
        var drawn = 0.0
    }

    public let label: String
    private let enabled: Bool
    private let started = Timestamp.monotonic()
    private let state: Mutex<State>

    /// A progress line; `enabled` false (not a terminal, `--no-progress`) makes it silent.
    public init(_ label: String, total: Int, enabled: Bool) {
        self.label = label
        self.enabled = enabled && isatty(2) == 1
        self.state = Mutex(State(total: total))
    }

    public func add(_ n: Int) {
        guard enabled else { return }
        let line: String? = state.withLock { state in
            state.count += n
            let now = Timestamp.monotonic()
            guard now - state.drawn >= 0.2 || (state.total > 0 && state.count >= state.total) else { return nil }
            state.drawn = now
            return render(state.count, state.total, now - started)
        }
        if let line { FileOutput.writeAll(2, "\r\u{1B}[2K" + line) }
    }

    /// Clears the line.
    public func finish() {
        guard enabled else { return }
        FileOutput.writeAll(2, "\r\u{1B}[2K")
    }

    func render(_ count: Int, _ total: Int, _ elapsed: Double) -> String {
        let rate = elapsed > 0 ? Int(Double(count) / elapsed) : 0
        guard total > 0 else { return "\(label) \(count) \(rate)/s" }
        let width = 30
        let share = total > 0 ? min(1, Double(count) / Double(total)) : 0
        let filled = Int(share * Double(width))
        return "\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(count)/\(total) \(rate)/s"
    }
}
