import CredsyncCore

extension LicenseExportGenerator {
    /// Makes a good row bad in the way `defect` says; the rest of the row stays as it was.
    mutating func spoil(_ row: inout LicenseExportRow, _ defect: LicenseDefect) {
        row.defect = defect
        var v = row.values
        switch defect {
        case .missingRequiredValue:
            v[random.pick([3, 10, 11, 13, 16, 17, 18])] = random.pick(["", "", " ", "\u{3000}"])
        case .badUSCCCheckCharacter:
            let code = uscc(prefix: "91", region: random.pick(["330106", "330212", "330302", "330602"]))
            let wrong =
                String(code.dropLast())
                + String(otherCharacter(than: code.last, in: NationalIdentifiers.usccCharacters))
            if random.chance(0.3) {
                v[17] = wrong
            } else {
                becomeEnterprise(&v)
                v[5] = random.chance(0.1) ? Self.fullWidth(wrong) : wrong
            }
        case .badIDCardCheckCharacter:
            becomePerson(&v, type: "身份证")
            let number = validIDCard()
            v[9] = String(number.dropLast()) + String(otherCharacter(than: number.last, in: Array("0123456789X")))
        case .endBeforeStart:
            let starts = LocalDate(dayNumber: random.within(Self.firstDecision.dayNumber...Self.lastDecision.dayNumber))
            v[13] = written(starts)
            v[14] = written(starts)
            v[15] = written(starts.adding(days: -random.within(1...400)))
        case .unknownCode:
            switch random.below(4) {
            case 0: v[11] = random.pick(["特别", "一般许可", "普通类"])
            case 1: v[18] = random.pick(["暂停", "中止", "失效"])
            case 2: v[4] = random.pick(["其他组织", "外资企业", "合作社"])
            default:
                becomePerson(&v, type: "身份证")
                v[8] = random.pick(["军官证", "驾驶证", "社保卡"])
            }
        case .duplicateKey:
            // Not the row before's key: neighbours stay unlike.
            let (number, document) = recentKeys.count < 2 ? previousKey : random.pick(Array(recentKeys.dropLast()))
            v[0] = number
            v[1] = document
        case .unreadableDate:
            v[random.pick([13, 14, 15])] = random.pick([
                "2026年13月5日", "2025-02-30", "2025/6/31", "20251340", "二〇二五年三月五日", "2025-00-10", "2025.1.32",
            ])
        case .decidedInFuture:
            let decided = LocalDate(
                dayNumber: (LocalDate(year: 2027, month: 1, day: 1)?.dayNumber ?? 0) + random.below(700))
            v[13] = written(decided)
            v[14] = written(decided)
            v[15] = ""
        case .soleTraderWithoutCode:
            v[4] = "个体工商户"
            v[3] = personName() + random.pick(NamePools.shopKinds)
            (v[5], v[6], v[7], v[8], v[9]) = ("", "", personName(), "", "")
        case .personWithoutIDNumber:
            becomePerson(&v, type: random.pick(["身份证", "护照"]))
            v[9] = ""
        case .wrongFieldCount:
            let fields = v.map { LicenseExportWriter.quoted(Self.onOneLine($0)) }
            // At least two fields: a lone empty 许可编号 would be an empty line, which is no row at all.
            let kept =
                random.chance(0.5)
                ? Array(fields.prefix(max(2, random.within(1...19)))) : fields + [random.pick(["", "多余", "1"])]
            row.rawLine = kept.joined(separator: ",")
        case .brokenQuoting:
            var fields = v.map { LicenseExportWriter.quoted(Self.onOneLine($0)) }
            let column = random.pick([2, 3, 10, 19])
            let text = Self.onOneLine(v[column]).replacingOccurrences("\"", "")
            let cut = text.isEmpty ? 0 : random.below(text.count)
            let head = String(text.prefix(cut))
            let tail = String(text.dropFirst(cut))
            // Text after a closing quote, or a quote inside an unquoted field.
            fields[column] = random.chance(0.5) ? "\"" + head + "\"" + tail + "x\"" : "x" + head + "\"" + tail
            row.rawLine = fields.joined(separator: ",")
        case .invalidBytes:
            row.invalidColumn = random.pick([2, 3, 10, 19])
            row.invalidBytes = random.pick([
                [0x81, 0x20, 0xFF], [0xFF, 0xFE, 0x41], [0x41, 0x81, 0x30], [0x31, 0xD6],
            ])
        }
        row.values = v
    }

    /// The key of the row before, for a duplicate before any good row has been kept.
    var previousKey: (String, String) { ("ZJ-ZL-2026-" + padded(max(1, rowNumber - 1), 7), "") }

    mutating func becomeEnterprise(_ v: inout [String]) {
        v[4] = "企业"
        v[3] = organisationName(kind: "企业", city: random.pick(NamePools.cities).name)
        (v[6], v[7], v[8], v[9]) = ("", personName(), "", "")
    }

    mutating func becomePerson(_ v: inout [String], type: String) {
        v[4] = "个人"
        v[3] = personName()
        (v[5], v[6], v[7], v[8]) = ("", "", "", type)
        v[9] = idNumber(type: type)
    }

    mutating func otherCharacter(than character: Character?, in set: [Character]) -> Character {
        let others = set.filter { $0 != character?.uppercased().first }
        return random.pick(others)
    }

    /// A value's line breaks as commas: a broken row stays on one line, so that a reader can
    /// only lose that line.
    static func onOneLine(_ value: String) -> String {
        value.replacingOccurrences("\r\n", "，").replacingOccurrences("\n", "，").replacingOccurrences("\r", "，")
    }
}

extension String {
    /// Every `target` replaced by `replacement` (Foundation left out of this module).
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
