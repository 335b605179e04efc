import CredsyncCore
import Foundation
import TestSupport
import Testing

/// A plan's changes wait in a temporary file: a temporary directory that is full, or missing,
/// stops the run before anything is sent, naming the directory, and changes nothing.
@Suite struct PlanSpillEndToEndTests {
    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func aFullTemporaryDirectoryStopsTheFirstLoadBeforeAnythingIsSent() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let temporary = env.directory.path + "/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let mount = try Binaries.runTool("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", temporary])
        #expect(mount.status == 0, "\(mount.stderr)")
        guard mount.status == 0 else { return }
        defer { _ = try? Binaries.runTool("/usr/bin/umount", [temporary]) }

        let sync = try run(env, ["sync", "--dataset", "license"], temporary: temporary)
        #expect(sync.status == 74, "\(sync.stdout)\(sync.stderr)")
        #expect(sync.stderr.contains("the plan's temporary file") && sync.stderr.contains("TMPDIR"), "\(sync.stderr)")
        #expect(try env.sandbox.holdings(.credit, .license).isEmpty, "nothing was sent")
        #expect(try env.storeRows("SELECT count(*) FROM queue").first?.first == "0")
        #expect(try env.storeRows("SELECT count(*) FROM ledger").first?.first == "0")

        // With room, the same run goes through.
        let again = try run(env, ["sync", "--dataset", "license"], temporary: nil)
        #expect(again.status == 0 || again.status == 1, "\(again.stdout)\(again.stderr)")
        #expect(try !env.sandbox.holdings(.credit, .license).isEmpty)
    }

    @Test func aMissingTemporaryDirectoryIsExit74NamingIt() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let missing = env.directory.path + "/no-such-tmp"
        let plan = try run(env, ["plan", "--dataset", "license"], temporary: missing)
        #expect(plan.status == 74, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stderr.contains(missing) && plan.stderr.contains("TMPDIR"), "\(plan.stderr)")
    }

    private func run(_ env: SyncEnvironment, _ arguments: [String], temporary: String?) throws -> Binaries.Result {
        var environment = SyncEnvironment.environment
        if let temporary { environment["TMPDIR"] = temporary }
        return try Binaries.run(
            "credsync", arguments + ["--config", env.configFile, "--as-of", "2026-11-20"], environment: environment,
            directory: env.directory.path)
    }
}
