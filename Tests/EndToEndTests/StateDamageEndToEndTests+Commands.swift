import CredsyncCore
import Foundation
import TestSupport
import Testing

/// A damaged `credsync.db`, met by every command: a clear error naming the file, `credsync state
/// check` and the restore from `state backup`; never a crash; the damaged file left as it was.
extension StateDamageEndToEndTests {
    /// The ways a database file is found damaged.
    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        /// Garbage over the first 100 bytes (the header).
        case garbageHeader
        /// Cut short in the middle of a page.
        case truncated
        /// A page in the middle overwritten with zeros.
        case zeroedPage
        /// Another file in its place (the release's ledger).
        case notSQLite

        var testDescription: String { rawValue }

        func apply(to bytes: [UInt8]) -> [UInt8] {
            let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
            var damaged = bytes
            switch self {
            case .garbageHeader:
                for i in 0..<100 { damaged[i] = UInt8(truncatingIfNeeded: i &* 37 &+ 11) }
            case .truncated:
                damaged = Array(bytes.prefix(bytes.count / 2 + pageSize / 3))
            case .zeroedPage:
                let page = bytes.count / pageSize / 2
                for i in page * pageSize..<(page + 1) * pageSize { damaged[i] = 0 }
            case .notSQLite:
                damaged = Array(#"{"format": 1, "key": "L-1", "status": "published", "version": 1}"#.utf8) + [10]
            }
            return damaged
        }
    }

    /// Every command of `CommandTable` that reads or writes the store, with arguments it accepts.
    static func storeCommands(_ env: SyncEnvironment) -> [[String]] {
        [
            ["sync"], ["sync", "--dry-run"], ["push"], ["plan"], ["plan", "--detail"], ["pull"],
            ["reconcile", "--platform", "credit"], ["deadlines"], ["forecast", "--days", "2"],
            ["queue", "list"], ["queue", "show", "20261120T000000-0000abcd"], ["queue", "stats"],
            ["queue", "retry", "--all"], ["queue", "hold", "--all"], ["queue", "release", "ALL"],
            ["queue", "drop", "--yes", "ALL"], ["enterprise", "show", SandboxProcess.source], ["check"],
            ["state", "check"], ["state", "backup", env.directory.path + "/backup.db"],
        ]
    }

    /// Whether a command reads every page of the store.
    static func readsEveryPage(_ arguments: [String]) -> Bool { arguments.first == "state" }

    /// Commands that never open the store: they must not crash nor touch it either.
    static let otherCommands: [[String]] = [
        ["report"], ["audit", "verify"], ["map", "--dataset", "license", "--platform", "credit", "--limit", "1"],
    ]

    /// Exit 74 naming the file, `credsync state check` (unless it is that command) and `state backup`.
    static func expectRecoveryMessage(
        _ result: Binaries.Result, arguments: [String], file: String, shown: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.status == 74, "\(shown)\(result.stdout)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(file), "\(shown)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains("state backup"), "\(shown)", sourceLocation: sourceLocation)
        if arguments != ["state", "check"] {
            #expect(result.stderr.contains("credsync state check"), "\(shown)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: Damage.allCases)
    func everyCommandMeetingADamagedStoreNamesTheFileStateCheckAndTheBackupAndChangesNothing(damage: Damage) throws {
        let env = try SyncEnvironment(platforms: [.credit, .gsxt])
        let first = try env.credsync(["sync"])
        #expect(first.status <= 1, "\(first.stderr)")
        let file = env.storeFile
        // Every change in the main file: nothing is left in a write-ahead log to hide the damage.
        try env.storeExecute("PRAGMA wal_checkpoint(TRUNCATE)")
        for sidecar in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + sidecar) }
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        let damaged = damage.apply(to: good)
        try Data(damaged).write(to: URL(fileURLWithPath: file))

        for arguments in Self.storeCommands(env) {
            let result = try env.credsync(arguments + ["--no-progress"])
            let shown = "\(damage) \(arguments.joined(separator: " ")): exit \(result.status)\n\(result.stderr)"
            #expect(result.status < 128, "a crash: \(shown)")
            #expect(!result.stderr.contains("bug in credsync"), "\(shown)")
            let unchanged = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file))) == damaged
            // Each command meets the same damage: a change one made, and its log, are undone.
            try Data(damaged).write(to: URL(fileURLWithPath: file))
            for sidecar in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + sidecar) }
            // Damage met when the store is opened (a header, the size, the file's kind) stops every
            // command before it changes anything. A page zeroed in the middle is met only by a command
            // that reads it (SQLite checks a page when it reads it): the others answer from the pages
            // they read, and a command may have committed work that never read it before it meets it.
            // `state check` and `state backup` read every page.
            guard damage != .zeroedPage else {
                if Self.readsEveryPage(arguments) || result.status == 74 {
                    Self.expectRecoveryMessage(result, arguments: arguments, file: file, shown: shown)
                } else {
                    #expect(result.status != ExitCode.software.rawValue, "\(shown)\(result.stdout)")
                }
                continue
            }
            #expect(unchanged, "the damaged file was changed: \(shown)")
            Self.expectRecoveryMessage(result, arguments: arguments, file: file, shown: shown)
        }
        for arguments in Self.otherCommands {
            let result = try env.credsync(arguments + ["--no-progress"])
            #expect(result.status < 128, "a crash: \(damage) \(arguments): \(result.stderr)")
            let unchanged = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file))) == damaged
            #expect(unchanged, "the damaged file was changed: \(damage) \(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: env.directory.path + "/backup.db"), "a backup of damage")
    }
}
