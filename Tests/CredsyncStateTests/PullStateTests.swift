import CredsyncCore
import Foundation
import Testing
import TestSupport

@testable import CredsyncState

/// The pull's tables: `pull_cursor`, `enterprise`, `serious_illegal`.
@Suite struct PullStateTests {
    static let person = "330106199210058878"
    static let company = Fixture.companyUSCC

    @Test func aPersonalNumberIsKeptAsItsHashAndTheRecordMasked() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        let record = #"{"uscc":"\#(Self.person)","name":"郭娟"}"#
        try store.upsertEnterprise(EnterpriseRow(uscc: Self.person, record: record, seq: nil, fetchedAt: 5))
        try store.addSeriousIllegalEntry(uscc: Self.person, seq: 1, entry: #"{"uscc":"\#(Self.person)"}"#)
        try store.upsertEnterprise(EnterpriseRow(uscc: Self.company, record: "{}", seq: 3, fetchedAt: 5))
        // Looked up by the number, stored by its hash; an organisation's code stays as it is.
        let found = try #require(try store.enterprise(uscc: Self.person))
        #expect(found.record == #"{"uscc":"330106********8878","name":"郭娟"}"#)
        #expect(try store.seriousIllegalEntries(uscc: Self.person) == [#"{"uscc":"330106********8878"}"#])
        var keys: [String] = []
        try store.database.query("SELECT uscc FROM enterprise UNION ALL SELECT uscc FROM serious_illegal") { row in
            keys.append(row.text(0))
        }
        let hashed = "sha256:" + SHA256.hex(Self.person)
        #expect(keys.sorted() == [Self.company, hashed, hashed].sorted())
        #expect(StateStore.enterpriseKey(Self.company) == Self.company)
    }

    @Test func aNotFoundAnswerOrAnOlderPageNeverReplacesARecord() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        try store.upsertEnterprise(EnterpriseRow(uscc: Self.company, record: #"{"v":9}"#, seq: 9, fetchedAt: 1))
        try store.upsertEnterprise(EnterpriseRow(uscc: Self.company, record: #"{"v":3}"#, seq: 3, fetchedAt: 2))
        try store.upsertEnterprise(EnterpriseRow(uscc: Self.company, record: nil, seq: nil, fetchedAt: 3))
        #expect(
            try store.enterprise(uscc: Self.company)
                == EnterpriseRow(
                    uscc: Self.company, record: #"{"v":9}"#, seq: 9, fetchedAt: 1))
        // A query's answer replaces the record and keeps the feed's seq.
        try store.upsertEnterprise(EnterpriseRow(uscc: Self.company, record: #"{"v":10}"#, seq: nil, fetchedAt: 4))
        #expect(
            try store.enterprise(uscc: Self.company)
                == EnterpriseRow(
                    uscc: Self.company, record: #"{"v":10}"#, seq: 9, fetchedAt: 4))
        // A code gsxt does not know, then learns.
        try store.upsertEnterprise(EnterpriseRow(uscc: "91330100716105853F", record: nil, seq: nil, fetchedAt: 1))
        #expect(try store.enterprise(uscc: "91330100716105853F")?.isNotFound == true)
        try store.upsertEnterprise(EnterpriseRow(uscc: "91330100716105853F", record: "{}", seq: 12, fetchedAt: 2))
        #expect(try store.enterprise(uscc: "91330100716105853F")?.isNotFound == false)
        #expect(try store.enterpriseCount() == 2)
    }

    @Test func cursorsMoveAndAreForgottenByFeed() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        #expect(try store.lastPulledAt() == nil)
        #expect(try store.hasEnterpriseData() == false)
        try store.setCursor(feed: "enterprises", cursor: "c-1", pulledAt: 10)
        try store.setCursor(feed: "list", cursor: "l-1", pulledAt: 12)
        try store.setCursor(feed: "enterprises", cursor: "c-2", pulledAt: 11)
        #expect(try store.cursors() == ["enterprises": "c-2", "list": "l-1"])
        #expect(try store.lastPulledAt() == 12)
        try store.removeCursor(feed: "list")
        #expect(try store.cursors() == ["enterprises": "c-2"])
        try store.addSeriousIllegalEntry(uscc: Self.company, seq: 1, entry: "{}")
        #expect(try store.hasEnterpriseData() == true)
    }

    @Test func theCrossChecksLookUpReadsTheComparedFieldsAndRefusesADamagedRecord() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        let record = #"{"name":"甲公司","status":"注销","updatedAt":"2026-01-05T02:00:00Z","type":"有限责任公司"}"#
        try store.upsertEnterprise(EnterpriseRow(uscc: Self.company, record: record, seq: 1, fetchedAt: 1))
        try store.upsertEnterprise(EnterpriseRow(uscc: Self.person, record: nil, seq: nil, fetchedAt: 1))
        try store.addSeriousIllegalEntry(uscc: Self.company, seq: 2, entry: "{}")
        #expect(
            try store.enterpriseSubject(uscc: Self.company)
                == EnterpriseSubjectRow(
                    name: "甲公司", status: "注销", updatedAt: "2026-01-05T02:00:00Z", isNotFound: false,
                    hasListEntries: true, seq: 1, fetchedAt: 1))
        #expect(try store.enterpriseSubject(uscc: Self.person)?.seq == nil)
        #expect(try store.enterpriseSubject(uscc: Self.person)?.isNotFound == true)
        #expect(try store.enterpriseSubject(uscc: "91330100716105853F") == nil)
        try store.database.execute("UPDATE enterprise SET record = '{\"name\": ' WHERE uscc = ?", [.text(Self.company)])
        let error = #expect(throws: CredsyncError.self) { try store.enterpriseSubject(uscc: Self.company) }
        #expect(error?.exitCode == .ioError)
        #expect(error?.message.contains("table enterprise") == true)
    }
}
