import CredsyncCore
import Synchronization
import CredsyncProtocol

/// Routes a request to its platform and endpoint, after the faults and the authentication.
final class SandboxRouter: Sendable {
    let platforms: [PlatformID: SandboxPlatform]
    let authenticator: Authenticator
    let faults: FaultPlan
    let feeds: EnterpriseFeeds
    let counters = Mutex<[String: Int]>([:])
    let fileChannel: FileChannelFaults

    init(
        platforms: [PlatformID: SandboxPlatform], authenticator: Authenticator, faults: FaultPlan,
        feeds: EnterpriseFeeds,
        fileChannel: FileChannelFaults = FileChannelFaults()
    ) {
        self.fileChannel = fileChannel
        self.platforms = platforms
        self.authenticator = authenticator
        self.faults = faults
        self.feeds = feeds
    }

    func handle(_ request: ServerRequest) -> ServerResponse {
        if request.rawPath.hasPrefix("/_admin/") { return admin(request) }
        let segments = request.rawPath.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard segments.count >= 3, let platformID = PlatformID(rawValue: String(segments.first ?? "")),
            let platform = platforms[platformID], Array(segments.dropFirst().prefix(2)) == ["exchange", "v1"]
        else { return SandboxJSON.error(404, code: "NOT_FOUND", message: "no such endpoint") }
        let settings = faults.settings(for: platformID)
        let arrived = Timestamp.monotonic()
        var response = route(request, platform: platform, settings: settings, rest: Array(segments.dropFirst(3)))
        // Injected latency is the platform's answer time: the answer leaves `latency` after the
        // request arrived, the sandbox's own work included (or as soon as that work is done).
        response.delay += max(0, settings.latency - (Timestamp.monotonic() - arrived))
        count(platformID.rawValue + " " + String(response.status))
        return response
    }

    private func count(_ key: String) {
        counters.withLock { $0[key, default: 0] += 1 }
    }

    private func route(_ request: ServerRequest, platform: SandboxPlatform, settings: FaultSettings, rest: [Substring])
        -> ServerResponse
    {
        var afterApply: ServerResponse.Disposition?
        if let scripted = faults.nextScripted(platform.id) {
            switch scripted {
            case .status(let status, let retryAfter):
                let code = status == 429 ? "RATE_LIMITED" : "UNAVAILABLE"
                return SandboxJSON.error(
                    status, code: code, message: "injected fault",
                    headers: retryAfter.map { [("Retry-After", $0)] } ?? [])
            case .page(let status, let title):
                let html = "<html><head><title>\(title)</title></head><body><h1>\(title)</h1></body></html>"
                return ServerResponse(status: status, headers: [("Content-Type", "text/html")], body: Array(html.utf8))
            case .reset: return withDisposition(.resetWithoutAnswer)
            case .stall(let seconds): return withDisposition(.stall(seconds))
            case .resetAfterApply: afterApply = .resetMidResponse
            case .body(let text): return .json(200, text, headers: [("X-Request-Id", SandboxJSON.requestID())])
            }
        }
        if settings.isDown {
            return SandboxJSON.error(503, code: "UNAVAILABLE", message: "the platform is down for maintenance")
        }
        let roll = Double.random(in: 0..<1)
        if roll < settings.resetRate { return withDisposition(.resetWithoutAnswer) }
        if roll < settings.resetRate + settings.timeoutRate { return withDisposition(.stall(settings.stallSeconds)) }
        if roll < settings.resetRate + settings.timeoutRate + settings.errorRate {
            return SandboxJSON.error(settings.errorStatus, code: "UNAVAILABLE", message: "injected fault")
        }
        let now = Timestamp.now() + settings.clockSkew
        if let refusal = authenticator.refusal(request, platform: platform.id, now: now) { return refusal }
        let app = request.header("x-exchange-app") ?? ""
        if let wait = faults.rateLimitWait(platform.id, app: app) {
            return SandboxJSON.error(
                429, code: "RATE_LIMITED", message: "over the rate limit",
                headers: [("Retry-After", String(max(1, Int(wait.rounded(.up)))))])
        }
        guard
            var parameters = Authenticator.queryParameters(request.rawQuery).map({
                Dictionary($0, uniquingKeysWith: { _, last in last })
            })
        else {
            return SandboxJSON.error(400, code: "BAD_REQUEST", message: "malformed query")
        }
        let isPaged =
            request.method == "GET"
            && (rest.last == "changes" || (rest.count == 3 && (rest.last == "records" || rest.last == "receipts")))
        if settings.repeatsCursor, isPaged { parameters["cursor"] = nil }
        var response = endpoint(
            request, platform: platform, rest: rest, parameters: parameters, app: app, now: now, settings: settings)
        if settings.repeatsCursor, isPaged { response = Self.repeatingCursor(response) }
        if let afterApply, response.status == 200 { response.disposition = afterApply }
        return response
    }

    /// A page whose paging never ends: the same `nextCursor`, and more to come.
    private static func repeatingCursor(_ response: ServerResponse) -> ServerResponse {
        guard response.status == 200, case .object(var page)? = try? JSONParser.parse(response.body) else {
            return response
        }
        page["nextCursor"] = .string("sandbox-repeating-cursor")
        page["hasMore"] = .bool(true)
        return SandboxJSON.ok(.object(page))
    }

