public import CredsyncCore

/// The exchange interface's request signature (exchange-api.md, "Transport and authentication"):
/// lower-case hex HMAC-SHA256, keyed with the application secret, of
/// `METHOD \n PATH \n QUERY \n TIMESTAMP \n NONCE \n hex(SHA-256(body))`; with HMAC-SM3 (version
/// 1.1, "Signature methods") the body hash is hex(SM3(body)) and the MAC HMAC-SM3.
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
        let text = stringToSign(
            method: method, path: path, query: query, timestamp: timestamp, nonce: nonce, body: body)
        return HMACSHA256.hex(key: secret, message: text)
    }

    /// The string to sign under `signatureMethod`: its last line is the body's digest by that method.
    public static func stringToSign(
        using signatureMethod: SignatureMethod, method: String, path: String, query: String, timestamp: Int,
        nonce: String, body: [UInt8]
    ) throws(CryptoError) -> String {
        let bodyHash = try signatureMethod.bodyHash(body)
        return [method.uppercased(), path, query, String(timestamp), nonce, bodyHash].joined(separator: "\n")
    }

    /// The signature of a request under `signatureMethod`, lower-case hex.
    public static func signature(
        using signatureMethod: SignatureMethod, secret: String, method: String, path: String, query: String,
        timestamp: Int, nonce: String, body: [UInt8]
    ) throws(CryptoError) -> String {
        let text = try stringToSign(
            using: signatureMethod, method: method, path: path, query: query, timestamp: timestamp, nonce: nonce,
            body: body)
        return try signatureMethod.mac(key: secret, message: text)
    }

    /// The exchange headers for a request signed under `signatureMethod`: the four of version 1.0,
    /// then `X-Exchange-Signature-Method` for any method but HMAC-SHA256 (whose header may be absent,
    /// so a 1.0 platform sees exactly the requests it always saw).
    public static func headers(
        using signatureMethod: SignatureMethod, appID: String, secret: String, method: String, path: String,
        query: String, body: [UInt8], now: Double = Timestamp.now(), nonce: String = SecureRandom.nonce()
    ) throws(CryptoError) -> [(String, String)] {
        let timestamp = Int(now.rounded(.down))
        let signature = try signature(
            using: signatureMethod, secret: secret, method: method, path: path, query: query, timestamp: timestamp,
            nonce: nonce, body: body)
        var headers = [
            ("X-Exchange-App", appID), ("X-Exchange-Timestamp", String(timestamp)), ("X-Exchange-Nonce", nonce),
            ("X-Exchange-Signature", signature),
        ]
        if signatureMethod != .hmacSHA256 { headers.append((SignatureMethod.headerName, signatureMethod.rawValue)) }
        return headers
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
