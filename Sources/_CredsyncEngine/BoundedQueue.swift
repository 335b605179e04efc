public import Foundation

/// A blocking queue of bounded capacity between threads: a producer waits when consumers are
/// behind, consumers wait for work, `close()` lets them drain and stop. Guarded by its condition.
public final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Taken items are set to nil at once, so the queue never keeps what a consumer is done with.
    private var items: [Element?] = []
    private var head = 0
    private var closed = false
    private let capacity: Int

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    public func put(_ item: Element) {
        condition.lock()
        while items.count - head >= capacity { condition.wait() }
        items.append(item)
        condition.broadcast()
        condition.unlock()
    }

    /// The next item; nil once closed and drained.
    public func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        guard head < items.count else { return nil }
        let item = items[head]
        items[head] = nil
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
