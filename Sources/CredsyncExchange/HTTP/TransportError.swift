/// A request that got no HTTP answer: what failed, and for which URL.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case nameResolution = "name resolution failed"
        case connect = "could not connect"
        case tlsHandshake = "TLS handshake failed"
        case certificateVerification = "the server's certificate could not be verified"
        case hostNameMismatch = "the server's certificate does not match the host name"
        case clientCertificate = "the client certificate or key could not be used"
        case timeout = "timed out"
        case reset = "the connection was reset or dropped"
        case responseTooLarge = "the response was larger than the configured cap"
        case other = "the request failed"
    }

    public var kind: Kind
    public var url: String
    /// libcurl's own words, for the operator.
    public var detail: String

    public init(_ kind: Kind, url: String, detail: String) {
        self.kind = kind
        self.url = url
        self.detail = detail
    }

    public var description: String {
        "\(url): \(kind.rawValue)" + (detail.isEmpty ? "" : " (\(detail))")
    }

    /// Whether retrying later may help: network trouble may pass; a bad certificate will not.
    public var isTransient: Bool {
        switch kind {
        case .nameResolution, .connect, .timeout, .reset, .tlsHandshake, .other: return true
        case .certificateVerification, .hostNameMismatch, .clientCertificate, .responseTooLarge: return false
        }
    }
}
