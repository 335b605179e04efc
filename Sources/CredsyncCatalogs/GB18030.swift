#if canImport(Glibc)
    import Glibc
#endif

/// GB18030 to UTF-8 by table: one- and two-byte codes looked up, built once from iconv itself so
/// both agree code for code; the rare four-byte codes go through iconv one at a time. An iconv
/// call per field cost more than the rest of reading the field.
final class GB18030: Sendable {
    /// The UTF-8 of every two-byte code, `(lead - 0x81) * 256 + trail`, packed low byte first with
    /// its length in the top byte; 0 where the code is not valid.
    private let pairs: [UInt32]
    /// The same for single bytes 0x80...0xFF (0 where the byte is not a character by itself).
    private let singles: [UInt32]

    /// The table, built on first use.
    static let shared = GB18030()

    private init() {
        let converter = Converter()
        var pairs = [UInt32](repeating: 0, count: 126 * 256)
        for lead in 0x81...0xFE {
            for trail in 0x40...0xFE where trail != 0x7F {
                pairs[(lead - 0x81) * 256 + trail] = converter.packed([UInt8(lead), UInt8(trail)])
            }
        }
        var singles = [UInt32](repeating: 0, count: 128)
        for byte in 0x80...0xFF { singles[byte - 0x80] = converter.packed([UInt8(byte)]) }
        // EF BB (锘) begins the UTF-8 byte-order mark: sent the slow way, where `decode` refuses a mark.
        pairs[(0xEF - 0x81) * 256 + 0xBB] = Self.askIconv
        self.pairs = pairs
        self.singles = singles
    }

    /// The text of `bytes` written straight into a string, when every code is in the tables;
    /// nil when one is not (a four-byte code, or bytes that are not GB18030): `decode` then says.
    func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var complete = true
        // At most three bytes of UTF-8 for each byte read (a single byte such as 0x80 is €), and
        // one more: a code's UTF-8 is stored as four bytes at once, the last one written over next.
        let text = pairs.withUnsafeBufferPointer { pairs in
            singles.withUnsafeBufferPointer { singles in
                String(unsafeUninitializedCapacity: bytes.count * 3 + 1) { out in
                    guard let base = UnsafeMutableRawPointer(out.baseAddress) else { return 0 }
                    var i = 0
                    var n = 0
                    while i < bytes.count {
                        let byte = bytes[i]
                        if byte < 0x80 {
                            out[n] = byte
                            n += 1
                            i += 1
                            continue
                        }
                        let (packed, length) = Self.code(at: i, of: bytes, pairs: pairs, singles: singles)
                        i += length
                        guard packed != 0 && packed != Self.askIconv else {
                            complete = false
                            return 0
                        }
                        base.storeBytes(of: packed.littleEndian, toByteOffset: n, as: UInt32.self)
                        n += Int(packed >> 24)
                    }
                    return n
                }
            }
        }
        return complete ? text : nil
    }

    /// Appends the UTF-8 of `bytes` to `out`; false (with `out` partly written) when they are not
    /// valid GB18030. `converter` handles four-byte codes; made when the first one comes.
    func decode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], converter: inout Converter?) -> Bool {
        var i = 0
        let count = bytes.count
        while i < count {
            let byte = bytes[i]
            if byte < 0x80 {
                out.append(byte)
                i += 1
                continue
            }
            let (packed, length) = pairs.withUnsafeBufferPointer { pairs in
                singles.withUnsafeBufferPointer { Self.code(at: i, of: bytes, pairs: pairs, singles: $0) }
            }
            if packed == 0 || packed == Self.askIconv {
                guard i + length <= count else { return false }
                // A byte-order mark, in UTF-8 (EF BB BF) or in GB18030 (84 31 95 33, U+FEFF), is not text.
                if byte == 0xEF, i + 2 < count, bytes[i + 1] == 0xBB, bytes[i + 2] == 0xBF { return false }
                if converter == nil { converter = Converter() }
                let before = out.count
                guard let converter,
                    converter.convert(UnsafeBufferPointer(rebasing: bytes[i..<(i + length)]), into: &out)
                else { return false }
                if out.count - before == 3, out[before...].elementsEqual([0xEF, 0xBB, 0xBF]) { return false }
            } else {
                for k in 0..<Int(packed >> 24) { out.append(UInt8(truncatingIfNeeded: packed >> (8 * UInt32(k)))) }
            }
            i += length
        }
        return true
    }

    /// The packed UTF-8 of the non-ASCII code at `i` and its length in bytes: 0 for a four-byte
    /// code (the tables do not hold them) or bytes that are not a code.
    @inline(__always)
    private static func code(
        at i: Int, of bytes: UnsafeBufferPointer<UInt8>, pairs: UnsafeBufferPointer<UInt32>,
        singles: UnsafeBufferPointer<UInt32>
    ) -> (UInt32, Int) {
        let byte = bytes[i]
        guard byte >= 0x81 && byte <= 0xFE && i + 1 < bytes.count else { return (singles[Int(byte - 0x80)], 1) }
        let trail = bytes[i + 1]
        if trail >= 0x30 && trail <= 0x39 { return (0, 4) }
        return (pairs[Int(byte - 0x81) * 256 + Int(trail)], 2)
    }

    /// A code whose UTF-8 does not fit the packing (more than three bytes): iconv converts it.
    static let askIconv: UInt32 = 0xFF00_0000

    /// One iconv handle, GB18030 to UTF-8: not shared between threads.
    final class Converter {
        private let handle: iconv_t?
        private var output = [UInt8](repeating: 0, count: 64)

        init() {
            let handle = iconv_open("UTF-8", "GB18030")
            self.handle = handle.flatMap { Int(bitPattern: $0) == -1 ? nil : $0 }
        }

        deinit {
            if let handle { iconv_close(handle) }
        }

        /// Appends the UTF-8 of `code` (a few characters at most) to `out`; false when iconv refuses it.
        func convert(_ code: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
            guard let handle, code.count <= 16 else { return false }
            _ = iconv(handle, nil, nil, nil, nil)
            let produced: Int? = output.withUnsafeMutableBytes { outBytes in
                var inPointer = UnsafeMutableRawPointer(mutating: code.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var inLeft = code.count
                var outPointer = outBytes.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = outBytes.count
                let result = iconv(handle, &inPointer, &inLeft, &outPointer, &outLeft)
                return result == -1 || inLeft != 0 ? nil : outBytes.count - outLeft
            }
            guard let produced else { return false }
            out.append(contentsOf: output[0..<produced])
            return true
        }

        /// `code` as the tables keep it: its UTF-8 packed with the length on top, 0 when invalid.
        func packed(_ code: [UInt8]) -> UInt32 {
            var utf8: [UInt8] = []
            guard code.withUnsafeBufferPointer({ convert($0, into: &utf8) }), !utf8.isEmpty else { return 0 }
            guard utf8.count <= 3 else { return GB18030.askIconv }
            var packed = UInt32(utf8.count) << 24
            for (k, byte) in utf8.enumerated() { packed |= UInt32(byte) << (8 * UInt32(k)) }
            return packed
        }
    }
}
