/// How an exchange request (or a file-channel batch) is signed: exchange-api.md 1.1, "Signature
/// methods". Named on the wire by `X-Exchange-Signature-Method`; HMAC-SHA256 when it is absent.
public enum SignatureMethod: String, Sendable, CaseIterable, Hashable {
    /// HMAC-SHA256 of the string to sign, whose last line is hex(SHA-256(body)): version 1.0.
    case hmacSHA256 = "HMAC-SHA256"
    /// HMAC-SM3 of the string to sign, whose last line is hex(SM3(body)), for 商用密码应用安全性评估.
    case hmacSM3 = "HMAC-SM3"

    /// The request header that names the method.
    public static let headerName = "X-Exchange-Signature-Method"

    /// The lower-case hex digest of `body`: the last line of the string to sign.
    public func bodyHash(_ body: [UInt8]) throws(CryptoError) -> String {
        switch self {
        case .hmacSHA256: SHA256.hex(body)
        case .hmacSM3: try SM3.hex(body)
        }
    }

    /// The lower-case hex MAC of `message` under `key`, both as UTF-8.
    public func mac(key: String, message: String) throws(CryptoError) -> String {
        switch self {
        case .hmacSHA256: HMACSHA256.hex(key: key, message: message)
        case .hmacSM3: try SM3.macHex(key: key, message: message)
        }
    }
}
