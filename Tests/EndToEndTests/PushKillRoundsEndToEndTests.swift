#if canImport(Glibc)
    import Glibc
#endif
import CredsyncBenchData
import CredsyncCore
import Foundation
import TestSupport
import Testing

/// A push of thousands of license changes (500 creates, about 2,300 updates, 10 withdrawals)
/// SIGKILLed 200 times at random points, most while batches are in flight (applied by the platform
/// and not yet answered, answered and not yet committed), the export changing between rounds; then
/// one run to the end. After it every record is on the platform once with its final payload, no
/// record was created twice, the queue is empty, and the store and the audit log check clean.
/// `CREDSYNC_KILL_SEED=N` repeats a failing run's export, changes and kill delays (not the
/// machine's timing). A round costs about the time credsync takes to map the export (debug build).
@Suite struct PushKillRoundsEndToEndTests {
    /// Rounds and records, `CREDSYNC_KILL_ROUNDS` and `CREDSYNC_KILL_RECORDS` to change them.
    static let rounds = setting("CREDSYNC_KILL_ROUNDS", 200)
    static let records = setting("CREDSYNC_KILL_RECORDS", 500)
    /// The sandbox's answer time: a batch is applied at once and answered this much later.
    static let latencyMs = 15

    @Test func hundredsOfKillsMidPushThenARunLeaveEveryRecordOnceAndTheStateClean() throws {
        let started = Date()
        let seed =
            ProcessInfo.processInfo.environment["CREDSYNC_KILL_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64(UInt32.max))
        let context = "seed \(seed) (CREDSYNC_KILL_SEED=\(seed) repeats it)"
        var random = SeededRandom(seed: seed)
        let sandbox = try SandboxProcess([
            "--rate", "5000", "--burst", "5000", "--latency-ms", String(Self.latencyMs), "--error-rate", "0.03",
            "--reset-rate", "0.02",
        ])
        let env = try SyncEnvironment(
            sandbox: sandbox, platforms: [.credit],
            retry: #"{"attemptsInRun": 2, "maxDelayInRun": "1s", "minDelay": "1s", "maxDelay": "1s"}"#)
        let config = try String(contentsOfFile: env.configFile, encoding: .utf8)
        try config.replacingOccurrences(of: #""batchSize": 100"#, with: #""batchSize": 10, "concurrency": 2"#)
            .write(toFile: env.configFile, atomically: true, encoding: .utf8)
        var export = PushKillExport(path: env.directory.path + "/licenses.csv", rows: Self.records, seed: seed)
        try export.write()

        let journal = sandbox.stateDir + "/credit.jsonl"
        var killedInPush = 0
        var startup = 0.3  // seconds from start to the first batch applied, as last seen
        for round in 0..<Self.rounds {
            if round > 0 { try Self.mutate(&export, &random, round: round) }
            if random.below(5) == 0 {  // the next request is applied, and its connection reset mid-answer
                try sandbox.admin("POST", "script", ["platform": "credit", "faults": ["reset-after-apply"]])
            }
            let before = Self.size(journal)
            let process = try env.start(["sync", "--dataset", "license"])
            let launched = Date()
            if random.below(100) < 15 {
                // While it reads, plans and records the export's history.
                Thread.sleep(forTimeInterval: startup * Double(random.below(1000)) / 1000)
            } else {
                // Once the platform applied its first batch, within the next few answers.
                while process.isRunning && Self.size(journal) == before && Date().timeIntervalSince(launched) < 30 {
                    usleep(1000)
                }
                if Self.size(journal) != before { startup = Date().timeIntervalSince(launched) }
                usleep(UInt32(random.below(Self.latencyMs * 4 * 1000)))
                if process.isRunning { killedInPush += 1 }
            }
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { usleep(500) }  // sooner than waitUntilExit's run loop notices
            process.waitUntilExit()
            if round % 60 == 59 { try Self.expectQueueAndStoreSound(env, "\(context), round \(round)") }
        }
        #expect(killedInPush > Self.rounds / 2, "\(context): only \(killedInPush) kills landed mid-push")

        // Faults off, every deferred entry due: one run to the end.
        try sandbox.admin("POST", "faults", ["platform": "credit", "latencyMs": 0, "errorRate": 0, "resetRate": 0])
        try sandbox.admin("POST", "script", ["platform": "credit", "faults": []])
        let now = "(julianday('now') - 2440587.5) * 86400"
        _ = try waitUntil(timeout: 5) {
            try env.storeRows("SELECT count(*) FROM queue WHERE next_attempt > \(now)") == [["0"]]
        }
        let last = try env.credsync(["sync", "--dataset", "license"])
        #expect(last.status <= 1, "\(context): \(last.stderr)")
        try Self.expectEverythingOnce(env, export, context)
        let seconds = Date().timeIntervalSince(started)
        print(
            "push kill rounds: \(Self.rounds) rounds, \(killedInPush) killed mid-push, \(export.changes) changes, "
                + "\(export.removals) removals, \(String(format: "%.1f", seconds)) s, \(context)")
    }

    /// A kill between an audit line's write and the head file's update leaves the head one line
    /// behind; the next run chains to the last line and puts the head right, twice in a row too.
    @Test func aHeadOneLineBehindTheAuditLogIsMendedByTheNextRun() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let log = env.stateDir + "/audit/audit.jsonl"
        for dataset in ["pledge", "penalty"] {
            let run = try env.credsync(["sync", "--dataset", dataset])
            #expect(run.status <= 1, "\(run.stderr)")
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            try (SHA256.hex(String(lines[lines.count - 2])) + "\n")
                .write(toFile: log + ".head", atomically: true, encoding: .utf8)
        }
        let last = try env.credsync(["sync", "--dataset", "license"])
        #expect(last.status <= 1, "\(last.stderr)")
        let verify = try env.credsync(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// A kill inside the write of an audit line leaves part of it: the next run cuts it off and
    /// says so in the chain (its length and hash), and the chain verifies.
    @Test func aTornLastAuditLineIsCutAndRecordedByTheNextRun() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let log = env.stateDir + "/audit/audit.jsonl"
        let first = try env.credsync(["sync", "--dataset", "pledge"])
        #expect(first.status <= 1, "\(first.stderr)")
        let torn = #"{"ts":"2026-11-20T01:02:03.456Z","prev":"00ab","event":"batch","platform":"cre"#
        let handle = try #require(FileHandle(forWritingAtPath: log))
        handle.seekToEndOfFile()
        handle.write(Data(torn.utf8))
        try handle.close()
        #expect(try env.credsync(["audit", "verify"]).status != 0, "a torn line breaks the chain until mended")

        let next = try env.credsync(["sync", "--dataset", "penalty"])
        #expect(next.status <= 1, "\(next.stderr)")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(!text.contains(torn))
        #expect(text.contains(#""event":"torn-line""#) && text.contains(SHA256.hex(torn)), "\(text.suffix(400))")
        let verify = try env.credsync(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// Between rounds: a few rows change (updates), now and then one goes (a withdrawal); at most 10
    /// go, the guardrail's floor, so that withdrawals a kill kept pending never make the run refused.
    static func mutate(_ export: inout PushKillExport, _ random: inout SeededRandom, round: Int) throws {
        for _ in 0..<random.below(24) { export.change(export.present[random.below(export.present.count)]) }
        if round > 40, export.removals < 10, random.chance(0.1) {
            export.remove(at: random.below(export.present.count))
        }
        try export.write()
    }

    static func setting(_ name: String, _ value: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? value
    }

    static func size(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : -1
    }

    /// No key in two queue entries, every entry in a state the store knows; `state check` clean.
    static func expectQueueAndStoreSound(_ env: SyncEnvironment, _ context: String) throws {
        let twice = try env.storeRows(
            "SELECT platform, dataset, key, group_concat(state) FROM queue GROUP BY 1, 2, 3 HAVING count(*) > 1")
        #expect(twice.isEmpty, "\(context): keys queued twice: \(twice)")
        let states = try env.storeRows("SELECT DISTINCT state FROM queue").flatMap { $0 }
        #expect(Set(states).isSubset(of: ["deferred", "hold", "dead"]), "\(context): \(states)")
        let check = try env.credsync(["state", "check"])
        #expect(check.status == 0, "\(context): \(check.stdout)\(check.stderr)")
    }
}
