import CredsyncCore
import Foundation
import Testing
import TestSupport

/// `credsync-bench sync` runs: its options are checked, and a small run measures a cold and a warm
/// sync through the real binaries. The figures themselves are not judged (benchmarks are not tests).
@Suite struct SyncBenchmarkEndToEndTests {
    @Test func refusesAPlatformThatTakesNoLicenses() throws {
        let result = try Binaries.run("credsync-bench", ["sync", "--platforms", "credit,ipp"])
        #expect(result.status == 64)
        #expect(result.stderr.contains(#"--platforms credit,ipp: "ipp" is not a platform that takes licenses"#))
        let batch = try Binaries.run("credsync-bench", ["sync", "--batch-size", "501"])
        #expect(batch.status == 64)
        #expect(batch.stderr.contains("--batch-size 501: expected a whole number from 1 to 500"))
    }

    @Test func smallRunReportsColdAndWarmSyncAgainstTheBound() throws {
        let result = try Binaries.run(
            "credsync-bench",
            ["sync", "--rows", "1500", "--rate", "1000", "--burst", "1000", "--latency-ms", "0", "--json"])
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        let figures = try JSONParser.parse(result.stdout)
        for run in ["map", "cold-plan", "cold-sync", "warm-sync"] {
            #expect((0...1).contains(figures["runs"]?[run]?["exit"]?.intValue ?? -1), "\(run)")
            #expect((figures["runs"]?[run]?["peakMB"]?.doubleValue ?? 0) > 1, "\(run): the child's own peak memory")
        }
        // Every good row pushed cold to both platforms, nothing warm.
        let coldSent = figures["cold"]?["sent"]
        #expect((coldSent?["credit"]?.intValue ?? 0) > 1000)
        #expect((coldSent?["gsxt"]?.intValue ?? 0) > 1000)
        #expect(figures["warm"]?["sent"]?["credit"]?.intValue == 0)
        #expect(figures["warm"]?["sent"]?["gsxt"]?.intValue == 0)
        #expect(
            figures["bound"]?["records"]?.intValue
                == max(coldSent?["credit"]?.intValue ?? 0, coldSent?["gsxt"]?.intValue ?? 0))
        #expect(figures["targets"]?.arrayValue?.count == 4)
    }
}
