import CredsyncCore
import Foundation
import Glibc
import TestSupport
import Testing

/// Bad inputs found by a sweep beyond the classes issue 16 names: each ends the run with a clear
/// error, and the sandbox keeps exactly the records it held.
@Suite struct BadInputSweepEndToEndTests {
    func snapshot(_ env: SyncEnvironment, _ dataset: Dataset) throws -> [String: String] {
        try env.sandbox.holdings(.credit, dataset).mapValues { "\($0.status) v\($0.version) \($0.hash)" }
    }

    /// An export that is a FIFO with no writer blocked `open` for ever (the run hung, and SIGTERM
    /// did not end it); one that is a directory was called "empty". Both are refused, named.
    @Test func anExportThatIsNotARegularFileIsRefusedWithoutHanging() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let first = try env.credsync(["sync", "--dataset", "pledge", "--dataset", "dishonesty"])
        #expect(first.status == 1, "\(first.stderr)")
        let pledges = try snapshot(env, .pledge)
        let listings = try snapshot(env, .dishonesty)
        #expect(!pledges.isEmpty && !listings.isEmpty)

        let fifo = env.directory.path + "/dishonesty.jsonl"
        try FileManager.default.removeItem(atPath: fifo)
        #expect(mkfifo(fifo, 0o600) == 0)
        let directory = env.directory.path + "/pledges.csv"
        try FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)

        let damaged = try env.credsync(["sync", "--dataset", "pledge", "--dataset", "dishonesty"])
        #expect(damaged.status == 65, "\(damaged.stderr)")
        #expect(damaged.stderr.contains("dishonesty.jsonl line 0: the export is not a regular file (a FIFO)"))
        #expect(damaged.stderr.contains("pledges.csv line 0: the export is not a regular file (a directory)"))
        #expect(try snapshot(env, .pledge) == pledges)
        #expect(try snapshot(env, .dishonesty) == listings)
    }
}
