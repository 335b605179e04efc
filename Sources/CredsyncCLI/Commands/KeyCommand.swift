import CredsyncCore

/// `credsync key generate FILE`: a new data key for `dataKeyFile`.
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
}
