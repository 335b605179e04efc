import Foundation
import Testing

/// The `sqlite3` shell on a state store, as the README shows operators: what the queue tests
/// observe now that the queue is no longer files.
enum SQLiteShell {
    /// What `sqlite3 FILE SQL` prints on stdout; stderr is returned apart.
    static func run(_ file: String, _ sql: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [file, sql]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: data, as: UTF8.self), String(decoding: errors, as: UTF8.self)
        )
    }
}
