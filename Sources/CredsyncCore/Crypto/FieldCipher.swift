/// Authenticated encryption of one field value at rest: SM4-CTR with a random counter block per
/// value, then HMAC-SM3 over the context, the counter block and the ciphertext (encrypt-then-MAC;
/// this libcrypto offers no SM4-GCM). The context (say "ledger.payload") binds a value to where
/// it is stored, so a value copied elsewhere does not open.
///
/// A sealed value is text: `sm4:1:<key id>:<hex of IV ‖ ciphertext ‖ MAC>`.
public struct FieldCipher: Sendable {
    public let key: DataKey

    public init(key: DataKey) {
        self.key = key
    }

    static let prefix = "sm4:1:"

    /// Whether `text` is a sealed value (of any key).
    public static func isSealed(_ text: String) -> Bool { text.hasPrefix(prefix) }

    /// The id of the key that sealed `text`, or nil when it is not a sealed value.
    public static func keyID(of text: String) -> String? {
        guard isSealed(text) else { return nil }
        let rest = text.dropFirst(prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        return String(rest[..<colon])
    }

    /// `plain` sealed under the key for `context`.
    public func seal(_ plain: String, context: String) throws(CryptoError) -> String {
        let iv = SecureRandom.bytes(SM4.blockLength)
        let body = try SM4.counter(Array(plain.utf8), key: key.encryption, iv: iv)
        let tag = try SM3.mac(key: key.authentication, message: Self.authenticated(context, iv + body))
        return Self.prefix + key.id + ":" + Hex.encode(iv + body + tag)
    }

    /// The plain value of `sealed`, after its MAC is checked; throws for another key's value, a
    /// value moved from another context, or any altered byte.
    public func open(_ sealed: String, context: String) throws(CryptoError) -> String {
        guard let id = Self.keyID(of: sealed) else { throw CryptoError("not a sealed value") }
        guard id == key.id else {
            throw CryptoError("sealed under data key \(id), not under the configured key \(key.id)")
        }
        let hex = sealed.dropFirst(Self.prefix.count + id.count + 1)
        guard let bytes = Hex.decode(String(hex)), bytes.count >= SM4.blockLength + SM3.digestLength else {
            throw CryptoError("a sealed value is cut short or garbled")
        }
        let iv = Array(bytes.prefix(SM4.blockLength))
        let body = Array(bytes[SM4.blockLength..<(bytes.count - SM3.digestLength)])
        let tag = Array(bytes.suffix(SM3.digestLength))
        let expected = try SM3.mac(key: key.authentication, message: Self.authenticated(context, iv + body))
        guard Self.constantTimeEqual(tag, expected) else {
            throw CryptoError("a sealed value does not check out (altered, or moved from another place)")
        }
        let plain = try SM4.counter(body, key: key.encryption, iv: iv)
        guard let text = String(validating: plain, as: UTF8.self) else {
            throw CryptoError("a sealed value is not text")
        }
        return text
    }

    static func authenticated(_ context: String, _ bytes: [UInt8]) -> [UInt8] {
        Array("credsync-field-1\u{0}\(context)\u{0}".utf8) + bytes
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
