import CredsyncCore
import CredsyncRun
import CredsyncSpool
import CredsyncState

/// `credsync key generate FILE`: a new data key for `dataKeyFile`; `credsync key rotate --new FILE`:
/// every sealed value re-sealed under another key.
enum KeyCommand {
    static func generate(_ context: CommandContext) throws(CredsyncError) -> ExitCode {
        guard let file = context.invocation.arguments.first else {
            throw .usage("key generate: name the FILE to write the key to")
        }
        let key: DataKey
        do { key = try DataKey.generate() } catch { throw CredsyncError(.software, error.description) }
        try key.write(to: file)
        if context.invocation.global.json {
            context.console.printJSON(["file": .string(file), "keyId": .string(key.id)])
        } else {
            context.console.print("wrote data key \(key.id) to \(file) (mode 0600): back it up apart from the state")
        }
        return .success
    }

    /// Opens every sealed value of the state store under the configured key (`dataKeyFile`) and seals
    /// it under the key in `--new`, in one transaction, under the run lock. The configuration still
    /// names the old key afterwards: the operator then points `dataKeyFile` at the new one (RUNBOOK).
    static func rotate(_ context: CommandContext) throws(CredsyncError) -> ExitCode {
        guard let newFile = context.invocation.value("new") else {
            throw .usage("key rotate: name the new key with --new FILE (write one with 'credsync key generate FILE')")
        }
        let config = try context.loadConfig(readsSecrets: false)
        guard config.dataKeyFile != nil else { throw PersonalSeal.notConfigured(config.file) }
        let old = try PersonalSeal.load(config, required: true)
        let newKey = try DataKey.load(newFile)
        let lock = try RunLock.acquire(stateDir: config.stateDir, purpose: "key rotate", wait: 5)
        defer { withExtendedLifetime(lock) {} }
        guard let spool = try Spool.existing(stateDir: config.stateDir, seal: old) else {
            throw CredsyncError(
                .configuration, "\(config.stateDir): no state store yet: nothing is sealed",
                hint: "set dataKeyFile to \(newFile) directly")
        }
        let done = try spool.reseal(under: newKey)
        let action = OperatorAction(
            action: "key rotate", selection: JSONObject(), items: [], count: done.values,
            details: [
                "from": .string(old.cipher?.key.id ?? ""), "to": .string(newKey.id),
                "entries": .number(String(done.entries)),
            ])
        try action.record(in: config.auditFile, environment: context.environment)
        if context.invocation.global.json {
            context.console.printJSON([
                "from": .string(old.cipher?.key.id ?? ""), "to": .string(newKey.id),
                "entries": .number(String(done.entries)), "values": .number(String(done.values)),
            ])
        } else {
            context.console.print(
                "re-sealed \(done.values) values in \(done.entries) queue entries under data key \(newKey.id): "
                    + "now set \"dataKeyFile\" to \(newFile) in \(config.file); the old key opens nothing any more")
        }
        return .success
    }
}
