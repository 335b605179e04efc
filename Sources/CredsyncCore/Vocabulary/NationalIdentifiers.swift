/// The check characters of the 统一社会信用代码 (GB 32100-2015) and the 身份证号 (GB 11643-1999).
public enum NationalIdentifiers {
    /// The 31 characters of the USCC's positions 9–18, in value order.
    public static let usccCharacters: [Character] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    private static let usccValues: [Character: Int] = Dictionary(
        uniqueKeysWithValues: usccCharacters.enumerated().map { ($1, $0) })
    private static let usccWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// The 个体工商户 placeholder: 17 zeros and X.
    public static let usccPlaceholder = "00000000000000000X"

    /// Each ASCII byte's value in the set, or -1.
    private static let usccByteValues: [Int] = {
        var table = [Int](repeating: -1, count: 128)
        for (value, character) in usccCharacters.enumerated() { table[Int(character.asciiValue ?? 0)] = value }
        return table
    }()

    /// The check character the first 17 characters call for, or nil when one of them is outside the set.
    public static func usccCheckCharacter(_ code: String) -> Character? {
        var sum = 0
        var i = 0
        for byte in code.utf8 {
            guard i < 17 else { break }
            guard byte < 128, case let value = usccByteValues[Int(byte)], value >= 0 else { return nil }
            sum += value * usccWeights[i]
            i += 1
        }
        guard i == 17 else { return nil }
        return usccCharacters[(31 - sum % 31) % 31]
    }

    /// Why `code` is not a valid USCC, or nil when it is.
    public static func usccProblem(_ code: String) -> String? {
        // Fast path: 18 ASCII characters with the right check character.
        if isValidUSCCBytes(code) == true { return nil }
        let chars = Array(code)
        guard chars.count == 18 else { return "has \(chars.count) characters, expected 18" }
        for (i, c) in chars.enumerated() where usccValues[c] == nil {
            return "character \(i + 1) '\(c)' is not one of 0-9 and A-Y without I, O, S, V, Z"
        }
        guard chars[2...7].allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return "positions 3–8 (the region) must be digits"
        }
        guard let expected = usccCheckCharacter(code) else { return "is not a valid code" }
        if chars[17] != expected { return "has a wrong check character (expected \(expected))" }
        return nil
    }

    /// Whether `code` is a valid USCC, read on its bytes; nil when its storage is not contiguous.
    private static func isValidUSCCBytes(_ code: String) -> Bool? {
        code.utf8.withContiguousStorageIfAvailable { bytes in
            guard bytes.count == 18 else { return false }
            // The tables read through pointers: this runs for every code of every record.
            return usccByteValues.withUnsafeBufferPointer { values in
                usccWeights.withUnsafeBufferPointer { weights in
                    var sum = 0
                    for i in 0..<17 {
                        let byte = Int(bytes[i])
                        guard byte < 128, case let value = values[byte], value >= 0 else { return false }
                        if i >= 2 && i < 8 && value > 9 { return false }
                        sum += value * weights[i]
                    }
                    let last = Int(bytes[17])
                    return last < 128 && values[last] == (31 - sum % 31) % 31
                }
            }
        }
    }

    /// Whether `code` is a valid USCC.
    public static func isValidUSCC(_ code: String) -> Bool { usccProblem(code) == nil }

    private static let idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let idChecks: [Character] = Array("10X98765432")

    /// Why `number` is not a valid 18-character 身份证号, or nil when it is.
    public static func idCardProblem(_ number: String) -> String? {
        let chars = Array(number)
        guard chars.count == 18 else { return "has \(chars.count) characters, expected 18" }
        var sum = 0
        for i in 0..<17 {
            guard let digit = chars[i].wholeNumberValue, chars[i].isASCII else {
                return "character \(i + 1) '\(chars[i])' is not a digit"
            }
            sum += digit * idWeights[i]
        }
        let birth = String(chars[6..<14])
        let iso = String(birth.prefix(4)) + "-" + String(birth.dropFirst(4).prefix(2)) + "-" + String(birth.suffix(2))
        guard LocalDate(iso: iso) != nil else { return "birth date \(birth) at positions 7–14 is not a real date" }
        let expected = idChecks[sum % 11]
        if chars[17] != expected { return "has a wrong check character (expected \(expected))" }
        return nil
    }

    /// Whether `number` is a valid 身份证号.
    public static func isValidIDCard(_ number: String) -> Bool { idCardProblem(number) == nil }

    /// A 证件号码 for people to read: the first 6 and last 4 characters, the rest masked.
    public static func masked(_ number: String) -> String {
        let chars = Array(number)
        guard chars.count > 10 else { return String(repeating: "*", count: chars.count) }
        return String(chars[0..<6]) + String(repeating: "*", count: chars.count - 10)
            + String(chars[(chars.count - 4)...])
    }
}
