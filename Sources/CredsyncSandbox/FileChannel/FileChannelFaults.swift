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

    /// One item of a fault list, as written on the command line.
    enum Item: Equatable {
        case mode(Mode)
        case late(Double)
        /// `old-receipt`: every version accepted from the inbox that replaces an older one with a
        /// receipt gets that older receipt again, under a new seq, in the next receipts file.
        case oldReceipt
        /// `torn-part`: next to every answer and receipts file, a `.part` of the same name holding
        /// half its bytes is left behind, never completed (a client must ignore it).
        case tornPart

        init?(_ text: Substring) {
            switch text {
            case "old-receipt": self = .oldReceipt
            case "torn-part": self = .tornPart
            case let late where late.hasPrefix("late:"):
                guard let seconds = Double(late.dropFirst(5)), seconds >= 0, seconds.isFinite else { return nil }
                self = .late(seconds)
            default:
                guard let mode = Mode(rawValue: String(text)) else { return nil }
                self = .mode(mode)
            }
        }
    }

    public var mode = Mode.none
    /// Answer a batch only once it has been in the inbox this many seconds.
    public var lateSeconds = 0.0
    /// Fault `old-receipt` (see `Item.oldReceipt`).
    public var repeatsOldReceipts = false
    /// Fault `torn-part` (see `Item.tornPart`).
    public var leavesTornParts = false
    /// Take nothing from the inbox until released: answers arrive when a test says.
    public var isHeld = false

    public init() {}

    /// What `--file-channel-fault` and the admin endpoint accept.
    static let syntax = "none, never, twice, late:<seconds>, old-receipt or torn-part (comma-separated)"

    /// Parses a comma-separated list of `none`, `never`, `twice`, `late:<seconds>`, `old-receipt`
    /// and `torn-part`, e.g. `late:5,torn-part`.
    public init?(_ text: String) {
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            switch Item(part) {
            case .mode(let mode): self.mode = mode
            case .late(let seconds): lateSeconds = seconds
            case .oldReceipt: repeatsOldReceipts = true
            case .tornPart: leavesTornParts = true
            case nil: return nil
            }
        }
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
