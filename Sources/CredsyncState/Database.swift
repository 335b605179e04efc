#if canImport(Glibc)
    import Glibc
#endif
import CSQLite
public import CredsyncCore
import Foundation

/// One connection to an SQLite database file, shared by the tasks of one process: every call holds
/// a recursive lock, and `transaction` holds it for its whole body, so another task's statement
/// waits for the commit rather than landing inside someone else's transaction.
///
/// Opened with a WAL journal (readers never wait for a writer), `synchronous=FULL` (a commit is on
/// disk when it returns), foreign keys on, and a busy time-out (a second writer waits that long for
/// the lock, then fails with exit 75). Every SQLite return code is checked; a failure throws a
/// `CredsyncError` naming the file and SQLite's message (see `SQLiteFailure`).
package final class Database: @unchecked Sendable {
    /// The database file.
    package let path: String
    private let handle: OpaquePointer
    /// Prepared statements by SQL text, reused; a statement is never shared by two live queries.
    private var cache: [String: PreparedStatement] = [:]
    /// Serialises every use of `handle` and `cache`.
    private let lock = NSRecursiveLock()

    /// How commits reach the file.
    package enum Journal: String, Sendable {
        /// Write-ahead log: readers never wait for the writer. The store's mode.
        case wal
        /// Rollback journal: the database is one self-contained file. A backup copy's mode.
        case rollback = "delete"
    }

    /// Opens the database at `path`, creating it when missing (mode 0640), in `journal` mode.
    /// - Parameter busyTimeout: how long a write waits for another connection's lock, in milliseconds.
    /// - Parameter journal: nil opens an existing file as it is, without changing its journal mode:
    ///   for `state check` and the source of a backup. It is still opened for writing, since after a
    ///   crash the first connection must recover the WAL index (a read-only one fails with
    ///   `SQLITE_READONLY_RECOVERY`).
    package init(path: String, busyTimeout milliseconds: Int32 = 5000, journal: Journal? = .wal) throws(CredsyncError) {
        self.path = path
        if journal != nil && !FileSystem.exists(path) {
            // SQLite gives its -wal and -shm files the database file's mode: create it private.
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
            if fd >= 0 {
                close(fd)
            } else if errno != EEXIST {
                throw CredsyncError(
                    .ioError, FileError(operation: "create", path: path, errno: errno).description,
                    hint: "check that the directory exists and is writable by this user")
            }
        }
        var opened: OpaquePointer?
        let access = journal == nil ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        let code = sqlite3_open_v2(path, &opened, access | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(opened)
            throw SQLiteFailure.error(code: code, message: message, file: path, doing: "open")
        }
        handle = opened
        do throws(CredsyncError) {
            try check(sqlite3_busy_timeout(handle, milliseconds), "set the busy time-out")
            if let journal {
                var mode = ""
                try query("PRAGMA journal_mode=\(journal.rawValue)") { row in mode = row.text(0) }
                guard mode == journal.rawValue else {
                    throw CredsyncError(
                        .ioError,
                        "\(path): cannot set SQLite's \(journal.rawValue) journal mode (it is \(mode))",
                        hint: "put the state directory on a local file system (not NFS)")
                }
            } else {
                // The first read finds a file that is not a database.
                try execute("SELECT count(*) FROM sqlite_schema")
            }
            try execute("PRAGMA synchronous=FULL")
            try execute("PRAGMA foreign_keys=ON")
            // A first load rewrites the same index pages answer after answer: a checkpoint every
            // 32 MiB of WAL (not 4) writes each page back once, not eight times.
            try execute("PRAGMA wal_autocheckpoint=8192")
        } catch {
            closeConnection()
            throw error
        }
    }

    /// Closing cannot fail once every statement is finalized, and an open transaction is rolled back.
    deinit { closeConnection() }

    private func closeConnection() {
        for statement in cache.values { statement.finalize() }
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one statement to its end, ignoring rows it returns.
    package func execute(_ sql: String, _ values: [SQLValue] = []) throws(CredsyncError) {
        try query(sql, values) { _ in }
    }

    /// Runs one statement and calls `body` with each row, as SQLite steps to it: nothing is
    /// collected, so a million rows cost the memory of one.
    /// - Precondition: the `Row` is valid only inside `body`.
    package func query(
        _ sql: String, _ values: [SQLValue] = [], _ body: (Row) throws(CredsyncError) -> Void
    ) throws(CredsyncError) {
        lock.lock()
        defer { lock.unlock() }
        let statement = try prepared(sql)
        defer { statement.release() }
        for (index, value) in values.enumerated() {
            try check(statement.bind(value, at: Int32(index + 1)), "bind parameter \(index + 1) of \(summary(sql))")
        }
        while true {
            let code = sqlite3_step(statement.handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw failure(code, "run \(summary(sql))") }
            try body(Row(handle: statement.handle))
        }
    }

    /// Runs one statement to its end and returns how many rows it inserted, changed or deleted.
    package func executeCounting(_ sql: String, _ values: [SQLValue] = []) throws(CredsyncError) -> Int {
        lock.lock()
        defer { lock.unlock() }
        try execute(sql, values)
        return Int(sqlite3_changes64(handle))
    }

    /// The first row's first column as an integer, or nil when there is no row or it is NULL.
    package func integer(_ sql: String, _ values: [SQLValue] = []) throws(CredsyncError) -> Int? {
        var result: Int?
        try query(sql, values) { row in if result == nil { result = row.optionalInteger(0) } }
        return result
    }

    /// Runs `body` in a transaction that commits when it returns and rolls back when it throws.
    /// The outer call takes the write lock at once (`BEGIN IMMEDIATE`, waiting up to the busy
    /// time-out); a nested call is a savepoint inside it.
    package func transaction<T>(_ body: () throws(CredsyncError) -> T) throws(CredsyncError) -> T {
        lock.lock()
        defer { lock.unlock() }
        let nested = sqlite3_get_autocommit(handle) == 0
        try execute(nested ? "SAVEPOINT nested" : "BEGIN IMMEDIATE")
        do throws(CredsyncError) {
            let result = try body()
            try execute(nested ? "RELEASE nested" : "COMMIT")
            return result
        } catch {
            // A failed COMMIT (a full disk) may have rolled back already; ROLLBACK then has nothing to do.
            var code = SQLITE_OK
            if nested {
                code = sqlite3_exec(handle, "ROLLBACK TO nested; RELEASE nested", nil, nil, nil)
            } else if sqlite3_get_autocommit(handle) == 0 {
                code = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            }
            guard code == SQLITE_OK else {
                let rollback = failure(code, "roll back")
                throw CredsyncError(
                    .ioError, error.message + "; then " + rollback.message,
                    hint: "stop here: the state store may hold a partial change until this process ends, when "
                        + "SQLite rolls it back; run 'credsync state check' afterwards")
            }
            throw error
        }
    }

    /// Whether a transaction is open on this connection.
    package var isInTransaction: Bool {
        lock.lock()
        defer { lock.unlock() }
        return sqlite3_get_autocommit(handle) == 0
    }

    /// Copies the whole database into `destination` with SQLite's online backup: one read
    /// transaction, so the copy is the state as of one commit while other connections go on writing.
    package func backup(into destination: Database) throws(CredsyncError) {
        lock.lock()
        defer { lock.unlock() }
        guard let backup = sqlite3_backup_init(destination.handle, "main", handle, "main") else {
            throw destination.failure(sqlite3_errcode(destination.handle), "start the backup of \(path)")
        }
        // One step: the copy is read in one read transaction, a snapshot of one commit.
        let code = sqlite3_backup_step(backup, -1)
        let finish = sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE else {
            // A damaged page is the source's; a full disk or a write error is the copy's.
            let primary = code & 0xFF
            let isSource = primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB
            throw SQLiteFailure.error(
                code: code, message: String(cString: sqlite3_errstr(code)), file: isSource ? path : destination.path,
                doing: isSource ? "read it for a backup" : "write the backup of \(path)")
        }
        try destination.check(finish, "finish the backup of \(path)")
    }

    // MARK: - Errors

    func check(_ code: Int32, _ doing: @autoclosure () -> String) throws(CredsyncError) {
        guard code != SQLITE_OK else { return }
        throw failure(code, doing())
    }

    func failure(_ code: Int32, _ doing: String) -> CredsyncError {
        SQLiteFailure.error(code: code, message: String(cString: sqlite3_errmsg(handle)), file: path, doing: doing)
    }

    private func summary(_ sql: String) -> String {
        let words = sql.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(4)
        return "'" + words.joined(separator: " ") + (words.count == 4 ? " …'" : "'")
    }

    private func prepared(_ sql: String) throws(CredsyncError) -> PreparedStatement {
        if let cached = cache[sql], !cached.isInUse {
            cached.isInUse = true
            return cached
        }
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw failure(code == SQLITE_OK ? SQLITE_MISUSE : code, "prepare \(summary(sql))")
        }
        let prepared = PreparedStatement(handle: statement)
        prepared.isInUse = true
        if cache[sql] == nil { cache[sql] = prepared } else { prepared.isTransient = true }
        return prepared
    }
}

