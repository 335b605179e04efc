import CredsyncCore
import CredsyncMapping
import CredsyncCatalogs
import CredsyncFormats

/// `credsync map --dataset D --platform P [--key K] [--limit N]`: the national records exactly as
/// they would be sent, one canonical JSON payload a line (with `--json`: key, hash and payload).
enum MapCommand {
    static func run(_ context: CommandContext) throws(CredsyncError) -> ExitCode {
        let invocation = context.invocation
        guard let datasetName = invocation.value("dataset"), let dataset = Dataset(rawValue: datasetName) else {
            throw CredsyncError.usage(
                "'map' needs --dataset", hint: "e.g. credsync map --dataset license --platform credit")
        }
        guard let platformName = invocation.value("platform"), let platformID = PlatformID(rawValue: platformName)
        else {
            throw CredsyncError.usage(
                "'map' needs --platform", hint: "e.g. credsync map --dataset license --platform credit")
        }
        let config = try context.loadConfig(readsSecrets: false)
        guard let mapping = try DatasetMapping.load(config, datasets: [dataset]).first else {
            throw CredsyncError(
                .configuration, "\(config.file): no catalog for \(dataset.rawValue)", hint: "add it under catalogs")
        }
        guard let platform = mapping.platforms.first(where: { $0.id == platformID }) else {
            throw CredsyncError(
                .usage, "\(platformID.rawValue) does not take \(dataset.rawValue) in this configuration and mapping",
                hint: "platforms taking it: \(mapping.platforms.map(\.id.rawValue).joined(separator: ", "))")
        }
        let key = invocation.value("key")
        let limit = invocation.value("limit").flatMap(Int.init) ?? Int.max
        var printed = 0
        // The reason the record of `--key` is not shown for this platform, when it is not.
        var notForPlatform: String?
        let format = mapping.definition.format
        let result: ExportResult
        do {
            // Streamed: each record printed as it is mapped, none kept (bounded memory).
            result = try mapping.stream(organisation: config.organisation, today: context.asOf) { record in
                guard printed < limit, key == nil || record.key == key else { return }
                if let why = record.excludedFrom[platform.id] {
                    if key != nil { notForPlatform = why }
                    return
                }
                let bytes = record.canonicalPayload(format: format, dateSeparator: platform.dateSeparator)
                let canonical = String(decoding: bytes, as: UTF8.self)
                if invocation.global.json {
                    context.console.printSent(
                        #"{"key":"# + JSONWriter.compact(.string(record.key)) + #","hash":""# + SHA256.hex(canonical)
                            + #"","payload":"# + canonical + "}")
                } else {
                    context.console.printSent(canonical)
                }
                printed += 1
            }
        } catch {
            throw CredsyncError(.dataError, "\(error.description): the export cannot be used")
        }
        if let key, printed == 0 {
            if let setAside = result.setAside.first(where: { $0.key == key }) {
                context.console.printError(
                    "error: \(key) is set aside: " + setAside.reasons.map(\.description).joined(separator: "; "))
            } else if let why = notForPlatform {
                context.console.printError("error: \(key) is not for \(platform.id.rawValue): \(why)")
            } else if let excluded = result.excluded.first(where: { $0.key == key }) {
                context.console.printError("error: \(key) is never published: \(excluded.reason)")
            } else {
                context.console.printError(
                    "error: no record with key \(key) in \(FileSystem.baseName(mapping.catalog.path))")
            }
            return .needsAttention
        }
        let setAside = result.setAside.count + result.unreadable.count
        if setAside > 0 && !invocation.global.quiet {
            context.logger.warning(
                "\(setAside) rows of \(FileSystem.baseName(mapping.catalog.path)) are set aside and not shown; 'credsync check' lists them"
            )
        }
        return .success
    }
}
