import CredsyncCore
import CredsyncExchange
import Synchronization

/// Checks the four exchange headers as a national platform does: unknown app, clock skew
/// (±300 s), signature, replayed nonce (900 s).
final class Authenticator: Sendable {
    private let apps: [String: String]
    private let nonces = Mutex<[String: Double]>([:])

    init(apps: [String: String]) {
        self.apps = apps
    }

    /// Nil when the request may pass; else the 401 answer.
    func refusal(_ request: ServerRequest, now: Double) -> ServerResponse? {
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
        let expected = RequestSigner.signature(
            secret: secret, method: request.method, path: request.rawPath, query: query, timestamp: timestamp,
            nonce: nonce, body: request.body)
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
