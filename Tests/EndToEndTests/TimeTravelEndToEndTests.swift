import CredsyncCore
import Foundation
import TestSupport
import Testing

/// Daily runs over 60 simulated days while the exports change: after every day the platform holds
/// exactly what the publicity rules say, and nothing is overdue.
@Suite struct TimeTravelEndToEndTests {
    func append(_ line: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line + "\n").utf8))
        try handle.close()
    }

    func replace(_ old: String, with new: String, in path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Removes the `n`-th data row of a GB18030 CSV with CRLF, at the byte level (CR and LF never
    /// occur inside a GB18030 character); rows with quoted line breaks are skipped over.
    func deleteRow(_ n: Int, of path: String) throws -> Bool {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var starts: [Int] = []
        var inQuotes = false
        for i in bytes.indices {
            if bytes[i] == 0x22 { inQuotes.toggle() }
            if !inQuotes, bytes[i] == 0x0A, i + 1 < bytes.count { starts.append(i + 1) }
        }
        guard n + 1 < starts.count else { return false }
        bytes.removeSubrange(starts[n]..<starts[n + 1])
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return true
    }

    /// With `receipts`, credit publishes asynchronously (the sandbox's `--receipts credit`, receipts
    /// at the next request): each day's acceptances are resolved by the next run, and only the
    /// records whose 记名 failed (their subjects are not in the sandbox's enterprise feed) stay planned.
    @Test(arguments: [false, true])
    func sixtyDaysOfChangingExportsKeepThePlatformExactlyAsTheRulesSay(receipts: Bool) throws {
        let sandbox = try SandboxProcess(receipts ? ["--receipts", "credit"] : [])
        let env = try SyncEnvironment(
            sandbox: sandbox, platforms: [.credit],
            platformSettings: receipts ? [.credit: #""publication": "receipts""#] : [:])
        let dishonesty = env.directory.path + "/dishonesty.jsonl"
        let pledges = env.directory.path + "/pledges.csv"
        let start = LocalDate(iso: "2026-08-01")!
        var withdrawn = 0
        for d in 0..<60 {
            let date = start.adding(days: d)
            // A new listing every day, expiring after 20 days unless removed earlier.
            try append(
                #"{"decisionNo": "浙知失〔2026〕T\#(d)号", "subjectName": "杭州旅行科技有限公司", "subjectType": "企业", "uscc": "91330100716105852F", "legalRep": "张三", "reason": "其他", "basis": "依据", "authority": "浙江省知识产权局", "authorityCode": "11330000MB12345679", "listedOn": "\#(date.iso)", "expectedRemovalOn": "\#(date.adding(days: 20).iso)"}"#,
                to: dishonesty)
            if d >= 5 && d % 5 == 0 {
                // A credit repair of the listing of five days ago.
                try replace(
                    #""浙知失〔2026〕T\#(d - 5)号""#,
                    with: #""浙知失〔2026〕T\#(d - 5)号", "removedOn": "\#(date.iso)", "removalReason": "信用修复""#,
                    in: dishonesty)
            }
            if d % 7 == 0 {
                try append(
                    "ZXT2026\(d),商标,\(1_000_000 + d),旅行商标,杭州旅行科技有限公司,91330100716105852F,杭州银行,91330100716105852F,\"10,000\",\(date.iso),\(date.adding(days: 365).iso),\(date.iso),生效,,,浙江省知识产权局,",
                    to: pledges)
            }
            if d % 7 == 3 && d >= 7 {
                try replace(
                    "ZXT2026\(d - 3),商标,\(1_000_000 + d - 3),旅行商标,杭州旅行科技有限公司,91330100716105852F,杭州银行,91330100716105852F,\"10,000\",\(date.adding(days: -3).iso),\(date.adding(days: 362).iso),\(date.adding(days: -3).iso),生效,,",
                    with:
                        "ZXT2026\(d - 3),商标,\(1_000_000 + d - 3),旅行商标,杭州旅行科技有限公司,91330100716105852F,杭州银行,91330100716105852F,\"10,000\",\(date.adding(days: -3).iso),\(date.adding(days: 362).iso),\(date.adding(days: -3).iso),注销,\(date.iso),债务已清偿",
                    in: pledges)
            }
            var approval: [String] = []
            if d % 10 == 9, try deleteRow(3, of: env.directory.path + "/licenses.csv") {
                withdrawn += 1
                // licenses.csv holds rows that cannot be read: what it lacks is withdrawn only on approval.
                approval = ["--approve-withdrawals"]
            }

            let sync = try env.credsync(["sync", "-q"] + approval, asOf: date.iso)
            #expect(sync.status == 0 || sync.status == 1, "day \(date.iso): sync exited \(sync.status): \(sync.stderr)")
            #expect(try env.totals()["rejected"] == 0, "day \(date.iso)")
            guard receipts else {
                let plan = try env.credsync(["plan", "--detailed-exitcode", "-q"], asOf: date.iso)
                #expect(plan.status == 0, "day \(date.iso): the plan after the run still has changes: \(plan.stdout)")
                let deadlines = try env.credsync(["deadlines", "-q"], asOf: date.iso)
                #expect(deadlines.status == 0, "day \(date.iso): overdue: \(deadlines.stdout)")
                continue
            }
            // The run after reads the day's receipts: nothing stays pending.
            let next = try env.credsync(["sync", "-q"], asOf: date.iso)
            #expect(next.status == 0 || next.status == 1, "day \(date.iso): \(next.stderr)")
            let report = try env.latestReport()
            let counts = report["receipts"]?["counts"]?.arrayValue ?? []
            #expect(counts.allSatisfy { $0["pending"]?.intValue == 0 }, "day \(date.iso): \(counts)")
            let failed = Set(try env.storeRows("SELECT key FROM rejected WHERE platform = 'credit'").map { $0[0] })
            // What is still planned, and overdue, failed 记名 (a failure the export no longer
            // publishes is not planned: there is nothing public to withdraw).
            let plan = try JSONParser.parse(try env.credsync(["plan", "--json", "-q"], asOf: date.iso).stdout)
            let planned = (plan["plans"]?.arrayValue ?? []).reduce(0) {
                $0 + ($1["create"]?.intValue ?? 0) + ($1["update"]?.intValue ?? 0) + ($1["withdraw"]?.intValue ?? 0)
            }
            #expect(planned <= failed.count, "day \(date.iso): \(planned) planned, \(failed.count) failed")
            let deadlines = try JSONParser.parse(
                try env.credsync(["deadlines", "--json", "-q"], asOf: date.iso).stdout)
            let overdue = (deadlines["items"]?.arrayValue ?? []).filter { $0["overdue"]?.boolValue == true }
            #expect(
                overdue.allSatisfy { failed.contains($0["key"]?.stringValue ?? "") },
                "day \(date.iso): \(overdue.prefix(3))")
        }
        if receipts {
            // Every receipt read, none twice: one receipt row a version the platform accepted.
            #expect(try env.storeRows("SELECT count(*) FROM receipt WHERE state = 'accepted'") == [["0"]])
        }
        let reconcile = try env.credsync(["reconcile", "--platform", "credit"], asOf: start.adding(days: 59).iso)
        #expect(reconcile.status == 0, "\(reconcile.stdout)")
        // Listings: T0…T59; those repaired or past their 20 days are withdrawn with the right reason.
        let holdings = try env.sandbox.holdings(.credit, .dishonesty)
        // With receipts, the listings' subject is not in the sandbox's enterprise feed: each failed
        // 记名, was never public, so nothing of it was withdrawn either.
        #expect(holdings["浙知失〔2026〕T59号"]?.status == (receipts ? "failed" : "published"))
        #expect(holdings["浙知失〔2026〕T0号"]?.status == (receipts ? "failed" : "withdrawn"))
        #expect(holdings["浙知失〔2026〕T10号"]?.status == (receipts ? "failed" : "withdrawn"))
        #expect(withdrawn == 6)
        let licences = try env.sandbox.holdings(.credit, .license)
        #expect(licences.values.filter { $0.status == "withdrawn" }.count == 6)
    }
}
