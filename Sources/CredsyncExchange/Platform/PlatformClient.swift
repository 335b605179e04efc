public import CredsyncCore
import Synchronization
import CredsyncProtocol
import Foundation

/// One national platform's endpoints, as exchange-api.md has them: signed requests, flow control
/// (token bucket, bounded concurrency, 429 and Retry-After), retries with backoff within the run,
/// and every answer classified.
public final class PlatformClient: Sendable {
    public let config: PlatformConfig
    /// The organisation's USCC: the `source` of every batch and query.
    public let source: String
    let http: any HTTPTransport
    let bucket: TokenBucket
    let retry: RetryPolicy
    let logger: Logger
    /// The base URL's path, signed as part of every request's path.
    let basePath: String
    let origin: String
    /// Until when (monotonic seconds) the platform asked to be left alone, longer than
    /// `retry.maxRetryAfter`, and the failure that said so: meanwhile work goes to the queue unsent.
    private let backedOff = Mutex<(until: Double, failure: ExchangeFailure?)>((0, nil))

    public convenience init(config: PlatformConfig, source: String, retry: RetryPolicy, logger: Logger) {
        self.init(config: config, source: source, retry: retry, logger: logger, transport: Self.transport(config))
    }

    /// A client whose requests go through `transport` (a test's in-process one).
    public init(
        config: PlatformConfig, source: String, retry: RetryPolicy, logger: Logger, transport: any HTTPTransport
    ) {
        self.config = config
        self.source = source
        self.retry = retry
        self.logger = logger
        http = transport
        bucket = TokenBucket(rate: config.requestsPerSecond, burst: config.burst)
        (origin, basePath) = Self.split(config.baseURL)
    }

    /// The libcurl client `config` asks for.
    static func transport(_ config: PlatformConfig) -> HTTPClient {
        var options = HTTPClientOptions()
        options.connectTimeout = config.connectTimeout
        options.requestTimeout = config.requestTimeout
        options.verifyTLS = config.verifyTLS
        options.caFile = config.caFile
        options.clientCertificate = config.clientCertificate
        options.clientKey = config.clientKey
        options.proxy = config.proxy
        options.maxResponseBytes = config.maxResponseBytes
        options.connections = config.concurrency
        return HTTPClient(options: options)
    }

