#if canImport(Glibc)
    import Glibc
#endif
import Synchronization

/// A progress line on standard error for a long phase: count, total, rate and, where the total is
/// known, the time left. Drawn only on a terminal and when not turned off (`--no-progress`).
/// Every live line is shown on one status line at the bottom (the platforms of a run side by side);
/// log lines clear it and it is drawn again below them (see `StatusLine`).
public final class ProgressLine: Sendable {
    public let label: String
    private let enabled: Bool
    private let id: Int
    private let started = Timestamp.monotonic()
    private let state: Mutex<(count: Int, total: Int)>

    /// A progress line; `enabled` false (not a terminal, `--no-progress`) makes it silent.
    public init(_ label: String, total: Int, enabled: Bool) {
        self.label = label
        self.enabled = enabled && isatty(2) == 1
        self.state = Mutex((0, total))
        self.id = StatusLine.shared.newID()
    }

    public func add(_ n: Int) {
        guard enabled else { return }
        let (count, total) = state.withLock { state in
            state.count += n
            return (state.count, state.total)
        }
        let done = total > 0 && count >= total
        StatusLine.shared.update(
            id, Snapshot(label: label, count: count, total: total, elapsed: Timestamp.monotonic() - started),
            force: done)
    }

    /// Takes the line off the status line.
    public func finish() {
        guard enabled else { return }
        StatusLine.shared.remove(id)
    }

    /// One line's numbers at a moment.
    struct Snapshot: Sendable {
        var label: String
        var count: Int
        var total: Int
        var elapsed: Double

        /// "push credit [#####.....] 321/698 204/s ETA 0:02"; the bar `barWidth` wide.
        func render(barWidth: Int) -> String {
            let rate = elapsed > 0 ? Double(count) / elapsed : 0
            let rateText = "\(Int(rate))/s"
            guard total > 0 else { return "\(label) \(count) \(rateText)" }
            let share = min(1, Double(count) / Double(total))
            let filled = Int(share * Double(barWidth))
            var text =
                "\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
            text += "] \(count)/\(total) \(rateText)"
            if count < total, rate > 0 {
                let seconds = Double(total - count) / rate
                if seconds < 360_000 { text += " ETA " + Self.clock(Int(seconds.rounded(.up))) }
            }
            return text
        }

        static func clock(_ seconds: Int) -> String {
            let (hours, minutes, rest) = (seconds / 3600, seconds / 60 % 60, seconds % 60)
            let twoDigits = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
            return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(rest))" : "\(minutes):\(twoDigits(rest))"
        }
    }
}

/// The one status line at the bottom of a terminal's standard error. Everything credsync writes
/// to a terminal's stderr goes through it, under one lock: a log line clears the status line, is
/// written, and the status line is drawn again, so the two never mix.
public final class StatusLine: Sendable {
    public static let shared = StatusLine()

    private struct State {
        var nextID = 0
        var items: [(id: Int, snapshot: ProgressLine.Snapshot)] = []
        var isShown = false
        var drawn = 0.0
    }

    private let state = Mutex(State())

    func newID() -> Int {
        state.withLock {
            $0.nextID += 1; return $0.nextID
        }
    }

    /// Records `snapshot` and redraws, at most five times a second unless `force`.
    func update(_ id: Int, _ snapshot: ProgressLine.Snapshot, force: Bool) {
        state.withLock { state in
            if let index = state.items.firstIndex(where: { $0.id == id }) {
                state.items[index].snapshot = snapshot
            } else {
                state.items.append((id, snapshot))
            }
            let now = Timestamp.monotonic()
            guard force || now - state.drawn >= 0.2 else { return }
            state.drawn = now
            FileOutput.writeAll(2, "\r\u{1B}[2K" + Self.line(state.items))
            state.isShown = true
        }
    }

    /// Takes a line off; the others stay (or the status line is cleared).
    func remove(_ id: Int) {
        state.withLock { state in
            state.items.removeAll { $0.id == id }
            guard state.isShown else { return }
            FileOutput.writeAll(2, "\r\u{1B}[2K" + Self.line(state.items))
            state.isShown = !state.items.isEmpty
        }
    }

    /// Writes `text` (whole lines) to standard error above the status line.
    public func write(_ text: String) {
        state.withLock { state in
            guard state.isShown else {
                FileOutput.writeAll(2, text)
                return
            }
            FileOutput.writeAll(2, "\r\u{1B}[2K" + text + Self.line(state.items))
        }
    }

    /// Every live line side by side, cut to the terminal's width (a wrapped line cannot be cleared).
    private static func line(_ items: [(id: Int, snapshot: ProgressLine.Snapshot)]) -> String {
        guard !items.isEmpty else { return "" }
        let text = items.map { $0.snapshot.render(barWidth: items.count == 1 ? 30 : 10) }.joined(separator: " · ")
        return cut(text, to: width() - 1)
    }

    static func width() -> Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let text = getenv("COLUMNS").map({ String(cString: $0) }), let columns = Int(text), columns > 0 {
            return columns
        }
        return 80
    }

    static func cut(_ text: String, to width: Int) -> String {
        guard Terminal.displayWidth(text) > width else { return text }
        var out = ""
        var used = 0
        for character in text {
            let w = Terminal.displayWidth(String(character))
            if used + w > width - 1 { break }
            out.append(character)
            used += w
        }
        return out + "…"
    }
}
