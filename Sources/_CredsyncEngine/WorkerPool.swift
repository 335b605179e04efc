public import Foundation

/// The one pool of worker threads for CPU work (mapping an export, stepping records, checking
/// files): threads of their own, off the cooperative pool, each running the body with its number.
/// A plain thread waits with `wait()`; async code awaits `finished()`, which blocks no thread.
public struct WorkerPool: Sendable {
    private let group: Thread.Group

    /// Starts `body(0)`, …, `body(count - 1)` on threads of their own (at least one).
    public init(threads count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = Thread.Group()
        for index in 0..<max(1, count) {
            group.enter()
            let thread = Thread {
                body(index)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        self.group = group
    }

    /// Blocks this thread until every worker has returned. Not for async code: use `finished()`.
    public func wait() { group.wait() }

    /// Returns once every worker has returned, suspending (not blocking) the task meanwhile.
    public func finished() async { await group.finished() }
}

extension Thread {
    /// Counts threads still running; `wait()` returns when all have left, as does `finished()`
    /// without blocking a thread of the cooperative pool.
    public final class Group: @unchecked Sendable {
        // Guarded by `condition`.
        private let condition = NSCondition()
        private var running = 0
        private var waiters: [CheckedContinuation<Void, Never>] = []

        public init() {}

        public func enter() {
            condition.withLock { running += 1 }
        }

        public func leave() {
            let resumed: [CheckedContinuation<Void, Never>] = condition.withLock {
                running -= 1
                condition.broadcast()
                guard running == 0 else { return [] }
                defer { waiters = [] }
                return waiters
            }
            for waiter in resumed { waiter.resume() }
        }

        public func wait() {
            condition.withLock {
                while running > 0 { condition.wait() }
            }
        }

        public func finished() async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = condition.withLock {
                    if running == 0 { return true }
                    waiters.append(continuation)
                    return false
                }
                if done { continuation.resume() }
            }
        }
    }
}

/// Results by position, set by the workers in any order and taken in order: a chunk's outcome
/// waits here until the ones before it are taken.
public final class OrderedSlots<T: Sendable>: @unchecked Sendable {
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var slots: [Int: T] = [:]

    public init() {}

    public func set(_ index: Int, _ value: T) {
        condition.withLock {
            slots[index] = value
            condition.broadcast()
        }
    }

    /// Value `index`, removed; nil when it is not ready and `wait` is false.
    public func take(_ index: Int, wait: Bool) -> T? {
        condition.withLock {
            while wait && slots[index] == nil { condition.wait() }
            return slots.removeValue(forKey: index)
        }
    }
}

extension WorkerPool {
    /// `body`'s result, worked out on a thread of its own while the calling task is suspended (not
    /// blocked): for CPU-bound or blocking work called from async code, such as reading an export
    /// through its mapping, which waits on its own workers.
    public static func run<T: Sendable, E: Error>(
        _ body: @escaping @Sendable () throws(E) -> T
    ) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: Result { () throws(E) -> T in try body() }) }
            thread.stackSize = 1 << 20
            thread.start()
        }
        return try result.get()
    }
}
