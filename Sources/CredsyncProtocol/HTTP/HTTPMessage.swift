/// An HTTP request as credsync sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The full URL, already percent-encoded.
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// An HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names in lower case; the last value wins.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// How a client connects: time-outs, TLS and proxy.
public struct HTTPClientOptions: Sendable {
    /// Seconds to establish a connection (TCP and TLS).
    public var connectTimeout: Double = 10
    /// Seconds for the whole request.
    public var requestTimeout: Double = 60
    /// Verify the server's certificate and host name (on by default).
    public var verifyTLS = true
    /// A CA bundle (PEM) instead of the system's.
    public var caFile: String?
    /// The client certificate and key (PEM) for mutual TLS.
    public var clientCertificate: String?
    public var clientKey: String?
    /// An HTTP(S) proxy URL.
    public var proxy: String?
    /// The largest response body accepted, bytes.
    public var maxResponseBytes = 16 << 20
    /// Threads, and so connections, the client uses at most.
    public var connections = 4

    public init() {}
}
