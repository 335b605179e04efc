import CCrypto

/// HMAC-SHA256 through libcrypto.
public enum HMACSHA256 {
    /// The 32-byte MAC of `message` under `key`. Should libcrypto fail (it practically never does),
    /// the MAC is computed here from SHA-256 as RFC 2104 has it, never left as zeros.
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let done =
            key.count <= Int(Int32.max)
            && key.withUnsafeBytes { keyBuffer in
                message.withUnsafeBytes { messageBuffer in
                    out.withUnsafeMutableBufferPointer { outBuffer in
                        HMAC(
                            EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count),
                            messageBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBuffer.count,
                            outBuffer.baseAddress, &length) != nil
                    }
                }
            }
        guard done, length == 32 else { return rfc2104(key: key, message: message) }
        return out
    }

    /// HMAC-SHA256 on the package's own SHA-256: the fallback when libcrypto's call fails.
    static func rfc2104(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? SHA256.digest(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = SHA256.digest(block.map { $0 ^ 0x36 } + message)
        return SHA256.digest(block.map { $0 ^ 0x5c } + inner)
    }

    /// The lower-case hex MAC of a string under a string key, both as UTF-8.
    public static func hex(key: String, message: String) -> String {
        Hex.encode(mac(key: Array(key.utf8), message: Array(message.utf8)))
    }
}

/// Random bytes from libcrypto's CSPRNG, for nonces and batch ids.
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        if ok != 1 {
            // libcrypto's generator failed (it practically never does); fall back to the system's.
            var generator = SystemRandomNumberGenerator()
            for i in 0..<count { out[i] = UInt8.random(in: 0...255, using: &generator) }
        }
        return out
    }

    /// 32 lower-case hex characters: an exchange nonce.
    public static func nonce() -> String { Hex.encode(bytes(16)) }

    /// A random (version 4) UUID in lower case: a batch id.
    public static func uuid() -> String {
        var b = bytes(16)
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        let hex = Hex.encode(b)
        let chars = Array(hex)
        return String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-" + String(chars[12..<16]) + "-"
            + String(chars[16..<20]) + "-" + String(chars[20..<32])
    }
}
