import CredsyncCore
import CredsyncState
import Foundation

/// The SQLite state store: `--entries N` (100,000) queue entries written in transactions of 1,000,
/// then listed in key order (target: well under a second), and `--ledger N` (1,000,000) ledger rows
/// written the same way and iterated, with the peak memory.
struct StateStoreBenchmark {
    let options: BenchOptions

    func run() -> Int32 {
        let entries = options.int("entries", 100_000)
        let ledgerRows = options.int("ledger", 1_000_000)
        if let stateDir = options.string("state-dir"), options.string("crash-log") != nil {
            return Self.crashLoop(stateDir: stateDir)
        }
        let stateDir = NSTemporaryDirectory() + "credsync-bench-state-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        do {
            let store = try StateStore(stateDir: stateDir)
            let payload = #"{"XK_NR":"\#(String(repeating: "许可内容", count: 40))"}"#
            let failure = QueueFailure(
                at: 1, failureClass: .transient, status: 503, code: "UNAVAILABLE", message: "HTTP 503")
            var started = Timestamp.monotonic()
            for first in stride(from: 0, to: entries, by: 1000) {
                try store.transaction { () throws(CredsyncError) in
                    for i in first..<min(entries, first + 1000) {
                        let row = QueueRow(
                            id: String(format: "%012d", i), platform: .credit, dataset: .license, key: "ZJ-\(i)",
                            op: .upsert, reason: "new", state: .deferred, hash: nil, batch: nil, attempts: 1,
                            firstAttempt: 1, lastAttempt: 1, nextAttempt: 300)
                        try store.putQueueEntry(row, payload: payload, errors: [failure])
                    }
                }
            }
            let enqueue = Timestamp.monotonic() - started
            started = Timestamp.monotonic()
            var listed = 0
            try store.forEachQueueEntry { row in if row.lastError != nil { listed += 1 } }
            let list = Timestamp.monotonic() - started
            started = Timestamp.monotonic()
            for first in stride(from: 0, to: ledgerRows, by: 10_000) {
                try store.transaction { () throws(CredsyncError) in
                    for i in first..<min(ledgerRows, first + 10_000) {
                        let row = LedgerRow(
                            key: "ZJ-\(i)", status: .published, version: 1, hash: String(repeating: "a", count: 64),
                            batch: "b", createdAt: 1, updatedAt: 1)
                        try store.upsertLedger(row, platform: .credit, dataset: .license)
                    }
                }
            }
            let ledgerWrite = Timestamp.monotonic() - started
            started = Timestamp.monotonic()
            var iterated = 0
            try store.forEachLedgerRow(platform: .credit, dataset: .license) { _ in iterated += 1 }
            let ledgerRead = Timestamp.monotonic() - started
            print(
                String(
                    format: "state store: %d queue entries written in %.2f s, listed in %.3f s (target < 1 s)",
                    entries, enqueue, list))
            print(
                String(
                    format: "state store: %d ledger rows written in %.2f s, iterated in %.2f s; peak memory %.0f MB",
                    ledgerRows, ledgerWrite, ledgerRead, peakMemoryMB()))
            return listed == entries && iterated == ledgerRows && list < 1 ? 0 : 1
        } catch {
            FileOutput.writeAll(2, "error: \(error.message)\n")
            return 74
        }
    }

    /// The child of the store's crash test (`--state-dir DIR --crash-log yes`): batch after batch,
    /// one transaction writes ten ledger rows and their payloads, queues an entry and removes the
    /// previous batch's, then reports `C <batch>` on stdout once committed. Runs until killed.
    static func crashLoop(stateDir: String) -> Int32 {
        do {
            let store = try StateStore(stateDir: stateDir)
            var batch = try store.database.integer("SELECT count(*) FROM ledger").map { $0 / 10 } ?? 0
            while true {
                let current = batch
                try store.transaction { () throws(CredsyncError) in
                    for n in 0..<10 {
                        let key = "ZJ-\(current)-\(n)"
                        let row = LedgerRow(
                            key: key, status: .published, version: 1, hash: String(repeating: "b", count: 64),
                            batch: "b-\(current)", createdAt: current, updatedAt: current)
                        try store.upsertLedger(row, platform: .credit, dataset: .license)
                        try store.replaceAcceptedPayload(
                            platform: .credit, dataset: .license, key: key, payload: #"{"n":\#(n)}"#,
                            acceptedAt: current)
                    }
                    let entry = QueueRow(
                        id: "q-\(current)", platform: .credit, dataset: .license, key: "ZJ-\(current)-0", op: .upsert,
                        reason: "changed", state: .deferred, hash: nil, batch: nil, attempts: 1, firstAttempt: 1,
                        lastAttempt: 1, nextAttempt: 300)
                    try store.putQueueEntry(entry, payload: "{}", errors: [])
                    try store.removeQueueEntry(id: "q-\(current - 1)")
                }
                FileOutput.writeAll(1, "C \(current)\n")
                batch += 1
            }
        } catch {
            FileOutput.writeAll(2, "error: \(error.message)\n")
            return 74
        }
    }
}