    /// `https://host:port/a/b` → (`https://host:port`, `/a/b`).
    static func split(_ url: String) -> (String, String) {
        guard let scheme = url.range(of: "://") else { return (url, "") }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return (url, "") }
        return (String(url[..<slash]), String(url[slash...]))
    }

    /// A decoded answer: status, JSON body (when there is one) and the request id.
    struct Answer: Sendable {
        var status: Int
        var json: JSONValue?
        var response: HTTPResponse
        var requestID: String? { response.header("X-Request-Id") }
    }

    /// Sends one signed request with in-run retries: transient failures back off with full jitter,
    /// 429 waits for Retry-After, CLOCK_SKEW and REPLAY are re-signed once. A 413 is returned as is.
    func exchange(
        method: String, path: String, query: [(String, String)] = [], body: [UInt8] = [],
        statistics: inout BatchResult
    ) async -> Result<Answer, ExchangeFailure> {
        let canonicalQuery = RequestSigner.canonicalQuery(query)
        let wirePath = basePath + path
        let url = origin + wirePath + (canonicalQuery.isEmpty ? "" : "?" + canonicalQuery)
        let backoff = Backoff(base: 0.2, cap: retry.maxDelayInRun)
        var failures = 0
        var rateLimitWaits = 0
        var resigned = false
        while true {
            await bucket.acquire()
            let now = Timestamp.monotonic()
            if let refusal = backedOff.withLock({ now < $0.until ? $0.failure : nil }) { return .failure(refusal) }
            var headers: [(String, String)]
            do {
                headers = try RequestSigner.headers(
                    using: config.signatureMethod, appID: config.appID, secret: config.secret, method: method,
                    path: wirePath, query: canonicalQuery, body: body)
            } catch {
                return .failure(ExchangeFailure(.permanent, status: nil, code: "SIGNING_FAILED", message: "\(error)"))
            }
            headers.append(("Content-Type", "application/json"))
            headers.append(("Accept", "application/json"))
            statistics.requests += 1
            let result = await http.send(HTTPRequest(method: method, url: url, headers: headers, body: body))
            let failure: ExchangeFailure
            var wait: Double?
            switch result {
            case .failure(let transport):
                failure = ExchangeFailure(
                    transport.isTransient ? .transient : .permanent, status: nil, code: transport.kind.rawValue,
                    message: transport.description)
                if !transport.isTransient { return .failure(failure) }
            case .success(let response):
                let answer = Answer(
                    status: response.status, json: try? JSONParser.parse(response.body), response: response)
                if let requestID = answer.requestID { statistics.requestIDs.append(requestID) }
                if (200..<300).contains(response.status) || response.status == 413 { return .success(answer) }
                failure = Self.failure(from: answer, url: url)
                let retryAfter = RetryAfter.seconds(response.header("Retry-After"), date: response.header("Date"))
                if response.status == 429 {
                    statistics.rateLimited += 1
                    rateLimitWaits += 1
                    if let tooLong = tooLong(retryAfter, failure) { return .failure(tooLong) }
                    let seconds = retryAfter ?? 1
                    bucket.pause(for: seconds)
                    logger.debug("rate limited", [("platform", config.id.rawValue), ("retryAfter", seconds)])
                    if rateLimitWaits <= 20 { continue }
                    return .failure(
                        ExchangeFailure(
                            .transient, status: 429, code: failure.code, message: failure.message,
                            requestID: failure.requestID))
                }
                if response.status == 401, !resigned, failure.code == "CLOCK_SKEW" || failure.code == "REPLAY" {
                    resigned = true
                    continue
                }
                if failure.failureClass == .permanent { return .failure(failure) }
                if response.status == 503, let retryAfter {
                    if let tooLong = tooLong(retryAfter, failure) { return .failure(tooLong) }
                    wait = retryAfter
                }
            }
            failures += 1
            if failures >= retry.attemptsInRun { return .failure(failure) }
            let delay = wait ?? backoff.delay(attempt: failures - 1)
            logger.debug(
                "retrying", [("platform", config.id.rawValue), ("after", delay), ("error", failure.description)])
            await Sleep.seconds(delay)
        }
    }

    /// The failure that hands the work to the queue when a platform asks to wait longer than
    /// `retry.maxRetryAfter`; nil when the wait is within it (or there is none). Until the wait is
    /// over, every request of this client fails the same way without being sent.
    private func tooLong(_ retryAfter: Double?, _ failure: ExchangeFailure) -> ExchangeFailure? {
        guard let retryAfter, retryAfter > retry.maxRetryAfter else { return nil }
        let message =
            "\(failure.message) (the platform asks to wait \(DurationText.describe(retryAfter)), longer than "
            + "retry.maxRetryAfter \(DurationText.describe(retry.maxRetryAfter)): left to the queue)"
        logger.warning(
            "Retry-After past the limit", [("platform", config.id.rawValue), ("retryAfter", String(retryAfter))])
        let handedBack = ExchangeFailure(
            .transient, status: failure.status, code: failure.code, message: message, requestID: failure.requestID)
        let until = Timestamp.monotonic() + retryAfter
        backedOff.withLock { state in
            if until > state.until { state = (until, handedBack) }
        }
        return handedBack
    }

    /// Classifies a non-2xx answer per exchange-api.md's table.
    static func failure(from answer: Answer, url: String) -> ExchangeFailure {
        let error = answer.json?["error"]
        let code = error?["code"]?.stringValue
        var message = error?["message"]?.stringValue ?? ""
        if answer.json == nil {
            // Not the platform's JSON: a proxy or TLS terminator answered (nginx's "No required SSL certificate was sent").
            message =
                "\(url) answered HTTP \(answer.status) without an exchange error: \(htmlTitle(answer.response.body))"
        }
        let failureClass: ExchangeFailure.Class
        switch answer.status {
        case 429, 500, 502, 503, 504: failureClass = .transient
        default: failureClass = .permanent
        }
        return ExchangeFailure(
            failureClass, status: answer.status, code: code, message: message, requestID: answer.requestID)
    }

    /// The title of an HTML error page, or the start of the body.
    static func htmlTitle(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(2048), as: UTF8.self)
        if let open = text.range(of: "<title>"), let close = text.range(of: "</title>"),
            open.upperBound <= close.lowerBound
        {
            return String(text[open.upperBound..<close.lowerBound])
        }
        return String(text.prefix(200)).replacingAll("\n", with: " ")
    }
}
