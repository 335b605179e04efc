import Foundation
import Testing

@testable import CredsyncCore

/// `publication` and `receiptWarningDays` per platform (exchange-api.md 1.1, "Receipts").
@Suite struct PublicationConfigTests {
    static func platform(_ extra: String) -> String {
        #"{"id": "gsxt", "baseURL": "http://127.0.0.1:8719/gsxt/exchange/v1", "appId": "a", "secretEnv": "SECRET""#
            + extra + "}"
    }

    @Test func synchronousIsTheDefaultAndReceiptsIsChosenPerPlatform() throws {
        let fixture = try ConfigFixture()
        let plain = try fixture.load(ConfigFixture.text(platform: Self.platform(""))).requireConfig()
        #expect(plain.platforms.first?.publication == .synchronous)
        let receipts = try fixture.load(
            ConfigFixture.text(
                platform: Self.platform(
                    #", "publication": "receipts", "receiptWarningDays": 5"#))
        ).requireConfig()
        #expect(receipts.platforms.first?.publication == .receipts)
        #expect(receipts.platforms.first?.receipts.warningWorkingDays == 5)
        let defaulted = try fixture.load(ConfigFixture.text(platform: Self.platform(#", "publication": "receipts""#)))
        #expect(try defaulted.requireConfig().platforms.first?.receipts.warningWorkingDays == 3)
    }

    @Test func aWrongValueNamesTheFieldAndTheChoices() throws {
        let fixture = try ConfigFixture()
        let typo = try fixture.load(ConfigFixture.text(platform: Self.platform(#", "publication": "receipt""#)))
        let text = typo.problems.map(\.description).joined(separator: "\n")
        #expect(text.contains("publication"), "\(text)")
        #expect(text.contains("\"receipt\" is not one of synchronous, receipts"), "\(text)")
        #expect(text.contains("did you mean \"receipts\"?"), "\(text)")
        let orphan = try fixture.load(ConfigFixture.text(platform: Self.platform(#", "receiptWarningDays": 3"#)))
        #expect(
            orphan.problems.map(\.description).contains {
                $0.contains("receiptWarningDays") && $0.contains("synchronous")
            })
        let range = try fixture.load(
            ConfigFixture.text(
                platform: Self.platform(
                    #", "publication": "receipts", "receiptWarningDays": 0"#)))
        #expect(range.problems.map(\.description).contains { $0.contains("receiptWarningDays") })
    }
}
