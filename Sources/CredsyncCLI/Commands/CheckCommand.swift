import CredsyncCore

/// `credsync check`: the configuration (every problem with its JSON path), then the exports.
enum CheckCommand {
    static func run(_ context: CommandContext) async throws(CredsyncError) -> ExitCode {
        let report = try ConfigLoader.load(
            file: context.configFile, environment: context.environment,
            stateDirOverride: context.invocation.global.stateDir)
        for warning in report.warnings { context.logger.warning("\(report.file): \(warning)") }
        if !context.invocation.global.json, report.problems.isEmpty {
            let config = report.config
            context.console.print(
                "\(report.file): configuration OK (\(config?.catalogs.count ?? 0) catalogs, "
                    + "\(config?.platforms.count ?? 0) platforms)")
        }
        guard report.problems.isEmpty, let config = report.config else {
            if context.invocation.global.json { context.console.printJSON(json(report, datasets: [], online: nil)) }
            if !context.invocation.global.json {
                for problem in report.problems { context.console.printError("error: \(report.file): \(problem)") }
                context.console.printError(
                    "hint: fix the \(report.problems.count == 1 ? "problem" : "problems") above; "
                        + "ops/credsync.example.json documents every key")
            }
            return .configuration
        }
        // The data key is read as a run would read it: a missing or readable-by-others key is exit 78 now,
        // not at night; no key configured is a warning (sync and push refuse to start without one).
        if config.dataKeyFile == nil {
            context.logger.warning(PersonalSeal.notConfigured(report.file).message)
        } else {
            _ = try PersonalSeal.load(config, required: true)
        }
        var (code, datasets) = try checkExports(config, context)
        var online: [JSONValue]?
        if context.invocation.has("online") {
            let (onlineCode, results) = try await checkOnline(config, context)
            online = results
            if severity(onlineCode) > severity(code) { code = onlineCode }
        }
        if context.invocation.global.json {
            context.console.printJSON(json(report, datasets: datasets, online: online))
        }
        return code
    }

    static func json(_ report: ConfigReport, datasets: [JSONValue], online: [JSONValue]?) -> JSONValue {
        func list(_ problems: [ConfigProblem]) -> JSONValue {
            .array(
                problems.map { problem in
                    var object: JSONValue = ["path": .string(problem.path), "message": .string(problem.message)]
                    if let hint = problem.hint, case .object(var members) = object {
                        members["hint"] = .string(hint)
                        object = .object(members)
                    }
                    return object
                })
        }
        var object: JSONObject = [
            "config": [
                "file": .string(report.file), "ok": .bool(report.problems.isEmpty),
                "problems": list(report.problems), "warnings": list(report.warnings),
            ],
            "datasets": .array(datasets),
        ]
        if let online { object["online"] = .array(online) }
        return .object(object)
    }
}
