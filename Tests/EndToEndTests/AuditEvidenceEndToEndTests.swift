import CredsyncCore
import Foundation
import TestSupport
import Testing

/// Issue 21: SM2-signed run manifests in the audit chain, checked by `audit verify` and by plain
/// `openssl` as the README writes it; retention archiving and `audit prune`.
@Suite struct AuditEvidenceEndToEndTests {
    /// The ```sh blocks of the README's "Audit evidence" section: key generation, then verification.
    func readmeCommands() throws -> [String] {
        let readme = try String(contentsOfFile: Binaries.packageRoot + "/README.md", encoding: .utf8)
        let start = try #require(readme.range(of: "## Audit evidence"))
        let section = readme[start.upperBound...].components(separatedBy: "\n## ").first ?? ""
        return section.components(separatedBy: "```sh\n").dropFirst().compactMap {
            $0.components(separatedBy: "```").first
        }
    }

    /// Runs a shell script as written, with `sh -e`, in `directory`.
    struct ShellResult {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func shell(_ script: String, in directory: String) throws -> ShellResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-e", "-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ShellResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Adds an `audit` section to the environment's configuration.
    func configureAudit(_ env: SyncEnvironment, _ audit: String) throws {
        var text = try String(contentsOfFile: env.configFile, encoding: .utf8)
        if let range = text.range(of: ", \"audit\": ") { text = String(text[..<range.lowerBound]) + "}" }
        let end = try #require(text.range(of: "}", options: .backwards))
        text.replaceSubrange(end, with: ", \"audit\": \(audit)}")
        try text.write(toFile: env.configFile, atomically: true, encoding: .utf8)
    }

    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func write(_ lines: [String], to path: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Recomputes every `prev` (and a manifest's `head`) after line `from`, and the head file, as
    /// someone who edits a line and hides it would.
    func rechain(_ lines: [String], from: Int, log: String) throws {
        var lines = lines
        for i in (from + 1)..<lines.count {
            let old = try #require(try JSONParser.parse(lines[i])["prev"]?.stringValue)
            lines[i] = lines[i].replacingOccurrences(of: old, with: SHA256.hex(lines[i - 1]))
        }
        try write(lines, to: log)
        try (SHA256.hex(lines[lines.count - 1]) + "\n").write(toFile: log + ".head", atomically: true, encoding: .utf8)
    }

    @Test func aRunsManifestIsSignedVerifiesWithOpenSSLAndTamperingIsFound() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let directory = env.directory.path
        let commands = try readmeCommands()
        try #require(commands.count == 2)
        let made = try shell(commands[0], in: directory)
        try #require(made.status == 0, "\(made.stderr)")
        try configureAudit(env, #"{"signingKey": "audit-sign.pem", "verifyKey": "audit-verify.pem"}"#)

        // A private key others may read is refused, naming its path in the configuration.
        chmod(directory + "/audit-sign.pem", 0o644)
        let loose = try env.credsync(["sync", "--dataset", "license"])
        #expect(loose.status == 78)
        #expect(loose.stderr.contains("audit.signingKey"))
        chmod(directory + "/audit-sign.pem", 0o600)

        _ = try env.credsync(["sync", "--dataset", "license"])
        let log = env.stateDir + "/audit/audit.jsonl"
        let original = try lines(log)
        let last = original.count - 1
        let manifest = try JSONParser.parse(original[last])
        #expect(manifest["event"]?.stringValue == "manifest")
        #expect(manifest["asOf"]?.stringValue == "2026-11-20")
        #expect(manifest["head"]?.stringValue == SHA256.hex(original[last - 1]))
        #expect(manifest["counts"]?["credit/license"]?["created"]?.intValue ?? 0 > 0)
        #expect(manifest["sig"]?.stringValue != nil)
        let verified = try env.credsync(["audit", "verify"])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("1 run manifest, 1 SM2 signature verified"))

        // The auditor's commands from the README, with the real openssl, on what credsync wrote.
        try FileManager.default.copyItem(atPath: log, toPath: directory + "/audit.jsonl")
        let openssl = try shell(commands[1], in: directory)
        #expect(openssl.status == 0, "\(openssl.stderr)")
        #expect(openssl.stdout.contains("Signature Verified Successfully"))

        // Another key pair: openssl and audit verify both refuse.
        let other = directory + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        #expect(try shell(commands[0], in: other).status == 0)
        try FileManager.default.copyItem(atPath: log, toPath: other + "/audit.jsonl")
        #expect(try shell(commands[1], in: other).status != 0)
        let wrongKey = try env.credsync(["audit", "verify", "--key", other + "/audit-verify.pem"])
        #expect(wrongKey.status == 1)
        #expect(wrongKey.stderr.contains("audit.jsonl line \(last + 1): the manifest's SM2 signature does not verify"))

        // A byte of the manifest changed (its head file made to match): the signature fails.
        var edited = original
        edited[last] = edited[last].replacingOccurrences(of: "\"asOf\":\"2026-11-20\"", with: "\"asOf\":\"2026-11-21\"")
        try rechain(edited, from: last, log: log)
        let tamperedManifest = try env.credsync(["audit", "verify"])
        #expect(tamperedManifest.status == 1)
        #expect(
            tamperedManifest.stderr.contains(
                "audit.jsonl line \(last + 1): the manifest's SM2 signature does not verify"))

        // A covered line changed: the chain breaks at the next line; chained again, the signature fails.
        var covered = original
        covered[0] = covered[0].replacingOccurrences(of: "\"dataset\":\"license\"", with: "\"dataset\":\"pledge\"")
        #expect(covered[0] != original[0])
        try write(covered, to: log)
        let broken = try env.credsync(["audit", "verify"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("audit.jsonl line 2: its prev does not match the line before"))
        try rechain(covered, from: 0, log: log)
        let hidden = try env.credsync(["audit", "verify"])
        #expect(hidden.status == 1)
        #expect(hidden.stderr.contains("audit.jsonl line \(last + 1): the manifest's SM2 signature does not verify"))

        // The signature removed (and the chain recomputed): a downgrade after a signed manifest is found.
        try write(original, to: log)
        try (SHA256.hex(original[last]) + "\n").write(toFile: log + ".head", atomically: true, encoding: .utf8)
        _ = try env.credsync(["sync", "--dataset", "penalty"])
        var stripped = try lines(log)
        let second = stripped.count - 1
        let signed = stripped[second]
        let cut = try #require(signed.range(of: ",\"sig\":\"", options: .backwards))
        stripped[second] = String(signed[..<cut.lowerBound]) + "}"
        try rechain(stripped, from: second, log: log)
        let downgraded = try env.credsync(["audit", "verify"])
        #expect(downgraded.status == 1)
        #expect(downgraded.stderr.contains("line \(second + 1): the manifest is unsigned, after signed ones"))
    }

    @Test func aRemovedAuditFileIsFoundAndUnsignedManifestsAreWarnedAbout() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let log = env.stateDir + "/audit/audit.jsonl"
        _ = try env.credsync(["sync", "--dataset", "license"])
        try FileManager.default.moveItem(atPath: log, toPath: log + ".2")
        _ = try env.credsync(["sync", "--dataset", "pledge"])
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        _ = try env.credsync(["sync", "--dataset", "penalty"])
        let intact = try env.credsync(["audit", "verify"])
        #expect(intact.status == 0, "\(intact.stderr)")
        #expect(intact.stdout.contains("in 3 files: the chain is intact; 3 run manifests"))
        #expect(intact.stderr.contains("warning: 3 manifests are unsigned"))
        #expect(try lines(log).last?.contains("\"unsigned\":true") == true)

        try FileManager.default.moveItem(atPath: log + ".1", toPath: env.directory.path + "/aside.1")
        let middle = try env.credsync(["audit", "verify"])
        #expect(middle.status == 1)
        #expect(
            middle.stderr.contains(
                "audit.jsonl line 1: its prev does not match the last line of \(log).2: "
                    + "an audit file between them was removed"
            ))
        try FileManager.default.moveItem(atPath: env.directory.path + "/aside.1", toPath: log + ".1")

