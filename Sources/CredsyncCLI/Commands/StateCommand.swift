import CredsyncCore
import CredsyncState

/// `credsync state check [FILE]` and `credsync state backup FILE`: the state store's integrity,
/// and a consistent copy of it while a run may be writing.
enum StateCommand {
    /// Exit 0 when clean, 1 when credsync's invariants are broken, 74 when the file is damaged.
    static func check(_ context: CommandContext) throws(CredsyncError) -> ExitCode {
        let file: String
        if let given = context.invocation.arguments.first {
            file = given
        } else {
            file = try storeFile(context)
            // Until the pipeline writes the store (issue 17), a state directory without one is normal.
            guard FileSystem.exists(file) else {
                if context.invocation.global.json {
                    context.console.printJSON(["file": .string(file), "exists": .bool(false), "clean": .bool(true)])
                } else {
                    context.console.print("state store \(file): none yet (no run has written it), nothing to check")
                }
                return .success
            }
        }
        let report = try StateCheck.run(file: file)
        if context.invocation.global.json {
            context.console.printJSON([
                "file": .string(report.file), "exists": .bool(true),
                "schemaVersion": .number(String(report.schemaVersion)), "clean": .bool(report.isClean),
                "tables": .object(JSONObject(report.tableRows.map { JSONMember($0.table, .number(String($0.rows))) })),
                "damage": .array(report.damage.map { .string($0) }),
                "inconsistencies": .array(report.inconsistencies.map { .string($0) }),
            ])
        } else {
            let verdict =
                !report.damage.isEmpty ? "DAMAGED" : !report.inconsistencies.isEmpty ? "inconsistent" : "clean"
            context.console.print("state store \(report.file): schema version \(report.schemaVersion), \(verdict)")
            if !report.tableRows.isEmpty {
                let rows = report.tableRows.map { [$0.table, String($0.rows)] }
                context.console.print(lines: TextTable.render([["table", "rows"]] + rows))
            }
            for problem in report.damage { context.console.print("damaged: \(problem)") }
            for problem in report.inconsistencies { context.console.print("inconsistent: \(problem)") }
        }
        if !report.damage.isEmpty {
            context.console.printError(
                "hint: with no run going, move \(report.file) and its -wal and -shm files aside and copy the last "
                    + "'credsync state backup' in its place (RUNBOOK, \"The state store\")")
        }
        return report.exitCode
    }

    /// Writes the copy; exit 0, or 74 when the store or the copy cannot be read or written.
    static func backup(_ context: CommandContext) throws(CredsyncError) -> ExitCode {
        guard let destination = context.invocation.arguments.first else {
            throw .usage("state backup: name the FILE to write the copy to")
        }
        let source = try storeFile(context)
        let bytes = try StateBackup.write(from: source, to: destination)
        if context.invocation.global.json {
            context.console.printJSON([
                "source": .string(source), "backup": .string(destination), "bytes": .number(String(bytes)),
            ])
        } else {
            context.console.print("backed up \(source) to \(destination) (\(bytes) bytes)")
        }
        return .success
    }

    private static func storeFile(_ context: CommandContext) throws(CredsyncError) -> String {
        try context.loadConfig(readsSecrets: false).statePaths.database
    }
}
