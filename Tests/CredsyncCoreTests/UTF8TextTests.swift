import CredsyncCore
import Testing

@Suite struct UTF8TextTests {
    @Test(
        arguments: [
            ([0x41, 0xE6, 0xB5, 0x99], true),  // A浙
            ([0xF0, 0x9F, 0x98, 0x80], true),  // U+1F600
            ([0xF4, 0x8F, 0xBF, 0xBF], true),  // U+10FFFF
            ([0xC0, 0x80], false),  // overlong NUL
            ([0xE0, 0x80, 0x80], false),  // overlong
            ([0xED, 0xA0, 0x80], false),  // surrogate D800
            ([0xF4, 0x90, 0x80, 0x80], false),  // past U+10FFFF
            ([0xE6, 0xB5], false),  // cut short
            ([0x80], false),  // lone continuation
            ([0xD5, 0xE3], false),  // GB18030 浙, not UTF-8
        ] as [([UInt8], Bool)])
    func checksWellFormedness(bytes: [UInt8], expected: Bool) {
        #expect((UTF8Text.string(bytes) != nil) == expected)
    }

    @Test func agreesWithTheStandardLibraryOnRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let length = Int.random(in: 0..<24, using: &generator)
            // Mostly ASCII with some high bytes, so both paths and every lead byte are exercised.
            let bytes = (0..<length).map { _ in
                Bool.random(using: &generator)
                    ? UInt8.random(in: 0x20...0x7E, using: &generator)
                    : UInt8.random(in: 0x80...0xFF, using: &generator)
            }
            #expect(UTF8Text.string(bytes) == String(validating: bytes, as: UTF8.self), "\(bytes)")
        }
        // Well-formed text of every length class, then with one byte changed.
        let ranges: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF,
        ]
        for _ in 0..<20_000 {
            var text = ""
            for _ in 0..<Int.random(in: 1..<8, using: &generator) {
                let range = ranges.randomElement(using: &generator) ?? ranges[0]
                text.unicodeScalars.append(Unicode.Scalar(UInt32.random(in: range, using: &generator)) ?? "a")
            }
            var bytes = Array(text.utf8)
            #expect(UTF8Text.string(bytes) == text)
            bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...0xFF, using: &generator)
            #expect(UTF8Text.string(bytes) == String(validating: bytes, as: UTF8.self), "\(bytes)")
        }
    }
}
