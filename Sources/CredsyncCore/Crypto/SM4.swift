import CCrypto

/// SM4 (GB/T 32907-2016) in counter mode through libcrypto: the cipher of `FieldCipher`.
/// Counter mode alone gives no integrity; `FieldCipher` adds HMAC-SM3 over the result.
public enum SM4 {
    /// The key and block length, in bytes.
    public static let keyLength = 16
    public static let blockLength = 16

    nonisolated(unsafe) static let counterMode: OpaquePointer? = EVP_CIPHER_fetch(nil, "SM4-CTR", nil)

    /// Whether this libcrypto has SM4 (OpenSSL 1.1.1 and later do, unless built without it).
    public static var isAvailable: Bool { counterMode != nil }

    /// `bytes` encrypted (or decrypted: counter mode is its own inverse) under `key` from the
    /// 16-byte initial counter block `iv`.
    public static func counter(_ bytes: [UInt8], key: [UInt8], iv: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard let cipher = counterMode else {
            throw CryptoError("this libcrypto has no SM4 (OpenSSL built without it, or a FIPS-only provider)")
        }
        guard key.count == keyLength, iv.count == blockLength else {
            throw CryptoError("SM4-CTR: the key and the counter block must be 16 bytes each")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError.libcrypto("SM4-CTR context") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_EncryptInit_ex2(context, cipher, key, iv, nil) == 1 else {
            throw CryptoError.libcrypto("SM4-CTR init")
        }
        guard let length = Int32(exactly: bytes.count) else { throw CryptoError("SM4-CTR: the value is too long") }
        var out = [UInt8](repeating: 0, count: bytes.count + blockLength)
        var written: Int32 = 0
        var final: Int32 = 0
        let ok = bytes.withNonNullBytes { input in
            out.withUnsafeMutableBufferPointer { output in
                guard let base = output.baseAddress else { return false }
                let data = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
                return EVP_EncryptUpdate(context, base, &written, data, length) == 1
                    && EVP_EncryptFinal_ex(context, base + Int(written), &final) == 1
            }
        }
        guard ok else { throw CryptoError.libcrypto("SM4-CTR") }
        return Array(out.prefix(Int(written + final)))
    }
}
