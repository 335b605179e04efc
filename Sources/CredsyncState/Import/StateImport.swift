#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore

/// The upgrade from the file-based release: the first time the store of a state directory is
/// opened, the release's state files (ledgers, sent payloads, rejected lists, `exports.json`, the
/// enterprise store and its cursors, the queue files of formats 1 and 2) are imported into the
/// tables in one transaction, then moved, with their relative paths, under
/// `<stateDir>/imported-<YYYY-MM-DD>/` (the UTC date).
///
/// The transaction also records every file it imported (table `imported_file`: path, size,
/// SHA-256, where it goes): when a move fails (the store is committed, the file stays), the next
/// open finds the same file recorded and only moves it, never imports it twice. A release file
/// beside a store that holds state it did not import is refused (exit 74), never merged.
/// A file that does not check out (a ledger whose checksum fails, a torn queue file) refuses the
/// whole import (exit 74, naming the file and the way out): the store and the files stay as they were.
package enum StateImport {
    /// What an import did, for the notice and the tests.
    package struct Summary: Sendable, Equatable {
        package var ledgerRows = 0
        package var payloads = 0
        package var rejected = 0
        package var exports = 0
        package var cursors = 0
        package var enterprises = 0
        package var listEntries = 0
        package var queueEntries = 0
        /// Files moved aside without being imported (unreadable queue files already in `corrupt`,
        /// damaged ledgers set aside by the release, temporary files of a crash).
        package var keptAside: [String] = []
        /// Where the files went.
        package var directory = ""
    }

    /// The run id of export-history rows taken from the release's `exports.json`.
    package static let runID = "imported"
    /// The reason of rejections taken from the release's lists, which kept none.
    package static let rejectedReason = "imported from the release's rejected list, which kept no reason"
    /// The directories and files of the release's formats, relative to the state directory.
    static let roots = ["ledger", "queue", "enterprises", "exports.json"]

    /// Imports the release's files of `stateDir` into `store` when there are any; nil when there
    /// were none (the usual open: four `stat` calls).
    @discardableResult
    package static func run(
        store: StateStore, stateDir: String, now: Double = Timestamp.now()
    ) throws(CredsyncError) -> Summary? {
        let files = try releaseFiles(stateDir)
        guard !files.isEmpty else { return nil }
        let plan = try store.transaction { () throws(CredsyncError) -> (Summary?, [String: String]) in
            let recorded = try recordedFiles(store)
            if !recorded.isEmpty {
                try checkRecorded(files, recorded, stateDir: stateDir)
                return (nil, recorded.mapValues(\.movedTo))
            }
            if let table = try tableWithState(store) {
                throw CredsyncError(
                    .ioError,
                    "\(stateDir)/\(files[0]): a state file of the file-based release, beside a store whose table "
                        + "\(table) already holds state",
                    hint: "the release ran again after the upgrade? To import its files, move credsync.db (and its "
                        + "-wal, -shm) aside and run again; to keep the store, move the release's files aside")
            }
            let directory = freeDirectory(stateDir, date: String(Timestamp.rfc3339(now).prefix(10)))
            var summary = Summary(directory: directory)
            // A larger page cache while a million rows go in (SQLite's default is 2 MB), then back.
            let cache = try store.database.integer("PRAGMA cache_size") ?? -2000
            try store.database.execute("PRAGMA cache_size = -131072")
            defer { try? store.database.execute("PRAGMA cache_size = \(cache)") }
            try importAll(files, stateDir: stateDir, into: store, summary: &summary)
            for file in files {
                let (bytes, digest) = try ImportFile(stateDir: stateDir, relative: file).checksum()
                try store.database.execute(
                    "INSERT INTO imported_file (path, bytes, sha256, imported_at, moved_to) VALUES (?, ?, ?, ?, ?)",
                    [.text(file), .int(bytes), .text(digest), .real(now), .text(directory)])
            }
            return (summary, Dictionary(uniqueKeysWithValues: files.map { ($0, directory) }))
        }
        let failures = moveAside(files, to: plan.1, stateDir: stateDir)
        if let summary = plan.0 { notice(summary, store: store) }
        for failure in failures { warn(failure) }
        return plan.0
    }

    // MARK: - Finding the release's files

    /// Whether `stateDir` holds files of the release's formats (a reader that opens the store only
    /// when it exists should open it then too, so that the import runs).
    package static func hasReleaseFiles(stateDir: String) -> Bool {
        roots.contains { FileSystem.exists(StatePaths(stateDir: stateDir).releaseFile($0)) }
    }

    /// Every regular file under the release's roots, relative to `stateDir`, sorted.
    static func releaseFiles(_ stateDir: String) throws(CredsyncError) -> [String] {
        var found: [String] = []
        for root in roots where FileSystem.exists(StatePaths(stateDir: stateDir).releaseFile(root)) {
            try collect(root, stateDir: stateDir, into: &found)
        }
        return found.sorted()
    }

    private static func collect(_ relative: String, stateDir: String, into found: inout [String]) throws(CredsyncError)
    {
        let path = StatePaths(stateDir: stateDir).releaseFile(relative)
        guard FileSystem.isDirectory(path) else {
            found.append(relative)
            return
        }
        let names: [String]
        do { names = try FileSystem.list(path) } catch {
            if error.isNotFound { return }  // moved meanwhile by a process importing it
            throw unreadable(error.description)
        }
        for name in names { try collect(relative + "/" + name, stateDir: stateDir, into: &found) }
    }

    // MARK: - Importing

    private static func importAll(
        _ files: [String], stateDir: String, into store: StateStore, summary: inout Summary
    ) throws(CredsyncError) {
        // Ledgers before the payloads that refer to them.
        let ordered = files.sorted { rank($0) < rank($1) || rank($0) == rank($1) && $0 < $1 }
        for relative in ordered {
            let file = ImportFile(stateDir: stateDir, relative: relative)
            let parts = relative.split(separator: "/").map(String.init)
            switch parts.count {
            case 1 where relative == "exports.json":
                summary.exports += try ReleaseStateFiles.importExports(file, into: store)
            case 2 where parts[0] == "enterprises" && parts[1] == "enterprises.journal":
                try ReleaseEnterpriseJournal.insert(try ReleaseEnterpriseJournal.enterprises(file), into: store)
                summary.enterprises = try store.database.integer("SELECT count(*) FROM enterprise") ?? 0
            case 2 where parts[0] == "enterprises" && parts[1] == "serious-illegal.jsonl":
                summary.listEntries += try ReleaseStateFiles.importList(file, into: store)
            case 2 where parts[0] == "enterprises" && parts[1] == "cursors.json":
                summary.cursors += try ReleaseStateFiles.importCursors(file, into: store)
            case 3 where parts[0] == "ledger":
                guard let platform = PlatformID(rawValue: parts[1]), let (dataset, kind) = ledgerFile(parts[2]) else {
                    summary.keptAside.append(relative)
                    continue
                }
                switch kind {
                case .ledger:
                    let rows = try ReleaseLedger.rows(file, platform: platform, dataset: dataset)
                    for row in rows { try store.upsertLedger(row, platform: platform, dataset: dataset) }
                    summary.ledgerRows += rows.count
                case .sent:
                    _ = try ReleaseStateFiles.importSent(file, platform: platform, dataset: dataset, into: store)
                    summary.payloads = try store.database.integer("SELECT count(*) FROM accepted_payload") ?? 0
                case .rejected:
                    summary.rejected += try ReleaseStateFiles.importRejected(
                        file, platform: platform, dataset: dataset, into: store)
                }
            case 4 where parts[0] == "queue" && !parts[3].contains(".tmp-"):
                guard let platform = PlatformID(rawValue: parts[1]), let state = QueueState(rawValue: parts[2]) else {
                    summary.keptAside.append(relative)
                    continue
                }
                let entry = try ReleaseQueueFile.entry(file, platform: platform, state: state)
                try store.putQueueEntry(entry.row, payload: entry.payload, errors: entry.errors)
                summary.queueEntries += 1
            default:
                summary.keptAside.append(relative)
            }
        }
    }

    private enum LedgerKind {
        case ledger, sent, rejected
    }

    /// `<dataset>.ledger`, `<dataset>.sent.jsonl` or `<dataset>.rejected.json`.
    private static func ledgerFile(_ name: String) -> (Dataset, LedgerKind)? {
        for (suffix, kind) in [(".ledger", LedgerKind.ledger), (".sent.jsonl", .sent), (".rejected.json", .rejected)]
        where name.hasSuffix(suffix) {
            return Dataset(rawValue: String(name.dropLast(suffix.count))).map { ($0, kind) }
        }
        return nil
    }

    private static func rank(_ relative: String) -> Int {
        relative.hasSuffix(".ledger") ? 0 : relative.hasSuffix(".sent.jsonl") ? 1 : 2
    }

    // MARK: - Recording, moving

    struct Recorded {
        var bytes: Int
        var sha256: String
        var movedTo: String
    }

    private static func recordedFiles(_ store: StateStore) throws(CredsyncError) -> [String: Recorded] {
        var recorded: [String: Recorded] = [:]
        try store.database.query("SELECT path, bytes, sha256, moved_to FROM imported_file") { row in
            recorded[row.text(0)] = Recorded(bytes: row.integer(1), sha256: row.text(2), movedTo: row.text(3))
        }
        return recorded
    }

    /// Files left by an import whose move failed are the files it recorded; anything else is not.
    private static func checkRecorded(
        _ files: [String], _ recorded: [String: Recorded], stateDir: String
    ) throws(CredsyncError) {
        // A file gone meanwhile was moved by the process that imported it.
        for relative in files where FileSystem.exists(StatePaths(stateDir: stateDir).releaseFile(relative)) {
            let (bytes, digest) = try ImportFile(stateDir: stateDir, relative: relative).checksum()
            if let known = recorded[relative], known.bytes == bytes, known.sha256 == digest { continue }
            throw CredsyncError(
                .ioError,
                "\(stateDir)/\(relative): a state file of the file-based release that the store's import (kept in "
                    + "\(recorded.values.first?.movedTo ?? "imported-…")) did not hold",
                hint: "the release ran again after the upgrade? To import its files, move credsync.db (and its -wal, "
                    + "-shm) aside and run again; to keep the store, move the release's files aside")
        }
    }

    /// The first table holding state, or nil for a store as new.
    private static func tableWithState(_ store: StateStore) throws(CredsyncError) -> String? {
        for table in [
            "ledger", "accepted_payload", "rejected", "export_history", "pull_cursor", "enterprise",
            "serious_illegal", "queue", "run_summary",
        ] where try store.database.integer("SELECT EXISTS (SELECT 1 FROM \(table))") == 1 {
            return table
        }
        return nil
    }

    /// `<stateDir>/imported-<date>`, or `-2`, `-3`… when that is taken.
    private static func freeDirectory(_ stateDir: String, date: String) -> String {
        let paths = StatePaths(stateDir: stateDir)
        var attempt = 1
        while FileSystem.exists(paths.imported(date: date, attempt: attempt)) { attempt += 1 }
        return paths.imported(date: date, attempt: attempt)
    }

    /// Moves each file under its directory (a rename: the same file system); returns the failures.
    /// Directories left empty are removed.
    private static func moveAside(_ files: [String], to directories: [String: String], stateDir: String) -> [String] {
        var failures: [String] = []
        for relative in files {
            guard let directory = directories[relative] else { continue }
            let source = StatePaths(stateDir: stateDir).releaseFile(relative)
            let target = directory + "/" + relative
            do throws(FileError) {
                try FileSystem.createDirectory(FileSystem.parent(of: target))
                guard rename(source, target) == 0 else {
                    throw FileError(operation: "move into \(directory)", path: source, errno: errno)
                }
                try FileSystem.syncDirectory(of: target)
                try FileSystem.syncDirectory(of: source)
            } catch {
                if !FileSystem.exists(source) { continue }  // moved by another process meanwhile
                failures.append(error.description)
            }
        }
        for root in roots { removeEmptyDirectories(StatePaths(stateDir: stateDir).releaseFile(root)) }
        return failures
    }

    private static func removeEmptyDirectories(_ path: String) {
        guard FileSystem.isDirectory(path), let names = try? FileSystem.list(path) else { return }
        for name in names { removeEmptyDirectories(path + "/" + name) }
        _ = rmdir(path)  // fails, harmlessly, when something is left in it
    }

    // MARK: - Messages

    static func unreadable(_ description: String) -> CredsyncError {
        CredsyncError(
            .ioError, "importing the release's state files: \(description)",
            hint: "check the state directory's permissions; nothing was imported and the files are as they were")
    }

    static func damaged(_ file: ImportFile, _ reason: String, hint: String) -> CredsyncError {
        CredsyncError(
            .ioError,
            "\(file.path): \(reason); the release's state files are not imported (the store and the files are "
                + "as they were)",
            hint: hint)
    }

    private static func notice(_ summary: Summary, store: StateStore) {
        var text = "credsync: imported the file-based release's state into \(store.path): \(summary.ledgerRows) "
        text += "ledger rows, \(summary.payloads) sent payloads, \(summary.rejected) rejected, \(summary.queueEntries) "
        text += "queue entries, \(summary.enterprises) enterprises, \(summary.listEntries) list entries, "
        text += "\(summary.cursors) cursors, \(summary.exports) export counts; the old files are kept in "
        text += summary.directory
        if !summary.keptAside.isEmpty { text += " (\(summary.keptAside.count) of them moved without being imported)" }
        _ = FileOutput.writeAll(2, text + "\n")
    }

    private static func warn(_ failure: String) {
        _ = FileOutput.writeAll(
            2,
            "credsync: warning: the import is committed but a release file could not be moved aside: \(failure); "
                + "the next run moves it (it is not imported twice)\n")
    }
}
