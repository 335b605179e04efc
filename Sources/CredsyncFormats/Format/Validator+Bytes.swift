import CredsyncCore

/// The checks that run for every record read on the UTF-8 bytes: a valid value passes without a
/// `Character` or a normalising `String` comparison; anything else goes the general way, which
/// words the reason.
extension Validator {
    /// `NationalIdentifiers.idCardProblem`, with a valid 身份证号 recognised on its bytes first.
    static func idCardProblem(_ number: String) -> String? {
        if isValidIDCardBytes(number) == true { return nil }
        return NationalIdentifiers.idCardProblem(number)
    }

    /// Whether `number` is 17 ASCII digits (positions 7–14 a real birth date) and the right check
    /// character; nil when its storage is not contiguous.
    static func isValidIDCardBytes(_ number: String) -> Bool? {
        number.utf8.withContiguousStorageIfAvailable { bytes in
            guard bytes.count == 18 else { return false }
            var sum = 0
            var birth = 0
            for i in 0..<17 {
                let digit = Int(bytes[i] &- 0x30)
                guard digit < 10 else { return false }
                sum += digit * idWeights[i]
                if i >= 6 && i < 14 { birth = birth * 10 + digit }
            }
            let date = LocalDate(year: birth / 10000, month: birth / 100 % 100, day: birth % 100)
            guard date != nil else { return false }
            return bytes[17] == idChecks[sum % 11]
        }
    }

    private static let idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let idChecks: [UInt8] = Array("10X98765432".utf8)

    /// Whether `a` and `b` hold the same bytes (then they are equal as text too).
    @inline(__always)
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        ByteKey(a) == ByteKey(b)
    }
}
