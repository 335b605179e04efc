import CCrypto

/// SM3 (GB/T 32905-2016) and HMAC-SM3 (RFC 2104 with SM3) through libcrypto, for the exchange's
/// `HMAC-SM3` signature method. Every libcrypto call's return code is checked: a libcrypto built
/// without SM3 (or limited to a FIPS provider) makes these throw, never answer a wrong digest.
public enum SM3 {
    /// The length of a digest, in bytes.
    public static let digestLength = 32

    /// SM3 fetched once from the default provider; nil when this libcrypto has none.
    nonisolated(unsafe) static let algorithm: OpaquePointer? = EVP_MD_fetch(nil, "SM3", nil)

    /// Whether this libcrypto has SM3 (OpenSSL 1.1.1 and later do, unless built without it).
    public static var isAvailable: Bool { algorithm != nil }

    /// The 32-byte SM3 digest of `bytes`.
    public static func digest(_ bytes: [UInt8]) throws(CryptoError) -> [UInt8] {
        let algorithm = try fetched()
        var out = [UInt8](repeating: 0, count: digestLength)
        var length: UInt32 = 0
        let ok = bytes.withNonNullBytes { data in
            out.withUnsafeMutableBufferPointer { outBuffer in
                EVP_Digest(data.baseAddress, data.count, outBuffer.baseAddress, &length, algorithm, nil)
            }
        }
        guard ok == 1, length == UInt32(digestLength) else { throw CryptoError.libcrypto("SM3 digest") }
        return out
    }

    /// The lower-case hex SM3 digest of `bytes`.
    public static func hex(_ bytes: [UInt8]) throws(CryptoError) -> String {
        Hex.encode(try digest(bytes))
    }

    /// The 32-byte HMAC-SM3 of `message` under `key` (a key longer than SM3's 64-byte block is
    /// hashed first, as RFC 2104 says; libcrypto does it).
    public static func mac(key: [UInt8], message: [UInt8]) throws(CryptoError) -> [UInt8] {
        let algorithm = try fetched()
        guard let keyLength = Int32(exactly: key.count) else { throw CryptoError("HMAC-SM3: the key is too long") }
        var out = [UInt8](repeating: 0, count: digestLength)
        var length: UInt32 = 0
        let result = key.withNonNullBytes { keyBuffer in
            message.withNonNullBytes { messageBuffer in
                out.withUnsafeMutableBufferPointer { outBuffer in
                    HMAC(
                        algorithm, keyBuffer.baseAddress, keyLength,
                        messageBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count,
                        outBuffer.baseAddress, &length)
                }
            }
        }
        guard result != nil, length == UInt32(digestLength) else { throw CryptoError.libcrypto("HMAC-SM3") }
        return out
    }

    /// The lower-case hex HMAC-SM3 of a string under a string key, both as UTF-8.
    public static func macHex(key: String, message: String) throws(CryptoError) -> String {
        Hex.encode(try mac(key: Array(key.utf8), message: Array(message.utf8)))
    }

    private static func fetched() throws(CryptoError) -> OpaquePointer {
        guard let algorithm else {
            throw CryptoError(
                "this libcrypto has no SM3 (OpenSSL built without it, or a FIPS-only provider): "
                    + "HMAC-SM3 cannot be computed")
        }
        return algorithm
    }
}

/// A libcrypto operation that failed, with OpenSSL's reason where it gave one.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    /// The failure of `operation`, with the reason at the top of OpenSSL's error queue (the
    /// queue is emptied, so a later failure does not report this one's reason).
    static func libcrypto(_ operation: String) -> CryptoError {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return CryptoError("\(operation) failed in libcrypto") }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        let reason = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return CryptoError("\(operation) failed in libcrypto: \(reason)")
    }
}

extension Array where Element == UInt8 {
    /// Calls `body` with a buffer whose base address is never nil, even for an empty array: some
    /// libcrypto functions refuse a null pointer with a zero length.
    func withNonNullBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if isEmpty { return [UInt8(0)].withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<0])) } }
        return withUnsafeBytes(body)
    }
}
