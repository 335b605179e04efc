#if canImport(Glibc)
    import Glibc
#endif
import CSQLite
public import CredsyncCore

/// `credsync state backup FILE`: a consistent copy of the store, made with SQLite's online backup
/// while a run may be writing.
///
/// The copy is the store as of one commit, in one self-contained file (rollback journal, no -wal
/// file), written beside FILE and renamed over it once complete: an interrupted backup leaves the
/// previous FILE, and so does a store found damaged (the copy is checked whole). Restore: with no
/// run going, move credsync.db and its -wal and -shm files aside
/// and copy the backup to `<stateDir>/credsync.db`.
package enum StateBackup {
    /// Copies the store in `source` to `destination` and returns the copy's size in bytes.
    package static func write(from source: String, to destination: String) throws(CredsyncError) -> Int {
        guard FileSystem.exists(source) else {
            throw CredsyncError(
                .ioError, "\(source): no such state store",
                hint: "check the state directory; credsync.db exists once a run has used the store")
        }
        let target = FileSystem.normalise(FileSystem.resolve(destination, against: FileSystem.currentDirectory()))
        let live = FileSystem.normalise(FileSystem.resolve(source, against: FileSystem.currentDirectory()))
        guard ![live, live + "-wal", live + "-shm"].contains(target) else {
            throw CredsyncError(
                .usage, "\(destination): that is the state store itself", hint: "name a file outside the store")
        }
        if FileSystem.isDirectory(destination) {
            throw CredsyncError(
                .usage, "\(destination): is a directory", hint: "name the backup file, e.g. \(destination)/credsync.db")
        }
        let partial = destination + ".partial"
        for leftover in [partial, partial + "-journal", partial + "-wal", partial + "-shm"] { unlink(leftover) }
        do throws(CredsyncError) {
            let from = try Database(path: source, journal: nil)
            let copy = try Database(path: partial, journal: .rollback)
            try from.backup(into: copy)
            // SQLite checks a page only when it reads it: a backup of damage would look like a good
            // one, so the copy is checked whole before it may replace FILE.
            var problems: [String] = []
            do { try copy.query("PRAGMA quick_check(3)") { row in problems.append(row.text(0)) } } catch {
                problems = [error.message]
            }
            guard problems == ["ok"] else {
                throw SQLiteFailure.error(
                    code: SQLITE_CORRUPT, message: problems.joined(separator: "; "), file: source,
                    doing: "back it up (the previous backup, if any, is kept)")
            }
            var mode = ""
            try copy.query("PRAGMA journal_mode=DELETE") { row in mode = row.text(0) }
            guard mode == "delete" else {
                throw CredsyncError(.ioError, "\(partial): cannot make the copy self-contained (journal mode \(mode))")
            }
        } catch {
            for leftover in [partial, partial + "-journal"] { unlink(leftover) }
            throw error
        }
        guard rename(partial, destination) == 0 else {
            let failure = FileError(operation: "rename \(partial) to", path: destination, errno: errno)
            unlink(partial)
            throw CredsyncError(.ioError, failure.description, hint: "check the backup directory's permissions")
        }
        do { try FileSystem.syncDirectory(of: destination) } catch {
            throw CredsyncError(.ioError, error.description, hint: "check the backup directory's file system")
        }
        var status = stat()
        return stat(destination, &status) == 0 ? Int(status.st_size) : 0
    }
}
