#if canImport(Glibc)
    import Glibc
#endif

/// A record key compared and hashed by its UTF-8 bytes.
///
/// `String`'s own hashing normalises non-ASCII text to NFC on every call, which dominates tables of
/// a million Chinese keys. Platforms compare keys byte for byte, so byte equality is also the
/// right meaning for a key.
public struct ByteKey: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    public init(_ text: String) { self.text = text }

    public var description: String { text }

    public static func == (a: ByteKey, b: ByteKey) -> Bool {
        let equal = a.text.utf8.withContiguousStorageIfAvailable { x in
            b.text.utf8.withContiguousStorageIfAvailable { y in
                guard x.count == y.count, let left = x.baseAddress, let right = y.baseAddress else {
                    return x.count == y.count
                }
                return memcmp(left, right, x.count) == 0
            }
        }
        return (equal ?? nil) ?? a.text.utf8.elementsEqual(b.text.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if hashed == nil { for byte in text.utf8 { hasher.combine(byte) } }
    }
}
