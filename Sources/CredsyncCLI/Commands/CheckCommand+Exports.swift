import CredsyncCore
import CredsyncMapping
import CredsyncReconciliation
import CredsyncRun
import CredsyncState
import CredsyncCatalogs
import CredsyncFormats

extension CheckCommand {
    /// Reads every export through its mapping; prints per dataset and platform what was read, mapped
    /// and set aside, and writes the quarantine files. Returns the worst exit code.
    static func checkExports(_ config: Config, _ context: CommandContext) throws(CredsyncError) -> (
        ExitCode, [JSONValue]
    ) {
        let datasets = context.invocation.all("dataset").compactMap(Dataset.init(rawValue:))
        let mappings = try DatasetMapping.load(config, datasets: datasets)
        let store = try EnterpriseStore.ifPulled(stateDir: config.stateDir)
        var worst = ExitCode.success
        var report: [JSONValue] = []
        let console = context.console
        let json = context.invocation.global.json
        for mapping in mappings {
            let name = FileSystem.baseName(mapping.catalog.path)
            let result: ExportResult
            do {
                result = try mapping.read(organisation: config.organisation, today: context.asOf)
            } catch {
                worst = .dataError
                let dataset = mapping.catalog.dataset.rawValue
                console.printError("error: \(dataset): \(error.description): the export cannot be used")
                report.append([
                    "dataset": .string(mapping.catalog.dataset.rawValue), "file": .string(mapping.catalog.path),
                    "error": .string(error.description),
                ])
                continue
            }
            let findings =
                try store.map { store throws(CredsyncError) in
                    try CrossChecks.findings(
                        result, definition: mapping.definition, store: store, blocking: config.blockingCrossChecks)
                } ?? []
            let quarantine: String
            do {
                quarantine = try Quarantine.write(
                    result, platforms: mapping.platforms.map(\.id), directory: config.statePaths.quarantine)
            } catch {
                throw CredsyncError(.ioError, error.description, hint: "check that the state directory is writable")
            }
            let setAside = result.setAside.count + result.unreadable.count
            if setAside > 0 && worst == .success { worst = .needsAttention }
            var platforms = JSONObject()
            for platform in mapping.platforms {
                let taken = result.records.filter { $0.excludedFrom[platform.id] == nil }.count
                platforms[platform.id.rawValue] = [
                    "records": .number(String(taken)), "setAside": .number(String(setAside)),
                ]
            }
            let reasons = firstReasons(result, limit: 10)
            if json {
                report.append([
                    "dataset": .string(result.dataset.rawValue), "file": .string(result.file),
                    "rowsRead": .number(String(result.rowsRead)),
                    "mapped": .number(String(result.records.count)), "setAside": .number(String(setAside)),
                    "excluded": .number(String(result.excluded.count)), "platforms": .object(platforms),
                    "reasons": .array(reasons.map { .string($0) }), "quarantine": .string(quarantine),
                    "crossChecks": .array(
                        findings.map {
                            [
                                "kind": .string($0.kind), "key": .string($0.key), "line": .number(String($0.line)),
                                "uscc": .string($0.uscc), "message": .string($0.message),
                                "blocking": .bool($0.blocking),
                            ]
                        }),
                ])
                continue
            }
            console.print(
                "\(result.dataset.rawValue)  \(name): \(result.rowsRead) rows read, \(result.records.count) mapped, \(setAside) set aside"
                    + (result.excluded.isEmpty ? "" : ", \(result.excluded.count) never published"))
            let perPlatform = mapping.platforms.map {
                "\($0.id.rawValue) \(platforms[$0.id.rawValue]?["records"]?.intValue ?? 0)"
            }
            if !perPlatform.isEmpty { console.print("  records per platform: " + perPlatform.joined(separator: ", ")) }
            if !reasons.isEmpty {
                console.print("  first reasons:")
                for reason in reasons { console.print("    " + reason) }
                console.print("  all of them: \(quarantine)")
            }
            if !findings.isEmpty {
                console.print("  cross-checks against gsxt (\(findings.count)):")
                for finding in findings.prefix(20) {
                    console.print("    line \(finding.line) [\(finding.key)] \(finding.kind): \(finding.message)")
                }
            }
        }
        return (worst, report)
    }

    /// `licenses.csv line 152 [key]: XK_XDR_MC: 行政相对人名称 is required (E_REQUIRED)`, masked.
    static func firstReasons(_ result: ExportResult, limit: Int) -> [String] {
        var lines: [(Int, String)] = result.unreadable.map { ($0.line, $0.description) }
        for item in result.setAside {
            let head = "\(FileSystem.baseName(item.file)) line \(item.line)" + (item.key.map { " [\($0)]" } ?? "")
            let text = item.reasons.map { reason -> String in
                var shown = reason
                if let value = reason.value, reason.json()["value"]?.stringValue != value {
                    shown.value = reason.json()["value"]?.stringValue
                }
                return shown.description
            }.joined(separator: "; ")
            lines.append((item.line, head + ": " + text))
        }
        return lines.sorted { $0.0 < $1.0 }.prefix(limit).map(\.1)
    }
}
