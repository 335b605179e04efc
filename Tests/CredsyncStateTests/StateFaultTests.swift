import CredsyncCore
import Foundation
import Testing
import TestSupport

@testable import CredsyncState

/// A small tmpfs to fill, where this machine lets the tests mount one (root, `mount -t tmpfs`).
enum SmallFileSystem {
    static func run(_ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/mount")
        if arguments.first == "umount" { process.executableURL = URL(fileURLWithPath: "/bin/umount") }
        process.arguments = arguments.first == "umount" ? Array(arguments.dropFirst()) : arguments
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    static func mount(_ directory: String, kilobytes: Int) -> Bool {
        run(["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", directory])
    }

    static func unmount(_ directory: String) { _ = run(["umount", directory]) }

    /// Whether a tmpfs can be mounted here: tried once, on a scratch directory.
    static let isAvailable: Bool = {
        guard getuid() == 0, let probe = try? TemporaryDirectory("tmpfs-probe") else { return false }
        guard mount(probe.path, kilobytes: 64) else { return false }
        unmount(probe.path)
        return true
    }()
}

@Suite struct StateFaultTests {
    @Test func garbageInTheDatabaseFileIsAClearErrorNotACrash() throws {
        let directory = try TemporaryDirectory("state")
        let file = StateStore.path(stateDir: directory.path)
        var generator = SystemRandomNumberGenerator()
        let garbage = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(garbage).write(to: URL(fileURLWithPath: file))

        let error = #expect(throws: CredsyncError.self) { try StateStore(stateDir: directory.path) }
        #expect(error?.exitCode == .ioError)
        #expect(error?.message.contains(file) == true)
        #expect(error?.message.contains("damaged") == true)
        #expect(error?.hint?.contains("credsync state check") == true)
        #expect(error?.hint?.contains("credsync state backup") == true)
        let report = try StateCheck.run(file: file)
        #expect(report.exitCode == .ioError)
        #expect(report.damage.first?.contains("not a database") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data(garbage), "the damaged file is left as it was")
    }

    @Test func damagedPagesAreFoundByStateCheckAndReadsFailClearly() throws {
        let directory = try TemporaryDirectory("state")
        let file = StateStore.path(stateDir: directory.path)
        do {
            let store = try StateStore(stateDir: directory.path)
            try store.transaction { () throws(CredsyncError) in
                for n in 0..<3000 {
                    try store.upsertLedger(Sample.ledger("K-\(n)"), platform: .credit, dataset: .license)
                }
            }
        }
        #expect(!FileSystem.exists(file + "-wal"), "closing the last connection checkpoints the log into the file")
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: file))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 8192))
        try handle.close()

        let report = try StateCheck.run(file: file)
        #expect(report.exitCode == .ioError)
        #expect(!report.damage.isEmpty)
        let error = #expect(throws: CredsyncError.self) {
            let store = try StateStore(stateDir: directory.path)
            try store.forEachLedgerRow(platform: .credit, dataset: .license) { _ in }
        }
        #expect(error?.exitCode == .ioError)
        #expect(error?.hint?.contains("credsync state check") == true)
    }

    @Test(.enabled(if: SmallFileSystem.isAvailable, "needs root and mount -t tmpfs to fill a small file system"))
    func fullDiskWhileCommittingIsExit74AndTheStoreIntact() throws {
        let directory = try TemporaryDirectory("state-full")
        guard SmallFileSystem.mount(directory.path, kilobytes: 512) else {
            Issue.record("mounting a tmpfs on \(directory.path) failed although the probe succeeded")
            return
        }
        defer { SmallFileSystem.unmount(directory.path) }
        let store = try StateStore(stateDir: directory.path)
        try store.transaction { () throws(CredsyncError) in
            for n in 0..<10 { try store.upsertLedger(Sample.ledger("K-\(n)"), platform: .credit, dataset: .license) }
        }
        let big = String(repeating: "x", count: 16_000)
        var failure: CredsyncError?
        for batch in 0..<200 where failure == nil {
            do {
                try store.transaction { () throws(CredsyncError) in
                    for n in 0..<4 {
                        try store.putQueueEntry(
                            Sample.queue("q-\(batch)-\(n)", key: "K-\(n)"), payload: #"{"x":"\#(big)"}"#, errors: [])
                    }
                }
            } catch {
                failure = error
            }
        }
        let error = try #require(failure, "512 KiB should fill up long before 200 batches of 64 KB")
        #expect(error.exitCode == .ioError)
        #expect(error.message.contains(store.path))
        #expect(error.message.contains("database or disk is full"), "\(error.message)")
        #expect(error.hint?.contains("free space") == true)
        #expect(!store.database.isInTransaction)
        #expect(try store.ledgerCount(platform: .credit, dataset: .license) == 10)
        let queued = try store.database.integer("SELECT count(*) FROM queue") ?? -1
        #expect(queued % 4 == 0, "whole batches only: \(queued) entries")

        let reopened = try StateStore(stateDir: directory.path)
        #expect(try reopened.ledgerCount(platform: .credit, dataset: .license) == 10)
        #expect(try reopened.database.integer("SELECT count(*) FROM queue") == queued)
        let report = try StateCheck.run(file: reopened.path)
        #expect(report.damage.isEmpty, "\(report.damage)")
    }

    @Test(.enabled(if: SmallFileSystem.isAvailable, "needs root and mount -t tmpfs to fill a small file system"))
    func backupOntoAFullDiskIsExit74AndLeavesNoPartialCopy() throws {
        let directory = try TemporaryDirectory("state-backup-full")
        let store = try StateStore(stateDir: directory.path + "/state")
        try store.transaction { () throws(CredsyncError) in
            for n in 0..<2000 { try store.upsertLedger(Sample.ledger("K-\(n)"), platform: .credit, dataset: .license) }
        }
        let backups = directory.path + "/backups"
        try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
        guard SmallFileSystem.mount(backups, kilobytes: 64) else {
            Issue.record("mounting a tmpfs on \(backups) failed although the probe succeeded")
            return
        }
        defer { SmallFileSystem.unmount(backups) }
        let error = #expect(throws: CredsyncError.self) {
            try StateBackup.write(from: store.path, to: backups + "/credsync.db")
        }
        #expect(error?.exitCode == .ioError)
        #expect(error?.message.contains(backups) == true, "\(error?.message ?? "")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: backups).isEmpty, "no partial copy left")
        #expect(try store.ledgerCount(platform: .credit, dataset: .license) == 2000)
    }
}
