import CredsyncBenchData
import Foundation

/// The license export the kill rounds push: good rows of the realistic generator, each 备注 ending
/// with ` row=N` so that a record on the platform names its row, whatever the mapping made of its
/// key. Between rounds rows change (` chg=K` appended) and go; each row counts the versions its
/// record may reach on the platform: one, one more per change, one more for its withdrawal.
struct PushKillExport {
    let path: String
    /// The 21 values of every row ever generated, by row number, and each as a line of the file.
    private(set) var rows: [[String]] = []
    private var lines: [String] = []
    /// Row numbers in the export now, in file order.
    private(set) var present: [Int] = []
    private(set) var versionBound: [Int] = []
    private(set) var changes = 0
    private(set) var removals = 0

    init(path: String, rows count: Int, seed: UInt64) {
        self.path = path
        var generator = LicenseExportGenerator(seed: seed)
        while rows.count < count {
            let row = generator.next()
            guard row.defect == nil, row.rawLine == nil, row.invalidColumn == nil else { continue }
            var values = row.values
            values[19] += " row=\(rows.count)"
            rows.append(values)
        }
        present = Array(rows.indices)
        lines = rows.map(Self.line)
        versionBound = Array(repeating: 1, count: count)
    }

    /// The remark of row `n` changes: its record is updated.
    mutating func change(_ n: Int) {
        changes += 1
        rows[n][19] += " chg=\(changes)"
        lines[n] = Self.line(rows[n])
        versionBound[n] += 1
    }

    /// The row at `index` of the export goes: its record is withdrawn.
    mutating func remove(at index: Int) {
        let n = present.remove(at: index)
        removals += 1
        versionBound[n] += 1
    }

    /// Writes the export as the approval system does (GB18030, CRLF, quoted where needed).
    func write() throws {
        let header = LicenseExportGenerator.header.joined(separator: ",")
        try LicenseExportWriter.write(header: header, lines: present.lazy.map { lines[$0] }, to: path)
    }

    static func line(_ values: [String]) -> String {
        values.map(quoted).joined(separator: ",")
    }

    static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            return value
        }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The row number a platform record's 备注 (BZ) names, if any (trimmed when the remark was empty).
    static func row(ofRemark remark: String) -> Int? {
        guard let range = remark.range(of: "row=", options: .backwards) else { return nil }
        return Int(remark[range.upperBound...].prefix { $0.isNumber })
    }
}
