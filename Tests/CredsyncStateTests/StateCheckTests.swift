import CredsyncCore
import Testing
import TestSupport

@testable import CredsyncState

@Suite struct StateCheckTests {
    @Test func queueEntriesWithoutALedgerRowAndKeysBothDeferredAndHeldAreInconsistent() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        try store.transaction { () throws(CredsyncError) in
            try store.upsertLedger(Sample.ledger("K-1"), platform: .credit, dataset: .license)
            // Consistent: an update of a known key, and a create of a new one.
            try store.putQueueEntry(Sample.queue("q-1", key: "K-1"), payload: "{}", errors: [])
            try store.putQueueEntry(Sample.queue("q-2", key: "K-new", reason: "new"), payload: "{}", errors: [])
        }
        #expect(try StateCheck.run(file: store.path).isClean)

        try store.transaction { () throws(CredsyncError) in
            try store.putQueueEntry(
                Sample.queue("q-3", key: "K-gone", op: .withdraw, reason: "expired"), payload: nil, errors: [])
            try store.putQueueEntry(Sample.queue("q-4", key: "K-1", state: .hold), payload: "{}", errors: [])
        }
        let report = try StateCheck.run(file: store.path)
        #expect(report.damage.isEmpty)
        #expect(report.exitCode == .needsAttention)
        #expect(report.inconsistencies.count == 2)
        #expect(report.inconsistencies.contains { $0.contains("q-3") && $0.contains("no ledger row") })
        #expect(report.inconsistencies.contains { $0.contains("K-1") && $0.contains("both deferred and held") })
        #expect(report.tableRows.first { $0.table == "queue" }?.rows == 4)
    }

    @Test func checkingAMissingFileIsAnErrorAndCreatesNothing() throws {
        let directory = try TemporaryDirectory("state")
        let file = StateStore.path(stateDir: directory.path)
        let error = #expect(throws: CredsyncError.self) { try StateCheck.run(file: file) }
        #expect(error?.exitCode == .ioError)
        #expect(!FileSystem.exists(file))
    }

    @Test func backupRefusesToOverwriteTheStoreAndNeedsAStore() throws {
        let directory = try TemporaryDirectory("state")
        let file = StateStore.path(stateDir: directory.path)
        let missing = #expect(throws: CredsyncError.self) {
            try StateBackup.write(from: file, to: directory.path + "/b.db")
        }
        #expect(missing?.exitCode == .ioError)
        #expect(!FileSystem.exists(file))
        let store = try StateStore(stateDir: directory.path)
        try store.upsertLedger(Sample.ledger("K-1"), platform: .credit, dataset: .license)
        for target in [file, file + "-wal", directory.path + "/./credsync.db"] {
            let error = #expect(throws: CredsyncError.self) { try StateBackup.write(from: file, to: target) }
            #expect(error?.exitCode == .usage)
        }
        #expect(try store.ledgerCount(platform: .credit, dataset: .license) == 1)
        // A second backup to the same file replaces the first.
        let backup = directory.path + "/backup.db"
        _ = try StateBackup.write(from: file, to: backup)
        try store.upsertLedger(Sample.ledger("K-2"), platform: .credit, dataset: .license)
        _ = try StateBackup.write(from: file, to: backup)
        #expect(try StateStore(file: backup).ledgerCount(platform: .credit, dataset: .license) == 2)
        #expect(!FileSystem.exists(backup + ".partial"))
    }
}
