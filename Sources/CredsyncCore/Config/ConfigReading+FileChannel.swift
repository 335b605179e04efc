#if canImport(Glibc)
    import Glibc
#endif

extension ConfigReading {
    /// `channel: {"type": "sftp", "url", "user", "privateKey", "knownHosts", "unansweredAfter"}`: every key
    /// but the last required; the key file readable by its owner only, the known_hosts file present
    /// and not empty. `unansweredAfter` (1s to 30d, default 24h): a batch sent longer ago without an
    /// answer is reported.
    func readFileChannel(_ reader: ObjectReader) -> FileChannelConfig? {
        let type = reader.string("type", required: true)
        let text = reader.string("url", required: true)
        let user = reader.string("user", required: true)
        let keyText = reader.string("privateKey", required: true)
        let knownHostsText = reader.string("knownHosts", required: true)
        let unansweredAfter = reader.duration("unansweredAfter", in: 1...(30 * 86400)) ?? 86400
        reader.rejectUnknownKeys()
        if let type, type != "sftp" {
            reader.problem("type", "\"\(type)\" is not a channel type", hint: "use \"sftp\"")
        }
        var parsed: (host: String, port: Int, root: String)?
        if let text {
            switch ConfiguredURL.parse(text, schemes: ["sftp"]) {
            case .success(let url):
                let afterScheme = text.split(separator: "://", maxSplits: 1).last.map(String.init) ?? ""
                var root = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? ""
                while root.hasSuffix("/") { root.removeLast() }
                if root.isEmpty {
                    reader.problem(
                        "url", "\"\(text)\" names no root directory",
                        hint: "give the platform's directory on the 前置机, e.g. \"sftp://fep.example:22/exchange/ipp\"")
                } else {
                    parsed = (url.host, url.port ?? 22, root)
                }
            case .failure(let problem):
                let shown = problem == .userInfo ? "the URL" : "\"\(text)\""
                let hint =
                    problem == .userInfo
                    ? "give the account in \"user\"" : "e.g. \"sftp://fep.example:22/exchange/ipp\""
                reader.problem("url", "\(shown) \(problem.message)", hint: hint)
            }
        }
        if let user, user.isEmpty || !user.unicodeScalars.allSatisfy(Self.isUserNameScalar) {
            reader.problem(
                "user", "\"\(user)\" is not an account name",
                hint: "letters, digits, '.', '_' and '-', as the 前置机's administrator created it")
        }
        let privateKey = keyText.flatMap { readPrivateKey(reader, $0) }
        let knownHosts = knownHostsText.flatMap { readKnownHosts(reader, $0) }
        guard type == "sftp", let text, let parsed, let user, let privateKey, let knownHosts else { return nil }
        var channel = FileChannelConfig(
            url: text, host: parsed.host, port: parsed.port, root: parsed.root, user: user, privateKey: privateKey,
            knownHosts: knownHosts)
        channel.unansweredAfter = unansweredAfter
        return channel
    }

    private static func isUserNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        (0x30...0x39).contains(scalar.value) || (0x41...0x5A).contains(scalar.value)
            || (0x61...0x7A).contains(scalar.value) || scalar == "." || scalar == "_" || scalar == "-"
    }

    private func readPrivateKey(_ reader: ObjectReader, _ text: String) -> String? {
        let file = path(text)
        let mode: mode_t
        do {
            mode = try FileSystem.permissions(file)
        } catch {
            reader.problem(
                "privateKey", "\"\(text)\": \(error.reason)",
                hint: "ssh-keygen -t ed25519 -N '' -f \(file), then give the 前置机's administrator \(file).pub")
            return nil
        }
        if mode & 0o077 != 0 {
            reader.problem(
                "privateKey", "\"\(text)\" is readable by group or others (mode \(String(mode, radix: 8)))",
                hint: "chmod 600 \(file)")
            return nil
        }
        return file
    }

    private func readKnownHosts(_ reader: ObjectReader, _ text: String) -> String? {
        let file = path(text)
        guard let content = try? FileSystem.readText(file) else {
            reader.problem(
                "knownHosts", "\"\(text)\": no such file or it cannot be read",
                hint: "get the 前置机's host key from its administrator (not from the network) and write it there")
            return nil
        }
        let hasEntry = content.split(separator: "\n").contains { line in
            let trimmed = String(line).trimmingSpaces()
            return !trimmed.isEmpty && !trimmed.hasPrefix("#")
        }
        guard hasEntry else {
            reader.problem(
                "knownHosts", "\"\(text)\" holds no host key: the 前置机 could not be verified",
                hint: "add the line \"[host]:port ssh-ed25519 AAAA…\" the administrator gave you")
            return nil
        }
        return file
    }
}
