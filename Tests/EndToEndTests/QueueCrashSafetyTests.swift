#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore
import Foundation
import TestSupport
import Testing

/// The queue under SIGKILL and a full disk.
@Suite struct QueueCrashSafetyTests {
    /// Runs the queue loop, kills it after `delay`, and returns the steps it reported.
    func killedLoop(stateDir: String, delay: Double) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.directory + "/credsync-bench")
        process.arguments = ["queue", "--entries", "100000", "--state-dir", stateDir, "--crash-log", "yes"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
            .map(String.init)
    }

    /// Where each entry of the store in `stateDir` is: its states by id (one, as id is the key).
    func places(stateDir: String) throws -> [String: [String]] {
        let file = stateDir + "/credsync.db"
        guard FileManager.default.fileExists(atPath: file) else { return [:] }
        let tables = try SQLiteShell.run(file, "SELECT count(*) FROM sqlite_schema WHERE name = 'queue'")
        guard tables.stdout == "1\n" else { return [:] }  // killed before the schema was committed
        let rows = try SQLiteShell.run(file, "SELECT id, state FROM queue")
        #expect(rows.status == 0, "\(rows.stderr)")
        var places: [String: [String]] = [:]
        for line in rows.stdout.split(separator: "\n") {
            let parts = line.split(separator: "|").map(String.init)
            if parts.count == 2 { places[parts[0], default: []].append(parts[1]) }
        }
        return places
    }

    @Test func everyEntrySurvivesSIGKILLInExactlyOneStateAndTheStoreChecksClean() throws {
        let directory = try TemporaryDirectory("crash")
        for round in 0..<120 {
            let stateDir = directory.path + "/state\(round)"
            let steps = try killedLoop(stateDir: stateDir, delay: Double.random(in: 0.02...0.25))
            var last: [Int: String] = [:]
            for step in steps {
                let parts = step.split(separator: " ")
                if parts.count == 2, let i = Int(parts[1]) { last[i] = String(parts[0]) }
            }
            let places = try places(stateDir: stateDir)
            #expect(places.values.allSatisfy { $0.count == 1 }, "an entry in two states after round \(round)")
            #expect(
                places.values.allSatisfy { ["deferred", "hold"].contains($0.first ?? "") },
                "an entry in a state the loop never wrote after round \(round)")
            for (i, step) in last {
                let id = String(format: "%08d", i)
                switch step {
                case "E": #expect(places[id] == ["deferred"] || places[id] == ["hold"], "entry \(i) lost after E")
                case "H":
                    #expect(places[id] == ["hold"] || (i % 2 == 0 && places[id] == nil), "entry \(i) lost after H")
                default: #expect(places[id] == nil, "entry \(i) back after R")
                }
            }
            // An entry the child began but never reported is either absent or in one state.
            let highest = last.keys.max() ?? -1
            let next = String(format: "%08d", highest + 1)
            #expect((places[next]?.count ?? 0) <= 1)
            #expect(places.count <= highest + 2, "an entry the loop never began after round \(round)")
            // SQLite's integrity check and credsync's invariants, as an operator runs them.
            let file = stateDir + "/credsync.db"
            if FileManager.default.fileExists(atPath: file) {
                let check = try Binaries.run("credsync", ["state", "check", file])
                #expect(check.status == 0, "round \(round): \(check.stdout)\(check.stderr)")
            }
        }
    }

    /// The tmpfs holds the store's first commits (schema, a few batches' queue entries), not a whole run's.
    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func fullDiskExits74AndLeavesTheQueueIntact() throws {
        let env = try SyncEnvironment()
        let mountPoint = env.directory.path + "/state"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = try Binaries.runTool("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint])
        #expect(mount.status == 0, "\(mount.stderr)")
        defer { _ = try? Binaries.runTool("/usr/bin/umount", [mountPoint]) }
        try env.sandbox.admin("POST", "faults", ["down": true])
        let full = try env.credsync(["sync"])
        #expect(full.status == 74, "\(full.stdout)\(full.stderr)")
        #expect(
            full.stderr.contains("No space left on device") || full.stderr.contains("disk is full"), "\(full.stderr)")
        let list = try env.credsync(["queue", "list", "--json"])
        let listing = try JSONParser.parse(list.stdout)
        #expect(listing["corrupt"]?.arrayValue?.isEmpty == true)
        #expect((listing["entries"]?.arrayValue?.count ?? 0) > 0, "\(list.stderr)\(full.stderr)")
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: mountPoint).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
        // What was committed before the disk filled is whole: the store checks clean.
        let check = try env.credsync(["state", "check"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }
}
