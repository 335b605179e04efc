/// A URL as the configuration gives it (a platform's `baseURL`, a `proxy`), split and checked
/// before anything connects to it.
struct ConfiguredURL: Equatable {
    var scheme: String
    /// The host as written; an IPv6 address keeps its brackets.
    var host: String
    var port: Int?

    /// Why a URL was refused. No case carries the URL's text: the one that holds user-info must
    /// never be printed, and the caller decides what may be shown.
    enum Problem: Error, Equatable {
        case scheme(allowed: [String])
        case userInfo
        case whitespace
        case noHost
        case badHost
        case badPort
        case queryOrFragment

        var message: String {
            switch self {
            case .scheme(let allowed):
                let names = allowed.dropLast().joined(separator: ", ") + (allowed.count > 1 ? " or " : "")
                return "is not an \(names + (allowed.last ?? "")) URL"
            case .userInfo: return "holds a user name or password (the URL is not shown)"
            case .whitespace: return "contains a space or a control character"
            case .noHost: return "has no host"
            case .badHost: return "has a host that is not a name or an IP address"
            case .badPort: return "has a port that is not 1 to 65535"
            case .queryOrFragment: return "has a query or fragment (? or #)"
            }
        }

        var hint: String {
            switch self {
            case .scheme: return "e.g. \"https://credit.example/exchange/v1\""
            case .userInfo: return "remove the user-info; secrets come from secretFile or secretEnv"
            case .whitespace: return "remove it; percent-encode a space in a path as %20"
            case .noHost, .badHost, .badPort: return "e.g. \"https://credit.example:8443/exchange/v1\""
            case .queryOrFragment: return "every endpoint path is appended to the base URL; remove the query"
            }
        }
    }

    /// Whether the host is this machine: `localhost`, `127.0.0.0/8` or `[::1]`.
    var isLoopback: Bool {
        if host.lowercased() == "localhost" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127"
            && parts.allSatisfy { part in
                part.count <= 3 && part.allSatisfy { $0.isASCII && $0.isNumber } && (Int(part) ?? 256) <= 255
            }
    }

    /// Reads `text` as `scheme://host[:port][/path]` with a scheme from `schemes`.
    static func parse(_ text: String, schemes: [String]) -> Result<ConfiguredURL, Problem> {
        let scalars = Array(text.unicodeScalars)
        let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return .failure(text.contains("@") ? .userInfo : .scheme(allowed: schemes))
        }
        let scheme = parts[0].lowercased()
        let rest = parts[1]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        // User-info first: no other message may quote a URL that carries a password.
        if authority.contains("@") { return .failure(.userInfo) }
        guard schemes.contains(scheme) else { return .failure(.scheme(allowed: schemes)) }
        if scalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            return .failure(.whitespace)
        }
        if rest.contains("?") || rest.contains("#") { return .failure(.queryOrFragment) }
        var host = Substring(authority)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return .failure(.badHost) }
            let after = host[host.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return .failure(.badHost) }
                portText = after.dropFirst()
            }
            host = host[...close]
            let inner = host.dropFirst().dropLast()
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return .failure(.badHost)
            }
        } else {
            if let colon = host.firstIndex(of: ":") {
                portText = host[host.index(after: colon)...]
                host = host[..<colon]
            }
            guard !host.isEmpty else { return .failure(.noHost) }
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            let isName = labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
            guard isName, host.count <= 253 else { return .failure(.badHost) }
        }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                let number = Int(portText), (1...65535).contains(number)
            else { return .failure(.badPort) }
            port = number
        }
        return .success(ConfiguredURL(scheme: scheme, host: String(host), port: port))
    }
}
