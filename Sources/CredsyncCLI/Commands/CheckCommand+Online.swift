import CredsyncCore
import CredsyncExchange
import CredsyncMapping
import CredsyncProtocol

extension CheckCommand {
    /// `check --online`: one signed, harmless request per platform (a manifest page of limit 1), so
    /// that a rotated secret or certificate is proven before the night. Exit 77 when a platform
    /// refuses the credentials or the permission, 69 when one cannot be reached.
    static func checkOnline(_ config: Config, _ context: CommandContext) async throws(CredsyncError) -> (
        ExitCode, [JSONValue]
    ) {
        let mappings = try DatasetMapping.load(config)
        var worst = ExitCode.success
        var results: [JSONValue] = []
        for platform in config.platforms {
            let dataset = mappings.first { $0.platforms.contains { $0.id == platform.id } }?.catalog.dataset ?? .license
            let name = platform.id.rawValue
            if let channel = FileChannelClient(
                config: platform, source: config.organisation.uscc, logger: context.logger)
            {
                let (code, result) = await probe(channel, dataset: dataset, name: name, context)
                if severity(code) > severity(worst) { worst = code }
                results.append(result)
                continue
            }
            let client = PlatformClient(
                config: platform, source: config.organisation.uscc, retry: config.retry, logger: context.logger)
            switch await client.probe(dataset) {
            case .success(let requestID):
                results.append([
                    "platform": .string(name), "ok": .bool(true), "dataset": .string(dataset.rawValue),
                    "requestId": requestID.map { .string($0) } ?? .null,
                ])
                if !context.invocation.global.json {
                    context.console.print(
                        "\(name): signed request accepted (\(dataset.rawValue) manifest, limit 1"
                            + (requestID.map { ", request \($0)" } ?? "") + ")")
                }
            case .failure(let failure):
                let code: ExitCode =
                    failure.isAuthenticationFailure
                    ? .noPermission : failure.failureClass == .transient ? .unavailable : .needsAttention
                if severity(code) > severity(worst) { worst = code }
                results.append([
                    "platform": .string(name), "ok": .bool(false), "dataset": .string(dataset.rawValue),
                    "status": failure.status.map { .number(String($0)) } ?? .null,
                    "code": failure.code.map { .string($0) } ?? .null,
                    "message": .string(failure.message), "requestId": failure.requestID.map { .string($0) } ?? .null,
                ])
                if !context.invocation.global.json {
                    context.console.printError("error: \(name): \(failure)")
                    context.console.printError(
                        "hint: "
                            + (failure.isAuthenticationFailure
                                ? "\(name) refused the credentials: check its secret "
                                    + "(\(secretWhere(platform.secretSource))), the client certificate and the app id"
                                : "check baseURL, the network and the proxy; then try again"))
                }
            }
        }
        return (worst, results)
    }

    /// A 前置机: its inbox listed, which proves the pinned host key and the account's key.
    static func probe(
        _ channel: FileChannelClient, dataset: Dataset, name: String, _ context: CommandContext
    ) async -> (ExitCode, JSONValue) {
        do {
            let waiting = try await channel.unanswered(dataset, olderThan: 0)
            if !context.invocation.global.json {
                context.console.print(
                    "\(name): 前置机 \(channel.channel.url) verified (host key pinned, key accepted); "
                        + "\(waiting.count) batches of \(dataset.rawValue) in its inbox")
            }
            return (
                .success,
                [
                    "platform": .string(name), "ok": .bool(true), "dataset": .string(dataset.rawValue),
                    "channel": .string(channel.channel.url), "inbox": .number(String(waiting.count)),
                ]
            )
        } catch {
            let failure = error.credsyncError
            if !context.invocation.global.json {
                context.console.printError("error: \(name): \(failure.message)")
                if let hint = failure.hint { context.console.printError("hint: " + hint) }
            }
            return (
                failure.exitCode,
                [
                    "platform": .string(name), "ok": .bool(false), "dataset": .string(dataset.rawValue),
                    "channel": .string(channel.channel.url), "message": .string(failure.message),
                ]
            )
        }
    }

    static func secretWhere(_ source: SecretSource) -> String {
        switch source {
        case .file(let path): return "secretFile \(path)"
        case .environment(let name): return "secretEnv \(name)"
        }
    }

    /// Which of two exit codes wins when a check finds several things: a refused credential first.
    static func severity(_ code: ExitCode) -> Int {
        switch code {
        case .success: return 0
        case .needsAttention: return 1
        case .unavailable: return 2
        case .dataError: return 3
        case .noPermission: return 4
        default: return 5
        }
    }
}
