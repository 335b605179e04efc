import CredsyncCore
import Foundation
import Testing
import TestSupport

@testable import CredsyncState

/// Every path under the state directory is built by `StatePaths`, and nowhere else in Sources/.
@Suite struct StatePathOwnershipTests {
    /// The names of the state directory's entries (`imported-` is a prefix).
    static let names = [
        "credsync.db", "credsync.db-wal", "credsync.db-shm", "lock", "quarantine", "reports", "audit",
        "audit/audit.jsonl", "imported-",
    ]

    /// Whether a string literal names a state path: `"/lock"`, `"reports/…"`, `"credsync.db"`, or a
    /// name right after a directory (`"\(stateDir)/credsync.db"`); a name is followed by the end or
    /// a `/` (after `imported-`, by anything).
    static func isStatePath(_ literal: Substring) -> Bool {
        let text = String(literal)
        for name in names {
            if text.hasPrefix("/" + name), followsName(text.dropFirst(name.count + 1), name) { return true }
            // Alone, a word like "audit" is a command or a key: a path when it goes on with a `/`,
            // or is a file name.
            if text.hasPrefix(name) {
                let rest = text.dropFirst(name.count)
                if rest.hasPrefix("/") || rest.isEmpty && name.contains(where: { ".-/".contains($0) }) { return true }
                if name.hasSuffix("-") { return true }
            }
            var rest = Substring(text)
            while let found = rest.firstRange(of: ")/" + name) {
                if followsName(rest[found.upperBound...], name) { return true }
                rest = rest[found.upperBound...]
            }
        }
        return false
    }

    private static func followsName(_ rest: Substring, _ name: String) -> Bool {
        name.hasSuffix("-") || rest.isEmpty || rest.hasPrefix("/")
    }

    /// The modules that may build state paths: the store's own; and the sandbox, whose
    /// `--state-dir` is its own directory, not credsync's.
    static let owners = ["Sources/CredsyncState/", "Sources/CredsyncSandbox/"]

