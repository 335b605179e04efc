public import CredsyncCore
import Foundation

/// The state store seen as an operator sees it: the `sqlite3` shell on `<stateDir>/credsync.db`.
extension SyncEnvironment {
    /// The store's file.
    public var storeFile: String { stateDir + "/credsync.db" }

    /// The rows `sql` returns, each a list of its columns (tab-separated by the shell); read-only.
    public func storeRows(_ sql: String) throws -> [[String]] {
        try Self.sqlite3(storeFile, sql, readOnly: true).split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Runs `sql` on the store (a test's deliberate damage); throws with the shell's message when it fails.
    public func storeExecute(_ sql: String) throws {
        _ = try Self.sqlite3(storeFile, sql, readOnly: false)
    }

    /// The ledger rows of a platform's dataset: key → (status, version, hash).
    public func ledgerRows(
        _ platform: PlatformID, _ dataset: Dataset
    ) throws -> [String: (status: String, version: Int, hash: String)] {
        var rows: [String: (String, Int, String)] = [:]
        for row in try storeRows(
            "SELECT key, status, version, hash FROM ledger WHERE platform = '\(platform.rawValue)' "
                + "AND dataset = '\(dataset.rawValue)'") where row.count == 4
        {
            rows[row[0]] = (row[1], Int(row[2]) ?? -1, row[3])
        }
        return rows
    }

    static func sqlite3(_ file: String, _ sql: String, readOnly: Bool) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = (readOnly ? ["-readonly"] : []) + ["-batch", "-separator", "\t", file, sql]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(
                domain: "sqlite3", code: Int(process.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: "\(sql): \(message)"])
        }
        return String(decoding: data, as: UTF8.self)
    }
}
