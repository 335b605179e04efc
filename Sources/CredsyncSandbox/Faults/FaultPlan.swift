import CredsyncCore
import Synchronization
import CredsyncProtocol

/// Faults a platform of the sandbox shows on demand, by flag or through the admin endpoint.
public struct FaultSettings: Sendable, Equatable {
    /// Seconds added before every answer.
    public var latency = 0.0
    /// Share of requests answered `errorStatus` (500 or 503).
    public var errorRate = 0.0
    public var errorStatus = 503
    /// Share of requests whose connection is reset without an answer.
    public var resetRate = 0.0
    /// Share of requests left unanswered for `stallSeconds` (a time-out).
    public var timeoutRate = 0.0
    public var stallSeconds = 30.0
    /// Every request answered 503: the platform is down.
    public var isDown = false
    /// The per-app rate limit (the national default: 20 per second, bursts of 40).
    public var requestsPerSecond = 20.0
    public var burst = 40
    /// Seconds the platform's clock is off from the real one.
    public var clockSkew = 0.0
    /// How long a feed cursor stays valid, seconds.
    public var cursorLifetime = 7.0 * 86400
    /// Manifests and feeds answer their first page every time, with the same `nextCursor` and
    /// `hasMore: true`: a platform whose paging never ends.
    public var repeatsCursor = false

    public init() {}
}

/// One fault for the next request, in a script that tests set exactly.
public enum ScriptedFault: Sendable, Equatable {
    /// Answer with this status (and `Retry-After`, as written, when given) without touching state.
    case status(Int, retryAfter: String?)
    /// Reset the connection without answering and without applying.
    case reset
    /// Apply the request, then reset the connection half-way through the answer.
    case resetAfterApply
    /// Leave the request unanswered for this many seconds.
    case stall(Double)
    /// Answer 200 with this body, as a platform of the wrong shape would (`body:{"ok":true}`).
    case body(String)
    /// Answer with this status and an HTML page (a proxy's) whose title is the text.
    case page(Int, String)

    /// Parses `status:503`, `status:429:2`, `status:429:1e300`, `status:503:Sun, 06 Nov 1994 08:49:37 GMT`
    /// (the rest after the second colon is the Retry-After as sent), `page:502:<title>`, `reset`,
    /// `reset-after-apply`, `stall:5`, `body:<text>`.
    public init?(_ text: String) {
        if text.hasPrefix("body:") {
            self = .body(String(text.dropFirst(5)))
            return
        }
        let parts = text.split(separator: ":", maxSplits: 2).map(String.init)
        switch parts.first {
        case "status":
            guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
            self = .status(status, retryAfter: parts.count > 2 ? parts[2] : nil)
        case "page":
            guard parts.count == 3, let status = Int(parts[1]) else { return nil }
            self = .page(status, parts[2])
        case "reset": self = .reset
        case "reset-after-apply": self = .resetAfterApply
        case "stall":
            guard parts.count == 2, let seconds = Double(parts[1]) else { return nil }
            self = .stall(seconds)
        default: return nil
        }
    }
}

/// The faults in force, per platform, and the rate limiters per app.
final class FaultPlan: Sendable {
    private let settings: Mutex<[PlatformID: FaultSettings]>
    private let scripts = Mutex<[PlatformID: [ScriptedFault]]>([:])
    private let limiters = Mutex<[String: TokenBucket]>([:])

    init(defaults: FaultSettings) {
        settings = Mutex(Dictionary(uniqueKeysWithValues: PlatformID.allCases.map { ($0, defaults) }))
    }

    func settings(for platform: PlatformID) -> FaultSettings {
        settings.withLock { $0[platform] ?? FaultSettings() }
    }

    func update(_ platform: PlatformID, _ change: (inout FaultSettings) -> Void) {
        settings.withLock { change(&$0[platform, default: FaultSettings()]) }
        limiters.withLock { $0 = $0.filter { !$0.key.hasPrefix(platform.rawValue + "/") } }
    }

    func setScript(_ platform: PlatformID, _ faults: [ScriptedFault]) {
        scripts.withLock { $0[platform] = faults }
    }

    /// The scripted fault for this request, if any is left.
    func nextScripted(_ platform: PlatformID) -> ScriptedFault? {
        scripts.withLock { scripts in
            guard var list = scripts[platform], !list.isEmpty else { return nil }
            let first = list.removeFirst()
            scripts[platform] = list
            return first
        }
    }

    /// Seconds the app must wait when it is over its rate, else nil (the request passes).
    func rateLimitWait(_ platform: PlatformID, app: String) -> Double? {
        let current = settings(for: platform)
        let bucket = limiters.withLock { limiters in
            let key = platform.rawValue + "/" + app
            if let bucket = limiters[key] { return bucket }
            let bucket = TokenBucket(rate: current.requestsPerSecond, burst: current.burst)
            limiters[key] = bucket
            return bucket
        }
        return bucket.tryTake()
    }
}