    /// `file:line: "literal"` for every string literal of a state path name outside the owners.
    static func offenders(root: String) throws -> [String] {
        let sources = root + "/Sources"
        guard let walk = FileManager.default.enumerator(atPath: sources) else { return ["\(sources): cannot list"] }
        var found: [String] = []
        for case let relative as String in walk where relative.hasSuffix(".swift") {
            let name = "Sources/" + relative
            guard !owners.contains(where: name.hasPrefix) else { continue }
            let text = try String(contentsOfFile: sources + "/" + relative, encoding: .utf8)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for literal in literals(in: line) where isStatePath(literal) {
                    found.append("\(name):\(index + 1): \"\(literal)\"")
                }
            }
        }
        return found.sorted()
    }

    /// The contents of the string literals on one line, comments left out (`\"` inside a literal
    /// is kept; a literal spanning lines is read line by line, good enough for path names).
    static func literals(in line: Substring) -> [Substring] {
        var result: [Substring] = []
        var start: Substring.Index?
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if let open = start {
                if character == "\\" {
                    index = line.index(after: index)
                } else if character == "\"" {
                    result.append(line[open..<index])
                    start = nil
                }
            } else if character == "/", line[index...].hasPrefix("//") {
                break
            } else if character == "\"" {
                start = line.index(after: index)
            }
            if index < line.endIndex { index = line.index(after: index) }
        }
        return result
    }

    @Test func noCodeOutsideTheStoreModuleBuildsAStatePath() throws {
        let offenders = try Self.offenders(root: Binaries.packageRoot)
        let listed = offenders.joined(separator: "\n")
        #expect(offenders.isEmpty, "build these with StatePaths (Sources/CredsyncState/StatePaths.swift):\n\(listed)")
    }

    /// The rule catches the forms it is meant for and lets help texts through.
    @Test(arguments: [
        (#"let path = stateDir + "/lock""#, true), (#"directory: config.stateDir + "/quarantine")"#, true),
        (#"?? stateDir + "/reports""#, true), (#"?? stateDir + "/audit/audit.jsonl""#, true),
        (#""\(stateDir)/credsync.db""#, true), (#""\(stateDir)/imported-\(date)""#, true),
        (#"path("reports/latest.json")"#, true), (#""credsync.db""#, true), (#"x == "quarantine""#, false),
        (#"// stateDir + "/lock" in a comment"#, false),
        (#""credsync state backup /srv/backup/credsync.db""#, false), (#""audit verify": AuditCommand.run,"#, false),
        (#""Check or back up the state store (credsync.db).""#, false), (#"case "audit-archive":"#, false),
    ])
    func theRuleFindsStatePathLiteralsAndNothingElse(line: String, isStatePath: Bool) {
        let found = Self.literals(in: Substring(line)).contains(where: Self.isStatePath)
        #expect(found == isStatePath, "\(line)")
    }

    /// The configuration keeps what was configured; `StatePaths` fills in the defaults it documents.
    @Test func statePathsAndTheConfigurationLoaderAgree() throws {
        let directory = try TemporaryDirectory("paths")
        let base = directory.path
        func load(_ extra: String) throws -> Config {
            let file = base + "/credsync.json"
            let text =
                #"{"organisation": {"name": "某省知识产权局", "uscc": "11330000MB12345679"}, "#
                + #""stateDir": "st", "catalogs": [], "platforms": []\#(extra)}"#
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
            return try ConfigLoader.load(file: file, environment: [:], readsSecrets: false).requireConfig()
        }
        let defaults = try load("")
        #expect(defaults.stateDir == base + "/st")
        #expect(defaults.configuredReportDir == nil && defaults.configuredAuditFile == nil)
        let paths = StatePaths(stateDir: base + "/st")
        #expect(defaults.statePaths == paths)
        #expect(defaults.reportDir == base + "/st/reports" && paths.reportDir == defaults.reportDir)
        #expect(defaults.auditFile == base + "/st/audit/audit.jsonl" && paths.auditFile == defaults.auditFile)
        #expect(paths.database == base + "/st/credsync.db" && paths.database == StateStore.path(stateDir: base + "/st"))
        #expect(paths.lock == base + "/st/lock" && paths.quarantine == base + "/st/quarantine")
        #expect(paths.imported(date: "2026-11-20") == base + "/st/imported-2026-11-20")
        #expect(paths.imported(date: "2026-11-20", attempt: 3) == base + "/st/imported-2026-11-20-3")
        #expect(paths.reports.json("latest") == base + "/st/reports/latest.json")

        // Configured elsewhere (relative to the configuration file): the configured paths win.
        let configured = try load(#", "reportDir": "out/reports", "auditFile": "/var/log/credsync/audit.jsonl""#)
        #expect(configured.reportDir == base + "/out/reports")
        #expect(configured.auditFile == "/var/log/credsync/audit.jsonl")
        #expect(configured.statePaths.database == paths.database)

        // --state-dir moves the defaults with it.
        let file = base + "/credsync.json"
        let moved = try ConfigLoader.load(
            file: file, environment: [:], stateDirOverride: base + "/other", readsSecrets: false
        ).requireConfig()
        #expect(moved.reportDir == base + "/out/reports")
        let bare =
            #"{"organisation": {"name": "某省知识产权局", "uscc": "11330000MB12345679"}, "#
            + #""catalogs": [], "platforms": []}"#
        try Data(bare.utf8).write(to: URL(fileURLWithPath: file))
        let movedDefaults = try ConfigLoader.load(
            file: file, environment: [:], stateDirOverride: base + "/other", readsSecrets: false
        ).requireConfig()
        #expect(movedDefaults.reportDir == base + "/other/reports")
        #expect(movedDefaults.auditFile == base + "/other/audit/audit.jsonl")
    }
}
