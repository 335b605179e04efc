public import Foundation

/// `transform` applied to every index of `0..<count` on `workers` threads of their own, in
/// chunks, the results in index order. For CPU work over many items (checking queue files,
/// deciding and hashing records); the caller waits.
public func parallelMap<Result: Sendable>(
    count: Int, chunkSize: Int = 256, workers: Int = min(8, ProcessInfo.processInfo.activeProcessorCount),
    _ transform: @escaping @Sendable (Int) -> Result
) -> [Result] {
    let slots = ChunkResults<Result>(count: count)
    let chunks = BoundedQueue<Range<Int>>(capacity: max(1, workers) * 4)
    let group = runOnThreads(max(1, workers)) { _ in
        while let range = chunks.take() { slots.set(range, range.map(transform)) }
    }
    var start = 0
    while start < count {
        chunks.put(start..<min(count, start + max(1, chunkSize)))
        start += max(1, chunkSize)
    }
    chunks.close()
    group.wait()
    return slots.values.compactMap { $0 }
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
