#if canImport(Glibc)
import Glibc
#endif

extension ConfigReading {
    func readPlatforms(_ root: ObjectReader, retry: RetryPolicy) -> [PlatformConfig] {
        guard let items = root.array("platforms", required: true) else { return [] }
        var platforms: [PlatformConfig] = []
        for (i, item) in items.enumerated() {
            let itemPath = "platforms[\(i)]"
            guard let object = item.objectValue else {
                sink.problems.append(ConfigProblem(itemPath, "must be an object, not \(item.kindDescription)"))
                continue
            }
            let reader = ObjectReader(object, path: itemPath, sink: sink)
            if let platform = readPlatform(reader), !platforms.contains(where: { $0.id == platform.id }) {
                platforms.append(platform)
            } else if let id = object["id"]?.stringValue, platforms.contains(where: { $0.id.rawValue == id }) {
                reader.problem("id", "\"\(id)\" is configured twice", hint: "keep one entry per platform")
            }
        }
        return platforms
    }

    private func readPlatform(_ reader: ObjectReader) -> PlatformConfig? {
        let id = reader.choice("id", required: true, as: PlatformID.self)
        let baseURL = reader.string("baseURL", required: true)
        if let baseURL, !(baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://")) || baseURL.count < 10 {
            reader.problem("baseURL", "\"\(baseURL)\" is not an http or https URL", hint: "e.g. \"https://credit.example/exchange/v1\"")
        }
        let appID = reader.string("appId", required: true)
        let hasInlineSecret = reader.value("secret") != nil
        if hasInlineSecret {
            reader.problem(
                "secret", "inline secrets are not allowed",
                hint: "put the secret in a file readable only by its owner (secretFile) or in an environment variable (secretEnv)")
        }
        let secret = readSecret(reader, hasInlineSecret: hasInlineSecret)
        let caFile = readFile(reader, "caFile")
        let clientCertificate = readFile(reader, "clientCertificate")
        let clientKey = readFile(reader, "clientKey")
        if (clientCertificate == nil) != (clientKey == nil) {
            reader.problem(clientCertificate == nil ? "clientCertificate" : "clientKey",
                "is required with \(clientCertificate == nil ? "clientKey" : "clientCertificate")",
                hint: "mutual TLS needs both the certificate and its key")
        }
        let verifyTLS = reader.bool("verifyTLS") ?? true
        if !verifyTLS {
            reader.warning("verifyTLS", "TLS verification is OFF: the platform's identity is not checked",
                hint: "set it back to true; give caFile for a private CA instead")
        }
        let proxy = reader.string("proxy")
        let connectTimeout = reader.duration("connectTimeout") ?? 10
        let requestTimeout = reader.duration("timeout") ?? 60
        var requestsPerSecond = 20.0
        var burst = 40
        if let rate = reader.object("rateLimit") {
            requestsPerSecond = rate.double("perSecond", in: 0.01...10_000) ?? requestsPerSecond
            burst = rate.int("burst", in: 1...10_000) ?? burst
            rate.rejectUnknownKeys()
        }
        let batchSize = reader.int("batchSize", in: 1...500) ?? 500
        let concurrency = reader.int("concurrency", in: 1...64) ?? 4
        let maxResponseBytes = reader.int("maxResponseBytes", in: 1024...(1 << 30)) ?? 16 << 20
        let datasets = readDatasets(reader, platform: id)
        var dateSeparator = id?.defaultDateSeparator ?? "/"
        if let format = reader.string("dateFormat") {
            switch format {
            case "YYYY-MM-DD": dateSeparator = "-"
            case "YYYY/MM/DD": dateSeparator = "/"
            default: reader.problem("dateFormat", "\"\(format)\" is not a date format", hint: "use \"YYYY-MM-DD\" or \"YYYY/MM/DD\"")
            }
        }
        reader.rejectUnknownKeys()
        guard let id, let baseURL, let appID, let secret else { return nil }
        return PlatformConfig(
            id: id, baseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL, appID: appID,
            secret: secret.1, secretSource: secret.0, caFile: caFile, clientCertificate: clientCertificate,
            clientKey: clientKey, verifyTLS: verifyTLS, proxy: proxy, connectTimeout: connectTimeout,
            requestTimeout: requestTimeout, requestsPerSecond: requestsPerSecond, burst: burst, batchSize: batchSize,
            concurrency: concurrency, datasets: datasets, dateSeparator: dateSeparator,
            maxResponseBytes: maxResponseBytes)
    }

