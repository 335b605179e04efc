import CredsyncCore
import CredsyncReconciliation
import Foundation
import Testing

@testable import CredsyncRun

/// The sync's plan notes the subjects the enterprise store lacks as it maps (`MissingSubjects`),
/// so that it needs no scan of its own: it must note exactly what the pull's scan finds.
@Suite struct MissingSubjectsTests {
    @Test func thePlanNotesWhatThePullsScanFinds() throws {
        let directory = NSTemporaryDirectory() + "missing-subjects-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let workspace = try Self.workspace(directory)
        let store = try EnterpriseStore(stateDir: workspace.config.stateDir)
        let asOf = try #require(LocalDate(iso: "2026-11-20"))
        let refreshAfter = try #require(workspace.config.pull?.refreshAfter)
        let now = Timestamp.now()

        func planned() throws -> Set<String> {
            let subjects = MissingSubjects(store: store, refreshAfter: refreshAfter, now: now)
            var ledgers: [PublishTarget: Ledger] = [:]
            _ = try workspace.plan(asOf: asOf, ledgers: &ledgers, store: store.state, subjects: subjects)
            return subjects.codes
        }
        func scanned() throws -> Set<String> {
            try PullJob.missingSubjects(
                workspace: workspace, asOf: asOf, store: store, refreshAfter: refreshAfter, now: now)
        }
        // An empty store (never pulled: the plan makes no cross-checks): every subject is missing.
        let all = try scanned()
        #expect(all.count > 20)
        #expect(try planned() == all)
        // Some from the feed (never old), some queried long ago (old), some unknown to gsxt just
        // now, the rest never stored: the cross-checks' look-ups tell the same as the scan's.
        let codes = all.sorted()
        let feed = codes.enumerated().filter { $0.offset % 4 == 0 }.map(\.element)
        let old = codes.enumerated().filter { $0.offset % 4 == 1 }.map(\.element)
        let unknown = codes.enumerated().filter { $0.offset % 4 == 2 }.map(\.element)
        func enterprise(_ code: String) -> JSONValue { ["uscc": .string(code), "name": "某公司", "status": "存续"] }
        try store.storePage(
            enterprises: feed.enumerated().map { (seq: $0.offset + 1, enterprise: enterprise($0.element)) },
            feed: "enterprises", cursor: "c1")
        try store.append(
            enterprises: old.map { (seq: nil, enterprise: enterprise($0)) }, now: now - 2 * refreshAfter)
        try store.append(enterprises: [], notFound: unknown)
        let missing = try scanned()
        #expect(missing == all.subtracting(feed).subtracting(unknown))
        #expect(try planned() == missing)
    }

    /// The fixtures' exports and mappings, and platforms that are never called.
    static func workspace(_ directory: String) throws -> Workspace {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let catalogs = [
            ("license", "licenses.csv", "gb18030"), ("penalty", "penalties.csv", "gb18030"),
            ("dishonesty", "dishonesty.jsonl", "utf-8"), ("pledge", "pledges.csv", "auto"),
        ]
        .map {
            #"{"dataset": "\#($0.0)", "path": "\#(root)/fixtures/\#($0.1)", "encoding": "\#($0.2)", "mapping": "\#(root)/mappings/\#($0.0).json"}"#
        }
        let platforms = PlatformID.allCases.map {
            #"{"id": "\#($0.rawValue)", "baseURL": "http://127.0.0.1:9", "appId": "a", "secretEnv": "UNUSED_SECRET"}"#
        }
        let file = directory + "/credsync.json"
        try """
        {"organisation": {"name": "某省知识产权局", "uscc": "11330000MB12345679"},
         "stateDir": "state", "catalogs": [\(catalogs.joined(separator: ", "))],
         "platforms": [\(platforms.joined(separator: ", "))], "pull": {"region": "330100"}}
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let report = try ConfigLoader.load(file: file, environment: [:], readsSecrets: false)
        let config = try report.requireConfig()
        return try Workspace(config: config)
    }
}
