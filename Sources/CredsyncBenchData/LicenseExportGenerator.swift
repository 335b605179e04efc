import CredsyncCore

/// One row of a generated licenses.csv.
public struct LicenseExportRow: Sendable {
    /// The 21 values in the header's order, as the approval system writes them (before CSV quoting).
    public var values: [String]
    /// What is wrong with the row, if anything.
    public var defect: LicenseDefect?
    /// For `invalidBytes`: the column written as `invalidBytes` instead of its value.
    public var invalidColumn: Int?
    public var invalidBytes: [UInt8] = []
    /// For `wrongFieldCount` and `brokenQuoting`: the line written instead of the values.
    public var rawLine: String?
}

/// Generates licenses.csv rows that vary in every column as a real approval system's export does
/// (see local-catalogs.md and fixtures/): enterprises, 个体工商户 and persons named from pools of
/// millions, stray spaces and U+3000, both kinds of bracket, valid USCCs and 身份证号 (regions,
/// birth dates and serials all over), every local date form in every date column, full-width
/// codes, twelve licensing authorities with their codes, quoted remarks with commas, quotes and
/// line breaks, and about 2% bad rows of every kind (`LicenseDefect`), spread at random.
/// Deterministic: the same seed gives the same rows. By construction no column with more than a
/// handful of values repeats the row before's value (an empty one aside).
public struct LicenseExportGenerator: Sendable {
    public static let header = [
        "许可编号", "决定书文号", "决定书名称", "相对人名称", "相对人类型", "统一社会信用代码", "工商注册号", "法定代表人", "证件类型",
        "证件号码", "许可事项", "许可类别", "证书名称", "决定日期", "有效期起", "有效期止", "许可机关", "许可机关代码", "状态", "备注", "更新时间",
    ]
    /// The seed the benchmarks use unless told otherwise.
    public static let defaultSeed: UInt64 = 20_261_202
    /// The share of rows that are bad.
    public static let badRowShare = 0.02
    /// The last decision date of a good row: the benchmarks and tests map as of 2026-11-20.
    static let lastDecision = LocalDate(year: 2026, month: 11, day: 15) ?? LocalDate(dayNumber: 0)
    static let firstDecision = LocalDate(year: 2019, month: 1, day: 1) ?? LocalDate(dayNumber: 0)

    /// Columns whose values come from large pools: never the row before's value by construction.
    static let freshColumns: Set<Int> = [0, 1, 3, 5, 6, 7, 9, 10, 19, 20]

    public let seed: UInt64
    var random: SeededRandom
    var rowNumber = 0
    private var previous: [String] = Array(repeating: "", count: 21)
    private var previousAuthority = -1
    /// Keys of recent good rows, for the duplicate-key rows.
    var recentKeys: [(String, String)] = []
    /// The defects to come, a shuffled round of them all at a time: every kind as often as the others.
    private var defects: [LicenseDefect] = []

    public init(seed: UInt64 = LicenseExportGenerator.defaultSeed) {
        self.seed = seed
        random = SeededRandom(seed: seed)
    }

    /// The next row (the first is row 1, line 2 of the file when no value spans lines).
    public mutating func next() -> LicenseExportRow {
        rowNumber += 1
        var row = LicenseExportRow(values: goodValues())
        if random.chance(Self.badRowShare) {
            if defects.isEmpty {
                defects = LicenseDefect.allCases
                for i in stride(from: defects.count - 1, to: 0, by: -1) { defects.swapAt(i, random.below(i + 1)) }
            }
            let defect = defects.removeLast()
            spoil(&row, defect)
        } else {
            recentKeys.append((row.values[0], row.values[1]))
            if recentKeys.count > 256 { recentKeys.removeFirst(128) }
        }
        previous = row.values
        return row
    }

    // MARK: - Good rows

