import CredsyncCore

/// The exchange interface's request signature (exchange-api.md, "Transport and authentication"):
/// lower-case hex HMAC-SHA256, keyed with the application secret, of
/// `METHOD \n PATH \n QUERY \n TIMESTAMP \n NONCE \n hex(SHA-256(body))`.
public enum RequestSigner {
    /// The canonical query: parameters sorted by name, then value, each `name=value` percent-encoded
    /// per RFC 3986, joined by `&`; empty when there are none.
    public static func canonicalQuery(_ parameters: [(String, String)]) -> String {
        parameters
            .map { (PercentEncoding.encode($0.0), PercentEncoding.encode($0.1)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { $0.0 + "=" + $0.1 }
            .joined(separator: "&")
    }

    /// The string to sign. `path` is the path as sent on the wire (percent-encoded, no query).
    public static func stringToSign(
        method: String, path: String, query: String, timestamp: Int, nonce: String, body: [UInt8]
    ) -> String {
        [method.uppercased(), path, query, String(timestamp), nonce, SHA256.hex(body)].joined(separator: "\n")
    }

    /// The signature of a request.
    public static func signature(
        secret: String, method: String, path: String, query: String, timestamp: Int, nonce: String, body: [UInt8]
    ) -> String {
        let text = stringToSign(method: method, path: path, query: query, timestamp: timestamp, nonce: nonce, body: body)
        return HMACSHA256.hex(key: secret, message: text)
    }

    /// The four exchange headers for a request, with a fresh nonce and the current time.
    public static func headers(
        appID: String, secret: String, method: String, path: String, query: String, body: [UInt8],
        now: Double = Timestamp.now(), nonce: String = SecureRandom.nonce()
    ) -> [(String, String)] {
        let timestamp = Int(now.rounded(.down))
        let signature = signature(
            secret: secret, method: method, path: path, query: query, timestamp: timestamp, nonce: nonce, body: body)
        return [
            ("X-Exchange-App", appID), ("X-Exchange-Timestamp", String(timestamp)), ("X-Exchange-Nonce", nonce),
            ("X-Exchange-Signature", signature),
        ]
    }
}
