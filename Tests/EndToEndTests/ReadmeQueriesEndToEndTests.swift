import Foundation
import TestSupport
import Testing
import CredsyncCore

/// The README's `sqlite3` examples ("Inspecting it with sqlite3") work on the store a real sync made.
@Suite struct ReadmeQueriesEndToEndTests {
    /// The command lines between `<!-- sqlite3-examples -->` and `<!-- /sqlite3-examples -->`.
    static func examples() throws -> [String] {
        let readme = try String(contentsOfFile: Binaries.packageRoot + "/README.md", encoding: .utf8)
        guard let start = readme.range(of: "<!-- sqlite3-examples -->"),
            let end = readme.range(of: "<!-- /sqlite3-examples -->", range: start.upperBound..<readme.endIndex)
        else { return [] }
        return readme[start.upperBound..<end.lowerBound].split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Runs one example as the operator would, with `sh` in the directory that holds `state/`.
    static func run(_ line: String, in directory: String) throws -> (status: Int32, out: String, err: String) {
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", line]
        shell.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        let err = Pipe()
        shell.standardOutput = out
        shell.standardError = err
        try shell.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let error = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        return (shell.terminationStatus, output, error)
    }

    @Test func theReadmeExampleQueriesRunOnTheStoreOfARealSync() throws {
        let examples = try Self.examples()
        #expect(examples.count == 3, "\(examples)")
        #expect(examples.allSatisfy { $0.hasPrefix("sqlite3 -readonly ") && $0.contains("state/credsync.db") })

        let env = try SyncEnvironment(platforms: [.credit])
        let sync = try env.credsync(["sync"])
        #expect(sync.status <= 1, "\(sync.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: env.storeFile))
        for line in examples {
            let result = try Self.run(line, in: env.directory.path)
            #expect(result.status == 0 && result.err.isEmpty, "\(line)\n\(result.err)")
        }
        // The ledger's counts and the example key's history have rows to show.
        if examples.count == 3 {
            #expect(try Self.run(examples[1], in: env.directory.path).out.contains("published"))
            #expect(try Self.run(examples[2], in: env.directory.path).out.contains("ledger"))
        }
        let after = try Data(contentsOf: URL(fileURLWithPath: env.storeFile))
        #expect(after == before, "a read-only query changed the store")
    }
}
