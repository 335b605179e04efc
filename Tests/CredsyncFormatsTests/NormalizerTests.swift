import Testing

@testable import CredsyncFormats

/// The normalisations rewritten on bytes give exactly what the scalar versions they replaced
/// gave; those are kept here as the reference.
@Suite struct NormalizerTests {
    static func referenceHalfWidth(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if (0xFF01...0xFF5E).contains(scalar.value), let half = Unicode.Scalar(scalar.value - 0xFEE0) {
                out.append(half)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    static func referenceCode(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in referenceHalfWidth(text).unicodeScalars {
            if (0x61...0x7A).contains(scalar.value), let upper = Unicode.Scalar(scalar.value - 0x20) {
                out.append(upper)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    static func referenceName(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "(": out.append("（")
            case ")": out.append("）")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// Every full-width form and its neighbours (U+FF00, U+FF5F, U+FEFF, U+FFxx…), Chinese text
    /// whose UTF-8 holds BC and BD bytes, brackets of both widths, four-byte characters.
    static let pieces: [String] = {
        var pieces = (0xFF00...0xFF60).compactMap { Unicode.Scalar($0).map { String(Character($0)) } }
        pieces += [
            "\u{FEFF}", "\u{FFE5}", "\u{FF61}", "\u{FFBC}", "\u{3000}", "（", "）", "(", ")", "a", "z", "A", "Z", "{",
            "`", "0", " ",
            "贼", "减", "兼", "杭州", "有限公司", "𠀀", "🧾", "é", "\u{301}", ";", "-",
        ]
        return pieces
    }()

    @Test func bytesGiveWhatScalarsGave() {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for piece in Self.pieces {
            #expect(
                Normalizer.halfWidth(piece) == Self.referenceHalfWidth(piece),
                "\(piece.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(Normalizer.code(piece) == Self.referenceCode(piece))
            #expect(Normalizer.name(piece) == Self.referenceName(piece))
        }
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                Self.pieces.randomElement(using: &generator) ?? ""
            }.joined()
            let (half, code, name) = (Normalizer.halfWidth(text), Normalizer.code(text), Normalizer.name(text))
            if half != Self.referenceHalfWidth(text) || code != Self.referenceCode(text)
                || name != Self.referenceName(text)
            {
                Issue.record("differs on \(text.unicodeScalars.map { String($0.value, radix: 16) })")
                break
            }
            // Equal as text is not enough: the bytes must be the same too.
            #expect(Array(half.utf8) == Array(Self.referenceHalfWidth(text).utf8))
            checked += 1
        }
        #expect(checked == 20_000)
    }
}
