import CredsyncCore
import Foundation
import TestSupport
import Testing

@Suite struct PrivacyReportEndToEndTests {
    /// A natural person pledgor of the sample pledges (fixtures/pledges.csv, ZX2026000002).
    static let number = "330106199012092282"

    @Test func theRegisterNamesThePersonalFieldsAndCountsThePersonsRecordsSent() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        #expect([0, 1].contains(try env.credsync(["sync", "--dataset", "pledge"]).status))
        let text = try env.credsync(["privacy", "report"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("pledge (sent to credit): ZY_CZRDM"), "\(text.stdout)")
        #expect(text.stdout.contains("license (sent to "), "\(text.stdout)")
        let json = try JSONParser.parse(try env.credsync(["privacy", "report", "--json"]).stdout)
        let counts = json["counts"]?.arrayValue ?? []
        let pledge = try #require(counts.first { $0["dataset"]?.stringValue == "pledge" })
        let records = pledge["records"]?.doubleValue ?? -1
        let personal = pledge["personal"]?.doubleValue ?? -1
        #expect(records > 0 && personal > 0 && personal < records, "\(pledge)")
        // A period before anything was sent counts nothing.
        let before = try JSONParser.parse(
            try env.credsync(["privacy", "report", "--to", "2020-01-01", "--json"]).stdout)
        #expect(before["counts"]?.arrayValue?.isEmpty == true)
    }

    @Test func aLookUpOfAPersonFindsTheRecordMaskedAndIsAudited() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        #expect([0, 1].contains(try env.credsync(["sync", "--dataset", "pledge"]).status))
        let masked = try env.credsync(["privacy", "report", "--subject", Self.number])
        #expect(masked.status == 0, "\(masked.stderr)")
        #expect(masked.stdout.contains("records holding 330106********2282"), "\(masked.stdout)")
        #expect(masked.stdout.contains("credit/pledge ZX2026000002: ZY_CZRDM"), "\(masked.stdout)")
        #expect(!masked.stdout.contains(Self.number))
        let revealed = try env.credsync(["privacy", "report", "--subject", Self.number, "--reveal"])
        #expect(revealed.stdout.contains("records holding \(Self.number)"))
        let audit = try String(contentsOfFile: env.stateDir + "/audit/audit.jsonl", encoding: .utf8)
        let lookUps = audit.split(separator: "\n").filter { $0.contains(#""action":"privacy subject""#) }
        #expect(lookUps.count == 2)
        #expect(lookUps.allSatisfy { $0.contains("330106********2282") && $0.contains("ZX2026000002") })
        #expect(!audit.contains(Self.number))
        #expect(lookUps.last?.contains(#""reveal":true"#) == true)
        // --reveal alone, or with --json (whose output is masked), is a usage error.
        #expect(try env.credsync(["privacy", "report", "--reveal"]).status == 64)
        #expect(try env.credsync(["privacy", "report", "--subject", Self.number, "--reveal", "--json"]).status == 64)
    }
}
