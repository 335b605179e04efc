import CredsyncCore
import Foundation
import TestSupport
import Testing

/// A list cut on the terminal says how much it left out and where the rest is; identical
/// warnings are grouped with a count; repeated options mean the same on every command.
@Suite struct ListCutEndToEndTests {
    func rewrite(_ path: String, _ change: (inout [[String: Any]]) -> Void) throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        var rows = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        change(&rows)
        let text = try rows.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n")
        try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func planSaysWhatItCutGroupsIdenticalWarningsAndWritesValuesOnceEncoded() throws {
        let env = try SyncEnvironment(platforms: [.credit, .gsxt])
        _ = try env.credsync(["sync", "--dataset", "dishonesty"])
        let path = env.directory.path + "/dishonesty.jsonl"
        var renamed = ""
        try rewrite(path) { rows in
            renamed = rows[1]["subjectName"] as? String ?? ""
            rows[1]["subjectName"] = "马超"
            // 25 published listings whose rows are now set aside: kept by the platform.
            for i in 30..<55 { rows[i]["listedOn"] = "2026-13-45" }
            // 25 new listings whose deadline falls in a year the calendar lacks: one warning each.
            for i in 0..<25 {
                var row = rows[0]
                row["decisionNo"] = "浙知失〔2024〕补\(i)号"
                row["listedOn"] = "2024-12-10"
                row["expectedRemovalOn"] = "2029-12-10"
                row["removedOn"] = NSNull()
                rows.append(row)
            }
        }

        let plan = try env.credsync(["plan", "--platform", "credit", "--dataset", "dishonesty"])
        let lines = plan.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("  kept  credit/dishonesty") }.count == 20, "\(plan.stdout)")
        #expect(lines.contains("  … and 5 more (see 'credsync plan --platform credit --dataset dishonesty --json')"), "\(plan.stdout)")
        let unknown = lines.filter { $0.contains("deadline unknown") }
        #expect(unknown.count == 1, "\(unknown)")
        #expect(unknown.first?.contains("(25 records: 浙知失〔2024〕补0号, 浙知失〔2024〕补1号, 浙知失〔2024〕补2号 and 22 more)") == true)

        let detail = try env.credsync(["plan", "--platform", "credit", "--dataset", "dishonesty", "--detail", "--json"])
        let changes = try JSONParser.parse(detail.stdout)["plans"]?.arrayValue?.first?["changes"]?.arrayValue ?? []
        let fields = changes.filter { $0["op"] == "update" }.flatMap { $0["fields"]?.arrayValue ?? [] }
        let name = try #require(fields.first { $0["new"] == "马超" }, "\(detail.stdout.prefix(2000))")
        #expect(name["old"]?.stringValue == renamed)

        // Repeated --platform accumulates on plan as on sync; a single-valued option repeated is refused.
        let both = try env.credsync(["plan", "--platform", "credit", "--platform", "gsxt", "--json"])
        let planned = Set(try JSONParser.parse(both.stdout)["plans"]?.arrayValue?.compactMap { $0["platform"]?.stringValue } ?? [])
        #expect(planned == ["credit", "gsxt"])
        let twice = try env.credsync(["reconcile", "--platform", "credit", "--platform", "gsxt"])
        #expect(twice.status == 64)
        #expect(twice.stderr.contains("option '--platform' is given twice"), "\(twice.stderr)")

        let push = try env.credsync(["push", "--platform", "credit", "--dataset", "dishonesty"])
        #expect(push.stdout.hasPrefix("credsync push "), "\(push.stdout)")
    }
}
