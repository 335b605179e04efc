import CredsyncCore

/// Turns the bytes of one field into text in the export's encoding. With `auto`, the first
/// non-ASCII field decides for the whole file: valid UTF-8 means UTF-8, anything else GB18030
/// (a byte-order mark has already chosen UTF-8). One per thread: it keeps scratch room.
final class TextDecoder {
    enum Choice: Sendable { case utf8, gb18030, undecided }

    private(set) var choice: Choice
    private var converter: GB18030.Converter?
    /// Output room reused from field to field.
    private var scratch: [UInt8] = []

    init(_ encoding: CatalogConfig.Encoding) {
        switch encoding {
        case .utf8: choice = .utf8
        case .gb18030: choice = .gb18030
        case .auto: choice = .undecided
        }
    }

    init(choice: Choice) {
        self.choice = choice
    }

    /// A byte-order mark settles `auto` as UTF-8.
    func sawByteOrderMark() {
        if choice == .undecided { choice = .utf8 }
    }

    /// The text of field `index` of `fields`, or nil when its bytes are not valid in the encoding.
    func decode(_ fields: CSVTokenizer.Fields, field index: Int) -> String? {
        let range = fields.field(index)
        return fields.bytes.withUnsafeBufferPointer { decode(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// The text of `bytes`, or nil when they are not valid in the encoding or hold a byte-order
    /// mark (`problem(_:)` then says which).
    func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if Self.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        switch choice {
        case .utf8:
            return UTF8Text.isWellFormedWithoutByteOrderMark(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
        case .gb18030:
            return decodeGB18030(bytes)
        case .undecided:
            // A byte-order mark in a value is damage, not a sign of another encoding.
            if UTF8Text.isWellFormed(bytes) {
                choice = .utf8
                return UTF8Text.isWellFormedWithoutByteOrderMark(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
            }
            choice = .gb18030
            return decodeGB18030(bytes)
        }
    }

    /// Why `decode(_:)` refused `bytes`, for a message: a byte-order mark, or the first bytes shown in hex.
    func problem(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if hasByteOrderMark(bytes) { return "a byte-order mark (U+FEFF) inside the value" }
        let shown = bytes.prefix(8).map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
        return "bytes that are not valid \(encodingName) (\(shown)…)"
    }

    /// `bytes` without the byte-order marks in them, in this decoder's encoding (UTF-8's EF BB BF;
    /// in GB18030 also 84 31 95 33).
    func withoutByteOrderMarks(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if let length = byteOrderMarkLength(bytes, at: i) {
                i += length
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    /// The text of `bytes` as far as it can be read: the byte-order marks dropped, invalid bytes
    /// as U+FFFD. For recognising a key in a row that cannot be read, never for a value.
    func leniently(_ bytes: [UInt8]) -> String {
        let stripped = bytes.withUnsafeBufferPointer { withoutByteOrderMarks($0) }
        if let text = stripped.withUnsafeBufferPointer({ decode($0) }) { return text }
        return String(decoding: stripped, as: UTF8.self)
    }

    private func hasByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        (0..<bytes.count).contains { byteOrderMarkLength(bytes, at: $0) != nil }
    }

    private func byteOrderMarkLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        func matches(_ mark: [UInt8]) -> Bool {
            i + mark.count <= bytes.count && mark.indices.allSatisfy { bytes[i + $0] == mark[$0] }
        }
        if matches([0xEF, 0xBB, 0xBF]) { return 3 }
        if choice == .gb18030, matches([0x84, 0x31, 0x95, 0x33]) { return 4 }
        return nil
    }

    /// The name of the encoding in use, for messages.
    var encodingName: String {
        switch choice {
        case .utf8: return "UTF-8"
        case .gb18030: return "GB18030"
        case .undecided: return "ASCII so far"
        }
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if let base = bytes.baseAddress {
            while i + 8 <= bytes.count {
                if UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
                    return false
                }
                i += 8
            }
        }
        while i < bytes.count {
            if bytes[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    private func decodeGB18030(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if let text = GB18030.shared.string(bytes) { return text }
        scratch.removeAll(keepingCapacity: true)
        guard GB18030.shared.decode(bytes, into: &scratch, converter: &converter) else { return nil }
        // The tables and iconv write well-formed UTF-8 only.
        return String(decoding: scratch, as: UTF8.self)
    }
}
