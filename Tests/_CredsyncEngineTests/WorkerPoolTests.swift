import Foundation
import Testing

@testable import _CredsyncEngine

/// The one worker pool: every worker runs once, a plain thread waits for them, async code awaits
/// them without blocking, and `parallelMap` keeps index order either way.
@Suite struct WorkerPoolTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [Int] = []

        func add(_ number: Int) { lock.withLock { seen.append(number) } }
        var numbers: [Int] { lock.withLock { seen.sorted() } }
    }

    @Test func everyWorkerRunsOnceAndIsWaitedFor() async {
        let counter = Counter()
        WorkerPool(threads: 4) { counter.add($0) }.wait()
        #expect(counter.numbers == [0, 1, 2, 3])
        let awaited = Counter()
        await WorkerPool(threads: 3) { number in
            Thread.sleep(forTimeInterval: 0.01)
            awaited.add(number)
        }.finished()
        #expect(awaited.numbers == [0, 1, 2])
    }

    @Test func parallelMapKeepsIndexOrderSyncAndAsync() async {
        // In async code the async form is chosen: the plain one is called from a plain function.
        func doubled() -> [Int] { parallelMap(count: 10_000, chunkSize: 97, workers: 3) { $0 * 2 } }
        let plain = doubled()
        let awaited: [Int] = await parallelMap(count: 10_000, chunkSize: 97, workers: 3) { $0 * 2 }
        #expect(plain == Array(0..<10_000).map { $0 * 2 })
        #expect(awaited == plain)
        let none: [Int] = await parallelMap(count: 0, workers: 2) { $0 }
        #expect(none.isEmpty)
    }

    @Test func orderedSlotsHandBackInOrder() {
        let slots = OrderedSlots<Int>()
        let pool = WorkerPool(threads: 4) { slots.set($0, $0 * 10) }
        var taken: [Int] = []
        for index in 0..<4 { if let value = slots.take(index, wait: true) { taken.append(value) } }
        pool.wait()
        #expect(taken == [0, 10, 20, 30])
        #expect(slots.take(4, wait: false) == nil)
    }

    struct Refused: Error, Equatable { var reason: String }

    /// Blocking work from async code runs on a thread of its own: its value or its typed error.
    @Test func runHandsBackValueOrTypedError() async {
        let value = await WorkerPool.run { () -> Bool in
            Thread.sleep(forTimeInterval: 0.01)
            return !Thread.isMainThread
        }
        #expect(value)
        do {
            _ = try await WorkerPool.run { () throws(Refused) -> Int in throw Refused(reason: "no") }
            Issue.record("no error thrown")
        } catch {
            #expect(error == Refused(reason: "no"))
        }
    }
}
