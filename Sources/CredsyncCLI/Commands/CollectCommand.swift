import CredsyncCore
import CredsyncProtocol
import CredsyncRun
import CredsyncSpool

/// `credsync collect [--platform P]`: apply the answers and receipts waiting on the 前置机s.
enum CollectCommand {
    static func run(_ context: CommandContext) async throws(CredsyncError) -> ExitCode {
        let config = try context.loadConfig()
        let lock = try RunLock.acquire(stateDir: config.stateDir, purpose: "collect")
        defer { withExtendedLifetime(lock) {} }
        let stop = StopFlag()
        stop.installSignalHandlers()
        let platforms = context.invocation.all("platform").compactMap(PlatformID.init(rawValue:))
        let summary = try await CollectJob(config: config, platforms: platforms, logger: context.logger, stop: stop)
            .run()
        if context.invocation.global.json {
            context.console.printJSON(json(summary))
        } else if !context.invocation.global.quiet {
            for line in lines(summary) { context.console.print(line) }
        }
        return summary.exitCode
    }

    static func lines(_ summary: CollectJob.Summary) -> [String] {
        guard !summary.platforms.isEmpty else {
            return ["no platform is reached through a 前置机 (no \"channel\" in the configuration): nothing to collect"]
        }
        var lines = [
            "collected from \(summary.platforms.map(\.rawValue).joined(separator: ", ")): \(summary.answers) answers "
                + "applied, \(summary.redelivered) delivered again (deleted, not applied), \(summary.receipts) receipts"
        ]
        for outcome in summary.outcomes {
            lines.append(
                "  \(outcome.platform.rawValue) \(outcome.dataset.rawValue): \(outcome.created) created, "
                    + "\(outcome.updated) updated, \(outcome.withdrawn) withdrawn, \(outcome.unchanged) unchanged, "
                    + "\(outcome.rejected.count) rejected, \(outcome.queued) queued, \(outcome.held) held")
            for (key, errors) in outcome.rejected.prefix(20) {
                lines.append("    rejected \(key): " + errors.map(\.description).joined(separator: "; "))
            }
        }
        for failure in summary.receiptFailures.prefix(20) {
            lines.append(
                "  publication failed: \(failure.platform.rawValue) \(failure.dataset.rawValue) \(failure.key): "
                    + failure.errors.map(\.description).joined(separator: "; "))
        }
        lines += (summary.problems + summary.warnings).map { "  " + $0 }
        return lines
    }

    static func json(_ summary: CollectJob.Summary) -> JSONValue {
        [
            "platforms": .array(summary.platforms.map { .string($0.rawValue) }),
            "answers": .number(String(summary.answers)), "redelivered": .number(String(summary.redelivered)),
            "receipts": .number(String(summary.receipts)),
            "outcomes": .array(
                summary.outcomes.map { outcome in
                    [
                        "platform": .string(outcome.platform.rawValue), "dataset": .string(outcome.dataset.rawValue),
                        "created": .number(String(outcome.created)), "updated": .number(String(outcome.updated)),
                        "withdrawn": .number(String(outcome.withdrawn)),
                        "unchanged": .number(String(outcome.unchanged)),
                        "rejected": .number(String(outcome.rejected.count)), "queued": .number(String(outcome.queued)),
                        "held": .number(String(outcome.held)),
                    ]
                }),
            "publicationFailures": .number(String(summary.receiptFailures.count)),
            "warnings": .array((summary.problems + summary.warnings).map { .string($0) }),
        ]
    }
}
