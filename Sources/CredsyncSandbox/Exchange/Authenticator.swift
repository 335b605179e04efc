import CredsyncCore
import Synchronization
import CredsyncProtocol

/// Checks the exchange headers as a national platform does: unknown app, clock skew (±300 s),
/// signature by the method `X-Exchange-Signature-Method` names (HMAC-SHA256 when absent; a platform
/// in `requiringSM3` refuses any method but HMAC-SM3), replayed nonce (900 s).
final class Authenticator: Sendable {
    private let apps: [String: String]
    private let requiringSM3: Set<PlatformID>
    private let nonces = Mutex<[String: Double]>([:])

    init(apps: [String: String], requiringSM3: Set<PlatformID> = []) {
        self.apps = apps
        self.requiringSM3 = requiringSM3
    }

    /// Nil when the request to `platform` may pass; else the 401 answer.
    func refusal(_ request: ServerRequest, platform: PlatformID, now: Double) -> ServerResponse? {
        func refuse(_ code: String, _ message: String) -> ServerResponse {
            SandboxJSON.error(401, code: code, message: message)
        }
        guard let app = request.header("x-exchange-app"), let secret = apps[app] else {
            return refuse("UNKNOWN_APP", "unknown application id")
        }
        guard let timestampText = request.header("x-exchange-timestamp"), let timestamp = Int(timestampText) else {
            return refuse("BAD_SIGNATURE", "X-Exchange-Timestamp is missing or not whole seconds")
        }
        if abs(Double(timestamp) - now) > 300 {
            return refuse("CLOCK_SKEW", "timestamp is more than 300 s from the platform's clock")
        }
        guard let nonce = request.header("x-exchange-nonce"), nonce.count == 32,
            nonce.allSatisfy({ "0123456789abcdef".contains($0) })
        else { return refuse("BAD_SIGNATURE", "X-Exchange-Nonce must be 32 lower-case hex characters") }
        guard let query = Self.canonicalQuery(request.rawQuery) else {
            return refuse("BAD_SIGNATURE", "the query string is not valid percent-encoding")
        }
        let methodName = request.header(SignatureMethod.headerName.lowercased()) ?? SignatureMethod.hmacSHA256.rawValue
        guard let signatureMethod = SignatureMethod(rawValue: methodName) else {
            return refuse("BAD_SIGNATURE", "unknown signature method \"\(methodName)\": use HMAC-SHA256 or HMAC-SM3")
        }
        if requiringSM3.contains(platform), signatureMethod != .hmacSM3 {
            return refuse("BAD_SIGNATURE", "signature method HMAC-SM3 required")
        }
        let expected: String
        do {
            expected = try RequestSigner.signature(
                using: signatureMethod, secret: secret, method: request.method, path: request.rawPath, query: query,
                timestamp: timestamp, nonce: nonce, body: request.body)
        } catch {
            return SandboxJSON.error(500, code: "INTERNAL", message: "the platform cannot verify: \(error)")
        }
        guard request.header("x-exchange-signature") == expected else {
            return refuse("BAD_SIGNATURE", "the signature does not match the request")
        }
        let replayed = nonces.withLock { seen -> Bool in
            if seen.count > 100_000 { seen = seen.filter { now - $0.value < 900 } }
            if let at = seen[nonce], now - at < 900 { return true }
            seen[nonce] = now
            return false
        }
        return replayed ? refuse("REPLAY", "this nonce was used in the last 900 s") : nil
    }

    /// The query's parameters, decoded, then canonicalised as the signature defines.
    static func canonicalQuery(_ raw: String) -> String? {
        guard let parameters = queryParameters(raw) else { return nil }
        return RequestSigner.canonicalQuery(parameters)
    }

    static func queryParameters(_ raw: String) -> [(String, String)]? {
        var parameters: [(String, String)] = []
        for pair in raw.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentEncoding.decode(parts[0]),
                let value = PercentEncoding.decode(parts.count > 1 ? parts[1] : "")
            else { return nil }
            parameters.append((name, value))
        }
        return parameters
    }
}
