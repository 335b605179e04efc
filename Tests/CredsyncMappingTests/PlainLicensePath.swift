#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore
import Foundation

@testable import CredsyncMapping
@testable import CredsyncFormats

/// What became of one row, as the differential test compares the two paths.
enum RowFate: Equatable, CustomStringConvertible {
    /// A valid record: its key, its values by format field, and its payload's hash for "-" and "/".
    case record(key: String, values: [String?], hashes: [String])
    case setAside(key: String?, reasons: [Reason])
    case excluded(key: String?, reason: String)
    /// Not readable as a row (a reader's problem, or a value that is not valid in the encoding).
    case damaged

    var description: String {
        switch self {
        case .record(let key, let values, _): return "record \(key) \(values.map { $0 ?? "" }.joined(separator: ","))"
        case .setAside(let key, let reasons):
            return "set aside \(key ?? "-"): \(reasons.map(\.description).joined(separator: "; "))"
        case .excluded(let key, let reason): return "excluded \(key ?? "-"): \(reason)"
        case .damaged: return "damaged"
        }
    }
}

/// A plain reference for reading and mapping a CSV export: the file split into fields byte by
/// byte, every field decoded on its own by iconv, every value trimmed, converted and looked up
/// on Unicode scalars and `String`s, with no cache, no "same as the row before", no byte-level
/// fast path. Only the validator (the format's rules) and the key-table messages are shared.
struct PlainLicensePath {
    let definition: MappingDefinition
    let organisation: Organisation
    let today: LocalDate
    let validator: Validator
    /// The format's fields in canonical order (their codes' UTF-16 order).
    let order: [Int]
    static let dateSeparators = ["-", "/"]

    init(definition: MappingDefinition, organisation: Organisation, today: LocalDate) {
        self.definition = definition
        self.organisation = organisation
        self.today = today
        validator = Validator(format: definition.format)
        let codes = definition.format.fields.map { Array($0.code.utf16) }
        order = codes.indices.sorted { codes[$0].lexicographicallyPrecedes(codes[$1]) }
    }

