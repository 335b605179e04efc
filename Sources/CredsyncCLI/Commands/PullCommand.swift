import CredsyncCore
import CredsyncReconciliation
import CredsyncRun
import CredsyncSpool
import CredsyncFormats
import CredsyncProtocol

/// `credsync pull [--full]` and `credsync enterprise show USCC`.
enum PullCommand {
    static func run(_ context: CommandContext) async throws(CredsyncError) -> ExitCode {
        let config = try context.loadConfig()
        let lock = try RunLock.acquire(stateDir: config.stateDir, purpose: "pull")
        defer { withExtendedLifetime(lock) {} }
        let workspace = try Workspace(config: config)
        let store = try EnterpriseStore(stateDir: config.stateDir)
        let job = PullJob(workspace: workspace, asOf: context.asOf, logger: context.logger, enterprises: store)
        let report = try await job.run(full: context.invocation.has("full"))
        // Then the receipts of the receipts platforms, cursor by cursor (exchange-api.md 1.1).
        let receipts = try await PullReceipts.run(config: config, logger: context.logger)
        if context.invocation.global.json {
            var object: JSONObject = [
                "enterprises": .number(String(report.enterprises)), "listItems": .number(String(report.listItems)),
                "queried": .number(String(report.queried)), "notFound": .number(String(report.notFound)),
                "fullReread": .bool(report.fullReread),
            ]
            if let receipts { object["receipts"] = receiptsJSON(receipts) }
            context.console.printJSON(.object(object))
        } else {
            context.console.print(
                "pulled \(report.enterprises) enterprise changes and \(report.listItems) list changes; "
                    + "queried \(report.queried) subjects registered elsewhere (\(report.notFound) unknown to gsxt)")
            for message in report.messages { context.console.print("  " + message) }
            if let receipts { printReceipts(receipts, context) }
        }
        guard let receipts else { return .success }
        if receipts.refusedCredentials { return .noPermission }
        if receipts.unavailable { return .unavailable }
        return receipts.failures.isEmpty && receipts.problems.isEmpty ? .success : .needsAttention
    }

    static func receiptsJSON(_ receipts: PullReceipts) -> JSONValue {
        [
            "read": .number(String(receipts.read)),
            "failed": .array(
                receipts.failures.map { failure in
                    [
                        "platform": .string(failure.platform.rawValue), "dataset": .string(failure.dataset.rawValue),
                        "key": .string(failure.key), "errors": .array(failure.errors.map { .string($0.description) }),
                    ]
                }),
            "problems": .array(receipts.problems.map { .string($0) }),
        ]
    }

    static func printReceipts(_ receipts: PullReceipts, _ context: CommandContext) {
        context.console.print("read \(receipts.read) receipts")
        for tally in receipts.counts {
            context.console.print(
                "  \(tally.platform.rawValue) \(tally.dataset.rawValue): \(tally.pending) pending, "
                    + "\(tally.failed) failed, \(tally.published) published")
        }
        for failure in receipts.failures {
            context.console.print(
                "  publication failed: \(failure.platform.rawValue) \(failure.dataset.rawValue) "
                    + "\(failure.key): " + failure.errors.map(\.description).joined(separator: "; "))
        }
        for problem in receipts.problems { context.console.print("  " + problem) }
    }

    static func show(_ context: CommandContext) async throws(CredsyncError) -> ExitCode {
        let config = try context.loadConfig(readsSecrets: false)
        let code = Normalizer.code(context.invocation.arguments.first ?? "")
        // A code shaped like a 身份证号 is looked up by its hash and shown masked.
        let shown = PersonalData.mask(code)
        guard let store = try EnterpriseStore.ifPulled(stateDir: config.stateDir) else {
            throw CredsyncError(
                .needsAttention, "\(shown) is not in the enterprise store", hint: "run 'credsync pull' first")
        }
        guard let stored = try store.enterprise(code) else {
            let hint =
                try store.pulledAt() == nil
                ? "run 'credsync pull' first" : "it was neither in the region's feed nor named in an export"
            throw CredsyncError(.needsAttention, "\(shown) is not in the enterprise store", hint: hint)
        }
        let list = try store.listEntries(code)
        if context.invocation.global.json {
            context.console.printJSON([
                "uscc": .string(shown), "notFound": .bool(stored.notFound), "enterprise": stored.enterprise,
                "source": .string(stored.seq == nil ? "query" : "feed"),
                "seq": stored.seq.map { .number(String($0)) } ?? .null,
                "fetchedAt": .string(Timestamp.rfc3339(stored.fetchedAt)), "seriousIllegal": .array(list),
            ])
            return .success
        }
        if stored.notFound {
            context.console.print("\(shown): unknown to gsxt (queried \(Timestamp.rfc3339(stored.fetchedAt)))")
            return .success
        }
        context.console.print("\(shown)  \(stored.name)")
        for key in [
            "type", "legalRepresentative", "registeredCapital", "establishedOn", "operatingTo", "authority", "status",
            "address", "updatedAt",
        ] {
            if let value = stored.enterprise[key]?.stringValue { context.console.print("  \(key): \(value)") }
        }
        context.console.print(
            "  pulled: \(Timestamp.rfc3339(stored.fetchedAt)) from the \(stored.seq.map { "feed (seq \($0))" } ?? "query")"
        )
        for entry in list {
            context.console.print(
                "  serious-illegal list: \(entry["action"]?.stringValue ?? "") \(entry["date"]?.stringValue ?? "") \(entry["decisionNo"]?.stringValue ?? "") \(entry["reason"]?.stringValue ?? "")"
            )
        }
        return .success
    }
}
