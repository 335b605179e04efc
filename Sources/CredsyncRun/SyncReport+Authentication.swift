public import CredsyncCore
import CredsyncProtocol

/// A platform that refused the run's credentials (401) or permission (403): nothing more of that
/// dataset (or, for a pull, of that feed) was sent to it in the run.
public struct AuthenticationFailure: Sendable {
    public var platform: PlatformID
    /// The dataset being pushed, or nil for a pull.
    public var dataset: Dataset?
    /// The HTTP status (401 or 403) and the platform's error code, e.g. `BAD_SIGNATURE`, when known.
    public var status: Int?
    public var code: String?
    public var message: String
    public var requestID: String?

    init(platform: PlatformID, dataset: Dataset?, failure: ExchangeFailure) {
        self.platform = platform
        self.dataset = dataset
        status = failure.status
        code = failure.code
        message = failure.message
        requestID = failure.requestID
    }

    init(platform: PlatformID, dataset: Dataset? = nil, message: String) {
        self.platform = platform
        self.dataset = dataset
        self.message = message
    }

    /// `HTTP 401 BAD_SIGNATURE`, or the message when the answer is not known in detail.
    public var answer: String {
        guard let status else { return message }
        return "HTTP \(status)" + (code.map { " \($0)" } ?? "")
    }

    var json: JSONValue {
        [
            "platform": .string(platform.rawValue), "dataset": dataset.map { .string($0.rawValue) } ?? .null,
            "status": status.map { .number(String($0)) } ?? .null, "code": code.map { .string($0) } ?? .null,
            "message": .string(message), "requestId": requestID.map { .string($0) } ?? .null,
        ]
    }
}

extension SyncReport {
    /// The platforms that refused the credentials or the permission, in order.
    public var platformsRefusingCredentials: [PlatformID] {
        PlatformID.allCases.filter { platform in authenticationFailures.contains { $0.platform == platform } }
    }

    /// One line per platform that refused the credentials, for the top of the summary.
    public var authenticationBanner: [String] {
        platformsRefusingCredentials.map { platform in
            let failures = authenticationFailures.filter { $0.platform == platform }
            let answers = Array(Set(failures.map(\.answer))).sorted().joined(separator: ", ")
            let datasets = failures.compactMap { $0.dataset?.rawValue }
            let scope = datasets.isEmpty ? "" : " (" + datasets.joined(separator: ", ") + ")"
            return
                "  AUTHENTICATION FAILED: \(platform.rawValue) refused the credentials: \(answers)\(scope); "
                + "nothing more was sent to it; "
                + "fix its secret or certificate, verify with 'credsync check --online', release the held entries "
                + "and run again (RUNBOOK: rotating secrets)"
        }
    }

    /// `authenticationFailures` of the JSON report.
    var authenticationFailuresJSON: JSONValue { .array(authenticationFailures.map(\.json)) }
}