        try FileManager.default.moveItem(atPath: log + ".2", toPath: env.directory.path + "/aside.2")
        let oldest = try env.credsync(["audit", "verify", "--json"])
        #expect(oldest.status == 1)
        let json = try JSONParser.parse(oldest.stdout)
        #expect(json["file"]?.stringValue == log + ".1")
        #expect(json["line"]?.intValue == 1)
        #expect(
            json["reason"]?.stringValue?.contains("the chain does not start here and no archive event in it says why")
                == true)
    }

    /// Old audit lines made by hand, chained from `prev`, one a day from `day`.
    func oldLines(from prev: String, month: String, count: Int) -> [String] {
        var lines: [String] = []
        var previous = prev
        for day in 1...count {
            let line =
                #"{"ts":"\#(month)-0\#(day)T01:00:00.000Z","prev":"\#(previous)","event":"operator","#
                + #""action":"test","n":\#(day)}"#
            lines.append(line)
            previous = SHA256.hex(line)
        }
        return lines
    }

    @Test func pruningAndRetentionArchiveOldFilesKeepTheChainVerifiableAndAreInIt() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let audit = env.stateDir + "/audit"
        let log = audit + "/audit.jsonl"
        try configureAudit(env, #"{"retentionDays": 100}"#)
        let short = try env.credsync(["audit", "verify"])
        #expect(short.status == 78)
        #expect(short.stderr.contains("audit.retentionDays: 100 is below the six months"))
        try configureAudit(env, #"{"retentionDays": 183}"#)

        try FileManager.default.createDirectory(atPath: audit, withIntermediateDirectories: true)
        let january = oldLines(from: String(repeating: "0", count: 64), month: "2025-01", count: 3)
        let february = oldLines(from: SHA256.hex(january[2]), month: "2025-02", count: 2)
        var damaged = january
        damaged[1] = damaged[1].replacingOccurrences(of: "\"n\":2", with: "\"n\":9")
        try write(damaged, to: log + ".2")
        try write(february, to: log + ".1")

        // A broken chain is not pruned: nothing moves.
        let refused = try env.credsync(["audit", "prune", "--before", "2025-01-31"])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("refusing to archive audit files: \(log).2 line 3"))
        #expect(FileManager.default.fileExists(atPath: log + ".2"))
        try write(january, to: log + ".2")
        // Nor anything younger than the retention.
        #expect(try env.credsync(["audit", "prune", "--before", "2099-01-01"]).status == 64)

        let pruned = try env.credsync(["audit", "prune", "--before", "2025-01-31", "--json"])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(try JSONParser.parse(pruned.stdout)["archived"]?.arrayValue?.count == 1)
        #expect(!FileManager.default.fileExists(atPath: log + ".2"))
        let event = try JSONParser.parse(try #require(try lines(log).first))
        #expect(event["event"]?.stringValue == "audit-archive")
        #expect(event["reason"]?.stringValue == "prune")
        #expect(event["archivedHead"]?.stringValue == SHA256.hex(january[2]))
        let afterPrune = try env.credsync(["audit", "verify", "--json"])
        #expect(afterPrune.status == 0, "\(afterPrune.stdout)")
        #expect(try JSONParser.parse(afterPrune.stdout)["startsAfterArchive"]?.stringValue?.contains("line 1") == true)

        // A run archives what is past the retention by itself, in the chain too, then seals it.
        _ = try env.credsync(["sync", "--dataset", "license"])
        #expect(!FileManager.default.fileExists(atPath: log + ".1"))
        let kept = try lines(log)
        #expect(
            kept.filter { $0.contains("\"event\":\"audit-archive\"") && $0.contains("\"reason\":\"retention\"") }.count
                == 1)
        #expect(kept.last?.contains("\"event\":\"manifest\"") == true)
        #expect(try env.credsync(["audit", "verify"]).status == 0)
        #expect(
            try env.latestReport()["warnings"]?.arrayValue?.contains {
                $0.stringValue?.contains("audit: archived 1 file") == true
            } == true)

        // Nothing was lost: the archived files, unchanged, and the live file are one chain from the genesis.
        let archived = try FileManager.default.contentsOfDirectory(atPath: audit + "/archive").sorted()
        #expect(archived.count == 2)
        #expect(try lines(audit + "/archive/" + archived[0]) == january)
        let whole = try env.credsync(["audit", "verify"] + archived.map { audit + "/archive/" + $0 } + [log])
        #expect(whole.status == 0, "\(whole.stderr)")
    }
}