/// A value bound to a statement's `?` parameter.
package enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    package static func int(_ value: Int) -> SQLValue { .integer(Int64(value)) }
    package static func optional(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    package static func optional(_ value: Int?) -> SQLValue { value.map { .integer(Int64($0)) } ?? .null }
}

/// The current row of a query. Valid only inside the query's closure.
package struct Row {
    let handle: OpaquePointer

    package func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    package func integer(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
    package func optionalInteger(_ column: Int32) -> Int? { isNull(column) ? nil : integer(column) }
    package func real(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    package func optionalReal(_ column: Int32) -> Double? { isNull(column) ? nil : real(column) }

    package func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    package func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    package func bytes(_ column: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}

/// A prepared statement; the database that made it finalizes it.
final class PreparedStatement {
    let handle: OpaquePointer
    var isInUse = false
    /// Not cached (the cached one was busy): finalized when released.
    var isTransient = false

    init(handle: OpaquePointer) { self.handle = handle }

    func bind(_ value: SQLValue, at index: Int32) -> Int32 {
        switch value {
        case .null: return sqlite3_bind_null(handle, index)
        case .integer(let value): return sqlite3_bind_int64(handle, index, value)
        case .real(let value): return sqlite3_bind_double(handle, index, value)
        case .text(let value):
            var value = value
            return value.withUTF8 { utf8 in
                guard let base = utf8.baseAddress, !utf8.isEmpty else { return csqlite_bind_text(handle, index, "", 0) }
                return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { chars in
                    csqlite_bind_text(handle, index, chars, Int32(clamping: utf8.count))
                }
            }
        case .blob(let value):
            return value.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress, !bytes.isEmpty else {
                    return sqlite3_bind_zeroblob(handle, index, 0)
                }
                return csqlite_bind_blob(handle, index, base, Int32(clamping: bytes.count))
            }
        }
    }

    /// Resets the statement for its next use and drops its bindings. Their codes repeat the last
    /// step's, which the query has checked.
    func release() {
        if isTransient {
            finalize()
            return
        }
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        isInUse = false
    }

    func finalize() { sqlite3_finalize(handle) }
}
