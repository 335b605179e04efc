import CredsyncCore
import Foundation
import TestSupport
import Testing

/// A list cut on the terminal says how much it left out and where the rest is; identical
/// warnings are grouped with a count; repeated options mean the same on every command.
@Suite struct ListCutEndToEndTests {
    /// Rewrites a JSON Lines export: `change` gets the readable rows (the fixtures hold a few
    /// unreadable lines too, which stay as they are, in place).
    func rewrite(_ path: String, _ change: (inout [[String: Any]]) -> Void) throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let parsed = lines.map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        var rows = parsed.compactMap { $0 }
        let count = rows.count
        change(&rows)
        var readable = rows.makeIterator()
        var out = lines.indices.map { parsed[$0] == nil ? lines[$0] : "" }
        for index in lines.indices where parsed[index] != nil {
            guard let row = readable.next() else { break }
            out[index] = String(decoding: try JSONSerialization.data(withJSONObject: row), as: UTF8.self)
        }
        for row in rows.dropFirst(count) {
            out.append(String(decoding: try JSONSerialization.data(withJSONObject: row), as: UTF8.self))
        }
        try (out.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func planSaysWhatItCutGroupsIdenticalWarningsAndWritesValuesOnceEncoded() throws {
        let env = try SyncEnvironment(platforms: [.credit, .gsxt])
        // Many rows set aside at once would trip the shrink guardrail; this test is about the listing.
        let config = try String(contentsOfFile: env.configFile, encoding: .utf8)
        try config.replacingOccurrences(
            of: #""stateDir": "state","#, with: #""stateDir": "state", "guardrails": {"maxShrinkShare": 0.6},"#
        )
        .write(toFile: env.configFile, atomically: true, encoding: .utf8)
        _ = try env.credsync(["sync", "--dataset", "dishonesty"])
        let path = env.directory.path + "/dishonesty.jsonl"
        let published = Set(
            try env.sandbox.holdings(.credit, .dishonesty).filter { $0.value.status == "published" }.keys)
        var renamed = ""
        try rewrite(path) { rows in
            // One published listing renamed: an update.
            if let index = rows.indices.first(where: { published.contains(rows[$0]["decisionNo"] as? String ?? "") }) {
                renamed = rows[index]["subjectName"] as? String ?? ""
                rows[index]["subjectName"] = renamed + "更名"
            }
            // Published listings whose rows are now set aside: kept by the platform.
            for i in 60..<rows.count where published.contains(rows[i]["decisionNo"] as? String ?? "") {
                rows[i]["listedOn"] = "2026-13-45"
            }
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

        let json = try JSONParser.parse(
            try env.credsync(["plan", "--platform", "credit", "--dataset", "dishonesty", "--json"]).stdout)
        let kept = json["plans"]?.arrayValue?.first?["keptSetAside"]?.arrayValue?.count ?? 0
        #expect(kept > 20)
        let plan = try env.credsync(["plan", "--platform", "credit", "--dataset", "dishonesty"])
        let lines = plan.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("  kept  credit/dishonesty") }.count == 20, "\(plan.stdout)")
        let more = "  … and \(kept - 20) more (see 'credsync plan --platform credit --dataset dishonesty --json')"
        #expect(lines.contains(more), "\(plan.stdout)")
        let unknown = lines.filter { $0.contains("deadline unknown") }
        #expect(unknown.count == 1, "\(unknown)")
        #expect(unknown.first?.contains("(25 records: 浙知失〔2024〕补0号, 浙知失〔2024〕补1号, 浙知失〔2024〕补2号 and 22 more)") == true)

        let detail = try env.credsync(["plan", "--platform", "credit", "--dataset", "dishonesty", "--detail", "--json"])
        let changes = try JSONParser.parse(detail.stdout)["plans"]?.arrayValue?.first?["changes"]?.arrayValue ?? []
        let fields = changes.filter { $0["op"] == "update" }.flatMap { $0["fields"]?.arrayValue ?? [] }
        let name = try #require(fields.first { $0["new"]?.stringValue?.hasSuffix("更名") == true }, "\(fields)")
        let old = name["old"]?.stringValue ?? ""
        #expect(!old.hasPrefix("\"") && !renamed.isEmpty, "once encoded: \(old)")
        #expect(name["new"]?.stringValue == old + "更名")

        // Repeated --platform accumulates on plan as on sync; a single-valued option repeated is refused.
        let both = try env.credsync(["plan", "--platform", "credit", "--platform", "gsxt", "--json"])
        let planned = Set(
            try JSONParser.parse(both.stdout)["plans"]?.arrayValue?.compactMap { $0["platform"]?.stringValue } ?? [])
        #expect(planned == ["credit", "gsxt"])
        let twice = try env.credsync(["reconcile", "--platform", "credit", "--platform", "gsxt"])
        #expect(twice.status == 64)
        #expect(twice.stderr.contains("option '--platform' is given twice"), "\(twice.stderr)")

        let push = try env.credsync(["push", "--platform", "credit", "--dataset", "dishonesty"])
        #expect(push.stdout.hasPrefix("credsync push "), "\(push.stdout)")
    }
}
