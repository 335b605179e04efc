import Dispatch
import Foundation
import Synchronization

/// Set by SIGINT or SIGTERM: the run starts no new batch, lets those in flight finish, saves its
/// state and ends with exit 75.
public final class StopFlag: Sendable {
    private let stopped = Mutex(false)
    /// The signal sources, kept alive for the process's life.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    public init() {}

    public var isSet: Bool { stopped.withLock { $0 } }

    public func set() { stopped.withLock { $0 = true } }

    /// Routes SIGINT and SIGTERM here for the rest of the process.
    public func installSignalHandlers() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in set() }
            source.resume()
            Self.sources.append(source)  // installed once, from the main thread, before any task starts
        }
    }
}