    /// Every row's fate by the line it starts on, duplicates set aside as the contract says.
    func fates(file: String) throws -> [Int: RowFate] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        var records = Self.split(bytes)
        guard !records.isEmpty, let headerFields = records.removeFirst().fields else { return [:] }
        let decoder = try PlainGB18030()
        let header = headerFields.compactMap { decoder.decode($0).map(Self.trim) }
        let positions = definition.columns.map { header.firstIndex(of: $0) ?? -1 }
        var fates: [Int: RowFate] = [:]
        var linesByKey: [String: [Int]] = [:]
        for (line, fields) in records {
            guard let fields, fields.count == header.count else {
                fates[line] = .damaged
                continue
            }
            let decoded = positions.map { $0 >= 0 ? decoder.decode(fields[$0]) : "" }
            guard decoded.allSatisfy({ $0 != nil }) else {
                fates[line] = .damaged
                continue
            }
            let fate = map(decoded.map { $0 ?? "" })
            fates[line] = fate
            if case .record(let key, _, _) = fate { linesByKey[key, default: []].append(line) }
        }
        for (key, lines) in linesByKey where lines.count > 1 {
            for line in lines {
                let others = lines.filter { $0 != line }.map(String.init).joined(separator: ", ")
                fates[line] = .setAside(
                    key: key,
                    reasons: [
                        Reason(
                            field: nil, rule: "E_DUPLICATE_KEY", value: key,
                            expected: "the key is used on more than one row: also on line \(others)")
                    ])
            }
        }
        return fates
    }

    // MARK: - Mapping

    struct Values {
        var fields: [String?]
        var columns: [String]
        var control: [String?]

        func value(_ reference: Reference) -> String {
            switch reference {
            case .field(let i): return fields[i] ?? ""
            case .column(let i): return columns[i]
            case .control(let i): return control[i] ?? ""
            }
        }

        func holds(_ condition: Condition) -> Bool {
            switch condition {
            case .equals(let reference, let expected): return value(reference) == expected
            case .oneOf(let reference, let values): return values.contains(value(reference))
            case .contains(let reference, let expected):
                return value(reference).split(separator: ";").contains { String($0) == expected }
            case .only(let reference, let expected): return value(reference) == expected
            case .isEmpty(let reference, let empty): return value(reference).isEmpty == empty
            case .all(let conditions): return conditions.allSatisfy(holds)
            case .any(let conditions): return conditions.contains(where: holds)
            case .not(let condition): return !holds(condition)
            }
        }
    }

    /// One row's values (by the mapping's columns) through the mapping, the format's rules and the key.
    func map(_ raw: [String]) -> RowFate {
        let format = definition.format
        var values = Values(
            fields: Array(repeating: nil, count: format.fields.count), columns: raw.map(Self.trim),
            control: Array(repeating: nil, count: definition.control.count))
        var reasons: [Reason] = []
        for (i, spec) in definition.control.enumerated() {
            let value = evaluate(spec, &values, name: definition.controlNames[i], &reasons)
            values.control[i] = value.isEmpty ? nil : value
        }
        for (index, spec) in definition.fields {
            let rule = format.fields[index]
            var value = evaluate(spec, &values, name: rule.code, &reasons)
            if rule.kind == .code { value = Self.code(value) }
            if rule.kind == .name { value = Self.name(value) }
            if !value.isEmpty { values.fields[index] = value }
        }
        let key = format.key.compactMap { values.fields[$0] }.first
        if let exclusion = definition.exclusions.first(where: { values.holds($0.condition) }) {
            return .excluded(key: key, reason: exclusion.reason)
        }
        let invalid = validator.reasons(values.fields, dateSeparator: "-", today: today)
        let failed = Set(reasons.compactMap(\.field))
        reasons += invalid.filter { $0.field.map { !failed.contains($0) } ?? true }
        if key == nil {
            reasons.append(
                Reason(
                    field: nil, rule: "E_REQUIRED", value: nil,
                    expected: "a key: " + format.key.map { format.fields[$0].code }.joined(separator: " or ")))
        }
        guard let key, reasons.isEmpty else { return .setAside(key: key, reasons: reasons) }
        return .record(
            key: key, values: values.fields,
            hashes: Self.dateSeparators.map { SHA256.hex(canonicalBytes(values.fields, $0)) })
    }

    func evaluate(_ spec: ValueSpec, _ values: inout Values, name: String, _ reasons: inout [Reason]) -> String {
        if let condition = spec.when, !values.holds(condition) { return "" }
        var value: String
        switch spec.source {
        case .column(let i): value = values.columns[i]
        case .constant(let text): value = text
        case .organisationName: value = organisation.name
        case .organisationUSCC: value = organisation.uscc
        case .field(let i): value = values.fields[i] ?? ""
        case .control(let i): value = values.control[i] ?? ""
        case .concat(let parts, let separator):
            value = parts.map { evaluate($0, &values, name: name, &reasons) }.filter { !$0.isEmpty }.joined(
                separator: separator)
        case .firstOf(let parts):
            value = ""
            for part in parts where value.isEmpty { value = evaluate(part, &values, name: name, &reasons) }
        case .dateAdd:
            value = ""
            reasons.append(
                Reason(field: name, rule: "E_MAPPING", value: nil, expected: "dateAdd is not in the plain path"))
        }
        if !value.isEmpty, spec.split != nil || spec.map != nil || spec.ensurePrefix != nil || spec.join != nil {
            var items = spec.split.map { Self.split(value, on: $0) } ?? [value]
            if let table = spec.map {
                items = items.compactMap { item in
                    if let mapped = table[item] { return mapped }
                    if spec.unmapped == .keep { return item }
                    reasons.append(
                        Reason(
                            field: name, rule: "E_CODE", value: item,
                            expected: "one of the mapping's values: \(table.keys.sorted().joined(separator: ", "))"))
                    return nil
                }
            }
            if let (prefix, condition) = spec.ensurePrefix, condition.map(values.holds) ?? true {
                items = items.map { Self.code($0).hasPrefix(prefix) ? $0 : prefix + $0 }
            }
            var seen: Set<String> = []
            items = items.filter { seen.insert($0).inserted }
            value = items.joined(separator: spec.join ?? ";")
        }
        if !value.isEmpty && spec.isDate {
            if let date = Self.date(value) {
                value = date.iso
            } else {
                reasons.append(
                    Reason(
                        field: name, rule: "E_FORMAT", value: value,
                        expected: "a date such as 2025-03-05, 2025/3/5, 2025.03.05, 2025年3月5日 or 20250305"))
                value = ""
            }
        }
        if !value.isEmpty && (spec.amountYuanToWan || spec.isAmount) {
            reasons.append(
                Reason(field: name, rule: "E_MAPPING", value: value, expected: "amounts are not in the plain path"))
        }
        if value.isEmpty, let fallback = spec.ifEmpty { value = evaluate(fallback, &values, name: name, &reasons) }
        return value
    }

    // MARK: - Values, on scalars

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || (0x09...0x0D).contains(scalar.value) || scalar == "\u{00A0}" || scalar == "\u{3000}"
    }

    static func trim(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
            isSpace(first) || isSpace(last)
        else { return text }
        var scalars = Array(text.unicodeScalars)
        while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    static func halfWidth(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        (0xFF01...0xFF5E).contains(scalar.value) ? Unicode.Scalar(scalar.value - 0xFEE0) ?? scalar : scalar
    }

    static func code(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar -> Unicode.Scalar in
                    let half = halfWidth(scalar)
                    return ("a"..."z").contains(half) ? Unicode.Scalar(half.value - 0x20) ?? half : half
                }))
    }

    static func name(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "(" ? "（" : $0 == ")" ? "）" : $0 }))
    }

    static func split(_ text: String, on separators: [String]) -> [String] {
        var parts = [text]
        for separator in separators + ["\r\n", "\n", "\r"] {
            parts = parts.flatMap { $0.split(separator: separator, omittingEmptySubsequences: false).map(String.init) }
        }
        var seen: Set<String> = []
        return parts.map(trim).filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// The local date forms: YYYY-MM-DD, YYYY/M/D, YYYY.MM.DD, YYYY年M月D日, YYYYMMDD, a time after a
    /// space or T ignored, full-width ASCII read as half-width.
    static func date(_ text: String) -> LocalDate? {
        var plain = String(String.UnicodeScalarView(text.unicodeScalars.map(halfWidth)))
        if let cut = plain.firstIndex(where: { $0 == " " || $0 == "T" }) { plain = String(plain[..<cut]) }
        func number(_ part: Substring, _ lengths: ClosedRange<Int>) -> Int? {
            guard lengths.contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(part)
        }
        if plain.count == 8, let all = number(plain[...], 8...8) {
            return LocalDate(year: all / 10000, month: all / 100 % 100, day: all % 100)
        }
        var parts: [Substring] = []
        if plain.hasSuffix("日") {
            parts = plain.dropLast().split(omittingEmptySubsequences: false) { $0 == "年" || $0 == "月" }
        } else {
            for separator: Character in ["-", "/", "."] where plain.contains(separator) {
                parts = plain.split(separator: separator, omittingEmptySubsequences: false)
            }
        }
        guard parts.count == 3, let year = number(parts[0], 4...4), let month = number(parts[1], 1...2),
            let day = number(parts[2], 1...2)
        else { return nil }
        return LocalDate(year: year, month: month, day: day)
    }

    // MARK: - Payload

    /// The payload's canonical JSON (RFC 8785): non-empty fields sorted by code in UTF-16 order,
    /// dates written with `separator`, strings escaped as the standard says.
    func canonicalPayload(_ values: [String?], _ separator: String) -> String {
        String(decoding: canonicalBytes(values, separator), as: UTF8.self)
    }

    func canonicalBytes(_ values: [String?], _ separator: String) -> [UInt8] {
        var out: [UInt8] = [0x7B]
        let rules = definition.format.fields
        for i in order {
            guard let value = values[i], !value.isEmpty else { continue }
            if out.count > 1 { out.append(0x2C) }
            Self.appendQuoted(rules[i].code, to: &out)
            out.append(0x3A)
            Self.appendQuoted(
                rules[i].kind == .date ? value.split(separator: "-").joined(separator: separator) : value, to: &out)
        }
        out.append(0x7D)
        return out
    }

    /// A JSON string: only ASCII is ever escaped, so the text's UTF-8 is copied as it is otherwise.
    static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(0x22)
        defer { out.append(0x22) }
        for byte in text.utf8 {
            switch byte {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x08: out += [0x5C, 0x62]
            case 0x0C: out += [0x5C, 0x66]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
            default: out.append(byte)
            }
        }
    }

    // MARK: - CSV, byte by byte

    /// The file's records (the header first): the line each starts on and its fields, or nil
    /// fields for a record that is broken (a stray quote, text after a closing quote).
    static func split(_ bytes: [UInt8]) -> [(line: Int, fields: [[UInt8]]?)] {
        let (comma, quote, cr, lf): (UInt8, UInt8, UInt8, UInt8) = (0x2C, 0x22, 0x0D, 0x0A)
        var records: [(line: Int, fields: [[UInt8]]?)] = []
        var i = 0
        var line = 1
        while i < bytes.count {
            if bytes[i] == lf || bytes[i] == cr {
                i += bytes[i] == cr && i + 1 < bytes.count && bytes[i + 1] == lf ? 2 : 1
                line += 1
                continue
            }
            let start = line
            var fields: [[UInt8]] = []
            var field: [UInt8] = []
            var (inQuotes, wasQuoted, closed, broken) = (false, false, false, false)
            reading: while true {
                guard i < bytes.count else {
                    broken = inQuotes
                    fields.append(field)
                    break
                }
                let byte = bytes[i]
                if inQuotes {
                    if byte == quote && i + 1 < bytes.count && bytes[i + 1] == quote {
                        field.append(quote)
                        i += 2
                    } else if byte == quote {
                        (inQuotes, closed) = (false, true)
                        i += 1
                    } else {
                        if byte == lf { line += 1 }
                        field.append(byte)
                        i += 1
                    }
                    continue
                }
                switch byte {
                case comma:
                    fields.append(field)
                    (field, wasQuoted, closed) = ([], false, false)
                    i += 1
                case cr, lf:
                    i += byte == cr && i + 1 < bytes.count && bytes[i + 1] == lf ? 2 : 1
                    line += 1
                    fields.append(field)
                    break reading
                case quote where field.isEmpty && !wasQuoted:
                    (inQuotes, wasQuoted) = (true, true)
                    i += 1
                default:
                    // A quote inside a field, or text after a closing quote.
                    if byte == quote || closed {
                        broken = true
                        break reading
                    }
                    field.append(byte)
                    i += 1
                }
            }
            if broken {
                while i < bytes.count && bytes[i] != lf { i += 1 }
                if i < bytes.count {
                    i += 1
                    line += 1
                }
                records.append((start, nil))
            } else {
                records.append((start, fields))
            }
        }
        return records
    }
}

/// GB18030 to UTF-8 by iconv, one field at a time.
final class PlainGB18030 {
    struct Unavailable: Error {}
    private let converter: iconv_t

    init() throws {
        let opened: iconv_t? = iconv_open("UTF-8", "GB18030")
        guard let opened, Int(bitPattern: opened) != -1 else { throw Unavailable() }
        converter = opened
    }

    deinit { iconv_close(converter) }

    func decode(_ bytes: [UInt8]) -> String? {
        if bytes.isEmpty { return "" }
        _ = iconv(converter, nil, nil, nil, nil)
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 4)
        let produced = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer -> Int in
                var inPointer = UnsafeMutableRawPointer(inBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var inLeft = inBuffer.count
                var outPointer = UnsafeMutableRawPointer(outBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                return result == -1 || inLeft != 0 ? -1 : outBuffer.count - outLeft
            }
        }
        return produced < 0 ? nil : String(decoding: output[..<produced], as: UTF8.self)
    }
}
