import CredsyncCore
public import CredsyncFormats
import Foundation

extension Mapper {
    /// A mapper that maps alike and shares nothing with this one (`Fresh`): one per mapping thread.
    /// - Throws: `MapperCopyError` when the copy cannot be made; the shared mapper is never
    ///   handed out instead.
    public func copy() throws(MapperCopyError) -> Mapper {
        let organisation = Organisation(name: Fresh.string(organisation.name), uscc: Fresh.string(organisation.uscc))
        return Mapper(definition: try definition.threadCopy(), organisation: organisation, today: today)
    }
}

/// The mapping threads' copies of the mapper, each made on its own thread (so its storage is that
/// thread's): the reading thread waits until every thread has made its copy, or one failed.
package final class ThreadCopies: @unchecked Sendable {
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var pending: Int
    private var failure: MapperCopyError?

    package init(threads: Int) { pending = max(1, threads) }

    /// Called once by each thread: its copy, or why it could not make one.
    package func made(_ failure: MapperCopyError?) {
        condition.withLock {
            pending -= 1
            if self.failure == nil { self.failure = failure }
            condition.broadcast()
        }
    }

    /// Waits until every thread has reported; the first failure, or nil when all made their copy.
    package func wait() -> MapperCopyError? {
        condition.withLock {
            while pending > 0 && failure == nil { condition.wait() }
            return failure
        }
    }
}
