import CredsyncCLI
import CredsyncCore
import CredsyncSpool
import CredsyncState
import Foundation

/// Enqueue and complete entries in the state store, `--batch` entries a transaction as a batch's
/// answer commits them (entries per second), and the time to list them.
/// With `--crash-log`, it is the child of the crash-safety test: each step is its own commit,
/// reported on stdout once durable (`E i`, `H i`, `R i`) so the test can check what survived a SIGKILL.
struct QueueBenchmark {
    let options: BenchOptions

    static func entry(_ i: Int, id: String) -> SpoolEntry {
        let payload = JSONObject([
            JSONMember("XK_WSH", .string("浙知许〔2026〕\(i)号")),
            JSONMember("XK_NR", .string(String(repeating: "许可内容", count: 40))),
        ])
        return SpoolEntry(
            id: id, platform: .credit, dataset: .license, key: "ZJ-\(i)", op: .upsert, reason: .new, payload: payload,
            hash: JSONWriter.canonicalHash(.object(payload)), batchID: nil, attempts: 1, firstAttempt: Timestamp.now(),
            lastAttempt: Timestamp.now(), nextAttempt: Timestamp.now() + 300,
            errors: [
                SpoolError(
                    at: Timestamp.now(), errorClass: .transient, status: 503, code: "UNAVAILABLE", message: "HTTP 503")
            ])
    }

    func run() async -> Int32 {
        let count = options.int("entries", 100_000)
        let stateDir = options.string("state-dir") ?? NSTemporaryDirectory() + "credsync-bench-queue-\(getpid())"
        let crashLog = options.string("crash-log") != nil
        let batch = max(1, options.int("batch", 100))
        let spool: Spool
        do { spool = Spool(store: try StateStore(stateDir: stateDir), seal: .none) } catch {
            FileOutput.writeAll(2, "error: \(error.message)\n")
            return 74
        }
        if crashLog { return crashLoop(spool, count: count) }
        let ids = (0..<count).map { String(format: "%012d", $0) }
        var started = Timestamp.monotonic()
        let listed: Int
        let list: Double
        var listCPU = 0.0
        do {
            for first in stride(from: 0, to: count, by: batch) {
                try spool.transaction { () throws(CredsyncError) in
                    for i in first..<min(count, first + batch) {
                        try spool.write(Self.entry(i, id: ids[i]), to: .deferred)
                    }
                }
            }
            let enqueue = Timestamp.monotonic() - started
            started = Timestamp.monotonic()
            let cpuStart = clock()
            listed = try spool.entries().entries.count
            list = Timestamp.monotonic() - started
            listCPU = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
            print(
                String(
                    format: "queue: %d entries enqueued in %.2f s (%.0f entries/s, %d a transaction)", count, enqueue,
                    Double(count) / enqueue, batch))
        } catch {
            FileOutput.writeAll(2, "error: \(error.message)\n")
            return 74
        }
        if options.string("keep") != nil {
            print(String(format: "queue: listed in %.2f s; kept in %@", list, stateDir))
            return 0
        }
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let command = await Self.timeCommands(stateDir: stateDir)
        started = Timestamp.monotonic()
        for first in stride(from: 0, to: count, by: batch) {
            try? spool.transaction { () throws(CredsyncError) in
                for i in first..<min(count, first + batch) {
                    try spool.remove(Self.entry(i, id: ids[i]), from: .deferred)
                }
            }
        }
        let complete = Timestamp.monotonic() - started
        print(
            String(
                format: "queue: read %d entries (rows and latest errors, no payloads) in %.2f s (%.2f s CPU)", listed,
                list, listCPU))
        for (name, seconds, cpu) in command {
            print(
                String(
                    format: "queue: `credsync %@` over %d entries, output to /dev/null: %.2f s, %.2f s CPU "
                        + "(target < 1 s for 100,000)", name, listed, seconds, cpu))
        }
        print(
            String(
                format: "queue: completed %d entries in %.2f s (%.0f entries/s)", count, complete,
                Double(count) / complete))
        return listed == count ? 0 : 1
    }

    /// The operator's commands over the queue, run in this process with stdout sent to /dev/null.
    /// Each command's wall-clock and CPU seconds (CPU says what it costs on a loaded machine).
    static func timeCommands(stateDir: String) async -> [(String, Double, Double)] {
        let configFile = stateDir + "/bench-config.json"
        let secret = "bench-secret-0123456789abcdef"
        let platforms = PlatformID.allCases.map { id in
            #"{"id": "\#(id.rawValue)", "baseURL": "http://127.0.0.1:9/\#(id.rawValue)", "appId": "bench", "secretEnv": "CREDSYNC_BENCH_SECRET"}"#
        }
        let config =
            #"{"organisation": {"name": "某省知识产权局", "uscc": "11330000MB12345679"}, "stateDir": "\#(stateDir)", "catalogs": [], "platforms": [\#(platforms.joined(separator: ", "))]}"#
        guard (try? FileSystem.writeAtomically(configFile, Array(config.utf8), mode: 0o600)) != nil else { return [] }
        let savedOut = dup(1)
        let null = open("/dev/null", O_WRONLY)
        defer {
            dup2(savedOut, 1)
            close(savedOut)
            close(null)
        }
        var times: [(String, Double, Double)] = []
        for arguments in [["queue", "list"], ["queue", "list", "--json"], ["queue", "stats"]] {
            dup2(null, 1)
            let started = Timestamp.monotonic()
            let cpuStart = clock()
            let code = await CredsyncCommand.main(
                arguments: arguments + ["--config", configFile], environment: ["CREDSYNC_BENCH_SECRET": secret])
            let seconds = Timestamp.monotonic() - started
            let cpu = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
            dup2(savedOut, 1)
            times.append((arguments.joined(separator: " ") + (code == 0 ? "" : " (exit \(code))"), seconds, cpu))
        }
        return times
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
