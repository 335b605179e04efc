/// A request the sandbox received.
public struct ServerRequest: Sendable {
    public var method: String
    /// The request target as sent: percent-encoded path and query.
    public var target: String
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]
    /// Whether the peer is on loopback (admin endpoints require it).
    public var fromLoopback: Bool

    /// The path as sent on the wire, without the query.
    public var rawPath: String {
        guard let mark = target.firstIndex(of: "?") else { return target }
        return String(target[..<mark])
    }

    /// The query after `?`, as sent.
    public var rawQuery: String {
        guard let mark = target.firstIndex(of: "?") else { return "" }
        return String(target[target.index(after: mark)...])
    }

    public func header(_ name: String) -> String? { headers[name] }
}

/// An answer, with what the connection should do after it.
public struct ServerResponse: Sendable {
    public enum Disposition: Sendable {
        /// Write it and keep the connection (unless the client asked to close).
        case normal
        /// Write part of it, then reset the connection (a dropped answer).
        case resetMidResponse
        /// Reset the connection without answering.
        case resetWithoutAnswer
        /// Say nothing for this many seconds, then close (a time-out).
        case stall(Double)
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var disposition: Disposition = .normal
    /// Seconds to wait before answering (injected latency).
    public var delay: Double = 0

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> ServerResponse {
        ServerResponse(
            status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    static let reasons: [Int: String] = [
        200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
        405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict", 411: "Length Required",
        413: "Payload Too Large", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
        500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
        504: "Gateway Timeout", 505: "HTTP Version Not Supported",
    ]
}
