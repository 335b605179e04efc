// CredsyncState: the state store, `<stateDir>/credsync.db`, one SQLite database for the ledger, the
// accepted payloads, rejected records, export history, pull cursors, the enterprise store, the retry
// queue and run summaries (the schema is in Schema.swift). It owns the file and every table; it knows
// only CredsyncCore's vocabulary, never a plan, a mapping or a platform's wire format.
// The audit log is not here: it stays an append-only hash-chained file.
public import CredsyncCore

/// The state directory's database, opened and migrated to the latest schema.
///
/// One `StateStore` is one connection, shared by the tasks of a process (its `Database` serialises
/// them); a reader and a writer in two processes
/// (or two stores in one) work at once (WAL). Changes that belong together go in one `transaction`.
package final class StateStore: Sendable {
    /// `<stateDir>/credsync.db` (`StatePaths`).
    package static func path(stateDir: String) -> String { StatePaths(stateDir: stateDir).database }

    package let database: Database
    /// The database file.
    package var path: String { database.path }

    /// Opens the store of `stateDir`, creating the directory and the database when missing, and
    /// applies the migrations it lacks. The first time, it imports the file-based release's state
    /// files it finds there and moves them under `imported-<date>/` (`StateImport`).
    /// - Parameter busyTimeout: how long a write waits for another process's lock, in milliseconds.
    package convenience init(stateDir: String, busyTimeout: Int32 = 5000) throws(CredsyncError) {
        do { try FileSystem.createDirectory(stateDir) } catch {
            throw CredsyncError(.ioError, error.description, hint: "check the state directory's path and permissions")
        }
        try self.init(file: Self.path(stateDir: stateDir), busyTimeout: busyTimeout)
        try StateImport.run(store: self, stateDir: stateDir)
    }

    /// Opens the store in `file` (a backup copy, or a test's), creating and migrating it as needed.
    package init(file: String, busyTimeout: Int32 = 5000) throws(CredsyncError) {
        database = try Database(path: file, busyTimeout: busyTimeout)
        try Schema.migrate(database)
    }

    /// Runs `body` in one transaction: every change in it is committed together when it returns,
    /// or none when it throws (or the process dies before the commit).
    package func transaction<T>(_ body: () throws(CredsyncError) -> T) throws(CredsyncError) -> T {
        try database.transaction(body)
    }
}
