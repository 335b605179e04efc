import CredsyncCore
import CredsyncSpool
import Foundation

/// Enqueue and complete entries with fsync (entries per second), and the time to list them.
/// With `--crash-log`, it is the child of the crash-safety test: each durable step is reported on
/// stdout (`E i`, `H i`, `R i`) so the test can check what survived a SIGKILL.
struct QueueBenchmark {
    let options: BenchOptions

    static func entry(_ i: Int, id: String) -> SpoolEntry {
        let payload = JSONObject([JSONMember("XK_WSH", .string("浙知许〔2026〕\(i)号")), JSONMember("XK_NR", .string(String(repeating: "许可内容", count: 40)))])
        return SpoolEntry(id: id, platform: .credit, dataset: .license, key: "ZJ-\(i)", op: "upsert", reason: "new", payload: payload,
            hash: JSONWriter.canonicalHash(.object(payload)), batchID: nil, attempts: 1, firstAttempt: Timestamp.now(),
            lastAttempt: Timestamp.now(), nextAttempt: Timestamp.now() + 300,
            errors: [SpoolError(at: Timestamp.now(), errorClass: "transient", status: 503, code: "UNAVAILABLE", message: "HTTP 503")])
    }

    func run() -> Int32 {
        let count = options.int("entries", 100_000)
        let stateDir = options.string("state-dir") ?? NSTemporaryDirectory() + "credsync-bench-queue-\(getpid())"
        let crashLog = options.string("crash-log") != nil
        let spool = Spool(stateDir: stateDir)
        if crashLog { return crashLoop(spool, count: count) }
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let ids = (0..<count).map { String(format: "%012d", $0) }
        var started = Timestamp.monotonic()
        do {
            for i in 0..<count { try spool.write(Self.entry(i, id: ids[i]), to: .deferred) }
        } catch {
            FileOutput.writeAll(2, "error: \(error.message)\n")
            return 74
        }
        let enqueue = Timestamp.monotonic() - started
        started = Timestamp.monotonic()
        let listed = spool.entries().entries.count
        let list = Timestamp.monotonic() - started
        started = Timestamp.monotonic()
        for i in 0..<count { try? spool.remove(Self.entry(i, id: ids[i]), from: .deferred) }
        let complete = Timestamp.monotonic() - started
        print(String(format: "queue: %d entries enqueued with fsync in %.2f s (%.0f entries/s)", count, enqueue, Double(count) / enqueue))
        print(String(format: "queue: listed %d entries in %.2f s (target < 2 s for 100,000)", listed, list))
        print(String(format: "queue: completed %d entries in %.2f s (%.0f entries/s)", count, complete, Double(count) / complete))
        return listed == count ? 0 : 1
    }

    /// Enqueue, hold, and complete every other entry, reporting each durable step.
    private func crashLoop(_ spool: Spool, count: Int) -> Int32 {
        for i in 0..<count {
            let entry = Self.entry(i, id: String(format: "%08d", i))
            do {
                try spool.write(entry, to: .deferred)
                FileOutput.writeAll(1, "E \(i)\n")
                try spool.move(entry, from: .deferred, to: .hold)
                FileOutput.writeAll(1, "H \(i)\n")
                if i % 2 == 0 {
                    try spool.remove(entry, from: .hold)
                    FileOutput.writeAll(1, "R \(i)\n")
                }
            } catch {
                FileOutput.writeAll(2, "error: \(error.message)\n")
                return 74
            }
        }
        return 0
    }
}
