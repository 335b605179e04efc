#if canImport(Glibc)
import Glibc
#endif
import CredsyncCore

/// Turns the bytes of one field into text in the export's encoding. With `auto`, the first
/// non-ASCII field decides for the whole file: valid UTF-8 means UTF-8, anything else GB18030
/// (a byte-order mark has already chosen UTF-8).
final class TextDecoder {
    enum Choice { case utf8, gb18030, undecided }

    private(set) var choice: Choice
    private var converter: iconv_t?

    init(_ encoding: CatalogConfig.Encoding) {
        switch encoding {
        case .utf8: choice = .utf8
        case .gb18030: choice = .gb18030
        case .auto: choice = .undecided
        }
    }

    deinit {
        if let converter { iconv_close(converter) }
    }

    /// A byte-order mark settles `auto` as UTF-8.
    func sawByteOrderMark() {
        if choice == .undecided { choice = .utf8 }
    }

    /// The text of `bytes`, or nil when they are not valid in the encoding.
    func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        switch choice {
        case .utf8:
            return bytes.withUnsafeBufferPointer { UTF8Text.string($0) }
        case .gb18030:
            return decodeGB18030(bytes)
        case .undecided:
            if let text = bytes.withUnsafeBufferPointer({ UTF8Text.string($0) }) {
                choice = .utf8
                return text
            }
            choice = .gb18030
            return decodeGB18030(bytes)
        }
    }

    /// The name of the encoding in use, for messages.
    var encodingName: String {
        switch choice {
        case .utf8: return "UTF-8"
        case .gb18030: return "GB18030"
        case .undecided: return "ASCII so far"
        }
    }

    /// Output room reused from field to field: a field costs one iconv call and one string.
    private var scratch: [UInt8] = []

    private func decodeGB18030(_ bytes: ArraySlice<UInt8>) -> String? {
        if converter == nil {
            let handle = iconv_open("UTF-8", "GB18030")
            guard let handle, Int(bitPattern: handle) != -1 else { return nil }
            converter = handle
        }
        guard let converter else { return nil }
        _ = iconv(converter, nil, nil, nil, nil)
        // GB18030 takes at most 4 bytes, UTF-8 at most 4, per character: twice the input is room enough.
        let needed = bytes.count * 2 + 16
        if scratch.count < needed { scratch = [UInt8](repeating: 0, count: max(needed, 4096)) }
        let produced: Int? = bytes.withUnsafeBufferPointer { inBuffer in
            scratch.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer = UnsafeMutablePointer(mutating: inBuffer.baseAddress).map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
                var inLeft = inBuffer.count
                var outPointer = UnsafeMutableRawPointer(outBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                if result == -1 || inLeft != 0 { return nil }
                return outBuffer.count - outLeft
            }
        }
        guard let produced else { return nil }
        // iconv writes well-formed UTF-8 only.
        return scratch.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[0..<produced]), as: UTF8.self) }
    }
}