    mutating func goodValues() -> [String] {
        var v = Array(repeating: "", count: 21)
        let authority = nextAuthority()
        let decided = LocalDate(dayNumber: random.within(Self.firstDecision.dayNumber...Self.lastDecision.dayNumber))
        let year = String(decided.year)
        // 许可编号 and 决定书文号 carry the row number: every key is new.
        if !random.chance(0.15) {
            let number = "\(authority.numberPrefix)-\(year)-" + padded(rowNumber, 7)
            v[0] = random.chance(0.08) ? Self.fullWidth(number) : number
        }
        let brackets = random.pick(
            [("〔", "〕", 80), ("[", "]", 10), ("【", "】", 5), ("（", "）", 5)].map { (($0.0, $0.1), $0.2) })
        v[1] = authority.documentPrefix + brackets.0 + year + brackets.1 + String(rowNumber) + "号"
        v[2] = random.pick(NamePools.documentTitles)
        let kind = random.pick([("企业", 70), ("事业单位", 5), ("社会组织", 5), ("个体工商户", 10), ("个人", 10)])
        v[4] = kind
        let city = random.pick(NamePools.cities)
        let district = random.pick(city.districts)
        let region = city.code + district.1
        switch kind {
        case "个人":
            v[3] = personName()
            v[8] = random.pick([("身份证", 80), ("护照", 8), ("港澳通行证", 6), ("台湾通行证", 4), ("外国人永居证", 2)])
            v[9] = idNumber(type: v[8])
        case "个体工商户":
            v[3] =
                random.chance(0.5)
                ? city.name + "市" + district.0 + personName() + random.pick(NamePools.shopKinds)
                : tradeName() + random.pick(NamePools.shopKinds)
            if random.chance(0.5) {
                v[6] = region + digits(9)
            } else {
                v[5] = codeForm(uscc(prefix: "92", region: region))
            }
            v[7] = personName()
        default:
            v[3] = organisationName(kind: kind, city: city.name)
            v[5] = codeForm(uscc(prefix: kind == "企业" ? "91" : kind == "事业单位" ? "12" : "52", region: region))
            v[7] = personName()
        }
        let item = random.pick(NamePools.items)
        v[10] = licensedItem(item, city: city.name, district: district.0)
        v[11] = random.pick([("普通", 55), ("认可", 10), ("核准", 15), ("登记", 15), ("特许", 3), ("其他", 2)])
        let title = random.below(10)
        v[12] = title < 6 ? item + "证书" : title < 9 ? "" : item + "证"
        let starts = decided.adding(days: random.chance(0.6) ? 0 : random.within(1...30))
        let ends = random.chance(0.2) ? nil : starts.adding(years: random.pick([1, 3, 5, 10])).adding(days: -1)
        // A date the row before has in the same form is written in another form.
        for (column, date) in [(13, decided), (14, starts), (15, ends)] {
            guard let date else { continue }
            v[column] = written(date)
            for _ in 0..<8 where v[column] == previous[column] { v[column] = written(date) }
        }
        v[16] = random.chance(0.3) ? authority.name.replacingBrackets() : authority.name
        v[17] = codeForm(authority.code)
        v[18] = random.pick([("有效", 85), ("已撤销", 5), ("已注销", 5), ("已过期", 5)])
        v[19] = remark()
        let updated = decided.adding(days: random.within(0...400))
        let time =
            padded(random.within(7...20), 2) + ":" + padded(random.below(60), 2) + ":" + padded(random.below(60), 2)
        v[20] = updated.iso + (random.chance(0.7) ? "T" + time + "+08:00" : " " + time)
        // Stray white space: often around names, now and then around any other value.
        for i in [3, 7, 16] where random.chance(0.12) { v[i] = spaced(v[i]) }
        for i in [1, 2, 4, 10, 11, 12, 18] where random.chance(0.02) { v[i] = spaced(v[i]) }
        // A value of a large pool that happens to be the row before's is drawn again.
        for i in Self.freshColumns where !v[i].isEmpty && v[i] == previous[i] { v[i] = redrawn(i, v[i]) }
        return v
    }

    /// `value` made different from the row before's, keeping what it means.
    mutating func redrawn(_ column: Int, _ value: String) -> String {
        switch column {
        case 3, 7: return spaced(value)
        default: return value + random.pick([" ", "\u{3000}", "\t"])
        }
    }

    mutating func nextAuthority() -> LicensingAuthority {
        var index = random.below(LicensingAuthority.all.count)
        if index == previousAuthority {
            index = (index + 1 + random.below(LicensingAuthority.all.count - 1)) % LicensingAuthority.all.count
        }
        previousAuthority = index
        return LicensingAuthority.all[index]
    }

    mutating func personName() -> String {
        random.pick(NamePools.surnames) + random.pick(NamePools.given)
            + (random.chance(0.7) ? random.pick(NamePools.given) : "")
    }

    mutating func tradeName() -> String {
        var name = random.pick(NamePools.trade) + random.pick(NamePools.trade)
        if random.chance(0.25) { name += random.pick(NamePools.trade) }
        // Now and then a character outside the two-byte codes (four bytes in GB18030).
        if random.chance(0.002) { name = "𠮷" + name }
        return name
    }

    mutating func organisationName(kind: String, city: String) -> String {
        let place = random.chance(0.8) ? city : random.chance(0.5) ? city + "市" : "浙江"
        switch kind {
        case "事业单位":
            return place + tradeName() + random.pick(["研究院", "研究所", "检测中心", "技术服务中心", "职业技术学校", "产业创新中心"])
        case "社会组织":
            return place + "市" + random.pick(NamePools.businesses) + random.pick(["协会", "商会", "促进会", "联合会", "研究会"])
        default:
            var name = place + tradeName() + random.pick(NamePools.businesses) + random.pick(NamePools.legalForms)
            if random.chance(0.15) {
                let branch = random.pick(NamePools.branches) + "分公司"
                name += random.chance(0.5) ? "(" + branch + ")" : "（" + branch + "）"
            }
            return name
        }
    }

