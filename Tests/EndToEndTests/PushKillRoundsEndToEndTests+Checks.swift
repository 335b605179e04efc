import CredsyncCore
import Foundation
import TestSupport
import Testing

extension PushKillRoundsEndToEndTests {
    /// After the last run: nothing left to do, the ledger is the platform's, every row of the export
    /// is one record on the platform with no more versions than its changes explain, the queue is
    /// empty, and the store and the audit log check clean.
    static func expectEverythingOnce(_ env: SyncEnvironment, _ export: PushKillExport, _ context: String) throws {
        let plan = try env.credsync(["plan", "--dataset", "license", "--detailed-exitcode"])
        #expect(plan.status == 0, "\(context): the plan still has work: \(plan.stdout)\(plan.stderr)")

        let rows = try env.ledgerRows(.credit, .license)
        let holdings = try env.sandbox.holdings(.credit, .license)
        let listing = try env.sandbox.admin(
            "GET", "records?platform=credit&dataset=license&source=\(SandboxProcess.source)")
        let present = Set(export.present)
        // A create the platform applied, whose answer a kill lost before it was committed, is in the
        // queue (marked before it was sent): when its row then leaves the export, it is withdrawn.
        let orphans = Set(
            (listing["items"]?.arrayValue ?? []).compactMap { item -> String? in
                guard let key = item["key"]?.stringValue, rows[key] == nil, item["status"]?.stringValue == "published",
                    let n = PushKillExport.row(ofRemark: item["payload"]?["BZ"]?.stringValue ?? ""),
                    !present.contains(n)
                else { return nil }
                return key
            })
        #expect(orphans.isEmpty, "\(context): published, unknown to the ledger, row gone: \(orphans.sorted())")
        // A withdrawn row keeps the last hash the ledger knew: the platform's is newer where a kill
        // lost an update's acceptance before the withdrawal. Published rows carry the platform's.
        let differ = Set(rows.keys).union(holdings.keys).subtracting(orphans).filter {
            rows[$0]?.status != holdings[$0]?.status
                || (rows[$0]?.status == "published" && rows[$0]?.hash != holdings[$0]?.hash)
        }
        let sides = differ.sorted().prefix(10).map {
            "\($0): ledger \(rows[$0]?.status ?? "none"), platform \(holdings[$0]?.status ?? "none")"
        }
        #expect(differ.isEmpty, "\(context): \(differ.count) keys differ between ledger and platform: \(sides)")
        // A ledger version lags the platform's where a kill lost an acceptance and the next run was
        // answered `unchanged`, which carries no version (exchange-api.md); it is never ahead.
        let ahead = rows.filter { $0.value.version > holdings[$0.key]?.version ?? 0 }
        #expect(ahead.isEmpty, "\(context): ledger versions ahead of the platform: \(ahead.mapValues(\.version))")
        let pair = "platform = 'credit' AND dataset = 'license'"
        let withoutPayload = try env.storeRows(
            "SELECT key FROM ledger l WHERE \(pair) AND status = 'published' AND NOT EXISTS (SELECT 1 FROM "
                + "accepted_payload p WHERE p.platform = l.platform AND p.dataset = l.dataset AND p.key = l.key)")
        #expect(withoutPayload.isEmpty, "\(context): published without an accepted payload: \(withoutPayload)")

        // Every record names its row: no row made two records, no record has more versions than
        // its row's changes and withdrawal explain, a published record's row is in the export.
        var keysOfRow: [Int: [String]] = [:]
        var problems: [String] = []
        for item in listing["items"]?.arrayValue ?? [] {
            let key = item["key"]?.stringValue ?? "?"
            guard let n = PushKillExport.row(ofRemark: item["payload"]?["BZ"]?.stringValue ?? "") else {
                problems.append("\(key): no row in its BZ")
                continue
            }
            keysOfRow[n, default: []].append(key)
            let version = item["version"]?.intValue ?? 0
            if version > export.versionBound[n] {
                problems.append("\(key) (row \(n)): version \(version), at most \(export.versionBound[n]) expected")
            }
            if item["status"]?.stringValue == "published" && !present.contains(n) && !orphans.contains(key) {
                problems.append("\(key) (row \(n)): published, but the row left the export")
            }
        }
        for (n, keys) in keysOfRow where keys.count > 1 { problems.append("row \(n) made records \(keys)") }
        #expect(problems.isEmpty, "\(context): \(problems.prefix(20)) (\(problems.count) problems)")

        // As many published records as a cold plan of the export creates, less those rejected.
        let cold = try env.credsync(
            ["plan", "--dataset", "license", "--json", "--state-dir", env.directory.path + "/cold"])
        let creates = try JSONParser.parse(cold.stdout)["plans"]?.arrayValue?.first?["create"]?.intValue ?? -1
        let rejectedRows = try env.storeRows("SELECT count(*) FROM rejected WHERE \(pair)")
        let rejected = Int(rejectedRows.first?.first ?? "") ?? -1
        let onPlatform = holdings.filter { $0.value.status == "published" && !orphans.contains($0.key) }.count
        let counts = "\(onPlatform) published, \(rejected) rejected, a cold plan creates \(creates)"
        #expect(onPlatform + rejected == creates, "\(context): \(counts) \(cold.stderr)")
        #expect(onPlatform > Self.records * 3 / 4, "\(context): only \(onPlatform) published")

        let queue = try env.storeRows("SELECT id, key, state, attempts FROM queue")
        #expect(queue.isEmpty, "\(context): left in the queue: \(queue.prefix(10))")
        let check = try env.credsync(["state", "check"])
        #expect(check.status == 0, "\(context): \(check.stdout)\(check.stderr)")
        // Once a known issue (about one clean-clone run in three): the redactor masked a `prev` whose
        // hex digits looked like a 身份证号 (1 line in 6,000), so the chain broke there. Digests are
        // no longer masked; the chain must hold after every kill.
        let audit = try env.credsync(["audit", "verify"])
        if audit.status != 0 {
            // Each line's event, its prev and its own hash, for the lines about the break.
            let log = env.stateDir + "/audit/audit.jsonl"
            let lines = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n") ?? []
            let shown = lines.enumerated().map { index, line in
                let json = try? JSONParser.parse(String(line))
                return
                    "\(index + 1) \(json?["event"]?.stringValue ?? "?") prev \(json?["prev"]?.stringValue?.prefix(8) ?? "?") "
                    + "hash \(SHA256.hex(String(line)).prefix(8))"
            }
            Issue.record("\(context): \(audit.stderr) audit lines: \(shown.joined(separator: "; "))")
        }
    }
}
