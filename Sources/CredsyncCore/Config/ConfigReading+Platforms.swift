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
        // A platform is reached by its API (baseURL) or through a 前置机 (channel). gsxt's enterprise
        // feeds stay on the API (exchange-api.md 1.1): gsxt on a channel may keep a baseURL for them.
        let hasChannel = reader.value("channel") != nil
        let hasBaseURL = reader.value("baseURL") != nil
        if hasChannel, hasBaseURL, id != .gsxt {
            reader.problem(
                "channel", "give baseURL or channel, not both",
                hint: "only gsxt keeps a baseURL beside its channel, for the enterprise feeds")
        }
        let channel = hasChannel ? reader.object("channel").flatMap { readFileChannel($0) } : nil
        let baseURL = hasChannel && !hasBaseURL ? "" : readBaseURL(reader)
        let appID = reader.string("appId", required: true)
        let hasInlineSecret = reader.value("secret") != nil
        if hasInlineSecret {
            reader.problem(
                "secret", "inline secrets are not allowed",
                hint:
                    "put the secret in a file readable only by its owner (secretFile) or in an environment variable (secretEnv)"
            )
        }
        let secret = readSecret(reader, hasInlineSecret: hasInlineSecret)
        let signatureMethod = readSignatureMethod(reader)
        let publication = readPublication(reader)
        let caFile = readFile(reader, "caFile")
        let clientCertificate = readFile(reader, "clientCertificate")
        let clientKey = readFile(reader, "clientKey")
        if (clientCertificate == nil) != (clientKey == nil) {
            reader.problem(
                clientCertificate == nil ? "clientCertificate" : "clientKey",
                "is required with \(clientCertificate == nil ? "clientKey" : "clientCertificate")",
                hint: "mutual TLS needs both the certificate and its key")
        }
        let verifyTLS = reader.bool("verifyTLS") ?? true
        if !verifyTLS {
            reader.warning(
                "verifyTLS", "TLS verification is OFF: the platform's identity is not checked",
                hint: "set it back to true; give caFile for a private CA instead")
        }
        let proxy = readProxy(reader)
        let connectTimeout = reader.duration("connectTimeout", in: 1...600) ?? 10
        let requestTimeout = reader.duration("timeout", in: 1...3600) ?? 60
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
            default:
                reader.problem(
                    "dateFormat", "\"\(format)\" is not a date format", hint: "use \"YYYY-MM-DD\" or \"YYYY/MM/DD\"")
            }
        }
        reader.rejectUnknownKeys()
        guard let id, let baseURL, let appID, let secret, let signatureMethod else { return nil }
        var platform = PlatformConfig(
            id: id, baseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL, appID: appID,
            secret: secret.1, secretSource: secret.0, caFile: caFile, clientCertificate: clientCertificate,
            clientKey: clientKey, verifyTLS: verifyTLS, proxy: proxy, connectTimeout: connectTimeout,
            requestTimeout: requestTimeout, requestsPerSecond: requestsPerSecond, burst: burst, batchSize: batchSize,
            concurrency: concurrency, datasets: datasets, dateSeparator: dateSeparator,
            maxResponseBytes: maxResponseBytes)
        platform.signatureMethod = signatureMethod
        platform.publication = publication.0
        platform.receipts = publication.1
        if hasChannel {
            guard let channel else { return nil }
            platform.channel = channel
        }
        return platform
    }

    /// `publication` (`synchronous`, the default, or `receipts`) and `receiptWarningDays` (working
    /// days, 1 to 60, default 3), which only a receipts platform may set.
    private func readPublication(_ reader: ObjectReader) -> (Publication, ReceiptSettings) {
        let publication =
            reader.value("publication") == nil
            ? Publication.synchronous : reader.choice("publication", as: Publication.self) ?? .synchronous
        var settings = ReceiptSettings()
        if reader.value("receiptWarningDays") != nil {
            if publication == .synchronous {
                reader.problem(
                    "receiptWarningDays", "is set, but this platform's publication is synchronous",
                    hint: "add \"publication\": \"receipts\" when the platform issues receipts, or remove it")
            }
            settings.warningWorkingDays = reader.int("receiptWarningDays", in: 1...60) ?? settings.warningWorkingDays
        }
        return (publication, settings)
    }

    /// `signatureMethod`: HMAC-SHA256 (the default) or HMAC-SM3, which needs SM3 in libcrypto.
    private func readSignatureMethod(_ reader: ObjectReader) -> SignatureMethod? {
        guard reader.value("signatureMethod") != nil else { return .hmacSHA256 }
        guard let method = reader.choice("signatureMethod", as: SignatureMethod.self) else { return nil }
        if method == .hmacSM3, !SM3.isAvailable {
            reader.problem(
                "signatureMethod", "HMAC-SM3 needs SM3, and this system's libcrypto has none",
                hint: "install an OpenSSL with SM3 (1.1.1 or later, not FIPS-only), "
                    + "or ask the platform for HMAC-SHA256")
            return nil
        }
        return method
    }

    /// `baseURL`: http(s), a host, a port in range, no user-info (never printed), no query; plain
    /// HTTP only to loopback, or with `allowPlainHTTP`, then warned about on every run.
    private func readBaseURL(_ reader: ObjectReader) -> String? {
        let text = reader.string("baseURL", required: true)
        let allowsPlainHTTP = reader.bool("allowPlainHTTP") ?? false
        guard let text else { return nil }
        let url: ConfiguredURL
        switch ConfiguredURL.parse(text, schemes: ["http", "https"]) {
        case .success(let parsed): url = parsed
        case .failure(let problem):
            let shown = problem == .userInfo ? "the URL" : "\"\(text)\""
            reader.problem("baseURL", "\(shown) \(problem.message)", hint: problem.hint)
            return nil
        }
        if url.scheme == "http", !url.isLoopback {
            guard allowsPlainHTTP else {
                reader.problem(
                    "baseURL", "\"\(text)\" is plain HTTP to a host that is not loopback",
                    hint: "use https; set \"allowPlainHTTP\": true only for a network you trust, "
                        + "it is warned about on every run")
                return nil
            }
            reader.warning(
                "baseURL", "\"\(text)\" is plain HTTP: the records and their signatures travel unencrypted",
                hint: "use https and remove allowPlainHTTP")
        }
        return text
    }

    /// `proxy`: an http(s) or socks5 URL with a host, and no user-info (never printed).
    private func readProxy(_ reader: ObjectReader) -> String? {
        guard let text = reader.string("proxy") else { return nil }
        switch ConfiguredURL.parse(text, schemes: ["http", "https", "socks5", "socks5h"]) {
        case .success: return text
        case .failure(let problem):
            let shown = problem == .userInfo ? "the URL" : "\"\(text)\""
            let hint = problem == .userInfo ? "remove the user-info" : nil
            reader.problem("proxy", "\(shown) \(problem.message)", hint: hint)
            return nil
        }
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
                sink.problems.append(
                    ConfigProblem(
                        itemPath, "\"\(text)\" is not a dataset",
                        hint: suggestion.map { "did you mean \"\($0)\"?" }
                            ?? "use license, penalty, dishonesty or pledge"))
                continue
            }
            if let platform, !platform.acceptedDatasets.contains(dataset) {
                sink.problems.append(
                    ConfigProblem(
                        itemPath, "\(platform.rawValue) does not take \(name)",
                        hint:
                            "\(platform.rawValue) takes \(platform.acceptedDatasets.map(\.rawValue).joined(separator: ", "))"
                    ))
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
            reader.problem(
                "secretFile", "is required (or secretEnv)",
                hint: "name a file readable only by its owner, or an environment variable")
            return nil
        case (.some, .some):
            reader.problem("secretEnv", "give secretFile or secretEnv, not both")
            return nil
        case (let file?, nil):
            let resolved = path(file)
            guard readsSecrets else { return (.file(resolved), "") }
            // A value that does not look like a path may be the secret itself: never quote it.
            let isPlausible = SecretName.isPlausiblePath(file)
            let shown = isPlausible ? "\"\(file)\"" : "the file given (not shown: it does not look like a path)"
            let mode: mode_t
            do {
                mode = try FileSystem.permissions(resolved)
            } catch {
                reader.problem(
                    "secretFile", "\(shown): \(error.reason)",
                    hint: isPlausible ? nil : "give the path of the file that holds the secret, not the secret")
                return nil
            }
            if mode & 0o077 != 0 {
                reader.problem(
                    "secretFile", "\(shown) is readable by group or others (mode \(String(mode, radix: 8)))",
                    hint: isPlausible ? "chmod 600 \(resolved)" : "chmod 600 it")
                return nil
            }
            guard let text = try? FileSystem.readText(resolved) else {
                reader.problem("secretFile", "\(shown) cannot be read")
                return nil
            }
            return checkedSecret(reader, "secretFile", text.trimmingSpaces()).map { (.file(resolved), $0) }
        case (nil, let variable?):
            // A value that is not a variable's name may be the secret itself: never quote it.
            guard SecretName.isPlausibleVariable(variable) else {
                reader.problem(
                    "secretEnv", "is not an environment variable's name (the value is not shown)",
                    hint: "name the variable that holds the secret, e.g. CREDSYNC_CREDIT_SECRET: A-Z, 0-9 and _")
                return nil
            }
            guard readsSecrets else { return (.environment(variable), "") }
            guard let value = environment[variable] else {
                reader.problem(
                    "secretEnv", "the environment variable \(variable) is not set",
                    hint: "export \(variable) before running credsync")
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

/// What a secret's source may look like, so that a secret typed in its place is not printed back.
enum SecretName {
    /// An environment variable's name as operators write them: upper-case letters, digits and `_`,
    /// not starting with a digit, at most 64 characters; past 12 characters it has a `_` (a long
    /// run of letters and digits alone is more likely a secret than a name: secrets are at least 16).
    static func isPlausibleVariable(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !(0x30...0x39).contains(first.value), text.utf8.count <= 64
        else { return false }
        let allowed = text.unicodeScalars.allSatisfy {
            (0x41...0x5A).contains($0.value) || (0x30...0x39).contains($0.value) || $0 == "_"
        }
        return allowed && (text.utf8.count <= 12 || text.contains("_"))
    }

    /// A path with a `/` or a `.` (a directory, or a file name with an extension, as
    /// `credit.secret`), made of names of letters, digits, `.`, `_`, `-`, `@` and `~` (or any
    /// non-ASCII letter); no spaces, `+` or `=` as in a base64 secret. Only such a path is quoted in
    /// an error.
    static func isPlausiblePath(_ text: String) -> Bool {
        guard text.contains("/") || text.contains("."), text.utf8.count <= 4096 else { return false }
        let names = text.split(separator: "/", omittingEmptySubsequences: true)
        guard !names.isEmpty else { return false }
        let punctuation = ".-_@~".unicodeScalars
        return names.allSatisfy { name in
            name.unicodeScalars.allSatisfy { scalar in
                guard scalar.isASCII else { return scalar.properties.isAlphabetic }
                return scalar.properties.isAlphabetic || (0x30...0x39).contains(scalar.value)
                    || punctuation.contains(scalar)
            }
        }
    }
}