    mutating func licensedItem(_ item: String, city: String, district: String) -> String {
        var text = item + "，许可范围：" + random.pick(["全省", city + "市", city + "市" + district, "全国"])
        if random.chance(0.3) { text += "，有效期" + random.pick(["一", "三", "五", "十"]) + "年" }
        if random.chance(0.2) { text += "；机构编号" + digits(8) }
        return text
    }

    mutating func remark() -> String {
        guard random.chance(0.55) else { return "" }
        var text = random.pick(NamePools.remarkClauses)
        for _ in 0..<random.below(3) {
            text += random.pick(NamePools.remarkJoints) + random.pick(NamePools.remarkClauses)
        }
        if random.chance(0.3) { text += "，受理号" + digits(10) }
        return text
    }

    // MARK: - Identifiers

    /// A valid USCC: registration authority and kind (`prefix`), region, nine characters, check.
    mutating func uscc(prefix: String, region: String) -> String {
        var body = prefix + region
        for _ in 0..<9 { body.append(NationalIdentifiers.usccCharacters[random.below(31)]) }
        return body + String(NationalIdentifiers.usccCheckCharacter(body) ?? "0")
    }

    /// A code as exports write it: mostly as it is, now and then full-width or in lower case.
    mutating func codeForm(_ code: String) -> String {
        let draw = random.below(100)
        return draw < 10 ? Self.fullWidth(code) : draw < 15 ? code.lowercased() : code
    }

    mutating func idNumber(type: String) -> String {
        switch type {
        case "身份证":
            let number = validIDCard()
            let draw = random.below(100)
            return draw < 5 ? Self.fullWidth(number) : draw < 8 ? number.lowercased() : number
        case "护照": return random.pick(["E", "G", "EA", "EB"]) + digits(random.chance(0.5) ? 8 : 7)
        case "港澳通行证": return random.pick(["H", "M", "C"]) + digits(8)
        case "台湾通行证": return digits(8)
        default: return random.pick(["CHN", "USA", "GBR", "DEU", "JPN", "KOR", "FRA"]) + digits(12)
        }
    }

    /// A valid 身份证号: a region anywhere in the country, a birth date from 1950 to 2006, a serial.
    mutating func validIDCard() -> String {
        let born = LocalDate(
            dayNumber: random.within(
                (LocalDate(year: 1950, month: 1, day: 1)?.dayNumber ?? 0)...(LocalDate(year: 2006, month: 12, day: 31)?
                    .dayNumber ?? 0)))
        let body = random.pick(NamePools.idRegions) + born.formatted(separator: "") + padded(random.within(1...999), 3)
        return body + String(Self.idCardCheck(body))
    }

    static func idCardCheck(_ body: String) -> Character {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body.utf8, weights).reduce(0) { $0 + Int($1.0 - 0x30) * $1.1 }
        return Array("10X98765432")[sum % 11]
    }

    // MARK: - Forms

    /// `date` in one of the local forms (and now and then in full-width digits).
    mutating func written(_ date: LocalDate) -> String {
        let (y, m, d) = (String(date.year), date.month, date.day)
        let text: String
        switch random.below(6) {
        case 0: text = "\(y)-\(padded(m, 2))-\(padded(d, 2))"
        case 1: text = "\(y)/\(m)/\(d)"
        case 2: text = "\(y).\(padded(m, 2)).\(padded(d, 2))"
        case 3: text = "\(y)年\(m)月\(d)日"
        case 4: text = "\(y)\(padded(m, 2))\(padded(d, 2))"
        default: text = "\(y)-\(padded(m, 2))-\(padded(d, 2)) 00:00:00"
        }
        return random.chance(0.02) ? Self.fullWidth(text) : text
    }

    /// Stray white space around `value`: space, U+3000, U+00A0 or a tab, before, after or both.
    mutating func spaced(_ value: String) -> String {
        switch random.below(5) {
        case 0: return " " + value + "\u{3000}"
        case 1: return "\u{00A0}" + value
        case 2: return value + "\t"
        case 3: return "\u{3000}" + value
        default: return value + " "
        }
    }

    mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(Unicode.Scalar(UInt8(0x30 + random.below(10)))) })
    }

    func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Printable ASCII as full-width (U+FF01–U+FF5E); anything else kept.
    static func fullWidth(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    (0x21...0x7E).contains(scalar.value) ? Unicode.Scalar(scalar.value + 0xFEE0) ?? scalar : scalar
                }))
    }
}

extension String {
    /// Full-width brackets written as ASCII ones, as spreadsheets often have them.
    func replacingBrackets() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "（" ? "(" : $0 == "）" ? ")" : $0 }))
    }
}
