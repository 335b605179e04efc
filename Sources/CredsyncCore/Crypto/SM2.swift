import CCrypto

/// An SM2 key read from PEM, for signing (private) or verifying (public) with SM3 as the digest,
/// through libcrypto. The signer id (the `distid` that enters SM2's Z value) is pinned to
/// `1234567812345678`, GB/T 32918's default: OpenSSL 3.0's own default is empty, and a signature
/// made under it verifies nowhere else.
public final class SM2Key: @unchecked Sendable {
    /// The signer id every signature is made and checked under.
    public static let signerID = "1234567812345678"

    // Immutable after init; libcrypto's EVP_PKEY may be used by several signing contexts at once.
    private let key: OpaquePointer
    /// Whether this is a private key (it can sign).
    public let isPrivate: Bool

    /// Reads a private key (`-----BEGIN PRIVATE KEY-----`, as `openssl genpkey -algorithm SM2` writes).
    /// A key with a passphrase, or of another algorithm, is refused with the reason.
    public init(privatePEM: [UInt8]) throws(SM2Error) {
        key = try Self.read(
            privatePEM, kind: "SM2 private key", hint: "make one with: openssl genpkey -algorithm SM2"
        ) { bio in PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) }
        isPrivate = true
    }

    /// Reads a public key (`-----BEGIN PUBLIC KEY-----`, as `openssl pkey -pubout` writes).
    public init(publicPEM: [UInt8]) throws(SM2Error) {
        key = try Self.read(
            publicPEM, kind: "SM2 public key", hint: "make it with: openssl pkey -in PRIVATE.pem -pubout"
        ) { bio in PEM_read_bio_PUBKEY(bio, nil, { _, _, _, _ in 0 }, nil) }
        isPrivate = false
    }

    deinit { EVP_PKEY_free(key) }

    /// The key in `pem`, checked to be SM2 before it is kept: a throw after `key` is set would run
    /// `deinit` and free it a second time.
    private static func read(
        _ pem: [UInt8], kind: String, hint: String, _ reader: (OpaquePointer?) -> OpaquePointer?
    ) throws(SM2Error) -> OpaquePointer {
        ERR_clear_error()
        let key: OpaquePointer? = pem.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return reader(bio)
        }
        guard let key else { throw SM2Error("not a PEM \(kind) libcrypto can read" + lastError() + "; " + hint) }
        guard EVP_PKEY_is_a(key, "SM2") == 1 else {
            EVP_PKEY_free(key)
            throw SM2Error("not an \(kind); " + hint)
        }
        return key
    }

    private static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return " (" + String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + ")"
    }

    /// The DER signature (SM2 over SM3, signer id pinned) of `message`.
    public func sign(_ message: [UInt8]) throws(SM2Error) -> [UInt8] {
        guard isPrivate else { throw SM2Error("a public key cannot sign") }
        // One call with room for the largest DER signature (72 bytes): asking for the length
        // first would feed the message to the digest twice.
        var signature = [UInt8](repeating: 0, count: 128)
        var length = signature.count
        let ok = withContext(signing: true) { context in
            message.withUnsafeBytes { input in
                signature.withUnsafeMutableBufferPointer { out in
                    EVP_DigestSign(
                        context, out.baseAddress, &length, input.baseAddress?.assumingMemoryBound(to: UInt8.self),
                        input.count) == 1
                }
            }
        }
        guard ok else { throw SM2Error("libcrypto could not sign" + Self.lastError()) }
        return Array(signature.prefix(length))
    }

    /// Whether `signature` (DER) is this key's SM2 signature of `message` under the pinned signer id.
    public func verify(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        withContext(signing: false) { context in
            message.withUnsafeBytes { input in
                signature.withUnsafeBytes { sig in
                    EVP_DigestVerify(
                        context, sig.baseAddress?.assumingMemoryBound(to: UInt8.self), sig.count,
                        input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count) == 1
                }
            }
        }
    }

    /// The first 16 hex digits of the SM3 hash of the public key's DER (SubjectPublicKeyInfo), as
    /// `openssl pkey -pubin -in PUB.pem -outform DER | openssl dgst -sm3` prints it: which key signed.
    public var fingerprint: String {
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_PUBKEY(key, &out)
        guard length > 0, let out else { return "unknown" }
        defer { CRYPTO_free(out, #file, #line) }
        var digest = [UInt8](repeating: 0, count: 32)
        var size: UInt32 = 0
        _ = EVP_Digest(out, Int(length), &digest, &size, EVP_sm3(), nil)
        return String(Hex.encode(digest).prefix(16))
    }

    /// A digest-sign or -verify context set up for SM3 with the pinned signer id, given to `body`.
    /// OpenSSL 3.0 refuses the id as a parameter of the init call (its Z flag is not set yet), so
    /// it is set on the key context right after, before any data.
    private func withContext(signing: Bool, _ body: (OpaquePointer) -> Bool) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        let initialised =
            signing
            ? EVP_DigestSignInit_ex(context, &keyContext, "SM3", nil, nil, key, nil)
            : EVP_DigestVerifyInit_ex(context, &keyContext, "SM3", nil, nil, key, nil)
        guard initialised == 1, let keyContext else { return false }
        let id = Array(Self.signerID.utf8)
        guard EVP_PKEY_CTX_set1_id(keyContext, id, Int32(id.count)) == 1 else { return false }
        return body(context)
    }
}

/// Why an SM2 key could not be read or used.
public struct SM2Error: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Standard base64 (RFC 4648, with padding), as `base64 -d` and `openssl base64 -d -A` read it.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The base64 text of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var chunk = UInt32(bytes[i]) << 16
            if n > 1 { chunk |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { chunk |= UInt32(bytes[i + 2]) }
            for j in 0..<4 {
                out.append(j <= n ? alphabet[Int((chunk >> UInt32(18 - 6 * j)) & 63)] : UInt8(ascii: "="))
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of base64 `text`, or nil when it is not base64.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < chars.count {
            var chunk: UInt32 = 0
            var padding = 0
            for j in 0..<4 {
                let c = chars[i + j]
                if c == UInt8(ascii: "="), i + 4 == chars.count, j >= 2 {
                    padding += 1
                    chunk <<= 6
                    continue
                }
                guard padding == 0, let value = alphabet.firstIndex(of: c) else { return nil }
                chunk = chunk << 6 | UInt32(value)
            }
            out.append(UInt8(chunk >> 16 & 0xFF))
            if padding < 2 { out.append(UInt8(chunk >> 8 & 0xFF)) }
            if padding < 1 { out.append(UInt8(chunk & 0xFF)) }
            i += 4
        }
        return out
    }
}
