#if canImport(Glibc)
    import Glibc
#endif
import CredsyncBenchData
import CredsyncCore
import Foundation

/// The first benchmark export (`--export repetitive`), kept to compare with: GB18030, CRLF and every
/// local date form, but most values repeat from row to row (one legal representative, six cities,
/// eight words, one authority, one remark), so the reader's "repeated from the row before" shortcut
/// and the caches make most columns free. The README's first `map` figure (2.8× the floor) came
/// from it; `BenchExport.realistic` (CredsyncBenchData) is the default now.
struct RepetitiveLicenseExport {
    static let header =
        "许可编号,决定书文号,决定书名称,相对人名称,相对人类型,统一社会信用代码,工商注册号,法定代表人,证件类型,证件号码,许可事项,许可类别,证书名称,决定日期,有效期起,有效期止,许可机关,许可机关代码,状态,备注,更新时间"

    /// A valid USCC with a region and a serial.
    static func uscc(_ serial: Int) -> String {
        let charset = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        var body = "91330106"
        var n = serial
        for _ in 0..<9 {
            body.append(charset[n % 31])
            n /= 31
        }
        return body + String(NationalIdentifiers.usccCheckCharacter(body) ?? "0")
    }

    static func row(_ i: Int) -> String {
        let cities = ["杭州", "宁波", "温州", "嘉兴", "绍兴", "台州"]
        let words = ["创新", "智造", "恒通", "华信", "联科", "远景", "精工", "博睿"]
        let day = 1 + i % 28
        let month = 1 + i % 12
        let forms = [
            "2025-%02d-%02d", "2025/%d/%d", "2025.%02d.%02d", "2025年%d月%d日", "2025%02d%02d", "2025-%02d-%02d 00:00:00",
        ]
        let form = forms[i % forms.count]
        let date = form.replacingFirst("%02d", month, pad: true).replacingFirst("%d", month, pad: false)
            .replacingFirst("%02d", day, pad: true).replacingFirst("%d", day, pad: false)
        var code = uscc(i)
        if i % 10 == 3 { code = String(code.unicodeScalars.map { Character(Unicode.Scalar($0.value + 0xFEE0) ?? $0) }) }
        let name = cities[i % cities.count] + words[i % words.count] + "科技有限公司" + (i % 7 == 0 ? "(滨江分公司)" : "")
        let remark = i % 5 == 0 ? "\"含\"\"加急\"\"办理,已送达\r\n原证作废\"" : ""
        let end = i % 4 == 0 ? "" : "2030-12-31"
        return
            "ZJ-ZL-2025-\(i),浙知许〔2025〕\(i)号,准予行政许可决定书,\(name),企业,\(code),,张三,,,专利代理机构执业许可，许可范围：全省,普通,执业许可证,\(date),\(date),\(end),浙江省知识产权局,11330000MB12345679,有效,\(remark),2025-03-05T08:00:00+08:00"
    }

    /// Writes the file and returns its size in bytes.
    static func write(rows: Int, to path: String) throws -> Int {
        try LicenseExportWriter.write(header: header, lines: (1...max(1, rows)).lazy.map(row), to: path)
    }
}

extension String {
    /// The first `%d`/`%02d` placeholder filled with `value`.
    func replacingFirst(_ placeholder: String, _ value: Int, pad: Bool) -> String {
        guard let range = self.range(of: placeholder) else { return self }
        let text = pad && value < 10 ? "0\(value)" : "\(value)"
        return String(self[..<range.lowerBound]) + text + String(self[range.upperBound...])
    }
}
