#if canImport(Glibc)
import Glibc
#endif

/// A record key compared and hashed by its UTF-8 bytes.
///
/// `String`'s own hashing normalises non-ASCII text to NFC on every call, which dominates tables of
/// a million Chinese keys. Platforms compare keys byte for byte, so byte equality is also the
/// right meaning for a key.
public struct ByteKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let text: String

    public init(_ text: String) { self.text = text }

    public var description: String { text }

    public static func == (a: ByteKey, b: ByteKey) -> Bool {
        a.text.utf8.count == b.text.utf8.count && compare(a.text, b.text) == 0
    }

    /// Byte order (which for UTF-8 is code-point order).
    public static func < (a: ByteKey, b: ByteKey) -> Bool { compare(a.text, b.text) < 0 }

    public func hash(into hasher: inout Hasher) {
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if hashed == nil { for byte in text.utf8 { hasher.combine(byte) } }
    }

    private static func compare(_ a: String, _ b: String) -> Int {
        let result = a.utf8.withContiguousStorageIfAvailable { pa in
            b.utf8.withContiguousStorageIfAvailable { pb -> Int in
                let common = min(pa.count, pb.count)
                if common > 0, let x = pa.baseAddress, let y = pb.baseAddress {
                    let order = Int(memcmp(x, y, common))
                    if order != 0 { return order }
                }
                return pa.count - pb.count
            }
        }
        if let result = result ?? nil { return result }
        return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : (a.utf8.elementsEqual(b.utf8) ? 0 : 1)
    }
}
