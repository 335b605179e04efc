import CredsyncCore
import CredsyncRun
import CredsyncSpool
import CredsyncState

/// `credsync audit verify [--key PUB.pem] [FILE…]`: checks the hash chain and every run manifest's SM2
/// signature, naming the first broken line (exit 1). `credsync audit prune --before DATE`: archives
/// the rotated files older than DATE, recording it in the chain.
enum AuditCommand {
    static func run(_ context: CommandContext) async throws(CredsyncError) -> ExitCode {
        var files = context.invocation.arguments
        var head: String?
        var keyFile = context.invocation.value("key")
        if files.isEmpty {
            let config = try context.loadConfig(readsSecrets: false)
            files = AuditLog.rotations(of: config.auditFile) + [config.auditFile]
            files = files.filter(FileSystem.exists)
            head = (try? FileSystem.readText(config.auditFile + ".head"))?.trimmingSpaces()
            keyFile = keyFile ?? config.audit.verifyKey
            guard !files.isEmpty else {
                context.console.print("\(config.auditFile): no audit log yet")
                return .success
            }
        }
        let key = try keyFile.map { file throws(CredsyncError) in try readPublicKey(file) }
        let outcome = try AuditVerifier.verify(files: files, head: head, key: key)
        if context.invocation.global.json {
            var object = JSONObject([
                JSONMember("lines", .number(String(outcome.lines))), JSONMember("ok", .bool(outcome.broken == nil)),
            ])
            if let broken = outcome.broken {
                object["file"] = .string(broken.file)
                object["line"] = .number(String(broken.line))
                object["reason"] = .string(broken.reason)
            }
            for (name, count) in [
                ("manifests", outcome.manifests), ("signaturesVerified", outcome.signaturesVerified),
                ("unsigned", outcome.unsigned), ("unchecked", outcome.unchecked),
                ("unsealedLines", outcome.unsealedLines),
            ] {
                object[name] = .number(String(count))
            }
            object["startsAfterArchive"] = outcome.startsAfterArchive.map { .string($0) } ?? .null
            context.console.printJSON(.object(object))
        } else if let broken = outcome.broken {
            context.console.printError("error: \(broken.file) line \(broken.line): \(broken.reason)")
        } else {
            let manifests = "\(outcome.manifests) run manifest" + plural(outcome.manifests)
            let signatures = "\(outcome.signaturesVerified) SM2 signature" + plural(outcome.signaturesVerified)
            context.console.print(
                "\(outcome.lines) lines verified in \(files.count) file\(plural(files.count)): the chain is intact; "
                    + "\(manifests), \(signatures) verified")
            if let archive = outcome.startsAfterArchive {
                context.console.print("the chain starts after the files archived at \(archive)")
            }
            if outcome.unsigned > 0 {
                context.console.printError(
                    "warning: \(outcome.unsigned) manifest\(outcome.unsigned == 1 ? " is" : "s are") unsigned: "
                        + "set audit.signingKey so that each run's evidence is signed")
            }
            if outcome.unchecked > 0 {
                context.console.printError(
                    "warning: \(outcome.unchecked) signature\(outcome.unchecked == 1 ? "" : "s") not checked: "
                        + "give the public key (audit.verifyKey or --key FILE)")
            }
        }
        return outcome.broken == nil ? .success : .needsAttention
    }

    static func plural(_ count: Int) -> String { count == 1 ? "" : "s" }

    static func readPublicKey(_ file: String) throws(CredsyncError) -> SM2Key {
        do {
            return try SM2Key(publicPEM: try FileSystem.read(file))
        } catch let error as SM2Error {
            throw CredsyncError(.configuration, "\(file): \(error.description)", hint: "give the SM2 public key in PEM")
        } catch let error as FileError {
            throw CredsyncError(.configuration, error.description, hint: "give the SM2 public key in PEM")
        } catch {
            throw CredsyncError(.configuration, "\(file): \(error)")
        }
    }

    /// `audit prune --before DATE`: the retention (`audit.retentionDays`) bounds DATE; the chain
    /// must verify, and the move is an audit line.
    static func prune(_ context: CommandContext) async throws(CredsyncError) -> ExitCode {
        guard let text = context.invocation.value("before"), let before = LocalDate(iso: text) else {
            throw CredsyncError.usage(
                "'audit prune' needs --before YYYY-MM-DD", hint: "e.g. credsync audit prune --before 2026-01-01")
        }
        let config = try context.loadConfig(readsSecrets: false)
        let earliest = AuditArchive.earliestKept(retentionDays: config.audit.retentionDays)
        guard before <= earliest else {
            throw CredsyncError.usage(
                "--before \(before.iso) would archive audit records younger than the retention "
                    + "of \(config.audit.retentionDays) days",
                hint: "use \(earliest.iso) or earlier")
        }
        let lock = try RunLock.acquire(stateDir: config.stateDir, purpose: "audit prune", wait: 5)
        defer { withExtendedLifetime(lock) {} }
        var details = JSONObject([
            JSONMember("reason", "prune"), JSONMember("user", .string(OperatorAction.userName())),
        ])
        if let sudo = context.environment["SUDO_USER"], !sudo.isEmpty { details["sudoUser"] = .string(sudo) }
        let archiveDir = config.audit.archiveDirectory(auditFile: config.auditFile)
        let result = try AuditArchive.archive(
            auditFile: config.auditFile, archiveDir: archiveDir, before: before, details: details)
        if context.invocation.global.json {
            context.console.printJSON([
                "archived": .array(result.archived.map { .string($0) }), "lines": .number(String(result.lines)),
            ])
        } else if result.archived.isEmpty {
            context.console.print("no rotated audit file ends before \(before.iso): nothing archived")
        } else {
            context.console.print(
                "archived \(result.archived.count) file\(plural(result.archived.count)) (\(result.lines) lines) "
                    + "to \(archiveDir); the kept chain verifies")
        }
        return .success
    }
}
