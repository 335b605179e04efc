import CSQLite
public import CredsyncCore

/// How an SQLite result code becomes an error an operator can act on.
///
/// - a full disk, an I/O error, a file that cannot be opened or written: exit 74, free space or fix
///   the file system; the transaction was rolled back, so the store is as it was before it.
/// - a damaged file (`SQLITE_CORRUPT`, `SQLITE_NOTADB`): exit 74, run `credsync state check`, restore
///   the last `credsync state backup`.
/// - another process holds the lock past the busy time-out: exit 75, try again later.
/// - anything else (a constraint, misuse, an SQL error): exit 70, a bug in credsync.
package enum SQLiteFailure {
    /// The words every damaged-file error carries.
    static let damageMarker = "the state store is damaged"

    /// Whether `error` says the database file is damaged (not full, not locked).
    package static func isDamage(_ error: CredsyncError) -> Bool { error.message.contains(damageMarker) }

    /// The error for `code` (a primary or extended result code) met while `doing` something on `file`.
    package static func error(code: Int32, message: String, file: String, doing: String) -> CredsyncError {
        let what = "\(file): cannot \(doing): \(message) (SQLite code \(code))"
        switch code & 0xFF {
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            return CredsyncError(
                .ioError, "\(file): \(damageMarker): cannot \(doing): \(message) (SQLite code \(code))",
                hint: "run 'credsync state check' to see what is damaged; then, with no run going, move "
                    + "\(FileSystem.baseName(file)) and its -wal and -shm files aside and copy the last "
                    + "'credsync state backup FILE' in its place")
        case SQLITE_FULL:
            return CredsyncError(
                .ioError, what,
                hint: "free space on the state directory's file system and run again: the change was rolled back, "
                    + "the store holds what it held before it")
        case SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM, SQLITE_PROTOCOL, SQLITE_NOLFS, SQLITE_AUTH:
            return CredsyncError(
                .ioError, what,
                hint: "check the state directory's file system, free space and permissions (credsync needs to write "
                    + "the database and its -wal and -shm files); the change was rolled back")
        case SQLITE_BUSY, SQLITE_LOCKED:
            return CredsyncError(
                .temporaryFailure, what,
                hint: "another credsync process is writing the state store; try again when it has finished")
        default:
            return CredsyncError(.software, what, hint: "this is a bug in credsync: report it with this message")
        }
    }
}
