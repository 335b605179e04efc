import CredsyncCore
import Synchronization

/// How a platform's file channel misbehaves, by flag (`--file-channel-fault`) or through
/// `POST /_admin/file-channel`.
public struct FileChannelFault: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Answer every batch once, at the next poll.
        case none
        /// Leave every batch in the inbox, unanswered.
        case never
        /// Answer, and once the province deleted the answer, write the same answer again.
        case twice
    }

    public var mode = Mode.none
    /// Answer a batch only once it has been in the inbox this many seconds.
    public var lateSeconds = 0.0
    /// Take nothing from the inbox until released: answers arrive when a test says.
    public var isHeld = false

    public init() {}

    /// Parses `none`, `never`, `twice` or `late:<seconds>`.
    public init?(_ text: String) {
        if text.hasPrefix("late:") {
            guard let seconds = Double(text.dropFirst(5)), seconds >= 0, seconds.isFinite else { return nil }
            lateSeconds = seconds
            return
        }
        guard let mode = Mode(rawValue: text) else { return nil }
        self.mode = mode
    }
}

/// The file-channel faults in force, per platform.
public final class FileChannelFaults: Sendable {
    private let faults: Mutex<[PlatformID: FileChannelFault]>

    public init(defaults: FileChannelFault = FileChannelFault()) {
        faults = Mutex(Dictionary(uniqueKeysWithValues: PlatformID.allCases.map { ($0, defaults) }))
    }

    func fault(for platform: PlatformID) -> FileChannelFault {
        faults.withLock { $0[platform] ?? FileChannelFault() }
    }

    func update(_ platform: PlatformID, _ change: (inout FileChannelFault) -> Void) {
        faults.withLock { change(&$0[platform, default: FileChannelFault()]) }
    }
}
