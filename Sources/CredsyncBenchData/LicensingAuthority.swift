import CredsyncCore

/// A licensing authority (许可机关) of the reference province: its name, its code, and how its
/// documents and licences are numbered.
struct LicensingAuthority: Sendable {
    var name: String
    var code: String
    /// 决定书文号 prefix, e.g. 浙知许.
    var documentPrefix: String
    /// 许可编号 prefix, e.g. ZJ-ZL.
    var numberPrefix: String

    /// The province's office and the eleven cities' market regulators, each with a valid USCC.
    static let all: [LicensingAuthority] = {
        var list = [
            LicensingAuthority(
                name: "浙江省知识产权局", code: "11330000MB12345679", documentPrefix: "浙知许", numberPrefix: "ZJ-ZL")
        ]
        let short = [
            "杭": "HZ", "甬": "NB", "温": "WZ", "嘉": "JX", "湖": "HU", "绍": "SX", "金": "JH", "衢": "QZ", "舟": "ZS",
            "台": "TZ", "丽": "LS",
        ]
        let abbreviations = ["杭", "甬", "温", "嘉", "湖", "绍", "金", "衢", "舟", "台", "丽"]
        var random = SeededRandom(seed: 330_000)
        for (city, abbreviation) in zip(NamePools.cities, abbreviations) {
            var body = "11" + city.code + "00"
            for _ in 0..<9 { body.append(NationalIdentifiers.usccCharacters[random.below(31)]) }
            let code = body + String(NationalIdentifiers.usccCheckCharacter(body) ?? "0")
            list.append(
                LicensingAuthority(
                    name: "\(city.name)市市场监督管理局（\(city.name)市知识产权局）", code: code,
                    documentPrefix: abbreviation + "市监知许", numberPrefix: (short[abbreviation] ?? "ZJ") + "-SJ"))
        }
        return list
    }()
}
