public import CredsyncProtocol
/// What carries a request to a platform and its answer back. `HTTPClient` (libcurl, a real
/// socket) in every run; a test can hand the request to the sandbox's router in the same process
/// instead, as swift-nio's EmbeddedChannel does, and still exercise signing, flow control,
/// retries and the classification of answers.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the answer, or why there is none.
    func send(_ request: HTTPRequest) async -> Result<HTTPResponse, TransportError>
}

extension HTTPClient: HTTPTransport {}
