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
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func everyEntrySurvivesSIGKILLInExactlyOnePlace() throws {
        let directory = try TemporaryDirectory("crash")
        for round in 0..<120 {
            let stateDir = directory.path + "/state\(round)"
            let steps = try killedLoop(stateDir: stateDir, delay: Double.random(in: 0.01...0.15))
            var last: [Int: String] = [:]
            for step in steps {
                let parts = step.split(separator: " ")
                if parts.count == 2, let i = Int(parts[1]) { last[i] = String(parts[0]) }
            }
            var places: [String: [String]] = [:]
            for state in ["deferred", "hold", "dead", "corrupt"] {
                let path = stateDir + "/queue/credit/" + state
                for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where !name.contains(".tmp-") {
                    places[name, default: []].append(state)
                }
            }
            #expect(places.values.allSatisfy { $0.count == 1 }, "an entry in two places after round \(round)")
            #expect(places.values.allSatisfy { $0 != ["corrupt"] }, "a torn entry after round \(round)")
            for (i, step) in last {
                let id = String(format: "%08d", i)
                switch step {
                case "E": #expect(places[id] == ["deferred"] || places[id] == ["hold"], "entry \(i) lost after E")
                case "H": #expect(places[id] == ["hold"] || (i % 2 == 0 && places[id] == nil), "entry \(i) lost after H")
                default: #expect(places[id] == nil, "entry \(i) back after R")
                }
            }
            // An entry the child began but never reported is either absent or in one place.
            let highest = last.keys.max() ?? -1
            let next = String(format: "%08d", highest + 1)
            #expect((places[next]?.count ?? 0) <= 1)
        }
    }

    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func fullDiskExits74AndLeavesTheQueueIntact() throws {
        let env = try SyncEnvironment()
        let mountPoint = env.directory.path + "/state"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = try Binaries.runTool("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=160k", "tmpfs", mountPoint])
        #expect(mount.status == 0, "\(mount.stderr)")
        defer { _ = try? Binaries.runTool("/usr/bin/umount", [mountPoint]) }
        try env.sandbox.admin("POST", "faults", ["down": true])
        let full = try env.credsync(["sync"])
        #expect(full.status == 74, "\(full.stdout)\(full.stderr)")
        #expect(full.stderr.contains("No space left on device"))
        let list = try env.credsync(["queue", "list", "--json"])
        let listing = try JSONParser.parse(list.stdout)
        #expect(listing["corrupt"]?.arrayValue?.isEmpty == true)
        #expect((listing["entries"]?.arrayValue?.count ?? 0) > 0)
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: mountPoint).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}
