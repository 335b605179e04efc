import CredsyncCore
import CredsyncReconciliation
import CredsyncState
import Foundation

/// Saving and loading a ledger of `--entries N` (1,000,000) keys.
struct LedgerBenchmark {
    let options: BenchOptions

    func run() -> Int32 {
        let count = options.int("entries", 1_000_000)
        let stateDir = NSTemporaryDirectory() + "credsync-bench-ledger-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        var ledger = Ledger(platform: .credit, dataset: .license)
        let hash = SHA256.hex("payload")
        for i in 0..<count {
            ledger.entries["浙知许〔2026〕\(i)号"] = LedgerEntry(
                hash: hash, isPublished: i % 10 != 0, version: 1 + i % 3, updatedAt: 1_790_000_000 + i,
                batchID: "7c1e9a52-58a4-4c55-9a0e-2b9f1f0f6a11")
        }
        do {
            var started = Timestamp.monotonic()
            let store = try StateStore(stateDir: stateDir)
            try ledger.save(in: store)
            let save = Timestamp.monotonic() - started
            started = Timestamp.monotonic()
            let loaded = try Ledger.load(from: store, platform: .credit, dataset: .license)
            let load = Timestamp.monotonic() - started
            print(
                String(
                    format:
                        "ledger: %d entries saved (one transaction) in %.2f s, loaded and checked in %.2f s (target well under 1 s); peak memory %.0f MB",
                    loaded.entries.count, save, load, peakMemoryMB()))
            return load < 1 ? 0 : 1
        } catch {
            FileOutput.writeAll(2, "error: \(error.message)\n")
            return 74
        }
    }
}
