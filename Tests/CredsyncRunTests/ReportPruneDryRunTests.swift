import CredsyncCore
import Foundation
import Testing

@testable import CredsyncRun

/// Report pruning after a dry run: the dry run's own report is the one just written, and dry runs
/// do not count against the real runs' `keepRuns`.
@Suite struct ReportPruneDryRunTests {
    @Test func aDryRunKeepsItsReportAndTheLastRealRunsReport() throws {
        let directory = NSTemporaryDirectory() + "prune-dry-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = Date()
        let files: [(String, Double)] = [
            ("run-a", 300), ("run-b", 200), ("run-b-dry.dry-run", 100), ("run-c.dry-run", 0),
        ]
        for (id, age) in files {
            for suffix in [".json", ".html"] {
                let path = directory + "/" + id + suffix
                try "{}".write(toFile: path, atomically: false, encoding: .utf8)
                try FileManager.default.setAttributes(
                    [.modificationDate: now.addingTimeInterval(-age)], ofItemAtPath: path)
            }
        }
        let problems = ReportRetention.prune(
            ReportRetention(maxAge: nil, keepRuns: 1), directory: directory, keeping: "run-c",
            now: now.timeIntervalSince1970)
        #expect(problems.isEmpty)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(left == ["run-b.json", "run-b.html", "run-c.dry-run.json", "run-c.dry-run.html"])
    }

    /// Runs within one second: the run being written is the newest whatever its id, so
    /// `keepRuns: 2` keeps it and one other.
    @Test func theRunBeingWrittenCountsAsTheNewestWithinOneSecond() throws {
        let directory = NSTemporaryDirectory() + "prune-second-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let second = Date(timeIntervalSince1970: 1_796_000_000)
        for id in ["20261202T141526-ca", "20261202T141526-66", "20261202T141526-00"] {
            for suffix in [".json", ".html"] {
                let path = directory + "/" + id + suffix
                try "{}".write(toFile: path, atomically: false, encoding: .utf8)
                try FileManager.default.setAttributes([.modificationDate: second], ofItemAtPath: path)
            }
        }
        _ = ReportRetention.prune(
            ReportRetention(maxAge: nil, keepRuns: 2), directory: directory, keeping: "20261202T141526-00",
            now: second.timeIntervalSince1970)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
        #expect(left.count == 2 && left.contains("20261202T141526-00.json"), "\(left)")
    }
}