    private func withDisposition(_ disposition: ServerResponse.Disposition) -> ServerResponse {
        var response = ServerResponse(status: 500)
        response.disposition = disposition
        return response
    }

    private func endpoint(
        _ request: ServerRequest, platform: SandboxPlatform, rest: [Substring], parameters: [String: String],
        app: String,
        now: Double, settings: FaultSettings
    ) -> ServerResponse {
        if rest.first == "datasets", rest.count >= 3 {
            guard let dataset = Dataset(rawValue: String(rest[1])), platform.id.acceptedDatasets.contains(dataset)
            else {
                return SandboxJSON.error(
                    404, code: "UNKNOWN_DATASET", message: "\(platform.id.rawValue) does not take \(rest[1])")
            }
            if platform.forbidden.withLock({ $0.contains(app + "/" + dataset.rawValue) }) {
                return SandboxJSON.error(
                    403, code: "FORBIDDEN", message: "this application may not use \(dataset.rawValue)")
            }
            switch (request.method, rest[2], rest.count) {
            case ("POST", "batches", 3): return platform.pushBatch(dataset: dataset, body: request.body, now: now)
            case ("GET", "records", 3): return platform.manifest(dataset: dataset, parameters: parameters, now: now)
            case ("GET", "receipts", 3):
                return platform.receiptPage(
                    dataset: dataset, parameters: parameters, now: now, cursorLifetime: settings.cursorLifetime)
            case ("GET", "records", 4):
                guard let key = PercentEncoding.decode(rest[3]) else {
                    return SandboxJSON.error(400, code: "BAD_REQUEST", message: "the key is not valid percent-encoding")
                }
                return platform.record(dataset: dataset, key: key, parameters: parameters, now: now)
            default: return SandboxJSON.error(405, code: "NOT_FOUND", message: "no such endpoint for \(request.method)")
            }
        }
        guard platform.id == .gsxt else {
            return SandboxJSON.error(404, code: "NOT_FOUND", message: "no such endpoint")
        }
        switch (request.method, rest.map(String.init)) {
        case ("POST", ["enterprises", "query"]): return enterpriseQuery(request.body)
        case ("GET", ["enterprises", "changes"]):
            guard let region = parameters["region"], region.count == 6, region.allSatisfy({ $0.isASCII && $0.isNumber })
            else {
                return SandboxJSON.error(400, code: "BAD_REQUEST", message: "region must be a 6-digit code")
            }
            let prefix = EnterpriseFeeds.regionPrefix(region)
            return feedPage(
                feeds.enterprises, parameters: parameters, now: now, settings: settings,
                include: { ($0["uscc"]?.stringValue ?? "").dropFirst(2).hasPrefix(prefix) },
                wrap: { ["seq": .number(String($0)), "enterprise": $1] })
        case ("GET", ["lists", "serious-illegal", "changes"]):
            return feedPage(
                feeds.listItems, parameters: parameters, now: now, settings: settings, include: { _ in true },
                wrap: { seq, item in
                    guard case .object(var object) = item else { return item }
                    object["seq"] = .number(String(seq))
                    return .object(object)
                })
        default: return SandboxJSON.error(404, code: "NOT_FOUND", message: "no such endpoint")
        }
    }

    private func feedPage(
        _ items: [(Int, JSONValue)], parameters: [String: String], now: Double, settings: FaultSettings,
        include: (JSONValue) -> Bool, wrap: (Int, JSONValue) -> JSONValue
    ) -> ServerResponse {
        let limit = parameters["limit"].map { Int($0) ?? -1 } ?? 500
        guard (1...1000).contains(limit) else {
            return SandboxJSON.error(400, code: "BAD_REQUEST", message: "limit must be 1 to 1000")
        }
        var after = 0
        if let cursor = parameters["cursor"] {
            guard let seq = EnterpriseFeeds.seq(fromCursor: cursor, now: now, lifetime: settings.cursorLifetime) else {
                return SandboxJSON.error(
                    400, code: "BAD_CURSOR",
                    message: "the cursor is unknown or older than its lifetime; re-read from the start")
            }
            after = seq
        }
        return SandboxJSON.ok(
            EnterpriseFeeds.page(items, after: after, limit: limit, now: now, include: include, wrap: wrap))
    }

    private func enterpriseQuery(_ body: [UInt8]) -> ServerResponse {
        guard let json = try? JSONParser.parse(body), let codes = json["uscc"]?.arrayValue?.compactMap(\.stringValue)
        else {
            return SandboxJSON.error(400, code: "BAD_JSON", message: "expected {\"uscc\": [...]}")
        }
        guard (1...100).contains(codes.count) else {
            return SandboxJSON.error(400, code: "BAD_REQUEST", message: "1 to 100 codes")
        }
        var items: [JSONValue] = []
        var notFound: [JSONValue] = []
        for code in codes {
            if let enterprise = feeds.latest[code] { items.append(enterprise) } else { notFound.append(.string(code)) }
        }
        return SandboxJSON.ok(["items": .array(items), "notFound": .array(notFound)])
    }
}
