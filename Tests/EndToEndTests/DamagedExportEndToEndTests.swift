import CredsyncCore
import Foundation
import TestSupport
import Testing

/// A synced platform, then exports damaged in the ways real ones are: the sandbox still holds
/// exactly the records it held, and the run says why (exit 1), or refuses the export (exit 65).
@Suite struct DamagedExportEndToEndTests {
    func snapshot(_ env: SyncEnvironment, _ dataset: Dataset) throws -> [String: String] {
        try env.sandbox.holdings(.credit, dataset).mapValues { "\($0.status) v\($0.version) \($0.hash)" }
    }

    func edit(_ path: String, _ change: (inout [UInt8]) throws -> Void) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        try change(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func replace(_ text: String, with replacement: [UInt8], in bytes: inout [UInt8]) throws {
        let pattern = Array(text.utf8)
        let at = try #require(
            bytes.indices.first { bytes[$0...].starts(with: pattern) }, "\(text) is not in the export")
        bytes.replaceSubrange(at..<(at + pattern.count), with: replacement)
    }

    @Test func damagedExportsLeaveThePublishedRecordsAsTheyWere() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let first = try env.credsync(["sync", "--dataset", "pledge", "--dataset", "dishonesty"])
        #expect(first.status == 1, "\(first.stderr)")
        let pledges = try snapshot(env, .pledge)
        let listings = try snapshot(env, .dishonesty)
        #expect(pledges.count == 240 && pledges["ZX2025000001"] != nil)
        let pledgeFile = env.directory.path + "/pledges.csv"
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pledgeFile)))

        // One comma removed, a byte-order mark before a key, bytes that are not UTF-8, a new row
        // with an unclosed quote before a published one, and the file cut inside its last record;
        // and one published row really taken out.
        try edit(pledgeFile) { bytes in
            let row = Array("\nZX2025000011,".utf8)
            let start = try #require(bytes.indices.first { bytes[$0...].starts(with: row) })
            let end = try #require(bytes[(start + 1)...].firstIndex(of: 0x0A))
            bytes.removeSubrange(start..<end)
            try replace("ZX2025000001,专利", with: Array("ZX2025000001专利".utf8), in: &bytes)
            try replace("\nZX2026000002,", with: [0x0A, 0xEF, 0xBB, 0xBF] + Array("ZX2026000002,".utf8), in: &bytes)
            try replace("\nZX2025000004,", with: Array("\nZXNEW0001,专利,\"ZL2025\nZX2025000004,".utf8), in: &bytes)
            try replace("一种智能传感的", with: [0xFF, 0xFE], in: &bytes)
            bytes.removeLast(40)
        }
        // A JSON Lines line with a byte-order mark before it, and the last one cut in half.
        try edit(env.directory.path + "/dishonesty.jsonl") { bytes in
            try replace(
                "\n{\"decisionNo\"", with: [0x0A, 0xEF, 0xBB, 0xBF] + Array("{\"decisionNo\"".utf8), in: &bytes)
            bytes.removeLast(60)
        }
        let damaged = try env.credsync(["sync", "--dataset", "pledge", "--dataset", "dishonesty", "--json"])
        #expect(damaged.status == 1, "\(damaged.stderr)")
        #expect(try snapshot(env, .pledge) == pledges)
        #expect(try snapshot(env, .dishonesty) == listings)
        let report = try JSONParser.parse(damaged.stdout)
        // Kept: the rows with a byte-order mark and with bytes that are not UTF-8 (keys recovered), the
        // row missing a comma and the cut last one (keys found in what could be read), and the one
        // taken out, whose withdrawal waits.
        let kept = report["outcomes"]?.arrayValue?.first { $0["dataset"] == "pledge" }?["keptSetAside"]?.intValue
        #expect(kept == 5)
        let warnings = report["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(
            warnings.contains {
                $0.hasPrefix(
                    "credit/pledge 1 published record the export lacks is kept, not withdrawn, as the export was not read whole"
                )
                    && $0.contains("--approve-withdrawals")
            })
        let unreadable = report["unreadableRows"]?.arrayValue?.compactMap { $0["problem"]?.stringValue } ?? []
        #expect(unreadable.contains { $0.contains("pledges.csv line") && $0.contains("truncated") })
        #expect(unreadable.contains { $0.contains("dishonesty.jsonl line") && $0.contains("truncated") })
        let plan = try JSONParser.parse(try env.credsync(["plan", "--dataset", "pledge", "--json"]).stdout)
        let held = plan["plans"]?.arrayValue?.first?["heldWithdrawals"]?.arrayValue?.compactMap(\.stringValue)
        #expect(held == ["ZX2025000011"])
        // The published row after the unclosed quote was read again: approving the withdrawals
        // withdraws the row taken out, and nothing whose row is there, damaged or not.
        let approved = try env.credsync(["sync", "--dataset", "pledge", "--approve-withdrawals"])
        #expect(approved.status == 1, "\(approved.stderr)")
        let after = try snapshot(env, .pledge)
        #expect(after["ZX2025000011"]?.hasPrefix("withdrawn") == true)
        #expect(after.filter { $0.key != "ZX2025000011" } == pledges.filter { $0.key != "ZX2025000011" })

        // CR alone ends every line, and one row is broken: the rows after it are still read.
        var crOnly = original.map { $0 == 0x0A ? 0x0D : $0 }
        try replace("ZX2026000003,专利", with: Array("ZX2026000003,\"专利".utf8), in: &crOnly)
        try Data(crOnly).write(to: URL(fileURLWithPath: pledgeFile))
        let cr = try env.credsync(["sync", "--dataset", "pledge", "--json"])
        #expect(cr.status == 1, "\(cr.stderr)")
        let crReport = try JSONParser.parse(cr.stdout)
        #expect(crReport["unreadableRows"]?.arrayValue?.count == 1, "\(crReport["unreadableRows"] ?? .null)")
        // (A value with a line break in it now holds CR: such a record may be updated, never withdrawn.)
        let statuses = try env.sandbox.holdings(.credit, .pledge).mapValues(\.status)
        // (ZX2025000011 is back in the export: published again.)
        #expect(statuses.count == 240 && statuses.values.allSatisfy { $0 == "published" })
        #expect(try snapshot(env, .pledge)["ZX2026000003"] == pledges["ZX2026000003"])

        // A second 登记日期 column: the export is refused as a whole, on stderr and in the JSON.
        var twice = original
        try replace("登记机关,", with: Array("登记日期,".utf8), in: &twice)
        try Data(twice).write(to: URL(fileURLWithPath: pledgeFile))
        let refused = try env.credsync(["sync", "--dataset", "pledge", "--json"])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains(#"the header names "登记日期" twice, in columns 12 and 16"#))
        let unusable =
            try JSONParser.parse(refused.stdout)["unusableExports"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(unusable.contains { $0.contains("登记日期") })
        #expect(try snapshot(env, .pledge).count == 240)
        let check = try env.credsync(["check", "--dataset", "pledge", "--json"])
        #expect(check.status == 65)
        #expect(check.stderr.contains(#"error: pledge: pledges.csv line 1: the header names "登记日期" twice"#))
        let checked = try JSONParser.parse(check.stdout)["datasets"]?.arrayValue?.first?["error"]?.stringValue
        #expect(checked?.contains("登记日期") == true)
    }
}
