import Foundation

/// Polls `condition` every 20 ms until it holds; false when `timeout` seconds pass first.
/// Tests wait for the state they need this way, never for a fixed time that a loaded machine may outrun.
@discardableResult
public func waitUntil(timeout: Double = 60, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}
