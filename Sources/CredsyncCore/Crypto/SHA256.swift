#if canImport(Glibc)
    import Glibc
#endif
import CCrypto

/// SHA-256 through libcrypto's EVP interface, one-shot or streaming.
public final class SHA256 {
    private let context: OpaquePointer

    /// A fresh hasher. Returns nil only when libcrypto cannot allocate.
    public init?() {
        guard let context = EVP_MD_CTX_new() else { return nil }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            return nil
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Feeds bytes to the hash.
    public func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        _ = EVP_DigestUpdate(context, base, buffer.count)
    }

    /// Feeds bytes to the hash.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Feeds a string's UTF-8 to the hash.
    public func update(_ text: String) {
        var copy = text
        copy.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The 32-byte digest; call once, the hasher is spent.
    public func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return digest
    }

    /// The digest of `bytes`.
    public static func digest(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        Digest(of: buffer).bytes
    }

    /// The digest of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { digest($0) }
    }

    /// The digest of a string's UTF-8.
    public static func digest(_ text: String) -> [UInt8] {
        var copy = text
        return copy.withUTF8 { digest(UnsafeRawBufferPointer($0)) }
    }

    /// The lower-case hex digest of a string's UTF-8.
    public static func hex(_ text: String) -> String {
        Hex.encode(digest(text))
    }

    /// The lower-case hex digest of bytes.
    public static func hex(_ bytes: [UInt8]) -> String {
        Hex.encode(digest(bytes))
    }
}

extension SHA256 {
    /// A digest held inline, with no allocation: for hashing and comparing a million records.
    public struct Digest: Sendable, Equatable {
        private var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0

        /// The digest of `buffer`, through this thread's digest context.
        public init(of buffer: UnsafeRawBufferPointer) {
            var length: UInt32 = 0
            withUnsafeMutableBytes(of: &self) { raw in
                let out = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
                if let context = DigestContext.current() {
                    _ = EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
                    _ = EVP_DigestFinal_ex(context, out, &length)
                } else {
                    _ = EVP_Digest(buffer.baseAddress, buffer.count, out, &length, EVP_sha256(), nil)
                }
            }
        }

        /// The 32 bytes.
        public var bytes: [UInt8] { withUnsafeBytes(of: self) { Array($0) } }

        /// The lower-case hex form.
        public var hex: String { Hex.encode(bytes) }

        /// Whether `hex` is this digest's lower-case hex form, compared without making a string.
        public func matches(hex: UnsafeBufferPointer<UInt8>) -> Bool {
            withUnsafeBytes(of: self) { Hex.matches($0, hex) }
        }
    }
}

/// SHA-256 fetched once, and one digest context per thread, initialised again for each digest:
/// `EVP_Digest` with `EVP_sha256()` fetches the algorithm under a lock and allocates a context
/// every call, which doubled the cost of hashing a record.
enum DigestContext {
    nonisolated(unsafe) static let algorithm: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    /// The key of each thread's context, freed with its thread.
    static let key: pthread_key_t? = {
        var key = pthread_key_t()
        let made = pthread_key_create(&key) { context in
            EVP_MD_CTX_free(OpaquePointer(context))
        }
        return made == 0 ? key : nil
    }()

    /// This thread's context, ready for a new digest; nil when libcrypto cannot give one.
    static func current() -> OpaquePointer? {
        guard let key, let algorithm else { return nil }
        var context = pthread_getspecific(key).map(OpaquePointer.init)
        if context == nil {
            context = EVP_MD_CTX_new()
            guard context != nil else { return nil }
            pthread_setspecific(key, UnsafeRawPointer(context))
        }
        guard EVP_DigestInit_ex2(context, algorithm, nil) == 1 else { return nil }
        return context
    }
}
