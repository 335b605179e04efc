import CredsyncCore
import Foundation
import TestSupport
import Testing

@Suite struct AuditEndToEndTests {
    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func verify(_ env: SyncEnvironment, _ file: String) throws -> Binaries.Result {
        try env.credsync(["audit", "verify", file])
    }

    @Test func verifyFindsAnEditedADeletedAndAnInsertedLine() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        _ = try env.credsync(["sync"])
        let log = env.stateDir + "/audit/audit.jsonl"
        let original = try lines(log)
        #expect(original.count >= 4)
        #expect(try env.credsync(["audit", "verify"]).status == 0)

        var edited = original
        edited[1] = edited[1].replacingOccurrences(of: "accepted", with: "rejected")
        try (edited.joined(separator: "\n") + "\n").write(toFile: log + ".edited", atomically: true, encoding: .utf8)
        let editedResult = try verify(env, log + ".edited")
        #expect(editedResult.status == 1)
        #expect(editedResult.stderr.contains("audit.jsonl.edited line 3: its prev does not match the line before"))

        var deleted = original
        deleted.remove(at: 2)
        try (deleted.joined(separator: "\n") + "\n").write(toFile: log + ".deleted", atomically: true, encoding: .utf8)
        #expect(try verify(env, log + ".deleted").stderr.contains("line 3: its prev does not match"))

        var inserted = original
        inserted.insert(original[0], at: 2)
        try (inserted.joined(separator: "\n") + "\n").write(
            toFile: log + ".inserted", atomically: true, encoding: .utf8)
        #expect(try verify(env, log + ".inserted").stderr.contains("line 3: its prev does not match"))

        var lastEdited = original
        lastEdited[lastEdited.count - 1] = lastEdited[lastEdited.count - 1].replacingOccurrences(
            of: "\"ts\":\"", with: "\"ts\":\"1")
        try (lastEdited.joined(separator: "\n") + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let tail = try env.credsync(["audit", "verify"])
        #expect(tail.status == 1)
        #expect(tail.stderr.contains("line \(original.count): the last line does not match the head file"))
    }

    @Test func theChainContinuesAcrossRotatedFiles() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        _ = try env.credsync(["sync", "--dataset", "license"])
        let log = env.stateDir + "/audit/audit.jsonl"
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        _ = try env.credsync(["sync", "--dataset", "pledge"])
        #expect(FileManager.default.fileExists(atPath: log))
        let result = try env.credsync(["audit", "verify"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("in 2 files: the chain is intact"))
    }

    @Test func personalNumbersAreMaskedEverywhereButInWhatIsSent() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        // A natural person pledgor of the sample pledges.
        let number = "330106199012092282"
        try env.sandbox.admin("POST", "faults", ["platform": "credit", "down": true])
        let down = try env.credsync(["sync", "--dataset", "pledge", "--verbose"])
        let list = try env.credsync(["queue", "list", "--json"])
        let entries = try JSONParser.parse(list.stdout)["entries"]?.arrayValue ?? []
        let entry = try #require(entries.first { $0["key"] == "ZX2026000002" })
        let show = try env.credsync(["queue", "show", entry["id"]?.stringValue ?? ""])
        #expect(show.stdout.contains("330106********2282"))
        try env.sandbox.admin("POST", "faults", ["platform": "credit", "down": false])
        _ = try env.credsync(["queue", "retry", "--all"])
        let up = try env.credsync(["sync", "--dataset", "pledge", "--verbose", "--log-format", "json"])
        let report = try String(contentsOfFile: env.stateDir + "/reports/latest.json", encoding: .utf8)
        let audit = try String(contentsOfFile: env.stateDir + "/audit/audit.jsonl", encoding: .utf8)
        for text in [down.stdout, down.stderr, list.stdout, show.stdout, up.stdout, up.stderr, report, audit] {
            #expect(!text.contains(number))
        }
        // What was sent holds it in clear.
        let sent = try env.sandbox.admin(
            "GET", "records?platform=credit&dataset=pledge&source=\(SandboxProcess.source)")
        #expect(JSONWriter.compact(sent).contains(number))
    }
}
