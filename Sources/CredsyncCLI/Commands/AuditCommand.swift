import CredsyncCore
import CredsyncRun

/// `credsync audit verify [FILE…]`: checks the hash chain, naming the first broken line (exit 1).
enum AuditCommand {
    static func run(_ context: CommandContext) async throws(CredsyncError) -> ExitCode {
        var files = context.invocation.arguments
        var head: String?
        if files.isEmpty {
            let config = try context.loadConfig(readsSecrets: false)
            files = AuditLog.rotations(of: config.auditFile) + [config.auditFile]
            files = files.filter(FileSystem.exists)
            head = (try? FileSystem.readText(config.auditFile + ".head"))?.trimmingSpaces()
            guard !files.isEmpty else {
                context.console.print("\(config.auditFile): no audit log yet")
                return .success
            }
        }
        let outcome = try AuditVerifier.verify(files: files, head: head)
        if context.invocation.global.json {
            var object = JSONObject([JSONMember("lines", .number(String(outcome.lines))), JSONMember("ok", .bool(outcome.broken == nil))])
            if let broken = outcome.broken {
                object["file"] = .string(broken.file)
                object["line"] = .number(String(broken.line))
                object["reason"] = .string(broken.reason)
            }
            context.console.printJSON(.object(object))
        } else if let broken = outcome.broken {
            context.console.printError("error: \(broken.file) line \(broken.line): \(broken.reason)")
        } else {
            context.console.print("\(outcome.lines) lines verified in \(files.count) file\(files.count == 1 ? "" : "s"): the chain is intact")
        }
        return outcome.broken == nil ? .success : .needsAttention
    }
}
