import CredsyncCore
import Foundation
import Testing
import TestSupport

@testable import CredsyncState

/// `credsync state check` and `credsync state backup` on the real binary, with a store the
/// library wrote (the pipeline does not write one yet).
@Suite struct StateCommandEndToEndTests {
    /// What the `sqlite3` shell prints for `sql` on `file`.
    static func sqlite3(_ file: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [file, sql]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func checkAndBackupReportCleanDamagedAndInconsistentStores() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let file = StateStore.path(stateDir: env.stateDir)
        let backup = env.directory.path + "/backups/credsync-1.db"
        try FileManager.default.createDirectory(
            atPath: env.directory.path + "/backups", withIntermediateDirectories: true)

        let none = try env.credsync(["state", "check"])
        #expect(none.status == 0 && none.stdout.contains("none yet"), "\(none.stdout)\(none.stderr)")
        #expect(try env.credsync(["state", "check", file]).status == 74, "a FILE named must exist")
        let missing = try env.credsync(["state", "backup", backup])
        #expect(missing.status == 74, "\(missing.stderr)")
        #expect(missing.stderr.contains(file) && missing.stderr.contains("hint: "), "\(missing.stderr)")

        do {
            let store = try StateStore(stateDir: env.stateDir)
            try store.transaction { () throws(CredsyncError) in
                for n in 0..<5 { try store.upsertLedger(Sample.ledger("K-\(n)"), platform: .credit, dataset: .license) }
                try store.putQueueEntry(Sample.queue("q-1", key: "K-1"), payload: "{}", errors: [Sample.failure])
            }
        }
        let clean = try env.credsync(["state", "check"])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("schema version \(Schema.latestVersion), clean"), "\(clean.stdout)")
        #expect(clean.stdout.contains("ledger") && clean.stdout.contains("5"), "\(clean.stdout)")
        let json = try JSONParser.parse(Array(try env.credsync(["state", "check", "--json"]).stdout.utf8))
        #expect(json["clean"]?.boolValue == true && json["exists"]?.boolValue == true)
        #expect(json["tables"]?["queue_error"]?.intValue == 1)

        let copied = try env.credsync(["state", "backup", backup])
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("backed up \(file) to \(backup)"), "\(copied.stdout)")
        let checked = try env.credsync(["state", "check", backup])
        #expect(checked.status == 0 && checked.stdout.contains(backup), "\(checked.stdout)\(checked.stderr)")
        #expect(!FileManager.default.fileExists(atPath: backup + "-wal"), "state check only reads")
        // The README's way to look inside: the sqlite3 shell.
        let published = try Self.sqlite3(backup, "SELECT count(*) FROM ledger WHERE status = 'published'")
        #expect(published == "5\n")

        do {
            let store = try StateStore(stateDir: env.stateDir)
            try store.putQueueEntry(
                Sample.queue("q-2", key: "K-9", op: .withdraw, reason: "expired"), payload: nil, errors: [])
        }
        let inconsistent = try env.credsync(["state", "check"])
        #expect(inconsistent.status == 1, "\(inconsistent.stdout)\(inconsistent.stderr)")
        #expect(inconsistent.stdout.contains("inconsistent: queue entry q-2"), "\(inconsistent.stdout)")

        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: file))
        let damaged = try env.credsync(["state", "check"])
        #expect(damaged.status == 74, "\(damaged.stdout)\(damaged.stderr)")
        #expect(damaged.stdout.contains("DAMAGED") && damaged.stdout.contains("not a database"), "\(damaged.stdout)")
        #expect(damaged.stderr.contains("hint: ") && damaged.stderr.contains("state backup"), "\(damaged.stderr)")
        let refused = try env.credsync(["state", "backup", backup])
        #expect(refused.status == 74, "\(refused.stderr)")
        #expect(refused.stderr.contains("credsync state check"), "\(refused.stderr)")
        // The earlier copy survives a backup that failed.
        #expect(try StateStore(file: backup).ledgerCount(platform: .credit, dataset: .license) == 5)
    }
}
