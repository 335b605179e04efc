import CredsyncCore
import Foundation
import Testing
import TestSupport

@testable import CredsyncState

/// Rows the tests write, one of each table.
enum Sample {
    static func ledger(_ key: String, version: Int = 1, at time: Int = 1_700_000_000) -> LedgerRow {
        LedgerRow(
            key: key, status: .published, version: version, hash: String(repeating: "a", count: 64), batch: "b-1",
            createdAt: time, updatedAt: time)
    }

    static func queue(
        _ id: String, key: String, op: RecordOperation.Kind = .upsert, reason: String = "changed",
        state: QueueState = .deferred, platform: PlatformID = .credit
    ) -> QueueRow {
        QueueRow(
            id: id, platform: platform, dataset: .license, key: key, op: op, reason: reason, state: state,
            hash: op == .upsert ? "h-\(key)" : nil, batch: "b-1", attempts: 1, firstAttempt: 1000, lastAttempt: 1000,
            nextAttempt: 1300)
    }

    static let failure = QueueFailure(
        at: 1000, failureClass: .transient, status: 503, code: "E_UNAVAILABLE", message: "try later")
}

@Suite struct StateStoreTests {
    @Test func migrationsCreateTheSchemaInAnEmptyFile() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path + "/state")
        #expect(store.path == directory.path + "/state/credsync.db")
        #expect(try Schema.version(of: store.database) == Schema.latestVersion)
        var tables: [String] = []
        try store.database.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") { row in
            tables.append(row.text(0))
        }
        #expect(tables == (StateCheck.tables + ["schema_version"]).sorted())
        var mode = ""
        try store.database.query("PRAGMA journal_mode") { row in mode = row.text(0) }
        #expect(mode == "wal")
        #expect(try store.database.integer("PRAGMA synchronous") == 2)  // FULL
        #expect(try store.database.integer("PRAGMA foreign_keys") == 1)
        #expect(try StateCheck.run(file: store.path).isClean)
        let permissions = try FileSystem.permissions(store.path)
        #expect(permissions & 0o007 == 0, "the store holds personal data: no access for others")
    }

    @Test func reopeningKeepsEveryTableAndAppliesNoMigrationTwice() throws {
        let directory = try TemporaryDirectory("state")
        let asOf = try #require(LocalDate(iso: "2026-11-20"))
        do {
            let store = try StateStore(stateDir: directory.path)
            try store.transaction { () throws(CredsyncError) in
                try store.upsertLedger(Sample.ledger("K-1"), platform: .credit, dataset: .license)
                try store.replaceAcceptedPayload(
                    platform: .credit, dataset: .license, key: "K-1", payload: #"{"a":1}"#, acceptedAt: 5)
                try store.upsertRejected(
                    RejectedRow(key: "K-2", hash: "withdraw", rejectedAt: 6, reason: "E_FIELD"), platform: .gsxt,
                    dataset: .penalty)
                try store.recordExport(dataset: .license, records: 1200, recordedAt: 7, runID: "r-1")
                try store.setCursor(feed: "enterprises", cursor: "c-9", pulledAt: 8)
                try store.upsertEnterprise(
                    EnterpriseRow(uscc: "91330106MA2AXY7K3X", record: #"{"name":"甲"}"#, seq: 4, fetchedAt: 9))
                try store.addSeriousIllegalEntry(uscc: "91330106MA2AXY7K3X", seq: 3, entry: #"{"in":true}"#)
                try store.putQueueEntry(Sample.queue("q-1", key: "K-1"), payload: #"{"a":2}"#, errors: [Sample.failure])
                var outcome = RunOutcomeRow(platform: .credit, dataset: .license)
                outcome.created = 3
                try store.recordRun(
                    RunSummaryRow(
                        runID: "r-1", asOf: asOf, startedAt: 1, finishedAt: 2,
                        isDryRun: false, exitCode: 0), outcomes: [outcome])
            }
        }
        let store = try StateStore(stateDir: directory.path)
        #expect(try store.database.integer("SELECT count(*) FROM schema_version") == Schema.latestVersion)
        #expect(try store.ledgerRow(platform: .credit, dataset: .license, key: "K-1") == Sample.ledger("K-1"))
        #expect(try store.acceptedPayload(platform: .credit, dataset: .license, key: "K-1") == #"{"a":1}"#)
        var payloads: [String] = []
        try store.forEachAcceptedPayload(platform: .credit, dataset: .license) { key, payload in
            payloads.append(key + " " + payload)
        }
        #expect(payloads == [#"K-1 {"a":1}"#])
        #expect(try store.rejected(platform: .gsxt, dataset: .penalty, key: "K-2")?.hash == "withdraw")
        #expect(try store.lastExportRecords(dataset: .license) == 1200)
        #expect(try store.lastExportRecords(dataset: .pledge) == nil)
        #expect(try store.cursors() == ["enterprises": "c-9"])
        #expect(try store.enterprise(uscc: "91330106MA2AXY7K3X")?.seq == 4)
        #expect(try store.seriousIllegalEntries(uscc: "91330106MA2AXY7K3X") == [#"{"in":true}"#])
        var expected = Sample.queue("q-1", key: "K-1")
        expected.lastError = Sample.failure
        #expect(try store.queueEntry(id: "q-1") == expected)
        #expect(try store.queuePayload(id: "q-1") == #"{"a":2}"#)
        #expect(try store.runSummary()?.runID == "r-1")
        #expect(try store.runOutcomes(runID: "r-1").first?.created == 3)
    }

    @Test func storeOfANewerSchemaIsRefusedAndLeftAlone() throws {
        let directory = try TemporaryDirectory("state")
        do {
            let store = try StateStore(stateDir: directory.path)
            try store.database.execute("INSERT INTO schema_version (version, applied_at) VALUES (99, 0)")
        }
        let error = #expect(throws: CredsyncError.self) { try StateStore(stateDir: directory.path) }
        #expect(error?.exitCode == .ioError)
        #expect(error?.message.contains("schema version 99") == true)
        let database = try Database(path: StateStore.path(stateDir: directory.path))
        #expect(try Schema.version(of: database) == 99)
    }

    @Test func transactionThatThrowsLeavesNothing() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        let error = #expect(throws: CredsyncError.self) {
            try store.transaction { () throws(CredsyncError) in
                try store.upsertLedger(Sample.ledger("K-1"), platform: .credit, dataset: .license)
                try store.replaceAcceptedPayload(
                    platform: .credit, dataset: .license, key: "K-1", payload: "{}", acceptedAt: 1)
                try store.putQueueEntry(Sample.queue("q-1", key: "K-1"), payload: "{}", errors: [Sample.failure])
                throw CredsyncError(.unavailable, "the platform went away")
            }
        }
        #expect(error?.message == "the platform went away")
        #expect(!store.database.isInTransaction)
        #expect(try store.ledgerRow(platform: .credit, dataset: .license, key: "K-1") == nil)
        #expect(try store.acceptedPayload(platform: .credit, dataset: .license, key: "K-1") == nil)
        #expect(try store.queueEntry(id: "q-1") == nil)
        #expect(try store.database.integer("SELECT count(*) FROM queue_error") == 0)
        // A constraint SQLite refuses inside the transaction rolls back what came before it too.
        #expect(throws: CredsyncError.self) {
            try store.transaction { () throws(CredsyncError) in
                try store.upsertLedger(Sample.ledger("K-2"), platform: .credit, dataset: .license)
                try store.replaceAcceptedPayload(
                    platform: .ipp, dataset: .pledge, key: "no-ledger-row", payload: "{}", acceptedAt: 1)
            }
        }
        #expect(try store.ledgerCount(platform: .credit, dataset: .license) == 0)
    }

    @Test func ledgerIteratesInKeyOrderAndKeepsItsCreationTime() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        try store.transaction { () throws(CredsyncError) in
            for key in ["K-3", "K-1", "K-2", "甲-1"] {
                try store.upsertLedger(Sample.ledger(key), platform: .gsxt, dataset: .license)
            }
            try store.upsertLedger(Sample.ledger("other", at: 5), platform: .credit, dataset: .license)
        }
        var update = Sample.ledger("K-2", version: 2, at: 1_800_000_000)
        update.status = .withdrawn
        try store.upsertLedger(update, platform: .gsxt, dataset: .license)
        var keys: [String] = []
        try store.forEachLedgerRow(platform: .gsxt, dataset: .license) { row in keys.append(row.key) }
        #expect(keys == ["K-1", "K-2", "K-3", "甲-1"])
        let row = try #require(try store.ledgerRow(platform: .gsxt, dataset: .license, key: "K-2"))
        #expect(row.createdAt == 1_700_000_000 && row.updatedAt == 1_800_000_000 && row.version == 2)
        #expect(row.status == .withdrawn)
    }

    @Test func personalNumbersAreMaskedAtRest() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        let idCard = "11010519491231002X"
        try store.upsertLedger(Sample.ledger("K-1"), platform: .credit, dataset: .license)
        try store.replaceAcceptedPayload(
            platform: .credit, dataset: .license, key: "K-1", payload: #"{"ZJHM":"\#(idCard)"}"#, acceptedAt: 1)
        try store.putQueueEntry(
            Sample.queue("q-1", key: "K-1"), payload: nil,
            errors: [QueueFailure(at: 1, failureClass: .permanent, status: 400, code: nil, message: "bad \(idCard)")])
        try store.upsertRejected(
            RejectedRow(key: "K-1", hash: "h", rejectedAt: 1, reason: "E_ID \(idCard)"), platform: .credit,
            dataset: .license)
        #expect(
            try store.acceptedPayload(platform: .credit, dataset: .license, key: "K-1")
                == #"{"ZJHM":"110105********002X"}"#)
        #expect(try store.queueErrors(id: "q-1").first?.message == "bad 110105********002X")
        #expect(
            try store.rejected(platform: .credit, dataset: .license, key: "K-1")?.reason == "E_ID 110105********002X")
    }

    @Test func queueListsInKeyOrderWithTheLatestErrorAndFilters() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        try store.transaction { () throws(CredsyncError) in
            try store.putQueueEntry(Sample.queue("q-2", key: "K-2"), payload: "{}", errors: [Sample.failure])
            try store.putQueueEntry(Sample.queue("q-1", key: "K-1", state: .hold), payload: "{}", errors: [])
            try store.putQueueEntry(Sample.queue("q-3", key: "K-0", platform: .ipp), payload: nil, errors: [])
        }
        let later = QueueFailure(at: 2000, failureClass: .permanent, status: 400, code: "E_FIELD", message: "bad")
        try store.appendQueueError(id: "q-2", later)
        var listed: [QueueRow] = []
        try store.forEachQueueEntry { row in listed.append(row) }
        #expect(listed.map(\.id) == ["q-1", "q-2", "q-3"])
        #expect(listed[1].lastError == later)
        #expect(try store.queueErrors(id: "q-2") == [Sample.failure, later])
        var held: [String] = []
        try store.forEachQueueEntry(QueueSelection(state: .hold)) { row in held.append(row.id) }
        #expect(held == ["q-1"])
        #expect(try store.moveQueueEntry(id: "q-1", to: .deferred, nextAttempt: 0))
        #expect(try !store.moveQueueEntry(id: "q-none", to: .deferred, nextAttempt: 0))
        var due: [String] = []
        try store.forEachQueueEntry(QueueSelection(platform: .credit, dueBy: 10)) { row in due.append(row.id) }
        #expect(due == ["q-1"])
        #expect(try store.removeQueueEntry(id: "q-2"))
        #expect(try store.queueErrors(id: "q-2").isEmpty)
        #expect(
            try store.queueCounts().map { "\($0.0) \($0.1) \($0.2) \($0.3)" } == [
                "credit license deferred 1", "ipp license deferred 1",
            ])
    }
}