    private func readFile(_ reader: ObjectReader, _ key: String) -> String? {
        guard let text = reader.string(key) else { return nil }
        let file = path(text)
        if !FileSystem.exists(file) { reader.problem(key, "\"\(text)\": no such file") }
        return file
    }

    private func readDatasets(_ reader: ObjectReader, platform: PlatformID?) -> [Dataset] {
        guard let items = reader.array("datasets") else { return platform?.acceptedDatasets ?? [] }
        var datasets: [Dataset] = []
        for (i, item) in items.enumerated() {
            let itemPath = reader.childPath("datasets") + "[\(i)]"
            guard let name = item.stringValue, let dataset = Dataset(rawValue: name) else {
                let text = item.stringValue ?? item.kindDescription
                let suggestion = DidYouMean.suggestion(for: text, among: Dataset.allCases.map(\.rawValue))
                sink.problems.append(ConfigProblem(itemPath, "\"\(text)\" is not a dataset",
                    hint: suggestion.map { "did you mean \"\($0)\"?" } ?? "use license, penalty, dishonesty or pledge"))
                continue
            }
            if let platform, !platform.acceptedDatasets.contains(dataset) {
                sink.problems.append(ConfigProblem(itemPath, "\(platform.rawValue) does not take \(name)",
                    hint: "\(platform.rawValue) takes \(platform.acceptedDatasets.map(\.rawValue).joined(separator: ", "))"))
                continue
            }
            if !datasets.contains(dataset) { datasets.append(dataset) }
        }
        return datasets
    }

    /// The secret and where it came from: a file only its owner may read, or an environment variable.
    private func readSecret(_ reader: ObjectReader, hasInlineSecret: Bool) -> (SecretSource, String)? {
        let file = reader.string("secretFile")
        let variable = reader.string("secretEnv")
        switch (file, variable) {
        case (nil, nil):
            if hasInlineSecret { return nil }
            reader.problem("secretFile", "is required (or secretEnv)", hint: "name a file readable only by its owner, or an environment variable")
            return nil
        case (.some, .some):
            reader.problem("secretEnv", "give secretFile or secretEnv, not both")
            return nil
        case (let file?, nil):
            let resolved = path(file)
            guard readsSecrets else { return (.file(resolved), "") }
            let mode: mode_t
            do {
                mode = try FileSystem.permissions(resolved)
            } catch {
                reader.problem("secretFile", "\"\(file)\": \(error.reason)")
                return nil
            }
            if mode & 0o077 != 0 {
                reader.problem("secretFile", "\"\(file)\" is readable by group or others (mode \(String(mode, radix: 8)))",
                    hint: "chmod 600 \(resolved)")
                return nil
            }
            guard let text = try? FileSystem.readText(resolved) else {
                reader.problem("secretFile", "\"\(file)\" cannot be read")
                return nil
            }
            return checkedSecret(reader, "secretFile", text.trimmingSpaces()).map { (.file(resolved), $0) }
        case (nil, let variable?):
            guard readsSecrets else { return (.environment(variable), "") }
            guard let value = environment[variable] else {
                reader.problem("secretEnv", "the environment variable \(variable) is not set", hint: "export \(variable) before running credsync")
                return nil
            }
            return checkedSecret(reader, "secretEnv", value.trimmingSpaces()).map { (.environment(variable), $0) }
        }
    }

    private func checkedSecret(_ reader: ObjectReader, _ key: String, _ secret: String) -> String? {
        guard secret.count >= 16 else {
            reader.problem(key, "the secret is shorter than 16 characters", hint: "use the secret the platform issued")
            return nil
        }
        Redactor.shared.register(secret)
        return secret
    }
}
