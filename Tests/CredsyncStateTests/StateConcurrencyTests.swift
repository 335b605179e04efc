import CredsyncCore
import Foundation
import Synchronization
import Testing
import TestSupport

@testable import CredsyncState

/// Counts shared between a test and the thread it starts.
final class Progress: Sendable {
    let value = Mutex<Int>(0)
    let failure = Mutex<String?>(nil)
}

@Suite struct StateConcurrencyTests {
    @Test func readerWorksWhileAWriterHoldsTheWriteTransaction() throws {
        let directory = try TemporaryDirectory("state")
        let writer = try StateStore(stateDir: directory.path)
        try writer.upsertLedger(Sample.ledger("K-1"), platform: .credit, dataset: .license)
        try writer.database.execute("BEGIN IMMEDIATE")
        try writer.upsertLedger(Sample.ledger("K-2"), platform: .credit, dataset: .license)

        // A second process's connection: it reads the last commit at once, and a write of its own
        // waits the busy time-out, then fails as temporary (exit 75), naming the file.
        let reader = try StateStore(stateDir: directory.path, busyTimeout: 100)
        #expect(try reader.ledgerCount(platform: .credit, dataset: .license) == 1)
        let busy = #expect(throws: CredsyncError.self) {
            try reader.upsertLedger(Sample.ledger("K-3"), platform: .credit, dataset: .license)
        }
        #expect(busy?.exitCode == .temporaryFailure)
        #expect(busy?.message.contains(reader.path) == true)
        #expect(try StateCheck.run(file: reader.path).isClean)

        try writer.database.execute("COMMIT")
        #expect(try reader.ledgerCount(platform: .credit, dataset: .license) == 2)
        try reader.upsertLedger(Sample.ledger("K-3"), platform: .credit, dataset: .license)
    }

    @Test func writerWaitsForAnotherWritersCommitWithinTheBusyTimeout() throws {
        let directory = try TemporaryDirectory("state")
        let path = directory.path
        _ = try StateStore(stateDir: path)
        let progress = Progress()
        let thread = Thread {
            do {
                let holder = try StateStore(stateDir: path)
                try holder.transaction { () throws(CredsyncError) in
                    try holder.upsertLedger(Sample.ledger("K-1"), platform: .credit, dataset: .license)
                    progress.value.withLock { $0 = 1 }
                    usleep(300_000)
                }
            } catch {
                progress.failure.withLock { $0 = String(describing: error) }
            }
            progress.value.withLock { $0 = 2 }
        }
        thread.start()
        while progress.value.withLock({ $0 }) == 0 { usleep(1000) }
        let waiter = try StateStore(stateDir: path, busyTimeout: 30_000)
        try waiter.upsertLedger(Sample.ledger("K-2"), platform: .credit, dataset: .license)
        // The write went through only once the holder had committed.
        #expect(try waiter.ledgerCount(platform: .credit, dataset: .license) == 2)
        while progress.value.withLock({ $0 }) != 2 { usleep(1000) }
        #expect(progress.failure.withLock { $0 } == nil)
    }

    @Test func backupWhileAWriterCommitsIsAConsistentCopy() throws {
        let directory = try TemporaryDirectory("state")
        let path = directory.path
        _ = try StateStore(stateDir: path)
        let progress = Progress()
        let batches = 400
        let thread = Thread {
            do {
                let writer = try StateStore(stateDir: path)
                for batch in 0..<batches {
                    // Each commit adds ten keys to the ledger and their payloads: a copy taken between
                    // two commits holds as many payloads as ledger rows, a multiple of ten.
                    try writer.transaction { () throws(CredsyncError) in
                        for n in 0..<10 {
                            let key = "K-\(batch)-\(n)"
                            try writer.upsertLedger(Sample.ledger(key), platform: .gsxt, dataset: .license)
                            try writer.replaceAcceptedPayload(
                                platform: .gsxt, dataset: .license, key: key,
                                payload: #"{"n":"\#(String(repeating: "x", count: 200))"}"#, acceptedAt: batch)
                        }
                    }
                    progress.value.withLock { $0 = batch + 1 }
                }
            } catch {
                progress.failure.withLock { $0 = String(describing: error) }
            }
            progress.value.withLock { $0 = batches + 1 }
        }
        thread.start()
        var copies: [Int] = []
        var index = 0
        while progress.value.withLock({ $0 }) <= batches {
            guard progress.value.withLock({ $0 }) > 0 else {
                usleep(1000)
                continue
            }
            index += 1
            let file = "\(path)/backup-\(index).db"
            let bytes = try StateBackup.write(from: StateStore.path(stateDir: path), to: file)
            #expect(bytes > 0)
            #expect(try StateCheck.run(file: file).isClean)
            // Bytes 18 and 19 of the header are 1 for a rollback journal, 2 for WAL.
            let header = try FileSystem.read(file).prefix(20)
            #expect(
                header.count == 20 && header.suffix(2) == [1, 1], "one self-contained file, and checking leaves it so")
            let copy = try StateStore(file: file)
            let rows = try copy.ledgerCount(platform: .gsxt, dataset: .license)
            let payloads = try copy.database.integer("SELECT count(*) FROM accepted_payload") ?? -1
            #expect(rows == payloads && rows % 10 == 0, "copy \(index): \(rows) ledger rows, \(payloads) payloads")
            copies.append(rows)
        }
        #expect(progress.failure.withLock { $0 } == nil)
        #expect(!copies.isEmpty)
        let final = "\(path)/backup-final.db"
        _ = try StateBackup.write(from: StateStore.path(stateDir: path), to: final)
        #expect(try StateStore(file: final).ledgerCount(platform: .gsxt, dataset: .license) == batches * 10)
    }
}
