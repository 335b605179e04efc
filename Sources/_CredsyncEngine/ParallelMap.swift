public import Foundation

/// `transform` applied to every index of `0..<count` on the `WorkerPool`'s threads, in chunks,
/// the results in index order. For CPU work over many items (checking queue files, deciding and
/// hashing records); this thread waits. Async code calls the `async` form, which blocks no thread.
public func parallelMap<Result: Sendable>(
    count: Int, chunkSize: Int = 256, workers: Int = min(8, ProcessInfo.processInfo.activeProcessorCount),
    _ transform: @escaping @Sendable (Int) -> Result
) -> [Result] {
    let (pool, slots) = startParallelMap(count: count, chunkSize: chunkSize, workers: workers, transform)
    pool.wait()
    return slots.values.compactMap { $0 }
}

/// `parallelMap` for async code: the task is suspended, not blocked, while the workers run.
public func parallelMap<Result: Sendable>(
    count: Int, chunkSize: Int = 256, workers: Int = min(8, ProcessInfo.processInfo.activeProcessorCount),
    _ transform: @escaping @Sendable (Int) -> Result
) async -> [Result] {
    let (pool, slots) = startParallelMap(count: count, chunkSize: chunkSize, workers: workers, transform)
    await pool.finished()
    return slots.values.compactMap { $0 }
}

/// The workers started on every chunk of `0..<count`: each takes the next chunk as it is free.
private func startParallelMap<Result: Sendable>(
    count: Int, chunkSize: Int, workers: Int, _ transform: @escaping @Sendable (Int) -> Result
) -> (WorkerPool, ChunkResults<Result>) {
    let slots = ChunkResults<Result>(count: count)
    let size = max(1, chunkSize)
    let next = ChunkCursor(count: count, size: size)
    let pool = WorkerPool(threads: max(1, workers)) { _ in
        while let range = next.take() { slots.set(range, range.map(transform)) }
    }
    return (pool, slots)
}

/// The next chunk of `0..<count` a worker takes: no producer to wait for, so an async caller
/// never blocks on a full queue.
private final class ChunkCursor: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var start = 0
    private let count: Int
    private let size: Int

    init(count: Int, size: Int) {
        self.count = count
        self.size = size
    }

    func take() -> Range<Int>? {
        lock.withLock {
            guard start < count else { return nil }
            defer { start = min(count, start + size) }
            return start..<min(count, start + size)
        }
    }
}

/// Results by index, filled a chunk at a time by the threads of `parallelMap`.
private final class ChunkResults<Result: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Result?]

    init(count: Int) { items = Array(repeating: nil, count: count) }

    func set(_ range: Range<Int>, _ values: [Result]) {
        lock.withLock { items.replaceSubrange(range, with: values.map { Optional($0) }) }
    }

    var values: [Result?] { lock.withLock { items } }
}
